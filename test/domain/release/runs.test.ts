/** Automated steps (issue #9): given events, when a person or a runner acts, then the events or the refusal. */
import { describe, expect, it } from 'vitest';
import type { RunSignal } from '../../../src/domain/release/decide.js';
import { decideVerified, runOutcome } from '../../../src/domain/release/decide.js';
import type { DomainError } from '../../../src/domain/errors.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import type { Release, StepState } from '../../../src/domain/release/state.js';
import { fold, runInFlight } from '../../../src/domain/release/state.js';
import type { Runbook } from '../../../src/domain/runbook.js';
import type { AutoStep, RunnerMap } from './fixtures.js';
import {
  alice,
  approveDeploy,
  atDeploy,
  AUTO_R,
  autoRunbook,
  bob,
  carol,
  continueAuto,
  nextMinute,
  runFinished,
  runStarted,
  signalAuto,
  startDeploy,
  whenAuto,
} from './fixtures.js';

const types = (result: ReleaseEvent[] | DomainError): string[] | string => (Array.isArray(result) ? result.map((event) => event.type) : `error:${result.code}`);
const error = (result: ReleaseEvent[] | DomainError): DomainError => {
  if (Array.isArray(result)) throw new Error(`expected an error, got ${result.map((e) => e.type).join(', ') || 'no events'}`);
  return result;
};
const releaseOf = (events: readonly ReleaseEvent[]): Release => {
  const release = fold(autoRunbook.name, events).releases[0];
  if (!release) throw new Error('no release');
  return release;
};
const stepOf = (events: readonly ReleaseEvent[], id: string): StepState => {
  const step = releaseOf(events).steps.find((candidate) => candidate.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step;
};

const deployRun = (change: Partial<Extract<RunSignal, { type: 'run_finished' }>> = {}): RunSignal => runFinished('deploy', change);
const verifyOk = { url: 'https://web.example/health', expected: 200, ok: true, status: 200, attempts: 1, durationMs: 300 };
const verifyBad = { url: 'https://web.example/health', expected: 200, ok: false, status: 503, attempts: 6, durationMs: 30_000 };

/** deploy started by alice, waiting for bob's approval. */
const awaiting = (): ReleaseEvent[] => continueAuto(atDeploy(), startDeploy);
/** deploy approved by bob, queued for runner prod. */
const queued = (): ReleaseEvent[] => continueAuto(atDeploy(), startDeploy, approveDeploy);
/** deploy running on prod. */
const runningDeploy = (): ReleaseEvent[] => continueAuto(queued(), runStarted('deploy'));
/** deploy's first attempt exited 1. */
const failedDeploy = (): ReleaseEvent[] => continueAuto(runningDeploy(), deployRun({ exitCode: 1, tail: ['error: image 1.2.3 not found'] }));

const offline: RunnerMap = { prod: { online: false, lastSeen: '2026-11-23T13:55:00.000Z' }, edge: { online: true } };

describe('starting an automated step', () => {
  it('opens attempt 1, waiting for the confirmer to approve the command', () => {
    const given = atDeploy();
    const result = whenAuto(given, { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice);
    expect(result).toEqual([{ type: 'release.step_started', at: nextMinute(given).toISOString(), actor: alice, data: { release: AUTO_R, step: 'deploy' } }]);
    const step = stepOf([...given, ...(result as ReleaseEvent[])], 'deploy');
    expect(step.status).toBe('started');
    expect(step.runs).toEqual([{ attempt: 1, status: 'awaiting_approval', requestedAt: nextMinute(given).toISOString() }]);
  });

  it('a manual step opens no attempt', () => {
    const given = continueAuto(atDeploy().slice(0, 2), [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice]);
    expect(stepOf(given, 'drain').runs).toEqual([]);
  });

  it('is refused while its runner is offline, saying when it was last heard from and how to bring it up', () => {
    const result = error(whenAuto(atDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice, { runners: offline }));
    expect(result.code).toBe('runner_offline');
    expect(result.message).toBe(
      'Step deploy runs on runner prod, which is offline (last heard from at 13:55 UTC on 2026-11-23). ' +
        'Start it on the host that has the access (planb worker --runner prod), then try again.',
    );
  });

  it('is refused when its runner was never heard from, even if another runner is online', () => {
    const result = error(whenAuto(atDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice, { runners: { edge: { online: true } } }));
    expect(result.code).toBe('runner_offline');
    expect(result.message).toContain('runner prod, which is offline (never heard from)');
    expect(error(whenAuto(atDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice, { runners: {} })).code).toBe('runner_offline');
  });

  it('a manual step needs no runner', () => {
    const accepted = atDeploy().slice(0, 2);
    expect(types(whenAuto(accepted, { type: 'start_step', release: AUTO_R, step: 'drain' }, alice, { runners: {} }))).toEqual(['release.step_started']);
  });

  it('only the driver starts it', () => {
    const result = error(whenAuto(atDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, bob));
    expect(result.code).toBe('not_the_driver');
    expect(result.message).toContain('alice drives it');
  });
});

describe('the confirmer approves the command before it runs', () => {
  const approve = { type: 'approve_step', release: AUTO_R, step: 'deploy' } as const;

  it('records the approval with the attempt, the runner and the argv filled in with the parameters', () => {
    const given = awaiting();
    const result = whenAuto(given, approve, bob);
    expect(result).toEqual([
      {
        type: 'release.step_approved',
        at: nextMinute(given).toISOString(),
        actor: bob,
        data: { release: AUTO_R, step: 'deploy', attempt: 1, runner: 'prod', argv: ['./deploy.sh', '--version', '1.2.3'] },
      },
    ]);
    const run = stepOf([...given, ...(result as ReleaseEvent[])], 'deploy').runs[0];
    expect(run).toMatchObject({ attempt: 1, status: 'queued', approvedBy: bob, approvedAt: nextMinute(given).toISOString(), argv: ['./deploy.sh', '--version', '1.2.3'] });
  });

  it('the driver cannot approve their own step, nor can a bystander', () => {
    const byDriver = error(whenAuto(awaiting(), approve, alice));
    expect(byDriver.code).toBe('not_the_confirmer');
    expect(byDriver.message).toBe('You drive web-deploy-1: you cannot approve your own work. bob must.');
    const byCarol = error(whenAuto(awaiting(), approve, carol));
    expect(byCarol.code).toBe('not_the_confirmer');
    expect(byCarol.message).toBe('Only bob, the confirmer of web-deploy-1, may approve.');
  });

  it('is refused while the runner is offline: nothing would take the command', () => {
    const result = error(whenAuto(awaiting(), approve, bob, { runners: offline }));
    expect(result.code).toBe('runner_offline');
    expect(result.message).toContain('Step deploy runs on runner prod, which is offline');
  });

  it('is refused when the runbook changed since the start: the confirmer approves only the command the card shows', () => {
    const changed = {
      ...autoRunbook,
      steps: autoRunbook.steps.map((step) => (step.id === 'deploy' && step.run ? { ...step, run: { ...step.run, argv: ['./deploy.sh', '--force', '--version', '{{version}}'] } } : step)),
    };
    const result = error(whenAuto(awaiting(), approve, bob, { book: changed }));
    expect(result.code).toBe('runbook_changed');
    expect(result.message).toContain('now runs ["./deploy.sh","--force","--version","1.2.3"] on runner prod, not the ["./deploy.sh","--version","1.2.3"] on runner prod shown here');
    const moved = { ...autoRunbook, steps: autoRunbook.steps.map((step) => (step.id === 'deploy' && step.run ? { ...step, run: { ...step.run, runner: 'prod2' } } : step)) };
    expect(error(whenAuto(awaiting(), approve, bob, { book: moved, runners: { prod: { online: true }, prod2: { online: true } } })).code).toBe('runbook_changed');
  });

  it('is answered, not recorded twice', () => {
    const result = error(whenAuto(queued(), approve, bob));
    expect(result.code).toBe('already_approved');
    expect(result.message).toBe('Attempt 1 of step deploy was already approved by bob.');
    expect(error(whenAuto(runningDeploy(), approve, bob)).code).toBe('already_approved');
  });

  it('a manual step has nothing to approve', () => {
    const given = continueAuto(atDeploy().slice(0, 2), [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice]);
    const result = error(whenAuto(given, { type: 'approve_step', release: AUTO_R, step: 'drain' }, bob));
    expect(result.code).toBe('not_automated');
    expect(result.message).toBe('Step drain is done by hand: confirm it once alice has done it.');
  });

  it('a step not started, or failed, cannot be approved', () => {
    const pending = error(whenAuto(atDeploy(), approve, bob));
    expect(pending.code).toBe('wrong_step_state');
    expect(pending.message).toBe('Cannot approve step deploy: it has not started.');
    const failed = error(whenAuto(failedDeploy(), approve, bob));
    expect(failed.code).toBe('wrong_step_state');
    expect(failed.message).toBe('Cannot approve step deploy: it failed: start it again to retry, or roll back.');
  });
});

describe('the driver cannot mark an automated step done', () => {
  it.each([
    ['awaiting approval', awaiting],
    ['queued', queued],
    ['running', runningDeploy],
  ])('while %s: its command decides', (_state, given) => {
    const result = error(whenAuto(given(), { type: 'done_step', release: AUTO_R, step: 'deploy' }, alice));
    expect(result.code).toBe('automated_step');
    expect(result.message).toBe('Step deploy is run by runner prod: it is done when its command succeeds.');
  });
});

describe('decideRun: what a runner reports', () => {
  it('run_started: the runner took the approved attempt; the bot records where', () => {
    const given = queued();
    const events = signalAuto(given, runStarted('deploy'));
    expect(events).toEqual([
      {
        type: 'release.step_run_started',
        at: nextMinute(given).toISOString(),
        actor: null,
        data: { release: AUTO_R, step: 'deploy', attempt: 1, runner: 'prod', instance: 'prod-a1', host: 'deploy-01' },
      },
    ]);
    expect(stepOf([...given, ...events], 'deploy').runs[0]).toMatchObject({ status: 'running', instance: 'prod-a1', host: 'deploy-01', startedAt: nextMinute(given).toISOString() });
  });

  it('exit 0 with its check passed: succeeded, and the step is done and confirmed by the bot', () => {
    const given = runningDeploy();
    const events = signalAuto(given, deployRun({ verify: verifyOk, log: 'web-deploy-1-deploy-1.log' }));
    const at = nextMinute(given).toISOString();
    expect(events).toEqual([
      {
        type: 'release.step_run_finished',
        at,
        actor: null,
        data: {
          release: AUTO_R,
          step: 'deploy',
          attempt: 1,
          outcome: 'succeeded',
          exitCode: 0,
          signal: null,
          durationMs: 42_000,
          tail: ['deployed 1.2.3'],
          log: 'web-deploy-1-deploy-1.log',
          verify: verifyOk,
        },
      },
      { type: 'release.step_done', at, actor: null, data: { release: AUTO_R, step: 'deploy' } },
      { type: 'release.step_confirmed', at, actor: null, data: { release: AUTO_R, step: 'deploy' } },
    ]);
    const after = [...given, ...events];
    expect(stepOf(after, 'deploy')).toMatchObject({ status: 'confirmed', confirmedBy: bob, confirmedAt: at });
    expect(releaseOf(after).status).toBe('running');
  });

  it('exit 0 with no check to run is a success too', () => {
    expect(signalAuto(runningDeploy(), deployRun()).map((event) => event.type)).toEqual(['release.step_run_finished', 'release.step_done', 'release.step_confirmed']);
  });

  it('the success of the last step completes the release', () => {
    const given = continueAuto(
      runningDeploy(),
      deployRun(),
      [{ type: 'start_step', release: AUTO_R, step: 'purge' }, alice],
      [{ type: 'approve_step', release: AUTO_R, step: 'purge' }, bob],
      runStarted('purge', 1, 'edge'),
    );
    const events = signalAuto(given, runFinished('purge', { tail: ['purged'] }));
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['release.step_run_finished', null],
      ['release.step_done', null],
      ['release.step_confirmed', null],
      ['release.completed', null],
    ]);
    const release = releaseOf([...given, ...events]);
    expect(release.status).toBe('completed');
    expect(release.steps.map((step) => [step.id, step.status, step.confirmedBy])).toEqual([
      ['drain', 'confirmed', bob],
      ['deploy', 'confirmed', bob],
      ['purge', 'confirmed', bob],
    ]);
  });

  it('a run may finish without its start having been reported (a lost start report)', () => {
    expect(signalAuto(queued(), deployRun()).map((event) => event.type)).toEqual(['release.step_run_finished', 'release.step_done', 'release.step_confirmed']);
  });

  it.each([
    ['another exit code', { exitCode: 1 }, 'failed'],
    ['a signal', { exitCode: null, signal: 'SIGKILL' }, 'failed'],
    ['its timeout', { exitCode: null, signal: 'SIGTERM', timedOut: true }, 'timed_out'],
    ['its check failing after exit 0', { verify: verifyBad }, 'verify_failed'],
    ['the runner refusing it', { exitCode: null, refused: 'argv_mismatch: the runner runs ./deploy.sh --version 1.2.4' }, 'refused'],
  ] as const)('%s fails the step: %s', (_why, change, outcome) => {
    const given = runningDeploy();
    const events = signalAuto(given, deployRun(change));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'release.step_run_finished', actor: null, data: { step: 'deploy', attempt: 1, outcome } });
    const after = [...given, ...events];
    const step = stepOf(after, 'deploy');
    expect(step.status).toBe('failed');
    expect(step.runs[0]).toMatchObject({ status: 'finished', result: { outcome } });
    expect(step.confirmedBy).toBeUndefined();
    expect(releaseOf(after).status).toBe('running');
  });

  it('a refusal carries the runner\'s reason as its detail', () => {
    const [finished] = signalAuto(runningDeploy(), deployRun({ exitCode: null, refused: 'argv_mismatch' }));
    expect(finished?.data).toMatchObject({ outcome: 'refused', detail: 'argv_mismatch' });
  });

  it.each([
    ['lost', runningDeploy, 'runner prod (deploy-01) stopped answering'],
    ['not_started', queued, 'no runner took it within 1m'],
  ] as const)('the watch ends a run as %s, with its detail and no output', (outcome, given, detail) => {
    const history = given();
    const events = signalAuto(history, { type: 'run_lost', release: AUTO_R, step: 'deploy', attempt: 1, outcome, detail });
    expect(events).toEqual([
      { type: 'release.step_run_finished', at: nextMinute(history).toISOString(), actor: null, data: { release: AUTO_R, step: 'deploy', attempt: 1, outcome, tail: [], detail } },
    ]);
    expect(stepOf([...history, ...events], 'deploy').status).toBe('failed');
  });

  it('runOutcome: a refusal beats everything, a timeout beats the exit code, a failed check spoils exit 0', () => {
    const base = deployRun() as Extract<RunSignal, { type: 'run_finished' }>;
    expect(runOutcome({ ...base, refused: 'no', timedOut: true, exitCode: 0 })).toBe('refused');
    expect(runOutcome({ ...base, timedOut: true, exitCode: 0 })).toBe('timed_out');
    expect(runOutcome({ ...base, exitCode: 2, verify: verifyOk })).toBe('failed');
    expect(runOutcome({ ...base, verify: verifyBad })).toBe('verify_failed');
    expect(runOutcome({ ...base, verify: verifyOk })).toBe('succeeded');
  });
});

describe('decideRun: stale news changes nothing', () => {
  it('a duplicate start report', () => {
    expect(signalAuto(runningDeploy(), runStarted('deploy'))).toEqual([]);
  });

  it('news of an attempt that was never approved', () => {
    expect(signalAuto(awaiting(), runStarted('deploy'))).toEqual([]);
    expect(signalAuto(awaiting(), deployRun())).toEqual([]);
  });

  it('news of another attempt', () => {
    expect(signalAuto(runningDeploy(), runStarted('deploy', 2))).toEqual([]);
    expect(signalAuto(runningDeploy(), deployRun({ attempt: 2 }))).toEqual([]);
  });

  it('a report delivered twice, or after the watch already ended the run', () => {
    const finished = continueAuto(runningDeploy(), deployRun({ exitCode: 1 }));
    expect(signalAuto(finished, deployRun({ exitCode: 1 }))).toEqual([]);
    expect(signalAuto(finished, deployRun())).toEqual([]);
    const lost = continueAuto(runningDeploy(), { type: 'run_lost', release: AUTO_R, step: 'deploy', attempt: 1, outcome: 'lost', detail: 'runner gone' });
    expect(signalAuto(lost, deployRun())).toEqual([]);
    expect(signalAuto(lost, { type: 'run_lost', release: AUTO_R, step: 'deploy', attempt: 1, outcome: 'lost', detail: 'again' })).toEqual([]);
  });

  it('a success reported twice confirms once', () => {
    const done = continueAuto(runningDeploy(), deployRun());
    expect(signalAuto(done, deployRun())).toEqual([]);
  });

  it('news of an unknown release, step, or a manual step', () => {
    expect(signalAuto(runningDeploy(), { ...runStarted('deploy'), release: 'web-deploy-9' })).toEqual([]);
    expect(signalAuto(runningDeploy(), runStarted('nope'))).toEqual([]);
    const draining = continueAuto(atDeploy().slice(0, 2), [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice]);
    expect(signalAuto(draining, runFinished('drain'))).toEqual([]);
  });
});

describe('while a command is queued or running, nobody can leave it or undo it', () => {
  it.each([
    ['queued', queued, 'Step deploy is queued for runner prod'],
    ['running', runningDeploy, 'Step deploy is running on runner prod'],
  ] as const)('abort and rollback are refused while it is %s', (_state, given, where) => {
    expect(runInFlight(releaseOf(given()))?.step.id).toBe('deploy');
    const aborting = error(whenAuto(given(), { type: 'abort', release: AUTO_R, reason: 'stop' }, alice));
    expect(aborting.code).toBe('run_in_progress');
    expect(aborting.message).toBe(`${where}: wait for it to end (it is stopped at its timeout) before aborting web-deploy-1.`);
    const rolling = error(whenAuto(given(), { type: 'rollback', release: AUTO_R, reason: 'bad build' }, bob));
    expect(rolling.code).toBe('run_in_progress');
    expect(rolling.message).toBe(`${where}: wait for it to end (it is stopped at its timeout) before rolling back web-deploy-1.`);
  });

  it('before approval nothing runs yet: rollback is allowed', () => {
    expect(runInFlight(releaseOf(awaiting()))).toBeUndefined();
    expect(types(whenAuto(awaiting(), { type: 'rollback', release: AUTO_R, reason: 'changed our minds' }, alice))).toEqual(['release.rollback_started']);
  });

  it('once it failed, rollback is allowed and undoes the failed step first: it may have done part of its work', () => {
    const given = failedDeploy();
    expect(runInFlight(releaseOf(given))).toBeUndefined();
    const result = whenAuto(given, { type: 'rollback', release: AUTO_R, reason: 'image missing' }, alice);
    expect(result).toMatchObject([{ type: 'release.rollback_started', data: { reason: 'image missing', steps: ['deploy', 'drain'] } }]);
    const release = releaseOf([...given, ...(result as ReleaseEvent[])]);
    expect(release.status).toBe('rolling_back');
    expect(release.rollback?.steps.map((step) => step.title)).toEqual(['Redeploy the previous version', 'Put the pool back']);
  });

  it('once it failed, abort is allowed too', () => {
    expect(types(whenAuto(failedDeploy(), { type: 'abort', release: AUTO_R, reason: 'try tomorrow' }, alice))).toEqual(['release.aborted']);
  });
});

describe('retrying a failed step', () => {
  const retry: AutoStep = [{ type: 'start_step', release: AUTO_R, step: 'deploy' }, alice];

  it('the driver starts it again: attempt 2 waits for a new approval', () => {
    const given = failedDeploy();
    const result = whenAuto(given, { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice);
    expect(types(result)).toEqual(['release.step_started']);
    const step = stepOf([...given, ...(result as ReleaseEvent[])], 'deploy');
    expect(step.status).toBe('started');
    expect(step.runs.map((run) => [run.attempt, run.status])).toEqual([
      [1, 'finished'],
      [2, 'awaiting_approval'],
    ]);
    // The step keeps the time it was first started; its deadline counts from the retry.
    expect(step.startedAt).toBe(stepOf(given, 'deploy').startedAt);
    expect(step.dueAt).toBe(new Date(nextMinute(given).getTime() + 300_000).toISOString());
  });

  it('nothing runs until the confirmer approves attempt 2; news of attempt 1 is stale', () => {
    const given = continueAuto(failedDeploy(), retry);
    expect(signalAuto(given, runStarted('deploy', 2))).toEqual([]);
    expect(signalAuto(given, deployRun({ attempt: 1 }))).toEqual([]);
    expect(error(whenAuto(given, { type: 'approve_step', release: AUTO_R, step: 'deploy' }, alice)).code).toBe('not_the_confirmer');
    expect(whenAuto(given, { type: 'approve_step', release: AUTO_R, step: 'deploy' }, bob)).toMatchObject([
      { type: 'release.step_approved', actor: bob, data: { step: 'deploy', attempt: 2, runner: 'prod', argv: ['./deploy.sh', '--version', '1.2.3'] } },
    ]);
  });

  it('only the driver retries, and only while the runner is online', () => {
    const byConfirmer = error(whenAuto(failedDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, bob));
    expect(byConfirmer.code).toBe('not_the_driver');
    expect(error(whenAuto(failedDeploy(), { type: 'start_step', release: AUTO_R, step: 'deploy' }, alice, { runners: offline })).code).toBe('runner_offline');
  });

  it('a failed step is not done: the driver cannot skip ahead to the next step', () => {
    const result = error(whenAuto(failedDeploy(), { type: 'start_step', release: AUTO_R, step: 'purge' }, alice));
    expect(result.code).toBe('not_current_step');
    expect(result.message).toBe('One step at a time: step deploy (Deploy 1.2.3) of web-deploy-1 comes first.');
    expect(error(whenAuto(failedDeploy(), { type: 'done_step', release: AUTO_R, step: 'deploy' }, alice)).code).toBe('wrong_step_state');
  });

  it('a successful retry confirms the step in the approver\'s name and keeps every attempt', () => {
    const given = continueAuto(failedDeploy(), retry, approveDeploy, runStarted('deploy', 2), deployRun({ attempt: 2, verify: verifyOk }));
    const step = stepOf(given, 'deploy');
    expect(step).toMatchObject({ status: 'confirmed', confirmedBy: bob });
    expect(step.runs.map((run) => [run.attempt, run.status, run.approvedBy, run.result?.outcome])).toEqual([
      [1, 'finished', bob, 'failed'],
      [2, 'finished', bob, 'succeeded'],
    ]);
  });
});

describe('a parameter cannot smuggle a command in', () => {
  const injected = { type: 'start', params: { version: '1.2.3; rm -rf /' }, confirmer: bob, channel: 'C1' } as const;
  const withVersion = (version: Runbook['params'][string]): Runbook => ({ ...autoRunbook, params: { version } });

  it('an anchored pattern refuses it at start', () => {
    const result = error(whenAuto([], injected, alice));
    expect(result.code).toBe('bad_param');
    expect(result.message).toBe('version=1.2.3; rm -rf / does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).');
  });

  it('an unanchored pattern must still cover the whole value: refused at start, before any release exists', () => {
    const book = withVersion({ pattern: '\\d+\\.\\d+\\.\\d+' });
    const result = error(whenAuto([], injected, alice, { book }));
    expect(result.code).toBe('bad_param');
    expect(result.message).toBe('version=1.2.3; rm -rf / does not match \\d+\\.\\d+\\.\\d+.');
  });

  it('a parameter without a pattern may not reach a command: approval refuses unchecked_param', () => {
    const book = withVersion({ description: 'Version to deploy' });
    const started = whenAuto([], injected, alice, { book });
    expect(types(started)).toEqual(['release.started']);
    const given = continueAuto(
      started as ReleaseEvent[],
      [{ type: 'accept', release: AUTO_R }, bob],
      [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice],
      [{ type: 'done_step', release: AUTO_R, step: 'drain' }, alice],
      [{ type: 'confirm_step', release: AUTO_R, step: 'drain' }, bob],
      startDeploy,
    );
    const result = error(whenAuto(given, { type: 'approve_step', release: AUTO_R, step: 'deploy' }, bob, { book }));
    expect(result.code).toBe('unchecked_param');
    expect(result.message).toBe('{{version}} goes into the command of step deploy, so web-deploy must give it a pattern before a runner will run it.');
    expect(runInFlight(releaseOf(given))).toBeUndefined();
  });
});

describe('a step done by hand with a verify: the bot checks it for the confirmer', () => {
  const manual: Runbook = {
    ...autoRunbook,
    steps: [{ id: 'drain', title: 'Drain traffic', irreversible: false, verify: { http: 'https://lb.example/pool', status: 200 } }],
  };
  const check = { url: 'https://lb.example/pool', expected: 200, ok: false, status: 503, attempts: 3, durationMs: 30_000 };
  const doneAt = (events: readonly ReleaseEvent[]): string => stepOf([...events], 'drain').doneAt ?? '';
  const done = (): ReleaseEvent[] =>
    continueAuto(
      whenAuto([], { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' }, alice, { book: manual }) as ReleaseEvent[],
      [{ type: 'accept', release: AUTO_R }, bob],
      [{ type: 'start_step', release: AUTO_R, step: 'drain' }, alice],
      [{ type: 'done_step', release: AUTO_R, step: 'drain' }, alice],
    );

  it('records what the check found once, for the Done it was made for', () => {
    const given = done();
    const verified = decideVerified(fold(manual.name, given), { release: AUTO_R, step: 'drain', done: doneAt(given), verification: check }, nextMinute(given));
    expect(verified).toEqual([{ type: 'release.step_verified', at: nextMinute(given).toISOString(), actor: null, data: { release: AUTO_R, step: 'drain', verification: check } }]);
    const after = [...given, ...verified];
    expect(stepOf(after, 'drain').verification).toEqual(check);
    expect(decideVerified(fold(manual.name, after), { release: AUTO_R, step: 'drain', done: doneAt(given), verification: check }, nextMinute(after))).toEqual([]);
  });

  it('a check for an earlier Done (the step was sent back since) is stale, and sending back clears the old result', () => {
    const given = done();
    const first = doneAt(given);
    const verified = [...given, ...decideVerified(fold(manual.name, given), { release: AUTO_R, step: 'drain', done: first, verification: check }, nextMinute(given))];
    const sentBack = continueAuto(verified, [{ type: 'reject_step', release: AUTO_R, step: 'drain', reason: 'pool still has traffic' }, bob]);
    expect(stepOf(sentBack, 'drain').verification).toBeUndefined();
    const again = continueAuto(sentBack, [{ type: 'done_step', release: AUTO_R, step: 'drain' }, alice]);
    expect(decideVerified(fold(manual.name, again), { release: AUTO_R, step: 'drain', done: first, verification: check }, nextMinute(again))).toEqual([]);
  });
});
