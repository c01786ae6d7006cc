/**
 * The bot's side of automated steps: runner presence for the decisions, runners' reports turned into events, live
 * output into edits of one message, and the watch that fails an attempt nobody took or whose runner went silent.
 */
import type { DomainError } from '../domain/errors.js';
import type { RunnerPresence, RunSignal } from '../domain/release/decide.js';
import { decideRun, decideVerified } from '../domain/release/decide.js';
import type { Release } from '../domain/release/state.js';
import { currentRun } from '../domain/release/state.js';
import type { Clock, EventStore, Logger } from './ports.js';
import { cardKey } from './release-card.js';
import type { EffectExtras } from './release-effects.js';
import { runWatchPayload, runWatchTimerId } from './release-effects.js';
import type { SlotDecision } from './release-store.js';
import { runbookOfRelease } from './release-store.js';
import { liveOutputMessage, runLogName } from './run-messages.js';
import type { HealthChecks, RunnerRegistry, RunReport, RunTimings } from './runs.js';
import { DEFAULT_VERIFY_WITHIN_MS, runJobId } from './runs.js';

export interface ReleaseRunsDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly runners: RunnerRegistry;
  readonly timings: RunTimings;
  /** How the bot checks a step done by hand against its `verify`; without it such steps are not checked. */
  readonly checks?: HealthChecks;
  readonly findRelease: (id: string) => Promise<Release | undefined>;
  readonly execute: (runbook: string, decision: SlotDecision, extras?: EffectExtras) => Promise<DomainError | undefined>;
}

export interface ReleaseRuns {
  /** Presence of runner `runner` (a step's, as its release's environment names it), for `DecideContext.runners`. */
  presence(runner: string | undefined): Promise<Record<string, RunnerPresence>>;
  /** A runner's report; throws when it should be retried. */
  report(report: RunReport): Promise<void>;
  /** The watch over attempt `attempt` of a step fired. */
  watch(release: string, step: string, attempt: number): Promise<void>;
  /** Checks a step done by hand against its `verify` (taking up to its `within`) once it was marked done at `done`. */
  verify(runbook: string, release: string, step: string, done: string): Promise<void>;
}

export const createReleaseRuns = (deps: ReleaseRunsDeps): ReleaseRuns => {
  const { runners, timings, clock, logger } = deps;

  const signal = async (release: string, run: RunSignal, extras?: EffectExtras): Promise<void> => {
    const name = runbookOfRelease(release);
    if (name === undefined) return;
    const outcome = await deps.execute(name, (slot, now) => decideRun(slot, run, now), extras);
    if (outcome) logger.warn({ release, step: run.step, code: outcome.code }, outcome.message);
  };

  const online = async (name: string): Promise<RunnerPresence> => {
    const seen = await runners.lastSeen(name);
    if (!seen) return { online: false };
    return { online: clock.now().getTime() - seen.getTime() <= timings.offlineAfterMs, lastSeen: seen.toISOString() };
  };

  /** Only the live output message is edited; once the attempt has ended, a late report changes nothing. */
  const output = async (report: Extract<RunReport, { kind: 'output' }>): Promise<void> => {
    const release = await deps.findRelease(report.release);
    const step = release?.steps.find((candidate) => candidate.id === report.step);
    const run = step && currentRun(step);
    if (!release || !step || !run || run.attempt !== report.attempt || run.status !== 'running') return;
    await deps.store.publish([
      {
        kind: 'deliver',
        platform: release.platform,
        conversation: { channel: release.channel },
        thread: cardKey(release.id),
        message: liveOutputMessage(release, step, run, report.tail),
      },
    ]);
  };

  return {
    presence: async (runner) => {
      if (runner === undefined) return {};
      return { [runner]: await online(runner) };
    },

    report: async (report) => {
      const { release, step, attempt } = report;
      switch (report.kind) {
        case 'started':
          return signal(release, { type: 'run_started', release, step, attempt, runner: report.runner, instance: report.instance, host: report.host });
        case 'output':
          return output(report);
        case 'finished':
          return signal(
            release,
            {
              type: 'run_finished',
              release,
              step,
              attempt,
              exitCode: report.exitCode,
              signal: report.signal,
              timedOut: report.timedOut,
              durationMs: report.durationMs,
              tail: report.tail,
              ...(report.log === '' ? {} : { log: runLogName(release, step, attempt) }),
              ...(report.verify === undefined ? {} : { verify: report.verify }),
              ...(report.refused === undefined ? {} : { refused: report.refused }),
            },
            { runLog: report.log },
          );
      }
    },

    verify: async (name, id, stepId, done) => {
      const release = await deps.findRelease(id);
      const step = release?.steps.find((candidate) => candidate.id === stepId);
      if (!deps.checks || !step?.verify || step.status !== 'done' || step.doneAt !== done || step.verification) return;
      const verification = await deps.checks.check(step.verify.http, step.verify.status, step.verify.withinMs ?? DEFAULT_VERIFY_WITHIN_MS);
      const outcome = await deps.execute(name, (slot, now) => decideVerified(slot, { release: id, step: stepId, done, verification }, now));
      if (outcome) logger.warn({ release: id, step: stepId, code: outcome.code }, outcome.message);
    },

    watch: async (id, stepId, attempt) => {
      const release = await deps.findRelease(id);
      const step = release?.steps.find((candidate) => candidate.id === stepId);
      const run = step && currentRun(step);
      if (!release || !step?.run || !run || run.attempt !== attempt) return;
      const runner = step.run.runner;
      const now = clock.now();
      const again = async (): Promise<void> => {
        const at = new Date(now.getTime() + timings.heartbeatMs * 2).toISOString();
        await deps.store.publish([{ kind: 'schedule', timer: runWatchTimerId(id, stepId, attempt), at, payload: runWatchPayload(id, stepId, attempt) }]);
      };
      if (run.status === 'queued') {
        // The claim decides between a runner taking it right now and this watch giving it up: never both.
        if (await runners.claim(runJobId({ release: id, step: stepId, attempt }), 'planb-watch')) {
          const detail = `no runner ${runner} took it within ${Math.round(timings.pickupMs / 1000)}s of the approval, so it will not run. Start it again once runner ${runner} is up.`;
          return signal(id, { type: 'run_lost', release: id, step: stepId, attempt, outcome: 'not_started', detail });
        }
        return again();
      }
      if (run.status !== 'running' || run.instance === undefined) return;
      const seen = await runners.instanceSeen(runner, run.instance);
      if (seen && now.getTime() - seen.getTime() <= timings.offlineAfterMs) return again();
      const detail = `runner ${runner} (${run.host ?? run.instance}) stopped answering while it ran the command${seen ? `; last heard from ${Math.round((now.getTime() - seen.getTime()) / 1000)}s ago` : ''}.`;
      return signal(id, { type: 'run_lost', release: id, step: stepId, attempt, outcome: 'lost', detail });
    },
  };
};
