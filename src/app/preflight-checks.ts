/**
 * Machine-checked preflight items on the bot's side: an HTTP check made by the bot, a command handed to a runner,
 * their results turned into events, and the watch that fails a check no runner took or whose runner went silent.
 */
import type { PreflightCheckResult, ReleaseEvent } from '../domain/release/events.js';
import type { PreflightCheckReport } from '../domain/release/preflight.js';
import { checkInFlight, decidePreflightCheck } from '../domain/release/preflight.js';
import { runOutcome } from '../domain/release/decide.js';
import type { Release } from '../domain/release/state.js';
import { currentCheck, isActive } from '../domain/release/state.js';
import { preflightOfRun, preflightRunId } from '../domain/runner-plan.js';
import type { StoredEvent } from '../domain/event.js';
import type { Effect } from './effects.js';
import type { ReleaseRunsDeps } from './release-runs.js';
import { runbookOfRelease } from './release-store.js';
import type { RunReport, RunTimings } from './runs.js';
import { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_VERIFY_WITHIN_MS, runJobId } from './runs.js';

/** The payload of the timer that makes a preflight item's HTTP check (due at once: durable through the outbox). */
export const PREFLIGHT_CHECK = 'release.preflight_check';

/**
 * The payload of the timer that watches a preflight item's command: taken in time (`pickup`), then, while it runs
 * (`running`), its runner still reporting in and the command not past its deadline.
 */
export const PREFLIGHT_WATCH = 'release.preflight_watch';

const checkTimerId = (release: string, item: string, attempt: number): string => `release-${release}-preflight-${item}-${attempt}`;

const watchTimerId = (release: string, item: string, attempt: number): string => `release-${release}-preflight-${item}-${attempt}-watch`;

const watch = (release: string, item: string, attempt: number, at: string, phase: 'pickup' | 'running'): Effect => ({
  kind: 'schedule',
  timer: watchTimerId(release, item, attempt),
  at,
  payload: { kind: PREFLIGHT_WATCH, release, item, attempt: String(attempt), phase },
});

/** What a check starting makes happen (the bot's HTTP check, or the runner's job and its watch); a result ends the watch. */
export const preflightEffects = (release: Release, event: StoredEvent & ReleaseEvent, timings: RunTimings): Effect[] => {
  switch (event.type) {
    case 'release.preflight_check_started': {
      const { item, attempt, runner, argv } = event.data;
      if (runner === undefined || argv === undefined) {
        return [{ kind: 'schedule', timer: checkTimerId(release.id, item, attempt), at: event.at, payload: { kind: PREFLIGHT_CHECK, release: release.id, item, attempt: String(attempt) } }];
      }
      const startBy = new Date(Date.parse(event.at) + timings.pickupMs).toISOString();
      const job = {
        release: release.id,
        runbook: release.runbook,
        step: preflightRunId(item),
        attempt,
        params: release.params,
        argv,
        startBy,
        ...(release.environment === undefined ? {} : { environment: release.environment }),
      };
      return [{ kind: 'run', runner, job }, watch(release.id, item, attempt, startBy, 'pickup')];
    }
    case 'release.preflight_checked':
    case 'release.preflight_check_failed':
      return event.data.attempt === undefined ? [] : [{ kind: 'cancel', timer: watchTimerId(release.id, event.data.item, event.data.attempt) }];
    default:
      return [];
  }
};

/** The same as the bot's side of automated steps: a preflight command is handed to the same runners. */
export type PreflightChecksDeps = ReleaseRunsDeps;

export interface PreflightChecks {
  /** The timer of an HTTP check fired: check, and record the result. */
  http(release: string, item: string, attempt: number): Promise<void>;
  /** A runner's report on a preflight command; false when the report is about a step. */
  report(report: RunReport): Promise<boolean>;
  /** The watch over a preflight command fired. */
  watch(release: string, item: string, attempt: number, phase: string): Promise<void>;
}

export const createPreflightChecks = (deps: PreflightChecksDeps): PreflightChecks => {
  const { clock, logger, runners, timings } = deps;

  const record = async (report: PreflightCheckReport): Promise<void> => {
    const name = runbookOfRelease(report.release);
    if (name === undefined) return;
    const outcome = await deps.execute(name, (slot, now) => decidePreflightCheck(slot, report, now));
    if (outcome) logger.warn({ release: report.release, item: report.item, code: outcome.code }, outcome.message);
  };

  const failed = (runner: string, outcome: 'lost' | 'not_started', detail: string): PreflightCheckResult => ({ ok: false, run: { runner, outcome, tail: [], detail } });

  return {
    http: async (id, itemId, attempt) => {
      const item = checkInFlight(await deps.findRelease(id), itemId, attempt);
      if (!item?.verify) return;
      const { http, status, withinMs } = item.verify;
      const verification = deps.checks
        ? await deps.checks.check(http, status, withinMs ?? DEFAULT_VERIFY_WITHIN_MS)
        : { url: http, expected: status, ok: false, error: 'this bot makes no HTTP checks here', attempts: 0, durationMs: 0 };
      await record({ release: id, item: itemId, attempt, result: { ok: verification.ok, verification } });
    },

    report: async (report) => {
      const itemId = preflightOfRun(report.step);
      if (itemId === undefined) return false;
      // Live output and the start are for steps' messages; a preflight command's evidence is its end.
      if (report.kind !== 'finished') return true;
      const outcome = runOutcome({ type: 'run_finished', ...report });
      const run = {
        runner: report.runner,
        outcome,
        exitCode: report.exitCode,
        signal: report.signal,
        durationMs: report.durationMs,
        tail: report.tail,
        ...(report.refused === undefined ? {} : { detail: report.refused }),
      };
      await record({ release: report.release, item: itemId, attempt: report.attempt, result: { ok: outcome === 'succeeded', run } });
      return true;
    },

    watch: async (id, itemId, attempt, phase) => {
      const release = await deps.findRelease(id);
      const item = checkInFlight(release, itemId, attempt);
      const check = item && currentCheck(item);
      if (!release || !item?.run || !check) return;
      const { runner } = item.run;
      // The claim decides between a runner taking it right now and this watch giving it up: never both.
      if (phase === 'pickup' && (await runners.claim(runJobId({ release: id, step: preflightRunId(itemId), attempt }), 'planb-watch'))) {
        const detail = `no runner ${runner} took it within ${Math.round(timings.pickupMs / 1000)}s, so it will not run. Check it again once runner ${runner} is up.`;
        return record({ release: id, item: itemId, attempt, result: failed(runner, 'not_started', detail) });
      }
      // A release that ended (aborted while its check ran) has no use for the result: nothing more to watch.
      if (!isActive(release)) return;
      // Taken: the runner reports when the command ends, by its timeout at the latest. Until then the runner must keep
      // reporting in: one killed mid-command never reports, and its check would hold the preflight ("being checked
      // now") until the deadline, which is 15 minutes by default. Preflight reports carry no instance into the
      // release, so this is any instance of the runner; one dying while another lives is given up at the deadline.
      const now = clock.now().getTime();
      const deadline = Date.parse(check.startedAt) + timings.pickupMs + (item.run.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS) + timings.offlineAfterMs * 2;
      if (now >= deadline) {
        const detail = `runner ${runner} took the command but never reported how it ended, even after its timeout.`;
        return record({ release: id, item: itemId, attempt, result: failed(runner, 'lost', detail) });
      }
      const seen = await runners.lastSeen(runner);
      if (!seen || now - seen.getTime() > timings.offlineAfterMs) {
        const heard = seen ? `; last heard from ${Math.round((now - seen.getTime()) / 1000)}s ago` : '';
        const detail = `runner ${runner} stopped answering while it ran the command${heard}. Check it again once runner ${runner} is up.`;
        return record({ release: id, item: itemId, attempt, result: failed(runner, 'lost', detail) });
      }
      return deps.store.publish([watch(id, itemId, attempt, new Date(Math.min(now + timings.heartbeatMs * 2, deadline)).toISOString(), 'running')]);
    },
  };
};
