/** The two-person release flow: every rule about who may do what, when. Pure: time and people come in. */
import { DomainError, fail, isDomainError } from '../errors.js';
import { isEligible } from '../principal.js';
import { inEnvironment } from '../environment.js';
import { clockTimeUtc } from '../time-text.js';
import { formatDuration } from '../duration.js';
import { planRun } from '../runner-plan.js';
import type { DecideContext, Result } from './context.js';
import { emit, emitAsBot, who } from './context.js';
import type { ReleaseEvent, ReleaseEventData, RunOutcome, RunVerification } from './events.js';
import { check, checksOnAccept } from './preflight.js';
import type { DrillCommand, StartCommand, UnlockCommand } from './start.js';
import { drill, start, unlock } from './start.js';
import type { Release, ReleaseSlot, StepState } from './state.js';
import { awaitsAcknowledgement, currentRelease, currentRollbackStep, currentRun, currentStep, isActive, rollbackCost, runInFlight } from './state.js';

export type { DecideContext, RunnerPresence } from './context.js';

interface Targeted {
  readonly release: string;
}
interface StepTargeted extends Targeted {
  readonly step: string;
}

export type ReleaseCommand =
  | StartCommand
  | DrillCommand
  | UnlockCommand
  | (Targeted & { readonly type: 'accept' })
  | (Targeted & { readonly type: 'decline'; readonly reason?: string })
  | (Targeted & { readonly type: 'check'; readonly item: string; readonly evidence?: string })
  | (StepTargeted & { readonly type: 'acknowledge' })
  | (StepTargeted & { readonly type: 'start_step' })
  | (StepTargeted & { readonly type: 'approve_step' })
  | (StepTargeted & { readonly type: 'done_step' })
  | (StepTargeted & { readonly type: 'confirm_step' })
  | (StepTargeted & { readonly type: 'reject_step'; readonly reason: string })
  | (Targeted & { readonly type: 'abort'; readonly reason: string })
  | (Targeted & { readonly type: 'rollback'; readonly reason: string })
  | (StepTargeted & { readonly type: 'rollback_done' })
  | (StepTargeted & { readonly type: 'rollback_confirm' });

/** A rollback (or an abort of one) leaves the runbook locked where it ran: its environment, or all of it. */
const locked = (release: Release, reason: string): ReleaseEventData['release.locked'] => ({
  release: release.id,
  runbook: release.runbook,
  reason,
  ...(release.environment === undefined ? {} : { environment: release.environment }),
});

const ENDED: Record<string, string> = {
  completed: 'is complete',
  aborted: 'was aborted',
  declined: 'was declined',
  rolled_back: 'was rolled back',
};

const requireActive = (release: Release): DomainError | undefined =>
  isActive(release) ? undefined : fail('release_ended', `${release.id} ${ENDED[release.status] ?? 'has ended'}.`);

const requireDriver = (release: Release, ctx: DecideContext, what: string): DomainError | undefined =>
  ctx.actor === release.driver
    ? undefined
    : fail('not_the_driver', ctx.actor === release.confirmer
        ? `You confirm ${release.id}; ${who(release.driver)} drives it and ${what}. Two people, two roles.`
        : `${who(release.driver)} drives ${release.id} and ${what}.`);

const requireConfirmer = (release: Release, ctx: DecideContext, what: string): DomainError | undefined =>
  ctx.actor === release.confirmer
    ? undefined
    : fail('not_the_confirmer', ctx.actor === release.driver
        ? `You drive ${release.id}: you cannot ${what} your own work. ${who(release.confirmer)} must.`
        : `Only ${who(release.confirmer)}, the confirmer of ${release.id}, may ${what}.`);

/** Driver, confirmer, or anyone who may drive this runbook: people who may stop or undo a release. */
const requireResponsible = (release: Release, ctx: DecideContext, what: string): DomainError | undefined =>
  ctx.actor === release.driver || ctx.actor === release.confirmer || isEligible(ctx.actor, ctx.runbook.drivers, ctx.groups)
    ? undefined
    : fail('not_allowed', `Only ${who(release.driver)}, ${who(release.confirmer)} or a driver of ${release.runbook} may ${what} ${release.id}.`);

const describeStep = (release: Release, step: StepState): string => `step ${step.id} (${step.title}) of ${release.id}`;

/** Why a step command does not apply: stale button, wrong phase, or wrong order. */
const stepMismatch = (release: Release, stepId: string, expected: StepState['status'] | readonly StepState['status'][], verb: string): DomainError | StepState => {
  const ended = requireActive(release);
  if (ended) return ended;
  if (release.status === 'awaiting_confirmer') return fail('not_accepted', `${who(release.confirmer)} has not accepted ${release.id} yet.`);
  if (release.status === 'preflight') return fail('preflight_open', `Finish the preflight checks of ${release.id} first.`);
  if (release.status === 'rolling_back') return fail('rolling_back', `${release.id} is rolling back; the rollback steps come first.`);
  const step = release.steps.find((candidate) => candidate.id === stepId);
  if (!step) return fail('unknown_step', `${release.id} has no step ${stepId}; its steps are ${release.steps.map((s) => s.id).join(', ')}.`);
  const current = currentStep(release);
  if (step.status === 'confirmed') {
    return fail('already_confirmed', `Step ${step.id} was already confirmed${step.confirmedBy ? ` by ${who(step.confirmedBy)}` : ''} at ${clockTimeUtc(step.confirmedAt ?? '')}.`);
  }
  if (current && current.id !== step.id) return fail('not_current_step', `One step at a time: ${describeStep(release, current)} comes first.`);
  if (!(typeof expected === 'string' ? [expected] : expected).includes(step.status)) {
    const state: Record<StepState['status'], string> = {
      pending: 'has not started',
      started: 'is in progress',
      done: 'is done and waits for confirmation',
      confirmed: 'is confirmed',
      failed: 'failed: start it again to retry, or roll back',
    };
    return fail('wrong_step_state', `Cannot ${verb} step ${step.id}: it ${state[step.status]}.`);
  }
  return step;
};

/** An automated step may only start or be approved while a runner of its kind reports in. */
const runnerOffline = (step: StepState, ctx: DecideContext): DomainError | undefined => {
  if (!step.run) return undefined;
  const presence = ctx.runners?.[step.run.runner];
  if (presence?.online) return undefined;
  const heard = presence?.lastSeen ? `last heard from at ${clockTimeUtc(presence.lastSeen)} on ${presence.lastSeen.slice(0, 10)}` : 'never heard from';
  return fail(
    'runner_offline',
    `Step ${step.id} runs on runner ${step.run.runner}, which is offline (${heard}). Start it on the host that has the access (planb worker --runner ${step.run.runner}), then try again.`,
  );
};

/** A command a runner is executing cannot be taken back from here: undoing or leaving it waits until it has ended. */
const runStillGoing = (release: Release, what: string): DomainError | undefined => {
  const flight = runInFlight(release);
  if (!flight) return undefined;
  const where = flight.run.status === 'running' ? `is running on runner ${flight.step.run?.runner ?? ''}` : `is queued for runner ${flight.step.run?.runner ?? ''}`;
  return fail('run_in_progress', `Step ${flight.step.id} ${where}: wait for it to end (it is stopped at its timeout) before ${what} ${release.id}.`);
};

const forRelease = (release: Release, command: Exclude<ReleaseCommand, { type: 'start' | 'drill' | 'unlock' }>, ctx: DecideContext): Result => {
  const on = emit(ctx);
  const ref = { release: release.id };
  switch (command.type) {
    case 'accept':
    case 'decline': {
      const ended = requireActive(release);
      if (ended) return ended;
      if (release.status !== 'awaiting_confirmer') return fail('already_accepted', `${who(release.confirmer)} already accepted ${release.id}.`);
      const error = requireConfirmer(release, ctx, command.type);
      if (error) return error;
      // The override the confirmer approves by accepting: of a freeze, or of a rehearsal the policy lets it go without.
      const overridden = release.freeze !== undefined || release.gaps.some((gap) => gap.policy === 'override');
      return command.type === 'accept'
        ? [on('release.confirmer_accepted', { ...ref, ...(overridden && release.override ? { override: release.override } : {}) }), ...checksOnAccept(release, ctx)]
        : [on('release.confirmer_declined', { ...ref, ...(command.reason ? { reason: command.reason } : {}) })];
    }
    case 'check':
      return requireActive(release) ?? check(release, command.item, command.evidence, ctx);
    case 'acknowledge': {
      const step = stepMismatch(release, command.step, 'pending', 'acknowledge the point of no return of');
      if (step instanceof DomainError) return step;
      if (!step.irreversible) return fail('not_irreversible', `Step ${step.id} can be rolled back; there is nothing to acknowledge.`);
      if (ctx.actor !== release.driver && ctx.actor !== release.confirmer) {
        return fail('not_in_pair', `Only ${who(release.driver)} and ${who(release.confirmer)} acknowledge the point of no return of ${release.id}.`);
      }
      if (step.acknowledgedBy.includes(ctx.actor)) return fail('already_acknowledged', `You already acknowledged the point of no return at step ${step.id}.`);
      return [on('release.point_of_no_return_acknowledged', { ...ref, step: step.id })];
    }
    case 'start_step': {
      // A failed automated step is started again to retry it: the confirmer approves the new attempt too.
      const step = stepMismatch(release, command.step, ['pending', 'failed'], 'start');
      if (step instanceof DomainError) return step;
      const error = requireDriver(release, ctx, 'starts each step') ?? runnerOffline(step, ctx);
      if (error) return error;
      if (awaitsAcknowledgement(release, step)) {
        const cost = rollbackCost(release, step.id);
        const missing = [release.driver, release.confirmer].filter((p) => !step.acknowledgedBy.includes(p)).map(who).join(' and ');
        return fail('point_of_no_return', `Step ${step.id} is a point of no return (rolling back after it takes about ${formatDuration(cost.totalMs)}): ${missing} must acknowledge it first.`);
      }
      return [on('release.step_started', { ...ref, step: step.id })];
    }
    case 'approve_step': {
      const step = stepMismatch(release, command.step, 'started', 'approve');
      if (step instanceof DomainError) return step;
      const run = currentRun(step);
      if (!step.run || !run) return fail('not_automated', `Step ${step.id} is done by hand: confirm it once ${who(release.driver)} has done it.`);
      if (run.status !== 'awaiting_approval') return fail('already_approved', `Attempt ${run.attempt} of step ${step.id} was already approved${run.approvedBy ? ` by ${who(run.approvedBy)}` : ''}.`);
      const error = requireConfirmer(release, ctx, 'approve') ?? runnerOffline(step, ctx);
      if (error) return error;
      // What the runner will be asked to run, from the runbook as configured now: the runner checks it against its own copy.
      const plan = planRun(inEnvironment(ctx.runbook, release.environment), step.id, release.params);
      if (isDomainError(plan)) return plan;
      // The confirmer approves the command the card shows: the one recorded when the release started.
      if (plan.runner !== step.run.runner || plan.argv.join('\u0000') !== step.run.argv.join('\u0000')) {
        return fail(
          'runbook_changed',
          `The runbook ${release.runbook} changed since ${release.id} started: step ${step.id} now runs ${JSON.stringify(plan.argv)} on runner ${plan.runner}, ` +
            `not the ${JSON.stringify(step.run.argv)} on runner ${step.run.runner} shown here. Roll back or abort ${release.id} and start it again to run the new one.`,
        );
      }
      return [on('release.step_approved', { ...ref, step: step.id, attempt: run.attempt, runner: plan.runner, argv: plan.argv })];
    }
    case 'done_step': {
      const step = stepMismatch(release, command.step, 'started', 'finish');
      if (step instanceof DomainError) return step;
      if (step.run) return fail('automated_step', `Step ${step.id} is run by runner ${step.run.runner}: it is done when its command succeeds.`);
      const error = requireDriver(release, ctx, 'marks each step done');
      return error ?? [on('release.step_done', { ...ref, step: step.id })];
    }
    case 'confirm_step': {
      const step = stepMismatch(release, command.step, 'done', 'confirm');
      if (step instanceof DomainError) return step;
      const error = requireConfirmer(release, ctx, 'confirm');
      if (error) return error;
      const last = release.steps.every((candidate) => candidate.id === step.id || candidate.status === 'confirmed');
      return [on('release.step_confirmed', { ...ref, step: step.id }), ...(last ? [on('release.completed', ref)] : [])];
    }
    case 'reject_step': {
      const step = stepMismatch(release, command.step, 'done', 'send back');
      if (step instanceof DomainError) return step;
      const error = requireConfirmer(release, ctx, 'send back');
      if (error) return error;
      if (command.reason.trim() === '') return fail('reason_missing', `Say what is wrong so ${who(release.driver)} can fix it: /release reject ${release.id} <reason>`);
      return [on('release.step_rejected', { ...ref, step: step.id, reason: command.reason })];
    }
    case 'abort': {
      const ended = requireActive(release);
      if (ended) return ended;
      const error = requireResponsible(release, ctx, 'abort') ?? runStillGoing(release, 'aborting');
      if (error) return error;
      if (command.reason.trim() === '') return fail('reason_missing', `Say why: /release abort ${release.id} <reason>`);
      const aborted = on('release.aborted', { ...ref, reason: command.reason });
      // A rollback cut short leaves production half undone: the runbook stays locked until someone looks.
      return release.status === 'rolling_back'
        ? [aborted, on('release.locked', locked(release, command.reason))]
        : [aborted];
    }
    case 'rollback': {
      const error = requireResponsible(release, ctx, 'roll back') ?? runStillGoing(release, 'rolling back');
      if (error) return error;
      if (release.drill) return fail('drill_no_rollback', `${release.id} is a drill: its steps are the rollback. To stop it: /release abort ${release.id} <reason>`);
      if (release.status === 'rolling_back') return fail('already_rolling_back', `${release.id} is already rolling back.`);
      if (release.status === 'rolled_back') return fail('already_rolled_back', `${release.id} was already rolled back.`);
      if (command.reason.trim() === '') return fail('reason_missing', `Say why: /release rollback ${release.id} <reason>`);
      const touched = release.steps.filter((step) => step.status !== 'pending');
      if (touched.length === 0) {
        return fail('nothing_to_roll_back', `No step of ${release.id} has started, so there is nothing to roll back.${isActive(release) ? ` To stop it: /release abort ${release.id} <reason>` : ''}`);
      }
      const steps = touched.filter((step) => step.rollback).reverse().map((step) => step.id);
      const begun = on('release.rollback_started', { ...ref, reason: command.reason, steps });
      return steps.length > 0
        ? [begun]
        : [begun, on('release.rolled_back', ref), on('release.locked', locked(release, command.reason))];
    }
    case 'rollback_done':
    case 'rollback_confirm': {
      if (release.status !== 'rolling_back') return fail('not_rolling_back', `${release.id} is not rolling back.`);
      const step = release.rollback?.steps.find((candidate) => candidate.step === command.step);
      if (!step) return fail('unknown_step', `The rollback of ${release.id} has no step ${command.step}.`);
      if (step.status === 'confirmed') return fail('already_confirmed', `The rollback of step ${step.step} was already confirmed.`);
      const current = currentRollbackStep(release);
      if (current && current.step !== step.step) return fail('not_current_step', `One step at a time: the rollback of ${current.step} (${current.title}) comes first.`);
      if (command.type === 'rollback_done') {
        if (step.status === 'done') return fail('wrong_step_state', `The rollback of ${step.step} is done and waits for ${who(release.confirmer)} to confirm.`);
        return requireDriver(release, ctx, 'does each rollback step') ?? [on('release.rollback_step_done', { ...ref, step: step.step })];
      }
      if (step.status === 'pending') return fail('wrong_step_state', `The rollback of ${step.step} is not done yet.`);
      const error = requireConfirmer(release, ctx, 'confirm');
      if (error) return error;
      const last = release.rollback?.steps.every((candidate) => candidate.step === step.step || candidate.status === 'confirmed') ?? true;
      return [
        on('release.rollback_step_confirmed', { ...ref, step: step.step }),
        ...(last ? [on('release.rolled_back', ref), on('release.locked', locked(release, release.rollback?.reason ?? ''))] : []),
      ];
    }
  }
};

/**
 * Decides what a command means for a runbook's release slot.
 * @example decide(slot, { type: 'accept', release: 'web-deploy-1' }, { now, actor: 'console:bob', groups, runbook })
 */
export const decide = (slot: ReleaseSlot, command: ReleaseCommand, ctx: DecideContext): Result => {
  if (command.type === 'start') return start(slot, command, ctx);
  if (command.type === 'drill') return drill(slot, command, ctx);
  if (command.type === 'unlock') return unlock(slot, command, ctx);
  const release = slot.releases.find((candidate) => candidate.id === command.release);
  if (!release) return fail('unknown_release', `There is no release ${command.release}.`);
  const latest = currentRelease(slot, release.environment);
  if (command.type === 'rollback' && release !== latest) {
    return fail('not_latest', `${release.id} is not the latest release of ${release.runbook}${release.environment ? ` on ${release.environment}` : ''}; roll back ${latest?.id ?? 'the latest'} first.`);
  }
  return forRelease(release, command, ctx);
};

/** What the bot's own timers ask of a release when they fire. */
export interface StepOverdueTimer {
  readonly type: 'step_overdue';
  readonly release: string;
  readonly step: string;
  /** The deadline the timer was set for: a step restarted since has another, and this timer is stale. */
  readonly due: string;
}

/** After a rollback without an incident: its post-mortem draft is shared once (`file`: its name). */
export interface PostmortemTimer {
  readonly type: 'postmortem';
  readonly release: string;
  readonly file: string;
}

/**
 * The bot checked a step done by hand against its `verify` (`done`: the step's doneAt the check was for). The result
 * is recorded for the confirmer to see, once, while the step still waits for confirmation from that same Done.
 */
export interface VerifiedCheck {
  readonly release: string;
  readonly step: string;
  readonly done: string;
  readonly verification: RunVerification;
}

export const decideVerified = (slot: ReleaseSlot, check: VerifiedCheck, now: Date): ReleaseEvent[] => {
  const release = slot.releases.find((candidate) => candidate.id === check.release);
  const step = release?.steps.find((candidate) => candidate.id === check.step);
  if (!release || !step || release.status !== 'running' || step.status !== 'done' || step.doneAt !== check.done || step.verification) return [];
  return [emitAsBot(now)('release.step_verified', { release: release.id, step: step.id, verification: check.verification })];
};

/**
 * A timer firing: the events it means while it is still current, none when it is stale
 * (the step moved on, was sent back and restarted, or the overdue mark is already recorded; the draft was shared).
 * @example decideTimer(slot, { type: 'step_overdue', release: 'web-deploy-1', step: 'canary', due }, now)
 */
export const decideTimer = (slot: ReleaseSlot, timer: StepOverdueTimer | PostmortemTimer, now: Date): ReleaseEvent[] => {
  const release = slot.releases.find((candidate) => candidate.id === timer.release);
  if (timer.type === 'postmortem') {
    return release?.status === 'rolled_back' && !release.postmortemShared
      ? [{ type: 'release.postmortem_drafted', at: now.toISOString(), actor: null, data: { release: release.id, file: timer.file } }]
      : [];
  }
  const step = release?.steps.find((candidate) => candidate.id === timer.step);
  if (!release || !step || release.status !== 'running' || step.status !== 'started') return [];
  if (step.dueAt !== timer.due || step.overdueAt !== undefined || step.expectMs === undefined) return [];
  const since = new Date(Date.parse(step.dueAt) - step.expectMs).toISOString();
  return [{ type: 'release.step_overdue', at: now.toISOString(), actor: null, data: { release: release.id, step: step.id, expectMs: step.expectMs, since } }];
};

/** What a runner (or the bot's watch over it) tells about a run of an automated step. */
export type RunSignal =
  | (StepTargeted & { readonly type: 'run_started'; readonly attempt: number; readonly runner: string; readonly instance: string; readonly host: string })
  | (StepTargeted & {
      readonly type: 'run_finished';
      readonly attempt: number;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
      readonly durationMs: number;
      readonly tail: readonly string[];
      readonly log?: string;
      readonly verify?: RunVerification;
      /** The runner would not run it: why (its own runbook disagrees, the approval expired). */
      readonly refused?: string;
    })
  | (StepTargeted & { readonly type: 'run_lost'; readonly attempt: number; readonly outcome: 'lost' | 'not_started'; readonly detail: string });

/** Success needs all of it: exit code 0, no timeout, and the verification passed when there is one. */
export const runOutcome = (signal: Extract<RunSignal, { type: 'run_finished' }>): RunOutcome => {
  if (signal.refused !== undefined) return 'refused';
  if (signal.timedOut) return 'timed_out';
  if (signal.exitCode !== 0) return 'failed';
  return signal.verify && !signal.verify.ok ? 'verify_failed' : 'succeeded';
};

/**
 * A run's news: the events it means while that attempt is still current, none when it is stale (a report
 * delivered twice, a late report of an attempt that was already ended by the watch).
 * A success confirms the step, as the confirmer's approval before the run agreed to it; anything else fails it.
 * @example decideRun(slot, { type: 'run_started', release: 'web-deploy-1', step: 'deploy', attempt: 1, runner: 'prod', instance, host }, now)
 */
export const decideRun = (slot: ReleaseSlot, signal: RunSignal, now: Date): ReleaseEvent[] => {
  const release = slot.releases.find((candidate) => candidate.id === signal.release);
  const step = release?.steps.find((candidate) => candidate.id === signal.step);
  const run = step && currentRun(step);
  if (!release || !step || !run || run.attempt !== signal.attempt || (run.status !== 'queued' && run.status !== 'running')) return [];
  const event = emitAsBot(now);
  const ref = { release: release.id, step: step.id };
  switch (signal.type) {
    case 'run_started':
      return run.status === 'queued' ? [event('release.step_run_started', { ...ref, attempt: run.attempt, runner: signal.runner, instance: signal.instance, host: signal.host })] : [];
    case 'run_lost':
      return [event('release.step_run_finished', { ...ref, attempt: run.attempt, outcome: signal.outcome, tail: [], detail: signal.detail })];
    case 'run_finished': {
      const outcome = runOutcome(signal);
      const finished = event('release.step_run_finished', {
        ...ref,
        attempt: run.attempt,
        outcome,
        exitCode: signal.exitCode,
        signal: signal.signal,
        durationMs: signal.durationMs,
        tail: signal.tail,
        ...(signal.log === undefined ? {} : { log: signal.log }),
        ...(signal.verify === undefined ? {} : { verify: signal.verify }),
        ...(signal.refused === undefined ? {} : { detail: signal.refused }),
      });
      if (outcome !== 'succeeded' || release.status !== 'running') return [finished];
      const last = release.steps.every((candidate) => candidate.id === step.id || candidate.status === 'confirmed');
      return [finished, event('release.step_done', ref), event('release.step_confirmed', ref), ...(last ? [event('release.completed', { release: release.id })] : [])];
    }
  }
};
