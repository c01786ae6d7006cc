/**
 * What the release card, the incident card and the post-mortem say about rehearsals: where a release runs, the
 * rehearsal it had or the gaps it started with, its machine-checked preflight items, and rollback costs, measured in a
 * drill or guessed.
 */
import { formatDuration } from '../domain/duration.js';
import type { Principal } from '../domain/principal.js';
import { checkSummary } from '../domain/release/preflight.js';
import { gapText, versionText } from '../domain/release/rehearsals.js';
import type { PreflightState, Release } from '../domain/release/state.js';
import { currentCheck, isMachineChecked } from '../domain/release/state.js';
import type { PreflightItem, StepRollback } from '../domain/runbook.js';
import type { ActionTarget } from './actions.js';
import { ACTIONS, encodeTarget } from './actions.js';
import type { Button, StepLine } from './message.js';
import { commandText } from './run-messages.js';
import { showDay } from './time-format.js';

export interface CardContext {
  readonly zone: string;
  readonly name: (principal: Principal) => string;
}

export const button = (actionId: string, label: string, target: ActionTarget, style?: Button['style']): Button => ({
  actionId,
  label,
  value: encodeTarget(target),
  ...(style ? { style } : {}),
});

/** ` on production`; nothing for a runbook without environments. */
export const onEnvironment = (environment: string | undefined): string => (environment === undefined ? '' : ` on ${environment}`);

/** A runbook's guess: ` (~2h)`. */
export const expectText = (ms: number | undefined): string => (ms === undefined ? '' : ` (~${formatDuration(ms)})`);

/**
 * What a rollback is taken to cost: its latest drill's measured duration, else the runbook's guess; undefined for neither.
 * @example rollbackCostNote({ title, expectMs: 7_200_000, measured }, 'UTC') // 'measured at 1h47m in the drill of 2 Nov'
 */
export const rollbackCostNote = (rollback: StepRollback, zone: string): string | undefined =>
  rollback.measured
    ? `measured at ${formatDuration(rollback.measured.durationMs)} in the drill of ${showDay(rollback.measured.at, zone)}`
    : rollback.expectMs === undefined
      ? undefined
      : `~${formatDuration(rollback.expectMs)}`;

/**
 * A rollback and its cost, as every message states it. `guess: false` leaves a guess out, where a total follows anyway.
 * @example rollbackCostWords({ title: 'Restore the database', expectMs: 7_200_000 }, 'UTC') // 'Restore the database (~2h)'
 */
export const rollbackCostWords = (rollback: StepRollback, zone: string, { guess = true }: { readonly guess?: boolean } = {}): string => {
  const note = rollback.measured || guess ? rollbackCostNote(rollback, zone) : undefined;
  return note === undefined ? rollback.title : `${rollback.title} (${note})`;
};

/** How long each confirmed step of a drill took, from its start to its Done (as a drill measures): `deploy 4m, migrate 1h47m`. */
export const drillMeasures = (release: Release): string =>
  release.steps
    .flatMap((step) => (step.status === 'confirmed' && step.startedAt !== undefined && step.doneAt !== undefined ? [`${step.id} ${formatDuration(Date.parse(step.doneAt) - Date.parse(step.startedAt))}`] : []))
    .join(', ') || 'nothing';

/** The drill's first line (its title already says it is one, and where). */
export const drillText = (): string => 'Each rollback step is timed: its time becomes the rollback cost later releases state.';

/** `Rehearsed on staging on 12 Nov by alice and bob (api-deploy-1).`, when its policy found one. */
export const rehearsalText = (release: Release, ctx: CardContext): string | undefined => {
  const found = release.rehearsal;
  return found && `Rehearsed on ${found.environment} on ${showDay(found.at, ctx.zone)} by ${ctx.name(found.driver)} and ${ctx.name(found.confirmer)} (${found.release}).`;
};

/**
 * What the release started without: a line per gap, then the override that let it (asked of the confirmer until they
 * accept, approved after). Dated from the start, so the lines read the same whenever they are shown.
 */
export const gapLines = (release: Release, ctx: CardContext, { accepted = release.acceptedAt !== undefined }: { readonly accepted?: boolean } = {}): string[] => {
  if (release.gaps.length === 0) return [];
  const what = versionText(release.runbook, release.params);
  const lines = release.gaps.map((gap) => `${gap.policy === 'warn' ? 'Warning' : 'Not rehearsed'}: ${gapText(gap, what, release.startedAt)}.`);
  if (!release.gaps.some((gap) => gap.policy === 'override')) return lines;
  const override = release.override ?? '';
  return [
    ...lines,
    accepted
      ? `Started without it, override approved by ${ctx.name(release.confirmer)}: ${override}.`
      : `Started without it, override: ${override}; accepting approves the override.`,
  ];
};

/** What a machine check asks: the URL, or the command and its runner. */
const checkTarget = (item: PreflightItem): string =>
  item.verify ? item.verify.http : item.run ? `${commandText(item.run.argv)} on runner ${item.run.runner}` : '';

/** The commands the confirmer's Accept lets runners run for the preflight: said before they accept. */
export const acceptRunsLines = (release: Release): string[] =>
  release.preflight.flatMap((item) => (item.run ? [`Accepting also runs the check of ${item.id}: ${checkTarget(item)}.`] : []));

/** The check that failed and was not run again since. */
const failedCheck = (item: PreflightState): boolean => !item.checkedAt && isMachineChecked(item) && currentCheck(item)?.status === 'failed';

const preflightLine = (item: PreflightState, ctx: CardContext): StepLine => {
  const base = `${item.id}: ${item.check}`;
  if (!isMachineChecked(item)) {
    return item.checkedAt
      ? { mark: 'done', text: `${base}, checked by ${item.checkedBy ? ctx.name(item.checkedBy) : 'nobody'}${item.evidenceText ? ` (${item.evidenceText})` : ''}` }
      : { mark: 'pending', text: `${base}${item.evidence === 'required' ? ' (evidence required)' : ''}` };
  }
  if (item.checkedAt) return { mark: 'done', text: `${base}, passed: ${item.evidenceText ?? 'its check passed'}` };
  const current = currentCheck(item);
  const attempt = current && current.attempt > 1 ? ` (attempt ${current.attempt})` : '';
  switch (current?.status) {
    case 'checking':
      return { mark: 'current', text: `${base}, checking ${checkTarget(item)}…${attempt}` };
    case 'failed':
      return { mark: 'failed', text: `${base}, FAILED: ${current.result ? checkSummary(current.result) : 'no result'}${attempt}` };
    default:
      return { mark: 'pending', text: `${base}, checked by Plan B: ${checkTarget(item)}` };
  }
};

/** A failed command's last lines are short enough to show on the card; the rest is on the runner. */
const TAIL_LINES = 5;

/**
 * The preflight on the card: a line per item, a Confirm button for each item ticked by hand, and for a machine check
 * only once it failed, Check again (it passes when its check does, never by a tick).
 */
export const preflightState = (release: Release, ctx: CardContext): { text: string[]; steps: StepLine[]; buttons: Button[]; output: string[] } => {
  const open = release.preflight.filter((item) => !item.checkedAt);
  const failed = open.filter(failedCheck);
  const target = (item: PreflightState): ActionTarget => ({ release: release.id, item: item.id });
  const buttons = open.flatMap((item) =>
    !isMachineChecked(item)
      ? [button(ACTIONS.check, `Confirm ${item.id}`, target(item))]
      : failedCheck(item)
        ? [button(ACTIONS.check, failed.length > 1 ? `Check ${item.id} again` : 'Check again', target(item))]
        : [],
  );
  const tails = failed.map((item) => ({ item, tail: (currentCheck(item)?.result?.run?.tail ?? []).filter((line) => line.trim() !== '').slice(-TAIL_LINES) }));
  const withTail = tails.filter(({ tail }) => tail.length > 0);
  const output = withTail.flatMap(({ item, tail }) => (withTail.length > 1 ? tail.map((line) => `${item.id}: ${line}`) : tail));
  const waits =
    failed.length > 0
      ? [`The release waits until ${failed.map((item) => item.id).join(' and ')} ${failed.length > 1 ? 'pass their checks' : 'passes its check'}: Check again once the cause is fixed, or /release abort ${release.id} <reason>`]
      : [];
  return {
    text: [`Preflight: ${release.preflight.length - open.length} of ${release.preflight.length} checked.`, ...waits],
    steps: release.preflight.map((item) => preflightLine(item, ctx)),
    buttons,
    output,
  };
};
