/** DESIGN.md's defaults for the decision timer and stakeholder updates, and how the layers over them combine. */
import type { DecisionPolicy, UpdatePolicy } from '../runbook.js';
import type { IncidentPolicy, Severity } from './events.js';

const MINUTE = 60_000;

/** "The 20 more minutes that became four hours": 20m, warned 5m before, at most 2 extensions, escalate after 5m. */
export const DEFAULT_DECISION: DecisionPolicy = { timeboxMs: 20 * MINUTE, warnBeforeMs: 5 * MINUTE, maxExtensions: 2, escalateAfterMs: 5 * MINUTE };

/** Update cadence by severity: sev1 every 15m, sev2 30m, sev3 60m, sev4 none. */
export const CADENCE: Readonly<Record<Severity, number | undefined>> = { 1: 15 * MINUTE, 2: 30 * MINUTE, 3: 60 * MINUTE, 4: undefined };

export const DEFAULT_NUDGE_BEFORE = 2 * MINUTE;

/** Severity when nobody says: a release in trouble or a declared incident is taken seriously, not as an outage. */
export const DEFAULT_SEVERITY: Severity = 2;

export interface PolicyLayer {
  readonly decision?: Partial<DecisionPolicy>;
  readonly updates?: Partial<UpdatePolicy>;
}

/** planb.yaml's `incidents:`: who is escalated to, where updates go, and the policy under every runbook's. */
export interface IncidentDefaults extends PolicyLayer {
  /** A group name. */
  readonly escalation?: string;
  readonly stakeholders?: string;
}

/** What the command itself said (`timebox=…`, `updates=…`): it overrides every layer. */
export interface PolicyArgs {
  readonly timeboxMs?: number;
  readonly updatesMs?: number;
}

/**
 * The incident's policy: command arguments, then the runbook, then planb.yaml, then DESIGN.md's defaults.
 * The severity's cadence applies unless a layer or the command sets one.
 * @example incidentPolicy(2, { timeboxMs: 600_000 }, [runbook, defaults])
 */
export const incidentPolicy = (severity: Severity, args: PolicyArgs, layers: readonly (PolicyLayer | undefined)[]): IncidentPolicy => {
  const decision = (key: keyof DecisionPolicy): number => layers.map((layer) => layer?.decision?.[key]).find((value) => value !== undefined) ?? DEFAULT_DECISION[key];
  const update = (key: keyof UpdatePolicy): number | undefined => layers.map((layer) => layer?.updates?.[key]).find((value) => value !== undefined);
  const every = args.updatesMs ?? update('everyMs') ?? CADENCE[severity];
  return {
    timeboxMs: args.timeboxMs ?? decision('timeboxMs'),
    warnBeforeMs: decision('warnBeforeMs'),
    maxExtensions: decision('maxExtensions'),
    escalateAfterMs: decision('escalateAfterMs'),
    ...(every === undefined ? {} : { updatesEveryMs: every }),
    nudgeBeforeMs: update('nudgeBeforeMs') ?? DEFAULT_NUDGE_BEFORE,
  };
};
