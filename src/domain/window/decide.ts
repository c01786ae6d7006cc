/** The maintenance window rules: scheduling, changes, its clock (reminders, start, end) and running over. Pure. */
import type { DomainError } from '../errors.js';
import { fail } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { Principal } from '../principal.js';
import { clockTimeUtc } from '../time-text.js';
import type { WindowEvent, WindowEventData, WindowEventType, WindowScheduledData } from './events.js';
import type { Window, WindowBook } from './state.js';
import { conflictsWith } from './state.js';

interface Targeted {
  readonly window: string;
}

/** Everything the scheduling records but what the decider works out: the id, the end and the overlaps. */
export type ScheduleCommand = { readonly type: 'schedule'; readonly durationMs: number } & Omit<WindowScheduledData, 'window' | 'end' | 'conflicts'>;

export type WindowCommand =
  | ScheduleCommand
  | (Targeted & { readonly type: 'reschedule'; readonly start: string })
  | (Targeted & { readonly type: 'start' })
  | (Targeted & { readonly type: 'complete' })
  | (Targeted & { readonly type: 'extend'; readonly durationMs: number; readonly reason: string })
  | (Targeted & { readonly type: 'cancel'; readonly reason: string });

/**
 * What the bot's own timers ask when they fire; each names the start or end it was set for, so a moved window's
 * old timers are stale. `running`: the releases started in this window that are still running, as the app found them.
 */
export type WindowTimer =
  | (Targeted & { readonly type: 'remind'; readonly start: string; readonly beforeMs: number })
  | (Targeted & { readonly type: 'start'; readonly start: string })
  | (Targeted & { readonly type: 'ending_soon'; readonly end: string })
  | (Targeted & { readonly type: 'end'; readonly end: string; readonly running: readonly string[] })
  /** A release in this window ended: a window running over completes once none is left. */
  | (Targeted & { readonly type: 'check'; readonly running: readonly string[] });

export interface WindowContext {
  readonly now: Date;
  readonly actor: Principal;
}

type Result = WindowEvent[] | DomainError;

/** A start a minute in the past is "now" (a form's picker, a slow typist); earlier is a mistake. */
const PAST_GRACE_MS = 60_000;

const event = <Type extends WindowEventType>(type: Type, at: Date, actor: Principal | null, data: WindowEventData[Type]): WindowEvent =>
  ({ type, at: at.toISOString(), actor, data }) as WindowEvent;

const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

const inPast = (start: string, now: Date): DomainError | undefined =>
  Date.parse(start) < now.getTime() - PAST_GRACE_MS ? fail('start_in_past', `${clockTimeUtc(start)} on ${start.slice(0, 10)} has passed: pick a start in the future.`) : undefined;

const schedule = (book: WindowBook, command: ScheduleCommand, ctx: WindowContext): Result => {
  const title = command.title.trim();
  if (title === '') return fail('title_missing', 'Give the window a title people will recognise: /maintenance schedule "DB upgrade" at 22:00 for 2h');
  if (!Number.isFinite(Date.parse(command.start))) return fail('not_a_time', `"${command.start}" is not a time.`);
  const past = inPast(command.start, ctx.now);
  if (past) return past;
  if (command.durationMs <= 0) return fail('duration_zero', 'A window needs a duration longer than zero, e.g. for 2h.');
  const window = `mw-${book.windows.length + 1}`;
  const end = plus(command.start, command.durationMs);
  const services = [...new Set(command.services.map((service) => service.trim()).filter((service) => service !== ''))];
  const remindMs = [...new Set(command.remindMs.filter((ms) => ms > 0))].sort((a, b) => b - a);
  const conflicts = conflictsWith(book, services, command.start, end).map((other) => other.id);
  return [
    event('window.scheduled', ctx.now, ctx.actor, {
      window,
      title,
      start: command.start,
      end,
      channel: command.channel,
      platform: command.platform,
      ...(command.impact?.trim() ? { impact: command.impact.trim() } : {}),
      services,
      remindMs,
      endingSoonMs: command.endingSoonMs,
      conflicts,
    }),
    event('window.announced', ctx.now, ctx.actor, { window }),
  ];
};

const ENDED: Record<string, string> = { completed: 'is complete', cancelled: 'was cancelled' };

const forWindow = (book: WindowBook, window: Window, command: Exclude<WindowCommand, ScheduleCommand>, ctx: WindowContext): Result => {
  const ref = { window: window.id };
  const on = <Type extends WindowEventType>(type: Type, data: WindowEventData[Type]): WindowEvent => event(type, ctx.now, ctx.actor, data);
  if (window.status === 'completed' || window.status === 'cancelled') {
    return fail('window_ended', `${window.id} (${window.title}) ${ENDED[window.status] ?? 'is over'}.`);
  }
  switch (command.type) {
    case 'reschedule': {
      if (window.status !== 'scheduled') return fail('window_started', `${window.id} has started: it can be extended (/maintenance extend ${window.id} <duration> <reason>), not moved.`);
      if (!Number.isFinite(Date.parse(command.start))) return fail('not_a_time', `"${command.start}" is not a time.`);
      const past = inPast(command.start, ctx.now);
      if (past) return past;
      if (command.start === window.start) return fail('same_start', `${window.id} already starts at ${clockTimeUtc(window.start)}.`);
      const end = plus(command.start, Date.parse(window.end) - Date.parse(window.start));
      const conflicts = conflictsWith(book, window.services, command.start, end, window.id).map((other) => other.id);
      return [on('window.rescheduled', { ...ref, start: command.start, end, previousStart: window.start, conflicts })];
    }
    case 'start':
      if (window.status !== 'scheduled') return fail('window_started', `${window.id} is already under way (since ${clockTimeUtc(window.startedAt ?? window.start)}).`);
      return [on('window.started', { ...ref, auto: false })];
    case 'complete':
      if (window.status === 'scheduled') return fail('window_not_started', `${window.id} has not started. If it is not happening: /maintenance cancel ${window.id} <reason>`);
      return [on('window.completed', { ...ref, auto: false })];
    case 'extend': {
      const reason = command.reason.trim();
      if (reason === '') return fail('reason_missing', `Say why it needs longer; people waiting on it will read it: /maintenance extend ${window.id} ${formatDuration(command.durationMs)} <reason>`);
      if (command.durationMs <= 0) return fail('duration_zero', 'Extend by a duration longer than zero, e.g. 30m.');
      // "30 more minutes" counts from the end while it is ahead, from now once it has passed.
      const from = Date.parse(window.end) > ctx.now.getTime() ? window.end : ctx.now.toISOString();
      return [on('window.extended', { ...ref, until: plus(from, command.durationMs), reason, previousEnd: window.end })];
    }
    case 'cancel': {
      const reason = command.reason.trim();
      if (reason === '') return fail('reason_missing', `Say why, for the people who planned around it: /maintenance cancel ${window.id} <reason>`);
      if (window.status !== 'scheduled') return fail('window_started', `${window.id} is under way: when the work is done, /maintenance complete ${window.id}`);
      return [on('window.cancelled', { ...ref, reason })];
    }
  }
};

/**
 * Decides what a person's command means for the windows.
 * @example decide(book, { type: 'extend', window: 'mw-1', durationMs: 1_800_000, reason: 'Index rebuild is slower' }, { now, actor })
 */
export const decide = (book: WindowBook, command: WindowCommand, ctx: WindowContext): Result => {
  if (command.type === 'schedule') return schedule(book, command, ctx);
  const window = book.windows.find((candidate) => candidate.id === command.window);
  if (!window) return fail('unknown_window', `There is no maintenance window ${command.window}. /maintenance list shows them.`);
  return forWindow(book, window, command, ctx);
};

/** The end has come: running over while releases in the window still run, complete otherwise. */
const atEnd = (window: Window, running: readonly string[], now: Date): WindowEvent[] => {
  const ref = { window: window.id };
  return running.length > 0
    ? [event('window.overran', now, null, { ...ref, end: window.end, releases: [...running] })]
    : [event('window.completed', now, null, { ...ref, auto: true })];
};

/**
 * A timer firing: the events it means while it is current, none when it is stale (the window moved, was extended,
 * started by hand, ended, or this was already recorded).
 */
export const decideTimer = (book: WindowBook, timer: WindowTimer, now: Date): WindowEvent[] => {
  const window = book.windows.find((candidate) => candidate.id === timer.window);
  if (!window) return [];
  const ref = { window: window.id };
  const started = event('window.started', now, null, { ...ref, auto: true });
  switch (timer.type) {
    case 'remind':
      return window.status === 'scheduled' && window.start === timer.start && !window.reminded.includes(timer.beforeMs)
        ? [event('window.reminded', now, null, { ...ref, start: timer.start, beforeMs: timer.beforeMs })]
        : [];
    case 'start':
      return window.status === 'scheduled' && window.start === timer.start ? [started] : [];
    case 'ending_soon':
      return window.status === 'running' && window.end === timer.end && window.endingSoonFor !== timer.end ? [event('window.ending_soon', now, null, { ...ref, end: timer.end })] : [];
    case 'end':
      if (window.end !== timer.end) return [];
      // Timers due while the bot was down fire together, in any order: the end implies the start.
      if (window.status === 'scheduled') return [started, ...atEnd(window, timer.running, now)];
      return window.status === 'running' ? atEnd(window, timer.running, now) : [];
    case 'check':
      return window.status === 'overrunning' && timer.running.length === 0 ? [event('window.completed', now, null, { ...ref, auto: true })] : [];
  }
};
