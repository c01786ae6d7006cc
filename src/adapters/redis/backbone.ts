/** The production backbone on one Redis: event store, outbox relay, timer and delivery workers. */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Chat, Clock, EventStore, InboundRequest, Logger, RequestHandler } from '../../app/ports.js';
import { bullmqSink } from '../bullmq/effect-sink.js';
import { PlanbQueues } from '../bullmq/queues.js';
import type { WorkerContext } from '../bullmq/workers.js';
import { startDeliveryWorker, startReportWorker, startRequestWorker, startTimerWorker } from '../bullmq/workers.js';
import type { RunReport } from '../../app/runs.js';
import { RedisRunnerRegistry } from './runner-registry.js';
import type { RedisKeys } from './keys.js';
import { redisKeys } from './keys.js';
import type { RelayOptions } from './outbox-relay.js';
import { INBOX_FIELD, OutboxRelay } from './outbox-relay.js';
import type { Failpoint } from '../failpoint.js';
import type { Metrics } from '../metrics.js';
import { jobId, REPORT_QUEUE, requestQueueName, TIMER_QUEUE } from '../bullmq/queues.js';
import { RedisEventStore } from './redis-event-store.js';

/** The process cannot start as configured; the message says why, for the person starting it. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface BackboneOptions {
  readonly url: string;
  readonly prefix: string;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly failpoint?: Failpoint;
  readonly relay?: RelayOptions;
  readonly worker?: WorkerContext['options'];
  readonly metrics?: Metrics;
}

export interface BackboneHandlers {
  /** The app's timer entry point. */
  readonly fire: (payload: Readonly<Record<string, string>>) => Promise<void>;
  /** The chats this process delivers to, by platform name; other platforms' deliveries wait for their process. */
  readonly chats: ReadonlyMap<string, Chat>;
  /** The app's entry point for runners' reports. */
  readonly report?: (report: RunReport) => Promise<void>;
  /** Who carries out the requests each platform's adapter accepted, by platform. */
  readonly requests?: ReadonlyMap<string, RequestHandler>;
}

const connection = (url: string, logger: Logger, name: string, forBullmq: boolean): Redis => {
  // BullMQ needs maxRetriesPerRequest: null; the store keeps the default so a command fails instead of hanging.
  const redis = new Redis(url, { connectionName: name, ...(forBullmq ? { maxRetriesPerRequest: null } : {}) });
  redis.on('error', (error: Error) => logger.warn({ err: error, connection: name }, 'redis connection error'));
  return redis;
};

export class Backbone {
  readonly store: EventStore;
  readonly keys: RedisKeys;
  /** Runner presence and claims. */
  readonly runners: RedisRunnerRegistry;
  private readonly queues: PlanbQueues;
  private readonly workers: Worker[] = [];
  private relay: OutboxRelay | undefined;
  private platforms: string[] = [];
  private requestPlatforms: string[] = [];
  private readonly blocking: Redis;

  private constructor(
    private readonly options: BackboneOptions,
    private readonly commands: Redis,
    private readonly bull: Redis,
  ) {
    this.keys = redisKeys(options.prefix);
    this.store = new RedisEventStore(commands, this.keys, options.failpoint);
    this.runners = new RedisRunnerRegistry(commands, this.keys);
    this.queues = new PlanbQueues(bull, this.keys.bull);
    this.blocking = connection(options.url, options.logger, 'planb-relay', true);
  }

  /** Connects and checks the server: fails fast, naming REDIS_URL, when Redis is unreachable at start. */
  static async connect(options: BackboneOptions): Promise<Backbone> {
    // One try, no reconnect loop: at start a wrong URL should say so at once. Later outages are retried.
    const probe = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      await warnUnlessNoeviction(probe, options.logger);
    } catch (error) {
      throw new StartupError(`REDIS_URL: Redis at ${redactUrl(options.url)} does not answer (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
    } finally {
      probe.disconnect();
    }
    const commands = connection(options.url, options.logger, 'planb-store', false);
    return new Backbone(options, commands, connection(options.url, options.logger, 'planb-bullmq', true));
  }

  /** Starts relaying effects and working the timer queue and the deliveries of `handlers.chats`. */
  async start(handlers: BackboneHandlers): Promise<void> {
    const { logger, failpoint = () => undefined } = this.options;
    const ctx: WorkerContext = {
      redis: this.bull,
      keys: this.keys,
      logger,
      failpoint,
      ...(this.options.worker ? { options: this.options.worker } : {}),
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
    };
    this.platforms = [...handlers.chats.keys()];
    this.requestPlatforms = [...(handlers.requests?.keys() ?? [])];
    this.workers.push(startTimerWorker(ctx, handlers.fire));
    for (const [platform, chat] of handlers.chats) this.workers.push(startDeliveryWorker(ctx, platform, chat));
    if (handlers.report) this.workers.push(startReportWorker(ctx, handlers.report));
    for (const [platform, handle] of handlers.requests ?? []) this.workers.push(startRequestWorker(ctx, platform, handle));
    const consumer = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const queueRequest = async (request: InboundRequest): Promise<void> => {
      await this.queues.requests(request.platform).add('request', request, { jobId: jobId(request.id) });
    };
    this.relay = new OutboxRelay(this.blocking, this.keys, consumer, bullmqSink(this.queues, this.options.clock, logger), logger, failpoint, this.options.relay, queueRequest);
    await this.relay.start();
  }

  /**
   * Keeps a request for any replica to carry out: once this resolves it survives this process. One stream entry, the
   * least the platform's ack can wait for; a relay (any replica's) makes it a job under the request's id, so the same
   * id again (a platform's retry) is the same job, carried out once.
   */
  async accept(request: InboundRequest): Promise<void> {
    await this.commands.xadd(this.keys.inbox, '*', INBOX_FIELD, JSON.stringify(request));
  }

  /** Jobs waiting or delayed in each queue this process works (the timers, its platforms' deliveries, reports). */
  async queueDepths(): Promise<Record<string, number>> {
    const named: [string, { getJobCountByTypes(...types: ('wait' | 'delayed' | 'prioritized')[]): Promise<number> }][] = [
      [TIMER_QUEUE, this.queues.timers],
      ...this.platforms.map((platform): [string, ReturnType<PlanbQueues['delivery']>] => [`deliveries-${platform}`, this.queues.delivery(platform)]),
      ...this.requestPlatforms.map((platform): [string, ReturnType<PlanbQueues['requests']>] => [requestQueueName(platform), this.queues.requests(platform)]),
      [REPORT_QUEUE, this.queues.reports],
    ];
    const counts = await Promise.all(named.map(([, queue]) => queue.getJobCountByTypes('wait', 'delayed', 'prioritized')));
    return Object.fromEntries(named.map(([name], index) => [name, counts[index] ?? 0]));
  }

  /** Redis answers within `timeoutMs`. */
  async ready(timeoutMs = 1_000): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    const ping = this.commands.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    return Promise.race([ping, timeout]);
  }

  /**
   * Waits until nothing is left to relay and `platform` has nothing waiting to be delivered, up to `timeoutMs`:
   * a console reading a script prints its last messages before it exits.
   */
  async settle(platform: string, timeoutMs: number): Promise<boolean> {
    const queue = this.queues.delivery(platform);
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      // Timers due now (a draft shared at once) count too: what they post is owed; later ones are not.
      const [outbox, pending, firing] = await Promise.all([
        this.commands.xlen(this.keys.outbox),
        queue.getJobCountByTypes('wait', 'active', 'delayed', 'prioritized'),
        this.queues.timers.getJobCountByTypes('wait', 'active', 'prioritized'),
      ]);
      if (outbox === 0 && pending === 0 && firing === 0) return true;
      await new Promise((wake) => setTimeout(wake, 10));
    }
    return false;
  }

  /** A record `kind`/`id` kept for the platform adapters (shared by every replica); undefined when absent. */
  async record(kind: string, id: string): Promise<string | undefined> {
    return (await this.commands.hget(this.keys.records(kind), id)) ?? undefined;
  }

  async keep(kind: string, id: string, value: string): Promise<void> {
    await this.commands.hset(this.keys.records(kind), id, value);
  }

  /** True for the first process to see `key` within `ttlMs`: SET NX is atomic across replicas. */
  async firstTime(key: string, ttlMs: number): Promise<boolean> {
    return (await this.commands.set(this.keys.seen(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Stops taking work, lets running jobs finish, and closes every connection. */
  async close(): Promise<void> {
    await this.relay?.stop();
    await Promise.all(this.workers.map((worker) => worker.close()));
    await this.queues.close();
    await Promise.all([this.commands, this.bull, this.blocking].map((redis) => redis.quit().catch(() => redis.disconnect())));
  }
}

/** `redis://user:secret@host:6379` → `redis://user:***@host:6379`: URLs reach logs and errors, passwords must not. */
export const redactUrl = (url: string): string => url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');

const warnUnlessNoeviction = async (redis: Redis, logger: Logger): Promise<void> => {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (policy !== 'noeviction') {
      logger.warn({ policy }, 'Redis maxmemory-policy is not noeviction: under memory pressure Redis may evict events, timers or jobs. Set maxmemory-policy noeviction.');
    }
  } catch {
    // Managed Redis often forbids CONFIG; the README says what to set.
  }
};
