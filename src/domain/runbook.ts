/** A runbook as the domain sees it: validated, durations in milliseconds, `{{param}}` not yet filled in. */
import type { Principal } from './principal.js';

export interface ParamSpec {
  /** A regular expression the whole value must match (anchors are the author's business). */
  readonly pattern?: string;
  readonly description?: string;
  /** A parameter with a default may be left out at start. */
  readonly default?: string;
}

export interface PreflightItem {
  readonly id: string;
  readonly check: string;
  /** `required`: the check cannot be ticked without evidence text. */
  readonly evidence: 'required' | 'optional' | 'none';
  /** Machine-checked: passes only when the service answers `status` (the bot asks)… */
  readonly verify?: StepVerify;
  /** …or when the command exits 0 on the runner (approved with the release by the confirmer's Accept). */
  readonly run?: StepRun;
}

/** A rollback exercised in a drill: how long it took there, and when. */
export interface MeasuredRollback {
  readonly durationMs: number;
  /** When the drill's confirmer confirmed it. */
  readonly at: string;
  /** The drill (a release id) it was measured in, and where. */
  readonly drill: string;
  readonly environment?: string;
}

export interface StepRollback {
  readonly title: string;
  /** The runbook's guess. */
  readonly expectMs?: number;
  /** Only in a release's snapshot: the latest drill of it, whose duration replaces the guess in every cost stated. */
  readonly measured?: MeasuredRollback;
}

export interface StepRun {
  readonly runner: string;
  readonly argv: readonly string[];
  readonly timeoutMs?: number;
  /** Names of the runner host's environment variables the action may see (besides PATH, HOME and LANG). */
  readonly env?: readonly string[];
}

export interface StepVerify {
  readonly http: string;
  readonly status: number;
  /** How long the service may take, once the step's command succeeded, to answer with `status`. */
  readonly withinMs?: number;
}

export interface RunbookStep {
  readonly id: string;
  readonly title: string;
  readonly expectMs?: number;
  /** A point of no return: both people acknowledge it, with the rollback cost from there on. */
  readonly irreversible: boolean;
  readonly rollback?: StepRollback;
  readonly run?: StepRun;
  readonly verify?: StepVerify;
}

export interface DecisionPolicy {
  readonly timeboxMs: number;
  readonly warnBeforeMs: number;
  readonly maxExtensions: number;
  readonly escalateAfterMs: number;
}

export interface UpdatePolicy {
  readonly everyMs: number;
  readonly nudgeBeforeMs: number;
}

/**
 * What happens when a start lacks a rehearsal or a fresh drill: `refuse` it, allow it only with
 * `override="<reason>"` (approved by the confirmer's Accept), or `warn` on the card and go on.
 */
export type MissingPolicy = 'refuse' | 'override' | 'warn';

export interface RehearsalPolicy {
  /** The environment a completed release of the same runbook and version must come from. */
  readonly on: string;
  readonly maxAgeMs: number;
  readonly missing: MissingPolicy;
}

export interface DrillPolicy {
  /** Drills count only from this environment; from any when absent. */
  readonly on?: string;
  readonly maxAgeMs: number;
  readonly missing: MissingPolicy;
}

export interface Environment {
  readonly name: string;
  readonly channel?: string;
  readonly stakeholders?: string;
  /** The runner that does, here, what a step's `run.runner` names (unlisted names stay as they are). */
  readonly runners: Readonly<Record<string, string>>;
  readonly rehearsal?: RehearsalPolicy;
  readonly drills?: DrillPolicy;
  /** Rollback drills may run here; `allow_drills: false` keeps them off production. */
  readonly allowDrills: boolean;
}

export interface Runbook {
  /** The id used in `/release start <name>`: lower-case letters, digits and dashes. */
  readonly name: string;
  readonly title: string;
  readonly service?: string;
  readonly drivers: readonly Principal[];
  readonly confirmers: readonly Principal[];
  readonly channel?: string;
  readonly stakeholders?: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly decision?: Partial<DecisionPolicy>;
  readonly updates?: Partial<UpdatePolicy>;
  readonly preflight: readonly PreflightItem[];
  readonly steps: readonly RunbookStep[];
  /** Where it runs (staging, production…), each with its own channel, runners and policy; none: one place. */
  readonly environments?: readonly Environment[];
}

/** What a rollback is taken to cost: its duration measured in the latest drill, else the runbook's guess. */
export const rollbackMs = (rollback: StepRollback | undefined): number | undefined => rollback?.measured?.durationMs ?? rollback?.expectMs;
