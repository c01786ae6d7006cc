/**
 * Issue 12's timer bench: lag (fired − due) of timers committed as `schedule` effects through the real event store's
 * outbox, relayed into BullMQ delayed jobs and fired by the production timer worker in child processes
 * (bench/timer-host.ts), with at least 10,000 timers pending; then a host SIGKILLed while timers fire: the lag of
 * the timers due while it was down, how soon the jobs it held come back, and whether every timer fired (none lost).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { TimerSchedule } from '../src/app/effects.js';
import type { TimerJob } from '../src/adapters/bullmq/queues.js';
import { TIMER_QUEUE } from '../src/adapters/bullmq/queues.js';
import { QUICK_LOCKS } from '../src/adapters/bullmq/workers.js';
import { redisKeys } from '../src/adapters/redis/keys.js';
import { RedisEventStore } from '../src/adapters/redis/redis-event-store.js';
import { startRedisServer } from '../test/support/redis-server.js';
import type { RedisServer } from '../test/support/redis-server.js';
import type { BenchResult, Figure, Scale } from './report.js';
import { quantile } from './report.js';

/** The event a timer host appends when a timer fires, to the timer's own stream. */
export const FIRED = 'bench.timer_fired';
export const firedStream = (id: string): string => `bench-fired/${id}`;

/** One firing, as the host recorded it: `fired` is when `fire` was called, `due` the time the timer was set for. */
export interface Fired {
  readonly id: string;
  readonly due: number;
  readonly fired: number;
  readonly pid: number;
}

interface Sizes {
  /** Timers due an hour out, pending throughout: with the ones firing, never fewer than this many pending. */
  readonly parked: number;
  /** Timers due one after another, evenly over `steadyMs`. */
  readonly steady: number;
  readonly steadyMs: number;
  /** Timers due evenly over `restartMs`, while a host dies `KILL_AT` of the way through. */
  readonly restart: number;
  readonly restartMs: number;
  /** How far ahead of the first due time the timers are committed: time for the relay to make them BullMQ jobs (a note says if it did). */
  readonly leadMs: number;
}

const FULL: Sizes = { parked: 10_000, steady: 10_000, steadyMs: 25_000, restart: 4_000, restartMs: 10_000, leadMs: 3_000 };
const SMOKE: Sizes = { parked: 200, steady: 200, steadyMs: 2_000, restart: 200, restartMs: 2_000, leadMs: 1_000 };
/** How far through the restart phase's timers the host dies (the n-th fire of its share). */
const KILL_AT = 0.3;
/** Streams committed to side by side (one append at a time each), as many aggregates would be. */
const LANES = 32;
/** After the last due time, how long a phase may take to fire everything (stalled jobs come back within ~8 s). */
const DRAIN_MS = 30_000;
const PREFIX = 'bench-timers';

const HOST = fileURLToPath(new URL('./timer-host.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

/** `promise`, or `fallback` once `ms` have passed. */
const within = async <T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Waits for the clock alone to reach `at`, touching no Redis: the bench must not wake Redis while timers are due.
 * An idle Redis ends a blocking command's timeout only on its next tick (hz 10: every 100 ms), and BullMQ's worker
 * waits for the next delayed job in such a command (BZPOPMIN on its marker); a bench polling Redis every 50 ms would
 * make the lag it measures shorter than in production.
 */
const clockReaches = (at: number): Promise<void> => sleep(Math.max(0, at - Date.now()));

/** Polls `check` until it holds; false when `deadline` (epoch ms) passes first. */
const waitUntil = async (check: () => Promise<boolean>, deadline: number): Promise<boolean> => {
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
};

interface Host {
  readonly pid: number;
  /** From spawn to `ready` (the worker and relay started), ms. */
  readonly startMs: number;
  /** When it said it was ready (its own clock, the same machine's). */
  readonly readyAt: number;
  /** Resolves with when the process was seen to exit (it SIGKILLs itself at its failpoint). */
  died(): Promise<number>;
  /** SIGTERM: the Backbone closes, finishing jobs in flight. */
  stop(): Promise<void>;
}

/** Starts a timer host; `failpoint` (`timer.firing@120`) makes it SIGKILL itself there, as PLANB_FAILPOINT does planb. */
const startHost = async (redisUrl: string, failpoint?: string): Promise<Host> => {
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', HOST], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', REDIS_URL: redisUrl, PLANB_REDIS_PREFIX: PREFIX, LOG_LEVEL: 'warn', ...(failpoint ? { PLANB_FAILPOINT: failpoint } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const died = new Promise<number>((done) => child.once('exit', () => done(Date.now())));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  let logs = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (logs = (logs + chunk).slice(-20_000)));
  const readyAt = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timer host did not start within 30 s:\n${logs}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const ready = /ready (\d+)/.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`timer host exited (${code ?? signal}) before it was ready:\n${logs}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await died;
    throw error;
  });
  return {
    pid: child.pid ?? 0,
    startMs: readyAt - spawnedAt,
    readyAt,
    died: () => died,
    stop: async () => {
      if (!alive()) return;
      child.kill('SIGTERM');
      const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await died;
      clearTimeout(stuck);
    },
  };
};

interface Timer {
  readonly id: string;
  readonly due: number;
}

/** `count` timers due evenly from `start` over `spanMs`, in due order. */
const spread = (batch: string, count: number, start: number, spanMs: number): Timer[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${batch}-${i}`, due: Math.round(start + (i * spanMs) / Math.max(1, count - 1)) }));

/**
 * Commits one event and one `schedule` effect per timer, as a decision that sets a timer does, on LANES streams side
 * by side; each lane takes timers in due order, so the relay meets them roughly in that order.
 */
const commit = async (store: RedisEventStore, batch: string, timers: readonly Timer[]): Promise<void> => {
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      const stream = `bench-timers/${batch}-${lane}`;
      for (let i = lane, version = 0; i < timers.length; i += LANES, version += 1) {
        const timer = timers[i];
        if (!timer) continue;
        const effect: TimerSchedule = { kind: 'schedule', timer: `bench/${timer.id}`, at: new Date(timer.due).toISOString(), payload: { id: timer.id, due: String(timer.due) } };
        const event = { id: randomUUID(), type: 'bench.timer_set', at: new Date().toISOString(), actor: null, data: { timer: timer.id } };
        await store.append(stream, version, [event], [effect]);
      }
    }),
  );
};

/** Every recorded firing of `timers`, by id, earliest first. */
const firingsOf = async (store: RedisEventStore, timers: readonly Timer[]): Promise<Map<string, Fired[]>> => {
  const firings = new Map<string, Fired[]>();
  for (const event of await store.readAll()) {
    if (event.event.type !== FIRED) continue;
    const fired = event.event.data as Fired;
    firings.set(fired.id, [...(firings.get(fired.id) ?? []), fired]);
  }
  const wanted = new Map<string, Fired[]>();
  for (const { id } of timers) wanted.set(id, (firings.get(id) ?? []).sort((a, b) => a.fired - b.fired));
  return wanted;
};

const firstLags = (firings: ReadonlyMap<string, readonly Fired[]>, which: (timer: Fired) => boolean = () => true): number[] =>
  [...firings.values()].flatMap((all) => (all[0] && which(all[0]) ? [all[0].fired - all[0].due] : []));

class LostTimers extends Error {
  constructor(phase: string, lost: readonly string[]) {
    super(`${lost.length} timer(s) never fired (${phase}): ${lost.slice(0, 10).join(', ')}${lost.length > 10 ? ', …' : ''}`);
    this.name = 'LostTimers';
  }
}

/** The bench's view of one Redis: the store to commit through, the timer queue to watch. */
class Rig {
  readonly store: RedisEventStore;
  readonly queue: Queue<TimerJob>;
  private readonly keys = redisKeys(PREFIX);

  constructor(private readonly redis: Redis) {
    this.store = new RedisEventStore(redis, this.keys);
    this.queue = new Queue<TimerJob>(TIMER_QUEUE, { connection: redis, prefix: this.keys.bull });
  }

  /** Nothing left in the outbox: everything committed is a BullMQ job (the relay deletes an entry once its jobs exist). */
  async relayed(): Promise<boolean> {
    return (await this.redis.xlen(this.keys.outbox)) === 0;
  }

  /** Every one of `timers` fired, and no job waiting or active besides the `parked` ones: nothing more will fire. */
  async drained(timers: readonly Timer[], parked: number): Promise<boolean> {
    const counts = await this.queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    if ((counts['wait'] ?? 0) + (counts['active'] ?? 0) + (counts['prioritized'] ?? 0) > 0 || counts['delayed'] !== parked) return false;
    const done = await this.redis.exists(...timers.map(({ id }) => this.keys.stream(firedStream(id))));
    return done === timers.length;
  }

  /** When the jobs of `timers` that BullMQ found stalled (held by a killed worker) were started again. */
  async stalled(timers: readonly Timer[]): Promise<number[]> {
    const ids = new Set(timers.map(({ id }) => id));
    const jobs = await this.queue.getJobs(['completed', 'failed', 'active', 'wait'], 0, -1);
    return jobs.filter((job) => job.stalledCounter > 0 && ids.has(job.data.payload['id'] ?? '')).map((job) => job.processedOn ?? Number.NaN);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

const round = (ms: number): number => Math.round(ms);

interface RestartPlan {
  readonly label: string;
  /** Hosts working the queue when one dies: 1, or 2 as manifests/k8s deploys. */
  readonly hosts: number;
  /**
   * Where the dying host SIGKILLs itself, about `KILL_AT` of the way through: `timer.firing`, as it starts a fire (the
   * timer fires late: its job stays locked by the dead process); `timer.fired`, after the fire, before the timer is
   * marked done (it fires again). A kill at a random moment rarely finds a fire under way (one takes a millisecond or
   * two): the failpoints make the two worst moments certain.
   */
  readonly failpoint: 'timer.firing' | 'timer.fired';
}

interface Restart {
  readonly figures: Figure[];
  readonly notes: string[];
  readonly firedAgain: number;
  readonly unexpectedRepeats: number;
}

/**
 * Timers due over `restartMs` while fresh hosts work the queue; one host dies (`plan`) and a replacement is started
 * at once. Measured: the lag of the timers due between the death and the moment the replacement was ready
 * ("due while down"), and when the jobs the dead host held came back.
 */
const restartPhase = async (rig: Rig, spawnHost: (failpoint?: string) => Promise<Host>, sizes: Sizes, plan: RestartPlan): Promise<Restart> => {
  const { label } = plan;
  // Its share of the timers before the kill: the failpoint counts this process's fires.
  const nth = Math.max(1, Math.round((sizes.restart * KILL_AT) / plan.hosts));
  const victim = await spawnHost(`${plan.failpoint}@${nth}`);
  const hosts = [victim, ...(await Promise.all(Array.from({ length: plan.hosts - 1 }, () => spawnHost())))];
  const batch = `restart${plan.hosts}`;
  const timers = spread(batch, sizes.restart, Date.now() + sizes.leadMs, sizes.restartMs);
  await commit(rig.store, batch, timers);
  const first = timers[0]?.due ?? Date.now();
  const last = timers.at(-1)?.due ?? first;
  await waitUntil(() => rig.relayed(), last);
  const relayedAhead = first - Date.now();
  const killedAt = await within(victim.died(), last + DRAIN_MS - Date.now(), Number.NaN);
  if (Number.isNaN(killedAt)) throw new Error(`${label}: the host never reached its failpoint ${plan.failpoint}@${nth}`);
  const replacement = await spawnHost();
  await clockReaches(last);
  await waitUntil(() => rig.drained(timers, sizes.parked), last + DRAIN_MS);
  const firings = await firingsOf(rig.store, timers);
  const lost = [...firings].filter(([, all]) => all.length === 0).map(([id]) => id);
  if (lost.length > 0) throw new LostTimers(label, lost);
  await Promise.all([...hosts, replacement].map((host) => host.stop()));

  const repeated = [...firings.values()].filter((all) => all.length > 1);
  const firedAgain = repeated.filter(([once, again]) => once && again && once.pid === victim.pid && once.fired <= killedAt && again.fired > killedAt).length;
  const down = firstLags(firings, (fired) => fired.due >= killedAt && fired.due <= replacement.readyAt);
  const all = firstLags(firings);
  const back = (await rig.stalled(timers)).map((at) => at - killedAt);
  const victimFired = [...firings.values()].filter((each) => each.some((fired) => fired.pid === victim.pid)).length;
  const figures: Figure[] = [];
  if (down.length > 0) figures.push({ name: `lag p99, due while down (${label})`, value: round(quantile(down, 0.99)), unit: 'ms', target: { below: 2_000 } });
  figures.push(
    { name: `lag max, any timer (${label})`, value: round(Math.max(...all)), unit: 'ms' },
    { name: `replacement ready after (${label})`, value: replacement.startMs, unit: 'ms' },
  );
  if (back.length > 0) figures.push({ name: `held jobs run again after (${label})`, value: round(Math.max(...back)), unit: 'ms' });
  const how =
    plan.failpoint === 'timer.firing'
      ? `SIGKILLed itself as it started its ${nth}th fire (failpoint timer.firing@${nth}: that timer not fired, its job locked by the dead process)`
      : `SIGKILLed itself right after its ${nth}th fire, before marking the timer done (failpoint timer.fired@${nth})`;
  const notes = [
    `${label}: ${timers.length} timers due over ${sizes.restartMs / 1000} s (${round((timers.length * 1000) / sizes.restartMs)}/s), ${sizes.parked} more pending, ` +
      `${plan.hosts} fresh host(s) working; host ${victim.pid} ${how} ${round(killedAt - first)} ms after the first was due (it had fired ${victimFired} of them); ` +
      `all relayed into BullMQ ${relayedAhead} ms before the first was due; a replacement was spawned at once and ready (relay and worker started) ${replacement.startMs} ms later; ${down.length} timers fell due in between ` +
      `("due while down"; p99 over them: ${round(quantile(down, 0.99))} ms, max ${round(Math.max(...down))} ms); lags are those of each timer's first firing.`,
    `${label}: ${back.length} job(s) held by the dead host were found stalled by BullMQ (lockDuration ${QUICK_LOCKS.lockDuration} ms, ` +
      `stalledInterval ${QUICK_LOCKS.stalledInterval} ms)${back.length > 0 ? ` and started again ${back.map(round).join(', ')} ms after the death ("held jobs")` : ''}; ` +
      `${firedAgain} timer(s) had fired on the dead host and fired again then (by design: the aggregate ignores a repeat); ` +
      `a held job whose timer was already marked done ran again as stale and did not fire.`,
  ];
  return { figures, notes, firedAgain, unexpectedRepeats: repeated.length - firedAgain };
};

interface Steady {
  readonly lags: number[];
  readonly repeats: number;
  readonly notes: string[];
}

/** `parked` timers an hour out (pending throughout), then `steady` due one after another, fired by one host. */
const steadyPhase = async (rig: Rig, spawnHost: () => Promise<Host>, sizes: Sizes): Promise<Steady> => {
  const host = await spawnHost();
  const parked = spread('parked', sizes.parked, Date.now() + 3_600_000, 60_000);
  const started = Date.now();
  await commit(rig.store, 'parked', parked);
  const committedIn = Date.now() - started;
  if (!(await waitUntil(() => rig.relayed(), Date.now() + 120_000))) throw new Error('the relay did not hand the parked timers to BullMQ');
  const relayedIn = Date.now() - started;

  const timers = spread('steady', sizes.steady, Date.now() + sizes.leadMs, sizes.steadyMs);
  await commit(rig.store, 'steady', timers);
  const first = timers[0]?.due ?? Date.now();
  const last = timers.at(-1)?.due ?? first;
  await waitUntil(() => rig.relayed(), last);
  const relayedAhead = first - Date.now();
  await clockReaches(last);
  await waitUntil(() => rig.drained(timers, sizes.parked), last + DRAIN_MS);
  const firings = await firingsOf(rig.store, timers);
  const lost = [...firings].filter(([, all]) => all.length === 0).map(([id]) => id);
  if (lost.length > 0) throw new LostTimers('steady', lost);
  await host.stop();
  const lags = firstLags(firings);
  return {
    lags,
    repeats: [...firings.values()].filter((all) => all.length > 1).length,
    notes: [
      `Steady: ${sizes.steady} timers due over ${sizes.steadyMs / 1000} s (${round((sizes.steady * 1000) / sizes.steadyMs)}/s), one host, committed ${sizes.leadMs} ms ` +
        `ahead of the first due time and all relayed into BullMQ ${relayedAhead} ms before it, with ${sizes.parked} more pending an hour out ` +
        `(so ${sizes.parked}–${sizes.parked + sizes.steady} pending throughout); ` +
        `the ${sizes.parked} parked schedules were committed in ${committedIn} ms and all BullMQ jobs ${relayedIn} ms after the first commit.`,
      `Steady: Redis runs with its default hz 10, and an idle Redis ends a blocking command's timeout only on its next tick (every 100 ms): the worker's ` +
        `wait for the next delayed job (BZPOPMIN on BullMQ's marker) ends up to 100 ms late unless other traffic wakes Redis, so the lag is spread ` +
        `over 0–100 ms (p50 ${round(quantile(lags, 0.5))} ms here); a higher hz (a Redis setting, at some idle CPU) shortens it. ` +
        `The bench touches no Redis while timers are due, so as not to wake it.`,
    ],
  };
};

export const run = async (scale: Scale): Promise<BenchResult> => {
  const sizes = scale.smoke ? SMOKE : FULL;
  const load = loadavg()[0] ?? 0;
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  let rig: Rig | undefined;
  /** Every host started, so that each is stopped however the run ends. */
  const started: Host[] = [];
  try {
    server = await startRedisServer();
    const url = server.url;
    const spawnHost = async (failpoint?: string): Promise<Host> => {
      const host = await startHost(url, failpoint);
      started.push(host);
      return host;
    };
    redis = new Redis(url, { maxRetriesPerRequest: null });
    rig = new Rig(redis);
    const steady = await steadyPhase(rig, spawnHost, sizes);
    // The only host dies as it starts a fire; one of two (manifests/k8s runs 2 replicas) dies after one.
    const plans: RestartPlan[] = [
      ...(scale.smoke ? [] : [{ label: 'restart, 1 host', hosts: 1, failpoint: 'timer.firing' } as const]),
      { label: 'restart, 2 hosts', hosts: 2, failpoint: 'timer.fired' },
    ];
    const restarts: Restart[] = [];
    for (const plan of plans) restarts.push(await restartPhase(rig, spawnHost, sizes, plan));

    const { lags } = steady;
    const figures: Figure[] = [
      { name: `lag p50, ${sizes.parked}+ pending`, value: round(quantile(lags, 0.5)), unit: 'ms' },
      { name: `lag p99, ${sizes.parked}+ pending`, value: round(quantile(lags, 0.99)), unit: 'ms', target: { below: 250 } },
      { name: `lag max, ${sizes.parked}+ pending`, value: round(Math.max(...lags)), unit: 'ms' },
      ...restarts.flatMap((restart) => restart.figures),
      { name: 'timers lost', value: 0, unit: 'count', target: { below: 1 } },
      { name: 'fired again after a crash', value: restarts.reduce((sum, restart) => sum + restart.firedAgain, 0), unit: 'count' },
      { name: 'fired twice otherwise', value: steady.repeats + restarts.reduce((sum, restart) => sum + restart.unexpectedRepeats, 0), unit: 'count', target: { below: 1 } },
    ];
    const notes = [
      `Timers are committed as \`schedule\` effects, one event each (RedisEventStore.append on ${LANES} streams side by side), relayed from the outbox into ` +
        `BullMQ delayed jobs by the hosts' OutboxRelay and fired by startTimerWorker with production settings (concurrency 4, lockDuration ${QUICK_LOCKS.lockDuration} ms), ` +
        `in child processes (bench/timer-host.ts) running the production Backbone; their \`fire\` reads the timer's stream and appends an event, as an aggregate's timer does.`,
      `Lag = when fire() was called − the due time the timer was set for (one machine, one clock); a timer's first firing counts. A run throws if any timer never fired.`,
      ...steady.notes,
      ...restarts.flatMap((restart) => restart.notes),
      `The hosts are not \`planb serve\`, whose timer handler ignores timers it does not know and records no firing time: not exercised here are app.timer's work on a real ` +
        `aggregate and a process that also serves Slack/HTTP. With 1 host, the lag of the timers due while down is the replacement's start-up time: a ` +
        `replacement \`planb serve\` takes longer to be ready than this small host, and a container restarted by Kubernetes longer still.`,
      `The bench process (committing, polling) and Redis share the machine's ${cpus().length} cores with the hosts (1-min load ${load.toFixed(2)} at the start).`,
    ];
    return { bench: 'timers', figures, notes };
  } finally {
    await Promise.all(started.map((host) => host.stop()));
    await rig?.close();
    redis?.disconnect();
    await server?.stop();
  }
};
