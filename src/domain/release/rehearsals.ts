/**
 * Rehearsals, read from a runbook's releases: the latest completed release of a version on an environment, the latest
 * drill of each rollback, and what a start lacks of either under its environment's policy. Pure: `now` comes in.
 */
import { formatDuration } from '../duration.js';
import type { Environment, MeasuredRollback, MissingPolicy, Runbook } from '../runbook.js';
import type { RehearsalFound, RehearsalGap } from './events.js';
import type { Release, ReleaseSlot } from './state.js';

const DAY_MS = 86_400_000;

/**
 * What "the same version" means: the `version` parameter when the runbook has one, every parameter otherwise.
 * @example sameVersion(book, { version: '1.2.3' }, { version: '1.2.3' }) // true
 */
export const sameVersion = (runbook: Runbook, a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  if (Object.hasOwn(runbook.params, 'version')) return a['version'] === b['version'];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
};

/** The runbook and version as people say it: `web-deploy 1.2.3`, or with its parameters. */
export const versionText = (runbook: string, params: Readonly<Record<string, string>>): string =>
  [runbook, params['version'] ?? Object.entries(params).map(([key, value]) => `${key}=${value}`).join(' ')].filter((part) => part !== '').join(' ');

/** The latest completed release (not a drill) on `environment` with these parameters' version. */
export const lastRehearsal = (slot: ReleaseSlot, runbook: Runbook, environment: string, params: Readonly<Record<string, string>>): RehearsalFound | undefined => {
  const found = slot.releases.findLast(
    (release) => release.status === 'completed' && !release.drill && release.environment === environment && release.endedAt !== undefined && sameVersion(runbook, release.params, params),
  );
  return found && { release: found.id, environment, at: found.endedAt ?? found.startedAt, driver: found.driver, confirmer: found.confirmer };
};

/** What a drill measured: each step confirmed in it, from its first start to its last Done. */
const measuredIn = (drill: Release): [string, MeasuredRollback][] =>
  drill.steps.flatMap((step) =>
    step.status === 'confirmed' && step.startedAt !== undefined && step.doneAt !== undefined && step.confirmedAt !== undefined
      ? [[step.id, { durationMs: Date.parse(step.doneAt) - Date.parse(step.startedAt), at: step.confirmedAt, drill: drill.id, ...(drill.environment === undefined ? {} : { environment: drill.environment }) }]]
      : [],
  );

/**
 * The latest drill of each step's rollback, by step id (only from `on` when given). A step confirmed in a drill that
 * was aborted later still counts: that rollback was exercised.
 */
export const lastDrills = (slot: ReleaseSlot, on?: string): Record<string, MeasuredRollback> => {
  const latest: Record<string, MeasuredRollback> = {};
  for (const drill of slot.releases) {
    if (!drill.drill || (on !== undefined && drill.environment !== on)) continue;
    for (const [step, measured] of measuredIn(drill)) {
      const known = latest[step];
      if (!known || measured.at > known.at) latest[step] = measured;
    }
  }
  return latest;
};

export interface Assessment {
  readonly rehearsal?: RehearsalFound;
  /** The latest drill of each rollback the start will state the cost of. */
  readonly measured: Readonly<Record<string, MeasuredRollback>>;
  readonly gaps: readonly RehearsalGap[];
}

const fresh = (at: string | undefined, maxAgeMs: number, now: Date): boolean => at !== undefined && now.getTime() - Date.parse(at) <= maxAgeMs;

/**
 * What a start in `env` has and lacks under its policy: the rehearsal on the environment it names, and a recent
 * drill of every rollback. Drills count from the policy's `on`, or from anywhere; measured durations are found
 * even without a drill policy, so costs are stated from them.
 */
export const assess = (slot: ReleaseSlot, runbook: Runbook, env: Environment | undefined, params: Readonly<Record<string, string>>, now: Date): Assessment => {
  const gaps: RehearsalGap[] = [];
  let rehearsal: RehearsalFound | undefined;
  const policy = env?.rehearsal;
  if (policy) {
    const last = lastRehearsal(slot, runbook, policy.on, params);
    if (last && fresh(last.at, policy.maxAgeMs, now)) rehearsal = last;
    else gaps.push({ kind: 'rehearsal', policy: policy.missing, environment: policy.on, maxAgeMs: policy.maxAgeMs, ...(last ? { last: { release: last.release, at: last.at } } : {}) });
  }
  const measured = lastDrills(slot, env?.drills?.on);
  const drills = env?.drills;
  if (drills) {
    for (const step of runbook.steps) {
      if (!step.rollback) continue;
      const last = measured[step.id];
      if (!fresh(last?.at, drills.maxAgeMs, now)) gaps.push({ kind: 'drill', policy: drills.missing, step: step.id, maxAgeMs: drills.maxAgeMs, ...(last ? { last } : {}) });
    }
  }
  return { ...(rehearsal ? { rehearsal } : {}), measured, gaps };
};

/** Whole days between two instants, rounded down: "40 days ago". */
export const daysBetween = (from: string, to: string | Date): number => Math.floor(((typeof to === 'string' ? Date.parse(to) : to.getTime()) - Date.parse(from)) / DAY_MS);

const ago = (at: string, now: string | Date): string => {
  const days = daysBetween(at, now);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
};

/**
 * A gap in words, for errors, cards and drafts (dates as days ago, so it reads the same in every zone).
 * @example gapText(gap, 'web-deploy 1.2.3', now) // 'the rollback of migrate was last exercised 40 days ago (drills must be within 30d)'
 */
export const gapText = (gap: RehearsalGap, what: string, now: string | Date): string => {
  const limit = gap.kind === 'rehearsal' ? `rehearsals must be within ${formatDuration(gap.maxAgeMs)}` : `drills must be within ${formatDuration(gap.maxAgeMs)}`;
  if (gap.kind === 'rehearsal') {
    return gap.last
      ? `${what} was last released on ${gap.environment} ${ago(gap.last.at, now)} (${gap.last.release}; ${limit})`
      : `${what} has not been released on ${gap.environment} yet`;
  }
  return gap.last ? `the rollback of ${gap.step} was last exercised ${ago(gap.last.at, now)} (${gap.last.drill}; ${limit})` : `the rollback of ${gap.step} has never been exercised in a drill`;
};

/** The gaps a policy refuses outright, and those that need an override. */
export const gapsUnder = (gaps: readonly RehearsalGap[], policy: MissingPolicy): RehearsalGap[] => gaps.filter((gap) => gap.policy === policy);
