/** Chat over Slack's Web API: channel messages posted and edited by `ts`, replies only the asker sees. */
import type { WebClient } from '@slack/web-api';
import { ErrorCode } from '@slack/web-api';
import type { Message } from '../../app/message.js';
import type { Chat, Conversation, MessageRef } from '../../app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../app/ports.js';
import type { Principal } from '../../domain/principal.js';
import type { Logger } from '../../app/ports.js';
import type { Form } from '../../app/form.js';
import { renderBlockKit } from './block-kit.js';
import { formView } from './modals.js';

/** Slack's own transient failures: worth another try. Any other platform error will fail the same way again. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/**
 * Translates the SDK's errors into the delivery vocabulary at the edge: rate limits with their Retry-After,
 * permanent platform errors (a deleted channel, a bot not invited) to drop, everything else (HTTP 5xx, network,
 * timeouts) rethrown to be retried.
 */
export const translateSlackError = (error: unknown): unknown => {
  const code = codeOf(error);
  if (code === ErrorCode.RateLimitedError) {
    const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
    return new RateLimitedError(seconds * 1_000, { cause: error });
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = (error as { data?: { error?: string } }).data?.error ?? 'unknown_error';
    return TRANSIENT.has(slackError) ? error : new PermanentDeliveryError(`Slack refused the message: ${slackError}`, { cause: error });
  }
  return error;
};

/** `slack:U123` → `U123`. */
export const slackUserId = (principal: Principal): string => principal.slice(principal.indexOf(':') + 1);

export class SlackChat implements Chat {
  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
  ) {}

  /** A modal, while the request's trigger id is fresh (3 s); otherwise the app answers in words. */
  async openForm(conversation: Conversation, _user: Principal, form: Form): Promise<boolean> {
    if (conversation.trigger === undefined) return false;
    try {
      await this.client.views.open({ trigger_id: conversation.trigger, view: formView(form, { channel: conversation.channel }) });
      return true;
    } catch (error) {
      this.logger.warn({ err: error, form: form.id }, 'could not open the form; answering in words');
      return false;
    }
  }

  async post(conversation: Conversation, message: Message): Promise<MessageRef> {
    const { text, blocks } = renderBlockKit(message);
    try {
      const result = await this.client.chat.postMessage({
        channel: conversation.channel,
        text,
        blocks,
        // A link in a reason must not unfurl a preview into the release channel.
        unfurl_links: false,
        unfurl_media: false,
        ...(conversation.thread === undefined ? {} : { thread_ts: conversation.thread }),
      });
      if (typeof result.ts !== 'string') throw new Error('chat.postMessage answered without a ts');
      return result.ts;
    } catch (error) {
      throw translateSlackError(error);
    }
  }

  async update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void> {
    const { text, blocks } = renderBlockKit(message);
    try {
      await this.client.chat.update({ channel: conversation.channel, ts: ref, text, blocks });
    } catch (error) {
      throw translateSlackError(error);
    }
  }

  /** Through the request's response_url when there is one (it works in any channel, even where the bot is not). */
  async whisper(conversation: Conversation, user: Principal, message: Message): Promise<void> {
    const { text, blocks } = renderBlockKit(message);
    if (conversation.replyUrl !== undefined) {
      const response = await fetch(conversation.replyUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, blocks }),
      });
      if (!response.ok) throw new Error(`response_url answered ${response.status}`);
      return;
    }
    await this.client.chat.postEphemeral({ channel: conversation.channel, user: slackUserId(user), text, blocks });
  }
}
