/**
 * Maintenance window events; the type names are DESIGN.md's public vocabulary, plus `window.rescheduled` (an
 * extension: a new start, announced like every change).
 */
import type { NewEvent } from '../event.js';

export interface WindowScheduledData {
  readonly window: string;
  readonly title: string;
  /** ISO 8601 instants: the planned start and end. */
  readonly start: string;
  readonly end: string;
  /** The announcement channel, and the chat it is on. */
  readonly channel: string;
  readonly platform: string;
  readonly impact?: string;
  readonly services: readonly string[];
  /** Reminders, as how long before the start; longest first. */
  readonly remindMs: readonly number[];
  /** The "15 minutes before the end" notice. */
  readonly endingSoonMs: number;
  /** Open windows that share a service and overlap this one, flagged when it was scheduled. */
  readonly conflicts: readonly string[];
}

interface Ref {
  readonly window: string;
}

export interface WindowEventData {
  'window.scheduled': WindowScheduledData;
  /** The heads-up went out to the announcement channel. */
  'window.announced': Ref;
  'window.rescheduled': Ref & { readonly start: string; readonly end: string; readonly previousStart: string; readonly conflicts: readonly string[] };
  /** A reminder for the start named, `beforeMs` ahead of it. */
  'window.reminded': Ref & { readonly start: string; readonly beforeMs: number };
  /** `auto`: by the bot at the planned start; otherwise someone started it (early). */
  'window.started': Ref & { readonly auto: boolean };
  'window.ending_soon': Ref & { readonly end: string };
  /** The end came while releases run in the window: it is running over. */
  'window.overran': Ref & { readonly end: string; readonly releases: readonly string[] };
  'window.extended': Ref & { readonly until: string; readonly reason: string; readonly previousEnd: string };
  'window.completed': Ref & { readonly auto: boolean };
  'window.cancelled': Ref & { readonly reason: string };
}

export type WindowEventType = keyof WindowEventData;

export type WindowEvent = {
  [Type in WindowEventType]: NewEvent<Type, WindowEventData[Type]>;
}[WindowEventType];
