/** Runner presence and claims in Redis: runners report in, the bot reads who is there; an attempt is claimed once. */
import type { Redis } from 'ioredis';
import type { RunnerRegistry } from '../../app/runs.js';
import type { RedisKeys } from './keys.js';

/** Instances not heard from for a day are forgotten; a claim is kept a week (longer than any job is kept). */
const FORGET_MS = 86_400_000;
const CLAIM_TTL_MS = 7 * 86_400_000;

export class RedisRunnerRegistry implements RunnerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Instance `instance` of runner `name` is there at `now` (ms). */
  async beat(name: string, instance: string, now: number): Promise<void> {
    await this.redis.multi().zadd(this.keys.runners(name), now, instance).zremrangebyscore(this.keys.runners(name), '-inf', now - FORGET_MS).exec();
  }

  /** A stopping instance says goodbye, so it is offline at once rather than after the silence. */
  async leave(name: string, instance: string): Promise<void> {
    await this.redis.zrem(this.keys.runners(name), instance);
  }

  async lastSeen(name: string): Promise<Date | undefined> {
    const [, score] = await this.redis.zrange(this.keys.runners(name), '-1', '-1', 'WITHSCORES');
    return score === undefined ? undefined : new Date(Number(score));
  }

  async instanceSeen(name: string, instance: string): Promise<Date | undefined> {
    const score = await this.redis.zscore(this.keys.runners(name), instance);
    return score === null ? undefined : new Date(Number(score));
  }

  async claim(job: string, owner: string): Promise<boolean> {
    return (await this.redis.set(this.keys.claim(job), owner, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }
}
