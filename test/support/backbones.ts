/** Backbones on the tests' Redis, each under a prefix of its own, closed and their keys dropped after every test. */
import { afterEach } from 'vitest';
import type { Chat, Logger } from '../../src/app/ports.js';
import { systemClock } from '../../src/adapters/memory/system.js';
import { Backbone } from '../../src/adapters/redis/backbone.js';
import type { Metrics } from '../../src/adapters/metrics.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from './redis.js';

export interface BackboneHarness {
  /** A new prefix, dropped after the test: replicas of one deployment share one. */
  fresh(): string;
  /** A started backbone on `prefix`, closed after the test; the relay reclaims quickly, as tests want. */
  start(prefix: string, chats: ReadonlyMap<string, Chat>, logger: Logger, fire?: (payload: Readonly<Record<string, string>>) => Promise<void>, metrics?: Metrics): Promise<Backbone>;
}

/** Call at the top of a test file. */
export const backboneHarness = (name: string): BackboneHarness => {
  const redis = connect();
  const open: Backbone[] = [];
  const prefixes: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((backbone) => backbone.close()));
    for (const prefix of prefixes.splice(0)) await dropPrefix(redis, prefix);
  });
  return {
    fresh: () => {
      const prefix = uniquePrefix(name);
      prefixes.push(prefix);
      return prefix;
    },
    start: async (prefix, chats, logger, fire = () => Promise.resolve(), metrics) => {
      const started = await Backbone.connect({ url: redisUrl(), prefix, logger, clock: systemClock, relay: { claimIdleMs: 500, blockMs: 200 }, ...(metrics ? { metrics } : {}) });
      open.push(started);
      await started.start({ fire, chats });
      return started;
    },
  };
};
