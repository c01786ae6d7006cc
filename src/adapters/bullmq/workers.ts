/**
 * The workers behind the queues: timers become commands to their aggregate, deliveries go to the chat in
 * each conversation's order, once.
 */
import { DelayedError, Worker } from 'bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Chat, InboundRequest, Logger, MessageRef, RequestHandler } from '../../app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../app/ports.js';
import type { RedisKeys } from '../redis/keys.js';
import type { Failpoint } from '../failpoint.js';
import { DELIVERED, runScript, TIMER_DONE } from '../redis/scripts.js';
import type { RunReport } from '../../app/runs.js';
import type { DeliveryOutcome, Metrics } from '../metrics.js';
import type { DeliveryJob, TimerJob } from './queues.js';
import { DELIVERY_ATTEMPTS, deliveryQueueName, REPORT_QUEUE, requestQueueName, TIMER_QUEUE } from './queues.js';

/**
 * A worker killed mid-job holds its lock until it expires; short locks bring a timer caught mid-fire back
 * within seconds instead of BullMQ's default half minute. A job stalled by crashes is run again, never
 * failed: a delivery that failed silently would hold up its conversation.
 */
export const WORKER_DEFAULTS = { lockDuration: 5_000, stalledInterval: 2_500, maxStalledCount: 1_000 } as const;

/**
 * Timers and accepted requests are safe to run twice (a timer's aggregate ignores what it already recorded, a
 * request records nothing twice: request-context.ts), so their locks are shorter still: one caught mid-way by a
 * crash comes back within about 1.5 s. The cost: a live job whose process blocks its event loop for over a second
 * may run twice, and locks are renewed every half second. Deliveries keep the longer lock: a post cannot be undone.
 */
export const QUICK_LOCKS = { lockDuration: 1_000, stalledInterval: 500 } as const;

/** How long an edited message stays editable: after that a change is posted as a new message. */
const REF_TTL_SECONDS = 90 * 86_400;

/** A sending mark outlives every retry of its delivery; the delivery's record removes it. */
const SENDING_TTL_SECONDS = 86_400;

/**
 * How long a delivery waits in the worker for the one before it in its conversation (usually being sent by
 * another worker that moment) before stepping aside, so a conversation held up by a rate limit or an outage
 * does not occupy every worker slot.
 */
const WAIT_FOR_TURN_MS = 500;

/**
 * Stepping aside again and again waits longer each time: 200 ms, 400 ms, up to 1 s. Not longer: the message before
 * usually waits out a rate limit of a second or so, and one waiting 5 s behind it made a burst take seconds more.
 */
const stepAside = (timesPicked: number): number => Math.min(100 * 2 ** Math.min(timesPicked, 6), 1_000);

export interface WorkerContext {
  /** For the workers' own reads and scripts; BullMQ duplicates it for its blocking connections. */
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly logger: Logger;
  readonly failpoint: Failpoint;
  readonly options?: Partial<Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'concurrency'>>;
  readonly metrics?: Metrics;
}

const workerOptions = (ctx: WorkerContext, concurrency: number, locks: Partial<Pick<WorkerOptions, 'lockDuration' | 'stalledInterval'>> = {}): WorkerOptions => ({
  connection: ctx.redis,
  prefix: ctx.keys.bull,
  ...WORKER_DEFAULTS,
  ...locks,
  concurrency,
  ...ctx.options,
});

/** Fires timers: a job whose generation is no longer current (moved or cancelled) is ignored. */
export const startTimerWorker = (ctx: WorkerContext, fire: (payload: Readonly<Record<string, string>>) => Promise<void>): Worker<TimerJob> => {
  const { redis, keys, failpoint } = ctx;
  const worker = new Worker<TimerJob>(
    TIMER_QUEUE,
    async (job) => {
      const { timer, generation, payload } = job.data;
      if ((await redis.hget(keys.timers, timer)) !== generation) return 'stale';
      // Due when it was added plus its delay; a retried job counts from its first firing only.
      if (job.attemptsMade === 0) ctx.metrics?.timerLagSeconds.observe(Math.max(0, Date.now() - job.timestamp - (job.opts.delay ?? 0)) / 1000);
      failpoint('timer.firing');
      // Throws to retry; run twice after a crash, the aggregate ignores what it already recorded.
      await fire(payload);
      failpoint('timer.fired');
      await runScript(redis, TIMER_DONE, [keys.timers], [timer, generation]);
      return 'fired';
    },
    workerOptions(ctx, 4, QUICK_LOCKS),
  );
  worker.on('failed', (job, error) => ctx.logger.error({ err: error, timer: job?.data.timer }, 'timer failed'));
  worker.on('error', (error) => ctx.logger.error({ err: error }, 'timer worker error'));
  return worker;
};

/**
 * Carries out the requests a platform's adapter accepted. A replica killed mid-request leaves the job locked until
 * its lock expires; another replica then runs it again, and what it already recorded is not recorded twice (see
 * request-context.ts).
 */
export const startRequestWorker = (ctx: WorkerContext, platform: string, handle: RequestHandler): Worker<InboundRequest> => {
  const worker = new Worker<InboundRequest>(
    requestQueueName(platform),
    async (job) => {
      ctx.failpoint('request.started');
      await handle(job.data);
    },
    workerOptions(ctx, 2, QUICK_LOCKS),
  );
  worker.on('failed', (job, error) => ctx.logger.error({ err: error, platform, request: job?.data.id }, 'request failed'));
  worker.on('error', (error) => ctx.logger.error({ err: error, platform }, 'request worker error'));
  return worker;
};

/** Runners' reports become events (through `report`, the app's entry point); a failure is retried by the queue. */
export const startReportWorker = (ctx: WorkerContext, report: (report: RunReport) => Promise<void>): Worker<RunReport> => {
  const worker = new Worker<RunReport>(REPORT_QUEUE, async (job) => report(job.data), workerOptions(ctx, 4));
  worker.on('failed', (job, error) => ctx.logger.error({ err: error, release: job?.data.release, step: job?.data.step }, 'runner report failed'));
  worker.on('error', (error) => ctx.logger.error({ err: error }, 'report worker error'));
  return worker;
};

const RATE_LIMITED = 'rate limited';
const NOT_ITS_TURN = 'waiting for the message before it';

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

/**
 * Posts or edits each message in its conversation's order, once; honours Retry-After; drops what can never succeed.
 * A message with a file is only ever posted: under a key already posted it is skipped.
 */
export const startDeliveryWorker = (ctx: WorkerContext, platform: string, chat: Chat): Worker<DeliveryJob> => {
  const { redis, keys, logger, failpoint } = ctx;

  const deliveredSoFar = async (job: Job<DeliveryJob>): Promise<number> =>
    Number((await redis.get(keys.delivered(job.data.platform, job.data.conversation.channel))) ?? '0');

  /** Marks the delivery done (with the new reference, if any); false when another run already did. */
  const record = async (job: Job<DeliveryJob>, ref: MessageRef | undefined): Promise<boolean> => {
    const { data } = job;
    const done = await runScript(
      redis,
      DELIVERED,
      [keys.delivered(data.platform, data.conversation.channel), keys.ref(data.message.key), keys.sending(data.message.key)],
      [data.sequence, ref ?? '', REF_TTL_SECONDS],
    );
    return done === 1;
  };

  /** Back in the queue after `ms`: for a rate limit, or to wait for the turn of the message before it. */
  const later = async (job: Job<DeliveryJob>, token: string | undefined, ms: number, why: typeof RATE_LIMITED | typeof NOT_ITS_TURN): Promise<never> => {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError(why);
  };

  /**
   * A post left unanswered by an earlier attempt (its sending mark is still there) may have gone out: its
   * reference when the conversation shows it, else undefined (post it). Rate limits and failures of the look
   * itself are the delivery's (waited out, retried); a chat that cannot look posts again, and says so.
   */
  const postedEarlier = async (job: Job<DeliveryJob>, conversation: DeliveryJob['conversation'], since: string | null): Promise<MessageRef | undefined> => {
    if (since === null) return undefined;
    const found = chat.find === undefined ? null : await chat.find(conversation, job.data.message.key, new Date(Number(since)));
    if (found === null) logger.warn({ platform, channel: conversation.channel, key: job.data.message.key }, 'an earlier post may have gone out and cannot be looked for: posting again');
    return found ?? undefined;
  };

  const count = (outcome: DeliveryOutcome): void => ctx.metrics?.deliveries.inc({ platform, outcome });
  const deliver = async (job: Job<DeliveryJob>, token: string | undefined): Promise<string> => {
    const { message, sequence } = job.data;
    let delivered = await deliveredSoFar(job);
    for (const started = Date.now(); delivered + 1 < sequence && Date.now() - started < WAIT_FOR_TURN_MS; ) {
      await sleep(20);
      delivered = await deliveredSoFar(job);
    }
    if (sequence <= delivered) return 'duplicate';
    if (delivered + 1 < sequence) return later(job, token, stepAside(job.attemptsStarted), NOT_ITS_TURN);
    failpoint('delivery.sending');
    // The reference (posted before: edit it) and the sending mark (a post left unanswered), in one round trip.
    const [storedRef, sending] = await redis.mget(keys.ref(message.key), keys.sending(message.key));
    const ref = storedRef ?? undefined;
    if (ref !== undefined && message.file !== undefined) {
      // A shared file cannot be edited, and sharing it again under a key already used would be a second copy.
      logger.warn({ platform, channel: job.data.conversation.channel, key: message.key }, 'a message with a file is posted once: not sent again');
      await record(job, undefined);
      return 'skipped';
    }
    const thread = job.data.thread === undefined ? null : await redis.get(keys.ref(job.data.thread));
    const conversation = thread === null ? job.data.conversation : { ...job.data.conversation, thread };
    let earlier: MessageRef | undefined;
    let posted: MessageRef | undefined;
    let posting = false;
    try {
      if (ref !== undefined) await chat.update(conversation, ref, message);
      else {
        if (message.file === undefined) earlier = await postedEarlier(job, conversation, sending ?? null);
        // When found, it went out and only its record is missing. Otherwise the mark stays when the answer does
        // not come back (a crash, a timeout, a 5xx), and the next attempt looks before posting.
        if (earlier === undefined) {
          await redis.set(keys.sending(message.key), String(Date.now()), 'EX', SENDING_TTL_SECONDS, 'NX');
          posting = true;
          posted = await chat.post(conversation, message);
        }
      }
    } catch (error) {
      // Slack answered that it did not post: nothing to look for next time.
      if (posting && (error instanceof RateLimitedError || error instanceof PermanentDeliveryError)) await redis.del(keys.sending(message.key));
      if (error instanceof RateLimitedError) return later(job, token, error.retryAfterMs, RATE_LIMITED);
      const last = error instanceof PermanentDeliveryError || job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS);
      if (!last) throw error;
      // Given up: logged for people, and the conversation moves on rather than waiting forever.
      logger.error({ err: error, platform, channel: conversation.channel, key: message.key, attempts: job.attemptsMade + 1 }, 'message dropped');
      await record(job, undefined);
      return 'dropped';
    }
    // Outside the try: a failure to record must not look like a failed post and post it again.
    if (earlier !== undefined) {
      await record(job, earlier);
      return 'recovered';
    }
    await record(job, posted);
    failpoint('delivery.recorded');
    return 'delivered';
  };

  const worker = new Worker<DeliveryJob>(
    deliveryQueueName(platform),
    async (job, token) => {
      try {
        const outcome = await deliver(job, token);
        count(outcome as DeliveryOutcome);
        return outcome;
      } catch (error) {
        const outcome: DeliveryOutcome = error instanceof DelayedError ? (error.message === RATE_LIMITED ? 'rate_limited' : 'waiting_turn') : 'failed';
        count(outcome);
        // A failure the queue tries again, or a rate limit waited out: either way the message goes out again later.
        if (outcome !== 'waiting_turn') ctx.metrics?.deliveryRetries.inc({ platform });
        throw error;
      }
    },
    workerOptions(ctx, 8),
  );
  worker.on('error', (error) => logger.error({ err: error, platform }, 'delivery worker error'));
  return worker;
};
