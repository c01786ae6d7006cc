/**
 * Issue 12's ack bench: how long Slack waits for `planb serve` to answer a slash command or a button press, at
 * concurrency 16, side by side with a Bolt app that only acks (bench/bare-bolt.ts, the floor), in the same run.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FakeSlack } from '../test/support/fake-slack.js';
import { freePort, startRedisServer } from '../test/support/redis-server.js';
import type { RedisServer } from '../test/support/redis-server.js';
import { blockActionsBody, nextTrigger, sign, SIGNING_SECRET, slashCommandBody } from '../test/support/slack-requests.js';
import { until } from '../test/support/until.js';
import { startPlanb } from './planb-process.js';
import type { PlanbProcess } from './planb-process.js';
import { quantile } from './report.js';
import type { BenchResult, Figure, Scale } from './report.js';

const CONCURRENCY = 16;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RELEASE = 'web-deploy-1';

/** `retry`: Slack delivering a slash command again (X-Slack-Retry-Num), which Plan B recognises as the request it already holds and acks: its ack alone. */
type Kind = 'slash' | 'button' | 'retry';
const KINDS: readonly Kind[] = ['slash', 'button', 'retry'];
type Side = 'ours' | 'bare';

/** Where requests go: the app's /slack/events and a keep-alive pool of at most CONCURRENCY connections to it. */
interface Endpoint {
  readonly side: Side;
  readonly port: number;
  readonly agent: Agent;
}

/** Slash commands alternate between these two: both read the release from Redis and answer with an ephemeral reply. */
const SLASH_TEXTS = ['status', 'list'] as const;

/** The trigger_id of the one slash command (run during setup) that every `retry` request delivers again. */
const RETRIED = nextTrigger();

const slashBody = (text: string, slack: FakeSlack, replyTo: string, trigger = nextTrigger()): string =>
  slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/release', text, responseUrl: slack.responseUrl(replyTo), trigger });

/** Bob accepted during setup: pressing Accept again is a stale button, answered "already accepted" after the ack. */
const staleAcceptBody = (slack: FakeSlack, replyTo: string): string =>
  blockActionsBody({ user: 'U0BOB', userName: 'bob', actionId: 'release_accept', value: JSON.stringify({ release: RELEASE }), messageTs: '1700000002.000100', responseUrl: slack.responseUrl(replyTo), trigger: nextTrigger() });

/** The `index`th request of `kind`; replies go to the response URL `replyTo`. */
const requestOf = (kind: Kind, index: number, slack: FakeSlack, replyTo: string): { body: string; headers?: Record<string, string> } => {
  if (kind === 'button') return { body: staleAcceptBody(slack, replyTo) };
  if (kind === 'retry') return { body: slashBody('status', slack, replyTo, RETRIED), headers: { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } };
  return { body: slashBody(SLASH_TEXTS[index % SLASH_TEXTS.length] ?? 'status', slack, replyTo) };
};

/** POSTs a signed body; resolves with the status and the ms from sending to the end of the answer. */
const post = (endpoint: Endpoint, body: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> => {
  const signed = sign(body);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { host: '127.0.0.1', port: endpoint.port, path: '/slack/events', method: 'POST', agent: endpoint.agent, headers: { ...signed.headers, ...headers, 'Content-Length': Buffer.byteLength(signed.body) } },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(signed.body);
  });
};

/** Sends `count` requests of `kind`, CONCURRENCY in flight at any time: the latencies of those answered 200, and what went wrong with the others. */
const load = async (endpoint: Endpoint, kind: Kind, count: number, slack: FakeSlack, replyTo: string): Promise<{ latencies: number[]; failures: string[] }> => {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < count; index = next++) {
      try {
        const { body, headers } = requestOf(kind, index, slack, replyTo);
        const answer = await post(endpoint, body, headers);
        if (answer.status === 200) latencies.push(answer.ms);
        else failures.push(`HTTP ${answer.status}`);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, failures };
};

const repliesTo = (slack: FakeSlack, id: string): number => slack.responses.filter((response) => response.id === id).length;

/**
 * Our work after the ack must be over before the next phase, or it would slow down the floor's: every command and
 * press on Plan B (retries aside) ends in exactly one ephemeral reply to its response URL, so wait for all of them
 * (also proving that the work was really done).
 */
const drained = (slack: FakeSlack, id: string, expected: number): Promise<void> =>
  until(() => repliesTo(slack, id) >= expected, 60_000 + expected * 50, () => `${repliesTo(slack, id)} of ${expected} replies to ${id}`);

const stopChild = async (child: ChildProcess | undefined): Promise<void> => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGKILL');
  await exited;
};

/** The floor: bench/bare-bolt.ts as its own process, up once it says it listens. */
const startBareBolt = async (port: number): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-bolt.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', PORT: String(port), SLACK_SIGNING_SECRET: SIGNING_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
  try {
    await until(() => output.includes(`listening ${port}`) || child.exitCode !== null, 20_000, () => `bare Bolt app: ${output}`);
    if (child.exitCode !== null) throw new Error(`bare Bolt app exited with ${child.exitCode}:\n${output}`);
    return child;
  } catch (error) {
    await stopChild(child);
    throw error;
  }
};

/**
 * A release in #releases for the commands to show, accepted by Bob so that his presses of Accept are stale, and the
 * first delivery of the slash command that `retry` requests deliver again.
 */
const setUp = async (ours: Endpoint, slack: FakeSlack): Promise<void> => {
  const must = async (body: string): Promise<void> => {
    const answer = await post(ours, body);
    if (answer.status !== 200) throw new Error(`setup request answered ${answer.status}`);
  };
  await must(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/release', text: 'start web-deploy version=1.2.3 confirmer=<@U0BOB|bob>', responseUrl: slack.responseUrl('setup') }));
  await until(() => slack.callsOf('chat.postMessage').some((call) => String(call.args['text']).includes(`(${RELEASE})`)), 15_000, () => 'no release card');
  await must(blockActionsBody({ user: 'U0BOB', userName: 'bob', actionId: 'release_accept', value: JSON.stringify({ release: RELEASE }), messageTs: '1700000002.000100', responseUrl: slack.responseUrl('setup') }));
  await until(() => slack.callsOf('chat.postMessage').some((call) => String(call.args['text']).includes('accepted to confirm')), 15_000, () => 'Bob did not accept');
  await must(slashBody('status', slack, 'setup-retried', RETRIED));
  await drained(slack, 'setup-retried', 1);
};

const ms = (value: number): string => value.toFixed(1);

export const run = async (scale: Scale): Promise<BenchResult> => {
  const perKind = scale.smoke ? 50 : 2000;
  const rounds = scale.smoke ? 2 : 4;
  const warmup = scale.smoke ? CONCURRENCY : 1000;
  const perPhase = Math.ceil(perKind / rounds);

  let redis: RedisServer | undefined;
  let planb: PlanbProcess | undefined;
  let bare: ChildProcess | undefined;
  const slack = new FakeSlack();
  const agents: Agent[] = [];
  const endpoint = (side: Side, port: number): Endpoint => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    agents.push(agent);
    return { side, port, agent };
  };
  try {
    redis = await startRedisServer();
    await slack.start();
    planb = await startPlanb({ slackApiUrl: slack.apiUrl, redisUrl: redis.url, prefix: 'bench-ack' });
    const barePort = await freePort();
    bare = await startBareBolt(barePort);
    const ours = endpoint('ours', planb.port);
    const floor = endpoint('bare', barePort);
    await setUp(ours, slack);

    const latencies: Record<Side, Record<Kind, number[]>> = { ours: { slash: [], button: [], retry: [] }, bare: { slash: [], button: [], retry: [] } };
    const perRound: string[] = [];
    const phase = async (side: Side, kind: Kind, count: number, label: string): Promise<number[]> => {
      const target = side === 'ours' ? ours : floor;
      const { latencies: measured, failures } = await load(target, kind, count, slack, label);
      // A failed request has no latency: leaving it out would flatter the figures, so the run fails instead.
      if (failures.length > 0) throw new Error(`${failures.length} of ${count} requests to the ${side} app failed (${label}): ${[...new Set(failures)].slice(0, 3).join('; ')}`);
      if (side === 'ours' && kind !== 'retry') await drained(slack, label, count);
      return measured;
    };

    // Warm up both (JIT, connection pools, Bolt's and our caches: auth.test, users.info), then drop what was measured.
    for (const kind of KINDS) {
      for (const side of ['ours', 'bare'] as const) await phase(side, kind, warmup, `warmup-${kind}`);
    }
    // ABAB: which app goes first alternates by round, so drift in the machine's load hits both alike.
    for (let round = 0; round < rounds; round += 1) {
      const order: readonly Side[] = round % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
      const p99s: string[] = [];
      for (const kind of KINDS) {
        for (const side of order) {
          const measured = await phase(side, kind, perPhase, `round${round}-${kind}`);
          latencies[side][kind].push(...measured);
          p99s.push(`${side} ${kind} ${ms(quantile(measured, 0.99))}`);
        }
      }
      perRound.push(`round ${round + 1}: ${p99s.join(', ')}`);
    }
    const rerun = slack.responses.filter((response) => response.id.endsWith('-retry')).length;
    if (rerun > 0) throw new Error(`${rerun} Slack retries ran their command again`);

    const figures: Figure[] = [];
    for (const kind of ['slash', 'button'] as const) {
      const name = kind === 'slash' ? 'slash command' : 'button press';
      const p99 = { ours: quantile(latencies.ours[kind], 0.99), bare: quantile(latencies.bare[kind], 0.99) };
      figures.push(
        { name: `ack p50, ${name}`, value: quantile(latencies.ours[kind], 0.5), unit: 'ms' },
        { name: `ack p99, ${name}`, value: p99.ours, unit: 'ms' },
        { name: `bare Bolt ack p50, ${name}`, value: quantile(latencies.bare[kind], 0.5), unit: 'ms' },
        { name: `bare Bolt ack p99, ${name}`, value: p99.bare, unit: 'ms' },
        { name: `ack p99 / bare Bolt p99, ${name}`, value: p99.ours / p99.bare, unit: 'x', target: { below: 1.5 } },
      );
    }
    const retried = { ours: quantile(latencies.ours.retry, 0.99), bare: quantile(latencies.bare.retry, 0.99) };
    figures.push(
      { name: 'ack p99, Slack retry (nothing to do after the ack)', value: retried.ours, unit: 'ms' },
      { name: 'bare Bolt ack p99, Slack retry', value: retried.bare, unit: 'ms' },
      { name: 'ack p99 / bare Bolt p99, Slack retry', value: retried.ours / retried.bare, unit: 'x' },
    );
    const total = perPhase * rounds;
    return {
      bench: 'ack',
      figures,
      notes: [
        `${total} slash commands, ${total} button presses and ${total} retries per app, ${CONCURRENCY} in flight at any time over keep-alive connections, in ${rounds} rounds alternating which app goes first; ${warmup} of each kind per app before, not counted.`,
        'Measured in the bench process from sending a signed request to /slack/events to the end of the HTTP answer (the ack); every one answered 200.',
        `Plan B (the real bin, real Redis, fake Slack Web API) answers /release status and /release list alternately, for one running release, and Bob pressing Accept on ${RELEASE}, which he already accepted: a stale button, acked and then answered "already accepted".`,
        'Slack retry: /release status delivered again with the same trigger_id and X-Slack-Retry-Num, which Plan B accepts as the request it already holds (a queue add with the same job id: no new job) and acks, so it shows our ack path without the work after it.',
        "Each Plan B phase waits until every request's ephemeral reply reached the response URL, so our work after the ack never overlaps the next phase (the fake Slack that receives those replies runs in the bench process).",
        'bare Bolt: @slack/bolt App, HTTPReceiver with the same signing secret, processBeforeResponse false, authorize without a call, listeners that only ack.',
        `p99 per round (ms): ${perRound.join('; ')}.`,
      ],
    };
  } finally {
    for (const agent of agents) agent.destroy();
    await stopChild(bare);
    await planb?.stop();
    await slack.stop();
    await redis?.stop();
  }
};
