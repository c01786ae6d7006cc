/** A runbook and people for the release decider's given/when/then tests. */
import type { ReleaseCommand } from '../../../src/domain/release/decide.js';
import { decide } from '../../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { fold } from '../../../src/domain/release/state.js';
import type { Runbook } from '../../../src/domain/runbook.js';
import type { DomainError } from '../../../src/domain/errors.js';
import type { RunSignal } from '../../../src/domain/release/decide.js';
import { decideRun } from '../../../src/domain/release/decide.js';

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

/** Automated steps (issue #9): drain is done by hand, deploy runs on runner `prod`, purge (the last) on `edge`. */
export const autoRunbook: Runbook = {
  name: 'web-deploy',
  title: 'Web release',
  drivers: ['group:release-managers'],
  confirmers: ['group:sre'],
  params: { version: { pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'Version to deploy' } },
  preflight: [],
  steps: [
    { id: 'drain', title: 'Drain traffic', irreversible: false, rollback: { title: 'Put the pool back', expectMs: 60_000 } },
    {
      id: 'deploy',
      title: 'Deploy {{version}}',
      expectMs: 300_000,
      irreversible: false,
      rollback: { title: 'Redeploy the previous version', expectMs: 300_000 },
      run: { runner: 'prod', argv: ['./deploy.sh', '--version', '{{version}}'], timeoutMs: 600_000, env: ['DEPLOY_TOKEN'] },
      verify: { http: 'https://web.example/health', status: 200 },
    },
    { id: 'purge', title: 'Purge the CDN cache', irreversible: false, run: { runner: 'edge', argv: ['./purge-cache.sh', '--all'] } },
  ],
};

export const AUTO_R = 'web-deploy-1';

export type RunnerMap = Readonly<Record<string, { readonly online: boolean; readonly lastSeen?: string }>>;

export const RUNNERS_ONLINE: RunnerMap = { prod: { online: true }, edge: { online: true } };

/** A command by a person, or a runner's news. */
export type AutoStep = readonly [ReleaseCommand, string] | RunSignal;

/** One minute after the last event, so histories built in several goes keep their order. */
export const nextMinute = (given: readonly ReleaseEvent[]): Date => {
  const last = given[given.length - 1];
  return last === undefined ? T0 : new Date(Date.parse(last.at) + 60_000);
};

/** Given these events, when `actor` sends `command` a minute after the last one, with these runners present. */
export const whenAuto = (
  given: readonly ReleaseEvent[],
  command: ReleaseCommand,
  actor: string,
  options: { readonly runners?: RunnerMap; readonly book?: Runbook } = {},
): ReleaseEvent[] | DomainError => {
  const book = options.book ?? autoRunbook;
  return decide(fold(book.name, given), command, { now: nextMinute(given), actor, groups, runbook: book, runners: options.runners ?? RUNNERS_ONLINE });
};

/** Given these events, when a runner reports `signal` a minute after the last one. */
export const signalAuto = (given: readonly ReleaseEvent[], signal: RunSignal): ReleaseEvent[] => decideRun(fold(autoRunbook.name, given), signal, nextMinute(given));

/** Commands and runner news in order after `given`, every runner online, failing loudly on the first refusal. */
export const continueAuto = (given: readonly ReleaseEvent[], ...steps: AutoStep[]): ReleaseEvent[] => {
  const events: ReleaseEvent[] = [...given];
  steps.forEach((step, index) => {
    if (!Array.isArray(step)) {
      events.push(...signalAuto(events, step as RunSignal));
      return;
    }
    const [command, actor] = step as readonly [ReleaseCommand, string];
    const result = whenAuto(events, command, actor);
    if (!Array.isArray(result)) throw new Error(`step ${index} (${command.type} by ${actor}) failed: ${result.message}`);
    events.push(...result);
  });
  return events;
};

/** web-deploy-1 accepted (no preflight) and drain confirmed: deploy is next. */
export const atDeploy = (): ReleaseEvent[] =>
  continueAuto(
    [],
    [{ type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' }, alice],
    [{ type: 'accept', release: AUTO_R }, bob],
    [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice],
    [{ type: 'done_step', release: AUTO_R, step: 'drain' }, alice],
    [{ type: 'confirm_step', release: AUTO_R, step: 'drain' }, bob],
  );

export const startDeploy: AutoStep = [{ type: 'start_step', release: AUTO_R, step: 'deploy' }, alice];
export const approveDeploy: AutoStep = [{ type: 'approve_step', release: AUTO_R, step: 'deploy' }, bob];

export const runStarted = (step: string, attempt = 1, runner = 'prod'): RunSignal => ({
  type: 'run_started',
  release: AUTO_R,
  step,
  attempt,
  runner,
  instance: `${runner}-a1`,
  host: 'deploy-01',
});

/** A run that exited 0 after 42s, with no `verify` result unless given. */
export const runFinished = (step: string, change: Partial<Extract<RunSignal, { type: 'run_finished' }>> = {}): RunSignal => ({
  type: 'run_finished',
  release: AUTO_R,
  step,
  attempt: 1,
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 42_000,
  tail: ['deployed 1.2.3'],
  ...change,
});
