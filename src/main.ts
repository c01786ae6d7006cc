/** Composition root: picks the adapters the Config asks for and starts them. */
import type { Readable } from 'node:stream';
import { createApp } from './app/app.js';
import type { App } from './app/app.js';
import type { Chat, Directory, Logger } from './app/ports.js';
import type { IncidentQueries } from './app/incident-queries.js';
import type { ReleaseQueries } from './app/release-queries.js';
import type { WindowQueries } from './app/window-queries.js';
import { isOpen } from './domain/incident/state.js';
import { isOpenWindow } from './domain/window/state.js';
import { createMetrics } from './adapters/metrics.js';
import { ACTIVE_STATUSES } from './domain/release/state.js';
import { createIncidentQueries } from './app/incident-queries.js';
import { createReleaseQueries } from './app/release-queries.js';
import { windowsCalendar } from './app/calendar.js';
import { statusDocuments } from './app/status-page.js';
import { createPostmortems } from './app/postmortems.js';
import { createWindowQueries } from './app/window-queries.js';
import type { Config } from './config.js';
import { ConsoleChat } from './adapters/console/console-chat.js';
import { runConsole } from './adapters/console/console.js';
import { startHttpServer } from './adapters/http/http-server.js';
import { LearnedDirectory } from './adapters/learned-directory.js';
import { createSlackAdapter } from './adapters/slack/slack-app.js';
import { createLogger } from './adapters/logger.js';
import { randomIds, systemClock } from './adapters/memory/system.js';
import { shortName } from './domain/principal.js';
import { verifyHttp } from './adapters/runner/verify-http.js';
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

const appOn = (config: Config, runtime: Runtime, chats: ReadonlyMap<string, Chat>, logger: Logger, directory: Directory = { displayName: shortName }): App =>
  createApp({
    store: runtime.store,
    chat: replyRouter(chats, logger),
    clock: systemClock,
    ids: randomIds,
    directory,
    logger,
    runners: runtime.runners,
    checks: { check: (url, status, withinMs) => verifyHttp({ url, status, withinMs }) },
    config: {
      groups: config.groups,
      runbooks: config.runbooks,
      timezone: config.timezone,
      incidents: config.incidents,
      maintenance: config.maintenance,
      freezes: config.freezes,
      runs: config.runs,
    },
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

/** A value that exists once start-up has made it: the adapters are built before the app they call. */
const later = <T>(what: string): { set: (value: T) => void; get: () => T } => {
  let value: T | undefined;
  return {
    set: (next) => {
      value = next;
    },
    get: () => {
      if (value === undefined) throw new Error(`${what} is not started yet`);
      return value;
    },
  };
};

/** `planb serve`: health, readiness and the JSON API over HTTP, the chat platforms, the timer and delivery workers. */
export const startServer = async (config: Config): Promise<{ url: string; stop: () => Promise<void> }> => {
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  const directory = new LearnedDirectory();
  const app = later<App>('the app');
  const runtime = later<Runtime>('the store');
  const slack = config.slack && createSlackAdapter({ options: config.slack, app: app.get, directory, accept: (request) => runtime.get().accept(request), logger });
  // Loaded only when Teams is configured: botbuilder alone holds about 20 MB of resident memory.
  const teams =
    config.teams &&
    (await import('./adapters/teams/teams-app.js')).createTeamsAdapter({
      options: config.teams,
      app: app.get,
      directory,
      records: () => runtime.get().records,
      firstTime: (key) => runtime.get().firstTime(key),
      logger,
      zone: config.timezone,
    });
  const chats = new Map<string, Chat>([...(slack ? [['slack', slack.chat] as const] : []), ...(teams ? [['teams', teams.chat] as const] : [])]);
  const queries = later<{ releases: ReleaseQueries; incidents: IncidentQueries; windows: WindowQueries }>('the queries');
  // What is not over yet, read when Prometheus scrapes, through the same queries as the API.
  const active = async (): Promise<{ releases: number; incidents: number; windows: number }> => {
    const { releases, incidents, windows } = queries.get();
    const [r, i, w] = await Promise.all([releases.list(), incidents.list(), windows.list()]);
    return { releases: r.filter((release) => ACTIVE_STATUSES.includes(release.status)).length, incidents: i.filter(isOpen).length, windows: w.filter(isOpenWindow).length };
  };
  const metrics = createMetrics({ active, queues: () => runtime.get().queueDepths() });
  runtime.set(await openRuntime(config, logger, chats, metrics));
  app.set(appOn(config, runtime.get(), chats, logger, directory));
  await runtime.get().start(app.get(), new Map(slack ? [['slack', slack.handle]] : []));
  const releases = createReleaseQueries(runtime.get().store, () => config.runbooks.map((runbook) => runbook.name));
  const windows = createWindowQueries(runtime.get().store);
  const incidents = createIncidentQueries(runtime.get().store);
  queries.set({ releases, incidents, windows });
  const postmortems = createPostmortems(runtime.get().store, () => config.runbooks.map((runbook) => runbook.name), { zone: config.timezone, name: (principal) => directory.displayName(principal) });
  const calendar =
    config.calendarToken === undefined
      ? undefined
      : { token: config.calendarToken, read: async () => windowsCalendar(await windows.all(), { name: 'Plan B maintenance', now: systemClock.now(), zone: config.timezone }) };
  const statusPage = config.statusPage;
  const status =
    statusPage &&
    statusDocuments(
      { incidents: () => incidents.all(), windows: () => windows.all() },
      { title: statusPage.title, historyDays: statusPage.historyDays, zone: config.timezone, ...(statusPage.showNames ? { names: (principal: string) => directory.displayName(principal) } : {}) },
    );
  const server = await startHttpServer({
    port: config.port,
    ready: () => runtime.get().ready(),
    logger,
    routes: new Map([...(slack?.routes ?? []), ...(teams?.routes ?? [])]),
    metrics,
    ...(config.apiToken === undefined ? {} : { api: { token: config.apiToken, releases, incidents, windows, postmortem: (id: string) => postmortems.draft(id) } }),
    ...(calendar ? { calendar } : {}),
    ...(status ? { status: { ...(statusPage?.url === undefined ? {} : { url: statusPage.url }), read: (document, baseUrl) => status(document, { now: systemClock.now(), baseUrl }) } } : {}),
  });
  await slack?.start();
  logger.info({ url: server.url, store: runtime.get().kind, api: config.apiToken !== undefined, calendar: calendar !== undefined, status: status !== undefined, platforms: [...chats.keys()] }, 'planb serve is listening');
  return {
    url: server.url,
    stop: async () => {
      await slack?.stop();
      await server.close();
      await runtime.get().close();
    },
  };
};
