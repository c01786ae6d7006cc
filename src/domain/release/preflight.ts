/**
 * The preflight: items people tick with evidence, and machine-checked items (`verify:` an HTTP answer, `run:` a
 * command on a runner) that pass only when their check does. Machine checks begin when the confirmer accepts (the
 * Accept approves the release's commands, these included) and begin again when someone in the pair asks.
 */
import { formatDuration } from '../duration.js';
import type { DomainError } from '../errors.js';
import { fail } from '../errors.js';
import { clockTimeUtc } from '../time-text.js';
import type { DecideContext } from './context.js';
import { emit, emitAsBot, who } from './context.js';
import type { PreflightCheckResult, ReleaseEvent } from './events.js';
import type { PreflightState, Release, ReleaseSlot } from './state.js';
import { currentCheck, isActive, isMachineChecked } from './state.js';

/** The start of a check of a machine-checked item: what it asks, for the card, the runner and the record. */
const checkStarted = (release: Release, item: PreflightState, at: { now: Date; actor: DecideContext['actor'] }): ReleaseEvent =>
  emit(at)('release.preflight_check_started', {
    release: release.id,
    item: item.id,
    attempt: item.checks.length + 1,
    ...(item.run ? { runner: item.run.runner, argv: item.run.argv } : {}),
    ...(item.verify ? { http: item.verify.http } : {}),
  });

/** The checks an Accept sets off: one for every machine-checked item. */
export const checksOnAccept = (release: Release, ctx: DecideContext): ReleaseEvent[] =>
  release.preflight.filter(isMachineChecked).map((item) => checkStarted(release, item, ctx));

/** `/release check <item> [evidence]` or its button: ticks an item, or checks a machine-checked one again. */
export const check = (release: Release, itemId: string, given: string | undefined, ctx: DecideContext): ReleaseEvent[] | DomainError => {
  const item = release.preflight.find((candidate) => candidate.id === itemId);
  if (!item) return fail('unknown_check', `${release.id} has no preflight check ${itemId}; its checks are ${release.preflight.map((p) => p.id).join(', ') || 'none'}.`);
  if (item.checkedAt) {
    return fail('already_checked', `Preflight ${item.id} was already ${item.checkedBy ? `checked by ${who(item.checkedBy)}` : 'passed by its check'} at ${clockTimeUtc(item.checkedAt)}.`);
  }
  if (release.status === 'awaiting_confirmer') return fail('not_accepted', `${who(release.confirmer)} has not accepted ${release.id} yet.`);
  if (ctx.actor !== release.driver && ctx.actor !== release.confirmer) {
    return fail('not_in_pair', `Only ${who(release.driver)} and ${who(release.confirmer)} check the preflight of ${release.id}.`);
  }
  if (isMachineChecked(item)) {
    // Not ticked by hand: it passes when its check does. A failed (or lost) check may be run again.
    if (currentCheck(item)?.status === 'checking') return fail('check_running', `Preflight ${item.id} (${item.check}) is being checked now; its result will be on the card.`);
    return [checkStarted(release, item, ctx)];
  }
  const evidence = given?.trim();
  if (item.evidence === 'required' && !evidence) {
    return fail('evidence_required', `Preflight ${item.id} (${item.check}) needs evidence: /release check ${release.id} ${item.id} <what you checked: a link, a ticket, a log line>`);
  }
  return [emit(ctx)('release.preflight_checked', { release: release.id, item: item.id, ...(evidence ? { evidence } : {}) })];
};

/**
 * The evidence of a check in one line, as recorded and shown.
 * @example checkSummary({ ok: true, verification }) // 'HTTP 200 from https://backup.internal/latest (1 try, 0s)'
 */
export const checkSummary = (result: PreflightCheckResult): string => {
  const { verification, run } = result;
  if (verification) {
    const got = verification.status === undefined ? (verification.error ?? 'no answer') : `HTTP ${verification.status}`;
    const tries = `${verification.attempts} ${verification.attempts === 1 ? 'try' : 'tries'}, ${formatDuration(verification.durationMs)}`;
    return `${got} from ${verification.url}${verification.ok ? '' : `, expected ${verification.expected}`} (${tries})`;
  }
  if (run) {
    // Not the program's own ending (not started, lost, refused): the detail says it all, runner included.
    if (run.detail !== undefined) return run.detail.replace(/\.$/, '');
    const how = run.outcome === 'timed_out' ? 'timed out' : run.exitCode === null || run.exitCode === undefined ? `stopped by ${run.signal ?? 'a signal'}` : `exit ${run.exitCode}`;
    const last = run.tail.filter((line) => line.trim() !== '').at(-1);
    return `${how} on runner ${run.runner}${last === undefined ? '' : `: ${last}`}`;
  }
  return result.ok ? 'passed' : 'failed';
};

/** What a machine check reports: its release, item and attempt, and how it went. */
export interface PreflightCheckReport {
  readonly release: string;
  readonly item: string;
  readonly attempt: number;
  readonly result: PreflightCheckResult;
}

/**
 * A check's result: the item passes (recorded as checked, by no one, with the result as evidence) or the check
 * failed; nothing when that attempt is no longer current (a report delivered twice, a release that ended).
 */
export const decidePreflightCheck = (slot: ReleaseSlot, report: PreflightCheckReport, now: Date): ReleaseEvent[] => {
  const release = slot.releases.find((candidate) => candidate.id === report.release);
  const item = release?.preflight.find((candidate) => candidate.id === report.item);
  const attempt = item && currentCheck(item);
  if (!release || !isActive(release) || !item || item.checkedAt || attempt?.attempt !== report.attempt || attempt.status !== 'checking') return [];
  const ref = { release: release.id, item: item.id, attempt: report.attempt };
  return report.result.ok
    ? [emitAsBot(now)('release.preflight_checked', { ...ref, evidence: checkSummary(report.result), check: report.result })]
    : [emitAsBot(now)('release.preflight_check_failed', { ...ref, check: report.result })];
};

/** The attempt a check is on, while it runs: what the bot's watch over a runner's preflight command needs. */
export const checkInFlight = (release: Release | undefined, item: string, attempt: number): PreflightState | undefined => {
  const found = release?.preflight.find((candidate) => candidate.id === item);
  const current = found && currentCheck(found);
  return found && current?.attempt === attempt && current.status === 'checking' && !found.checkedAt ? found : undefined;
};
