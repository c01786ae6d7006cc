/** A runbook's release slot: the fold of its stream. One release at a time runs per runbook. */
import type { Principal } from '../principal.js';
import type { MeasuredRollback, PreflightItem, RunbookStep } from '../runbook.js';
import { rollbackMs } from '../runbook.js';
import type { PreflightCheckResult, RehearsalFound, RehearsalGap, ReleaseEvent, RunFinishedData, RunVerification } from './events.js';

/** `failed`: an automated step whose run did not succeed; the driver may start it again (retry). */
export type StepStatus = 'pending' | 'started' | 'done' | 'confirmed' | 'failed';

/** One attempt at an automated step: asked for by the driver, approved by the confirmer, run by a runner. */
export interface RunAttempt {
  readonly attempt: number;
  readonly status: 'awaiting_approval' | 'queued' | 'running' | 'finished';
  readonly requestedAt: string;
  readonly approvedBy?: Principal;
  readonly approvedAt?: string;
  readonly argv?: readonly string[];
  readonly instance?: string;
  readonly host?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly result?: RunFinishedData;
}

export interface StepState extends RunbookStep {
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly doneAt?: string;
  readonly confirmedAt?: string;
  readonly confirmedBy?: Principal;
  readonly rejections: number;
  /** When the step runs past its `expect`: started (or sent back) + expect. */
  readonly dueAt?: string;
  readonly overdueAt?: string;
  /** Who acknowledged the point of no return of an irreversible step. */
  readonly acknowledgedBy: readonly Principal[];
  /** An automated step's attempts, oldest first; the last is the current one. */
  readonly runs: readonly RunAttempt[];
  /** A step done by hand with a `verify`: the bot's check since it was last marked done. */
  readonly verification?: RunVerification;
}

/** The attempt an automated step is on, if it has been started. */
export const currentRun = (step: StepState): RunAttempt | undefined => step.runs[step.runs.length - 1];

/** A run the runner may be executing right now (approved and not finished). */
export const runInFlight = (release: Release): { step: StepState; run: RunAttempt } | undefined => {
  for (const step of release.steps) {
    const run = currentRun(step);
    if (run && (run.status === 'queued' || run.status === 'running')) return { step, run };
  }
  return undefined;
};

export interface RollbackStepState {
  readonly step: string;
  readonly title: string;
  readonly expectMs?: number;
  /** Its latest drill, when it had one: its duration is the cost stated. */
  readonly measured?: MeasuredRollback;
  readonly status: 'pending' | 'done' | 'confirmed';
  readonly doneAt?: string;
  readonly confirmedAt?: string;
}

/** One check of a machine-checked preflight item, from its start to its result. */
export interface PreflightAttempt {
  readonly attempt: number;
  readonly startedAt: string;
  readonly status: 'checking' | 'passed' | 'failed';
  readonly result?: PreflightCheckResult;
}

export interface PreflightState extends PreflightItem {
  readonly checkedBy?: Principal;
  readonly checkedAt?: string;
  readonly evidenceText?: string;
  /** A machine-checked item's checks, oldest first. */
  readonly checks: readonly PreflightAttempt[];
}

/** The check a machine-checked item is on, if one has started. */
export const currentCheck = (item: PreflightState): PreflightAttempt | undefined => item.checks[item.checks.length - 1];

export const isMachineChecked = (item: PreflightItem): boolean => item.run !== undefined || item.verify !== undefined;

export type ReleaseStatus =
  | 'awaiting_confirmer'
  | 'preflight'
  | 'running'
  | 'rolling_back'
  | 'completed'
  | 'aborted'
  | 'declined'
  | 'rolled_back';

export const ACTIVE_STATUSES: readonly ReleaseStatus[] = ['awaiting_confirmer', 'preflight', 'running', 'rolling_back'];

export interface Release {
  readonly id: string;
  readonly runbook: string;
  readonly title: string;
  readonly params: Readonly<Record<string, string>>;
  readonly driver: Principal;
  readonly confirmer: Principal;
  readonly channel: string;
  readonly platform: string;
  readonly stakeholders?: string;
  readonly window?: string;
  readonly override?: string;
  /** The change freeze it was started in; its override is approved once the confirmer accepts. */
  readonly freeze?: { readonly until: string; readonly reason?: string };
  readonly status: ReleaseStatus;
  readonly startedAt: string;
  readonly acceptedAt?: string;
  readonly endedAt?: string;
  /** Why it ended early: the decline, abort or rollback reason. */
  readonly reason?: string;
  readonly endedBy?: Principal | null;
  readonly preflight: readonly PreflightState[];
  readonly steps: readonly StepState[];
  /** Its post-mortem draft was shared (a rollback without an incident). */
  readonly postmortemShared?: boolean;
  readonly rollback?: { readonly reason: string; readonly by: Principal | null; readonly at: string; readonly steps: readonly RollbackStepState[] };
  readonly environment?: string;
  /** A rollback drill: its steps are the runbook's rollbacks. */
  readonly drill?: boolean;
  readonly rehearsal?: RehearsalFound;
  readonly gaps: readonly RehearsalGap[];
}

export interface RunbookLock {
  readonly release: string;
  readonly reason: string;
  readonly at: string;
  readonly by: Principal | null;
}

export interface ReleaseSlot {
  readonly runbook: string;
  /** Every release of this runbook, oldest first, in every environment. */
  readonly releases: readonly Release[];
  /** Locks after rollbacks, by environment (`''`: a runbook without environments). */
  readonly locks: Readonly<Record<string, RunbookLock>>;
}

export const emptySlot = (runbook: string): ReleaseSlot => ({ runbook, releases: [], locks: {} });

/** The key of an environment in `locks`. */
export const placeKey = (environment: string | undefined): string => environment ?? '';

export const isActive = (release: Release): boolean => ACTIVE_STATUSES.includes(release.status);

/** The latest release in `environment` (of the runbook, when it has none). */
export const currentRelease = (slot: ReleaseSlot, environment?: string): Release | undefined =>
  slot.releases.findLast((release) => release.environment === environment);

/** One release at a time per runbook and environment: the one running there. */
export const activeRelease = (slot: ReleaseSlot, environment?: string): Release | undefined => {
  const current = currentRelease(slot, environment);
  return current && isActive(current) ? current : undefined;
};

/** Every release running now, whatever its environment. */
export const activeReleases = (slot: ReleaseSlot): Release[] => slot.releases.filter(isActive);

/** The step the pair is working on: the first one not yet confirmed. */
export const currentStep = (release: Release): StepState | undefined => release.steps.find((step) => step.status !== 'confirmed');

export const currentRollbackStep = (release: Release): RollbackStepState | undefined =>
  release.rollback?.steps.find((step) => step.status !== 'confirmed');

/** The point of no return still waits for someone's acknowledgement before the step may start. */
export const awaitsAcknowledgement = (release: Release, step: StepState): boolean =>
  step.irreversible && step.status === 'pending' && !(step.acknowledgedBy.includes(release.driver) && step.acknowledgedBy.includes(release.confirmer));

/** What rolling back costs once `upTo` is done: the rollbacks of it and every step before it, newest first. */
export const rollbackCost = (release: Release, upTo: string): { readonly steps: readonly RunbookStep[]; readonly totalMs: number } => {
  const index = release.steps.findIndex((step) => step.id === upTo);
  const steps = release.steps.slice(0, index + 1).filter((step) => step.rollback).reverse();
  const totalMs = steps.reduce((sum, step) => sum + (rollbackMs(step.rollback) ?? 0), 0);
  return { steps, totalMs };
};

/** A step (re)started at `at` is overdue once its `expect` has passed; an earlier overdue mark is cleared. */
const restart = (step: StepState, at: string, change: Partial<StepState>): StepState => {
  const { overdueAt: _overdueAt, dueAt: _dueAt, verification: _verification, ...rest } = step;
  return { ...rest, ...change, ...(step.expectMs === undefined ? {} : { dueAt: new Date(Date.parse(at) + step.expectMs).toISOString() }) };
};

const mapStep = (release: Release, id: string, change: (step: StepState) => StepState): Release => ({
  ...release,
  steps: release.steps.map((step) => (step.id === id ? change(step) : step)),
});

const mapRun = (release: Release, id: string, attempt: number, change: (run: RunAttempt) => RunAttempt, status?: StepStatus): Release =>
  mapStep(release, id, (step) => ({
    ...step,
    ...(status === undefined ? {} : { status }),
    runs: step.runs.map((run) => (run.attempt === attempt ? change(run) : run)),
  }));

const mapPreflight = (release: Release, id: string, change: (item: PreflightState) => PreflightState): Release => ({
  ...release,
  preflight: release.preflight.map((item) => (item.id === id ? change(item) : item)),
});

const mapRollbackStep = (release: Release, id: string, change: (step: RollbackStepState) => RollbackStepState): Release =>
  release.rollback ? { ...release, rollback: { ...release.rollback, steps: release.rollback.steps.map((step) => (step.step === id ? change(step) : step)) } } : release;

const end = (release: Release, status: ReleaseStatus, at: string, by: Principal | null, reason?: string): Release => ({
  ...release,
  status,
  endedAt: at,
  endedBy: by,
  ...(reason === undefined ? {} : { reason }),
});

const evolveRelease = (release: Release, event: ReleaseEvent): Release => {
  switch (event.type) {
    case 'release.started':
      return release;
    case 'release.confirmer_accepted':
      return { ...release, acceptedAt: event.at, status: release.preflight.length > 0 ? 'preflight' : 'running' };
    case 'release.confirmer_declined':
      return end(release, 'declined', event.at, event.actor, event.data.reason);
    case 'release.preflight_checked': {
      const { attempt, check } = event.data;
      const preflight = release.preflight.map((item) =>
        item.id === event.data.item
          ? {
              ...item,
              checkedAt: event.at,
              ...(event.actor ? { checkedBy: event.actor } : {}),
              ...(event.data.evidence ? { evidenceText: event.data.evidence } : {}),
              checks: item.checks.map((one) => (one.attempt === attempt && check ? { ...one, status: 'passed' as const, result: check } : one)),
            }
          : item,
      );
      return { ...release, preflight, status: preflight.every((item) => item.checkedAt) ? 'running' : 'preflight' };
    }
    case 'release.preflight_check_started':
      return mapPreflight(release, event.data.item, (item) => ({ ...item, checks: [...item.checks, { attempt: event.data.attempt, startedAt: event.at, status: 'checking' }] }));
    case 'release.preflight_check_failed':
      return mapPreflight(release, event.data.item, (item) => ({
        ...item,
        checks: item.checks.map((one) => (one.attempt === event.data.attempt ? { ...one, status: 'failed' as const, result: event.data.check } : one)),
      }));
    case 'release.point_of_no_return_acknowledged':
      return mapStep(release, event.data.step, (step) => ({ ...step, acknowledgedBy: event.actor ? [...step.acknowledgedBy, event.actor] : step.acknowledgedBy }));
    case 'release.step_started':
      return mapStep(release, event.data.step, (step) =>
        restart(step, event.at, {
          status: 'started',
          startedAt: step.startedAt ?? event.at,
          ...(step.run ? { runs: [...step.runs, { attempt: step.runs.length + 1, status: 'awaiting_approval', requestedAt: event.at }] } : {}),
        }),
      );
    case 'release.step_approved':
      return mapRun(release, event.data.step, event.data.attempt, (run) => ({
        ...run,
        status: 'queued',
        approvedAt: event.at,
        argv: event.data.argv,
        ...(event.actor ? { approvedBy: event.actor } : {}),
      }));
    case 'release.step_run_started':
      return mapRun(release, event.data.step, event.data.attempt, (run) => ({ ...run, status: 'running', startedAt: event.at, instance: event.data.instance, host: event.data.host }));
    case 'release.step_run_finished':
      return mapRun(
        release,
        event.data.step,
        event.data.attempt,
        (run) => ({ ...run, status: 'finished', finishedAt: event.at, result: event.data }),
        event.data.outcome === 'succeeded' ? undefined : 'failed',
      );
    case 'release.step_done':
      return mapStep(release, event.data.step, (step) => ({ ...step, status: 'done', doneAt: event.at }));
    case 'release.step_verified':
      return mapStep(release, event.data.step, (step) => ({ ...step, verification: event.data.verification }));
    case 'release.step_rejected':
      return mapStep(release, event.data.step, (step) => restart(step, event.at, { status: 'started', rejections: step.rejections + 1 }));
    case 'release.postmortem_drafted':
      return { ...release, postmortemShared: true };
    case 'release.step_overdue':
      return mapStep(release, event.data.step, (step) => ({ ...step, overdueAt: event.at }));
    case 'release.step_confirmed':
      return mapStep(release, event.data.step, (step) => {
        // An automated step is confirmed by its success; the confirmer agreed to it by approving the run.
        const by = event.actor ?? currentRun(step)?.approvedBy;
        return { ...step, status: 'confirmed', confirmedAt: event.at, ...(by ? { confirmedBy: by } : {}) };
      });
    case 'release.completed':
      return end(release, 'completed', event.at, event.actor);
    case 'release.aborted':
      return end(release, 'aborted', event.at, event.actor, event.data.reason);
    case 'release.rollback_started': {
      const steps = event.data.steps.map((id): RollbackStepState => {
        const step = release.steps.find((candidate) => candidate.id === id);
        return {
          step: id,
          title: step?.rollback?.title ?? id,
          ...(step?.rollback?.expectMs === undefined ? {} : { expectMs: step.rollback.expectMs }),
          ...(step?.rollback?.measured === undefined ? {} : { measured: step.rollback.measured }),
          status: 'pending',
        };
      });
      const { endedAt: _endedAt, endedBy: _endedBy, ...rest } = release;
      return { ...rest, status: 'rolling_back', reason: event.data.reason, rollback: { reason: event.data.reason, by: event.actor, at: event.at, steps } };
    }
    case 'release.rollback_step_done':
      return mapRollbackStep(release, event.data.step, (step) => ({ ...step, status: 'done', doneAt: event.at }));
    case 'release.rollback_step_confirmed':
      return mapRollbackStep(release, event.data.step, (step) => ({ ...step, status: 'confirmed', confirmedAt: event.at }));
    case 'release.rolled_back':
      return end(release, 'rolled_back', event.at, event.actor, release.reason);
    case 'release.locked':
    case 'release.unlocked':
      return release;
  }
};

const started = (event: Extract<ReleaseEvent, { type: 'release.started' }>): Release => {
  const { data } = event;
  return {
    id: data.release,
    runbook: data.runbook,
    title: data.title,
    params: data.params,
    driver: data.driver,
    confirmer: data.confirmer,
    channel: data.channel,
    platform: data.platform ?? 'console',
    ...(data.stakeholders === undefined ? {} : { stakeholders: data.stakeholders }),
    ...(data.window === undefined ? {} : { window: data.window }),
    ...(data.override === undefined ? {} : { override: data.override }),
    ...(data.freeze === undefined ? {} : { freeze: data.freeze }),
    ...(data.environment === undefined ? {} : { environment: data.environment }),
    ...(data.drill ? { drill: true } : {}),
    ...(data.rehearsal === undefined ? {} : { rehearsal: data.rehearsal }),
    gaps: data.gaps ?? [],
    status: 'awaiting_confirmer',
    startedAt: event.at,
    preflight: data.preflight.map((item) => ({ ...item, checks: [] })),
    steps: data.steps.map((step) => ({ ...step, status: 'pending', rejections: 0, acknowledgedBy: [], runs: [] })),
  };
};

export const evolve = (slot: ReleaseSlot, event: ReleaseEvent): ReleaseSlot => {
  switch (event.type) {
    case 'release.started':
      return { ...slot, releases: [...slot.releases, started(event)] };
    case 'release.locked':
      return { ...slot, locks: { ...slot.locks, [placeKey(event.data.environment)]: { release: event.data.release, reason: event.data.reason, at: event.at, by: event.actor } } };
    case 'release.unlocked': {
      const key = placeKey(event.data.environment);
      return { ...slot, locks: Object.fromEntries(Object.entries(slot.locks).filter(([place]) => place !== key)) };
    }
    default: {
      const releaseId = event.data.release;
      return { ...slot, releases: slot.releases.map((release) => (release.id === releaseId ? evolveRelease(release, event) : release)) };
    }
  }
};

export const fold = (runbook: string, events: readonly ReleaseEvent[]): ReleaseSlot => events.reduce(evolve, emptySlot(runbook));
