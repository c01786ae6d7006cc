/** Composition root: picks the adapters the Config asks for and starts them. */
import type { Readable } from 'node:stream';
import { createApp } from './app/app.js';
import type { App } from './app/app.js';
import type { Chat, Logger } from './app/ports.js';
import { createReleaseQueries } from './app/release-queries.js';
import type { Config } from './config.js';
import { ConsoleChat } from './adapters/console/console-chat.js';
import { runConsole } from './adapters/console/console.js';
import { startHttpServer } from './adapters/http/http-server.js';
import { createLogger } from './adapters/logger.js';
import { randomIds, systemClock } from './adapters/memory/system.js';
import { shortName } from './domain/principal.js';
import type { Runtime } from './runtime.js';
import { openRuntime, replyRouter } from './runtime.js';

export interface ConsoleIo {
  readonly input: Readable;
  readonly write: (text: string) => void;
  readonly prompt: (text: string) => void;
  readonly interactive: boolean;
}

/** How long a console reading a script waits, at its end, for its last messages to be delivered. */
const SETTLE_MS = 10_000;
/** …and after each command: long enough for a healthy Redis, short enough that a stuck worker never hangs the prompt. */
const COMMAND_SETTLE_MS = 2_000;

const appOn = (config: Config, runtime: Runtime, chats: ReadonlyMap<string, Chat>, logger: Logger): App =>
  createApp({
    store: runtime.store,
    chat: replyRouter(chats, logger),
    clock: systemClock,
    ids: randomIds,
    directory: { displayName: shortName },
    logger,
    config: { groups: config.groups, runbooks: config.runbooks, timezone: config.timezone },
  });

/** The console: what `npm start` opens when no chat platform is configured; on Redis when REDIS_URL is set. */
export const startConsole = async (config: Config, io: ConsoleIo): Promise<void> => {
  // The terminal is the chat here: info lines on stderr would interleave with it, so the default is warn.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  const chat = new ConsoleChat(io.write);
  const chats = new Map([['console', chat]]);
  const runtime = await openRuntime(config, logger, chats);
  const app = appOn(config, runtime, chats, logger);
  await runtime.start(app);
  const notices = [
    ...(config.usingExample ? [`(No planb.yaml here: using the example config ${config.configFile}; set PLANB_CONFIG to use yours.)`] : []),
    ...(runtime.kind === 'redis' ? ['(On Redis: releases and timers outlive this console; /release list shows what is running.)'] : []),
  ];
  await runConsole({
    input: io.input,
    write: io.write,
    prompt: io.prompt,
    app,
    chat,
    user: config.consoleUser,
    interactive: io.interactive,
    settle: () => runtime.settle('console', COMMAND_SETTLE_MS),
    ...(notices.length > 0 ? { notice: notices.join('\n') } : {}),
  });
  await runtime.settle('console', SETTLE_MS);
  await runtime.close();
};

/** `planb serve`: health, readiness and the JSON API over HTTP, plus the timer and delivery workers. */
export const startServer = async (config: Config): Promise<{ url: string; stop: () => Promise<void> }> => {
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  // The chat platforms (issues 4 and 8) plug in here: their chats, and their routes on the same server.
  const chats = new Map<string, Chat>();
  const runtime = await openRuntime(config, logger, chats);
  const app = appOn(config, runtime, chats, logger);
  await runtime.start(app);
  const releases = createReleaseQueries(runtime.store, () => config.runbooks.map((runbook) => runbook.name));
  const server = await startHttpServer({
    port: config.port,
    ready: () => runtime.ready(),
    logger,
    ...(config.apiToken === undefined ? {} : { api: { token: config.apiToken, releases } }),
  });
  logger.info({ url: server.url, store: runtime.kind, api: config.apiToken !== undefined }, 'planb serve is listening');
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      await runtime.close();
    },
  };
};
