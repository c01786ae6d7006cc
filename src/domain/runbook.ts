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
}

export interface StepRollback {
  readonly title: string;
  readonly expectMs?: number;
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
}
