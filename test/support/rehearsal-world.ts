/**
 * The app on the embedded store for the rehearsal tests (issue 13): a runbook with staging and production built from
 * YAML through the runbook schema, a clock the test moves, timers firing into the app, and helpers that read events.
 */
import { afterEach, expect } from 'vitest';
import { ACTIONS } from '../../src/app/actions.js';
import type { ActionTarget } from '../../src/app/actions.js';
import { createApp } from '../../src/app/app.js';
import type { App } from '../../src/app/app.js';
import type { Logger } from '../../src/app/ports.js';
import type { HealthChecks, RunnerRegistry, RunTimings } from '../../src/app/runs.js';
import { DirectEffects } from '../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import type { StoredEvent } from '../../src/domain/event.js';
import { shortName } from '../../src/domain/principal.js';
import type { ReleaseEvent } from '../../src/domain/release/events.js';
import type { Release } from '../../src/domain/release/state.js';
import { fold } from '../../src/domain/release/state.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { formatIssue, parseRunbookText } from '../../src/domain/runbook-yaml.js';
import { RecordingChat } from './recording-chat.js';

const T0 = Date.parse('2026-11-02T09:00:00.000Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;

/** alice and carol drive, bob and carol confirm, dave is neither. */
const groups = { 'release-managers': ['console:alice', 'console:carol'], sre: ['console:bob', 'console:carol'] };

/**
 * The runbook under test, from YAML through the runbook schema: staging and production (its `policy` given), two steps
 * with rollbacks, the second a point of no return; `preflight` adds items, `stagingRunners` maps runners on staging.
 */
export const apiDeploy = (options: { readonly policy?: string; readonly preflight?: string; readonly stagingRunners?: string } = {}): Runbook => {
  const text = `
name: api-deploy
title: API release
drivers: [group:release-managers]
confirmers: [group:sre]
params:
  version: { pattern: '^\\d+\\.\\d+\\.\\d+$', description: Version to deploy }
${options.preflight ?? ''}
environments:
  staging:
    channel: C0STAGING
    runners: ${options.stagingRunners ?? '{}'}
  production:
    channel: C0PROD
    allow_drills: false
    policy: ${options.policy ?? '{}'}
steps:
  - id: drain
    title: Drain traffic from the blue pool
    expect: 2m
    rollback: { title: Put the blue pool back, expect: 1m }
  - id: migrate
    title: Run the {{version}} migrations
    expect: 10m
    irreversible: true
    rollback: { title: Restore the database from the backup, expect: 2h }
`;
  const parsed = parseRunbookText(text, 'api-deploy.yaml');
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
  return parsed.value;
};

/** A runbook that runs in one place. */
const plainDeploy: Runbook = (() => {
  const parsed = parseRunbookText('name: plain-deploy\ntitle: Plain release\ndrivers: [group:release-managers]\nconfirmers: [group:sre]\nsteps: [{ id: go, title: Go }]\n', 'plain-deploy.yaml');
  if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
  return parsed.value;
})();

const schedulers: InProcessScheduler[] = [];
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

export interface World {
  readonly app: App;
  readonly scheduler: InProcessScheduler;
  readonly logged: unknown[];
  /** Moves the clock forward. */
  readonly later: (ms: number) => void;
  readonly now: () => Date;
  /** Types a command as console user `name` (in `channel`); resolves with what was whispered back to them. */
  readonly say: (name: string, text: string, channel?: string) => Promise<string[]>;
  /** Presses a button as `name`; resolves with what was whispered back. */
  readonly press: (name: string, action: string, target: ActionTarget) => Promise<string[]>;
  readonly events: () => Promise<StoredEvent[]>;
  readonly release: (id: string) => Promise<Release>;
  /** Fires the pending timer with this id at the time it was set for (the clock moves there), as the scheduler would. */
  readonly fire: (id: string) => Promise<void>;
}

export interface Extras {
  readonly checks?: HealthChecks;
  readonly runners?: RunnerRegistry;
  readonly runs?: RunTimings;
}

/** The app on the embedded store, with a clock the test moves and timers firing into the app; `extras` as given. */
export const world = (book: Runbook, extras: Extras = {}): World => {
  let now = T0;
  const clock = { now: () => new Date(now) };
  const chat = new RecordingChat();
  const logged: unknown[] = [];
  const logger: Logger = { error: (context) => logged.push(context), warn: () => undefined, info: () => undefined };
  const scheduler = new InProcessScheduler(clock, (error) => logged.push(error));
  schedulers.push(scheduler);
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  const store = new MemoryEventStore((list) => effects.run(list));
  let id = 0;
  const app = createApp({
    store,
    chat,
    clock,
    ids: { next: () => `id-${String((id += 1)).padStart(8, '0')}` },
    directory: { displayName: shortName },
    logger,
    config: { groups, runbooks: [book, plainDeploy], timezone: 'UTC', ...(extras.runs ? { runs: extras.runs } : {}) },
    ...(extras.checks ? { checks: extras.checks } : {}),
    ...(extras.runners ? { runners: extras.runners } : {}),
  });
  // As the console wires it: a timer due now fires at once, into the app.
  scheduler.onFire((timer) => app.timer(timer.payload));
  const whispered = async (name: string, act: () => Promise<void>): Promise<string[]> => {
    const before = chat.whispersTo(`console:${name}`).length;
    await act();
    return chat.whispersTo(`console:${name}`).slice(before);
  };
  const events = async (): Promise<StoredEvent[]> => [...(await store.read(`runbook/${book.name}`)).events];
  return {
    app,
    scheduler,
    logged,
    later: (ms) => {
      now += ms;
    },
    now: () => new Date(now),
    say: (name, text, channel = 'C1') => whispered(name, () => app.command({ user: `console:${name}`, conversation: { channel }, platform: 'console' }, text)),
    press: (name, action, target) => whispered(name, () => app.action({ user: `console:${name}`, conversation: { channel: 'C1' }, platform: 'console' }, action, JSON.stringify(target))),
    events,
    release: async (releaseId) => {
      const found = fold(book.name, (await events()) as unknown as ReleaseEvent[]).releases.find((candidate) => candidate.id === releaseId);
      if (!found) throw new Error(`no release ${releaseId}`);
      return found;
    },
    fire: async (timerId) => {
      const timer = scheduler.pending().find((pending) => pending.id === timerId);
      if (!timer) throw new Error(`no timer ${timerId}; pending: ${scheduler.pending().map((pending) => pending.id).join(', ')}`);
      now = Math.max(now, timer.at.getTime());
      await scheduler.cancel(timer.id);
      await app.timer(timer.payload);
    },
  };
};

/** Resolves what was whispered back, which must be nothing: the command went through. */
export const ok = async (replies: Promise<string[]>): Promise<void> => {
  expect(await replies).toEqual([]);
};

export const ofType = (events: readonly StoredEvent[], type: string): StoredEvent[] => events.filter((event) => event.type === type);

export const dataOf = (events: readonly StoredEvent[], type: string): Record<string, unknown> => {
  const found = events.findLast((event) => event.type === type);
  if (!found) throw new Error(`no ${type} among ${events.map((event) => event.type).join(', ')}`);
  return found.data as Record<string, unknown>;
};

/**
 * Has `confirmer` accept release `id`, then runs every step as the pair: acknowledgements of a point of no return,
 * Start, `took[step]` (1 minute by default) later Done, then Confirm. Every press must go through.
 */
export const runThrough = async (w: World, id: string, driver: string, confirmer: string, took: Readonly<Record<string, number>> = {}): Promise<void> => {
  await ok(w.press(confirmer, ACTIONS.accept, { release: id }));
  for (const step of (await w.release(id)).steps) {
    const target = { release: id, step: step.id };
    if (step.irreversible) {
      await ok(w.press(driver, ACTIONS.acknowledge, target));
      await ok(w.press(confirmer, ACTIONS.acknowledge, target));
    }
    await ok(w.press(driver, ACTIONS.startStep, target));
    w.later(took[step.id] ?? MINUTE);
    await ok(w.press(driver, ACTIONS.doneStep, target));
    await ok(w.press(confirmer, ACTIONS.confirmStep, target));
  }
  expect((await w.release(id)).status).toBe('completed');
};

/** `read` again until `check` holds of it: for what the app's timers record in their own time. */
export const eventually = async <T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 8_000): Promise<T> => {
  for (const deadline = Date.now() + ms; ; ) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last seen: ${JSON.stringify(value)}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
};
