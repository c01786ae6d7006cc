/**
 * What the drill checks, on Redis as Plan B left it and on what the fake Slack accepted: no event seen during the
 * run is gone or changed at the end (across the Redis crash too) and every stream is whole; every delivery the
 * outbox numbered reached Slack once; and waiting until all of it has settled.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryJob, TimerJob } from '../src/adapters/bullmq/queues.js';
import type { RedisKeys } from '../src/adapters/redis/keys.js';
import { renderBlockKit } from '../src/adapters/slack/block-kit.js';
import type { FakeSlack, SlackCall } from '../test/support/fake-slack.js';
import { sleep } from './drill-random.js';

type Entry = [id: string, fields: string[]];

/** An event of the global log, as the timer check reads it. */
export interface LoggedEvent {
  readonly stream: string;
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EventFindings {
  /** Events in the global log at the end. */
  readonly total: number;
  readonly streams: number;
  readonly snapshots: number;
  /** Seen in a snapshot during the run, and gone or different at the end. */
  readonly lost: number;
  /** A gap in a stream's versions or the log's positions, or an aggregate's events not exactly once in the log. */
  readonly inconsistent: number;
  readonly problems: readonly string[];
  readonly log: readonly LoggedEvent[];
}

const PLATFORM = 'slack';

const scan = async (redis: Redis, pattern: string): Promise<string[]> => {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
};

const field = (fields: readonly string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};

/** Every stream of events, read again and again during the run, then checked against what is there at the end. */
export class EventLedger {
  snapshots = 0;
  /** stream key → entry id → the entry's fields, as first seen. */
  private readonly seen = new Map<string, Map<string, string>>();
  private readonly problems: string[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private async read(): Promise<Map<string, Entry[]>> {
    const streams = [...(await scan(this.redis, this.keys.stream('*'))), this.keys.global];
    const entries = await Promise.all(streams.map(async (key) => (await this.redis.xrange(key, '-', '+')) as Entry[]));
    return new Map(streams.map((key, index) => [key, entries[index] ?? []]));
  }

  /** Reads every stream and remembers each entry; false when Redis did not answer (it is away). */
  async snapshot(): Promise<boolean> {
    let streams: Map<string, Entry[]>;
    try {
      streams = await this.read();
    } catch {
      return false;
    }
    this.snapshots += 1;
    for (const [key, entries] of streams) {
      const known = this.seen.get(key) ?? new Map<string, string>();
      this.seen.set(key, known);
      for (const [id, fields] of entries) {
        const content = JSON.stringify(fields);
        const before = known.get(id);
        if (before === undefined) known.set(id, content);
        else if (before !== content) this.problems.push(`event ${key} ${id} changed during the run: ${before} → ${content}`);
      }
    }
    return true;
  }

  async check(): Promise<EventFindings> {
    const streams = await this.read();
    const problems = [...this.problems];
    let lost = problems.length;
    for (const [key, known] of this.seen) {
      const now = new Map((streams.get(key) ?? []).map(([id, fields]) => [id, JSON.stringify(fields)]));
      for (const [id, content] of known) {
        if (now.get(id) === content) continue;
        lost += 1;
        problems.push(`event ${key} ${id} seen during the run is ${now.has(id) ? `different now: ${now.get(id) ?? ''}` : 'gone'} (was ${content})`);
      }
    }
    let inconsistent = 0;
    const log = streams.get(this.keys.global) ?? [];
    for (const [key, entries] of streams) {
      entries.forEach(([id], index) => {
        if (id === `0-${index + 1}`) return;
        inconsistent += 1;
        problems.push(`${key}: entry ${index + 1} has id ${id}, not 0-${index + 1}`);
      });
      if (key === this.keys.global) continue;
      // The aggregate's events, in its order, are exactly the log's entries for it.
      const name = key.slice(this.keys.stream('').length);
      const inLog = log.filter(([, fields]) => field(fields, 'stream') === name).map(([, fields]) => field(fields, 'event'));
      const own = entries.map(([, fields]) => field(fields, 'event'));
      if (JSON.stringify(inLog) !== JSON.stringify(own)) {
        inconsistent += 1;
        problems.push(`${name}: its ${own.length} events are not the global log's ${inLog.length} entries for it, in order`);
      }
    }
    return {
      total: log.length,
      streams: streams.size - 1,
      snapshots: this.snapshots,
      lost,
      inconsistent,
      problems,
      log: log.map(([, fields]) => {
        const event = JSON.parse(field(fields, 'event') ?? '{}') as Omit<LoggedEvent, 'stream'>;
        return { stream: field(fields, 'stream') ?? '', id: event.id, type: event.type, at: event.at, data: event.data };
      }),
    };
  }
}

/** Each conversation's sequence counter (deliveries numbered) and delivered counter. */
export const conversations = async (redis: Redis, keys: RedisKeys): Promise<{ channel: string; owed: number; delivered: number }[]> => {
  const [head, tail] = keys.sequence(PLATFORM, '\n').split('\n') as [string, string];
  const sequenceKeys = await scan(redis, `${head}*${tail}`);
  return Promise.all(
    sequenceKeys.map(async (key) => {
      const channel = key.slice(head.length, key.length - tail.length);
      const [owed, delivered] = await redis.mget(key, keys.delivered(PLATFORM, channel));
      return { channel, owed: Number(owed ?? 0), delivered: Number(delivered ?? 0) };
    }),
  );
};

export interface Queues {
  readonly timers: Queue<TimerJob>;
  readonly deliveries: Queue<DeliveryJob>;
  /** Slack requests accepted (acknowledged) and not carried out yet. */
  readonly requests: Queue;
}

/** What is left to do: nothing when every count is 0. */
const pending = async (redis: Redis, keys: RedisKeys, queues: Queues): Promise<Record<string, number>> => {
  const waiting = ['wait', 'active', 'delayed', 'prioritized'] as const;
  const [outbox, inbox, requests, timers, deliveries, talks] = await Promise.all([
    redis.xlen(keys.outbox),
    redis.xlen(keys.inbox),
    queues.requests.getJobCountByTypes(...waiting),
    queues.timers.getJobCountByTypes(...waiting),
    queues.deliveries.getJobCountByTypes(...waiting),
    conversations(redis, keys),
  ]);
  return { 'outbox entries': outbox, 'inbox entries': inbox, requests, 'timer jobs': timers, 'delivery jobs': deliveries, 'messages owed': talks.reduce((sum, talk) => sum + talk.owed - talk.delivered, 0) };
};

/**
 * Waits until nothing is left to relay, no request, timer or delivery job waits, and every conversation's delivered
 * counter has reached its sequence counter. Timers due later would wait too: the workload leaves none. Resolves to
 * what was still left after `timeoutMs` (an empty string when all was done).
 */
export const settle = async (redis: Redis, keys: RedisKeys, queues: Queues, timeoutMs: number): Promise<string> => {
  let left = 'Redis did not answer';
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(500)) {
    try {
      const counts = Object.entries(await pending(redis, keys, queues)).filter(([, count]) => count > 0);
      if (counts.length === 0) return '';
      left = counts.map(([what, count]) => `${count} ${what}`).join(', ');
    } catch {
      // Redis restarting: look again.
    }
  }
  return left;
};

export interface MessageFindings {
  readonly conversations: number;
  /** Deliveries numbered by the outbox (the sum of every conversation's sequence counter). */
  readonly owed: number;
  /** Of those, accepted by Slack as they were (posted, or edited in). */
  readonly delivered: number;
  /** Numbered but never accepted by Slack as they were. */
  readonly lost: number;
  /** A message key posted more than once (or a file shared more often than it was owed). */
  readonly duplicated: number;
  /** Given up after every attempt (logged by the bot as "message dropped"). */
  readonly dropped: number;
  /** Delivered by finding an unanswered post in the conversation instead of posting again. */
  readonly recovered: number;
  /** An edit Slack accepted more often than it was owed: invisible to people (same content), counted apart. */
  readonly repeatedEdits: number;
  readonly problems: readonly string[];
}

const CHAT = new Set(['chat.postMessage', 'chat.update']);

const keyOf = (call: SlackCall): string | undefined => {
  const metadata = call.args['metadata'] as { event_payload?: { key?: unknown } } | undefined;
  return typeof metadata?.event_payload?.key === 'string' ? metadata.event_payload.key : undefined;
};

const group = <T>(items: readonly T[], by: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(by(item), [...(groups.get(by(item)) ?? []), item]);
  return groups;
};

/**
 * Every delivery numbered in a conversation (1…its sequence counter) has its job, finished as delivered, and Slack
 * accepted that message with that content under its key (the message metadata); no key was posted twice.
 */
export const checkMessages = async (redis: Redis, keys: RedisKeys, deliveries: Queue<DeliveryJob>, slack: FakeSlack, killedAt: readonly number[]): Promise<MessageFindings> => {
  const talks = await conversations(redis, keys);
  const jobs = await deliveries.getJobs(['completed', 'failed', 'delayed', 'wait', 'active', 'prioritized', 'waiting-children'], 0, -1);
  const bySequence = group(jobs, (job) => `${job.data.conversation.channel} ${job.data.sequence}`);
  const accepted = slack.calls.filter((call) => CHAT.has(call.method) && call.reply?.['ok'] === true);
  const byKey = group(accepted, (call) => `${String(call.args['channel'])} ${keyOf(call) ?? ''}`);
  const shares = group(slack.sharedFiles(), (file) => `${file.channel ?? ''} ${file.filename}`);
  const problems: string[] = [];
  let delivered = 0;
  let lost = 0;
  let dropped = 0;
  let recovered = 0;
  /** Per channel and key: the jobs that reached Slack. */
  const owedCalls = new Map<string, Job<DeliveryJob>[]>();

  for (const talk of talks) {
    if (talk.delivered !== talk.owed) problems.push(`${talk.channel}: ${talk.owed} deliveries numbered, the delivered counter at ${talk.delivered}`);
    for (let sequence = 1; sequence <= talk.owed; sequence += 1) {
      const [job, ...more] = bySequence.get(`${talk.channel} ${sequence}`) ?? [];
      const where = `${talk.channel} #${sequence}`;
      if (more.length > 0) problems.push(`${where}: ${more.length + 1} jobs carry this number`);
      if (!job) {
        lost += 1;
        problems.push(`${where}: numbered, but no delivery job was ever queued`);
        continue;
      }
      const outcome: unknown = job.returnvalue;
      const { message } = job.data;
      if (outcome === 'dropped') {
        dropped += 1;
        problems.push(`${where} ${message.key}: dropped after ${job.attemptsMade} attempts (${job.failedReason ?? ''})`);
        continue;
      }
      if (outcome === 'recovered') recovered += 1;
      else if (outcome !== 'delivered' && outcome !== 'duplicate' && outcome !== 'skipped') {
        lost += 1;
        const state = await job.getState();
        // BullMQ scores a delayed job by its due time × 0x1000.
        const score = state === 'delayed' ? await redis.zscore(deliveries.keys['delayed'] ?? '', job.id ?? '') : null;
        const due = score === null ? '' : `, due in ${((Math.floor(Number(score) / 0x1000) - Date.now()) / 1_000).toFixed(1)} s`;
        problems.push(
          `${where} ${message.key}: job ${job.id ?? ''} not delivered: ${state}${due}, ${job.attemptsMade} attempts failed, picked ${job.attemptsStarted} times, stalled ${job.stalledCounter} times${job.failedReason ? `, last error: ${job.failedReason}` : ''}`,
        );
        continue;
      }
      const slot = `${talk.channel} ${message.key}`;
      if (message.file !== undefined) {
        const shared = shares.get(`${talk.channel} ${message.file.name}`) ?? [];
        if (shared.length === 0) {
          lost += 1;
          problems.push(`${where} ${message.key}: file ${message.file.name} delivered (${String(outcome)}) but never shared`);
          continue;
        }
      } else {
        const text = renderBlockKit(message).text;
        if (!(byKey.get(slot) ?? []).some((call) => call.args['text'] === text)) {
          lost += 1;
          problems.push(`${where} ${message.key}: recorded ${String(outcome)}, but Slack never accepted this content under its key: ${text.slice(0, 120)}`);
          continue;
        }
      }
      delivered += 1;
      owedCalls.set(slot, [...(owedCalls.get(slot) ?? []), job]);
    }
  }

  let duplicated = 0;
  let repeatedEdits = 0;
  for (const [slot, calls] of byKey) {
    if (slot.endsWith(' ')) {
      problems.push(`${calls.length} message(s) in ${slot.trim()} without a key: ${calls.map((call) => String(call.args['text']).slice(0, 60)).join(' | ')}`);
      continue;
    }
    const posts = calls.filter((call) => call.method === 'chat.postMessage');
    if (posts.length > 1) {
      duplicated += posts.length - 1;
      // A replica killed between Slack accepting the post and Redis recording it posts it again (README: at least once there).
      const first = posts[0]?.at ?? 0;
      const kill = killedAt.find((at) => at >= first);
      const when = kill === undefined ? 'no replica killed after it' : `a replica killed ${kill - first} ms after the first post`;
      problems.push(`${slot}: posted ${posts.length} times (${posts.map((call) => new Date(call.at).toISOString()).join(', ')}); ${when}`);
    }
    const owed = owedCalls.get(slot)?.length ?? 0;
    repeatedEdits += Math.max(0, calls.length - posts.length - Math.max(0, owed - 1));
  }
  const fileJobs = group([...owedCalls.values()].flat().filter((job) => job.data.message.file !== undefined), (job) => `${job.data.conversation.channel} ${job.data.message.file?.name ?? ''}`);
  for (const [slot, shared] of shares) {
    const owed = fileJobs.get(slot)?.length ?? 0;
    if (shared.length > owed) {
      duplicated += shared.length - owed;
      problems.push(`${slot}: shared ${shared.length} times, owed ${owed}`);
    }
  }
  return { conversations: talks.length, owed: talks.reduce((sum, talk) => sum + talk.owed, 0), delivered, lost, duplicated, dropped, recovered, repeatedEdits, problems };
};
