/**
 * `npm run drill [-- --seed N] [--smoke | --heavy] [--logs <file>]`: issue 12's chaos drill on real processes. Three
 * `planb serve` replicas on one Redis (AOF, fsync always) run releases, incidents and maintenance windows driven by
 * signed Slack requests, while replicas die by SIGKILL, Redis crashes and comes back once, and the fake Slack answers
 * 429, 500 or nothing at all to 30% of calls. Then it checks that no event was lost, every message reached Slack exactly
 * once and every timer fired exactly once; exit 1 when not. Writes bench/drill-results.json.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DeliveryJob, TimerJob } from '../src/adapters/bullmq/queues.js';
import { deliveryQueueName, requestQueueName, TIMER_QUEUE } from '../src/adapters/bullmq/queues.js';
import { redisKeys } from '../src/adapters/redis/keys.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { Cluster } from './drill-cluster.js';
import type { Queues } from './drill-checks.js';
import { checkMessages, conversations, EventLedger, settle } from './drill-checks.js';
import type { DrillRunbook, Pace } from './drill-config.js';
import { FULL_PACE, HEAVY_PACE, SMOKE_PACE, writeDrillConfig } from './drill-config.js';
import { Api, People } from './drill-people.js';
import { Random, sleep } from './drill-random.js';
import { checkTimers } from './drill-timers.js';
import type { Lanes } from './drill-workload.js';
import { Workload } from './drill-workload.js';
import type { DrillReport } from './drill-report.js';
import { asBenchResult, explainLost, failures } from './drill-report.js';
import { quantile, table } from './report.js';

export type { DrillReport };

export interface DrillOptions {
  readonly smoke: boolean;
  readonly seed: number;
  /** People in a hurry (about 4 messages a second instead of 2, a lane's in one channel): deliveries fall behind. */
  readonly heavy?: boolean;
  /** Where to write what every replica logged once it was up, the killed ones' too. */
  readonly logsTo?: string;
}

interface Scale {
  readonly pace: Pace;
  readonly replicas: number;
  /** Lanes start new work until then (they finish what they are doing). */
  readonly workloadMs: number;
  readonly kills: number;
  /** Kills fall at random moments in this span from the start of the workload. */
  readonly killSpanMs: readonly [number, number];
  /** When Redis crashes, and for how long. */
  readonly redisCrashAtMs: number;
  readonly redisDownMs: readonly [number, number];
  /** How long a killed replica stays dead before its replacement starts. */
  readonly pauseMs: readonly [number, number];
  readonly settleMs: number;
  readonly lanes: (runbooks: ReturnType<typeof writeDrillConfig>['runbooks']) => Lanes;
}

const releaseLanes = (runbooks: readonly DrillRunbook[]): Lanes['releases'] =>
  runbooks.map((runbook) => ({ runbook, channel: `C0${runbook.name.toUpperCase().replace(/-/g, '')}` }));

const FULL: Scale = {
  pace: FULL_PACE,
  replicas: 3,
  workloadMs: 240_000,
  kills: 50,
  killSpanMs: [3_000, 235_000],
  redisCrashAtMs: 110_000,
  redisDownMs: [1_500, 3_000],
  pauseMs: [300, 3_000],
  settleMs: 180_000,
  lanes: (runbooks) => ({ releases: releaseLanes(runbooks), incidents: ['C0INC1', 'C0INC2'], windows: 1, channelPerItem: true }),
};

/**
 * `--heavy`: people in a hurry, one more incident lane, every lane in one channel: about 4 messages a second, up to
 * 0.7 a second in one conversation, under the same chaos. Deliveries fall hundreds of messages behind during the
 * chaos (each conversation's messages go out one after the other, and every third call fails) and catch up after it.
 */
const HEAVY: Scale = { ...FULL, pace: HEAVY_PACE, lanes: (runbooks) => ({ releases: releaseLanes(runbooks), incidents: ['C0INC1', 'C0INC2', 'C0INC3'], windows: 1, channelPerItem: false }) };

const SMOKE: Scale = {
  pace: SMOKE_PACE,
  replicas: 3,
  workloadMs: 0,
  kills: 3,
  killSpanMs: [1_500, 9_000],
  redisCrashAtMs: 5_000,
  redisDownMs: [300, 600],
  pauseMs: [200, 1_000],
  settleMs: 45_000,
  lanes: (runbooks) => ({ releases: releaseLanes(runbooks.filter((runbook) => runbook.name === 'web-deploy')), incidents: ['C0INC1'], windows: 1, channelPerItem: true }),
};

const CHAOS_RATIO = 0.3;
const CHAOS_TIMEOUT_MS = 2_500;
const SNAPSHOT_EVERY_MS = 2_000;
/** Of the kills, this share falls right after a replica acknowledged a request (while it carries the command out). */
const AFTER_ACK_SHARE = 1 / 3;
const API_TOKEN = 'drill-api-token-0123456789abcdef';
const PREFIX = 'drill';

/** Kills at random moments (a third right after an acknowledgement) and the Redis crash, until `stopped()`. */
const chaos = async (cluster: Cluster, people: People, ledger: EventLedger, random: Random, scale: Scale, started: number, stopped: () => boolean): Promise<void> => {
  const plan = [
    ...Array.from({ length: scale.kills }, () => ({ at: random.between(scale.killSpanMs[0], scale.killSpanMs[1]), crash: false })),
    { at: scale.redisCrashAtMs, crash: true },
  ].sort((a, b) => a.at - b.at);
  for (const step of plan) {
    while (Date.now() < started + step.at || (!step.crash && cluster.live().length < 2)) {
      if (stopped()) return;
      await sleep(Math.min(100, started + step.at - Date.now()));
    }
    if (step.crash) {
      // What was there just before is what must be there after.
      await ledger.snapshot();
      await cluster.crashRedis(random.between(scale.redisDownMs[0], scale.redisDownMs[1]));
      continue;
    }
    let victim = random.pick(cluster.live());
    if (random.chance(AFTER_ACK_SHARE)) {
      const acked = await Promise.race([people.nextAck(), sleep(3_000).then(() => undefined)]);
      await sleep(random.between(0, 40));
      if (acked && cluster.live().includes(acked)) victim = acked;
    }
    if (cluster.live().includes(victim)) await cluster.kill(victim, random.between(scale.pauseMs[0], scale.pauseMs[1]));
  }
};

export const runDrill = async (options: DrillOptions): Promise<DrillReport> => {
  const scale = options.smoke ? SMOKE : options.heavy ? HEAVY : FULL;
  const began = Date.now();
  const seeds = new Random(options.seed);
  const [chaosRandom, pickRandom, workRandom, killRandom] = [seeds.fork(), seeds.fork(), seeds.fork(), seeds.fork()];
  const dir = mkdtempSync(join(tmpdir(), 'planb-drill-'));
  const { config, runbooks } = writeDrillConfig(dir, scale.pace);
  const keys = redisKeys(PREFIX);
  const slack = new FakeSlack();
  let cluster: Cluster | undefined;
  let redis: Redis | undefined;
  let bull: Redis | undefined;
  let queues: Queues | undefined;
  let snapshotting = true;
  let snapshots: Promise<void> | undefined;
  try {
    await slack.start();
    cluster = await Cluster.start({ replicas: scale.replicas, slackApiUrl: slack.apiUrl, prefix: PREFIX, config, env: { PLANB_API_TOKEN: API_TOKEN }, random: pickRandom });
    // The drill's own connection: quick to give up while Redis is away, quick to come back.
    redis = new Redis(cluster.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    redis.on('error', () => undefined);
    const ledger = new EventLedger(redis, keys);
    const people = new People(cluster, slack, new Api(cluster, API_TOKEN));
    slack.chaos = { ratio: CHAOS_RATIO, timeoutMs: CHAOS_TIMEOUT_MS, random: () => chaosRandom.next(), lostAnswers: true };
    snapshots = (async () => {
      while (snapshotting) {
        await ledger.snapshot();
        await sleep(SNAPSHOT_EVERY_MS);
      }
    })();

    const started = Date.now();
    const workload = new Workload(people, scale.pace, started + scale.workloadMs);
    let working = true;
    const storm = chaos(cluster, people, ledger, killRandom, scale, started, () => !working);
    try {
      await workload.run(scale.lanes(runbooks), workRandom);
    } finally {
      working = false;
      await storm;
    }
    const workedS = (Date.now() - started) / 1_000;
    const backlog = (await conversations(redis, keys).catch(() => [])).reduce((sum, talk) => sum + talk.owed - talk.delivered, 0);

    // The storm is over: Slack answers again, every replica is back; what was owed must now go out.
    slack.chaos = undefined;
    await cluster.replaced();
    const connection = new Redis(cluster.redisUrl, { maxRetriesPerRequest: null });
    bull = connection;
    const queueOptions = { connection, prefix: keys.bull };
    queues = { timers: new Queue<TimerJob>(TIMER_QUEUE, queueOptions), deliveries: new Queue<DeliveryJob>(deliveryQueueName('slack'), queueOptions), requests: new Queue(requestQueueName('slack'), queueOptions) };
    const settleStarted = Date.now();
    const left = await settle(redis, keys, queues, scale.settleMs);
    const settled = left === '';
    const settleS = (Date.now() - settleStarted) / 1_000;
    snapshotting = false;
    await snapshots;
    await ledger.snapshot();

    const now = Date.now();
    // A request the bot accepted and then gave up on (every attempt failed): lost after the ack, whatever people did next.
    const givenUp = await queues.requests.getJobs(['failed'], 0, -1);
    const requestProblems = givenUp.map((job) => `request ${job.id ?? ''} accepted, then given up after ${job.attemptsMade} attempts: ${job.failedReason ?? ''}`);
    const lostCommands = await explainLost(people.lost, queues.requests, cluster);
    const events = await ledger.check();
    const messages = await checkMessages(redis, keys, queues.deliveries, slack, cluster.killedAt);
    const timers = await checkTimers(events.log, now, scale.pace.graceMs, redis, keys, queues.timers);
    const { log: _log, problems: eventProblems, ...eventFigures } = events;
    const { problems: messageProblems, ...messageFigures } = messages;
    const { problems: timerProblems, lagMs, ...timerFigures } = timers;
    const { refused } = slack;
    return {
      seed: options.seed,
      smoke: options.smoke,
      heavy: options.heavy === true && !options.smoke,
      durationS: (Date.now() - began) / 1_000,
      settled,
      kills: cluster.kills,
      redisRestarts: cluster.redisRestarts,
      replicaStarts: cluster.starts,
      slack: { calls: slack.calls.length, refused: { ...refused } },
      work: workload.counts,
      commands: { ...people.counts, givenUp: givenUp.length },
      events: eventFigures,
      messages: { ...messageFigures, backlogWhenCalm: backlog, settleS },
      timers: { ...timerFigures, lagP50Ms: quantile(lagMs, 0.5), lagMaxMs: lagMs.length === 0 ? 0 : Math.max(...lagMs) },
      lostCommands,
      problems: [...(settled ? [] : [`not settled within ${scale.settleMs / 1_000} s: ${left}`]), ...requestProblems, ...eventProblems, ...messageProblems, ...timerProblems],
      notes: [
        `Seed ${options.seed}${options.smoke ? ' (smoke)' : options.heavy ? ' (heavy)' : ''}: the plan (kill moments and victims, chaos draws, what people do) is repeatable; the timing of real processes is not, so the figures vary a little from run to run.`,
        `${scale.replicas} \`planb serve\` replicas (dist/cli.js) on one redis-server (appendonly, appendfsync always), one fake Slack Web API. Workload ${workedS.toFixed(0)} s, ${(messageFigures.owed / workedS).toFixed(1)} messages a second in ${messageFigures.conversations} conversations: ${workload.counts.releases} releases (${scale.lanes(runbooks).releases.map((lane) => lane.runbook.name).join(', ')}; every step started, done and confirmed by two people, preflight and point of no return acknowledged), ${workload.counts.incidents} incidents (timebox ${scale.pace.incident.timeboxS.join('-')} s, updates every ${scale.pace.incident.updatesS} s; half extended, half updated by hand, then decided and resolved), ${workload.counts.windows} maintenance windows (reminder, start, ending soon, end by the bot alone); ${people.counts.acts} things people did.`,
        `Chaos: ${cluster.kills} SIGKILLs of replicas at random moments (${Math.round(AFTER_ACK_SHARE * 100)}% of them 0-40 ms after a replica acknowledged a request), each replaced after ${scale.pauseMs.map((ms) => ms / 1_000).join('-')} s; Redis killed (SIGKILL) ${cluster.redisRestarts}× at ${scale.redisCrashAtMs / 1_000} s and started again on its port and AOF after ${scale.redisDownMs.map((ms) => ms / 1_000).join('-')} s; ${Math.round(CHAOS_RATIO * 100)}% of Web API calls answered 429 (${refused.chaos429}), 500 (${refused.chaos500}) or held ${CHAOS_TIMEOUT_MS / 1_000} s and dropped (${refused.chaosTimeout}); of the failing posts and edits one in four was carried out and then its answer lost the same way (${refused.chaosLostAnswer}); of ${slack.calls.length + refused.chaos429 + refused.chaos500 + refused.chaosTimeout} calls. Chaos stops with the workload; then ${settleS.toFixed(0)} s to settle (Slack answering again).`,
        `A chaos failure is a call Slack did not carry out, except the lost answers: posted, but the bot never hears so. chat.postMessage has no idempotency key; a delivery whose post went unanswered (that, or its replica killed between Slack accepting and Redis recording) first looks for the message's key (its metadata) in the channel's history or the thread's replies, and records what it finds (${messageFigures.recovered} found so) instead of posting again. File shares carry no metadata and are not simulated losing their answer (README, "How nothing is lost").`,
        'Requests go to a random live replica; one not acknowledged within 3 s (dead, or killed while answering) is sent again with the same body and trigger id to another, up to 3 times, as Slack does. A command acknowledged (200) and then never carried out shows nowhere, so people look for its effect in the JSON API for 20 s (whether or not the replica that acknowledged it is still alive) and do it again: counted as "acked but not carried out". A request the bot kept and then gave up on (every attempt failed) is counted apart.',
        `Events: every stream read every ${SNAPSHOT_EVERY_MS / 1_000} s and just before the Redis crash (${eventFigures.snapshots} snapshots); at the end each entry seen is still there, unchanged, versions and positions have no gap, and each aggregate's events are its entries in the global log.`,
        `Messages: per conversation, every delivery numbered by the outbox (1…its sequence counter) has its job, done, and the fake Slack accepted that content under the message's key (Slack message metadata); no key posted twice, no file shared more often than owed. Repeated edits with the same content (harmless): ${messageFigures.repeatedEdits}.`,
        `Timers: every deadline, warning, escalation, update due, nudge, reminder, window start/end, step expectation and post-mortem the events set, not overtaken within ${scale.pace.graceMs / 1_000} s of coming due, has its event exactly once (${timerFigures.overtaken} cancelled or moved before they came due, ${timerFigures.ambiguous} overtaken within that grace: left out); none still current in Redis with its job gone. Lag p50 ${quantile(lagMs, 0.5).toFixed(0)} ms.`,
      ],
    };
  } finally {
    snapshotting = false;
    await snapshots;
    if (options.logsTo !== undefined && cluster) writeFileSync(options.logsTo, cluster.logs());
    await Promise.all(Object.values(queues ?? {}).map((queue: Queue) => queue.close()));
    redis?.disconnect();
    bull?.disconnect();
    await cluster?.stop();
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

const argument = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
};

const main = async (): Promise<number> => {
  const smoke = process.argv.includes('--smoke');
  const heavy = process.argv.includes('--heavy');
  const seed = Number(argument('--seed') ?? 1);
  if (!Number.isInteger(seed)) {
    process.stderr.write('--seed takes a whole number.\n');
    return 2;
  }
  const logsTo = argument('--logs');
  process.stderr.write(`drill${smoke ? ' (smoke)' : heavy ? ' (heavy)' : ''}, seed ${seed}...\n`);
  const report = await runDrill({ smoke, seed, heavy, ...(logsTo === undefined ? {} : { logsTo }) });
  process.stdout.write(`${table([asBenchResult(report)])}\n\n`);
  for (const note of report.notes) process.stdout.write(`${note}\n`);
  if (report.timers.late.length > 0) process.stdout.write(`\nTimers that fired more than 5 s late:\n${report.timers.late.map((line) => `- ${line}`).join('\n')}\n`);
  if (report.lostCommands.length > 0) process.stdout.write(`\nCommands acknowledged and not carried out within 20 s:\n${report.lostCommands.map((line) => `- ${line}`).join('\n')}\n`);
  if (report.problems.length > 0) process.stdout.write(`\nFindings:\n${report.problems.map((problem) => `- ${problem}`).join('\n')}\n`);
  const file = resolve('bench', smoke ? 'drill-results-smoke.json' : heavy ? 'drill-results-heavy.json' : 'drill-results.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), ...report }, null, 2)}\n`);
  const failed = failures(report);
  process.stdout.write(`\nwritten to ${file}\n${failed.length === 0 ? 'drill passed' : `drill FAILED: ${failed.join(', ')}`}\n`);
  return failed.length === 0 ? 0 : 1;
};

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await main();
