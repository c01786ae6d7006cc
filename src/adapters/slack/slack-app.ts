/**
 * Slack for `planb serve`: a Bolt app whose receiver is mounted on our HTTP server (or a Socket Mode
 * connection), turning slash commands and button presses into the app's commands and actions.
 */
import { App as BoltApp, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { AuthorizeResult, Logger as BoltLogger } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { App, Request } from '../../app/app.js';
import type { Logger } from '../../app/ports.js';
import type { LearnedDirectory } from '../learned-directory.js';
import type { Route } from '../http/http-server.js';
import { baseActionId } from './block-kit.js';
import { FORM_CALLBACK_ID, formMetadata, formValues } from './modals.js';
import { SlackChat } from './slack-chat.js';
import { SLACK_EVENTS_PATH, SLASH_COMMANDS } from './slack-surface.js';

export interface SlackOptions {
  readonly botToken: string;
  readonly signingSecret?: string;
  readonly appToken?: string;
  readonly apiUrl?: string;
}

export interface SlackAdapterDeps {
  readonly options: SlackOptions;
  /** The app, once it exists (it needs the adapter's chat first). */
  readonly app: () => App;
  readonly directory: LearnedDirectory;
  /** True the first time a key is seen (across replicas): Slack's retries and repeated deliveries count once. */
  readonly firstTime: (key: string) => Promise<boolean>;
  readonly logger: Logger;
}

export interface SlackAdapter {
  readonly chat: SlackChat;
  /** HTTP mode: the listener to mount at SLACK_EVENTS_PATH. Socket Mode: none. */
  readonly routes: ReadonlyMap<string, Route>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Deliveries already retry in BullMQ: the client must not wait out Retry-After itself or retry for half an hour,
 * so one slow channel never blocks a worker and retries never stack.
 */
const clientOptions = (apiUrl: string | undefined): WebClientOptions => ({
  rejectRateLimitedCalls: true,
  retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 200 },
  timeout: 10_000,
  ...(apiUrl === undefined ? {} : { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` }),
});

/** Bolt's log lines through ours, at warn and above: its debug output would include request bodies. */
const boltLogger = (logger: Logger): BoltLogger => ({
  debug: () => undefined,
  info: () => undefined,
  warn: (...messages: unknown[]) => logger.warn({ source: 'bolt' }, messages.map(String).join(' ')),
  error: (...messages: unknown[]) => logger.error({ source: 'bolt' }, messages.map(String).join(' ')),
  setLevel: () => undefined,
  getLevel: () => LogLevel.WARN,
  setName: () => undefined,
});

/** `<@U123|bob>` in command text: the people a command names, to learn their names before it runs. */
const mentioned = (text: string): { id: string; name?: string }[] =>
  [...text.matchAll(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g)].map((match) => ({ id: match[1] ?? '', ...(match[2] ? { name: match[2] } : {}) }));

/**
 * Who the bot is, from one auth.test, remembered once it succeeds. Bolt's own (`token:`) calls auth.test in its
 * constructor and keeps the promise even when it fails: Slack unreachable for a moment at start would end the process
 * (an unhandled rejection), or leave every later request unauthorised. Here a failure is forgotten: the next request
 * asks again, and Slack retries the request meanwhile.
 */
const botAuthorization = (client: WebClient, botToken: string): (() => Promise<AuthorizeResult>) => {
  let known: Promise<AuthorizeResult> | undefined;
  return async () => {
    known ??= client.auth.test({ token: botToken }).then((who) => ({
      botToken,
      ...(who.bot_id ? { botId: who.bot_id } : {}),
      ...(who.user_id ? { botUserId: who.user_id } : {}),
      ...(who.team_id ? { teamId: who.team_id } : {}),
    }));
    try {
      return await known;
    } catch (error) {
      known = undefined;
      throw error;
    }
  };
};

export const createSlackAdapter = (deps: SlackAdapterDeps): SlackAdapter => {
  const { options, directory, logger } = deps;
  const client = new WebClient(options.botToken, { ...clientOptions(options.apiUrl), logLevel: LogLevel.WARN });
  const chat = new SlackChat(client, logger);
  const log = boltLogger(logger);
  const socketMode = options.appToken !== undefined;
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: options.appToken ?? '',
        logger: log,
        // Only where Slack is: the socket client must keep its own generous retries, since a failed
        // apps.connections.open while it reconnects is not caught inside it and would end the process.
        installerOptions: { clientOptions: options.apiUrl === undefined ? {} : { slackApiUrl: clientOptions(options.apiUrl).slackApiUrl } },
      })
    : new HTTPReceiver({ signingSecret: options.signingSecret ?? '', endpoints: SLACK_EVENTS_PATH, logger: log, processBeforeResponse: false });
  const bolt = new BoltApp({ authorize: botAuthorization(client, options.botToken), receiver, logger: log, clientOptions: clientOptions(options.apiUrl) });

  /** Names (and zones) for the people a request involves, from users.info once per person, else from the payload. */
  const learn = async (people: readonly { id: string; name?: string }[]): Promise<void> => {
    for (const person of people) {
      const principal = `slack:${person.id}`;
      if (directory.knows(principal)) continue;
      try {
        const info = await client.users.info({ user: person.id });
        directory.learn(principal, info.user?.profile?.display_name || info.user?.real_name || info.user?.name || person.name);
        directory.learnZone(principal, info.user?.tz);
      } catch {
        directory.learn(principal, person.name);
      }
    }
  };

  const commands = new RegExp(`^(${SLASH_COMMANDS.map((entry) => entry.command.replace('/', '\\/')).join('|')})$`);
  bolt.command(commands, async ({ command, ack }) => {
    await ack();
    // A retry (X-Slack-Retry-Num) or a repeated delivery of the same invocation runs it once.
    if (!(await deps.firstTime(`slack-command-${command.trigger_id}`))) return;
    await learn([{ id: command.user_id, name: command.user_name }, ...mentioned(command.text)]);
    const request: Request = {
      user: `slack:${command.user_id}`,
      platform: 'slack',
      conversation: { channel: command.channel_id, replyUrl: command.response_url, trigger: command.trigger_id },
    };
    await deps.app().command(request, `${command.command} ${command.text}`);
  });

  bolt.action(/.*/, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    if (!(await deps.firstTime(`slack-action-${body.trigger_id}-${action.action_ts}`))) return;
    await learn([{ id: body.user.id, ...(body.user.name ? { name: body.user.name } : {}) }]);
    // The container is typed loosely by Bolt; a message's channel is in `channel`, else in the container.
    const container: unknown = body.container;
    const fromContainer = typeof container === 'object' && container !== null && 'channel_id' in container ? container.channel_id : undefined;
    const channel = body.channel?.id ?? fromContainer;
    if (typeof channel !== 'string') return;
    const request: Request = {
      user: `slack:${body.user.id}`,
      platform: 'slack',
      conversation: { channel, trigger: body.trigger_id, ...(body.response_url ? { replyUrl: body.response_url } : {}) },
    };
    await deps.app().action(request, baseActionId(action.action_id), action.value ?? '');
  });

  bolt.view(FORM_CALLBACK_ID, async ({ ack, body, view }) => {
    const metadata = formMetadata(view.private_metadata);
    if (!metadata) {
      await ack({ response_action: 'errors', errors: { [view.blocks[0]?.block_id ?? 'form']: 'This form is from an older version of Plan B: run the command again.' } });
      return;
    }
    await learn([{ id: body.user.id, ...(body.user.name ? { name: body.user.name } : {}) }]);
    // Slack waits up to 3 s for the answer: the errors go on their fields, or the modal closes.
    const request: Request = { user: `slack:${body.user.id}`, platform: 'slack', conversation: { channel: metadata.channel } };
    const values = { ...formValues(view.state.values), ...(metadata.subject === undefined ? {} : { subject: metadata.subject }) };
    const errors = await deps.app().submit(request, metadata.form, values);
    await ack(errors ? { response_action: 'errors', errors: { ...errors } } : undefined);
  });

  bolt.error(async (error) => {
    logger.error({ err: error }, 'slack handler failed');
    return Promise.resolve();
  });

  return {
    chat,
    routes: receiver instanceof HTTPReceiver ? new Map([[SLACK_EVENTS_PATH, receiver.requestListener]]) : new Map(),
    start: async () => {
      if (receiver instanceof SocketModeReceiver) await receiver.client.start();
    },
    stop: async () => {
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect();
    },
  };
};
