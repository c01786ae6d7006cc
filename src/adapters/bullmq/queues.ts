/** The BullMQ queues behind Plan B's effects: one for timers, one per chat platform for deliveries. */
import { Queue } from 'bullmq';
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Conversation, InboundRequest } from '../../app/ports.js';
import type { Message } from '../../app/message.js';
import type { RunJob, RunReport } from '../../app/runs.js';

export const TIMER_QUEUE = 'timers';
export const deliveryQueueName = (platform: string): string => `deliveries-${platform}`;
/** Commands and presses a platform's adapter accepted, for any replica serving that platform to carry out. */
export const requestQueueName = (platform: string): string => `requests-${platform}`;
/** Runner `name` takes its work from here, and only runner `name`. */
export const runnerQueueName = (name: string): string => `runner-${name}`;
/** Every runner reports here; any bot replica turns a report into events. */
export const REPORT_QUEUE = 'runner-reports';

/** A run is never retried by the queue: a production change runs again only when people start it again. */
export const RUN_JOB_OPTIONS: JobsOptions = { attempts: 1, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 7 * 86_400 } };

/** Reports are retried until the bot has recorded them (a Redis hiccup, a replica restarting). */
export const REPORT_JOB_OPTIONS: JobsOptions = { attempts: 20, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 7 * 86_400 } };

export type { RunJob, RunReport };

export interface TimerJob {
  readonly timer: string;
  /** The generation this job fires for; only the current one is carried out. */
  readonly generation: string;
  readonly payload: Readonly<Record<string, string>>;
}

export interface DeliveryJob {
  readonly platform: string;
  readonly conversation: Conversation;
  readonly message: Message;
  /** This delivery's place in its conversation: 1, 2, 3… Messages go out in that order, each once. */
  readonly sequence: number;
  /** The key of the message whose thread it goes into, if that one has been posted. */
  readonly thread?: string;
}

/** Kept a while after they finish, so a replayed add with the same id is recognised and ignored. */
const KEEP: JobsOptions = { removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 7 * 86_400 } };

/** BullMQ job ids may not contain `:`. */
export const jobId = (...parts: readonly (string | number)[]): string => parts.join('-').replace(/:/g, '_');

export const timerJobId = (timer: string, generation: string): string => jobId(timer, generation);

/**
 * A request is kept an hour after it is done, so a platform's retry of it (same id) is recognised and ignored; one
 * that fails is tried a few times (a crash mid-way is not a failure: the stalled job comes back by itself).
 */
const REQUEST_JOB_OPTIONS: JobsOptions = { removeOnComplete: { age: 3_600, count: 100_000 }, removeOnFail: { age: 7 * 86_400 }, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } };

/** How often a failing delivery is tried (exponential from 1 s: about an hour in all) before it is dropped and logged. */
export const DELIVERY_ATTEMPTS = 12;

const DELIVERY_JOB_OPTIONS: JobsOptions = { ...KEEP, attempts: DELIVERY_ATTEMPTS, backoff: { type: 'exponential', delay: 1_000 } };

export class PlanbQueues {
  readonly timers: Queue<TimerJob>;
  /** Runners' reports, for counting what waits (the report worker has its own connection to it). */
  readonly reports: Queue<RunReport>;
  private readonly deliveries = new Map<string, Queue<DeliveryJob>>();
  private readonly requestQueues = new Map<string, Queue<InboundRequest>>();
  private readonly runners = new Map<string, Queue<RunJob>>();

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.timers = new Queue<TimerJob>(TIMER_QUEUE, { connection, prefix, defaultJobOptions: { ...KEEP, attempts: 20, backoff: { type: 'exponential', delay: 500 } } });
    this.reports = new Queue<RunReport>(REPORT_QUEUE, { connection, prefix, defaultJobOptions: REPORT_JOB_OPTIONS });
  }

  delivery(platform: string): Queue<DeliveryJob> {
    return this.named(this.deliveries, deliveryQueueName(platform), DELIVERY_JOB_OPTIONS);
  }

  requests(platform: string): Queue<InboundRequest> {
    return this.named(this.requestQueues, requestQueueName(platform), REQUEST_JOB_OPTIONS);
  }

  runner(name: string): Queue<RunJob> {
    return this.named(this.runners, runnerQueueName(name), RUN_JOB_OPTIONS);
  }

  /** The queue called `name`, made on first use and kept in `made` (by that name) to be closed with the others. */
  private named<Data>(made: Map<string, Queue<Data>>, name: string, defaultJobOptions: JobsOptions): Queue<Data> {
    let queue = made.get(name);
    if (!queue) {
      queue = new Queue<Data>(name, { connection: this.connection, prefix: this.prefix, defaultJobOptions });
      made.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([this.timers.close(), this.reports.close(), ...[...this.deliveries.values(), ...this.requestQueues.values(), ...this.runners.values()].map((queue) => queue.close())]);
  }
}
