/** The one-pass folds give exactly what reducing with `evolve` gives, on histories with several aggregates interleaved. */
import { describe, expect, it } from 'vitest';
import type { IncidentCommand } from '../../src/domain/incident/decide.js';
import { decide } from '../../src/domain/incident/decide.js';
import type { IncidentEvent, IncidentPolicy } from '../../src/domain/incident/events.js';
import { emptyBook, evolve, fold } from '../../src/domain/incident/state.js';
import { isDomainError } from '../../src/domain/errors.js';
import { emptyWindows, evolve as evolveWindows, fold as foldWindows } from '../../src/domain/window/state.js';
import { schedule, windowEvents } from '../support/window-history.js';

const policy: IncidentPolicy = { timeboxMs: 1_200_000, warnBeforeMs: 300_000, maxExtensions: 2, escalateAfterMs: 300_000, updatesEveryMs: 1_800_000, nudgeBeforeMs: 120_000 };

describe('one-pass folds', () => {
  it('incidents: the same book as evolve, event by event', () => {
    let events: IncidentEvent[] = [];
    const run = (command: IncidentCommand, minute: number): void => {
      const result = decide(fold(events), command, { now: new Date(Date.UTC(2026, 10, 24, 10, minute)), actor: 'slack:U0ALICE' });
      if (isDomainError(result)) throw new Error(result.message);
      events = [...events, ...result];
    };
    for (const n of [1, 2, 3]) run({ type: 'declare', title: `Trouble ${n}`, severity: 2, channel: 'C1', platform: 'slack', policy }, n);
    run({ type: 'update', incident: 'inc-2', text: 'Looking' }, 5);
    run({ type: 'extend', incident: 'inc-1', extendMs: 600_000, reason: 'building a fix' }, 6);
    run({ type: 'note', incident: 'inc-3', text: 'internal' }, 7);
    run({ type: 'resolve', incident: 'inc-2', summary: 'done' }, 8);
    run({ type: 'decide', incident: 'inc-3', decision: 'rollback' }, 9);
    expect(fold(events)).toEqual(events.reduce(evolve, emptyBook));
    expect(fold(events).incidents.map((incident) => incident.status)).toEqual(['open', 'resolved', 'open']);
  });

  it('windows: the same book as evolve, event by event', () => {
    const events = windowEvents([
      { at: '2026-11-24T09:00:00.000Z', command: schedule('A', '2026-11-24T10:00:00.000Z', 3_600_000) },
      { at: '2026-11-24T09:01:00.000Z', command: schedule('B', '2026-11-24T12:00:00.000Z', 3_600_000) },
      { at: '2026-11-24T09:02:00.000Z', command: { type: 'cancel', window: 'mw-2', reason: 'not needed' } },
      { at: '2026-11-24T09:03:00.000Z', command: { type: 'start', window: 'mw-1' } },
      { at: '2026-11-24T09:04:00.000Z', command: { type: 'extend', window: 'mw-1', durationMs: 600_000, reason: 'slow' } },
    ]);
    expect(foldWindows(events)).toEqual(events.reduce(evolveWindows, emptyWindows));
    expect(foldWindows(events).windows.map((window) => window.status)).toEqual(['running', 'cancelled']);
  });
});
