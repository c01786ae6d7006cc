/** Release events; the type names are the public vocabulary of DESIGN.md (API, webhooks). */
import type { NewEvent } from '../event.js';
import type { Principal } from '../principal.js';
import type { MeasuredRollback, MissingPolicy, PreflightItem, RunbookStep } from '../runbook.js';

/** The completed release, on the environment a policy names, that rehearsed this one. */
export interface RehearsalFound {
  readonly release: string;
  readonly environment: string;
  /** When it completed. */
  readonly at: string;
  readonly driver: Principal;
  readonly confirmer: Principal;
}

/**
 * What a start lacked under its environment's policy, and went on without (`policy`: `warn`, or `override` with the
 * reason the confirmer approves): no recent rehearsal, or a rollback not exercised in a recent drill.
 */
export type RehearsalGap =
  | { readonly kind: 'rehearsal'; readonly policy: MissingPolicy; readonly environment: string; readonly maxAgeMs: number; readonly last?: { readonly release: string; readonly at: string } }
  | { readonly kind: 'drill'; readonly policy: MissingPolicy; readonly step: string; readonly maxAgeMs: number; readonly last?: MeasuredRollback };

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
  /** Each rollback carries `measured`, its latest drill, when it has been exercised. */
  readonly steps: readonly RunbookStep[];
  /** The runbook's environment it runs in (an extension of DESIGN's vocabulary, as are the fields below). */
  readonly environment?: string;
  /** A rollback drill: its steps are the runbook's rollbacks, newest step first, each timed. */
  readonly drill?: boolean;
  /** The rehearsal its environment's policy asked for, as found. */
  readonly rehearsal?: RehearsalFound;
  /** What it started without, under a `warn` or `override` policy. */
  readonly gaps?: readonly RehearsalGap[];
}

/** How a machine-checked preflight item's check went: the bot's HTTP check, or the runner's command. */
export interface PreflightCheckResult {
  readonly ok: boolean;
  readonly verification?: RunVerification;
  readonly run?: RunEnding & { readonly runner: string };
}

interface Ref {
  readonly release: string;
}

/** The check of a step's `verify` after its command succeeded, as the runner saw it. */
export interface RunVerification {
  readonly url: string;
  readonly expected: number;
  readonly ok: boolean;
  /** The last status seen, when any request got an answer. */
  readonly status?: number;
  /** Why the last request got no answer (`connection refused`, `no answer within 5s`, …). */
  readonly error?: string;
  readonly attempts: number;
  readonly durationMs: number;
}

/**
 * How a run of an automated step ended: `succeeded` (exit 0 and verified), `failed` (another exit code or a
 * signal), `timed_out`, `verify_failed`, `refused` (the runner's own runbook disagreed), `lost` (the runner
 * stopped answering mid-action), `not_started` (no runner took it in time).
 */
export type RunOutcome = 'succeeded' | 'failed' | 'timed_out' | 'verify_failed' | 'refused' | 'lost' | 'not_started';

/** How a command on a runner ended: a step's attempt, or a preflight item's check. */
export interface RunEnding {
  readonly outcome: RunOutcome;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly durationMs?: number;
  /** The last lines of the output. */
  readonly tail: readonly string[];
  /** Why, in words, when the outcome is not the program's own (refused, lost, not started). */
  readonly detail?: string;
}

export interface RunFinishedData extends RunEnding {
  readonly release: string;
  readonly step: string;
  readonly attempt: number;
  /** The name of the full log shared in the thread. */
  readonly log?: string;
  readonly verify?: RunVerification;
}
interface StepRef extends Ref {
  readonly step: string;
}

export interface ReleaseEventData {
  'release.started': ReleaseStartedData;
  /** `override`: the freeze override the confirmer approved by accepting. */
  'release.confirmer_accepted': Ref & { readonly override?: string };
  'release.confirmer_declined': Ref & { readonly reason?: string };
  /** `check`: a machine-checked item passed (no actor); its `evidence` is then the bot's summary of it. */
  'release.preflight_checked': Ref & { readonly item: string; readonly evidence?: string; readonly attempt?: number; readonly check?: PreflightCheckResult };
  /** Extensions for machine-checked preflight items: a check began (at Accept, or again on Check), or it failed. */
  'release.preflight_check_started': Ref & { readonly item: string; readonly attempt: number; readonly http?: string; readonly runner?: string; readonly argv?: readonly string[] };
  'release.preflight_check_failed': Ref & { readonly item: string; readonly attempt: number; readonly check: PreflightCheckResult };
  'release.point_of_no_return_acknowledged': StepRef;
  'release.step_started': StepRef;
  /**
   * Extensions of DESIGN's vocabulary for automated steps (`run:`): the confirmer approved the command before it
   * runs; a runner instance took it; it ended. A success is followed by `release.step_done` and `release.step_confirmed`.
   */
  'release.step_approved': StepRef & { readonly attempt: number; readonly runner: string; readonly argv: readonly string[] };
  'release.step_run_started': StepRef & { readonly attempt: number; readonly runner: string; readonly instance: string; readonly host: string };
  'release.step_run_finished': RunFinishedData;
  'release.step_done': StepRef;
  /** The bot checked a step done by hand against its `verify` before the confirmer confirms (an extension). */
  'release.step_verified': StepRef & { readonly verification: RunVerification };
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
  /** `environment`: the lock holds there only (a runbook with environments); none: the whole runbook. */
  'release.locked': Ref & { readonly runbook: string; readonly reason: string; readonly environment?: string };
  /** A rollback without an incident got its post-mortem draft (an extension of DESIGN's vocabulary). */
  'release.postmortem_drafted': Ref & { readonly file: string };
  'release.unlocked': { readonly runbook: string; readonly reason: string; readonly environment?: string };
}

export type ReleaseEventType = keyof ReleaseEventData;

export type ReleaseEvent = {
  [Type in ReleaseEventType]: NewEvent<Type, ReleaseEventData[Type]>;
}[ReleaseEventType];
