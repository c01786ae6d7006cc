import { afterAll, describe, expect, it } from 'vitest';
import type { Effect } from '../../../src/app/effects.js';
import { redisKeys } from '../../../src/adapters/redis/keys.js';
import { parseOutboxEntry } from '../../../src/adapters/redis/outbox-relay.js';
import { RedisEventStore } from '../../../src/adapters/redis/redis-event-store.js';
import { eventStoreContract } from '../../support/event-store-contract.js';
import { connect, dropPrefix, uniquePrefix } from '../../support/redis.js';

const redis = connect();
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(redis, prefix);
  redis.disconnect();
});

const fresh = (): { store: RedisEventStore; prefix: string } => {
  const prefix = uniquePrefix('store');
  prefixes.push(prefix);
  return { store: new RedisEventStore(redis, redisKeys(prefix)), prefix };
};

eventStoreContract('RedisEventStore', () => {
  const { store, prefix } = fresh();
  const committedEffects = async (): Promise<Effect[]> => {
    const entries = (await redis.xrange(redisKeys(prefix).outbox, '-', '+')) as [string, string[]][];
    return entries.flatMap(([, fields]) => parseOutboxEntry(fields).map((entry) => entry.effect));
  };
  return Promise.resolve({ store, committedEffects });
});

const event = (id: string): { id: string; type: string; at: string; actor: null; data: object } => ({ id, type: 'x.y', at: '2026-11-23T14:02:00.000Z', actor: null, data: {} });
const card = (channel: string, key: string): Effect => ({ kind: 'deliver', platform: 'console', conversation: { channel }, message: { key, text: ['hi'] } });

describe('RedisEventStore outbox', () => {
  it('writes the effects of an append into the outbox with per-conversation sequence numbers', async () => {
    const { store, prefix } = fresh();
    const keys = redisKeys(prefix);
    await store.append('s/1', 0, [event('a')], [card('C1', 'k1'), card('C2', 'k2'), card('C1', 'k3')]);
    await store.append('s/1', 1, [event('b')], [card('C1', 'k4')]);
    const entries = (await redis.xrange(keys.outbox, '-', '+')) as [string, string[]][];
    const stamps = entries.map(([, fields]) => {
      const map = new Map<string, string>();
      for (let i = 0; i < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
      return [map.get('position'), map.get('s1'), map.get('s2'), map.get('s3')];
    });
    // C1 gets 1, 2 and 3 across both appends; C2 has its own count.
    expect(stamps).toEqual([
      ['1', '1', '1', '2'],
      ['2', '3', undefined, undefined],
    ]);
  });

  it('a rejected append writes no effect and hands out no sequence number', async () => {
    const { store, prefix } = fresh();
    const keys = redisKeys(prefix);
    await store.append('s/2', 0, [event('a')]);
    await expect(store.append('s/2', 0, [event('b')], [card('C1', 'k')])).rejects.toThrow('stream s/2 is at version 1, not 0');
    expect(await redis.xlen(keys.outbox)).toBe(0);
    expect(await redis.get(keys.sequence('console', 'C1'))).toBeNull();
  });

  it('a schedule makes its generation current, a later schedule replaces it, a cancel clears it', async () => {
    const { store, prefix } = fresh();
    const keys = redisKeys(prefix);
    const schedule: Effect = { kind: 'schedule', timer: 't1', at: '2026-11-23T14:05:00.000Z', payload: { a: 'b' } };
    await store.append('s/3', 0, [event('a')], [schedule]);
    const first = await redis.hget(keys.timers, 't1');
    await store.append('s/3', 1, [event('b')], [schedule]);
    const second = await redis.hget(keys.timers, 't1');
    expect(first).toBe('1-1');
    expect(second).toBe('2-1');
    await store.append('s/3', 2, [event('c')], [{ kind: 'cancel', timer: 't1' }]);
    expect(await redis.hget(keys.timers, 't1')).toBeNull();
    const last = ((await redis.xrange(keys.outbox, '-', '+')) as [string, string[]][]).at(-1)?.[1] ?? [];
    expect(last.slice(last.indexOf('o1'), last.indexOf('o1') + 2)).toEqual(['o1', '2-1']);
  });
});
