/** The release as people see it: one card per release, edited as it moves (its thread's lines: release-timeline.ts). */
import { formatDuration } from '../domain/duration.js';
import type { Release, RunAttempt, StepState } from '../domain/release/state.js';
import { awaitsAcknowledgement, currentRollbackStep, currentRun, currentStep, isActive, rollbackCost } from '../domain/release/state.js';
import { checkText, commandText, runResultText } from './run-messages.js';
import type { ActionTarget } from './actions.js';
import { ACTIONS } from './actions.js';
import type { Button, Message, StepLine } from './message.js';
import type { CardContext } from './release-card-lines.js';
import {
  acceptRunsLines,
  button,
  drillMeasures,
  drillText,
  expectText,
  gapLines,
  onEnvironment,
  preflightState,
  rehearsalText,
  rollbackCostWords,
} from './release-card-lines.js';
import { showTime } from './time-format.js';

export type { CardContext } from './release-card-lines.js';
export { timelineLine } from './release-timeline.js';

export const cardKey = (release: string): string => `release/${release}/card`;

/** The rollback cost from the point of no return on, in words: each rollback measured in its latest drill, else guessed. */
export const pointOfNoReturnText = (release: Release, step: StepState, zone: string): string => {
  const cost = rollbackCost(release, step.id);
  const undo = cost.steps.map((s) => (s.rollback ? rollbackCostWords(s.rollback, zone) : s.id)).join(', then ');
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
  const base = `${step.id}: ${step.title}${expectText(step.expectMs)}${flag}`;
  const run = currentRun(step);
  switch (step.status) {
    case 'failed':
      return { mark: 'failed', text: `${base}, ${run && step.run ? runState(release, run, step.run.runner, ctx) : 'failed'}` };
    case 'confirmed':
      if (run && step.run) return { mark: 'done', text: `${base}, ran on ${step.run.runner} in ${formatDuration(run.result?.durationMs ?? 0)}, approved by ${run.approvedBy ? ctx.name(run.approvedBy) : 'nobody'}` };
      if (release.drill && step.startedAt !== undefined && step.doneAt !== undefined) {
        return { mark: 'done', text: `${base}, measured ${formatDuration(Date.parse(step.doneAt) - Date.parse(step.startedAt))}, confirmed by ${step.confirmedBy ? ctx.name(step.confirmedBy) : 'nobody'}` };
      }
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
  // A drill's steps are the rollback: there is nothing to roll back to (the domain refuses it).
  const rollbacks = release.drill ? [] : [button(ACTIONS.rollback, 'Roll back', { release: release.id }, 'danger')];
  const trouble = button(ACTIONS.trouble, "Something's wrong", target, 'danger');
  if (awaitsAcknowledgement(release, step)) {
    const missing = [release.driver, release.confirmer].filter((p) => !step.acknowledgedBy.includes(p)).map(ctx.name);
    return {
      text: [`${of}: ${step.title}.`, pointOfNoReturnText(release, step, ctx.zone), `Waiting for ${missing.join(' and ')} to accept it.`],
      buttons: [button(ACTIONS.acknowledge, 'Accept point of no return', target, 'danger')],
    };
  }
  if (step.run) return automatedState(release, step, step.run.runner, ctx, { of, target, rollbacks, trouble, first: index === 1 });
  switch (step.status) {
    case 'pending':
      return { text: [`${of}: ${driver} to start ${step.title}.`], buttons: [button(ACTIONS.startStep, 'Start', target, 'primary'), ...(index > 1 ? rollbacks : [])] };
    case 'started':
      return { text: [`${of}: ${driver} is doing ${step.title}.`], buttons: [button(ACTIONS.doneStep, 'Done', target, 'primary'), trouble, ...rollbacks] };
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
  parts: { of: string; target: ActionTarget; rollbacks: Button[]; trouble: Button; first: boolean },
): { text: string[]; buttons: Button[] } => {
  const { of, target, rollbacks, trouble } = parts;
  const driver = ctx.name(release.driver);
  const run = currentRun(step);
  const command = step.run ? commandText(run?.argv ?? step.run.argv) : '';
  if (step.status === 'pending' || !run) {
    return {
      text: [`${of}: ${driver} to start ${step.title}. It runs on runner ${runner}: ${command}`, `${ctx.name(release.confirmer)} approves the command before it runs.`],
      buttons: [button(ACTIONS.startStep, 'Start', target, 'primary'), ...(parts.first ? [] : rollbacks)],
    };
  }
  if (step.status === 'failed') {
    return {
      text: [`${of}: ${step.title} ${run.result ? runResultText(run.result, runner) : 'failed'}.`, `${driver}: retry it (${ctx.name(release.confirmer)} approves again), say something's wrong, or roll back.`],
      buttons: [button(ACTIONS.startStep, 'Retry', target, 'primary'), trouble, ...rollbacks],
    };
  }
  switch (run.status) {
    case 'awaiting_approval':
      return {
        text: [`${of}: ${ctx.name(release.confirmer)} to approve running ${command} on runner ${runner}.`],
        buttons: [button(ACTIONS.approveStep, 'Approve and run', target, 'primary'), trouble, ...rollbacks],
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
    ? { text: [reason, `${ctx.name(release.driver)} to undo ${step.step}: ${rollbackCostWords(step, ctx.zone)}.`], buttons: [button(ACTIONS.rollbackDone, 'Done', target, 'primary')] }
    : { text: [reason, `${ctx.name(release.confirmer)} to confirm the rollback of ${step.step}: ${step.title}.`], buttons: [button(ACTIONS.rollbackConfirm, 'Confirm', target, 'primary')] };
};

const endedText = (release: Release, ctx: CardContext): string => {
  const at = showTime(release.endedAt ?? '', ctx.zone);
  const by = release.endedBy ? ` by ${ctx.name(release.endedBy)}` : '';
  switch (release.status) {
    case 'completed':
      return release.drill
        ? `Drill complete at ${at}: measured ${drillMeasures(release)}, each step done by ${ctx.name(release.driver)} and confirmed by ${ctx.name(release.confirmer)}.`
        : `Completed at ${at}: every step done by ${ctx.name(release.driver)} and confirmed by ${ctx.name(release.confirmer)}.`;
    case 'declined':
      return `${ctx.name(release.confirmer)} declined to confirm at ${at}${release.reason ? `: ${release.reason}` : ''}. Start again with another confirmer.`;
    case 'aborted': {
      const touched = release.steps.some((step) => step.status !== 'pending');
      return `Aborted${by} at ${at}: ${release.reason ?? ''}.${touched && !release.drill ? ` Started steps are not undone by an abort: /release rollback ${release.id} <reason>` : ''}`;
    }
    case 'rolled_back':
      return `Rolled back at ${at}: ${release.reason ?? ''}. ${release.runbook} is locked${onEnvironment(release.environment)} until someone unlocks it with a reason.`;
    default:
      return '';
  }
};

/** The card of a release: status, steps, and the buttons for whoever acts next. */
export const releaseCard = (release: Release, ctx: CardContext): Message => {
  const pair = `${ctx.name(release.driver)} drives, ${ctx.name(release.confirmer)} confirms.`;
  // Until the steps begin, what the release was started with, or without: its rehearsal and its gaps.
  const rehearsal = [rehearsalText(release, ctx), ...gapLines(release, ctx)].filter((line) => line !== undefined);
  let text: string[] = [];
  let buttons: Button[] = [];
  let output: string[] = [];
  let steps: StepLine[] | undefined = release.steps.map((step) => stepLine(release, step, ctx));
  switch (release.status) {
    case 'awaiting_confirmer':
      text = [
        `Waiting for ${ctx.name(release.confirmer)}.`,
        ...(release.freeze
          ? [`Change freeze until ${showTime(release.freeze.until, ctx.zone, release.startedAt)}${release.freeze.reason ? ` (${release.freeze.reason})` : ''}. Override: ${release.override ?? ''}. Accepting also approves the override.`]
          : []),
        ...rehearsal,
        ...acceptRunsLines(release),
      ];
      buttons = [button(ACTIONS.accept, 'Accept', { release: release.id }, 'primary'), button(ACTIONS.decline, 'Decline', { release: release.id })];
      steps = undefined;
      break;
    case 'preflight': {
      const preflight = preflightState(release, ctx);
      ({ steps, buttons, output } = preflight);
      const [count = '', ...waits] = preflight.text;
      text = [count, ...rehearsal, ...waits];
      break;
    }
    case 'running':
      ({ text, buttons } = runningState(release, ctx));
      break;
    case 'rolling_back':
      ({ text, buttons } = rollingBackState(release, ctx));
      steps = release.rollback?.steps.map((step) => ({
        mark: step.status === 'confirmed' ? 'done' : step === currentRollbackStep(release) ? 'current' : 'pending',
        text: `undo ${step.step}: ${rollbackCostWords(step, ctx.zone)}${step.status === 'done' ? ', done, waiting for confirmation' : ''}`,
      }));
      break;
    default:
      text = [endedText(release, ctx)];
  }
  return {
    key: cardKey(release.id),
    title: `${release.title}${onEnvironment(release.environment)} (${release.id})`,
    text: [...(release.drill ? [drillText()] : []), `${pair} ${text[0] ?? ''}`.trim(), ...text.slice(1)],
    ...(steps ? { steps } : {}),
    ...(output.length > 0 ? { output } : {}),
    ...(buttons.length > 0 ? { buttons } : {}),
    ...(isActive(release) ? {} : { context: [`Started ${showTime(release.startedAt, ctx.zone)}, ended ${showTime(release.endedAt ?? '', ctx.zone, release.startedAt)}.`] }),
  };
};
