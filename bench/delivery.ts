/**
 * Issue 12's delivery bench: a maintenance heads-up to many channels at once, with Slack's per-channel rate limit
 * (one message a second) enforced by the fake Web API. Each channel gets its window's announcement, two reminders
 * and, at the start, the "has started" notice and the announcement edited. All windows start at the same moment,
 * so the reminders and the start fall due in every channel together, each a second after the one before: any
 * delay, and the two messages due at the start, meet the rate limit.
 */
import { FakeSlack } from '../test/support/fake-slack.js';
import type { SlackCall } from '../test/support/fake-slack.js';
import { startRedisServer } from '../test/support/redis-server.js';
import type { RedisServer } from '../test/support/redis-server.js';
import { sign, slashCommandBody } from '../test/support/slack-requests.js';
import { until } from '../test/support/until.js';
import { startPlanb } from './planb-process.js';
import type { PlanbProcess } from './planb-process.js';
import { quantile } from './report.js';
import type { BenchResult, Scale } from './report.js';

/** Slack's "special" tier for chat.postMessage: about one message a second per channel. */
const PER_CHANNEL_PER_SECOND = 1;
/** Reminders before the start, in seconds: `remind=2s,1s`. */
const REMINDERS = [2, 1] as const;
/** After the last expected message, how long more the fake is watched for a duplicate before checking. */
const QUIET_MS = 1_500;

interface Expected {
  readonly what: string;
  readonly method: 'chat.postMessage' | 'chat.update';
  readonly matches: (text: string) => boolean;
}

/** What window `n`'s channel must receive, in this order. */
const expected = (n: number): readonly Expected[] => [
  { what: 'announcement', method: 'chat.postMessage', matches: (text) => text.startsWith(`Planned maintenance: Heads-up ${n}:`) },
  ...REMINDERS.map(
    (seconds): Expected => ({
      what: `reminder ${seconds}s before`,
      method: 'chat.postMessage',
      matches: (text) => text.startsWith(`Reminder: maintenance "Heads-up ${n}"`) && text.includes(`, in ${seconds}s.`),
    }),
  ),
  { what: 'start notice', method: 'chat.postMessage', matches: (text) => text.startsWith(`Maintenance "Heads-up ${n}"`) && text.includes(' has started') },
  { what: 'announcement edited', method: 'chat.update', matches: (text) => text.startsWith(`Maintenance in progress: Heads-up ${n}:`) },
];

const PER_CHANNEL = expected(0).length;

const channelOf = (n: number): string => `C0CHAN${n}`;

/** Messages posted or edited in `channel`, in the order the fake accepted them. */
const messagesIn = (slack: FakeSlack, channel: string): SlackCall[] =>
  slack.calls.filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && call.args['channel'] === channel);

/** Each channel got exactly its messages, each once, in order, and the edit is of its announcement; throws otherwise. */
const check = (slack: FakeSlack, channels: number): void => {
  for (let n = 1; n <= channels; n += 1) {
    const got = messagesIn(slack, channelOf(n));
    const want = expected(n);
    const seen = (): string => got.map((call) => `${call.method} ${String(call.args['text'])}`).join(' | ');
    if (got.length !== want.length) throw new Error(`${channelOf(n)}: expected ${want.length} messages, got ${got.length}: ${seen()}`);
    want.forEach((message, index) => {
      const call = got[index];
      if (call?.method !== message.method || !message.matches(String(call.args['text']))) throw new Error(`${channelOf(n)}: message ${index + 1} should be the ${message.what}; got: ${seen()}`);
    });
    const announced = got[0]?.reply?.['ts'];
    if (got.at(-1)?.args['ts'] !== announced) throw new Error(`${channelOf(n)}: the edit is not of the announcement (ts ${String(announced)}): ${seen()}`);
  }
};

export const run = async (scale: Scale): Promise<BenchResult> => {
  const channels = scale.smoke ? 5 : 50;
  // Every window must be scheduled before its first reminder is due, or that reminder is skipped (and the check fails).
  const leadMs = Math.max(...REMINDERS) * 1_000 + Math.max(2_000, channels * 80);
  const slack = new FakeSlack();
  let redis: RedisServer | undefined;
  let planb: PlanbProcess | undefined;
  try {
    await slack.start();
    slack.rateLimit = { perChannelPerSecond: PER_CHANNEL_PER_SECOND };
    redis = await startRedisServer();
    planb = await startPlanb({ slackApiUrl: slack.apiUrl, redisUrl: redis.url, prefix: 'bench-delivery' });
    const base = planb.base;

    const first = Date.now();
    const start = new Date(first + leadMs).toISOString();
    // One after another, each once confirmed, as a person would: commands racing on the one stream of windows
    // lose its optimistic lock and some give up ("Too many people pressed at once"), which is not what this measures.
    for (let n = 1; n <= channels; n += 1) {
      const text = `schedule "Heads-up ${n}" at ${start} for 1h in <#${channelOf(n)}|heads-up-${n}> remind=${REMINDERS.map((seconds) => `${seconds}s`).join(',')}`;
      const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/maintenance', text, channel: channelOf(n), responseUrl: slack.responseUrl(`w${n}`) }));
      const answer = await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
      if (answer.status !== 200) throw new Error(`/maintenance schedule for ${channelOf(n)} answered ${answer.status}`);
      await until(() => slack.responses.length >= n, 10_000, () => `window ${n} not confirmed`);
    }
    const scheduledMs = Date.now() - first;
    const reminders = `Reminders ${REMINDERS.map((seconds) => `${seconds}s`).join(', ')} before the start.`;
    const late = slack.responses.filter((response) => !String(response.body['text']).includes(reminders));
    if (late.length > 0) throw new Error(`${late.length} windows were not scheduled with both reminders ahead (scheduling took ${scheduledMs} ms of a ${leadMs} ms lead): ${JSON.stringify(late.map((response) => response.body['text']))}`);

    const total = channels * PER_CHANNEL;
    const delivered = (): SlackCall[] => Array.from({ length: channels }, (_, index) => messagesIn(slack, channelOf(index + 1))).flat();
    await until(() => delivered().length >= total, leadMs + 120_000, () => `${delivered().length} of ${total} messages delivered; ${planb?.logs() ?? ''}`);
    const last = Math.max(...delivered().map((call) => call.at));
    await new Promise((wake) => setTimeout(wake, QUIET_MS));
    check(slack, channels);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const outcome = (name: string): number => Number(new RegExp(`^planb_deliveries_total\\{platform="slack",outcome="${name}"\\} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);

    // The burst: from the first reminder due to the last message, the reminders, the start notices and the edits.
    const burstFrom = first + leadMs - Math.max(...REMINDERS) * 1_000;
    const burst = channels * (PER_CHANNEL - 1);
    const burstS = (last - burstFrom) / 1_000;
    // Under the rate limit a channel's edit cannot go out sooner than a second after its start notice.
    const idealS = Math.max(...REMINDERS) + 1 / PER_CHANNEL_PER_SECOND;
    // Per channel, when its last message (the edit) went out, counted from the start: ideally 1 s.
    const done = Array.from({ length: channels }, (_, index) => (Math.max(...messagesIn(slack, channelOf(index + 1)).map((call) => call.at)) - first - leadMs) / 1_000);
    return {
      bench: 'delivery',
      figures: [
        { name: `throughput, heads-up burst to ${channels} channels`, value: burst / burstS, unit: 'msg/s' },
        { name: 'burst time / rate-limit ideal', value: burstS / idealS, unit: 'x' },
        { name: 'time to deliver all, first command to last message', value: (last - first) / 1_000, unit: 's' },
        { name: 'channel done after the start, p50', value: quantile(done, 0.5), unit: 's' },
        { name: 'channel done after the start, max', value: Math.max(...done), unit: 's' },
        { name: '429s from the per-channel rate limit', value: slack.refused.rateLimited, unit: 'count' },
      ],
      notes: [
        `${channels} channels, ${PER_CHANNEL} messages each (announcement, reminders ${REMINDERS.join('s and ')}s before the start, "has started", the announcement edited): ${total} messages; the fake Slack accepts ${PER_CHANNEL_PER_SECOND} chat.postMessage or chat.update per channel per second and answers 429 with Retry-After (whole seconds, rounded up, as Slack does) to the rest.`,
        `${channels} maintenance windows scheduled by signed /maintenance slash commands, one after another (each once confirmed), all confirmed ${scheduledMs} ms after the first; every window starts ${leadMs / 1_000} s after the first command.`,
        `The burst: the ${burst} messages due from the first reminder on (${PER_CHANNEL - 1} a channel), measured from the moment the first reminder is due to the last message the fake accepted; ideal under the rate limit ${idealS} s (the edit cannot follow the start notice in its channel sooner), i.e. ${(burst / idealS).toFixed(1)} msg/s. "Channel done": when a channel's last message went out, counted from the start (ideal ${1 / PER_CHANNEL_PER_SECOND} s).`,
        `Delivery job runs (planb_deliveries_total): ${outcome('delivered')} delivered, ${outcome('rate_limited')} put back for Retry-After, ${outcome('waiting_turn')} stepped aside to wait for the message before them in their channel.`,
        `Checked: every channel got exactly its ${PER_CHANNEL} messages, each once, in order, the edit on the announcement (watched ${QUIET_MS} ms more for duplicates).`,
      ],
    };
  } finally {
    await planb?.kill();
    await slack.stop();
    await redis?.stop();
  }
};
