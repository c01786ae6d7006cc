/** The step-overdue timer: given events, when the timer fires, then the events (none when it is stale). */
import { describe, expect, it } from 'vitest';
import { decideTimer } from '../../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { fold } from '../../../src/domain/release/state.js';
import { alice, at, bob, continueWith, R, running, runbook, stepThrough } from './fixtures.js';

const fire = (given: readonly ReleaseEvent[], step: string, due: Date, minute: number): ReleaseEvent[] =>
  decideTimer(fold(runbook.name, given), { type: 'step_overdue', release: R, step, due: due.toISOString() }, at(minute));

/** drain (expected 2m) started at minute 0. */
const draining = (): ReleaseEvent[] => continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice]);

describe('a step running past its expected duration', () => {
  it('is recorded once, by the bot, with what was expected and since when', () => {
    const given = draining();
    expect(fold(runbook.name, given).releases[0]?.steps[0]?.dueAt).toBe(at(2).toISOString());
    const events = fire(given, 'drain', at(2), 2);
    expect(events).toEqual([
      { type: 'release.step_overdue', at: at(2).toISOString(), actor: null, data: { release: R, step: 'drain', expectMs: 120_000, since: at(0).toISOString() } },
    ]);
    expect(fire([...given, ...events], 'drain', at(2), 3)).toEqual([]);
  });

  it('a timer for a step that is done, or for an older start of it, is stale and changes nothing', () => {
    const done = continueWith(draining(), [{ type: 'done_step', release: R, step: 'drain' }, alice]);
    expect(fire(done, 'drain', at(2), 2)).toEqual([]);
    expect(fire(draining(), 'drain', at(3), 3)).toEqual([]);
    expect(fire(draining(), 'deploy', at(2), 2)).toEqual([]);
  });

  it('a step sent back starts its clock again: the old timer is stale, the new one counts from the restart', () => {
    const sentBack = continueWith(
      draining(),
      [{ type: 'done_step', release: R, step: 'drain' }, alice],
      [{ type: 'reject_step', release: R, step: 'drain', reason: 'pool still has traffic' }, bob],
    );
    // continueWith numbers its steps from minute 0: the rejection is at minute 1, so drain is due at minute 3.
    expect(fold(runbook.name, sentBack).releases[0]?.steps[0]?.dueAt).toBe(at(3).toISOString());
    expect(fire(sentBack, 'drain', at(2), 2)).toEqual([]);
    expect(fire(sentBack, 'drain', at(3), 3)).toMatchObject([{ type: 'release.step_overdue', data: { step: 'drain', since: at(1).toISOString() } }]);
  });

  it('a step without an expected duration never gets a deadline', () => {
    const atMigrate = continueWith(
      running(),
      ...stepThrough('drain'),
      [{ type: 'acknowledge', release: R, step: 'migrate' }, alice],
      [{ type: 'acknowledge', release: R, step: 'migrate' }, bob],
      [{ type: 'start_step', release: R, step: 'migrate' }, alice],
    );
    expect(fold(runbook.name, atMigrate).releases[0]?.steps[1]?.dueAt).toBeUndefined();
    expect(fire(atMigrate, 'migrate', at(9), 9)).toEqual([]);
  });

  it('an aborted release ignores its timers', () => {
    const aborted = continueWith(draining(), [{ type: 'abort', release: R, reason: 'wrong version' }, alice]);
    expect(fire(aborted, 'drain', at(2), 2)).toEqual([]);
  });
});
