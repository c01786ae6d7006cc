/**
 * The bot's side of a preflight item checked by a command on a runner (src/app/preflight-checks.ts), with the runner
 * played through the registry port and `App.report`: the watch gives up a command no runner took, one whose runner
 * went silent, and one never reported by its deadline; a success is recorded with its output as evidence.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/app/actions.js';
import type { RunnerRegistry, RunTimings } from '../../src/app/runs.js';
import { apiDeploy, dataOf, ofType, ok, world } from '../support/rehearsal-world.js';

describe('a preflight item checked by a command on a runner', () => {
  const TIMINGS: RunTimings = { heartbeatMs: 1_000, offlineAfterMs: 3_000, pickupMs: 5_000, outputEveryMs: 1_000 };
  const preflight = 'preflight:\n  - id: backup\n    check: Backup restorable\n    run: { runner: deploy, argv: [./check-backup.sh, "{{version}}"], timeout: 10s }';
  const book = apiDeploy({ preflight, stagingRunners: '{ deploy: deploy-staging }' });
  const WATCH = (attempt: number): string => `release-api-deploy-1-preflight-backup-${attempt}-watch`;

  /**
   * The registry Redis fills in production: runner deploy-staging reports in all along, or last at `silentSince`
   * (the test sets it), and a claim goes to the first who asks, the runner or the bot's watch.
   */
  type Registry = RunnerRegistry & { silentSince?: Date; clock?: () => Date };
  const registry = (): Registry => {
    const claimed = new Set<string>();
    const self: Registry = {
      lastSeen: (name) => Promise.resolve(name === 'deploy-staging' ? (self.silentSince ?? self.clock?.()) : undefined),
      instanceSeen: () => Promise.resolve(undefined),
      claim: (job) => {
        const first = !claimed.has(job);
        claimed.add(job);
        return Promise.resolve(first);
      },
    };
    return self;
  };

  const finished = (attempt: number, exitCode: number, tail: string[]) =>
    ({ kind: 'finished', release: 'api-deploy-1', step: 'preflight.backup', attempt, runner: 'deploy-staging', exitCode, signal: null, timedOut: false, durationMs: 1_200, tail, log: `${tail.join('\n')}\n` }) as const;

  it('fails the check when no runner takes the command within pickup', async () => {
    const runners = registry();
    const w = world(book, { runners, runs: TIMINGS });
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    expect(dataOf(await w.events(), 'release.preflight_check_started')).toEqual({ release: 'api-deploy-1', item: 'backup', attempt: 1, runner: 'deploy-staging', argv: ['./check-backup.sh', '1.2.3'] });
    await w.fire(WATCH(1));
    const failed = ofType(await w.events(), 'release.preflight_check_failed');
    expect(failed.map((event) => [event.actor, event.data])).toEqual([
      [
        null,
        {
          release: 'api-deploy-1',
          item: 'backup',
          attempt: 1,
          check: { ok: false, run: { runner: 'deploy-staging', outcome: 'not_started', tail: [], detail: 'no runner deploy-staging took it within 5s, so it will not run. Check it again once runner deploy-staging is up.' } },
        },
      ],
    ]);
    // Given up by the watch, it is not run late by a runner that comes along now.
    expect(await runners.claim('run-api-deploy-1-preflight.backup-1', 'deploy-staging-late')).toBe(false);
    expect((await w.release('api-deploy-1')).status).toBe('preflight');
  });

  it('stops watching the check of a release that ended while its command ran', async () => {
    const runners = registry();
    const w = world(book, { runners, runs: TIMINGS });
    runners.clock = w.now;
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    expect(await runners.claim('run-api-deploy-1-preflight.backup-1', 'deploy-staging-a')).toBe(true);
    await ok(w.say('alice', '/release abort api-deploy-1 wrong version'));
    await w.fire(WATCH(1));
    expect(w.scheduler.pending().map((timer) => timer.id)).not.toContain(WATCH(1));
    expect(ofType(await w.events(), 'release.preflight_check_failed')).toEqual([]);
  });

  it('fails the check at once when its runner goes silent mid-command, at its deadline when the runner never reports, and passes on a success', async () => {
    const runners = registry();
    const w = world(book, { runners, runs: TIMINGS });
    runners.clock = w.now;
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));

    // Attempt 1: runner deploy-staging takes it and reports in, until it is killed two seconds later.
    expect(await runners.claim('run-api-deploy-1-preflight.backup-1', 'deploy-staging-a')).toBe(true);
    w.later(2_000);
    runners.silentSince = w.now();
    await w.fire(WATCH(1));
    expect(ofType(await w.events(), 'release.preflight_check_failed')).toEqual([]);
    expect(w.scheduler.pending().map((timer) => [timer.id, timer.at.toISOString(), timer.payload['phase']])).toContainEqual([WATCH(1), new Date(w.now().getTime() + 2_000).toISOString(), 'running']);
    await w.fire(WATCH(1));
    const lost = dataOf(await w.events(), 'release.preflight_check_failed');
    expect(lost).toMatchObject({ attempt: 1, check: { ok: false, run: { runner: 'deploy-staging', outcome: 'lost' } } });
    expect((lost['check'] as { run: { detail: string } }).run.detail).toBe('runner deploy-staging stopped answering while it ran the command; last heard from 5s ago. Check it again once runner deploy-staging is up.');
    // Its report, should it ever come, is of an attempt that is over.
    await w.app.report(finished(1, 0, ['backup found']));
    expect(ofType(await w.events(), 'release.preflight_checked')).toEqual([]);

    // Attempt 2: the runner is back all along but never says how the command ended: given up at its deadline.
    delete runners.silentSince;
    await ok(w.say('alice', '/release check api-deploy-1 backup'));
    const attemptStarted = Date.parse(ofType(await w.events(), 'release.preflight_check_started')[1]?.at ?? '');
    expect(await runners.claim('run-api-deploy-1-preflight.backup-2', 'deploy-staging-b')).toBe(true);
    for (let fired = 0; ofType(await w.events(), 'release.preflight_check_failed').length < 2; fired += 1) {
      if (fired > 20) throw new Error('the watch never gave up');
      await w.fire(WATCH(2));
    }
    const overdue = ofType(await w.events(), 'release.preflight_check_failed')[1];
    // Pickup 5s + its timeout 10s + twice offline_after.
    expect(overdue?.at).toBe(new Date(attemptStarted + 5_000 + 10_000 + 6_000).toISOString());
    expect(overdue?.data).toMatchObject({ attempt: 2, check: { ok: false, run: { outcome: 'lost', detail: 'runner deploy-staging took the command but never reported how it ended, even after its timeout.' } } });

    // Attempt 3 succeeds: its tail is the evidence, recorded by no one, and the watch is done.
    await ok(w.say('bob', '/release check api-deploy-1 backup'));
    expect(await runners.claim('run-api-deploy-1-preflight.backup-3', 'deploy-staging-b')).toBe(true);
    await w.app.report(finished(3, 0, ['looking for the backup', 'backup found']));
    const checked = ofType(await w.events(), 'release.preflight_checked');
    expect(checked.map((event) => [event.actor, event.data])).toEqual([
      [
        null,
        {
          release: 'api-deploy-1',
          item: 'backup',
          attempt: 3,
          evidence: 'exit 0 on runner deploy-staging: backup found',
          check: { ok: true, run: { runner: 'deploy-staging', outcome: 'succeeded', exitCode: 0, signal: null, durationMs: 1_200, tail: ['looking for the backup', 'backup found'] } },
        },
      ],
    ]);
    expect(w.scheduler.pending().map((timer) => timer.id)).not.toContain(WATCH(3));
    expect((await w.release('api-deploy-1')).status).toBe('running');
  });
});
