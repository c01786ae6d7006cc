/** Composition root: picks the adapters the Config asks for and starts them. */
import type { Readable } from 'node:stream';
import { createApp } from './app/app.js';
import type { Config } from './config.js';
import { ConsoleChat } from './adapters/console/console-chat.js';
import { runConsole } from './adapters/console/console.js';
import { createLogger } from './adapters/logger.js';
import { DirectEffects } from './adapters/memory/direct-effects.js';
import { InProcessScheduler } from './adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from './adapters/memory/memory-event-store.js';
import { randomIds, systemClock } from './adapters/memory/system.js';
import { shortName } from './domain/principal.js';

export interface ConsoleIo {
  readonly input: Readable;
  readonly write: (text: string) => void;
  readonly prompt: (text: string) => void;
  readonly interactive: boolean;
}

/** The console on the embedded store: what `npm start` opens when no chat platform is configured. */
export const startConsole = async (config: Config, io: ConsoleIo): Promise<void> => {
  // The terminal is the chat here: info lines on stderr would interleave with it, so the default is warn.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const chat = new ConsoleChat(io.write);
  const scheduler = new InProcessScheduler(systemClock, (error, timer) => logger.error({ err: error, timer: timer.id }, 'timer failed'));
  const effects = new DirectEffects(chat, scheduler, logger);
  const app = createApp({
    store: new MemoryEventStore((list) => effects.run(list)),
    chat,
    clock: systemClock,
    ids: randomIds,
    directory: { displayName: shortName },
    logger,
    config: { groups: config.groups, runbooks: config.runbooks, timezone: config.timezone },
  });
  scheduler.onFire((timer) => app.timer(timer.payload));
  await runConsole({
    input: io.input,
    write: io.write,
    prompt: io.prompt,
    app,
    chat,
    user: config.consoleUser,
    interactive: io.interactive,
    ...(config.usingExample ? { notice: `(No planb.yaml here: using the example config ${config.configFile}; set PLANB_CONFIG to use yours.)` } : {}),
  });
  // The embedded store dies with the process, and its timers with it.
  scheduler.stop();
};
