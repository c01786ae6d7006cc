/** Maintenance windows, given events, when a command or a timer, then events: the plan, its changes, its clock, running over. */
import { describe, expect, it } from 'vitest';
import type { WindowCommand, WindowTimer } from '../../../src/domain/window/decide.js';
import { decide, decideTimer } from '../../../src/domain/window/decide.js';
import type { WindowEvent } from '../../../src/domain/window/events.js';
import { fold } from '../../../src/domain/window/state.js';
import { DomainError } from '../../../src/domain/errors.js';

const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number): Date => new Date(T0 + minutes * MIN);
const iso = (minutes: number): string => at(minutes).toISOString();
const alice = 'slack:U0ALICE';
const bob = 'slack:U0BOB';

/** A two-hour DB upgrade starting in an hour. */
const upgrade: WindowCommand = {
  type: 'schedule',
  title: 'DB upgrade',
  start: iso(60),
  durationMs: 120 * MIN,
  channel: 'C0ANNOUNCE',
  platform: 'slack',
  impact: 'Checkout is read-only',
  services: ['checkout', ' db ', 'checkout'],
  remindMs: [10 * MIN, 60 * MIN, 10 * MIN],
  endingSoonMs: 15 * MIN,
};

const when = (given: readonly WindowEvent[], command: WindowCommand, minute = 0, actor = alice): WindowEvent[] | DomainError => decide(fold(given), command, { now: at(minute), actor });
const then = (given: readonly WindowEvent[], command: WindowCommand, minute = 0, actor = alice): WindowEvent[] => {
  const result = when(given, command, minute, actor);
  if (result instanceof DomainError) throw new Error(result.message);
  return [...given, ...result];
};
const refused = (given: readonly WindowEvent[], command: WindowCommand, minute = 0): DomainError => {
  const result = when(given, command, minute);
  if (!(result instanceof DomainError)) throw new Error(`expected a refusal, got ${result.map((event) => event.type).join(', ')}`);
  return result;
};
const fire = (given: readonly WindowEvent[], timer: WindowTimer, minute: number): WindowEvent[] => [...given, ...decideTimer(fold(given), timer, at(minute))];
const types = (events: readonly WindowEvent[]): string[] => events.map((event) => event.type);
const window = (events: readonly WindowEvent[]) => fold(events).windows[0];

describe('scheduling', () => {
  it('records the plan (services and reminders cleaned up) and announces it', () => {
    const events = then([], upgrade);
    expect(events).toEqual([
      {
        type: 'window.scheduled',
        at: iso(0),
        actor: alice,
        data: {
          window: 'mw-1',
          title: 'DB upgrade',
          start: iso(60),
          end: iso(180),
          channel: 'C0ANNOUNCE',
          platform: 'slack',
          impact: 'Checkout is read-only',
          services: ['checkout', 'db'],
          remindMs: [60 * MIN, 10 * MIN],
          endingSoonMs: 15 * MIN,
          conflicts: [],
        },
      },
      { type: 'window.announced', at: iso(0), actor: alice, data: { window: 'mw-1' } },
    ]);
    expect(window(events)).toMatchObject({ id: 'mw-1', status: 'scheduled', contact: alice, plannedEnd: iso(180) });
  });

  it('flags an overlap with an open window on a shared service, not one on other services or at other times', () => {
    const first = then([], upgrade);
    const overlapping = then(first, { ...upgrade, title: 'Cache flush', start: iso(150), services: ['db'] }, 1, bob);
    expect(fold(overlapping).windows[1]?.conflicts).toEqual(['mw-1']);
    const elsewhere = then(first, { ...upgrade, title: 'Search reindex', services: ['search'] }, 1);
    expect(fold(elsewhere).windows[1]?.conflicts).toEqual([]);
    const after = then(first, { ...upgrade, title: 'Later', start: iso(180) }, 1);
    expect(fold(after).windows[1]?.conflicts).toEqual([]);
    const cancelled = then(first, { type: 'cancel', window: 'mw-1', reason: 'Vendor postponed' }, 1);
    expect(fold(then(cancelled, upgrade, 2)).windows[1]?.conflicts).toEqual([]);
  });

  it('refuses an empty title, a start in the past and a zero duration, but takes a start a few seconds ago as now', () => {
    expect(refused([], { ...upgrade, title: ' ' }).code).toBe('title_missing');
    expect(refused([], { ...upgrade, start: iso(-5) }).code).toBe('start_in_past');
    expect(refused([], { ...upgrade, durationMs: 0 }).code).toBe('duration_zero');
    expect(types(then([], { ...upgrade, start: new Date(T0 - 20_000).toISOString() }))).toEqual(['window.scheduled', 'window.announced']);
  });
});

describe('its clock', () => {
  const given = then([], upgrade);

  it('reminds once per reminder for the current start, starts at the start, warns before the end, completes at the end', () => {
    let events = fire(given, { type: 'remind', window: 'mw-1', start: iso(60), beforeMs: 60 * MIN }, 0);
    events = fire(events, { type: 'remind', window: 'mw-1', start: iso(60), beforeMs: 60 * MIN }, 0);
    events = fire(events, { type: 'start', window: 'mw-1', start: iso(60) }, 60);
    events = fire(events, { type: 'start', window: 'mw-1', start: iso(60) }, 60);
    events = fire(events, { type: 'ending_soon', window: 'mw-1', end: iso(180) }, 165);
    events = fire(events, { type: 'end', window: 'mw-1', end: iso(180), running: [] }, 180);
    events = fire(events, { type: 'end', window: 'mw-1', end: iso(180), running: [] }, 180);
    expect(types(events).slice(2)).toEqual(['window.reminded', 'window.started', 'window.ending_soon', 'window.completed']);
    expect(events[3]?.data).toEqual({ window: 'mw-1', auto: true });
    expect(window(events)).toMatchObject({ status: 'completed', endedAt: iso(180), endedBy: null });
  });

  it('ignores the timers of a plan that moved', () => {
    const moved = then(given, { type: 'reschedule', window: 'mw-1', start: iso(120) }, 5);
    expect(moved[2]?.data).toEqual({ window: 'mw-1', start: iso(120), end: iso(240), previousStart: iso(60), conflicts: [] });
    expect(decideTimer(fold(moved), { type: 'remind', window: 'mw-1', start: iso(60), beforeMs: 10 * MIN }, at(50))).toEqual([]);
    expect(decideTimer(fold(moved), { type: 'start', window: 'mw-1', start: iso(60) }, at(60))).toEqual([]);
    expect(decideTimer(fold(moved), { type: 'end', window: 'mw-1', end: iso(180), running: [] }, at(180))).toEqual([]);
    expect(types(decideTimer(fold(moved), { type: 'start', window: 'mw-1', start: iso(120) }, at(120)))).toEqual(['window.started']);
  });

  it('starts and ends together when both were due while the bot was down', () => {
    expect(types(fire(given, { type: 'end', window: 'mw-1', end: iso(180), running: [] }, 185).slice(2))).toEqual(['window.started', 'window.completed']);
  });
});

describe('running over', () => {
  const running = fire(then([], upgrade), { type: 'start', window: 'mw-1', start: iso(60) }, 60);
  const over = fire(running, { type: 'end', window: 'mw-1', end: iso(180), running: ['web-deploy-3'] }, 180);

  it('overruns instead of completing while a release in the window still runs', () => {
    expect(over[over.length - 1]).toEqual({ type: 'window.overran', at: iso(180), actor: null, data: { window: 'mw-1', end: iso(180), releases: ['web-deploy-3'] } });
    expect(window(over)).toMatchObject({ status: 'overrunning', overrun: { at: iso(180), releases: ['web-deploy-3'] } });
  });

  it('is extended with a reason, from now once the end has passed, and overruns again at the new end', () => {
    expect(refused(over, { type: 'extend', window: 'mw-1', durationMs: 30 * MIN, reason: ' ' }, 185).code).toBe('reason_missing');
    const extended = then(over, { type: 'extend', window: 'mw-1', durationMs: 30 * MIN, reason: 'Index rebuild is slower than in staging' }, 185, bob);
    expect(extended[extended.length - 1]?.data).toEqual({ window: 'mw-1', until: iso(215), reason: 'Index rebuild is slower than in staging', previousEnd: iso(180) });
    expect(window(extended)).toMatchObject({ status: 'running', end: iso(215), plannedEnd: iso(180) });
    expect(window(extended)?.overrun).toBeUndefined();
    const again = fire(extended, { type: 'end', window: 'mw-1', end: iso(215), running: ['web-deploy-3'] }, 215);
    expect(window(again)?.overruns.map((overrun) => overrun.end)).toEqual([iso(180), iso(215)]);
  });

  it('completes once the last release in it ends, not before', () => {
    expect(decideTimer(fold(over), { type: 'check', window: 'mw-1', running: ['web-deploy-3'] }, at(190))).toEqual([]);
    expect(decideTimer(fold(over), { type: 'check', window: 'mw-1', running: [] }, at(190))).toEqual([{ type: 'window.completed', at: iso(190), actor: null, data: { window: 'mw-1', auto: true } }]);
    expect(decideTimer(fold(running), { type: 'check', window: 'mw-1', running: [] }, at(90))).toEqual([]);
  });

  it('counts an extension of a window still ahead of its end from that end', () => {
    const extended = then(running, { type: 'extend', window: 'mw-1', durationMs: 30 * MIN, reason: 'More tables than planned' }, 100);
    expect(window(extended)?.end).toBe(iso(210));
  });
});

describe('changes by people', () => {
  const given = then([], upgrade);

  it('starts early by hand, and completes by hand only once started', () => {
    expect(refused(given, { type: 'complete', window: 'mw-1' }).code).toBe('window_not_started');
    const started = then(given, { type: 'start', window: 'mw-1' }, 30, bob);
    expect(started[2]).toEqual({ type: 'window.started', at: iso(30), actor: bob, data: { window: 'mw-1', auto: false } });
    expect(refused(started, { type: 'start', window: 'mw-1' }, 31).code).toBe('window_started');
    expect(refused(started, { type: 'reschedule', window: 'mw-1', start: iso(90) }, 31).code).toBe('window_started');
    expect(refused(started, { type: 'cancel', window: 'mw-1', reason: 'No' }, 31).code).toBe('window_started');
    expect(types(then(started, { type: 'complete', window: 'mw-1' }, 40)).slice(3)).toEqual(['window.completed']);
  });

  it('cancels with a reason before it starts; nothing changes a window that is over', () => {
    expect(refused(given, { type: 'cancel', window: 'mw-1', reason: '' }).code).toBe('reason_missing');
    const cancelled = then(given, { type: 'cancel', window: 'mw-1', reason: 'Vendor postponed' }, 10);
    expect(window(cancelled)).toMatchObject({ status: 'cancelled', cancelReason: 'Vendor postponed', endedBy: alice });
    expect(refused(cancelled, { type: 'extend', window: 'mw-1', durationMs: MIN, reason: 'x' }).message).toBe('mw-1 (DB upgrade) was cancelled.');
    expect(decideTimer(fold(cancelled), { type: 'start', window: 'mw-1', start: iso(60) }, at(60))).toEqual([]);
  });

  it('names a window that does not exist, and refuses a move into the past or to the same start', () => {
    expect(refused(given, { type: 'start', window: 'mw-9' }).message).toBe('There is no maintenance window mw-9. /maintenance list shows them.');
    expect(refused(given, { type: 'reschedule', window: 'mw-1', start: iso(-10) }).code).toBe('start_in_past');
    expect(refused(given, { type: 'reschedule', window: 'mw-1', start: iso(60) }).code).toBe('same_start');
  });
});
