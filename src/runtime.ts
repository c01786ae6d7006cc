/** Where state and time live: the embedded store and scheduler, or Redis and BullMQ. Picked from Config. */
import type { App } from './app/app.js';
import type { Chat, EventStore, InboundRequest, Logger, Replies, RequestHandler } from './app/ports.js';
import type { Config } from './config.js';
import { failpointFrom } from './adapters/failpoint.js';
import { DirectEffects } from './adapters/memory/direct-effects.js';
import { InProcessScheduler } from './adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from './adapters/memory/memory-event-store.js';
import { systemClock } from './adapters/memory/system.js';
import { Backbone } from './adapters/redis/backbone.js';
import type { Records } from './adapters/records.js';
import type { Metrics } from './adapters/metrics.js';
import type { RunnerRegistry } from './app/runs.js';
import { NO_RUNNERS } from './app/runs.js';

export interface Runtime {
  readonly store: EventStore;
  readonly kind: 'memory' | 'redis';
  /** Starts firing timers into `app`, delivering messages to the chats, and carrying out accepted requests. */
  start(app: App, requests?: ReadonlyMap<string, RequestHandler>): Promise<void>;
  /**
   * Takes a platform's request to be carried out (by `requests`' handler for its platform), then resolves: on Redis
   * it is kept until some replica has carried it out, so the adapter may acknowledge it. The same id again counts once.
   */
  accept(request: InboundRequest): Promise<void>;
  ready(): Promise<boolean>;
  /** Waits (a while) until what was committed has been delivered on `platform`. */
  settle(platform: string, timeoutMs: number): Promise<void>;
  /** True the first time `key` is seen within an hour, by any process sharing this store: a platform's retry counts once. */
  firstTime(key: string): Promise<boolean>;
  /** Small records the platform adapters keep across restarts and replicas (Teams conversation references). */
  readonly records: Records;
  /** Who runs automated steps: runners report in through Redis; the embedded store has none. */
  readonly runners: RunnerRegistry;
  /** Jobs waiting per queue, for the metrics; none on the embedded store. */
  queueDepths(): Promise<Readonly<Record<string, number>>>;
  close(): Promise<void>;
}


/** How long a request key is remembered: Slack retries within minutes. */
const SEEN_TTL_MS = 3_600_000;

const memoryRuntime = (chats: ReadonlyMap<string, Chat>, logger: Logger): Runtime => {
  const seen = new Map<string, number>();
  const scheduler = new InProcessScheduler(systemClock, (error, timer) => logger.error({ err: error, timer: timer.id }, 'timer failed'));
  const effects = new DirectEffects(chats, scheduler, logger);
  const records = new Map<string, string>();
  let handlers: ReadonlyMap<string, RequestHandler> = new Map();
  const firstTime = (key: string): Promise<boolean> => {
    const now = systemClock.now().getTime();
    for (const [old, until] of seen) if (until < now) seen.delete(old);
    if (seen.has(key)) return Promise.resolve(false);
    seen.set(key, now + SEEN_TTL_MS);
    return Promise.resolve(true);
  };
  return {
    kind: 'memory',
    runners: NO_RUNNERS,
    queueDepths: () => Promise.resolve({}),
    records: {
      get: (kind, id) => Promise.resolve(records.get(`${kind}/${id}`)),
      set: (kind, id, value) => {
        records.set(`${kind}/${id}`, value);
        return Promise.resolve();
      },
    },
    store: new MemoryEventStore((list) => effects.run(list)),
    start: (app, requests) => {
      scheduler.onFire((timer) => app.timer(timer.payload));
      handlers = requests ?? new Map();
      return Promise.resolve();
    },
    // Nothing here outlives the process anyway: carried out at once, after the adapter's acknowledgement.
    accept: async (request) => {
      const handle = handlers.get(request.platform);
      if (!handle) throw new Error(`no handler for ${request.platform} requests`);
      if (!(await firstTime(`request-${request.id}`))) return;
      setImmediate(() => {
        handle(request).catch((error: unknown) => logger.error({ err: error, request: request.id }, 'request failed'));
      });
    },
    ready: () => Promise.resolve(true),
    // Effects run before the append returns; only timers already due (a draft shared at once) may still be running.
    settle: (_platform, timeoutMs) => scheduler.idle(timeoutMs),
    firstTime,
    close: () => {
      scheduler.stop();
      return Promise.resolve();
    },
  };
};

/**
 * Opens the store the config asks for. `chats` are the platforms this process delivers to.
 * @example const runtime = await openRuntime(config, logger, new Map([['console', chat]]))
 */
export const openRuntime = async (config: Config, logger: Logger, chats: ReadonlyMap<string, Chat>, metrics?: Metrics): Promise<Runtime> => {
  if (config.store === 'memory' || config.redisUrl === undefined) return memoryRuntime(chats, logger);
  const backbone = await Backbone.connect({
    url: config.redisUrl,
    prefix: config.redisPrefix,
    logger,
    clock: systemClock,
    failpoint: failpointFrom(config.failpoint),
    ...(metrics ? { metrics } : {}),
  });
  return {
    kind: 'redis',
    store: backbone.store,
    runners: backbone.runners,
    queueDepths: () => backbone.queueDepths(),
    start: (app, requests) => backbone.start({ fire: (payload) => app.timer(payload), chats, report: (report) => app.report(report), ...(requests ? { requests } : {}) }),
    accept: (request) => backbone.accept(request),
    ready: () => backbone.ready(),
    settle: async (platform, timeoutMs) => {
      await backbone.settle(platform, timeoutMs);
    },
    firstTime: (key) => backbone.firstTime(key, SEEN_TTL_MS),
    records: { get: (kind, id) => backbone.record(kind, id), set: (kind, id, value) => backbone.keep(kind, id, value) },
    close: () => backbone.close(),
  };
};

/** Replies and forms go back to the platform of the person who asked: a principal's prefix names it (`slack:U…`). */
export const replyRouter = (chats: ReadonlyMap<string, Chat>, logger: Logger): Replies => {
  const chatOf = (user: string): Chat | undefined => chats.get(user.slice(0, user.indexOf(':')));
  return {
    whisper: async (conversation, user, message) => {
      const chat = chatOf(user);
      if (chat) await chat.whisper(conversation, user, message);
      else logger.warn({ user, key: message.key }, 'no chat platform here to answer this user');
    },
    openForm: async (conversation, user, form) => (await chatOf(user)?.openForm?.(conversation, user, form)) ?? false,
  };
};
