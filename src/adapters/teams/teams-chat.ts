/**
 * Chat over the Bot Framework: channel messages posted proactively from stored conversation references and edited
 * in place (updateActivity); replies to a person go back in the turn they asked in.
 */
import type { Activity, CloudAdapter } from 'botbuilder';
import { TurnContext } from 'botbuilder';
import type { Form } from '../../app/form.js';
import type { Message } from '../../app/message.js';
import type { Chat, Conversation, Logger, MessageRef } from '../../app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../app/ports.js';
import type { Principal } from '../../domain/principal.js';
import { renderAdaptiveCard } from './adaptive-card.js';
import { renderForm } from './adaptive-form.js';
import { baseConversation } from './teams-references.js';
import type { TeamsReferences } from './teams-references.js';

const CARD = 'application/vnd.microsoft.card.adaptive';

/** The part of botframework-connector's ConnectorClient (in the turn state) that posts a new message. */
interface ConnectorClient {
  readonly conversations: { sendToConversation(conversationId: string, activity: Partial<Activity>): Promise<{ id?: string }> };
}

/** A request being answered: replies to an invoke (a button) go into its response, others into the conversation. */
export interface Turn {
  readonly context: TurnContext;
  readonly invoke: boolean;
  /** What an invoke's response will say. */
  readonly replies: string[];
}

export const messageActivity = (message: Message): Partial<Activity> => {
  // Mentions travel inside the card (msteams.entities); the summary is plain text.
  const { card, text } = renderAdaptiveCard(message);
  return { type: 'message', summary: text, attachments: [{ contentType: CARD, content: card }] };
};

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : undefined;

/** The connector's errors in the delivery vocabulary: 429 waits, 4xx that will not change are dropped, the rest retried. */
export const translateTeamsError = (error: unknown): unknown => {
  const status = statusOf(error);
  if (status === 429) {
    const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } }).response?.headers;
    const seconds = Number(headers?.get?.('retry-after') ?? 1);
    return new RateLimitedError((Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1_000, { cause: error });
  }
  if (status === 400 || status === 403 || status === 404) return new PermanentDeliveryError(`Teams refused the message (HTTP ${status})`, { cause: error });
  return error;
};

export class TeamsChat implements Chat {
  /** Turns in progress, by the key their requests carry as `conversation.trigger`. */
  readonly turns = new Map<string, Turn>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly references: TeamsReferences,
    private readonly logger: Logger,
  ) {}

  private async proactive<T>(channel: string, thread: string | undefined, work: (context: TurnContext) => Promise<T>): Promise<T> {
    const reference = await this.references.find(channel);
    if (!reference?.conversation) {
      throw new PermanentDeliveryError(`Plan B has no conversation reference for ${channel}: add the app to that team, channel or chat, or message it there once.`);
    }
    // A reply in a channel thread goes to the channel's conversation id with the root message's id.
    const conversation = { ...reference.conversation, id: thread === undefined ? reference.conversation.id : `${baseConversation(reference.conversation.id)};messageid=${thread}` };
    let result: T | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, { ...reference, conversation }, async (context) => {
        result = await work(context);
      });
    } catch (error) {
      throw translateTeamsError(error);
    }
    return result as T;
  }

  /**
   * A new message in the conversation (SendToConversation): in a channel, a post of its own, or a reply in a thread
   * when the conversation id names one. `context.sendActivity` would make it a reply to the continuation activity.
   */
  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    return this.proactive(conversation.channel, conversation.thread, async (context) => {
      const client = context.turnState.get<ConnectorClient | undefined>(context.adapter.ConnectorClientKey);
      if (!client) throw new Error('the adapter gave the turn no connector client');
      const activity = TurnContext.applyConversationReference(messageActivity(message), TurnContext.getConversationReference(context.activity));
      const { replyToId: _replyToId, ...top } = activity;
      const sent = await client.conversations.sendToConversation(context.activity.conversation.id, top);
      if (sent.id === undefined) throw new Error('the connector answered without an activity id');
      return sent.id;
    });
  }

  async update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void> {
    await this.proactive(conversation.channel, undefined, async (context) => {
      await context.updateActivity({ ...messageActivity(message), id: ref });
    });
  }

  /** Teams has no message only one person sees: a button's answer goes into its invoke response, a command's into the conversation. */
  async whisper(conversation: Conversation, _user: Principal, message: Message): Promise<void> {
    const turn = conversation.trigger === undefined ? undefined : this.turns.get(conversation.trigger);
    if (turn?.invoke) {
      turn.replies.push(renderAdaptiveCard(message).text);
      return;
    }
    if (turn) {
      await turn.context.sendActivity(messageActivity(message));
      return;
    }
    this.logger.warn({ channel: conversation.channel }, 'a reply outside its turn was posted to the conversation');
    await this.post({ channel: conversation.channel }, message);
  }

  /** The form as a card in the conversation, while the person's turn is live. */
  async openForm(conversation: Conversation, _user: Principal, form: Form): Promise<boolean> {
    const turn = conversation.trigger === undefined ? undefined : this.turns.get(conversation.trigger);
    if (!turn) return false;
    await turn.context.sendActivity({ type: 'message', attachments: [{ contentType: CARD, content: renderForm(form, { channel: conversation.channel }) }] });
    return true;
  }
}
