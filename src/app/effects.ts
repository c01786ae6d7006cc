/**
 * What a decision makes happen outside the event log: messages to deliver and timers to set.
 * Effects are committed with the events that cause them (an outbox), so a crash between the two
 * can lose neither; the store's relay then hands them to the chat and the scheduler.
 */
import type { Message } from './message.js';
import type { Conversation } from './ports.js';
import type { RunJob } from './runs.js';

/** Post `message` to a channel, or edit the one posted earlier under the same `message.key`. */
export interface Delivery {
  readonly kind: 'deliver';
  /** Which chat the conversation is on: `console`, `slack`, `teams`. */
  readonly platform: string;
  readonly conversation: Conversation;
  readonly message: Message;
  /**
   * The key of the message whose thread this goes into (`release/<id>/card`), where the platform has threads;
   * posted in the channel itself while that message has not been posted yet.
   */
  readonly thread?: string;
}

/** Set (or move) the timer `timer` to fire at `at`; scheduling an id again replaces the earlier one. */
export interface TimerSchedule {
  readonly kind: 'schedule';
  readonly timer: string;
  /** ISO 8601 instant. */
  readonly at: string;
  /** What the app gets back when it fires. */
  readonly payload: Readonly<Record<string, string>>;
}

export interface TimerCancel {
  readonly kind: 'cancel';
  readonly timer: string;
}

/** Hand an approved attempt of an automated step to runner `runner`'s queue (once, however often relayed). */
export interface RunRequest {
  readonly kind: 'run';
  readonly runner: string;
  readonly job: RunJob;
}

export type Effect = Delivery | TimerSchedule | TimerCancel | RunRequest;
