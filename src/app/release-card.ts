/** The release as people see it: one card per release (edited as it moves) and a line per event. */
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release, RunAttempt, StepState } from '../domain/release/state.js';
import { awaitsAcknowledgement, currentRollbackStep, currentRun, currentStep, isActive, rollbackCost } from '../domain/release/state.js';
import { checkText, commandText, runResultText } from './run-messages.js';
import type { ActionTarget } from './actions.js';
import { ACTIONS, encodeTarget } from './actions.js';
import type { Button, Message, StepLine } from './message.js';
import { showTime } from './time-format.js';

export interface CardContext {
  readonly zone: string;
  readonly name: (principal: Principal) => string;
}

export const cardKey = (release: string): string => `release/${release}/card`;

const button = (actionId: string, label: string, target: ActionTarget, style?: Button['style']): Button => ({
  actionId,
  label,
  value: encodeTarget(target),
  ...(style ? { style } : {}),
});

const expect = (ms: number | undefined): string => (ms === undefined ? '' : ` (~${formatDuration(ms)})`);

/** The rollback cost from the point of no return on, in words. */
export const pointOfNoReturnText = (release: Release, step: StepState): string => {
  const cost = rollbackCost(release, step.id);
  const undo = cost.steps.map((s) => `${s.rollback?.title ?? s.id}${expect(s.rollback?.expectMs)}`).join(', then ');
  return `Point of no return: ${step.title} cannot simply be undone. From here on, rolling back means ${undo || 'no planned rollback'}: about ${formatDuration(cost.totalMs)}.`;
};

/** Where an automated step's current attempt stands, for its line on the card. */
const runState = (release: Release, run: RunAttempt, runner: string, ctx: CardContext): string => {
  const attempt = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
  switch (run.status) {
    case 'awaiting_approval':
      return `waiting for ${ctx.name(release.confirmer)} to approve the run on ${runner}${attempt}`;
    case 'queued':
      return `approved by ${run.approvedBy ? ctx.name(run.approvedBy) : 'the confirmer'}, waiting for runner ${runner}${attempt}`;
    case 'running':
      return `running on ${runner} (${run.host ?? 'a runner host'}) since ${showTime(run.startedAt ?? '', ctx.zone)}${attempt}`;
    case 'finished':
      return run.result ? runResultText(run.result, runner) : 'finished';
  }
};

const stepLine = (release: Release, step: StepState, ctx: CardContext): StepLine => {
  const flag = step.irreversible ? ' [point of no return]' : '';
  const base = `${step.id}: ${step.title}${expect(step.expectMs)}${flag}`;
  const run = currentRun(step);
  switch (step.status) {
    case 'failed':
      return { mark: 'failed', text: `${base}, ${run && step.run ? runState(release, run, step.run.runner, ctx) : 'failed'}` };
    case 'confirmed':
      if (run && step.run) return { mark: 'done', text: `${base}, ran on ${step.run.runner} in ${formatDuration(run.result?.durationMs ?? 0)}, approved by ${run.approvedBy ? ctx.name(run.approvedBy) : 'nobody'}` };
      return { mark: 'done', text: `${base}, confirmed by ${step.confirmedBy ? ctx.name(step.confirmedBy) : 'nobody'} at ${showTime(step.confirmedAt ?? '', ctx.zone)}` };
    case 'done': {
      const check = step.verification ? `; check ${step.verification.ok ? 'passed' : 'FAILED'}: ${checkText(step.verification)}` : step.verify ? `; checking ${step.verify.http}` : '';
      return { mark: step.verification && !step.verification.ok ? 'warning' : 'current', text: `${base}, done, waiting for ${ctx.name(release.confirmer)} to confirm${check}` };
    }
    case 'started': {
      const overdue = step.overdueAt && step.expectMs !== undefined ? `, past its expected ${formatDuration(step.expectMs)}` : '';
      const doing = run && step.run ? runState(release, run, step.run.runner, ctx) : `in progress since ${showTime(step.startedAt ?? '', ctx.zone)}`;
      const text = `${base}, ${doing}${step.rejections > 0 ? ` (sent back ${step.rejections}x)` : ''}${overdue}`;
      return { mark: overdue ? 'warning' : 'current', text };
    }
    case 'pending':
      return { mark: step.irreversible ? 'warning' : 'pending', text: base };
  }
};

const runningState = (release: Release, ctx: CardContext): { text: string[]; buttons: Button[] } => {
  const step = currentStep(release);
  if (!step) return { text: [], buttons: [] };
  const index = release.steps.indexOf(step) + 1;
  const of = `Step ${index} of ${release.steps.length}`;
  const target = { release: release.id, step: step.id };
  const driver = ctx.name(release.driver);
  const rollback = button(ACTIONS.rollback, 'Roll back', { release: release.id }, 'danger');
  const trouble = button(ACTIONS.trouble, "Something's wrong", target, 'danger');
  if (awaitsAcknowledgement(release, step)) {
    const missing = [release.driver, release.confirmer].filter((p) => !step.acknowledgedBy.includes(p)).map(ctx.name);
    return {
      text: [`${of}: ${step.title}.`, pointOfNoReturnText(release, step), `Waiting for ${missing.join(' and ')} to accept it.`],
      buttons: [button(ACTIONS.acknowledge, 'Accept point of no return', target, 'danger')],
    };
  }
  if (step.run) return automatedState(release, step, step.run.runner, ctx, { of, target, rollback, trouble, first: index === 1 });
  switch (step.status) {
    case 'pending':
      return { text: [`${of}: ${driver} to start ${step.title}.`], buttons: [button(ACTIONS.startStep, 'Start', target, 'primary'), ...(index > 1 ? [rollback] : [])] };
    case 'started':
      return { text: [`${of}: ${driver} is doing ${step.title}.`], buttons: [button(ACTIONS.doneStep, 'Done', target, 'primary'), trouble, rollback] };
    default:
      return {
        text: [`${of}: ${ctx.name(release.confirmer)} to confirm ${step.title}.`, ...verificationLines(step)],
        buttons: [button(ACTIONS.confirmStep, 'Confirm', target, 'primary'), button(ACTIONS.rejectStep, 'Send back', target), trouble],
      };
  }
};

/** What the bot's check of a step done by hand found, for the confirmer deciding whether to confirm. */
const verificationLines = (step: StepState): string[] => {
  if (!step.verify || step.run) return [];
  if (!step.verification) return [`Plan B is checking ${step.verify.http} (expects ${step.verify.status}).`];
  return step.verification.ok
    ? [`Check passed: ${checkText(step.verification)}.`]
    : [`Check FAILED: ${checkText(step.verification)}. Send it back if it is not done.`];
};

/**
 * An automated step: the driver starts it, the confirmer approves the command BEFORE it runs, a runner runs it.
 * No Done/Confirm here: its result decides. While the command runs nothing can roll it back, so no button offers to.
 */
const automatedState = (
  release: Release,
  step: StepState,
  runner: string,
  ctx: CardContext,
  parts: { of: string; target: ActionTarget; rollback: Button; trouble: Button; first: boolean },
): { text: string[]; buttons: Button[] } => {
  const { of, target, rollback, trouble } = parts;
  const driver = ctx.name(release.driver);
  const run = currentRun(step);
  const command = step.run ? commandText(run?.argv ?? step.run.argv) : '';
  if (step.status === 'pending' || !run) {
    return {
      text: [`${of}: ${driver} to start ${step.title}. It runs on runner ${runner}: ${command}`, `${ctx.name(release.confirmer)} approves the command before it runs.`],
      buttons: [button(ACTIONS.startStep, 'Start', target, 'primary'), ...(parts.first ? [] : [rollback])],
    };
  }
  if (step.status === 'failed') {
    return {
      text: [`${of}: ${step.title} ${run.result ? runResultText(run.result, runner) : 'failed'}.`, `${driver}: retry it (${ctx.name(release.confirmer)} approves again), say something's wrong, or roll back.`],
      buttons: [button(ACTIONS.startStep, 'Retry', target, 'primary'), trouble, rollback],
    };
  }
  switch (run.status) {
    case 'awaiting_approval':
      return {
        text: [`${of}: ${ctx.name(release.confirmer)} to approve running ${command} on runner ${runner}.`],
        buttons: [button(ACTIONS.approveStep, 'Approve and run', target, 'primary'), trouble, rollback],
      };
    case 'queued':
      return { text: [`${of}: approved; waiting for runner ${runner} to take ${command}.`], buttons: [trouble] };
    default:
      return { text: [`${of}: runner ${runner} is running ${command} on ${run.host ?? 'its host'}. Its output follows in the thread.`], buttons: [trouble] };
  }
};

const rollingBackState = (release: Release, ctx: CardContext): { text: string[]; buttons: Button[] } => {
  const step = currentRollbackStep(release);
  const reason = `Rolling back: ${release.rollback?.reason ?? ''}.`;
  if (!step) return { text: [reason], buttons: [] };
  const target = { release: release.id, step: step.step };
  return step.status === 'pending'
    ? { text: [reason, `${ctx.name(release.driver)} to undo ${step.step}: ${step.title}${expect(step.expectMs)}.`], buttons: [button(ACTIONS.rollbackDone, 'Done', target, 'primary')] }
    : { text: [reason, `${ctx.name(release.confirmer)} to confirm the rollback of ${step.step}: ${step.title}.`], buttons: [button(ACTIONS.rollbackConfirm, 'Confirm', target, 'primary')] };
};

const endedText = (release: Release, ctx: CardContext): string => {
  const at = showTime(release.endedAt ?? '', ctx.zone);
  const by = release.endedBy ? ` by ${ctx.name(release.endedBy)}` : '';
  switch (release.status) {
    case 'completed':
      return `Completed at ${at}: every step done by ${ctx.name(release.driver)} and confirmed by ${ctx.name(release.confirmer)}.`;
    case 'declined':
      return `${ctx.name(release.confirmer)} declined to confirm at ${at}${release.reason ? `: ${release.reason}` : ''}. Start again with another confirmer.`;
    case 'aborted': {
      const touched = release.steps.some((step) => step.status !== 'pending');
      return `Aborted${by} at ${at}: ${release.reason ?? ''}.${touched ? ` Started steps are not undone by an abort: /release rollback ${release.id} <reason>` : ''}`;
    }
    case 'rolled_back':
      return `Rolled back at ${at}: ${release.reason ?? ''}. ${release.runbook} is locked until someone unlocks it with a reason.`;
    default:
      return '';
  }
};

/** The card of a release: status, steps, and the buttons for whoever acts next. */
export const releaseCard = (release: Release, ctx: CardContext): Message => {
  const pair = `${ctx.name(release.driver)} drives, ${ctx.name(release.confirmer)} confirms.`;
  let text: string[] = [];
  let buttons: Button[] = [];
  let steps: StepLine[] | undefined = release.steps.map((step) => stepLine(release, step, ctx));
  switch (release.status) {
    case 'awaiting_confirmer':
      text = [
        `Waiting for ${ctx.name(release.confirmer)}.`,
        ...(release.freeze
          ? [`Change freeze until ${showTime(release.freeze.until, ctx.zone, release.startedAt)}${release.freeze.reason ? ` (${release.freeze.reason})` : ''}. Override: ${release.override ?? ''}. Accepting also approves the override.`]
          : []),
      ];
      buttons = [button(ACTIONS.accept, 'Accept', { release: release.id }, 'primary'), button(ACTIONS.decline, 'Decline', { release: release.id })];
      steps = undefined;
      break;
    case 'preflight': {
      const open = release.preflight.filter((item) => !item.checkedAt);
      text = [`Preflight: ${release.preflight.length - open.length} of ${release.preflight.length} checked.`];
      steps = release.preflight.map((item) =>
        item.checkedAt
          ? { mark: 'done', text: `${item.id}: ${item.check}, checked by ${item.checkedBy ? ctx.name(item.checkedBy) : 'nobody'}${item.evidenceText ? ` (${item.evidenceText})` : ''}` }
          : { mark: 'pending', text: `${item.id}: ${item.check}${item.evidence === 'required' ? ' (evidence required)' : ''}` },
      );
      buttons = open.map((item) => button(ACTIONS.check, `Confirm ${item.id}`, { release: release.id, item: item.id }));
      break;
    }
    case 'running':
      ({ text, buttons } = runningState(release, ctx));
      break;
    case 'rolling_back':
      ({ text, buttons } = rollingBackState(release, ctx));
      steps = release.rollback?.steps.map((step) => ({
        mark: step.status === 'confirmed' ? 'done' : step === currentRollbackStep(release) ? 'current' : 'pending',
        text: `undo ${step.step}: ${step.title}${expect(step.expectMs)}${step.status === 'done' ? ', done, waiting for confirmation' : ''}`,
      }));
      break;
    default:
      text = [endedText(release, ctx)];
  }
  return {
    key: cardKey(release.id),
    title: `${release.title} (${release.id})`,
    text: [`${pair} ${text[0] ?? ''}`.trim(), ...text.slice(1)],
    ...(steps ? { steps } : {}),
    ...(buttons.length > 0 ? { buttons } : {}),
    ...(isActive(release) ? {} : { context: [`Started ${showTime(release.startedAt, ctx.zone)}, ended ${showTime(release.endedAt ?? '', ctx.zone, release.startedAt)}.`] }),
  };
};

/** One line per event for the release thread: the audit trail people read later. */
export const timelineLine = (release: Release, event: StoredEvent, ctx: CardContext): string | undefined => {
  const actor = event.actor ? ctx.name(event.actor) : 'Plan B';
  const e = event as StoredEvent & ReleaseEvent;
  const stepTitle = (id: string): string => release.steps.find((s) => s.id === id)?.title ?? id;
  switch (e.type) {
    case 'release.started':
      return `${actor} started ${release.title} with ${ctx.name(release.confirmer)} as confirmer${release.window ? `, in maintenance window ${release.window}` : ''}.${release.freeze ? ` It is inside a change freeze; override: ${release.override ?? ''}` : ''}`;
    case 'release.confirmer_accepted':
      return `${actor} accepted to confirm every step${e.data.override ? ' and approved the freeze override' : ''}.`;
    case 'release.confirmer_declined':
      return `${actor} declined${e.data.reason ? `: ${e.data.reason}` : ''}.`;
    case 'release.preflight_checked':
      return `${actor} checked ${e.data.item}${e.data.evidence ? `: ${e.data.evidence}` : ''}.`;
    case 'release.point_of_no_return_acknowledged':
      return `${actor} accepted the point of no return at ${e.data.step}.`;
    case 'release.step_started':
      return `${actor} started ${e.data.step}: ${stepTitle(e.data.step)}.`;
    case 'release.step_approved':
      return `${actor} approved running ${commandText(e.data.argv)} on runner ${e.data.runner}${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}.`;
    case 'release.step_verified':
      return `Check of ${e.data.step} ${e.data.verification.ok ? 'passed' : 'FAILED'}: ${checkText(e.data.verification)}.`;
    case 'release.step_run_started':
      return `Runner ${e.data.runner} (${e.data.host}) started ${e.data.step}${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}.`;
    case 'release.step_run_finished':
      return `${e.data.step} ${runResultText(e.data, release.steps.find((s) => s.id === e.data.step)?.run?.runner ?? 'its runner')}.`;
    case 'release.step_done':
      // Without an actor it is a run's success, already told by its own line.
      return e.actor ? `${actor} finished ${e.data.step}; waiting for ${ctx.name(release.confirmer)} to confirm.` : undefined;
    case 'release.step_confirmed':
      return e.actor ? `${actor} confirmed ${e.data.step}.` : undefined;
    case 'release.step_rejected':
      return `${actor} sent ${e.data.step} back to ${ctx.name(release.driver)}: ${e.data.reason}`;
    case 'release.step_overdue':
      return (
        `${e.data.step} (${stepTitle(e.data.step)}) has run past its expected ${formatDuration(e.data.expectMs)} (since ${showTime(e.data.since, ctx.zone)}). ` +
        `If it is stuck, roll back: /release rollback ${release.id} <reason>`
      );
    case 'release.completed':
      return `${release.title} is complete.`;
    case 'release.aborted':
      return `${actor} aborted ${release.id}: ${e.data.reason}`;
    case 'release.rollback_started':
      return e.data.steps.length > 0
        ? `${actor} started the rollback (${e.data.reason}): ${e.data.steps.map((s) => `undo ${s}`).join(', then ')}.`
        : `${actor} started the rollback (${e.data.reason}); no step has a rollback action.`;
    case 'release.rollback_step_done':
      return `${actor} undid ${e.data.step}; waiting for ${ctx.name(release.confirmer)} to confirm.`;
    case 'release.rollback_step_confirmed':
      return `${actor} confirmed the rollback of ${e.data.step}.`;
    case 'release.rolled_back':
      return `${release.id} is rolled back.`;
    case 'release.locked':
      return `${e.data.runbook} is locked until someone runs /release unlock ${e.data.runbook} <reason>.`;
    case 'release.unlocked':
      return `${actor} unlocked ${e.data.runbook}: ${e.data.reason}`;
    default:
      return undefined;
  }
};
