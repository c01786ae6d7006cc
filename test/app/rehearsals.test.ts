/**
 * Rehearsals end to end on the embedded store (issue 13): environments, the staging-before-production policy in each
 * of its modes, rollback drills whose measured durations become the rollback cost, and a machine-checked preflight
 * item that blocks the start until its HTTP check passes. Asserts on events, state and replies, never card wording.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/app/actions.js';
import { verifyHttp } from '../../src/adapters/runner/verify-http.js';
import { rollbackCost } from '../../src/domain/release/state.js';
import { apiDeploy, dataOf, DAY, eventually, MINUTE, ofType, ok, runThrough, world } from '../support/rehearsal-world.js';

const REFUSE = '{ rehearsal: { on: staging, max_age: 14d, missing: refuse } }';
const STAGE_FIRST = '/release start api-deploy version=1.2.3 env=staging confirmer=@name';

describe('environments', () => {
  it('asks which environment when a runbook has them, refuses env= on one that has none, and lists the environments for an unknown one', async () => {
    const w = world(apiDeploy());
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 confirmer=@bob')).toEqual([
      'api-deploy runs in staging, production: say which, e.g. /release start api-deploy env=staging',
    ]);
    expect(await w.say('alice', '/release start plain-deploy env=staging confirmer=@bob')).toEqual(['plain-deploy has no environments, so env=staging means nothing: leave it out.']);
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=qa confirmer=@bob')).toEqual(['api-deploy has no environment qa; its environments are staging, production.']);
    expect(await w.say('alice', '/release drill api-deploy version=1.2.3 confirmer=@bob')).toEqual([
      'api-deploy runs in staging, production: say which, e.g. /release drill api-deploy env=staging',
    ]);
    expect(await w.events()).toEqual([]);
  });

  it('records the environment, runs in its channel, and runs one release per environment at a time', async () => {
    const w = world(apiDeploy());
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    w.later(MINUTE);
    await ok(w.say('carol', '/release start api-deploy version=1.2.3 env=production confirmer=@bob'));
    const started = ofType(await w.events(), 'release.started').map((event) => event.data as Record<string, unknown>);
    expect(started.map((data) => [data['release'], data['environment'], data['channel'], data['driver']])).toEqual([
      ['api-deploy-1', 'staging', 'C0STAGING', 'console:alice'],
      ['api-deploy-2', 'production', 'C0PROD', 'console:carol'],
    ]);
    expect(await w.say('carol', '/release start api-deploy version=1.2.4 env=staging confirmer=@bob')).toEqual([
      'API release 1.2.3 is being run by alice since 09:00 UTC (api-deploy-1). One release of api-deploy on staging at a time.',
    ]);
    expect(await w.say('alice', '/release start api-deploy version=1.2.4 env=production confirmer=@bob')).toEqual([
      'API release 1.2.3 is being run by carol since 09:01 UTC (api-deploy-2). One release of api-deploy on production at a time.',
    ]);
    expect(ofType(await w.events(), 'release.started')).toHaveLength(2);
    expect([(await w.release('api-deploy-1')).status, (await w.release('api-deploy-2')).status]).toEqual(['awaiting_confirmer', 'awaiting_confirmer']);
  });

  it('a rollback on staging locks staging only, until someone unlocks staging with a reason', async () => {
    const w = world(apiDeploy());
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    const drain = { release: 'api-deploy-1', step: 'drain' };
    await ok(w.press('alice', ACTIONS.startStep, drain));
    await ok(w.press('alice', ACTIONS.doneStep, drain));
    await ok(w.press('bob', ACTIONS.confirmStep, drain));
    await ok(w.say('alice', '/release rollback api-deploy-1 logins fail on staging'));
    await ok(w.press('alice', ACTIONS.rollbackDone, drain));
    await ok(w.press('bob', ACTIONS.rollbackConfirm, drain));
    expect(dataOf(await w.events(), 'release.locked')).toEqual({ release: 'api-deploy-1', runbook: 'api-deploy', reason: 'logins fail on staging', environment: 'staging' });

    expect(await w.say('alice', '/release start api-deploy version=1.2.4 env=staging confirmer=@bob')).toEqual([
      'api-deploy on staging is locked since the rollback of api-deploy-1 (logins fail on staging). Once the cause is addressed: /release unlock api-deploy env=staging <what was fixed>',
    ]);
    expect(await w.say('alice', '/release unlock api-deploy env=production the pool')).toEqual(['api-deploy on production is not locked.']);
    // Production is not held by staging's lock.
    await ok(w.say('alice', '/release start api-deploy version=1.2.2 env=production confirmer=@bob'));
    expect(dataOf(await w.events(), 'release.started')).toMatchObject({ release: 'api-deploy-2', environment: 'production' });

    expect(await w.say('dave', '/release unlock api-deploy env=staging fixed it')).toEqual(['Only the drivers of api-deploy (group:release-managers) may unlock it.']);
    await ok(w.say('alice', '/release unlock api-deploy env=staging the pool config is fixed'));
    expect(dataOf(await w.events(), 'release.unlocked')).toEqual({ runbook: 'api-deploy', reason: 'the pool config is fixed', environment: 'staging' });
    await ok(w.say('alice', '/release start api-deploy version=1.2.4 env=staging confirmer=@bob'));
    expect(dataOf(await w.events(), 'release.started')).toMatchObject({ release: 'api-deploy-3', environment: 'staging' });
  });
});

describe('staging before production', () => {
  it('missing: refuse: no production start without a completed staging release of the same version, within max_age', async () => {
    const w = world(apiDeploy({ policy: REFUSE }));
    const refusal = 'api-deploy 1.2.3 may not start on production: api-deploy 1.2.3 has not been released on staging yet. First: ' + STAGE_FIRST;
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([refusal]);
    expect(await w.events()).toEqual([]);

    // Another version on staging is no rehearsal of this one; nor is a staging release that did not complete.
    await ok(w.say('carol', '/release start api-deploy version=1.2.2 env=staging confirmer=@bob'));
    await runThrough(w, 'api-deploy-1', 'carol', 'bob');
    await ok(w.say('carol', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await ok(w.say('carol', '/release abort api-deploy-2 wrong build'));
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([refusal]);

    // Rehearsed: carol drove it on staging, bob confirmed.
    await ok(w.say('carol', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await runThrough(w, 'api-deploy-3', 'carol', 'bob');
    const completedAt = w.now().toISOString();
    w.later(DAY);
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob'));
    const started = dataOf(await w.events(), 'release.started');
    expect(started).toMatchObject({ release: 'api-deploy-4', environment: 'production', driver: 'console:alice', confirmer: 'console:bob' });
    expect(started['rehearsal']).toEqual({ release: 'api-deploy-3', environment: 'staging', at: completedAt, driver: 'console:carol', confirmer: 'console:bob' });
    expect(started['gaps']).toBeUndefined();
    await ok(w.say('alice', '/release abort api-deploy-4 not tonight'));

    // Fifteen days after the staging release completed it is too old for a 14d policy.
    w.later(14 * DAY);
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([
      `api-deploy 1.2.3 may not start on production: api-deploy 1.2.3 was last released on staging 15 days ago (api-deploy-3; rehearsals must be within 14d). First: ${STAGE_FIRST}`,
    ]);
    expect(ofType(await w.events(), 'release.started')).toHaveLength(4);
  });

  it('missing: override: refused without override="<reason>", started with it, and the confirmer approves it by accepting', async () => {
    const w = world(apiDeploy({ policy: '{ rehearsal: { on: staging, max_age: 14d, missing: override } }' }));
    const [refused, ...more] = await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob');
    expect(more).toEqual([]);
    expect(refused).toContain('api-deploy 1.2.3 has not been released on staging yet. First: ' + STAGE_FIRST);
    expect(refused).toContain('If it cannot wait, start it with override="<why it cannot wait>": bob approves the override by accepting.');
    expect(await w.events()).toEqual([]);

    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob override="security fix, staging is down"'));
    const started = dataOf(await w.events(), 'release.started');
    expect(started).toMatchObject({ environment: 'production', override: 'security fix, staging is down' });
    expect(started['gaps']).toEqual([{ kind: 'rehearsal', policy: 'override', environment: 'staging', maxAgeMs: 14 * DAY }]);
    expect(started['rehearsal']).toBeUndefined();

    // Only the confirmer approves it.
    expect(await w.press('alice', ACTIONS.accept, { release: 'api-deploy-1' })).toEqual(['You drive api-deploy-1: you cannot accept your own work. bob must.']);
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    const accepted = ofType(await w.events(), 'release.confirmer_accepted');
    expect(accepted.map((event) => [event.actor, event.data])).toEqual([['console:bob', { release: 'api-deploy-1', override: 'security fix, staging is down' }]]);
  });

  it('missing: warn: starts without a rehearsal or drills, recording what it lacked', async () => {
    const w = world(apiDeploy({ policy: '{ rehearsal: { on: staging, missing: warn }, drills: { on: staging, max_age: 30d, missing: warn } }' }));
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob'));
    expect(dataOf(await w.events(), 'release.started')['gaps']).toEqual([
      { kind: 'rehearsal', policy: 'warn', environment: 'staging', maxAgeMs: 14 * DAY },
      { kind: 'drill', policy: 'warn', step: 'drain', maxAgeMs: 30 * DAY },
      { kind: 'drill', policy: 'warn', step: 'migrate', maxAgeMs: 30 * DAY },
    ]);
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    // Nothing was overridden: a warning needs no one's approval.
    expect(dataOf(await w.events(), 'release.confirmer_accepted')).toEqual({ release: 'api-deploy-1' });
  });
});

describe('rollback drills', () => {
  it('a drill runs the rollbacks newest first under the two-person rule, and its measured durations become the rollback cost in production', async () => {
    const w = world(apiDeploy({ policy: `{ rehearsal: { on: staging, max_age: 14d, missing: refuse }, drills: { on: staging, max_age: 30d, missing: refuse } }` }));
    expect(await w.say('alice', '/release drill api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([
      'api-deploy does not run drills on production (allow_drills: false): drill on staging.',
    ]);
    expect(await w.say('alice', '/release drill api-deploy version=1.2.3 env=staging confirmer=@alice')).toEqual([
      'You cannot confirm your own drill: every step needs a second person. Name someone in group:sre as confirmer=@name.',
    ]);
    expect(await w.events()).toEqual([]);

    await ok(w.say('alice', '/release drill api-deploy version=1.2.3 env=staging confirmer=@bob'));
    const drill = dataOf(await w.events(), 'release.started');
    expect(drill).toMatchObject({ release: 'api-deploy-1', environment: 'staging', drill: true, preflight: [] });
    // The rollbacks, newest step first, as steps of their own: the point of no return is behind, not ahead.
    expect(drill['steps']).toEqual([
      { id: 'migrate', title: 'Restore the database from the backup', expectMs: 2 * 3_600_000, irreversible: false },
      { id: 'drain', title: 'Put the blue pool back', expectMs: MINUTE, irreversible: false },
    ]);
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));

    const migrate = { release: 'api-deploy-1', step: 'migrate' };
    expect(await w.press('bob', ACTIONS.startStep, migrate)).toEqual(['You confirm api-deploy-1; alice drives it and starts each step. Two people, two roles.']);
    await ok(w.press('alice', ACTIONS.startStep, migrate));
    w.later(107 * MINUTE);
    await ok(w.press('alice', ACTIONS.doneStep, migrate));
    // The wait for the confirmer is not part of the measured duration.
    w.later(2 * MINUTE);
    expect(await w.press('alice', ACTIONS.confirmStep, migrate)).toEqual(['You drive api-deploy-1: you cannot confirm your own work. bob must.']);
    expect(await w.press('carol', ACTIONS.confirmStep, migrate)).toEqual(['Only bob, the confirmer of api-deploy-1, may confirm.']);
    expect(await w.press('dave', ACTIONS.confirmStep, migrate)).toEqual(['Only bob, the confirmer of api-deploy-1, may confirm.']);
    await ok(w.press('bob', ACTIONS.confirmStep, migrate));
    const migrateConfirmedAt = w.now().toISOString();

    const drain = { release: 'api-deploy-1', step: 'drain' };
    await ok(w.press('alice', ACTIONS.startStep, drain));
    w.later(3 * MINUTE);
    await ok(w.press('alice', ACTIONS.doneStep, drain));
    w.later(MINUTE);
    await ok(w.press('bob', ACTIONS.confirmStep, drain));
    const drainConfirmedAt = w.now().toISOString();
    expect((await w.release('api-deploy-1')).status).toBe('completed');
    const drillEvents = ofType(await w.events(), 'release.step_confirmed').map((event) => [event.actor, (event.data as { step: string }).step]);
    expect(drillEvents).toEqual([
      ['console:bob', 'migrate'],
      ['console:bob', 'drain'],
    ]);

    // A drill is no rehearsal of the version: production still wants a staging release (and the drills are now fresh).
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([
      `api-deploy 1.2.3 may not start on production: api-deploy 1.2.3 has not been released on staging yet. First: ${STAGE_FIRST}`,
    ]);
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    await runThrough(w, 'api-deploy-2', 'alice', 'bob');
    w.later(DAY);
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob'));

    const production = dataOf(await w.events(), 'release.started');
    expect(production['gaps']).toBeUndefined();
    const measured = (production['steps'] as { id: string; rollback?: { expectMs?: number; measured?: unknown } }[]).map((step) => [step.id, step.rollback]);
    expect(measured).toEqual([
      ['drain', { title: 'Put the blue pool back', expectMs: MINUTE, measured: { durationMs: 3 * MINUTE, at: drainConfirmedAt, drill: 'api-deploy-1', environment: 'staging' } }],
      ['migrate', { title: 'Restore the database from the backup', expectMs: 2 * 3_600_000, measured: { durationMs: 107 * MINUTE, at: migrateConfirmedAt, drill: 'api-deploy-1', environment: 'staging' } }],
    ]);
    // The cost of rolling back from migrate: the measured 1h47m + 3m, not the guessed 2h + 1m.
    const release = await w.release('api-deploy-3');
    expect(rollbackCost(release, 'migrate').totalMs).toBe(110 * MINUTE);
    expect(rollbackCost(release, 'drain').totalMs).toBe(3 * MINUTE);

    // And it is the cost the bot states at the point of no return.
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-3' }));
    const drainStep = { release: 'api-deploy-3', step: 'drain' };
    await ok(w.press('alice', ACTIONS.startStep, drainStep));
    await ok(w.press('alice', ACTIONS.doneStep, drainStep));
    await ok(w.press('bob', ACTIONS.confirmStep, drainStep));
    expect(await w.press('alice', ACTIONS.startStep, { release: 'api-deploy-3', step: 'migrate' })).toEqual([
      'Step migrate is a point of no return (rolling back after it takes about 1h50m): alice and bob must acknowledge it first.',
    ]);

    // /release rehearsals: each environment, and each step's rollback with its measured duration.
    const answer = (await w.say('alice', '/release rehearsals api-deploy')).join('\n');
    const lines = answer.split('\n');
    expect(lines.some((line) => line.startsWith('staging:') && line.includes('1.2.3'))).toBe(true);
    expect(lines.some((line) => line.startsWith('production:'))).toBe(true);
    expect(lines.some((line) => line.startsWith('migrate') && line.includes('1h47m') && line.includes('api-deploy-1'))).toBe(true);
    expect(lines.some((line) => line.startsWith('drain') && line.includes('3m') && line.includes('api-deploy-1'))).toBe(true);
    expect(await w.say('alice', '/release rehearsals nope')).toEqual(['There is no runbook nope. Runbooks: api-deploy, plain-deploy.']);
  });

  it('missing: refuse on drills: production is refused while a rollback was never drilled, or was drilled too long ago', async () => {
    const w = world(apiDeploy({ policy: '{ drills: { on: staging, max_age: 30d, missing: refuse } }' }));
    const drillFirst = '/release drill api-deploy version=1.2.3 env=staging confirmer=@name';
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([
      'api-deploy 1.2.3 may not start on production: the rollback of drain has never been exercised in a drill; the rollback of migrate has never been exercised in a drill. ' +
        `First: ${drillFirst}`,
    ]);

    // The command the refusal names is one that works, as given.
    await ok(w.say('alice', drillFirst.replace('@name', '@bob')));
    await runThrough(w, 'api-deploy-1', 'alice', 'bob', { migrate: 30 * MINUTE, drain: 2 * MINUTE });
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob'));
    expect(dataOf(await w.events(), 'release.started')).toMatchObject({ release: 'api-deploy-2', environment: 'production' });
    await ok(w.say('alice', '/release abort api-deploy-2 tomorrow'));

    w.later(31 * DAY);
    expect(await w.say('alice', '/release start api-deploy version=1.2.3 env=production confirmer=@bob')).toEqual([
      'api-deploy 1.2.3 may not start on production: the rollback of drain was last exercised 31 days ago (api-deploy-1; drills must be within 30d); ' +
        `the rollback of migrate was last exercised 31 days ago (api-deploy-1; drills must be within 30d). First: ${drillFirst}`,
    ]);
    expect(ofType(await w.events(), 'release.started')).toHaveLength(2);
  });
});

describe('a machine-checked preflight item', () => {
  let server: Server;
  let answer = 503;
  let url = '';

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer).end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/backup/latest`;
  });

  afterAll(async () => {
    await new Promise((closed) => server.close(closed));
  });

  it('blocks the start while its HTTP check fails, cannot be ticked by hand, and passes when the check does', async () => {
    const preflight = `preflight:\n  - id: backup\n    check: Last night's backup is there\n    verify: { http: '${url}', status: 200, within: 1s }`;
    const w = world(apiDeploy({ preflight }), { checks: { check: (checked, status, withinMs) => verifyHttp({ url: checked, status, withinMs }) } });
    answer = 503;
    await ok(w.say('alice', '/release start api-deploy version=1.2.3 env=staging confirmer=@bob'));
    // Nobody checks anything before the confirmer accepts.
    expect(await w.say('alice', '/release check api-deploy-1 backup')).toEqual(['bob has not accepted api-deploy-1 yet.']);
    await ok(w.press('bob', ACTIONS.accept, { release: 'api-deploy-1' }));
    expect(ofType(await w.events(), 'release.preflight_check_started').map((event) => event.data)).toEqual([{ release: 'api-deploy-1', item: 'backup', attempt: 1, http: url }]);
    expect(await w.say('alice', '/release check api-deploy-1 backup')).toEqual(["Preflight backup (Last night's backup is there) is being checked now; its result will be on the card."]);

    const failed = await eventually(w.events, (events) => ofType(events, 'release.preflight_check_failed').length === 1);
    const failure = ofType(failed, 'release.preflight_check_failed')[0];
    expect(failure?.actor).toBeNull();
    expect(failure?.data).toMatchObject({ release: 'api-deploy-1', item: 'backup', attempt: 1, check: { ok: false, verification: { url, expected: 200, ok: false, status: 503 } } });
    expect((await w.release('api-deploy-1')).status).toBe('preflight');
    expect(await w.press('alice', ACTIONS.startStep, { release: 'api-deploy-1', step: 'drain' })).toEqual(['Finish the preflight checks of api-deploy-1 first.']);

    // Evidence typed by hand ticks nothing: it checks again.
    await ok(w.say('alice', '/release check api-deploy-1 backup snapshot 881 is fine, trust me'));
    let events = await w.events();
    expect(ofType(events, 'release.preflight_checked')).toEqual([]);
    expect(ofType(events, 'release.preflight_check_started').map((event) => [event.actor, (event.data as { attempt: number }).attempt])).toEqual([
      ['console:bob', 1],
      ['console:alice', 2],
    ]);
    expect(await w.say('dave', '/release check api-deploy-1 backup')).toEqual(['Only alice and bob check the preflight of api-deploy-1.']);
    events = await eventually(w.events, (all) => ofType(all, 'release.preflight_check_failed').length === 2);
    expect(ofType(events, 'release.preflight_check_failed')[1]?.data).toMatchObject({ attempt: 2, check: { ok: false, verification: { status: 503 } } });
    expect((await w.release('api-deploy-1')).status).toBe('preflight');

    // The backup is there now; the confirmer asks again, in the release's channel.
    answer = 200;
    await ok(w.say('bob', '/release check backup', 'C0STAGING'));
    events = await eventually(w.events, (all) => ofType(all, 'release.preflight_checked').length === 1);
    const passed = ofType(events, 'release.preflight_checked')[0];
    expect(passed?.actor).toBeNull();
    expect(passed?.data).toMatchObject({ release: 'api-deploy-1', item: 'backup', attempt: 3, check: { ok: true, verification: { url, expected: 200, ok: true, status: 200, attempts: 1 } } });
    expect((passed?.data as { evidence: string }).evidence).toContain('HTTP 200');
    const release = await w.release('api-deploy-1');
    expect(release.status).toBe('running');
    expect(release.preflight[0]).toMatchObject({ id: 'backup', checkedAt: passed?.at });
    expect(release.preflight[0]?.checkedBy).toBeUndefined();
    expect(await w.say('alice', '/release check api-deploy-1 backup')).toEqual([expect.stringMatching(/^Preflight backup was already passed by its check at \d\d:\d\d UTC\.$/)]);

    await ok(w.press('alice', ACTIONS.startStep, { release: 'api-deploy-1', step: 'drain' }));
    expect(dataOf(await w.events(), 'release.step_started')).toEqual({ release: 'api-deploy-1', step: 'drain' });
    expect(w.logged).toEqual([]);
  });
});
