import type { DomainError } from '../domain/errors.js';
import { fail } from '../domain/errors.js';
import type { Principal } from '../domain/principal.js';
import type { ReleaseCommand } from '../domain/release/decide.js';
import type { Release } from '../domain/release/state.js';

/** Button action ids: stable across platforms and versions, since old messages keep their buttons. */
export const ACTIONS = {
  accept: 'release_accept',
  decline: 'release_decline',
  check: 'release_check',
  acknowledge: 'release_acknowledge',
  startStep: 'release_step_start',
  /** The confirmer approves an automated step's command before a runner runs it. */
  approveStep: 'release_step_approve',
  doneStep: 'release_step_done',
  confirmStep: 'release_step_confirm',
  rejectStep: 'release_step_reject',
  /** "Something's wrong": opens an incident on the release with its decision timer. */
  trouble: 'release_trouble',
  rollback: 'release_rollback',
  rollbackDone: 'release_rollback_done',
  rollbackConfirm: 'release_rollback_confirm',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

export const isActionId = (id: string): id is ActionId => (Object.values(ACTIONS) as string[]).includes(id);

/** What a button applies to; serialised as its value. */
export interface ActionTarget {
  readonly release: string;
  readonly step?: string;
  readonly item?: string;
}

export const encodeTarget = (target: ActionTarget): string => JSON.stringify(target);

export const decodeTarget = (value: string): ActionTarget | undefined => {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { release, step, item } = parsed as Record<string, unknown>;
    if (typeof release !== 'string') return undefined;
    return {
      release,
      ...(typeof step === 'string' ? { step } : {}),
      ...(typeof item === 'string' ? { item } : {}),
    };
  } catch {
    return undefined;
  }
};

/** One string field of a button's JSON value (`{"incident":"inc-3"}` → `inc-3`); undefined for anything else. */
export const valueField = (value: string, field: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(value);
    const found = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
    return typeof found === 'string' ? found : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The release command a button press means; buttons that need words (a reason) answer with the command that takes them.
 * @example buttonCommand(ACTIONS.confirmStep, release, { step: 'drain' }, name) // { type: 'confirm_step', release: 'web-deploy-1', step: 'drain' }
 */
export const buttonCommand = (actionId: string, release: Release, target: { step?: string; item?: string }, name: (principal: Principal) => string): ReleaseCommand | DomainError => {
  const step = target.step ?? '';
  const ref = { release: release.id };
  switch (actionId) {
    case ACTIONS.accept:
      return { type: 'accept', ...ref };
    case ACTIONS.decline:
      return { type: 'decline', ...ref };
    case ACTIONS.check:
      return { type: 'check', ...ref, item: target.item ?? '' };
    case ACTIONS.acknowledge:
      return { type: 'acknowledge', ...ref, step };
    case ACTIONS.startStep:
      return { type: 'start_step', ...ref, step };
    case ACTIONS.approveStep:
      return { type: 'approve_step', ...ref, step };
    case ACTIONS.doneStep:
      return { type: 'done_step', ...ref, step };
    case ACTIONS.confirmStep:
      return { type: 'confirm_step', ...ref, step };
    case ACTIONS.rollbackDone:
      return { type: 'rollback_done', ...ref, step };
    case ACTIONS.rollbackConfirm:
      return { type: 'rollback_confirm', ...ref, step };
    case ACTIONS.rejectStep:
      return fail('reason_needed', `Say what is wrong with ${step} so ${name(release.driver)} can fix it: /release reject ${release.id} <what is wrong>`);
    default:
      return fail('reason_needed', `Say why you roll back: /release rollback ${release.id} <reason>`);
  }
};
