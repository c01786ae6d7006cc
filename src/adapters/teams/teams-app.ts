/**
 * Teams for `planb serve`: botbuilder's CloudAdapter on POST /api/messages, turning messages after a mention and
 * Adaptive Card actions into the app's commands, actions and form submissions. botbuilder stays in this folder.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mention } from 'botbuilder';
import { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication, TeamsInfo, TurnContext } from 'botbuilder';
import type { App, Request } from '../../app/app.js';
import type { Logger } from '../../app/ports.js';
import type { Route } from '../http/http-server.js';
import type { LearnedDirectory } from '../learned-directory.js';
import type { Records } from '../records.js';
import { FORM_VERB, formValuesFromCard } from './adaptive-form.js';
import { TeamsChat } from './teams-chat.js';
import { baseConversation, TeamsReferences } from './teams-references.js';

export const TEAMS_PATH = '/api/messages';
/** Activities are at most this big; anything larger is not from the Bot Connector. */
const MAX_BODY = 1_000_000;

export interface TeamsOptions {
  readonly appId?: string;
  readonly appPassword?: string;
  readonly tenantId?: string;
  readonly appType?: string;
  /** No app id, no authentication: the Bot Framework Emulator and tests only. */
  readonly emulator: boolean;
}

export interface TeamsAdapterDeps {
  readonly options: TeamsOptions;
  readonly app: () => App;
  readonly directory: LearnedDirectory;
  readonly records: () => Records;
  /** True the first time a key is seen (across replicas): a redelivered activity counts once. */
  readonly firstTime: (key: string) => Promise<boolean>;
  readonly logger: Logger;
  /** The team's zone, for forms' date and time pickers of people whose own zone is unknown. */
  readonly zone: string;
}

export interface TeamsAdapter {
  readonly chat: TeamsChat;
  readonly routes: ReadonlyMap<string, Route>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('activity too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/** The express-like response CloudAdapter writes to, over Node's own. */
const responseShim = (res: ServerResponse) => ({
  socket: res.socket,
  status(code: number) {
    res.statusCode = code;
    return this;
  },
  header(name: string, value: unknown) {
    res.setHeader(name, String(value));
    return this;
  },
  send(body?: unknown) {
    if (body === undefined || body === null) return this;
    if (typeof body === 'object' && !Buffer.isBuffer(body)) {
      if (!res.headersSent) res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.write(JSON.stringify(body));
    } else {
      res.write(body);
    }
    return this;
  },
  end() {
    res.end();
    return this;
  },
});

/** `<at>Plan B</at> release start web <at>Bob</at>` → `release start web <at:teams:…>`: the bot's mention dropped, people's resolved. */
const commandText = async (context: TurnContext, resolve: (mention: Mention) => Promise<string>): Promise<string> => {
  let text = context.activity.text ?? '';
  const mentions = (context.activity.entities ?? []).filter((entity): entity is Mention & { type: string } => entity.type === 'mention') as unknown as Mention[];
  for (const mention of mentions) {
    const shown = mention.text ?? `<at>${mention.mentioned.name}</at>`;
    const replacement = mention.mentioned.id === context.activity.recipient.id ? '' : await resolve(mention);
    text = text.split(shown).join(replacement);
  }
  return text.replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ').trim();
};

export const createTeamsAdapter = (deps: TeamsAdapterDeps): TeamsAdapter => {
  const { options, directory, logger } = deps;
  const auth = new ConfigurationBotFrameworkAuthentication(
    options.emulator
      ? {}
      : {
          MicrosoftAppId: options.appId,
          MicrosoftAppPassword: options.appPassword,
          MicrosoftAppTenantId: options.tenantId,
          MicrosoftAppType: options.appType ?? 'MultiTenant',
        },
  );
  const adapter = new CloudAdapter(auth);
  const references = new TeamsReferences(deps.records);
  const chat = new TeamsChat(adapter, options.appId ?? '', references, logger);

  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activity: context.activity.type }, 'teams turn failed');
    await Promise.resolve();
  };

  /** A Teams user's principal is their Entra (AAD) object id; the 29: id only addresses them in this tenant's chats. */
  const principalOf = async (context: TurnContext, id: string, aadObjectId: string | undefined, name: string | undefined): Promise<string> => {
    let aad = aadObjectId;
    if (aad === undefined) {
      try {
        aad = (await TeamsInfo.getMember(context, id)).aadObjectId;
      } catch {
        aad = undefined;
      }
    }
    const principal = `teams:${aad ?? id}`;
    directory.learn(principal, name);
    return principal;
  };

  const remember = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    const data = (activity.channelData ?? {}) as { channel?: { name?: string }; team?: { name?: string } };
    const names = [data.channel?.name, activity.conversation.name].filter((name): name is string => typeof name === 'string');
    await references.remember(TurnContext.getConversationReference(activity), names);
  };

  const requestOf = async (context: TurnContext, turnKey: string): Promise<Request> => {
    const { from, conversation } = context.activity;
    const user = await principalOf(context, from.id, from.aadObjectId, from.name);
    if (context.activity.localTimezone) directory.learnZone(user, context.activity.localTimezone);
    return { user, platform: 'teams', conversation: { channel: baseConversation(conversation.id), trigger: turnKey } };
  };

  const onMessage = async (context: TurnContext, request: Request): Promise<void> => {
    const text = await commandText(context, async (mention) => `<at:${await principalOf(context, mention.mentioned.id, (mention.mentioned as { aadObjectId?: string }).aadObjectId, mention.mentioned.name)}>`);
    if (text === '') return;
    await deps.app().command(request, text);
  };

  /** Action.Execute: a button (its verb is the action id) or a form's submit button. */
  const onAction = async (context: TurnContext, request: Request): Promise<void> => {
    const value = (context.activity.value ?? {}) as { action?: { verb?: string; data?: Record<string, unknown> } };
    const verb = value.action?.verb;
    const data = value.action?.data ?? {};
    if (verb === FORM_VERB) {
      const submitted = formValuesFromCard(data, deps.directory.zoneOf(request.user) ?? deps.zone);
      if (!submitted) return;
      const errors = await deps.app().submit({ ...request, conversation: { ...request.conversation, channel: submitted.channel } }, submitted.form, submitted.values);
      if (errors) chat.turns.get(request.conversation.trigger ?? '')?.replies.push(...Object.values(errors));
      return;
    }
    if (typeof verb === 'string') await deps.app().action(request, verb, typeof data['value'] === 'string' ? data['value'] : '');
  };

  const logic = async (context: TurnContext): Promise<void> => {
    const activity = context.activity;
    await remember(context);
    const type: string = activity.type;
    const invoke = type === 'invoke' && activity.name === 'adaptiveCard/action';
    if (type !== 'message' && !invoke) return;
    // The connector redelivers an activity it got no answer for in time: it runs once.
    if (activity.id !== undefined && !(await deps.firstTime(`teams-activity-${activity.conversation.id}-${activity.id}`))) return;
    const turnKey = `teams-turn-${randomUUID()}`;
    const turn = { context, invoke, replies: [] as string[] };
    chat.turns.set(turnKey, turn);
    try {
      const request = await requestOf(context, turnKey);
      if (invoke) await onAction(context, request);
      else await onMessage(context, request);
    } finally {
      chat.turns.delete(turnKey);
    }
    if (invoke) {
      const message = turn.replies.join('\n') || 'Done.';
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message } } });
    }
  };

  const route: Route = (req, res) => {
    const run = async (): Promise<void> => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' }).end('POST activities here.');
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('The body is not an activity.');
        return;
      }
      await adapter.process({ body, headers: req.headers, method: req.method }, responseShim(res), logic);
    };
    run().catch((error: unknown) => {
      logger.error({ err: error }, 'teams request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  return { chat, routes: new Map([[TEAMS_PATH, route]]) };
};
