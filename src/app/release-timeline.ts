/** The release thread: one line per event, the audit trail people read later. */
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { ReleaseEvent, ReleaseEventData } from '../domain/release/events.js';
import { checkSummary } from '../domain/release/preflight.js';
import { versionText } from '../domain/release/rehearsals.js';
import type { Release } from '../domain/release/state.js';
import type { CardContext } from './release-card-lines.js';
import { drillMeasures, gapLines, onEnvironment, rehearsalText } from './release-card-lines.js';
import { checkText, commandText, runResultText } from './run-messages.js';
import { showTime } from './time-format.js';

/** Who started what, with whom, and what it was started with or without (a freeze, a rehearsal, gaps in it). */
const startedLine = (release: Release, actor: string, ctx: CardContext): string => {
  const confirmer = ctx.name(release.confirmer);
  const where = onEnvironment(release.environment);
  if (release.drill) {
    return `${actor} started a rollback drill of ${versionText(release.runbook, release.params)}${where} with ${confirmer} as confirmer: each rollback step is done, confirmed and timed.`;
  }
  const line = `${actor} started ${release.title}${where} with ${confirmer} as confirmer${release.window ? `, in maintenance window ${release.window}` : ''}.${release.freeze ? ` It is inside a change freeze; override: ${release.override ?? ''}` : ''}`;
  // As it was asked at the start: the override is the confirmer's to approve.
  const more = [rehearsalText(release, ctx), ...gapLines(release, ctx, { accepted: false })].filter((part) => part !== undefined);
  return more.length === 0 ? line : `${/[.!?]$/.test(line) ? line : `${line}.`} ${more.join(' ')}`;
};

/** What the override a confirmer approves by accepting was for. */
const overridden = (release: Release): string => {
  const rehearsal = release.gaps.some((gap) => gap.policy === 'override');
  return release.freeze ? (rehearsal ? 'freeze and rehearsal' : 'freeze') : 'rehearsal';
};

/** `Checking backup: https://… (expects 200).`, or the command on its runner; who asked, when it is checked again. */
const checkStartedLine = (release: Release, data: ReleaseEventData['release.preflight_check_started'], asker: string | undefined): string => {
  const again = data.attempt > 1 ? ` again (attempt ${data.attempt}${asker ? `, asked by ${asker}` : ''})` : '';
  if (data.runner !== undefined) return `Checking ${data.item} on runner ${data.runner}${again}: ${commandText(data.argv ?? [])}.`;
  const status = release.preflight.find((item) => item.id === data.item)?.verify?.status;
  return `Checking ${data.item}${again}: ${data.http ?? 'its URL'}${status === undefined ? '' : ` (expects ${status})`}.`;
};

/** One line per event for the release thread. */
export const timelineLine = (release: Release, event: StoredEvent, ctx: CardContext): string | undefined => {
  const actor = event.actor ? ctx.name(event.actor) : 'Plan B';
  const e = event as StoredEvent & ReleaseEvent;
  const stepTitle = (id: string): string => release.steps.find((s) => s.id === id)?.title ?? id;
  switch (e.type) {
    case 'release.started':
      return startedLine(release, actor, ctx);
    case 'release.confirmer_accepted':
      return `${actor} accepted to confirm every step${e.data.override ? ` and approved the ${overridden(release)} override` : ''}.`;
    case 'release.confirmer_declined':
      return `${actor} declined${e.data.reason ? `: ${e.data.reason}` : ''}.`;
    case 'release.preflight_check_started':
      return checkStartedLine(release, e.data, e.actor ? actor : undefined);
    case 'release.preflight_check_failed':
      return `${e.data.item} FAILED its check: ${checkSummary(e.data.check)}. The release waits until it passes: Check again, or abort.`;
    case 'release.preflight_checked':
      if (e.data.check) return `${e.data.item} passed its check: ${e.data.evidence ?? checkSummary(e.data.check)}.`;
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
        (release.drill ? `If it is stuck, stop the drill: /release abort ${release.id} <reason>` : `If it is stuck, roll back: /release rollback ${release.id} <reason>`)
      );
    case 'release.completed':
      return release.drill ? `Drill complete: measured ${drillMeasures(release)}.` : `${release.title} is complete.`;
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
      return `${e.data.runbook} is locked${onEnvironment(e.data.environment)} until someone runs /release unlock ${e.data.runbook}${e.data.environment === undefined ? '' : ` env=${e.data.environment}`} <reason>.`;
    case 'release.unlocked':
      return `${actor} unlocked ${e.data.runbook}${onEnvironment(e.data.environment)}: ${e.data.reason}`;
    default:
      return undefined;
  }
};
