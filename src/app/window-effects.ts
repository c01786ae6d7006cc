/** What window events make happen: notices and the announcement in its channel, the driver's prompt, timers. */
import type { StoredEvent } from '../domain/event.js';
import type { WindowEvent } from '../domain/window/events.js';
import type { Window, WindowBook } from '../domain/window/state.js';
import type { Executed } from './aggregate.js';
import type { Effect } from './effects.js';
import { WINDOW_CHECK } from './release-effects.js';
import type { WindowContext } from './window-messages.js';
import { announcement, overrunPrompt, windowNotice } from './window-messages.js';

/** Timer payload kinds; each carries the start or end it was set for, so a moved window's timers are stale. */
export const WINDOW_TIMERS = {
  remind: 'window.remind',
  start: 'window.start',
  ending: 'window.ending',
  end: 'window.end',
  /** A release started in the window ended: a window running over may complete. */
  check: WINDOW_CHECK,
} as const;

type Which = 'start' | 'ending' | 'end' | `remind-${number}`;

/** Deterministic and without `:` (BullMQ job ids may not have one). */
const timerId = (window: string, which: Which): string => `window-${window}-${which}`;

const schedule = (window: string, which: Which, at: number, payload: Readonly<Record<string, string>>): Effect => ({
  kind: 'schedule',
  timer: timerId(window, which),
  at: new Date(at).toISOString(),
  payload: { window, ...payload },
});

const cancelOne = (window: string, which: Which): Effect => ({ kind: 'cancel', timer: timerId(window, which) });
const cancel = (window: string, ...which: readonly Which[]): Effect[] => which.map((one) => cancelOne(window, one));

const reminders = (window: Window): Which[] => window.remindMs.map((ms): Which => `remind-${ms}`);

/** Reminders, start, "ending soon" and end for the window's current plan; moments already past are skipped. */
const clock = (window: Window, now: number): Effect[] => {
  const start = Date.parse(window.start);
  const effects = window.remindMs.map((ms): Effect =>
    start - ms > now ? schedule(window.id, `remind-${ms}`, start - ms, { kind: WINDOW_TIMERS.remind, start: window.start, before: String(ms) }) : cancelOne(window.id, `remind-${ms}`),
  );
  if (window.status === 'scheduled') effects.push(schedule(window.id, 'start', start, { kind: WINDOW_TIMERS.start, start: window.start }));
  return [...effects, ...ending(window, now)];
};

const ending = (window: Window, now: number): Effect[] => {
  const end = Date.parse(window.end);
  const soon = end - window.endingSoonMs;
  // "Ends in 15 minutes" makes no sense for a window shorter than that, nor once that moment has passed.
  return [
    soon > now && soon > Date.parse(window.start) ? schedule(window.id, 'ending', soon, { kind: WINDOW_TIMERS.ending, end: window.end }) : cancelOne(window.id, 'ending'),
    schedule(window.id, 'end', end, { kind: WINDOW_TIMERS.end, end: window.end }),
  ];
};

const timers = (window: Window, event: StoredEvent & WindowEvent): Effect[] => {
  const now = Date.parse(event.at);
  switch (event.type) {
    case 'window.scheduled':
    case 'window.rescheduled':
      return clock(window, now);
    case 'window.started':
      // Started early by hand: the reminders and the planned start have nothing left to say.
      return event.data.auto ? [] : cancel(window.id, ...reminders(window), 'start');
    case 'window.extended':
      return ending(window, now);
    case 'window.completed':
    case 'window.cancelled':
      return cancel(window.id, ...reminders(window), 'start', 'ending', 'end');
    default:
      return [];
  }
};

/**
 * Every effect of the appended window events, in order: per event its notice, prompts and timers; then the
 * announcement of each window they touched, edited to its current state (posted, the first time: the heads-up).
 */
export const windowEffects = (executed: Executed<WindowBook>, ctx: WindowContext): Effect[] => {
  const effects: Effect[] = [];
  const touched: Window[] = [];
  for (const event of executed.events as readonly (StoredEvent & WindowEvent)[]) {
    const window = executed.state.windows.find((candidate) => candidate.id === event.data.window);
    if (!window) continue;
    // A reminder or "ends soon" changes nothing the announcement shows: no edit that would only spend rate limit.
    if (!touched.includes(window) && event.type !== 'window.reminded' && event.type !== 'window.ending_soon') touched.push(window);
    const conversation = { channel: window.channel };
    const notice = windowNotice(window, event, ctx);
    if (notice) effects.push({ kind: 'deliver', platform: window.platform, conversation, message: { key: `window/${window.id}/event/${event.id}`, text: [notice] } });
    if (event.type === 'window.overran') {
      for (const id of event.data.releases) {
        const release = ctx.release(id);
        if (release) effects.push({ kind: 'deliver', platform: release.platform, conversation: { channel: release.channel }, message: overrunPrompt(window, release, event, ctx) });
      }
    }
    effects.push(...timers(window, event));
  }
  for (const window of touched) {
    effects.push({ kind: 'deliver', platform: window.platform, conversation: { channel: window.channel }, message: announcement(window, ctx) });
  }
  return effects;
};
