/**
 * The incident clock on Redis across a SIGKILL: the console that opened the incident is killed at once, another takes
 * over, and the warning, the "fix or roll back?" prompt, the escalation and the stakeholder update each come once,
 * within a second or two of their time; after resolution nothing more.
 */
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../src/domain/event.js';
import { redisKeys } from '../../../src/adapters/redis/keys.js';
import { RedisEventStore } from '../../../src/adapters/redis/redis-event-store.js';
import { ConsoleProcess } from '../../support/console-process.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from '../../support/redis.js';

const redis = connect();
const prefix = uniquePrefix('incident');
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('the incident clock across a restart', () => {
  it('fires the warning, the prompt, the escalation and the update once each, on time, and after the resolution only its draft', { timeout: 60_000 }, async () => {
    const env = { REDIS_URL: redisUrl(), PLANB_REDIS_PREFIX: prefix, PLANB_CONFIG: resolve('test/fixtures/drill/planb.yaml') };
    const first = new ConsoleProcess(env);
    await first.send('/release start hotfix confirmer=@bob');
    await first.send('/as bob');
    await first.press('Accept');
    await first.send('/as alice');
    await first.press('Start');
    await first.send('/release trouble hotfix-1 the patch breaks logins');
    first.kill();
    await first.exited;
    // Two replicas take over: each message still comes once, from one of them.
    const second = new ConsoleProcess(env);
    const third = new ConsoleProcess(env);
    const replicas = (): string => `${second.transcript}\n${third.transcript}`;
    for (const text of ['No decision on inc-1 2s after the deadline: escalating to erin.', 'Update: the patch breaks logins: Still working on it']) {
      for (const deadline = Date.now() + 20_000; !replicas().includes(text); ) {
        if (Date.now() > deadline) throw new Error(`"${text}" never came:\n${replicas()}`);
        await new Promise((wake) => setTimeout(wake, 50));
      }
    }
    await second.send('/as bob');
    await second.send('/incident decide rollback logins still failing');
    // Printed by whichever replica delivered it.
    for (const deadline = Date.now() + 10_000; !replicas().includes('bob decided on inc-1: roll back (logins still failing).'); ) {
      if (Date.now() > deadline) throw new Error(`the decision never reached the channel:\n${replicas()}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
    await second.send('/incident resolve reverted');
    // Long enough for another update (9s cadence) to have come, had the clock not stopped.
    await new Promise((wake) => setTimeout(wake, 10_000));
    await Promise.all([second.end(), third.end()]);

    const all = `${first.transcript}\n${replicas()}`;
    expect(count(all, 'the decision on inc-1 is due: fix or roll back?')).toBe(1);
    expect(count(all, 'time is up on inc-1. Fix or roll back? Rolling back hotfix-1 means Revert the patch: about 1m.')).toBe(1);
    expect(count(all, 'escalating to erin.')).toBe(1);
    expect(count(all, 'Update: the patch breaks logins:')).toBe(1);
    expect(count(all, 'Resolved: the patch breaks logins')).toBe(1);

    const events = (await new RedisEventStore(redis, redisKeys(prefix)).read('incidents')).events;
    const at = (type: string): number => Date.parse(events.find((event: StoredEvent) => event.type === type)?.at ?? '');
    const declared = at('incident.declared');
    // Due at +2s (warning), +4s (deadline), +6s (escalation), +7s (nudge) and +9s (update); a second or two late at most.
    for (const [type, dueMs] of [
      ['incident.timer_warned', 2_000],
      ['incident.timer_expired', 4_000],
      ['incident.escalated', 6_000],
      ['incident.update_nudged', 7_000],
      ['incident.update_posted', 9_000],
    ] as const) {
      const lag = at(type) - declared - dueMs;
      expect(lag, type).toBeGreaterThanOrEqual(0);
      expect(lag, type).toBeLessThan(2_000);
    }
    expect(events.filter((event) => event.type === 'incident.update_posted')).toHaveLength(1);
    // After the resolution only its post-mortem draft, shared once across the replicas.
    const resolvedAt = events.findIndex((event) => event.type === 'incident.resolved');
    expect(events.slice(resolvedAt + 1).map((event) => [event.type, (event.data as { why?: string }).why])).toEqual([['incident.postmortem_drafted', 'resolved']]);
    expect(count(all, '--- postmortem-inc-1.md ---')).toBe(1);
  });
});
