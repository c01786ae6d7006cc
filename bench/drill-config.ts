/**
 * What the drill runs on: its pace (timers in seconds, so they fall due during the chaos) and the planb.yaml it
 * writes for it: the Slack tests' team, the example runbooks with step expectations in seconds, incident and
 * maintenance defaults in seconds.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

export interface Pace {
  /**
   * How late a timer may fire and still count: a timer whose moment was overtaken sooner than this (the driver decided
   * just after the deadline) is left out of the expected ones. Killed mid-fire, a timer comes back after its lock
   * (5 s) expires, so lateness of a few seconds is normal under this chaos.
   */
  readonly graceMs: number;
  /** How long people take between two actions, and doing a step by hand, in ms. */
  readonly thinkMs: readonly [number, number];
  readonly stepWorkMs: readonly [number, number];
  /** Every step that has an `expect` in the example runbooks gets this one. */
  readonly stepExpectS: number;
  readonly incident: {
    readonly timeboxS: readonly [number, number];
    readonly warnBeforeS: number;
    readonly escalateAfterS: number;
    readonly updatesS: number;
    readonly nudgeBeforeS: number;
    readonly extendS: number;
    /** From the declaration to the decision, in ms (an extension or an update may come in between). */
    readonly investigateMs: readonly [number, number];
  };
  readonly window: {
    /** From scheduling to the start; the reminder before it; how long it lasts; "ending soon" before the end. */
    readonly leadS: number;
    readonly remindS: number;
    readonly forS: number;
    readonly endingSoonS: number;
    /** Between two windows scheduled in the same lane. */
    readonly everyMs: number;
  };
}

/**
 * Each timer is at least `graceMs` from the moment that makes it moot (a warning from the expiry, a reminder from the
 * start, a nudge from the update it announces), so every one of them is expected to fire. About 2 messages a second
 * in all, which the deliveries keep up with under this chaos; HEAVY_PACE's twice that they do not (see drill.ts).
 */
export const FULL_PACE: Pace = {
  graceMs: 6_000,
  thinkMs: [1_000, 4_000],
  stepWorkMs: [2_000, 16_000],
  stepExpectS: 6,
  incident: { timeboxS: [14, 20], warnBeforeS: 8, escalateAfterS: 8, updatesS: 20, nudgeBeforeS: 8, extendS: 10, investigateMs: [10_000, 50_000] },
  window: { leadS: 16, remindS: 8, forS: 20, endingSoonS: 8, everyMs: 30_000 },
};

/** People in a hurry: about 5 messages a second, in 8 conversations. */
export const HEAVY_PACE: Pace = {
  ...FULL_PACE,
  thinkMs: [200, 1_500],
  stepWorkMs: [1_000, 14_000],
  stepExpectS: 5,
  incident: { ...FULL_PACE.incident, timeboxS: [12, 18], updatesS: 12, investigateMs: [4_000, 35_000] },
  window: { ...FULL_PACE.window, everyMs: 12_000 },
};

export const SMOKE_PACE: Pace = {
  graceMs: 3_000,
  thinkMs: [100, 600],
  stepWorkMs: [300, 5_000],
  stepExpectS: 3,
  incident: { timeboxS: [7, 9], warnBeforeS: 4, escalateAfterS: 4, updatesS: 6, nudgeBeforeS: 4, extendS: 5, investigateMs: [2_000, 14_000] },
  window: { leadS: 8, remindS: 4, forS: 8, endingSoonS: 4, everyMs: 8_000 },
};

export interface DrillRunbook {
  readonly name: string;
  readonly title: string;
  readonly preflight: readonly { readonly id: string; readonly evidence?: string }[];
  readonly steps: readonly { readonly id: string; readonly irreversible?: boolean }[];
}

export const STAKEHOLDERS = 'C0STATUS';
export const ANNOUNCE = 'C0ANNOUNCE';

interface RunbookFile extends DrillRunbook {
  readonly steps: readonly { readonly id: string; readonly irreversible?: boolean; expect?: string }[];
}

/** Writes planb.yaml and its runbooks into `dir`; returns the path of planb.yaml and the runbooks as the people see them. */
export const writeDrillConfig = (dir: string, pace: Pace): { config: string; runbooks: DrillRunbook[] } => {
  const runbookDir = join(dir, 'runbooks');
  mkdirSync(runbookDir, { recursive: true });
  const examples = resolve('examples/runbooks');
  const runbooks = readdirSync(examples)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => {
      const runbook = parse(readFileSync(join(examples, file), 'utf8')) as RunbookFile;
      for (const step of runbook.steps) if (step.expect !== undefined) step.expect = `${pace.stepExpectS}s`;
      writeFileSync(join(runbookDir, file), stringify(runbook));
      return { name: runbook.name, title: runbook.title, preflight: runbook.preflight ?? [], steps: runbook.steps.map(({ id, irreversible }) => ({ id, ...(irreversible ? { irreversible } : {}) })) };
    });
  const { incident, window } = pace;
  const config = {
    timezone: 'UTC',
    runbooks: 'runbooks',
    groups: { 'release-managers': ['slack:U0ALICE', 'slack:U0CAROL'], sre: ['slack:U0BOB', 'slack:U0CAROL'], oncall: ['slack:U0ERIN'] },
    incidents: {
      escalation: 'oncall',
      stakeholders: STAKEHOLDERS,
      decision: { warn_before: `${incident.warnBeforeS}s`, escalate_after: `${incident.escalateAfterS}s`, max_extensions: 2 },
      updates: { nudge_before: `${incident.nudgeBeforeS}s` },
    },
    maintenance: { channel: ANNOUNCE, ending_soon: `${window.endingSoonS}s` },
  };
  const path = join(dir, 'planb.yaml');
  writeFileSync(path, stringify(config));
  return { config: path, runbooks };
};
