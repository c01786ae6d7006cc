/**
 * Starting a release or a rollback drill: who may, in which environment, and what its policy asks first (a rehearsal
 * on another environment, recent drills of every rollback); what the release snapshots of its runbook.
 */
import type { DomainError } from '../errors.js';
import { fail, isDomainError } from '../errors.js';
import { inEnvironment, pickEnvironment } from '../environment.js';
import { activeFreeze } from '../freeze.js';
import type { Principal } from '../principal.js';
import { isEligible } from '../principal.js';
import type { Environment, RunbookStep } from '../runbook.js';
import { instantiateRunbook, resolveParams } from '../runbook-params.js';
import { clockTimeUtc } from '../time-text.js';
import type { DecideContext, Result } from './context.js';
import { emit, list, who } from './context.js';
import type { RehearsalGap } from './events.js';
import { assess, gapsUnder, gapText, versionText } from './rehearsals.js';
import type { ReleaseSlot } from './state.js';
import { activeRelease, placeKey } from './state.js';

interface Begin {
  readonly params: Readonly<Record<string, string>>;
  readonly confirmer?: Principal;
  /** Where it was asked: the release runs there unless its runbook (or environment) names a channel. */
  readonly channel: string;
  readonly platform?: string;
  /** `env=`: required when the runbook has environments. */
  readonly environment?: string;
}

export type StartCommand = Begin & { readonly type: 'start'; readonly window?: string; readonly override?: string };

/** `/release drill`: the runbook's rollback path, run for practice under the same two-person rule. */
export type DrillCommand = Begin & { readonly type: 'drill' };

export type UnlockCommand = { readonly type: 'unlock'; readonly reason: string; readonly environment?: string };

const on = (env: Environment | undefined): string => (env ? ` on ${env.name}` : '');

const envArg = (env: Environment | undefined): string => (env ? ` env=${env.name}` : '');

/** What a start and a drill both need: the slot free here, the driver allowed, the parameters, a second person. */
const pair = (slot: ReleaseSlot, command: StartCommand | DrillCommand, ctx: DecideContext): { env: Environment | undefined; params: Record<string, string>; confirmer: Principal } | DomainError => {
  const { runbook, actor, groups } = ctx;
  const verb = command.type === 'drill' ? 'drill' : 'start';
  const env = pickEnvironment(runbook, command.environment, `/release ${verb} ${runbook.name}`);
  if (isDomainError(env)) return env;
  const lock = slot.locks[placeKey(env?.name)];
  if (lock) {
    return fail(
      'runbook_locked',
      `${runbook.name}${on(env)} is locked since the rollback of ${lock.release} (${lock.reason}). ` +
        `Once the cause is addressed: /release unlock ${runbook.name}${envArg(env)} <what was fixed>`,
    );
  }
  const active = activeRelease(slot, env?.name);
  if (active) {
    return fail(
      'runbook_busy',
      `${active.title} is being run by ${who(active.driver)} since ${clockTimeUtc(active.startedAt)} (${active.id}). One release of ${runbook.name}${on(env)} at a time.`,
    );
  }
  if (!isEligible(actor, runbook.drivers, groups)) {
    return fail('not_a_driver', `You may not drive ${runbook.name}: its drivers are ${list(runbook.drivers)}.`);
  }
  if (command.type === 'drill' && env && !env.allowDrills) {
    return fail('drills_not_allowed', `${runbook.name} does not run drills on ${env.name} (allow_drills: false): drill on ${runbook.environments?.filter((e) => e.allowDrills).map((e) => e.name).join(' or ') || 'another environment'}.`);
  }
  const params = resolveParams(runbook, command.params);
  if (isDomainError(params)) return params;
  const { confirmer } = command;
  if (confirmer === undefined) {
    return fail('confirmer_missing', `Name who confirms each step: add confirmer=@name (someone in ${list(runbook.confirmers)}, not you).`);
  }
  if (confirmer === actor) {
    return fail('self_confirm', `You cannot confirm your own ${command.type === 'drill' ? 'drill' : 'release'}: every step needs a second person. Name someone in ${list(runbook.confirmers)} as confirmer=@name.`);
  }
  if (!isEligible(confirmer, runbook.confirmers, groups)) {
    return fail('not_a_confirmer', `${who(confirmer)} may not confirm ${runbook.name}: its confirmers are ${list(runbook.confirmers)}.`);
  }
  return { env, params, confirmer };
};

/** The command that would close a gap: a release on the rehearsal environment, or a drill. */
const remedy = (gap: RehearsalGap, ctx: DecideContext, params: Readonly<Record<string, string>>): string => {
  const name = ctx.runbook.name;
  const given = Object.entries(params).map(([key, value]) => ` ${key}=${value}`).join('');
  if (gap.kind === 'rehearsal') return `/release start ${name}${given} env=${gap.environment} confirmer=@name`;
  const drillOn = ctx.runbook.environments?.find((env) => env.allowDrills)?.name;
  return `/release drill ${name}${given}${drillOn ? ` env=${drillOn}` : ''} confirmer=@name`;
};

/** Refused, or waiting for an override, for what the policy asks: every gap named, with the command that closes it. */
const policyRefusal = (gaps: readonly RehearsalGap[], env: Environment | undefined, params: Readonly<Record<string, string>>, ctx: DecideContext, confirmer: Principal, override: string | undefined): DomainError | undefined => {
  const what = versionText(ctx.runbook.name, params);
  const describe = (list: readonly RehearsalGap[]): string => list.map((gap) => gapText(gap, what, ctx.now)).join('; ');
  const remedies = (list: readonly RehearsalGap[]): string => [...new Set(list.map((gap) => remedy(gap, ctx, params)))].join(' and ');
  const refused = gapsUnder(gaps, 'refuse');
  if (refused.length > 0) {
    return fail('not_rehearsed', `${what} may not start${on(env)}: ${describe(refused)}. First: ${remedies(refused)}`);
  }
  const needOverride = gapsUnder(gaps, 'override');
  if (needOverride.length > 0 && !override) {
    return fail(
      'rehearsal_override_needed',
      `${what} is not rehearsed${env ? ` for ${env.name}` : ''}: ${describe(needOverride)}. First: ${remedies(needOverride)}. ` +
        `If it cannot wait, start it with override="<why it cannot wait>": ${who(confirmer)} approves the override by accepting.`,
    );
  }
  return undefined;
};

export const start = (slot: ReleaseSlot, command: StartCommand, ctx: DecideContext): Result => {
  const { runbook } = ctx;
  const checked = pair(slot, command, ctx);
  if (isDomainError(checked)) return checked;
  const { env, params, confirmer } = checked;
  const freeze = activeFreeze(ctx.freezes ?? [], runbook.service, ctx.now);
  const override = command.override?.trim();
  if (freeze && !override) {
    return fail(
      'frozen',
      `${runbook.name} is in a change freeze until ${clockTimeUtc(freeze.until)} on ${freeze.until.slice(0, 10)}${freeze.reason ? ` (${freeze.reason})` : ''}. ` +
        `If it cannot wait, start it with override="<why it cannot wait>": ${who(confirmer)} approves the override by accepting.`,
    );
  }
  const assessment = assess(slot, runbook, env, params, ctx.now);
  const refusal = policyRefusal(assessment.gaps, env, params, ctx, confirmer, override);
  if (refusal) return refusal;
  const filled = instantiateRunbook(inEnvironment(runbook, env?.name), params);
  // Every rollback cost the release states is its latest drill's, where it had one.
  const steps = filled.steps.map((step): RunbookStep => {
    const measured = assessment.measured[step.id];
    return step.rollback && measured ? { ...step, rollback: { ...step.rollback, measured } } : step;
  });
  const title = params['version'] === undefined ? filled.title : `${filled.title} ${params['version']}`;
  return [
    emit(ctx)('release.started', {
      release: `${runbook.name}-${slot.releases.length + 1}`,
      runbook: runbook.name,
      title,
      params,
      driver: ctx.actor,
      confirmer,
      channel: filled.channel ?? command.channel,
      ...(command.platform === undefined ? {} : { platform: command.platform }),
      ...(filled.stakeholders === undefined ? {} : { stakeholders: filled.stakeholders }),
      ...(command.window === undefined ? {} : { window: command.window }),
      ...(override ? { override } : {}),
      ...(freeze ? { freeze: { until: freeze.until, ...(freeze.reason === undefined ? {} : { reason: freeze.reason }) } } : {}),
      preflight: filled.preflight,
      steps,
      ...(env ? { environment: env.name } : {}),
      ...(assessment.rehearsal ? { rehearsal: assessment.rehearsal } : {}),
      ...(assessment.gaps.length > 0 ? { gaps: assessment.gaps } : {}),
    }),
  ];
};

/**
 * A drill: a release whose steps are the runbook's rollbacks, newest step first (the order a rollback takes), each
 * started, done and confirmed by two people like any step, so each is timed. No preflight, no policy, no stakeholders.
 */
export const drill = (slot: ReleaseSlot, command: DrillCommand, ctx: DecideContext): Result => {
  const { runbook } = ctx;
  const checked = pair(slot, command, ctx);
  if (isDomainError(checked)) return checked;
  const { env, params, confirmer } = checked;
  const filled = instantiateRunbook(inEnvironment(runbook, env?.name), params);
  const steps = filled.steps.flatMap((step): RunbookStep[] =>
    step.rollback ? [{ id: step.id, title: step.rollback.title, ...(step.rollback.expectMs === undefined ? {} : { expectMs: step.rollback.expectMs }), irreversible: false }] : [],
  );
  if (steps.length === 0) return fail('nothing_to_drill', `No step of ${runbook.name} has a rollback, so there is nothing to drill.`);
  return [
    emit(ctx)('release.started', {
      release: `${runbook.name}-${slot.releases.length + 1}`,
      runbook: runbook.name,
      title: `Rollback drill: ${filled.title}${params['version'] === undefined ? '' : ` ${params['version']}`}`,
      params,
      driver: ctx.actor,
      confirmer,
      channel: filled.channel ?? command.channel,
      ...(command.platform === undefined ? {} : { platform: command.platform }),
      preflight: [],
      steps: steps.reverse(),
      ...(env ? { environment: env.name } : {}),
      drill: true,
    }),
  ];
};

export const unlock = (slot: ReleaseSlot, command: UnlockCommand, ctx: DecideContext): Result => {
  const { runbook } = ctx;
  const locked = Object.keys(slot.locks);
  if (command.environment !== undefined && !runbook.environments?.some((env) => env.name === command.environment)) {
    return fail('unknown_environment', `${runbook.name} has no environment ${command.environment}${runbook.environments ? `; its environments are ${runbook.environments.map((env) => env.name).join(', ')}` : ''}.`);
  }
  const place = command.environment ?? (locked.length === 1 ? locked[0] : '');
  if (locked.length === 0 || place === undefined || !Object.hasOwn(slot.locks, place)) {
    if (command.environment === undefined && locked.length > 1) {
      return fail('which_environment', `${runbook.name} is locked on ${locked.join(' and ')}: say which, /release unlock ${runbook.name} env=${locked[0] ?? ''} <reason>`);
    }
    return fail('not_locked', `${runbook.name}${command.environment ? ` on ${command.environment}` : ''} is not locked.`);
  }
  if (!isEligible(ctx.actor, runbook.drivers, ctx.groups)) {
    return fail('not_a_driver', `Only the drivers of ${runbook.name} (${list(runbook.drivers)}) may unlock it.`);
  }
  if (command.reason.trim() === '') return fail('reason_missing', `Say what was done about the cause: /release unlock ${runbook.name} <reason>`);
  return [emit(ctx)('release.unlocked', { runbook: runbook.name, reason: command.reason, ...(place === '' ? {} : { environment: place }) })];
};
