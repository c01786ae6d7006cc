/** Release events; the type names are the public vocabulary of DESIGN.md (API, webhooks). */
import type { NewEvent } from '../event.js';
import type { Principal } from '../principal.js';
import type { PreflightItem, RunbookStep } from '../runbook.js';

export interface ReleaseStartedData {
  readonly release: string;
  readonly runbook: string;
  readonly title: string;
  readonly params: Readonly<Record<string, string>>;
  readonly driver: Principal;
  readonly confirmer: Principal;
  readonly channel: string;
  /** The chat platform the channel is on (`console`, `slack`, `teams`); older events have none: console. */
  readonly platform?: string;
  readonly stakeholders?: string;
  readonly window?: string;
  readonly override?: string;
  /** The change freeze it was started in (with `override`); the confirmer's acceptance approves the override. */
  readonly freeze?: { readonly until: string; readonly reason?: string };
  /** The runbook as it was at start, parameters filled in: a release never changes under its people. */
  readonly preflight: readonly PreflightItem[];
  readonly steps: readonly RunbookStep[];
}

interface Ref {
  readonly release: string;
}
interface StepRef extends Ref {
  readonly step: string;
}

export interface ReleaseEventData {
  'release.started': ReleaseStartedData;
  /** `override`: the freeze override the confirmer approved by accepting. */
  'release.confirmer_accepted': Ref & { readonly override?: string };
  'release.confirmer_declined': Ref & { readonly reason?: string };
  'release.preflight_checked': Ref & { readonly item: string; readonly evidence?: string };
  'release.point_of_no_return_acknowledged': StepRef;
  'release.step_started': StepRef;
  'release.step_done': StepRef;
  'release.step_confirmed': StepRef;
  'release.step_rejected': StepRef & { readonly reason: string };
  /** The bot noticed a step running past its `expect` (an extension of DESIGN's vocabulary). */
  'release.step_overdue': StepRef & { readonly expectMs: number; readonly since: string };
  'release.completed': Ref;
  'release.aborted': Ref & { readonly reason: string };
  'release.rollback_started': Ref & { readonly reason: string; readonly steps: readonly string[] };
  'release.rollback_step_done': StepRef;
  'release.rollback_step_confirmed': StepRef;
  'release.rolled_back': Ref;
  'release.locked': Ref & { readonly runbook: string; readonly reason: string };
  /** A rollback without an incident got its post-mortem draft (an extension of DESIGN's vocabulary). */
  'release.postmortem_drafted': Ref & { readonly file: string };
  'release.unlocked': { readonly runbook: string; readonly reason: string };
}

export type ReleaseEventType = keyof ReleaseEventData;

export type ReleaseEvent = {
  [Type in ReleaseEventType]: NewEvent<Type, ReleaseEventData[Type]>;
}[ReleaseEventType];
