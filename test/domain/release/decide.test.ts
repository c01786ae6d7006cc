import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../../src/domain/errors.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { fold } from '../../../src/domain/release/state.js';
import { alice, bob, carol, continueWith, dave, history, R, running, runbook, start, stepThrough, when, at } from './fixtures.js';

const types = (result: ReleaseEvent[] | DomainError): string[] | string => (Array.isArray(result) ? result.map((event) => event.type) : `error:${result.code}`);
const error = (result: ReleaseEvent[] | DomainError): DomainError => {
  if (Array.isArray(result)) throw new Error(`expected an error, got ${result.map((e) => e.type).join(', ')}`);
  return result;
};

describe('starting a release', () => {
  it('records the pair, the parameters and the runbook as it is now', () => {
    const result = when([], start, alice);
    expect(Array.isArray(result)).toBe(true);
    const [event] = result as ReleaseEvent[];
    expect(event).toMatchObject({
      type: 'release.started',
      actor: alice,
      at: at(1).toISOString(),
      data: { release: R, runbook: 'checkout-deploy', title: 'Checkout release 1.2.3', driver: alice, confirmer: bob, channel: 'C1', params: { version: '1.2.3' } },
    });
    if (event?.type !== 'release.started') throw new Error('not started');
    expect(event.data.steps.map((step) => step.title)).toEqual(['Drain traffic', 'Run migration 42', 'Deploy 1.2.3']);
  });

  it('refuses a driver who is not eligible, naming the drivers', () => {
    expect(error(when([], start, dave)).message).toBe('You may not drive checkout-deploy: its drivers are group:release-managers.');
  });

  it('refuses self-confirmation', () => {
    const result = error(when([], { ...start, confirmer: carol }, carol));
    expect(result.code).toBe('self_confirm');
    expect(result.message).toContain('You cannot confirm your own release');
  });

  it('refuses an ineligible confirmer and a missing one', () => {
    expect(error(when([], { ...start, confirmer: dave }, alice)).message).toBe('dave may not confirm checkout-deploy: its confirmers are group:sre.');
    const { confirmer: _confirmer, ...withoutConfirmer } = start;
    expect(error(when([], withoutConfirmer, alice)).code).toBe('confirmer_missing');
  });

  it('refuses bad parameters before anything is recorded', () => {
    expect(error(when([], { ...start, params: { version: 'latest' } }, alice)).code).toBe('bad_param');
    expect(error(when([], { ...start, params: {} }, alice)).code).toBe('missing_param');
  });

  it('allows one active release per runbook and says who runs it since when', () => {
    const result = error(when(history([start, alice]), { ...start, confirmer: carol }, alice));
    expect(result.code).toBe('runbook_busy');
    expect(result.message).toBe('Checkout release 1.2.3 is being run by alice since 14:02 UTC (checkout-deploy-1). One release of checkout-deploy at a time.');
  });

  it('numbers releases per runbook', () => {
    const given = history([start, alice], [{ type: 'abort', release: R, reason: 'wrong day' }, alice]);
    const result = when(given, start, alice);
    expect(Array.isArray(result) && result[0]?.data).toMatchObject({ release: 'checkout-deploy-2' });
  });
});

describe('the confirmer', () => {
  it('accepts, and only the named confirmer may', () => {
    const given = history([start, alice]);
    expect(types(when(given, { type: 'accept', release: R }, bob))).toEqual(['release.confirmer_accepted']);
    expect(error(when(given, { type: 'accept', release: R }, carol)).code).toBe('not_the_confirmer');
    expect(error(when(given, { type: 'accept', release: R }, alice)).code).toBe('not_the_confirmer');
  });

  it('declining ends the pairing and frees the runbook', () => {
    const given = history([start, alice], [{ type: 'decline', release: R, reason: 'on call elsewhere' }, bob]);
    const slot = fold('checkout-deploy', given);
    expect(slot.releases[0]).toMatchObject({ status: 'declined', reason: 'on call elsewhere' });
    expect(types(when(given, { ...start, confirmer: carol }, alice))).toEqual(['release.started']);
  });

  it('accepting twice is answered, not recorded twice', () => {
    const given = history([start, alice], [{ type: 'accept', release: R }, bob]);
    expect(error(when(given, { type: 'accept', release: R }, bob)).code).toBe('already_accepted');
  });
});

describe('preflight', () => {
  const accepted = (): ReleaseEvent[] => history([start, alice], [{ type: 'accept', release: R }, bob]);

  it('needs evidence where the runbook says so', () => {
    const result = error(when(accepted(), { type: 'check', release: R, item: 'backup' }, alice));
    expect(result.code).toBe('evidence_required');
    expect(result.message).toContain('/release check checkout-deploy-1 backup <');
    expect(types(when(accepted(), { type: 'check', release: R, item: 'backup', evidence: 'snapshot 881' }, alice))).toEqual(['release.preflight_checked']);
  });

  it('is checked item by item, by the pair only, once each', () => {
    const given = continueWith(accepted(), [{ type: 'check', release: R, item: 'rehearsal' }, bob]);
    expect(error(when(given, { type: 'check', release: R, item: 'rehearsal' }, alice)).code).toBe('already_checked');
    expect(error(when(given, { type: 'check', release: R, item: 'backup', evidence: 'x' }, dave)).code).toBe('not_in_pair');
    expect(error(when(given, { type: 'check', release: R, item: 'nope' }, alice)).message).toContain('its checks are backup, rehearsal');
  });

  it('holds the steps until every item is checked', () => {
    const given = continueWith(accepted(), [{ type: 'check', release: R, item: 'rehearsal' }, bob]);
    expect(error(when(given, { type: 'start_step', release: R, step: 'drain' }, alice)).code).toBe('preflight_open');
    expect(fold('checkout-deploy', running()).releases[0]?.status).toBe('running');
  });
});

describe('steps: start and done by the driver, confirmed by the other person', () => {
  it('walks a step through start, done and confirm, recording who and when', () => {
    const events = continueWith(running(), ...stepThrough('drain'));
    const step = fold('checkout-deploy', events).releases[0]?.steps[0];
    expect(step).toMatchObject({ id: 'drain', status: 'confirmed', confirmedBy: bob });
    expect(events.slice(-3).map((event) => [event.type, event.actor])).toEqual([
      ['release.step_started', alice],
      ['release.step_done', alice],
      ['release.step_confirmed', bob],
    ]);
  });

  it('the driver can never confirm, nor can a bystander', () => {
    const given = continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice], [{ type: 'done_step', release: R, step: 'drain' }, alice]);
    const self = error(when(given, { type: 'confirm_step', release: R, step: 'drain' }, alice));
    expect(self.code).toBe('not_the_confirmer');
    expect(self.message).toBe('You drive checkout-deploy-1: you cannot confirm your own work. bob must.');
    expect(error(when(given, { type: 'confirm_step', release: R, step: 'drain' }, carol)).code).toBe('not_the_confirmer');
  });

  it('only the driver starts and finishes steps', () => {
    expect(error(when(running(), { type: 'start_step', release: R, step: 'drain' }, bob)).code).toBe('not_the_driver');
  });

  it('a confirmation pressed twice counts once', () => {
    const given = continueWith(running(), ...stepThrough('drain'));
    const again = error(when(given, { type: 'confirm_step', release: R, step: 'drain' }, bob));
    expect(again.code).toBe('already_confirmed');
    expect(again.message).toBe('Step drain was already confirmed by bob at 14:04 UTC.');
  });

  it('keeps the order: no later step before the current one', () => {
    expect(error(when(running(), { type: 'start_step', release: R, step: 'deploy' }, alice)).code).toBe('not_current_step');
  });

  it('a rejected step goes back to the driver', () => {
    const given = continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice], [{ type: 'done_step', release: R, step: 'drain' }, alice]);
    const rejected = continueWith(given, [{ type: 'reject_step', release: R, step: 'drain', reason: 'pool still has traffic' }, bob]);
    expect(fold('checkout-deploy', rejected).releases[0]?.steps[0]).toMatchObject({ status: 'started', rejections: 1 });
    expect(types(when(rejected, { type: 'done_step', release: R, step: 'drain' }, alice))).toEqual(['release.step_done']);
  });
});

describe('the point of no return', () => {
  const atMigrate = (): ReleaseEvent[] => continueWith(running(), ...stepThrough('drain'));

  it('cannot be started until both people acknowledge it, and states the rollback cost', () => {
    const refused = error(when(atMigrate(), { type: 'start_step', release: R, step: 'migrate' }, alice));
    expect(refused.code).toBe('point_of_no_return');
    expect(refused.message).toBe('Step migrate is a point of no return (rolling back after it takes about 2h1m): alice and bob must acknowledge it first.');
    const oneAck = continueWith(atMigrate(), [{ type: 'acknowledge', release: R, step: 'migrate' }, alice]);
    expect(error(when(oneAck, { type: 'start_step', release: R, step: 'migrate' }, alice)).message).toContain('bob must acknowledge');
    expect(error(when(oneAck, { type: 'acknowledge', release: R, step: 'migrate' }, alice)).code).toBe('already_acknowledged');
    const both = continueWith(oneAck, [{ type: 'acknowledge', release: R, step: 'migrate' }, bob]);
    expect(types(when(both, { type: 'start_step', release: R, step: 'migrate' }, alice))).toEqual(['release.step_started']);
  });

  it('is acknowledged only by the pair, and only for irreversible steps', () => {
    expect(error(when(atMigrate(), { type: 'acknowledge', release: R, step: 'migrate' }, carol)).code).toBe('not_in_pair');
    expect(error(when(running(), { type: 'acknowledge', release: R, step: 'drain' }, alice)).code).toBe('not_irreversible');
  });
});

const completed = (): ReleaseEvent[] =>
  continueWith(
    running(),
    ...stepThrough('drain'),
    [{ type: 'acknowledge', release: R, step: 'migrate' }, alice],
    [{ type: 'acknowledge', release: R, step: 'migrate' }, bob],
    ...stepThrough('migrate'),
    ...stepThrough('deploy'),
  );

describe('completion, abort', () => {
  it('completes with the last confirmation', () => {
    const events = completed();
    expect(events.slice(-2).map((event) => event.type)).toEqual(['release.step_confirmed', 'release.completed']);
    expect(fold('checkout-deploy', events).releases[0]?.status).toBe('completed');
  });

  it('aborts with a reason, by the pair or a driver of the runbook only', () => {
    expect(types(when(running(), { type: 'abort', release: R, reason: 'wrong version' }, carol))).toEqual(['release.aborted']);
    expect(error(when(running(), { type: 'abort', release: R, reason: 'x' }, dave)).code).toBe('not_allowed');
    expect(error(when(running(), { type: 'abort', release: R, reason: '  ' }, alice)).code).toBe('reason_missing');
    expect(error(when(completed(), { type: 'abort', release: R, reason: 'late' }, alice)).message).toBe('checkout-deploy-1 is complete.');
  });
});

describe('rollback', () => {
  const midway = (): ReleaseEvent[] =>
    continueWith(
      running(),
      ...stepThrough('drain'),
      [{ type: 'acknowledge', release: R, step: 'migrate' }, alice],
      [{ type: 'acknowledge', release: R, step: 'migrate' }, bob],
      [{ type: 'start_step', release: R, step: 'migrate' }, alice],
    );

  it('undoes the started steps in reverse order under the same pair, then locks the runbook', () => {
    const begun = when(midway(), { type: 'rollback', release: R, reason: 'migration hangs' }, bob);
    expect(Array.isArray(begun) && begun[0]?.data).toMatchObject({ steps: ['migrate', 'drain'], reason: 'migration hangs' });
    const events = continueWith(
      midway(),
      [{ type: 'rollback', release: R, reason: 'migration hangs' }, bob],
      [{ type: 'rollback_done', release: R, step: 'migrate' }, alice],
    );
    expect(error(when(events, { type: 'rollback_confirm', release: R, step: 'migrate' }, alice)).code).toBe('not_the_confirmer');
    expect(error(when(events, { type: 'rollback_done', release: R, step: 'drain' }, alice)).code).toBe('not_current_step');
    const done = continueWith(
      events,
      [{ type: 'rollback_confirm', release: R, step: 'migrate' }, bob],
      [{ type: 'rollback_done', release: R, step: 'drain' }, alice],
      [{ type: 'rollback_confirm', release: R, step: 'drain' }, bob],
    );
    expect(done.slice(-3).map((event) => event.type)).toEqual(['release.rollback_step_confirmed', 'release.rolled_back', 'release.locked']);
    const slot = fold('checkout-deploy', done);
    expect(slot.locks['']).toMatchObject({ release: R, reason: 'migration hangs' });
    expect(slot.releases[0]?.status).toBe('rolled_back');
  });

  it('a locked runbook refuses new releases until unlocked with a reason by a driver', () => {
    const locked = continueWith(
      continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice]),
      [{ type: 'rollback', release: R, reason: 'bad' }, alice],
      [{ type: 'rollback_done', release: R, step: 'drain' }, alice],
      [{ type: 'rollback_confirm', release: R, step: 'drain' }, bob],
    );
    const refused = error(when(locked, start, alice));
    expect(refused.code).toBe('runbook_locked');
    expect(refused.message).toContain('/release unlock checkout-deploy');
    expect(error(when(locked, { type: 'unlock', reason: 'fixed' }, bob)).code).toBe('not_a_driver');
    const unlocked = continueWith(locked, [{ type: 'unlock', reason: 'index added' }, carol]);
    expect(fold('checkout-deploy', unlocked).locks).toEqual({});
    expect(types(when(unlocked, start, alice))).toEqual(['release.started']);
  });

  it('with nothing started there is nothing to roll back; a completed release can be rolled back', () => {
    expect(error(when(running(), { type: 'rollback', release: R, reason: 'x' }, alice)).code).toBe('nothing_to_roll_back');
    const result = when(completed(), { type: 'rollback', release: R, reason: 'errors up' }, alice);
    expect(Array.isArray(result) && result[0]?.data).toMatchObject({ steps: ['deploy', 'migrate', 'drain'] });
  });

  it('steps without a rollback action are skipped; none at all rolls back at once', () => {
    const noRollbacks = { ...runbook, preflight: [], steps: runbook.steps.map(({ rollback: _r, ...step }) => ({ ...step, irreversible: false })) };
    const given: ReleaseEvent[] = [];
    for (const [command, actor] of [[start, alice], [{ type: 'accept', release: R }, bob], [{ type: 'start_step', release: R, step: 'drain' }, alice]] as const) {
      const result = when(given, command, actor, 1, noRollbacks);
      if (!Array.isArray(result)) throw new Error(result.message);
      given.push(...result);
    }
    expect(types(when(given, { type: 'rollback', release: R, reason: 'x' }, alice, 2, noRollbacks))).toEqual(['release.rollback_started', 'release.rolled_back', 'release.locked']);
  });
});
