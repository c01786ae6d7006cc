/** A timer set by a console that is then SIGKILLed fires from the console that replaced it, within a second of its deadline. */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/domain/event.js';
import { redisKeys } from '../../../src/adapters/redis/keys.js';
import { RedisEventStore } from '../../../src/adapters/redis/redis-event-store.js';
import { ConsoleProcess } from '../../support/console-process.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from '../../support/redis.js';

const redis = connect();
const prefix = uniquePrefix('timer');
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('timers across a restart', () => {
  it('fires within a second of the deadline after the process that set it was killed', { timeout: 30_000 }, async () => {
    const env = { REDIS_URL: redisUrl(), PLANB_REDIS_PREFIX: prefix, PLANB_CONFIG: resolve('test/fixtures/drill/planb.yaml') };
    const first = new ConsoleProcess(env);
    await first.send('/release start slow confirmer=@bob');
    await first.send('/as bob');
    await first.press('Accept');
    await first.send('/as alice');
    await first.press('Start');
    first.kill();
    await first.exited;
    const second = new ConsoleProcess(env);

    const store = new RedisEventStore(redis, redisKeys(prefix));
    const find = async (type: string): Promise<StoredEvent | undefined> => (await store.read('runbook/slow')).events.find((event) => event.type === type);
    let overdue = await find('release.step_overdue');
    for (const deadline = Date.now() + 15_000; !overdue && Date.now() < deadline; overdue = await find('release.step_overdue')) {
      await new Promise((wake) => setTimeout(wake, 100));
    }
    const started = await find('release.step_started');
    expect(overdue, 'the timer never fired').toBeDefined();
    const lag = Date.parse(overdue?.at ?? '') - Date.parse(started?.at ?? '') - 4_000;
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(1_000);
    expect(await second.waitFor('wait (Wait a little) has run past its expected 4s')).toBe(true);
    expect(first.transcript).not.toContain('has run past its expected');
    await second.end();
  });
});
