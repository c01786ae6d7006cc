/**
 * appWorld with runners: the same app on the embedded store, given a runner registry (the port Redis fills in
 * production), so tests can start automated steps and play the runner's part through `App.report`.
 */
import { afterEach } from 'vitest';
import { createApp } from '../../src/app/app.js';
import type { AppConfig } from '../../src/app/app.js';
import { plainText } from '../../src/app/message.js';
import type { RunnerRegistry } from '../../src/app/runs.js';
import { DirectEffects } from '../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import { shortName } from '../../src/domain/principal.js';
import type { World } from './app-world.js';
import { RecordingChat } from './recording-chat.js';

const schedulers: InProcessScheduler[] = [];
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

/**
 * @example const w = runnerWorld(T0, config, (now) => ({ lastSeen: () => Promise.resolve(now()), … }))
 * `runners` gets the world's clock: presence is judged against it.
 */
export const runnerWorld = (t0: number, config: AppConfig, runners: (now: () => Date) => RunnerRegistry): World => {
  let now = t0;
  const clock = { now: () => new Date(now) };
  const chat = new RecordingChat();
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
  // The clock never reaches the timers by itself: tests fire them, at their time.
  const scheduler = new InProcessScheduler({ now: () => new Date(0) }, () => undefined);
  schedulers.push(scheduler);
  // The embedded relay has no runner queues: the `run` effect fails, logged (silently here); the test reports instead.
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  let id = 0;
  const app = createApp({
    store: new MemoryEventStore((list) => effects.run(list)),
    chat,
    clock,
    ids: { next: () => `id-${(id += 1)}` },
    directory: { displayName: shortName },
    logger,
    config,
    runners: runners(clock.now),
  });
  return {
    app,
    chat,
    scheduler,
    at: (minutes) => {
      now = t0 + minutes * 60_000;
    },
    now: clock.now,
    fire: async (timerId) => {
      const timer = scheduler.pending().find((pending) => pending.id === timerId);
      if (!timer) throw new Error(`no timer ${timerId}; pending: ${scheduler.pending().map((pending) => pending.id).join(', ')}`);
      now = timer.at.getTime();
      await scheduler.cancel(timer.id);
      await app.timer(timer.payload);
      return timer;
    },
    lines: (channel = 'C1') =>
      chat.posted.filter((post) => post.kind === 'publish' && post.conversation.channel === channel && !post.message.key.endsWith('/card') && !post.message.key.endsWith('/announcement')).map((post) => plainText(post.message.text.join(' '))),
  };
};
