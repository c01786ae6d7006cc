/** All maintenance windows: the fold of the `windows` stream. Ids are `mw-<n>`, numbered in scheduling order. */
import type { Principal } from '../principal.js';
import type { WindowEvent, WindowScheduledData } from './events.js';

export type WindowStatus = 'scheduled' | 'running' | 'overrunning' | 'completed' | 'cancelled';

export interface WindowExtension {
  readonly at: string;
  readonly by: Principal | null;
  readonly until: string;
  readonly reason: string;
}

export interface Window {
  readonly id: string;
  readonly title: string;
  /** The current plan: moved by a reschedule (start) or an extension (end). */
  readonly start: string;
  readonly end: string;
  /** The end as first announced, to say by how much it ran over. */
  readonly plannedEnd: string;
  readonly channel: string;
  readonly platform: string;
  readonly impact?: string;
  readonly services: readonly string[];
  readonly remindMs: readonly number[];
  readonly endingSoonMs: number;
  readonly conflicts: readonly string[];
  /** Who scheduled it: the contact people see. */
  readonly contact: Principal | null;
  readonly scheduledAt: string;
  readonly status: WindowStatus;
  /** Reminders sent for the current start (by how long before it). */
  readonly reminded: readonly number[];
  /** The end whose "ending soon" notice went out. */
  readonly endingSoonFor?: string;
  readonly startedAt?: string;
  readonly startedBy?: Principal | null;
  /** While running over: since when, and the releases that kept it open. */
  readonly overrun?: { readonly at: string; readonly releases: readonly string[] };
  /** Every overrun, for the record: at which end and because of what. */
  readonly overruns: readonly { readonly at: string; readonly end: string; readonly releases: readonly string[] }[];
  readonly extensions: readonly WindowExtension[];
  readonly reschedules: number;
  readonly endedAt?: string;
  readonly endedBy?: Principal | null;
  readonly cancelReason?: string;
}

export interface WindowBook {
  /** Oldest first. */
  readonly windows: readonly Window[];
}

export const emptyWindows: WindowBook = { windows: [] };

/** Not yet over: scheduled, running or running over. */
export const isOpenWindow = (window: Pick<Window, 'status'>): boolean => window.status === 'scheduled' || window.status === 'running' || window.status === 'overrunning';

export const isUnderway = (window: Window): boolean => window.status === 'running' || window.status === 'overrunning';

const withoutOverrun = (window: Window): Window => {
  const { overrun: _overrun, ...rest } = window;
  return rest;
};

const ended = (window: Window, status: 'completed' | 'cancelled', at: string, by: Principal | null): Window => ({ ...withoutOverrun(window), status, endedAt: at, endedBy: by });

const evolveWindow = (window: Window, event: WindowEvent): Window => {
  switch (event.type) {
    case 'window.scheduled':
    case 'window.announced':
      return window;
    case 'window.rescheduled':
      return { ...window, start: event.data.start, end: event.data.end, plannedEnd: event.data.end, conflicts: event.data.conflicts, reminded: [], reschedules: window.reschedules + 1 };
    case 'window.reminded':
      return { ...window, reminded: [...window.reminded, event.data.beforeMs] };
    case 'window.started':
      return { ...window, status: 'running', startedAt: event.at, startedBy: event.actor };
    case 'window.ending_soon':
      return { ...window, endingSoonFor: event.data.end };
    case 'window.overran':
      return {
        ...window,
        status: 'overrunning',
        overrun: { at: event.at, releases: event.data.releases },
        overruns: [...window.overruns, { at: event.at, end: event.data.end, releases: event.data.releases }],
      };
    case 'window.extended':
      return {
        ...withoutOverrun(window),
        status: window.status === 'overrunning' ? 'running' : window.status,
        end: event.data.until,
        extensions: [...window.extensions, { at: event.at, by: event.actor, until: event.data.until, reason: event.data.reason }],
      };
    case 'window.completed':
      return ended(window, 'completed', event.at, event.actor);
    case 'window.cancelled':
      return { ...ended(window, 'cancelled', event.at, event.actor), cancelReason: event.data.reason };
  }
};

const scheduled = (data: WindowScheduledData, at: string, by: Principal | null): Window => ({
  id: data.window,
  title: data.title,
  start: data.start,
  end: data.end,
  plannedEnd: data.end,
  channel: data.channel,
  platform: data.platform,
  ...(data.impact === undefined ? {} : { impact: data.impact }),
  services: data.services,
  remindMs: data.remindMs,
  endingSoonMs: data.endingSoonMs,
  conflicts: data.conflicts,
  contact: by,
  scheduledAt: at,
  status: 'scheduled',
  reminded: [],
  overruns: [],
  extensions: [],
  reschedules: 0,
});

export const evolve = (book: WindowBook, event: WindowEvent): WindowBook => {
  if (event.type === 'window.scheduled') return { windows: [...book.windows, scheduled(event.data, event.at, event.actor)] };
  const id = event.data.window;
  return { windows: book.windows.map((window) => (window.id === id ? evolveWindow(window, event) : window)) };
};

/** What `events.reduce(evolve, emptyWindows)` gives, in one pass (evolve copies the list of windows for every event). */
export const fold = (events: readonly WindowEvent[]): WindowBook => {
  const windows: Window[] = [];
  const index = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'window.scheduled') {
      index.set(event.data.window, windows.length);
      windows.push(scheduled(event.data, event.at, event.actor));
      continue;
    }
    const at = index.get(event.data.window);
    const window = at === undefined ? undefined : windows[at];
    if (at !== undefined && window !== undefined) windows[at] = evolveWindow(window, event);
  }
  return { windows };
};

/** Open windows other than `except` that share a service with `services` and overlap [start, end). */
export const conflictsWith = (book: WindowBook, services: readonly string[], start: string, end: string, except?: string): Window[] =>
  book.windows.filter(
    (other) =>
      other.id !== except &&
      isOpenWindow(other) &&
      other.services.some((service) => services.includes(service)) &&
      Date.parse(other.start) < Date.parse(end) &&
      Date.parse(start) < Date.parse(other.end),
  );
