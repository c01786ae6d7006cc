/** What the use cases need from the world. Adapters implement these; the app knows nothing else. */
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { Effect } from './effects.js';
import type { Form } from './form.js';
import type { Message } from './message.js';

/** A command or button press as a platform sent it: acknowledged, and waiting to be carried out by any replica. */
export interface InboundRequest {
  /** The platform's own id for it (Slack: from the trigger id): the same request accepted twice is carried out once. */
  readonly id: string;
  readonly platform: string;
  /** What the platform's adapter needs to carry it out. */
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Carries out an accepted request (a platform adapter's): may run again for the same request after a crash. */
export type RequestHandler = (request: InboundRequest) => Promise<void>;

/** Another writer appended to the stream first: reload and decide again. */
export class ConcurrencyError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`stream ${stream} is at version ${actual}, not ${expected}`);
    this.name = 'ConcurrencyError';
  }
}

export interface StreamRead {
  /** How many events the stream holds: the version to expect on the next append. */
  readonly version: number;
  readonly events: readonly StoredEvent[];
}

export interface GlobalEvent {
  /** Position in the global log, 1-based and increasing. */
  readonly position: number;
  readonly stream: string;
  readonly event: StoredEvent;
}

export interface EventStore {
  /** The stream's events after its first `after` (all of them by default); `version` counts them all. */
  read(stream: string, after?: number): Promise<StreamRead>;
  /**
   * Appends the events and the effects they cause, all or nothing; rejects with ConcurrencyError when
   * the stream is not at `expectedVersion`. Once it resolves, the effects are sure to happen once.
   */
  append(stream: string, expectedVersion: number, events: readonly StoredEvent[], effects?: readonly Effect[]): Promise<void>;
  /** Every event after `position`, in global order. */
  readAll(afterPosition?: number): Promise<readonly GlobalEvent[]>;
  /**
   * Effects that no event records (a runner's live output, the watch over a run rescheduling itself): carried out
   * like an append's, in order with them, but nothing in the event log says they happened.
   */
  publish(effects: readonly Effect[]): Promise<void>;
}

export interface TimerRequest {
  /** Deterministic: scheduling the same id again replaces the earlier timer. */
  readonly id: string;
  readonly at: Date;
  readonly payload: Readonly<Record<string, string>>;
}

export interface Scheduler {
  schedule(timer: TimerRequest): Promise<void>;
  cancel(id: string): Promise<void>;
}

export interface Conversation {
  /** Platform-specific channel id (`C0RELEASES`, a Teams conversation id, `console`). */
  readonly channel: string;
  /** Thread root, where the platform has threads. */
  readonly thread?: string;
  /** Where the platform wants the replies to one request to go (Slack's response_url); requests only. */
  readonly replyUrl?: string;
  /** What lets the platform open a form in answer to this request (Slack's trigger_id); requests only. */
  readonly trigger?: string;
}

/** The platform's handle on a posted message (Slack `ts`, Teams activity id), kept to edit it later. */
export type MessageRef = string;

/** Answers to the person who asked: all the app itself sends; channel messages go out as effects. */
export interface Replies {
  /** A reply only `user` sees (Slack ephemeral, Teams invoke response, console line). */
  whisper(conversation: Conversation, user: Principal, message: Message): Promise<void>;
  /** Opens a form for `user`; false where the platform (or this request) cannot, and the app answers in text. */
  openForm?(conversation: Conversation, user: Principal, form: Form): Promise<boolean>;
}

export interface Chat extends Replies {
  /** Posts a new message to the conversation. */
  post(conversation: Conversation, message: Message): Promise<MessageRef>;
  /** Edits a message posted earlier; it keeps its place in the channel. */
  update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void>;
  /**
   * Looks in the conversation (or its thread) for a message posted under `key` since `since`: for a post whose
   * answer never came back (a crash, a timeout), so it is not posted twice: its reference, undefined when it is not
   * there, null when the platform will not tell (no permission to read the conversation). Where a chat has no
   * `find`, or it answers null, such a post is sent again (at least once).
   */
  find?(conversation: Conversation, key: string, since: Date): Promise<MessageRef | undefined | null>;
}

/**
 * The shared vocabulary of delivery failures: each platform adapter translates its SDK's errors into these
 * at the edge, and the delivery queue decides on retries from them alone.
 */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`rate limited: retry after ${retryAfterMs} ms`, options);
    this.name = 'RateLimitedError';
  }
}

/** Will fail the same way however often it is tried (a deleted channel, a bot not invited): drop, do not retry. */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

export interface Directory {
  /** A name people recognise: `alice`, `Alice Smith`. */
  displayName(principal: Principal): string;
  /** The person's own IANA time zone, where the platform tells it: times they type are read in it. */
  zoneOf?(principal: Principal): string | undefined;
}

export interface Logger {
  error(context: Readonly<Record<string, unknown>>, message: string): void;
  warn(context: Readonly<Record<string, unknown>>, message: string): void;
  info(context: Readonly<Record<string, unknown>>, message: string): void;
}
