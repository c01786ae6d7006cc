/** The read side of maintenance windows: summaries newest first, one window with its timeline, and every window for the calendar feed. */
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { WindowEvent } from '../domain/window/events.js';
import type { Window, WindowStatus } from '../domain/window/state.js';
import { fold } from '../domain/window/state.js';
import type { EventStore } from './ports.js';
import type { PublicEvent } from './release-queries.js';
import { publicEvent } from './release-queries.js';
import { WINDOWS_STREAM } from './windows.js';

export interface WindowSummary {
  readonly id: string;
  readonly title: string;
  readonly status: WindowStatus;
  /** The current plan, as moved by reschedules and extensions. */
  readonly start: string;
  readonly end: string;
  readonly plannedEnd: string;
  readonly services: readonly string[];
  readonly impact?: string;
  readonly contact: Principal | null;
  readonly scheduledAt: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly cancelReason?: string;
}

export type WindowDetail = Window & { readonly events: readonly PublicEvent[] };

export interface WindowQueries {
  /** Every window, newest first. */
  list(): Promise<WindowSummary[]>;
  /** One window with its events in order; undefined when there is no such window. */
  get(id: string): Promise<WindowDetail | undefined>;
  /** Every window in full, oldest first: what the calendar feed is made of. */
  all(): Promise<readonly Window[]>;
}

const summary = (window: Window): WindowSummary => ({
  id: window.id,
  title: window.title,
  status: window.status,
  start: window.start,
  end: window.end,
  plannedEnd: window.plannedEnd,
  services: window.services,
  ...(window.impact === undefined ? {} : { impact: window.impact }),
  contact: window.contact,
  scheduledAt: window.scheduledAt,
  ...(window.startedAt === undefined ? {} : { startedAt: window.startedAt }),
  ...(window.endedAt === undefined ? {} : { endedAt: window.endedAt }),
  ...(window.cancelReason === undefined ? {} : { cancelReason: window.cancelReason }),
});

/** `mw-10` after `mw-9`: window numbers compare as numbers. */
const windowNumber = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1));

/** Every window event names its window in `data.window`. */
const isAbout = (event: StoredEvent, id: string): boolean =>
  typeof event.data === 'object' && event.data !== null && 'window' in event.data && event.data.window === id;

export const createWindowQueries = (store: EventStore): WindowQueries => {
  // One read serves both the fold and the event list, so a detail never shows events its state lacks.
  const read = async (): Promise<{ windows: readonly Window[]; events: readonly StoredEvent[] }> => {
    const { events } = await store.read(WINDOWS_STREAM);
    return { windows: fold(events as readonly WindowEvent[]).windows, events };
  };
  return {
    async list() {
      return (await read()).windows.map(summary).sort((a, b) => windowNumber(b.id) - windowNumber(a.id));
    },
    async get(id) {
      const { windows, events } = await read();
      const window = windows.find((candidate) => candidate.id === id);
      if (window === undefined) return undefined;
      return { ...window, events: events.filter((event) => isAbout(event, id)).map(publicEvent) };
    },
    async all() {
      return (await read()).windows;
    },
  };
};
