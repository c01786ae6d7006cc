/**
 * Issue 12's memory bench: the resident set of `planb serve` idle, then with many incidents open and posting their
 * automatic stakeholder updates on a short cadence. A probe preloaded into the process (NODE_OPTIONS=--require)
 * writes process.memoryUsage() to a file twice a second, so the report can say where the memory is: V8's heap,
 * memory outside it, or the rest (code, native libraries, stacks).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/adapters/redis/keys.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { startRedisServer } from '../test/support/redis-server.js';
import type { RedisServer } from '../test/support/redis-server.js';
import { sign, slashCommandBody } from '../test/support/slack-requests.js';
import { until } from '../test/support/until.js';
import { NODE_FLAGS, startPlanb } from './planb-process.js';
import type { PlanbProcess } from './planb-process.js';
import { quantile } from './report.js';
import type { BenchResult, Scale } from './report.js';

const PREFIX = 'bench-memory';
const API_TOKEN = 'bench-memory-api-token-0123456789';
/** People declaring at once. */
const CONCURRENCY = 8;
/** Issue 12's target for the resident set with 1,000 active incidents. */
const TARGET_MB = 150;
const SAMPLE_MS = 250;
/** What the app answers a command that lost the race for the incidents stream too often: the person tries again. */
const BUSY = 'Too many people pressed at once';
/** Declares compared for the per-command cost: the first and the last this many. */
const EDGE = 20;

const MB = 2 ** 20;

/**
 * Preloaded into `planb serve`: appends process.memoryUsage() as a JSON line to the file the variable names. Run
 * with `--expose-gc` (through `measure`'s `nodeOptions`, for investigations only) it collects first, so `heapUsed`
 * is the live heap.
 */
const PROBE = `const { appendFileSync } = require('node:fs');
const file = process.env.PLANB_BENCH_MEMORY_FILE;
const collect = typeof gc === 'function' ? gc : () => undefined;
if (file) setInterval(() => { collect(); appendFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }) + '\\n'); }, 500).unref();
`;

interface Usage {
  readonly at: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryOptions {
  /** More NODE_OPTIONS for `planb serve` (heap flags), to measure their effect. */
  readonly nodeOptions?: string;
  /** Node flags instead of the image's (NODE_FLAGS). */
  readonly flags?: readonly string[];
}

const channelOf = (n: number): string => `C0INC${n}`;

const sleep = (ms: number): Promise<void> => new Promise((wake) => setTimeout(wake, ms));

const median = (values: readonly number[]): number => quantile(values, 0.5);

/** RSS every SAMPLE_MS for `ms`, in MB, added to `into`. */
const sampleRss = async (planb: PlanbProcess, ms: number, into: number[] = []): Promise<number[]> => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(SAMPLE_MS)) into.push(planb.rssMb());
  return into;
};

/** Runs `each(1..count)` with at most `concurrency` at once. */
const pool = async (count: number, concurrency: number, each: (n: number) => Promise<void>): Promise<void> => {
  let next = 1;
  const lane = async (): Promise<void> => {
    for (let n = next; n <= count; n = next) {
      next += 1;
      await each(n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
};

const readUsage = (file: string): Usage[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Usage);

const breakdown = (usage: Usage | undefined): string =>
  usage === undefined
    ? 'no probe sample'
    : `RSS ${(usage.rss / MB).toFixed(1)} MB = V8 heap ${(usage.heapTotal / MB).toFixed(1)} MB (used ${(usage.heapUsed / MB).toFixed(1)}) + external ${(usage.external / MB).toFixed(1)} MB (array buffers ${(usage.arrayBuffers / MB).toFixed(1)}) + the rest (code, native libraries, stacks) ${((usage.rss - usage.heapTotal - usage.external) / MB).toFixed(1)} MB`;

/** Redis's used_memory, and the outbox entries not yet relayed to BullMQ (effects committed, not yet queued). */
const redisState = async (url: string): Promise<{ usedMb: number; outbox: number }> => {
  const client = new Redis(url);
  try {
    const usedMb = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1] ?? Number.NaN) / MB;
    return { usedMb, outbox: await client.xlen(redisKeys(PREFIX).outbox) };
  } finally {
    client.disconnect();
  }
};

/** From /metrics: the timer lag histogram's sum and count, and the deliveries waiting. */
const scrape = async (base: string): Promise<{ lagSum: number; lagCount: number; deliveriesWaiting: number }> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { lagSum: value('planb_timer_lag_seconds_sum'), lagCount: value('planb_timer_lag_seconds_count'), deliveriesWaiting: value('planb_queue_jobs\\{queue="deliveries-slack"\\}') };
};

/** Where each channel's first message went out, kept up to date as the fake records calls. */
const firstPosts = (slack: FakeSlack): ((channel: string) => number | undefined) => {
  const first = new Map<string, number>();
  let seen = 0;
  return (channel) => {
    for (; seen < slack.calls.length; seen += 1) {
      const call = slack.calls[seen];
      const to = call?.args['channel'];
      if (call?.method === 'chat.postMessage' && typeof to === 'string' && !first.has(to)) first.set(to, call.at);
    }
    return first.get(channel);
  };
};

/**
 * Declares `incidents` incidents, CONCURRENCY people at once, each in a channel of its own: each person waits for the
 * opening line in the channel, and declares again when told the app was too busy. Gives each declare's time from the
 * command to its opening line, in order, and how many were refused as busy.
 */
const declareAll = async (planb: PlanbProcess, slack: FakeSlack, incidents: number, cadenceS: number): Promise<{ latencies: number[]; busy: number }> => {
  const posted = firstPosts(slack);
  const latencies: number[] = [];
  let busy = 0;
  await pool(incidents, CONCURRENCY, async (n) => {
    for (let attempt = 1; ; attempt += 1) {
      const id = `d${n}-${attempt}`;
      const text = `declare Bench incident ${n} severity=2 updates=${cadenceS}s`;
      const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/incident', text, channel: channelOf(n), responseUrl: slack.responseUrl(id) }));
      const sent = Date.now();
      const answer = await fetch(`${planb.base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
      if (answer.status !== 200) throw new Error(`/incident declare ${n} answered ${answer.status}`);
      const reply = (): string | undefined => slack.responses.find((response) => response.id === id)?.body['text'] as string | undefined;
      await until(() => posted(channelOf(n)) !== undefined || reply() !== undefined, 60_000, () => `incident ${n} neither opened nor answered`);
      const refused = reply();
      if (refused === undefined) {
        latencies[n - 1] = (posted(channelOf(n)) ?? Number.NaN) - sent;
        return;
      }
      if (!refused.startsWith(BUSY)) throw new Error(`/incident declare ${n} was refused: ${refused}`);
      busy += 1;
    }
  });
  return { latencies, busy };
};

/** Every incident is listed open by the JSON API; throws otherwise. */
const checkOpen = async (base: string, incidents: number): Promise<void> => {
  const listed = (await (await fetch(`${base}/api/v1/incidents`, { headers: { Authorization: `Bearer ${API_TOKEN}` } })).json()) as { incidents: { title: string; status: string }[] };
  const open = new Set(listed.incidents.filter((incident) => incident.status === 'open').map((incident) => incident.title));
  const missing = Array.from({ length: incidents }, (_, index) => `Bench incident ${index + 1}`).filter((title) => !open.has(title));
  if (missing.length > 0 || listed.incidents.length !== incidents) throw new Error(`${listed.incidents.length} incidents listed, ${missing.length} of ${incidents} not open: ${missing.slice(0, 5).join(', ')}`);
};

export const run = (scale: Scale): Promise<BenchResult> => measure(scale);

export const measure = async (scale: Scale, options: MemoryOptions = {}): Promise<BenchResult> => {
  const incidents = scale.smoke ? 20 : 1_000;
  const cadenceS = scale.smoke ? 4 : 60;
  const idleMs = scale.smoke ? 2_000 : 5_000;
  // Long enough for every incident to be due an automatic update after the last one is declared.
  const windowMs = (cadenceS + (scale.smoke ? 3 : 10)) * 1_000;
  const slack = new FakeSlack();
  const dir = mkdtempSync(join(tmpdir(), 'planb-memory-'));
  const probe = join(dir, 'probe.cjs');
  const usageFile = join(dir, 'usage.jsonl');
  writeFileSync(probe, PROBE);
  let redis: RedisServer | undefined;
  let planb: PlanbProcess | undefined;
  try {
    await slack.start();
    redis = await startRedisServer();
    const nodeOptions = [`--require ${probe}`, ...(options.nodeOptions === undefined ? [] : [options.nodeOptions])].join(' ');
    planb = await startPlanb({
      slackApiUrl: slack.apiUrl,
      redisUrl: redis.url,
      prefix: PREFIX,
      env: { PLANB_API_TOKEN: API_TOKEN, NODE_OPTIONS: nodeOptions, PLANB_BENCH_MEMORY_FILE: usageFile },
      ...(options.flags === undefined ? {} : { flags: options.flags }),
    });
    const running = planb;
    // A timer or command that lost the race for the incidents stream too often is only logged (code "busy").
    let busyLogged = 0;
    running.child.stderr?.on('data', (chunk: string) => (busyLogged += chunk.split('"code":"busy"').length - 1));

    const idle = await sampleRss(running, idleMs);
    const idleUsage = readUsage(usageFile).at(-1);

    const loaded: number[] = [];
    let declaring = true;
    // Throughout the declaring too: the peak may come before the last incident is open.
    const sampling = (async () => {
      while (declaring) await sampleRss(running, SAMPLE_MS, loaded);
    })();
    const firstDeclare = Date.now();
    const declared = await declareAll(running, slack, incidents, cadenceS).finally(() => (declaring = false));
    const declaredMs = Date.now() - firstDeclare;
    await sampling;

    const windowStart = Date.now();
    const before = await scrape(running.base);
    const window = await sampleRss(running, windowMs);
    const after = await scrape(running.base);
    const [peakUsage] = readUsage(usageFile)
      .filter((usage) => usage.at >= firstDeclare)
      .sort((a, b) => b.rss - a.rss);

    await checkOpen(running.base, incidents);
    const updates = slack.calls.filter((call) => call.at >= windowStart && String(call.args['text']).startsWith('Update: Bench incident '));
    const updated = new Set(updates.map((call) => call.args['channel'])).size;
    const stored = await redisState(redis.url);
    const fired = after.lagCount - before.lagCount;

    return {
      bench: 'memory',
      figures: [
        { name: 'RSS idle, median', value: median(idle), unit: 'MB' },
        { name: `RSS max while declaring ${incidents} (${CONCURRENCY} at once)`, value: Math.max(...loaded), unit: 'MB' },
        { name: `RSS max, ${incidents} active incidents on their cadence`, value: Math.max(...window), unit: 'MB', target: { below: TARGET_MB } },
        { name: `RSS median, ${incidents} active incidents on their cadence`, value: median(window), unit: 'MB' },
        { name: 'V8 heap used at the peak', value: (peakUsage?.heapUsed ?? Number.NaN) / MB, unit: 'MB' },
        { name: `Redis used_memory, ${incidents} incidents`, value: stored.usedMb, unit: 'MB' },
        { name: `declare to opening line, first ${EDGE}, p50`, value: median(declared.latencies.slice(0, EDGE)), unit: 'ms' },
        { name: `declare to opening line, last ${EDGE}, p50`, value: median(declared.latencies.slice(-EDGE)), unit: 'ms' },
        { name: `incidents updated automatically in the ${windowMs / 1_000} s window`, value: updated, unit: 'count' },
        { name: 'timer lag in the window, mean', value: (after.lagSum - before.lagSum) / fired, unit: 's' },
      ],
      notes: [
        `${incidents} incidents declared by signed /incident declare slash commands (severity=2 updates=${cadenceS}s, each in its own channel), ${CONCURRENCY} people at once, each waiting for the opening line in Slack before the next: ${(declaredMs / 1_000).toFixed(1)} s in all; ${declared.busy} declares were refused "${BUSY}…" and sent again; ${busyLogged} "busy" outcomes logged by the process (a timer's is retried by its queue).`,
        `RSS from /proc every ${SAMPLE_MS} ms: idle over ${idleMs / 1_000} s after /readyz; the max while declaring (a burst of commands, not the steady state the target is about); the max and median over the ${windowMs / 1_000} s window after the last declare, in which every incident is due an automatic update (${updates.length} posted, by ${updated} of ${incidents} incidents; ${fired} timers fired; at its end ${stored.outbox} outbox entries not yet relayed to BullMQ and ${after.deliveriesWaiting} deliveries waiting).`,
        `Idle: ${breakdown(idleUsage)}.`,
        `At the peak: ${breakdown(peakUsage)}.`,
        `Declare cost: from the slash command to its opening line accepted by the fake Slack. Commands and timers fold only the events since their last read (the folded-state cache), so it should not grow with the incidents (first ${EDGE} vs last ${EDGE}).`,
        options.flags === undefined ? `planb serve ran with the image's Node flags: ${NODE_FLAGS.join(' ')}.` : `planb serve ran with the Node flags ${options.flags.join(' ')} (not the image's).`,
        ...(options.nodeOptions === undefined ? [] : [`planb serve ran with NODE_OPTIONS ${options.nodeOptions}.`]),
      ],
    };
  } finally {
    await planb?.kill();
    await slack.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
