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
