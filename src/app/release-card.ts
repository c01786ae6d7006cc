/** The release as people see it: one card per release (edited as it moves) and a line per event. */
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release, StepState } from '../domain/release/state.js';
import { awaitsAcknowledgement, currentRollbackStep, currentStep, isActive, rollbackCost } from '../domain/release/state.js';
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

const stepLine = (release: Release, step: StepState, ctx: CardContext): StepLine => {
  const flag = step.irreversible ? ' [point of no return]' : '';
  const base = `${step.id}: ${step.title}${expect(step.expectMs)}${flag}`;
  switch (step.status) {
    case 'confirmed':
      return { mark: 'done', text: `${base}, confirmed by ${step.confirmedBy ? ctx.name(step.confirmedBy) : 'nobody'} at ${showTime(step.confirmedAt ?? '', ctx.zone)}` };
    case 'done':
      return { mark: 'current', text: `${base}, done, waiting for ${ctx.name(release.confirmer)} to confirm` };
    case 'started': {
      const overdue = step.overdueAt && step.expectMs !== undefined ? `, past its expected ${formatDuration(step.expectMs)}` : '';
      const text = `${base}, in progress since ${showTime(step.startedAt ?? '', ctx.zone)}${step.rejections > 0 ? ` (sent back ${step.rejections}x)` : ''}${overdue}`;
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
  switch (step.status) {
    case 'pending':
      return { text: [`${of}: ${driver} to start ${step.title}.`], buttons: [button(ACTIONS.startStep, 'Start', target, 'primary'), ...(index > 1 ? [rollback] : [])] };
    case 'started':
      return { text: [`${of}: ${driver} is doing ${step.title}.`], buttons: [button(ACTIONS.doneStep, 'Done', target, 'primary'), trouble, rollback] };
    default:
      return {
        text: [`${of}: ${ctx.name(release.confirmer)} to confirm ${step.title}.`],
        buttons: [button(ACTIONS.confirmStep, 'Confirm', target, 'primary'), button(ACTIONS.rejectStep, 'Send back', target), trouble],
      };
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
    case 'release.step_done':
      return `${actor} finished ${e.data.step}; waiting for ${ctx.name(release.confirmer)} to confirm.`;
    case 'release.step_confirmed':
      return `${actor} confirmed ${e.data.step}.`;
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
