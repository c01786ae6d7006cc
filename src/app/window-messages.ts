/** Maintenance windows as people see them: the announcement (edited as the window moves) and a notice per change. */
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { Release } from '../domain/release/state.js';
import type { WindowEvent } from '../domain/window/events.js';
import type { Window } from '../domain/window/state.js';
import { ACTIONS, encodeTarget } from './actions.js';
import type { Button, Field, Message } from './message.js';
import { personMark } from './message.js';
import type { CardContext } from './release-card.js';
import { showDateTime, showTime } from './time-format.js';

export const WINDOW_ACTIONS = {
  /** Extend a window: opens a form for how long and why (an extension is announced with its reason). */
  extend: 'window_extend',
} as const;

export const announcementKey = (window: string): string => `window/${window}/announcement`;

export interface WindowContext extends CardContext {
  /** The releases started in a window, as they are now, by id. */
  readonly release: (id: string) => Release | undefined;
}

const TITLES: Record<Window['status'], string> = {
  scheduled: 'Planned maintenance',
  running: 'Maintenance in progress',
  overrunning: 'Maintenance running over',
  completed: 'Maintenance complete',
  cancelled: 'Maintenance cancelled',
};

const named = (window: Window): string => `"${window.title}" (${window.id})`;

const releasesText = (ids: readonly string[], ctx: WindowContext): string =>
  ids.map((id) => ctx.release(id)?.title ?? id).join(', ') || 'a release';

/** `Wed 25 Nov 22:00 CET to 23:30 (1h30m)`: every instant a platform token, so each reader sees their own zone. */
const span = (window: Window, ctx: WindowContext): string =>
  `${showDateTime(window.start, ctx.zone)} to ${showTime(window.end, ctx.zone, window.start)} (${formatDuration(Date.parse(window.end) - Date.parse(window.start))})`;

const stateLine = (window: Window, ctx: WindowContext): string | undefined => {
  const by = (who: string | null | undefined): string => (who ? ` by ${ctx.name(who)}` : '');
  switch (window.status) {
    case 'scheduled':
      return undefined;
    case 'running':
      return `Under way since ${showTime(window.startedAt ?? window.start, ctx.zone, window.start)}; due to end at ${showTime(window.end, ctx.zone, window.start)}.`;
    case 'overrunning':
      return `Running over since ${showTime(window.overrun?.at ?? window.end, ctx.zone, window.start)}: ${releasesText(window.overrun?.releases ?? [], ctx)} still in progress.`;
    case 'completed': {
      const late = Date.parse(window.endedAt ?? '') - Date.parse(window.plannedEnd);
      return `Completed at ${showTime(window.endedAt ?? '', ctx.zone, window.start)}${by(window.endedBy)}${late >= 60_000 ? `, ${formatDuration(Math.round(late / 60_000) * 60_000)} after the end first announced` : ''}.`;
    }
    case 'cancelled':
      return `Cancelled${by(window.endedBy)}: ${window.cancelReason ?? ''}`;
  }
};

/** The announcement: always the current state, so the first message people find is never out of date. */
export const announcement = (window: Window, ctx: WindowContext): Message => {
  const state = stateLine(window, ctx);
  const text = [
    span(window, ctx),
    ...(state ? [state] : []),
    ...window.extensions.map((extension) => `Extended to ${showTime(extension.until, ctx.zone, window.start)}${extension.by ? ` by ${ctx.name(extension.by)}` : ''}: ${extension.reason}`),
    ...(window.conflicts.length > 0 && window.status === 'scheduled' ? [`Overlaps ${window.conflicts.join(', ')} on a shared service: check they do not get in each other's way.`] : []),
  ];
  const fields: Field[] = [
    ...(window.impact ? [{ label: 'Impact', value: window.impact }] : []),
    ...(window.services.length > 0 ? [{ label: 'Services', value: window.services.join(', ') }] : []),
    ...(window.contact ? [{ label: 'Contact', value: ctx.name(window.contact) }] : []),
    { label: 'Window', value: window.id },
  ];
  return { key: announcementKey(window.id), title: `${TITLES[window.status]}: ${window.title}`, text, fields };
};

/** A line for the announcement channel per change people should hear of (undefined: the announcement says it). */
export const windowNotice = (window: Window, event: StoredEvent & WindowEvent, ctx: WindowContext): string | undefined => {
  const actor = event.actor ? ctx.name(event.actor) : undefined;
  const impact = window.impact ? ` Impact: ${window.impact}` : '';
  switch (event.type) {
    case 'window.scheduled':
    case 'window.announced':
      return undefined;
    case 'window.rescheduled':
      return `Maintenance ${named(window)} moved${actor ? ` by ${actor}` : ''}: now ${span(window, ctx)}, was ${showDateTime(event.data.previousStart, ctx.zone)}.`;
    case 'window.reminded':
      return `Reminder: maintenance ${named(window)} starts at ${showDateTime(event.data.start, ctx.zone)}, in ${formatDuration(event.data.beforeMs)}.${impact}`;
    case 'window.started':
      return `Maintenance ${named(window)} has started${actor ? ` (${actor} started it)` : ''}; due to end at ${showTime(window.end, ctx.zone, event.at)}.${impact}`;
    case 'window.ending_soon':
      return `Maintenance ${named(window)} is due to end at ${showTime(event.data.end, ctx.zone, event.at)}, in ${formatDuration(window.endingSoonMs)}.`;
    case 'window.overran':
      return `Maintenance ${named(window)} is running over: it was due to end at ${showTime(event.data.end, ctx.zone, event.at)} and ${releasesText(event.data.releases, ctx)} is still in progress. We will say here when it is extended or done.`;
    case 'window.extended':
      return `Maintenance ${named(window)} is extended to ${showTime(event.data.until, ctx.zone, event.at)}${actor ? ` by ${actor}` : ''}: ${event.data.reason}`;
    case 'window.completed':
      return `Maintenance ${named(window)} is complete${actor ? ` (${actor} completed it)` : ''}.`;
    case 'window.cancelled':
      return `Maintenance ${named(window)}, planned for ${showDateTime(window.start, ctx.zone)}, is cancelled${actor ? ` by ${actor}` : ''}: ${event.data.reason}`;
  }
};

/** Running over: the driver of each release still running is asked to extend the window (with a reason) or to roll back. */
export const overrunPrompt = (window: Window, release: Release, event: StoredEvent, ctx: WindowContext): Message => {
  const driver = personMark(release.driver, ctx.name(release.driver));
  const buttons: Button[] = [
    { actionId: WINDOW_ACTIONS.extend, label: 'Extend', value: JSON.stringify({ window: window.id }), style: 'primary' },
    { actionId: ACTIONS.rollback, label: 'Roll back', value: encodeTarget({ release: release.id }), style: 'danger' },
  ];
  return {
    key: `window/${window.id}/overrun/${event.id}/${release.id}`,
    text: [
      `${driver}: the maintenance window ${named(window)} ended at ${showTime(window.end, ctx.zone, event.at)} and ${release.id} is still running. ` +
        `Extend the window (the reason is announced) or roll back: /maintenance extend ${window.id} 30m <reason> or /release rollback ${release.id} <reason>`,
    ],
    buttons,
  };
};

/** `/maintenance list`: one line per window. */
export const windowLine = (window: Window, ctx: WindowContext): string => {
  const state = window.status === 'scheduled' ? 'scheduled' : window.status === 'overrunning' ? 'running over' : window.status === 'running' ? 'in progress' : window.status;
  return `${window.id}: ${window.title}, ${span(window, ctx)}, ${state}${window.services.length > 0 ? ` [${window.services.join(', ')}]` : ''}`;
};
