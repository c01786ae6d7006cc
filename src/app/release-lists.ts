/** Answers in words about runbooks and releases: what you may start, what runs, and how rehearsed each runbook is. */
import { formatDuration } from '../domain/duration.js';
import type { Groups, Principal } from '../domain/principal.js';
import { isEligible } from '../domain/principal.js';
import { paramPlaceholders } from '../domain/runbook-params.js';
import { daysBetween, lastDrills, versionText } from '../domain/release/rehearsals.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import { activeReleases, currentStep, isActive } from '../domain/release/state.js';
import type { Environment, MeasuredRollback, Runbook } from '../domain/runbook.js';
import type { CardContext } from './release-card.js';
import { showDay, showTime } from './time-format.js';

export interface ListContext {
  readonly user: Principal;
  readonly runbooks: readonly Runbook[];
  readonly groups: Groups;
  readonly card: CardContext;
  readonly zone: string;
  readonly now: Date;
}

const where = (environment: string | undefined): string => (environment === undefined ? '' : ` on ${environment}`);

/** The runbooks the asker may drive, what holds each (locks, running releases) and how to start it. */
export const describeRunbooks = (ctx: ListContext, slots: readonly ReleaseSlot[]): string[] => {
  const lines = ctx.runbooks
    .filter((book) => isEligible(ctx.user, book.drivers, ctx.groups))
    .map((book) => {
      const slot = slots.find((candidate) => candidate.runbook === book.name);
      const locks = Object.entries(slot?.locks ?? {}).map(([place, lock]) => `locked${where(place === '' ? undefined : place)}: ${lock.reason}`);
      const running = (slot ? activeReleases(slot) : []).map((active) => `${active.id} running${where(active.environment)}, driven by ${ctx.card.name(active.driver)}`);
      const state = [...locks, ...running];
      const params = paramPlaceholders(book).map((param) => ` ${param}`).join('');
      const envs = book.environments ? ` env=<${book.environments.map((env) => env.name).join('|')}>` : '';
      return `${book.name}: ${book.title}${state.length > 0 ? ` (${state.join('; ')})` : ''}. /release start ${book.name}${params}${envs} confirmer=@name`;
    });
  return lines.length > 0 ? ['Runbooks you may drive:', ...lines] : ['There is no runbook you may drive. Ask to be added to its drivers in planb.yaml.'];
};

/** Releases running now and the last ten that ended, newest first. */
export const describeList = (ctx: ListContext, slots: readonly ReleaseSlot[]): string[] => {
  const all = slots.flatMap((slot) => slot.releases).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const active = all.filter(isActive);
  const recent = all.filter((release) => !isActive(release)).slice(0, 10);
  const line = (release: Release): string => {
    const step = currentStep(release);
    const state = isActive(release) ? `${release.status.replace('_', ' ')}${step && release.status === 'running' ? ` at ${step.id}` : ''}` : release.status.replace('_', ' ');
    return `${release.id}: ${release.title}${where(release.environment)}, ${ctx.card.name(release.driver)} with ${ctx.card.name(release.confirmer)}, ${state}, started ${showTime(release.startedAt, ctx.zone)}`;
  };
  if (all.length === 0) return ['No releases yet. /release runbooks shows what you may start.'];
  return [...(active.length > 0 ? ['Running:', ...active.map(line)] : ['Nothing is running.']), ...(recent.length > 0 ? ['Recent:', ...recent.map(line)] : [])];
};

const ago = (at: string, now: Date): string => {
  const days = daysBetween(at, now);
  return days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
};

/** What an environment's policy asks before a start there. */
const policyText = (env: Environment): string => {
  const asks = [
    env.rehearsal ? `the same version completed on ${env.rehearsal.on} within ${formatDuration(env.rehearsal.maxAgeMs)} (else ${env.rehearsal.missing})` : undefined,
    env.drills ? `every rollback drilled${env.drills.on ? ` on ${env.drills.on}` : ''} within ${formatDuration(env.drills.maxAgeMs)} (else ${env.drills.missing})` : undefined,
  ].filter((ask) => ask !== undefined);
  return asks.length > 0 ? `needs ${asks.join(' and ')}` : 'no rehearsal needed';
};

const drillText = (measured: MeasuredRollback | undefined, ctx: ListContext): string =>
  measured ? `${formatDuration(measured.durationMs)} on ${showDay(measured.at, ctx.zone)} (${ago(measured.at, ctx.now)}, ${measured.drill})` : 'never';

/**
 * `/release rehearsals <runbook>`: per environment, its policy and the latest completed release there; per step
 * with a rollback, its guessed cost and its latest drill in each environment.
 */
export const describeRehearsals = (ctx: ListContext, book: Runbook, slot: ReleaseSlot | undefined): string[] => {
  const releases = slot?.releases ?? [];
  const places: (string | undefined)[] = book.environments ? book.environments.map((env) => env.name) : [undefined];
  const envLines = places.map((place) => {
    const env = book.environments?.find((candidate) => candidate.name === place);
    const last = releases.findLast((release) => release.status === 'completed' && !release.drill && release.environment === place);
    const released = last
      ? `last completed ${versionText(book.name, last.params)} on ${showDay(last.endedAt ?? last.startedAt, ctx.zone)} (${ago(last.endedAt ?? last.startedAt, ctx.now)}) by ${ctx.card.name(last.driver)} and ${ctx.card.name(last.confirmer)}`
      : 'no completed release yet';
    const policy = env ? `; ${policyText(env)}${env.allowDrills ? '' : '; no drills here'}` : '';
    return `${place ?? book.name}: ${released}${policy}.`;
  });
  const rollbacks = book.steps.filter((step) => step.rollback);
  // Drills where they may run, and wherever one ran before a policy changed.
  const drilled = places.filter((place) => (book.environments?.find((env) => env.name === place)?.allowDrills ?? true) || releases.some((release) => release.drill && release.environment === place));
  const drills = drilled.map((place) => ({ place, measured: slot ? lastDrills(slot, place) : {} }));
  const stepLines = rollbacks.map((step) => {
    const guess = step.rollback?.expectMs === undefined ? 'no guess' : `guessed ${formatDuration(step.rollback.expectMs)}`;
    const perPlace = drills.map(({ place, measured }) => `${place === undefined ? 'drilled' : `on ${place}`}: ${drillText(measured[step.id], ctx)}`);
    return `${step.id} (${step.rollback?.title ?? ''}, ${guess}): ${perPlace.join('; ')}.`;
  });
  const params = paramPlaceholders(book).map((param) => ` ${param}`).join('');
  const drillHint = `${params}${book.environments ? ` env=${book.environments.find((env) => env.allowDrills)?.name ?? ''}` : ''}`;
  return [
    `Rehearsals of ${book.name} (${book.title}):`,
    ...envLines,
    ...(rollbacks.length > 0 ? ['Rollback drills, by step:', ...stepLines, `Drill them: /release drill ${book.name}${drillHint} confirmer=@name`] : ['No step has a rollback to drill.']),
  ];
};
