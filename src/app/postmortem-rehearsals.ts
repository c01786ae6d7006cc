/**
 * The post-mortem draft's part on rehearsals: the rehearsal a release had or started without, and when each of its
 * rollbacks was last exercised in a drill. Only for releases with an environment, a drill or a gap; older drafts stay as they were.
 */
import { daysBetween, gapText, versionText } from '../domain/release/rehearsals.js';
import { formatDuration } from '../domain/duration.js';
import type { Release } from '../domain/release/state.js';
import type { CardContext } from './release-card-lines.js';
import { drillMeasures, onEnvironment, rehearsalText } from './release-card-lines.js';

/** Whether the draft has a word to say on rehearsals: anything but a release of a runbook that knows none of them. */
const concerned = (release: Release): boolean =>
  release.environment !== undefined || release.drill === true || release.gaps.length > 0 || release.steps.some((step) => step.rollback?.measured);

/** Days from a drill to the release's start: `40 days ago`, as the release saw it. */
const ago = (at: string, release: Release): string => {
  const days = daysBetween(at, release.startedAt);
  return days <= 0 ? 'the same day' : days === 1 ? '1 day ago' : `${days} days ago`;
};

/** Each step's rollback, as of the release's start: last rehearsed when, and how long it took there. */
const rollbackLines = (release: Release): string[] =>
  release.steps.flatMap((step) => {
    const measured = step.rollback?.measured;
    if (!step.rollback) return [];
    return [
      measured
        ? `- rollback of ${step.id} last rehearsed ${ago(measured.at, release)} (measured ${formatDuration(measured.durationMs)} in ${measured.drill}${onEnvironment(measured.environment)})`
        : `- rollback of ${step.id} never rehearsed in a drill`,
    ];
  });

/** What the release started without, under which policy, and the override that let it start. */
const gapLines = (release: Release, ctx: CardContext): string[] => {
  const what = versionText(release.runbook, release.params);
  const policy = { refuse: 'refuse', override: 'start only with an override', warn: 'warn and start' } as const;
  const lines = release.gaps.map((gap) => `- ${gapText(gap, what, release.startedAt)}. Policy: ${policy[gap.policy]}.`);
  if (!release.gaps.some((gap) => gap.policy === 'override')) return lines;
  const approved = release.acceptedAt === undefined ? 'not approved' : `approved by ${ctx.name(release.confirmer)} when accepting`;
  return [...lines, '', `It started with the override "${release.override ?? ''}", ${approved}.`];
};

/** The body of the draft's Rehearsal section, or undefined when it has none. */
export const rehearsalSection = (release: Release, ctx: CardContext): string[] | undefined => {
  if (!concerned(release)) return undefined;
  if (release.drill) {
    return [`${release.id} was a rollback drill${onEnvironment(release.environment)}: each step was a rollback, done, confirmed and timed. Measured: ${drillMeasures(release)}.`];
  }
  const rehearsal = rehearsalText(release, ctx);
  const head =
    release.gaps.length > 0
      ? [`It started without what its policy asks${onEnvironment(release.environment)}:`, '', ...gapLines(release, ctx)]
      : [rehearsal ?? `No rehearsal on another environment was asked of a release${onEnvironment(release.environment)}.`];
  const rollbacks = rollbackLines(release);
  return [
    ...(rehearsal && release.gaps.length > 0 ? [rehearsal, ''] : []),
    ...head,
    ...(rollbacks.length > 0 ? ['', 'Rollback drills, as of the start:', '', ...rollbacks] : []),
    '',
    '_Prompt: did the rehearsal and the drills show what went wrong here? If not, what would have?_',
  ];
};

/** What the rehearsals say went wrong, and the drills to run: rollbacks never exercised, or not lately. */
export const rehearsalHints = (release: Release): { readonly wrong: string[]; readonly actions: string[] } => {
  if (!concerned(release) || release.drill) return { wrong: [], actions: [] };
  const never = release.steps.filter((step) => step.rollback && !step.rollback.measured).map((step) => step.id);
  const stale = release.gaps.flatMap((gap) => (gap.kind === 'drill' && gap.last ? [gap.step] : []));
  const toDrill = [...never, ...stale];
  return {
    wrong: [
      ...(release.gaps.some((gap) => gap.kind === 'rehearsal') ? [`${release.id} started without a recent rehearsal of the same version.`] : []),
      ...(never.length > 0 ? [`Rollbacks never exercised in a drill: ${never.join(', ')}.`] : []),
      ...(stale.length > 0 ? [`Rollbacks not exercised in a drill as recently as the policy asks: ${stale.join(', ')}.`] : []),
    ],
    actions: toDrill.length > 0 ? [`Drill the rollbacks of ${toDrill.join(', ')} (/release drill ${release.runbook}), so their cost is a recent measurement, not a guess.`] : [],
  };
};
