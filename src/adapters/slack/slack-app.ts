/**
 * Slack for `planb serve`: a Bolt app whose receiver is mounted on our HTTP server (or a Socket Mode
 * connection), turning slash commands and button presses into the app's commands and actions.
 */
import { App as BoltApp, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { AuthorizeResult, Logger as BoltLogger } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { App, Request } from '../../app/app.js';
import type { InboundRequest, Logger, RequestHandler } from '../../app/ports.js';
import type { LearnedDirectory } from '../learned-directory.js';
import type { Route } from '../http/http-server.js';
import { baseActionId } from './block-kit.js';
import { FORM_CALLBACK_ID, formMetadata, formValues } from './modals.js';
import { SlackChat } from './slack-chat.js';
import { apiBase, slackWrite } from './slack-write.js';
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
  /** Keeps a command or press to be carried out (by `handle`, on any replica); resolves once it is safe to acknowledge. */
  readonly accept: (request: InboundRequest) => Promise<void>;
  readonly logger: Logger;
}

/** A slash command as accepted: what carrying it out needs. */
interface SlackCommand {
  readonly kind: 'command';
  readonly userId: string;
  readonly userName: string;
  /** `/release start …`: the command and its text. */
  readonly text: string;
  readonly channel: string;
  readonly responseUrl: string;
  readonly trigger: string;
}

/** A button press as accepted. */
interface SlackPress {
  readonly kind: 'press';
  readonly userId: string;
  readonly userName?: string;
  readonly actionId: string;
  readonly value: string;
  readonly channel: string;
  readonly trigger: string;
  readonly responseUrl?: string;
}

export interface SlackAdapter {
  readonly chat: SlackChat;
  /** Carries out the requests this adapter accepted (the runtime's request workers call it). */
  readonly handle: RequestHandler;
  /** HTTP mode: the listener to mount at SLACK_EVENTS_PATH. Socket Mode: none. */
  readonly routes: ReadonlyMap<string, Route>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Deliveries already retry in BullMQ: the client must not wait out Retry-After itself or retry for half an hour,
 * so one slow channel never blocks a worker and retries never stack. Nor retry at all: a post whose answer was
 * lost may have gone out, and only the delivery queue looks for it before posting again.
 */
const clientOptions = (apiUrl: string | undefined): WebClientOptions => ({
  rejectRateLimitedCalls: true,
  retryConfig: { retries: 0 },
  timeout: 10_000,
  ...(apiUrl === undefined ? {} : { slackApiUrl: apiBase(apiUrl) }),
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
 * (an unhandled rejection), or leave every later request unauthorised. And when authorize throws, Bolt acknowledges
 * the request and runs nothing for it: a command lost although its signature was good. So a failure is not thrown:
 * the request goes on with the token alone (the bot's ids serve only to ignore its own messages, which Plan B does not
 * listen to), and the next request asks again.
 */
const botAuthorization = (client: WebClient, botToken: string, logger: Logger): (() => Promise<AuthorizeResult>) => {
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
      logger.warn({ err: error }, 'Slack auth.test failed: carrying on with the bot token alone');
      return { botToken };
    }
  };
};

export const createSlackAdapter = (deps: SlackAdapterDeps): SlackAdapter => {
  const { options, directory, logger } = deps;
  const client = new WebClient(options.botToken, { ...clientOptions(options.apiUrl), logLevel: LogLevel.WARN });
  const chat = new SlackChat(client, logger, slackWrite(options.apiUrl, options.botToken));
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
  // No conversation store: Plan B keeps no per-conversation state in Bolt, and Bolt's default one builds an Error
  // (with its stack) for every request from a conversation it does not know, that is nearly all of them.
  const bolt = new BoltApp({ authorize: botAuthorization(client, options.botToken, logger), receiver, logger: log, clientOptions: clientOptions(options.apiUrl), convoStore: false });

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
  // Acknowledged only once accepted: kept in Redis, the command survives this process dying the next moment (any
  // replica carries it out). Slack's retry of the same invocation has the same id and is carried out once.
  bolt.command(commands, async ({ command, ack }) => {
    const payload: SlackCommand = {
      kind: 'command',
      userId: command.user_id,
      userName: command.user_name,
      text: `${command.command} ${command.text}`,
      channel: command.channel_id,
      responseUrl: command.response_url,
      trigger: command.trigger_id,
    };
    await deps.accept({ id: `slack-command-${command.trigger_id}`, platform: 'slack', payload: { ...payload } });
    await ack();
  });

  bolt.action(/.*/, async ({ ack, body, action }) => {
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) {
      await ack();
      return;
    }
    // The container is typed loosely by Bolt; a message's channel is in `channel`, else in the container.
    const container: unknown = body.container;
    const fromContainer = typeof container === 'object' && container !== null && 'channel_id' in container ? container.channel_id : undefined;
    const channel = body.channel?.id ?? fromContainer;
    if (typeof channel === 'string') {
      const payload: SlackPress = {
        kind: 'press',
        userId: body.user.id,
        ...(body.user.name ? { userName: body.user.name } : {}),
        actionId: baseActionId(action.action_id),
        value: action.value ?? '',
        channel,
        trigger: body.trigger_id,
        ...(body.response_url ? { responseUrl: body.response_url } : {}),
      };
      await deps.accept({ id: `slack-action-${body.trigger_id}-${action.action_ts}`, platform: 'slack', payload: { ...payload } });
    }
    await ack();
  });

  /** Carries out a command or press accepted above (here or on another replica), as the person who sent it. */
  const handle: RequestHandler = async ({ id, payload }) => {
    const request = payload as unknown as SlackCommand | SlackPress;
    await learn([{ id: request.userId, ...(request.userName ? { name: request.userName } : {}) }, ...(request.kind === 'command' ? mentioned(request.text) : [])]);
    const conversation = { channel: request.channel, trigger: request.trigger, ...(request.responseUrl ? { replyUrl: request.responseUrl } : {}) };
    const from: Request = { id, user: `slack:${request.userId}`, platform: 'slack', conversation };
    if (request.kind === 'command') await deps.app().command(from, request.text);
    else await deps.app().action(from, request.actionId, request.value);
  };

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
    handle,
    routes: receiver instanceof HTTPReceiver ? new Map([[SLACK_EVENTS_PATH, receiver.requestListener]]) : new Map(),
    start: async () => {
      if (receiver instanceof SocketModeReceiver) await receiver.client.start();
    },
    stop: async () => {
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect();
    },
  };
};
