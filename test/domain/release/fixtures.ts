/** A runbook and people for the release decider's given/when/then tests. */
import type { ReleaseCommand } from '../../../src/domain/release/decide.js';
import { decide } from '../../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { fold } from '../../../src/domain/release/state.js';
import type { Runbook } from '../../../src/domain/runbook.js';
import type { DomainError } from '../../../src/domain/errors.js';

export const alice = 'console:alice';
export const bob = 'console:bob';
export const carol = 'console:carol';
export const dave = 'console:dave';

export const groups = { 'release-managers': [alice, carol], sre: [bob, carol] };

export const runbook: Runbook = {
  name: 'checkout-deploy',
  title: 'Checkout release',
  drivers: ['group:release-managers'],
  confirmers: ['group:sre'],
  params: { version: { pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'Version to deploy' } },
  preflight: [
    { id: 'backup', check: 'Backup taken', evidence: 'required' },
    { id: 'rehearsal', check: 'Rehearsed on staging', evidence: 'none' },
  ],
  steps: [
    { id: 'drain', title: 'Drain traffic', expectMs: 120_000, irreversible: false, rollback: { title: 'Put the pool back', expectMs: 60_000 } },
    { id: 'migrate', title: 'Run migration 42', irreversible: true, rollback: { title: 'Restore the database', expectMs: 7_200_000 } },
    { id: 'deploy', title: 'Deploy {{version}}', irreversible: false, rollback: { title: 'Redeploy the previous version', expectMs: 300_000 } },
  ],
};

export const T0 = new Date('2026-11-23T14:02:00.000Z');
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

/** Given these events, when `actor` sends `command` at minute `minute`: the events or the error. */
export const when = (given: readonly ReleaseEvent[], command: ReleaseCommand, actor: string, minute = 1, book: Runbook = runbook): ReleaseEvent[] | DomainError =>
  decide(fold(book.name, given), command, { now: at(minute), actor, groups, runbook: book });

/** Runs commands in order after `given`, failing loudly on the first error; returns the whole history. */
export const continueWith = (given: readonly ReleaseEvent[], ...steps: Array<[ReleaseCommand, string]>): ReleaseEvent[] => {
  const events: ReleaseEvent[] = [...given];
  steps.forEach(([command, actor], index) => {
    const result = when(events, command, actor, index);
    if (!Array.isArray(result)) throw new Error(`step ${index} (${command.type} by ${actor}) failed: ${result.message}`);
    events.push(...result);
  });
  return events;
};

export const history = (...steps: Array<[ReleaseCommand, string]>): ReleaseEvent[] => continueWith([], ...steps);

export const R = 'checkout-deploy-1';
export const start: Extract<ReleaseCommand, { type: 'start' }> = { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' };

/** A release accepted and through its preflight, ready for the first step. */
export const running = (): ReleaseEvent[] =>
  history(
    [start, alice],
    [{ type: 'accept', release: R }, bob],
    [{ type: 'check', release: R, item: 'backup', evidence: 'snapshot 881' }, alice],
    [{ type: 'check', release: R, item: 'rehearsal' }, bob],
  );

export const stepThrough = (step: string): Array<[ReleaseCommand, string]> => [
  [{ type: 'start_step', release: R, step }, alice],
  [{ type: 'done_step', release: R, step }, alice],
  [{ type: 'confirm_step', release: R, step }, bob],
];
