/** Redis for one test: a client and a key prefix no other test uses; only that prefix is ever deleted. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export const redisUrl = (): string => inject('redisUrl');

export const uniquePrefix = (label = 'test'): string => `${label}-${randomUUID().slice(0, 8)}`;

/** A client BullMQ also accepts (it needs `maxRetriesPerRequest: null`). */
export const connect = (url = redisUrl()): Redis => new Redis(url, { maxRetriesPerRequest: null });

/** Deletes the keys under `prefix` and nothing else. */
export const dropPrefix = async (redis: Redis, prefix: string): Promise<void> => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
};
