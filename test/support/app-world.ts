/** The app on the embedded store with a clock tests move and timers tests fire: for use-case tests without I/O. */
import { afterEach } from 'vitest';
import { createApp } from '../../src/app/app.js';
import type { App, AppConfig, Request } from '../../src/app/app.js';
import { plainText } from '../../src/app/message.js';
import type { TimerRequest } from '../../src/app/ports.js';
import { DirectEffects } from '../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import { shortName } from '../../src/domain/principal.js';
import type { RunnerRegistry } from '../../src/app/runs.js';
import { RecordingChat } from './recording-chat.js';

export interface World {
  app: App;
  chat: RecordingChat;
  scheduler: InProcessScheduler;
  /** Moves the clock to `minutes` after T0. */
  at: (minutes: number) => void;
  now: () => Date;
  /** Fires the pending timer with this id, at the time it was set for. */
  fire: (id: string) => Promise<TimerRequest>;
  /** What was posted to `channel` (not whispered), as plain text, cards left out. */
  lines: (channel?: string) => string[];
}

/** A console user in channel C1. */
export const as = (name: string, channel = 'C1'): Request => ({ user: `console:${name}`, conversation: { channel }, platform: 'console' });

const schedulers: InProcessScheduler[] = [];
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

/**
 * `runners`, when given, is the runner registry (the port Redis fills in production), made with the world's clock so
 * presence is judged against it; tests then play the runner's part through `App.report` (the embedded relay has no
 * runner queues: the `run` effect fails, logged silently here).
 * @example const w = appWorld(Date.parse('2026-11-23T14:00:00Z'), { groups, runbooks: [book], timezone: 'UTC' })
 */
export const appWorld = (
  t0: number,
  config: AppConfig,
  zoneOf?: (principal: string) => string | undefined,
  runners?: (now: () => Date) => RunnerRegistry,
): World => {
  let now = t0;
  const clock = { now: () => new Date(now) };
  const chat = new RecordingChat();
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
  // The clock never reaches the timers by itself: tests fire them, at their time.
  const scheduler = new InProcessScheduler({ now: () => new Date(0) }, () => undefined);
  schedulers.push(scheduler);
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  let id = 0;
  const app = createApp({
    store: new MemoryEventStore((list) => effects.run(list)),
    chat,
    clock,
    ids: { next: () => `id-${(id += 1)}` },
    directory: { displayName: shortName, ...(zoneOf ? { zoneOf } : {}) },
    logger,
    config,
    ...(runners ? { runners: runners(clock.now) } : {}),
  });
  return {
    app,
    chat,
    scheduler,
    at: (minutes) => {
      now = t0 + minutes * 60_000;
    },
    now: () => new Date(now),
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
