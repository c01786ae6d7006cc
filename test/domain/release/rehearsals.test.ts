/** Issue 13 in the domain: environments, the staging-before-production and drill policies, drills, machine checks. */
import { describe, expect, it } from 'vitest';
import type { ReleaseCommand } from '../../../src/domain/release/decide.js';
import { decide } from '../../../src/domain/release/decide.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { decidePreflightCheck } from '../../../src/domain/release/preflight.js';
import { assess, gapText, lastDrills, sameVersion } from '../../../src/domain/release/rehearsals.js';
import { fold, rollbackCost } from '../../../src/domain/release/state.js';
import { inEnvironment, runnersOf } from '../../../src/domain/environment.js';
import type { DomainError } from '../../../src/domain/errors.js';
import { isDomainError } from '../../../src/domain/errors.js';
import type { Environment, MissingPolicy, Runbook } from '../../../src/domain/runbook.js';
import { planRun, preflightRunId, verifyRequest } from '../../../src/domain/runner-plan.js';
import { alice, bob, carol, groups } from './fixtures.js';

const DAY = 86_400_000;
const T0 = new Date('2026-11-01T09:00:00.000Z');
const day = (n: number, minutes = 0): Date => new Date(T0.getTime() + n * DAY + minutes * 60_000);

const production = (rehearsal: MissingPolicy = 'refuse', drills?: MissingPolicy): Environment => ({
  name: 'production',
  channel: 'C-PROD',
  stakeholders: 'C-STATUS',
  runners: {},
  allowDrills: false,
  rehearsal: { on: 'staging', maxAgeMs: 14 * DAY, missing: rehearsal },
  ...(drills ? { drills: { on: 'staging', maxAgeMs: 30 * DAY, missing: drills } } : {}),
});

const staging: Environment = { name: 'staging', channel: 'C-STAGE', runners: { deploy: 'deploy-staging' }, allowDrills: true };

const book = (prod: Environment = production()): Runbook => ({
  name: 'api-deploy',
  title: 'API release',
  drivers: ['group:release-managers'],
  confirmers: ['group:sre'],
  params: { version: { pattern: '\\d+\\.\\d+\\.\\d+' } },
  preflight: [],
  steps: [
    { id: 'migrate', title: 'Migrate', irreversible: true, rollback: { title: 'Restore the database', expectMs: 2 * 3_600_000 } },
    { id: 'deploy', title: 'Deploy {{version}}', irreversible: false, run: { runner: 'deploy', argv: ['./deploy.sh', '{{version}}'] }, rollback: { title: 'Redeploy the previous version', expectMs: 300_000 } },
  ],
  environments: [staging, prod],
});

/** A small world: events so far, commands decided at given instants, failing loudly on an unexpected refusal. */
const world = (runbook: Runbook) => {
  const events: ReleaseEvent[] = [];
  const attempt = (command: ReleaseCommand, actor: string, now: Date): ReleaseEvent[] | DomainError =>
    decide(fold(runbook.name, events), command, { now, actor, groups, runbook, runners: { 'deploy-staging': { online: true }, deploy: { online: true } } });
  const act = (command: ReleaseCommand, actor: string, now: Date): ReleaseEvent[] => {
    const result = attempt(command, actor, now);
    if (isDomainError(result)) throw new Error(`${command.type} by ${actor}: ${result.message}`);
    events.push(...result);
    return result;
  };
  const refused = (command: ReleaseCommand, actor: string, now: Date): DomainError => {
    const result = attempt(command, actor, now);
    if (!isDomainError(result)) throw new Error(`${command.type} was not refused: ${result.map((event) => event.type).join(', ')}`);
    return result;
  };
  return { events, act, refused, slot: () => fold(runbook.name, events) };
};

type World = ReturnType<typeof world>;

const startOn = (environment: string, version = '1.2.3', extra: Partial<Extract<ReleaseCommand, { type: 'start' }>> = {}): ReleaseCommand => ({
  type: 'start',
  params: { version },
  confirmer: bob,
  channel: 'C-ASKED',
  environment,
  ...extra,
});

/** A whole release by hand: accept, then each step started, done and confirmed (automated steps by their run's success). */
const complete = (w: World, id: string, now: Date): void => {
  w.act({ type: 'accept', release: id }, bob, now);
  for (const step of w.slot().releases.find((release) => release.id === id)?.steps ?? []) {
    if (step.irreversible) {
      w.act({ type: 'acknowledge', release: id, step: step.id }, alice, now);
      w.act({ type: 'acknowledge', release: id, step: step.id }, bob, now);
    }
    w.act({ type: 'start_step', release: id, step: step.id }, alice, now);
    if (step.run) {
      w.act({ type: 'approve_step', release: id, step: step.id }, bob, now);
      const before = w.slot();
      // The runner's success: the step is done and confirmed (decideRun), folded in as events.
      const events = [
        { type: 'release.step_run_finished', at: now.toISOString(), actor: null, data: { release: id, step: step.id, attempt: 1, outcome: 'succeeded', exitCode: 0, signal: null, durationMs: 1000, tail: [] } },
        { type: 'release.step_done', at: now.toISOString(), actor: null, data: { release: id, step: step.id } },
        { type: 'release.step_confirmed', at: now.toISOString(), actor: null, data: { release: id, step: step.id } },
      ] as ReleaseEvent[];
      const last = before.releases.find((release) => release.id === id)?.steps.at(-1)?.id === step.id;
      w.events.push(...events, ...(last ? [{ type: 'release.completed', at: now.toISOString(), actor: null, data: { release: id } } as ReleaseEvent] : []));
      continue;
    }
    w.act({ type: 'done_step', release: id, step: step.id }, alice, now);
    w.act({ type: 'confirm_step', release: id, step: step.id }, bob, now);
  }
};

/** A drill on staging: each rollback step started at `when`, done `minutes[i]` later, confirmed at once. */
const drill = (w: World, id: string, when: Date, minutes: readonly number[]): void => {
  w.act({ type: 'drill', params: { version: '1.2.3' }, confirmer: bob, channel: 'C-ASKED', environment: 'staging' }, alice, when);
  w.act({ type: 'accept', release: id }, bob, when);
  const steps = w.slot().releases.find((release) => release.id === id)?.steps ?? [];
  let clock = when.getTime();
  steps.forEach((step, index) => {
    w.act({ type: 'start_step', release: id, step: step.id }, alice, new Date(clock));
    clock += (minutes[index] ?? 1) * 60_000;
    w.act({ type: 'done_step', release: id, step: step.id }, alice, new Date(clock));
    w.act({ type: 'confirm_step', release: id, step: step.id }, bob, new Date(clock));
  });
};

describe('environments', () => {
  it('place the runbook: channel, stakeholders and runners of the environment; every runner it may name', () => {
    const placed = inEnvironment(book(), 'staging');
    expect(placed.channel).toBe('C-STAGE');
    expect(placed.steps[1]?.run?.runner).toBe('deploy-staging');
    expect(inEnvironment(book(), 'production').steps[1]?.run?.runner).toBe('deploy');
    expect(new Set(runnersOf(book()))).toEqual(new Set(['deploy', 'deploy-staging']));
  });

  it('a runner checks a request against the runbook as it runs in the job environment', () => {
    const plan = planRun(inEnvironment(book(), 'staging'), 'deploy', { version: '1.2.3' });
    expect(plan).toMatchObject({ runner: 'deploy-staging', argv: ['./deploy.sh', '1.2.3'] });
    expect(verifyRequest(inEnvironment(book(), 'staging'), { step: 'deploy', params: { version: '1.2.3' }, argv: ['./deploy.sh', '1.2.4'] })?.code).toBe('argv_mismatch');
  });

  it('a start names one: required, known, and refused on a runbook without any', () => {
    const w = world(book());
    expect(w.refused({ type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' }, alice, day(0)).message).toContain('runs in staging, production');
    expect(w.refused(startOn('qa'), alice, day(0)).message).toBe('api-deploy has no environment qa; its environments are staging, production.');
    const plain = world({ ...book(), environments: undefined });
    expect(plain.refused(startOn('staging'), alice, day(0)).code).toBe('no_environments');
  });

  it('records the environment, runs in its channel, and allows one release at a time per environment', () => {
    const w = world(book(production('warn')));
    const [started] = w.act(startOn('staging'), alice, day(0));
    expect(started?.data).toMatchObject({ environment: 'staging', channel: 'C-STAGE' });
    expect(w.refused(startOn('staging', '1.2.4'), carol, day(0)).code).toBe('runbook_busy');
    // Production is another slot: the warn policy lets it start beside the staging one.
    expect(w.act(startOn('production'), carol, day(0))[0]?.data).toMatchObject({ environment: 'production', channel: 'C-PROD', stakeholders: 'C-STATUS' });
  });

  it('a rollback locks its environment only; unlock names it when several are locked', () => {
    const w = world(book(production('warn')));
    const rolledBack = (id: string, environment: string): void => {
      w.act(startOn(environment), alice, day(0));
      w.act({ type: 'accept', release: id }, bob, day(0));
      w.act({ type: 'acknowledge', release: id, step: 'migrate' }, alice, day(0));
      w.act({ type: 'acknowledge', release: id, step: 'migrate' }, bob, day(0));
      w.act({ type: 'start_step', release: id, step: 'migrate' }, alice, day(0));
      w.act({ type: 'rollback', release: id, reason: 'migration hangs' }, alice, day(0));
      w.act({ type: 'rollback_done', release: id, step: 'migrate' }, alice, day(0));
      w.act({ type: 'rollback_confirm', release: id, step: 'migrate' }, bob, day(0));
    };
    rolledBack('api-deploy-1', 'staging');
    expect(w.events.at(-1)).toMatchObject({ type: 'release.locked', data: { environment: 'staging' } });
    expect(Object.keys(w.slot().locks)).toEqual(['staging']);
    expect(w.refused(startOn('staging'), alice, day(0)).message).toContain('/release unlock api-deploy env=staging <what was fixed>');
    rolledBack('api-deploy-2', 'production');
    expect(w.refused({ type: 'unlock', reason: 'fixed' }, carol, day(0)).code).toBe('which_environment');
    w.act({ type: 'unlock', reason: 'index added', environment: 'staging' }, carol, day(0));
    expect(Object.keys(w.slot().locks)).toEqual(['production']);
    expect(w.act({ type: 'unlock', reason: 'index added' }, carol, day(0))[0]?.data).toEqual({ runbook: 'api-deploy', reason: 'index added', environment: 'production' });
    expect(w.slot().locks).toEqual({});
    expect(w.refused({ type: 'unlock', reason: 'x' }, carol, day(0)).code).toBe('not_locked');
  });
});

describe('staging before production', () => {
  it('refuses production without a completed staging release of the same version, naming the command that fixes it', () => {
    const w = world(book());
    const refused = w.refused(startOn('production'), alice, day(0));
    expect(refused.code).toBe('not_rehearsed');
    expect(refused.message).toBe(
      'api-deploy 1.2.3 may not start on production: api-deploy 1.2.3 has not been released on staging yet. First: /release start api-deploy version=1.2.3 env=staging confirmer=@name',
    );
  });

  it('allows it after a completed staging release of that version, and records who rehearsed it', () => {
    const w = world(book());
    w.act(startOn('staging'), alice, day(0));
    complete(w, 'api-deploy-1', day(0, 30));
    expect(w.refused(startOn('production', '1.2.4'), alice, day(1)).code).toBe('not_rehearsed');
    const [started] = w.act(startOn('production'), carol, day(1));
    expect(started?.data).toMatchObject({ environment: 'production', rehearsal: { release: 'api-deploy-1', environment: 'staging', driver: alice, confirmer: bob, at: day(0, 30).toISOString() } });
    expect((started?.data as { gaps?: unknown }).gaps).toBeUndefined();
  });

  it('refuses a rehearsal older than max_age, saying how old it is', () => {
    const w = world(book());
    w.act(startOn('staging'), alice, day(0));
    complete(w, 'api-deploy-1', day(0));
    const refused = w.refused(startOn('production'), alice, day(15));
    expect(refused.message).toContain('api-deploy 1.2.3 was last released on staging 15 days ago (api-deploy-1; rehearsals must be within 14d)');
  });

  it('an aborted or declined staging release is no rehearsal', () => {
    const w = world(book());
    w.act(startOn('staging'), alice, day(0));
    w.act({ type: 'decline', release: 'api-deploy-1' }, bob, day(0));
    expect(w.refused(startOn('production'), alice, day(0)).code).toBe('not_rehearsed');
  });

  it('missing: override asks for a reason, and the confirmer approves it by accepting', () => {
    const w = world(book(production('override')));
    const refused = w.refused(startOn('production'), alice, day(0));
    expect(refused.code).toBe('rehearsal_override_needed');
    expect(refused.message).toContain('override="<why it cannot wait>": bob approves the override by accepting.');
    const [started] = w.act(startOn('production', '1.2.3', { override: 'security fix, staging down' }), alice, day(0));
    expect(started?.data).toMatchObject({ override: 'security fix, staging down', gaps: [{ kind: 'rehearsal', policy: 'override', environment: 'staging' }] });
    const [accepted] = w.act({ type: 'accept', release: 'api-deploy-1' }, bob, day(0));
    expect(accepted).toMatchObject({ type: 'release.confirmer_accepted', actor: bob, data: { override: 'security fix, staging down' } });
  });

  it('missing: warn starts and records the gap', () => {
    const w = world(book(production('warn')));
    const [started] = w.act(startOn('production'), alice, day(0));
    expect(started?.data).toMatchObject({ gaps: [{ kind: 'rehearsal', policy: 'warn' }] });
    expect((started?.data as { override?: string }).override).toBeUndefined();
  });

  it('the same version: the version parameter, or every parameter when there is none', () => {
    const withVersion = book();
    expect(sameVersion(withVersion, { version: '1.2.3' }, { version: '1.2.3' })).toBe(true);
    const noVersion = { ...book(), params: { image: {}, region: {} } };
    expect(sameVersion(noVersion, { image: 'a', region: 'eu' }, { image: 'a', region: 'eu' })).toBe(true);
    expect(sameVersion(noVersion, { image: 'a', region: 'eu' }, { image: 'a', region: 'us' })).toBe(false);
  });
});

describe('rollback drills', () => {
  it('run the rollbacks on staging, newest step first, under the two-person rule', () => {
    const w = world(book());
    const [started] = w.act({ type: 'drill', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' }, alice, day(0));
    expect(started?.data).toMatchObject({
      drill: true,
      environment: 'staging',
      channel: 'C-STAGE',
      preflight: [],
      steps: [
        { id: 'deploy', title: 'Redeploy the previous version', expectMs: 300_000, irreversible: false },
        { id: 'migrate', title: 'Restore the database', expectMs: 7_200_000, irreversible: false },
      ],
    });
    w.act({ type: 'accept', release: 'api-deploy-1' }, bob, day(0));
    w.act({ type: 'start_step', release: 'api-deploy-1', step: 'deploy' }, alice, day(0));
    w.act({ type: 'done_step', release: 'api-deploy-1', step: 'deploy' }, alice, day(0, 4));
    expect(w.refused({ type: 'confirm_step', release: 'api-deploy-1', step: 'deploy' }, alice, day(0, 4)).code).toBe('not_the_confirmer');
    expect(w.refused({ type: 'confirm_step', release: 'api-deploy-1', step: 'deploy' }, carol, day(0, 4)).code).toBe('not_the_confirmer');
    expect(w.refused({ type: 'rollback', release: 'api-deploy-1', reason: 'x' }, alice, day(0, 4)).code).toBe('drill_no_rollback');
  });

  it('are refused where allow_drills is false, and need a second person', () => {
    const w = world(book());
    expect(w.refused({ type: 'drill', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'production' }, alice, day(0)).code).toBe('drills_not_allowed');
    expect(w.refused({ type: 'drill', params: { version: '1.2.3' }, confirmer: alice, channel: 'C1', environment: 'staging' }, alice, day(0)).code).toBe('self_confirm');
  });

  it('measure each rollback, and the measured durations replace the guesses in every cost a release states', () => {
    const w = world(book(production('warn')));
    drill(w, 'api-deploy-1', day(0), [4, 107]);
    expect(lastDrills(w.slot())).toEqual({
      deploy: { durationMs: 4 * 60_000, at: day(0, 4).toISOString(), drill: 'api-deploy-1', environment: 'staging' },
      migrate: { durationMs: 107 * 60_000, at: day(0, 111).toISOString(), drill: 'api-deploy-1', environment: 'staging' },
    });
    const [started] = w.act(startOn('production'), alice, day(2));
    const steps = (started?.data as { steps: Runbook['steps'] }).steps;
    expect(steps[0]?.rollback).toEqual({ title: 'Restore the database', expectMs: 7_200_000, measured: { durationMs: 107 * 60_000, at: day(0, 111).toISOString(), drill: 'api-deploy-1', environment: 'staging' } });
    const release = w.slot().releases.at(-1);
    if (!release) throw new Error('no release');
    // 1h47m + 4m measured, not 2h + 5m guessed.
    expect(rollbackCost(release, 'deploy').totalMs).toBe(111 * 60_000);
  });

  it('a drill policy warns, or refuses, when a rollback was never drilled or too long ago', () => {
    const refusing = world(book(production('warn', 'refuse')));
    const never = refusing.refused(startOn('production'), alice, day(0));
    expect(never.message).toContain('the rollback of migrate has never been exercised in a drill; the rollback of deploy has never been exercised in a drill. First: /release drill api-deploy version=1.2.3 env=staging confirmer=@name');
    drill(refusing, 'api-deploy-1', day(0), [4, 107]);
    expect(refusing.act(startOn('production'), alice, day(29))[0]?.type).toBe('release.started');
    const stale = world(book(production('warn', 'refuse')));
    drill(stale, 'api-deploy-1', day(0), [4, 107]);
    expect(stale.refused(startOn('production'), alice, day(40)).message).toContain('the rollback of migrate was last exercised 39 days ago (api-deploy-1; drills must be within 30d)');
    const warning = world(book(production('warn', 'warn')));
    const [started] = warning.act(startOn('production'), alice, day(0));
    expect((started?.data as { gaps?: unknown[] }).gaps).toHaveLength(3);
  });

  it('assess finds measured durations even without a drill policy', () => {
    const w = world(book(production('warn')));
    drill(w, 'api-deploy-1', day(0), [4, 107]);
    const env = book().environments?.[1];
    expect(Object.keys(assess(w.slot(), book(), env, { version: '1.2.3' }, day(1)).measured)).toEqual(['deploy', 'migrate']);
  });

  it('gap words', () => {
    expect(gapText({ kind: 'drill', policy: 'warn', step: 'migrate', maxAgeMs: 30 * DAY }, 'api-deploy 1.2.3', day(0))).toBe('the rollback of migrate has never been exercised in a drill');
  });
});

describe('machine-checked preflight', () => {
  const checked = (): Runbook => ({
    ...book(production('warn')),
    preflight: [
      { id: 'backup', check: 'Backup verified', evidence: 'none', verify: { http: 'https://backup.internal/{{version}}', status: 200 } },
      { id: 'restore', check: 'Restore tested', evidence: 'none', run: { runner: 'deploy', argv: ['./check-restore.sh'] } },
      { id: 'oncall', check: 'On-call knows', evidence: 'none' },
    ],
  });

  it('checks start at Accept, on the environment runner, with parameters filled in', () => {
    const w = world(checked());
    w.act(startOn('staging'), alice, day(0));
    const accepted = w.act({ type: 'accept', release: 'api-deploy-1' }, bob, day(0));
    expect(accepted.map((event) => [event.type, event.data])).toEqual([
      ['release.confirmer_accepted', { release: 'api-deploy-1' }],
      ['release.preflight_check_started', { release: 'api-deploy-1', item: 'backup', attempt: 1, http: 'https://backup.internal/1.2.3' }],
      ['release.preflight_check_started', { release: 'api-deploy-1', item: 'restore', attempt: 1, runner: 'deploy-staging', argv: ['./check-restore.sh'] }],
    ]);
    expect(planRun(inEnvironment(checked(), 'staging'), preflightRunId('restore'), { version: '1.2.3' })).toMatchObject({ runner: 'deploy-staging', argv: ['./check-restore.sh'] });
  });

  it('a failing check blocks the start; it cannot be ticked by hand, only checked again; a pass lets it run', () => {
    const w = world(checked());
    w.act(startOn('staging'), alice, day(0));
    w.act({ type: 'accept', release: 'api-deploy-1' }, bob, day(0));
    w.act({ type: 'check', release: 'api-deploy-1', item: 'oncall' }, alice, day(0));
    expect(w.refused({ type: 'check', release: 'api-deploy-1', item: 'backup' }, alice, day(0)).code).toBe('check_running');
    const verification = { url: 'https://backup.internal/1.2.3', expected: 200, ok: false, status: 503, attempts: 3, durationMs: 1000 };
    w.events.push(...decidePreflightCheck(w.slot(), { release: 'api-deploy-1', item: 'backup', attempt: 1, result: { ok: false, verification } }, day(0)));
    const run = { runner: 'deploy-staging', outcome: 'succeeded' as const, exitCode: 0, signal: null, durationMs: 200, tail: ['restore of 2026-11-01 ok'] };
    w.events.push(...decidePreflightCheck(w.slot(), { release: 'api-deploy-1', item: 'restore', attempt: 1, result: { ok: true, run } }, day(0)));
    // A report delivered twice changes nothing.
    expect(decidePreflightCheck(w.slot(), { release: 'api-deploy-1', item: 'restore', attempt: 1, result: { ok: true, run } }, day(0))).toEqual([]);
    const release = () => w.slot().releases[0];
    expect(release()?.status).toBe('preflight');
    expect(release()?.preflight.find((item) => item.id === 'restore')).toMatchObject({ evidenceText: 'exit 0 on runner deploy-staging: restore of 2026-11-01 ok' });
    expect(w.refused({ type: 'start_step', release: 'api-deploy-1', step: 'migrate' }, alice, day(0)).code).toBe('preflight_open');
    expect(w.refused({ type: 'check', release: 'api-deploy-1', item: 'backup' }, carol, day(0)).code).toBe('not_in_pair');
    const again = w.act({ type: 'check', release: 'api-deploy-1', item: 'backup', evidence: 'I looked' }, bob, day(0));
    expect(again).toMatchObject([{ type: 'release.preflight_check_started', data: { item: 'backup', attempt: 2 } }]);
    // The first attempt's late result is stale.
    expect(decidePreflightCheck(w.slot(), { release: 'api-deploy-1', item: 'backup', attempt: 1, result: { ok: true, verification: { ...verification, ok: true, status: 200 } } }, day(0))).toEqual([]);
    const passed = decidePreflightCheck(w.slot(), { release: 'api-deploy-1', item: 'backup', attempt: 2, result: { ok: true, verification: { ...verification, ok: true, status: 200, attempts: 1 } } }, day(0));
    expect(passed).toMatchObject([{ type: 'release.preflight_checked', actor: null, data: { item: 'backup', attempt: 2, evidence: 'HTTP 200 from https://backup.internal/1.2.3 (1 try, 1s)' } }]);
    w.events.push(...passed);
    expect(release()?.status).toBe('running');
    expect(w.refused({ type: 'check', release: 'api-deploy-1', item: 'backup' }, bob, day(0)).message).toContain('already passed by its check');
  });
});
