/**
 * Automated steps between the bot and its runners: what the bot asks a runner to run, what the runner reports back,
 * and how the bot knows a runner is there. The bot never runs anything itself; `planb worker --runner <name>` does,
 * on the host that has the access, after checking the request against its own copy of the runbook.
 */
import type { RunVerification } from '../domain/release/events.js';

/** What the bot asks runner `runner` to run: one attempt of one step, approved by the confirmer. */
export interface RunJob {
  readonly release: string;
  readonly runbook: string;
  readonly step: string;
  readonly attempt: number;
  /** The release's parameters: the runner fills them into its own copy of the step and compares. */
  readonly params: Readonly<Record<string, string>>;
  /** The argv the bot expects; the runner refuses unless its own copy gives exactly this. */
  readonly argv: readonly string[];
  /** After this instant the runner must not start it: the bot has told people it did not start. */
  readonly startBy: string;
  /** The runbook's environment the release runs in: the runner reads its runbook as it runs there. */
  readonly environment?: string;
}

/** A runner's news of one attempt, sent back to the bot (any replica). */
export type RunReport =
  | {
      readonly kind: 'started';
      readonly release: string;
      readonly step: string;
      readonly attempt: number;
      readonly runner: string;
      readonly instance: string;
      readonly host: string;
    }
  | {
      readonly kind: 'output';
      readonly release: string;
      readonly step: string;
      readonly attempt: number;
      /** The last lines so far; reports come throttled, so each carries the latest tail, not a piece. */
      readonly tail: readonly string[];
    }
  | {
      readonly kind: 'finished';
      readonly release: string;
      readonly step: string;
      readonly attempt: number;
      readonly runner: string;
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly timedOut: boolean;
      readonly durationMs: number;
      readonly tail: readonly string[];
      /** The whole output (up to the runner's limit), shared as a file in the thread. */
      readonly log: string;
      readonly verify?: RunVerification;
      /** Why the runner did not run it at all. */
      readonly refused?: string;
    };

/** How quickly runners are expected to answer; planb.yaml `runners:` sets them, the bot and its runners alike. */
export interface RunTimings {
  /** How often a runner reports in. */
  readonly heartbeatMs: number;
  /** A runner not heard from for this long is offline; a run it had is lost. */
  readonly offlineAfterMs: number;
  /** How long an approved run may wait for a runner to take it before it is given up. */
  readonly pickupMs: number;
  /** How often a runner sends the latest output while a command runs (each is an edit of one chat message). */
  readonly outputEveryMs: number;
}

export const DEFAULT_RUN_TIMINGS: RunTimings = { heartbeatMs: 5_000, offlineAfterMs: 20_000, pickupMs: 60_000, outputEveryMs: 3_000 };

/** A runner's timeout when its step names none. */
export const DEFAULT_RUN_TIMEOUT_MS = 15 * 60_000;

/** A step's check (`verify.within`) when it names no time. */
export const DEFAULT_VERIFY_WITHIN_MS = 30_000;

/** Who is there: runner instances report in, the bot reads it. Redis behind both; nothing in the embedded store. */
export interface RunnerRegistry {
  /** When any instance of runner `name` last reported in, if ever (within a day). */
  lastSeen(name: string): Promise<Date | undefined>;
  /** When instance `instance` of runner `name` last reported in, if ever. */
  instanceSeen(name: string, instance: string): Promise<Date | undefined>;
  /**
   * Takes attempt `job` for `owner`, once: true for the first to ask. A runner claims before it runs; the bot's
   * watch claims before it gives up on an attempt nobody took, so the two can never both win.
   */
  claim(job: string, owner: string): Promise<boolean>;
}

/** Without Redis there are no runners: every automated step is refused as offline, with the reason. */
export const NO_RUNNERS: RunnerRegistry = {
  lastSeen: () => Promise.resolve(undefined),
  instanceSeen: () => Promise.resolve(undefined),
  // Nobody else can take an attempt here, so the bot's watch always may give it up.
  claim: () => Promise.resolve(true),
};

/** Checks a URL the way a step's `verify` says (adapters/runner/verify-http.ts): for steps done by hand, the bot checks. */
export interface HealthChecks {
  check(url: string, status: number, withinMs: number): Promise<RunVerification>;
}

/** The one id of an attempt: its job id in the runner's queue and its claim. No `:` (BullMQ). */
export const runJobId = (job: Pick<RunJob, 'release' | 'step' | 'attempt'>): string => `run-${job.release}-${job.step}-${job.attempt}`;
