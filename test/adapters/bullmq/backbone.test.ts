/** The backbone on a real Redis with real BullMQ workers: relay, deliveries in order and once, timers. */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../src/app/effects.js';
import type { Message } from '../../../src/app/message.js';
import type { Chat, Conversation, Logger, MessageRef } from '../../../src/app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../../src/app/ports.js';
import { Queue } from 'bullmq';
import type { TimerJob } from '../../../src/adapters/bullmq/queues.js';
import { TIMER_QUEUE } from '../../../src/adapters/bullmq/queues.js';
import type { Backbone } from '../../../src/adapters/redis/backbone.js';
import { redisKeys } from '../../../src/adapters/redis/keys.js';
import { backboneHarness } from '../../support/backbones.js';
import { connect } from '../../support/redis.js';
import { until as poll } from '../../support/until.js';

interface Call {
  readonly op: 'post' | 'update';
  readonly channel: string;
  readonly key: string;
  readonly text: string;
  readonly ref?: string;
  readonly at: number;
  /** Which call this was, across every fake platform of the process: milliseconds tie when two replicas deliver in the same one. */
  readonly order: number;
}

let calls = 0;

/** Stands in for the chat platform: records calls, and fails the ones `failures` says to. */
class FakePlatform implements Chat {
  readonly calls: Call[] = [];
  failures: ((call: Call) => Error | undefined)[] = [];
  private posts = 0;

  private attempt(call: Call): void {
    const failure = this.failures.map((rule) => rule(call)).find((error) => error !== undefined);
    if (failure) throw failure;
    this.calls.push(call);
  }

  post(conversation: Conversation, message: Message): Promise<MessageRef> {
    this.attempt({ op: 'post', channel: conversation.channel, key: message.key, text: message.text.join(' '), at: Date.now(), order: (calls += 1) });
    this.posts += 1;
    return Promise.resolve(`ts-${this.posts}`);
  }

  update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void> {
    this.attempt({ op: 'update', channel: conversation.channel, key: message.key, text: message.text.join(' '), ref, at: Date.now(), order: (calls += 1) });
    return Promise.resolve();
  }

  whisper(): Promise<void> {
    return Promise.resolve();
  }
}

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
const redis = connect();
const harness = backboneHarness('backbone');
const fresh = (): string => harness.fresh();

const backbone = (prefix: string, platform: FakePlatform, fired: string[] = [], logger: Logger = quiet): Promise<Backbone> =>
  harness.start(prefix, new Map([['console', platform]]), logger, (payload) => {
    fired.push(`${payload['name'] ?? ''}@${Date.now()}`);
    return Promise.resolve();
  });

const say = (channel: string, key: string, text: string): Effect => ({ kind: 'deliver', platform: 'console', conversation: { channel }, message: { key, text: [text] } });

let version = 0;
const event = (): { id: string; type: string; at: string; actor: null; data: object } => {
  version += 1;
  return { id: `e${version}`, type: 'x.y', at: new Date().toISOString(), actor: null, data: {} };
};

/** Appends one event per call to stream `s`, with `effects`. */
const appender = (bb: Backbone, stream = 's'): ((...effects: Effect[]) => Promise<void>) => {
  let at = 0;
  return async (...effects) => {
    await bb.store.append(stream, at, [event()], effects);
    at += 1;
  };
};

const until = (check: () => boolean, ms = 8_000): Promise<void> => poll(check, ms);

describe('deliveries', () => {
  it('posts each message once, in order per conversation, and edits a message posted earlier under the same key', async () => {
    const platform = new FakePlatform();
    const bb = await backbone(fresh(), platform);
    const append = appender(bb);
    await append(say('C1', 'line/1', 'one'), say('C1', 'card', 'card v1'), say('C2', 'other', 'elsewhere'));
    await append(say('C1', 'line/2', 'two'), say('C1', 'card', 'card v2'));
    await until(() => platform.calls.length === 5);
    // Posts are numbered across channels as they come (C2's may come before C1's card): the card's is its place among them.
    const cardRef = `ts-${platform.calls.filter((call) => call.op === 'post').findIndex((call) => call.key === 'card') + 1}`;
    expect(platform.calls.filter((call) => call.channel === 'C1').map((call) => [call.op, call.key, call.text, call.ref])).toEqual([
      ['post', 'line/1', 'one', undefined],
      ['post', 'card', 'card v1', undefined],
      ['post', 'line/2', 'two', undefined],
      ['update', 'card', 'card v2', cardRef],
    ]);
    expect(await bb.settle('console', 2_000)).toBe(true);
  });

  it('waits out Retry-After and keeps the conversation in order behind it', async () => {
    const platform = new FakePlatform();
    let limited = 0;
    platform.failures.push((call) => (call.key === 'first' && limited++ === 0 ? new RateLimitedError(600) : undefined));
    const bb = await backbone(fresh(), platform);
    const append = appender(bb);
    const sent = Date.now();
    await append(say('C1', 'first', 'a'), say('C1', 'second', 'b'));
    await until(() => platform.calls.length === 2);
    expect(platform.calls.map((call) => call.key)).toEqual(['first', 'second']);
    expect((platform.calls[0]?.at ?? 0) - sent).toBeGreaterThanOrEqual(600);
  });

  it('a channel held up by a rate limit holds up no other channel', async () => {
    const platform = new FakePlatform();
    let limited = 0;
    platform.failures.push((call) => (call.key === 'c1-0' && limited++ === 0 ? new RateLimitedError(4_000) : undefined));
    const bb = await backbone(fresh(), platform);
    const append = appender(bb);
    // More waiting messages in C1 than a worker has slots.
    await append(...Array.from({ length: 12 }, (_, i) => say('C1', `c1-${i}`, String(i))));
    const sent = Date.now();
    await append(say('C2', 'c2', 'meanwhile'));
    await until(() => platform.calls.some((call) => call.key === 'c2'));
    // Out long before C1's Retry-After, and not after the waiting C1 deliveries gave their worker slots up (2 s each before).
    expect(Date.now() - sent).toBeLessThan(1_800);
    expect(platform.calls.filter((call) => call.channel === 'C1')).toEqual([]);
    await until(() => platform.calls.length === 13, 10_000);
    expect(platform.calls.filter((call) => call.channel === 'C1').map((call) => call.key)).toEqual(Array.from({ length: 12 }, (_, i) => `c1-${i}`));
  });

  it('retries a failing call with backoff and delivers it once', async () => {
    const platform = new FakePlatform();
    let failures = 0;
    platform.failures.push((call) => (call.key === 'flaky' && failures++ < 2 ? new Error('503 from the platform') : undefined));
    const bb = await backbone(fresh(), platform);
    await appender(bb)(say('C1', 'flaky', 'x'), say('C1', 'after', 'y'));
    await until(() => platform.calls.length === 2);
    expect(failures).toBe(3);
    expect(platform.calls.map((call) => call.key)).toEqual(['flaky', 'after']);
  });

  it('drops a message that can never be delivered, logs it, and moves on', async () => {
    const platform = new FakePlatform();
    platform.failures.push((call) => (call.key === 'doomed' ? new PermanentDeliveryError('channel_not_found') : undefined));
    const logged: unknown[] = [];
    const bb = await backbone(fresh(), platform, [], { ...quiet, error: (context, message) => logged.push([message, (context as { key?: string }).key]) });
    await appender(bb)(say('C9', 'doomed', 'x'), say('C9', 'next', 'y'));
    await until(() => platform.calls.length === 1);
    expect(platform.calls.map((call) => call.key)).toEqual(['next']);
    expect(logged).toContainEqual(['message dropped', 'doomed']);
  });

  it('keeps relaying after the outbox and its consumer group vanished (a Redis restarted without its data)', async () => {
    const platform = new FakePlatform();
    const prefix = fresh();
    const bb = await backbone(prefix, platform);
    await redis.del(redisKeys(prefix).outbox);
    await appender(bb)(say('C1', 'after', 'still here'));
    await until(() => platform.calls.length === 1);
    expect(platform.calls.map((call) => call.key)).toEqual(['after']);
  });

  it('two replicas on one Redis deliver every message exactly once, in order', async () => {
    const prefix = fresh();
    const [first, second] = [new FakePlatform(), new FakePlatform()];
    const one = await backbone(prefix, first);
    await backbone(prefix, second);
    const append = appender(one);
    for (let i = 1; i <= 30; i += 1) await append(say(`C${i % 3}`, `m${i}`, String(i)));
    await until(() => first.calls.length + second.calls.length >= 30);
    await new Promise((wake) => setTimeout(wake, 300));
    const all = [...first.calls, ...second.calls].sort((a, b) => a.order - b.order);
    const seen = JSON.stringify(all.map((call) => [call.key, call.channel, call.order, first.calls.includes(call) ? 1 : 2]));
    expect(all.map((call) => call.key).sort(), seen).toEqual(Array.from({ length: 30 }, (_, i) => `m${i + 1}`).sort());
    for (const channel of ['C0', 'C1', 'C2']) {
      const texts = all.filter((call) => call.channel === channel).map((call) => Number(call.text));
      expect(texts, seen).toEqual([...texts].sort((a, b) => a - b));
    }
  });
});

describe('timers', () => {
  const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
  const schedule = (timer: string, ms: number, name = timer): Effect => ({ kind: 'schedule', timer, at: at(ms), payload: { name } });

  it('fires within a second of the deadline, once', async () => {
    const fired: string[] = [];
    const bb = await backbone(fresh(), new FakePlatform(), fired);
    const due = Date.now() + 400;
    await appender(bb)(schedule('t1', 400));
    await until(() => fired.length === 1);
    const firedAt = Number(fired[0]?.split('@')[1]);
    expect(firedAt).toBeGreaterThanOrEqual(due);
    expect(firedAt - due).toBeLessThan(1_000);
    await new Promise((wake) => setTimeout(wake, 300));
    expect(fired).toHaveLength(1);
  });

  it('a rescheduled timer fires at its new time only, and a cancelled one never', async () => {
    const fired: string[] = [];
    const bb = await backbone(fresh(), new FakePlatform(), fired);
    const append = appender(bb);
    await append(schedule('moved', 200, 'first time'), schedule('gone', 200));
    await append(schedule('moved', 700, 'second time'), { kind: 'cancel', timer: 'gone' });
    await new Promise((wake) => setTimeout(wake, 1_300));
    expect(fired.map((entry) => entry.split('@')[0])).toEqual(['second time']);
  });

  it('ignores a timer job whose generation is not current (moved, cancelled, or forged)', async () => {
    const fired: string[] = [];
    const prefix = fresh();
    const bb = await backbone(prefix, new FakePlatform(), fired);
    await appender(bb)(schedule('real', 300, 'current'));
    // A job of an older generation that was never removed, as after a failed removal.
    const queue = new Queue<TimerJob>(TIMER_QUEUE, { connection: redis, prefix: redisKeys(prefix).bull });
    await queue.add('fire', { timer: 'real', generation: '0-1', payload: { name: 'stale' } }, { jobId: 'real-0-1', delay: 100 });
    await queue.close();
    await until(() => fired.length === 1);
    await new Promise((wake) => setTimeout(wake, 300));
    expect(fired.map((entry) => entry.split('@')[0])).toEqual(['current']);
  });

  it('two replicas fire each timer once', async () => {
    const prefix = fresh();
    const fired: string[] = [];
    const one = await backbone(prefix, new FakePlatform(), fired);
    await backbone(prefix, new FakePlatform(), fired);
    const append = appender(one);
    for (let i = 0; i < 10; i += 1) await append(schedule(`t${i}`, 200 + i * 20));
    await until(() => fired.length >= 10);
    await new Promise((wake) => setTimeout(wake, 500));
    expect(fired.map((entry) => entry.split('@')[0]).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`).sort());
  });
});
