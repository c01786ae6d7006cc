/** Chat over Slack's Web API: channel messages posted and edited by `ts`, documents shared as files, replies only the asker sees. */
import type { FilesCompleteUploadExternalResponse, MessageMetadata, WebClient } from '@slack/web-api';
import { ErrorCode } from '@slack/web-api';
import type { Message, MessageFile } from '../../app/message.js';
import { plainText } from '../../app/message.js';
import { postJson } from '../http/post-json.js';
import type { Chat, Conversation, MessageRef } from '../../app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../app/ports.js';
import type { Principal } from '../../domain/principal.js';
import type { Logger } from '../../app/ports.js';
import type { Form } from '../../app/form.js';
import { renderBlockKit } from './block-kit.js';
import { formView } from './modals.js';
import type { SlackWrite } from './slack-write.js';
import { TRANSIENT_ERRORS } from './slack-write.js';


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
    return TRANSIENT_ERRORS.has(slackError) ? error : new PermanentDeliveryError(`Slack refused the message: ${slackError}`, { cause: error });
  }
  return error;
};

/**
 * The reference to keep for a shared file: the `ts` of the message that shares it, when Slack already reports the
 * share, else the file id. Slack completes shares asynchronously (after its scans), so `files.completeUploadExternal`
 * usually answers before there is a share to report; finding its `ts` would take polling `files.info` (and `files:read`).
 */
export const sharedFileRef = (completed: readonly FilesCompleteUploadExternalResponse[], channel: string): MessageRef | undefined => {
  const file = completed[0]?.files?.[0];
  // The SDK's types know only public shares; a private channel's share comes under `private`, shaped alike.
  const shares: Partial<Record<'public' | 'private', Record<string, readonly { ts?: string }[]>>> | undefined = file?.shares;
  return (shares?.public?.[channel] ?? shares?.private?.[channel])?.[0]?.ts ?? file?.id;
};

/**
 * Each message carries its key as Slack message metadata (posting it needs no scope): two messages alike in words (two
 * automatic updates) stay told apart, and a message can be found again by its key in the channel's history.
 */
export const messageMetadata = (message: Message): MessageMetadata => ({ event_type: 'planb_message', event_payload: { key: message.key } });

/** A message key in a message Slack lists with its metadata, if it carries ours. */
const keyOf = (message: { metadata?: { event_type?: string; event_payload?: unknown } }): unknown =>
  message.metadata?.event_type === 'planb_message' ? (message.metadata.event_payload as { key?: unknown } | undefined)?.key : undefined;

/** How far back before an unanswered post a look for it starts (clocks of replicas and Slack disagree a little). */
const LOOK_BACK_SECONDS = 60;
/** Pages of 200 messages looked through at most: a busier conversation than that cannot tell. */
const LOOK_PAGES = 5;

/** As long as the Web API client waits for Slack. */
const REPLY_TIMEOUT_MS = 10_000;

/** `slack:U123` → `U123`. */
export const slackUserId = (principal: Principal): string => principal.slice(principal.indexOf(':') + 1);

export class SlackChat implements Chat {
  /** `write` posts and edits (slackWrite); the client does everything else. */
  constructor(
    private readonly client: WebClient,
    private readonly logger: Logger,
    private readonly write: SlackWrite,
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
    if (message.file !== undefined) return this.share(conversation, message, message.file);
    const { text, blocks } = renderBlockKit(message);
    const result = await this.write('chat.postMessage', {
      channel: conversation.channel,
      text,
      blocks,
      // A link in a reason must not unfurl a preview into the release channel.
      unfurl_links: false,
      unfurl_media: false,
      metadata: messageMetadata(message),
      ...(conversation.thread === undefined ? {} : { thread_ts: conversation.thread }),
    });
    if (typeof result['ts'] !== 'string') throw new Error('chat.postMessage answered without a ts');
    return result['ts'];
  }

  /**
   * Uploads the file and shares it with the message's fallback text as its comment (Slack ignores blocks when there is
   * a comment, so buttons, fields and steps do not go with a file). The SDK runs the three calls of an upload:
   * files.getUploadURLExternal, the POST of the bytes, files.completeUploadExternal. A retry uploads a new file.
   */
  private async share(conversation: Conversation, message: Message, file: MessageFile): Promise<MessageRef> {
    const { text } = renderBlockKit(message);
    const destination = conversation.thread === undefined ? { channel_id: conversation.channel } : { channel_id: conversation.channel, thread_ts: conversation.thread };
    try {
      const result = await this.client.filesUploadV2({
        ...destination,
        // A file cannot show Slack's date tokens: each instant in it reads as its fallback.
        file: Buffer.from(plainText(file.content), 'utf8'),
        filename: file.name,
        title: file.title,
        ...(text === '' ? {} : { initial_comment: text }),
      });
      const ref = sharedFileRef(result.files, conversation.channel);
      if (ref === undefined) throw new Error('files.completeUploadExternal answered without a file id');
      return ref;
    } catch (error) {
      throw translateSlackError(error);
    }
  }

  /**
   * The message posted under `key`, read back from the channel's history (or the thread's replies) with its
   * metadata: needs `channels:history` (`groups:history` for private channels) and the bot in the channel. Without
   * them Slack refuses and the answer is null (cannot tell).
   */
  async find(conversation: Conversation, key: string, since: Date): Promise<MessageRef | undefined | null> {
    const oldest = (since.getTime() / 1_000 - LOOK_BACK_SECONDS).toFixed(6);
    const page = { channel: conversation.channel, oldest, include_all_metadata: true, limit: 200 };
    let cursor: string | undefined;
    try {
      for (let pages = 0; pages < LOOK_PAGES; pages += 1) {
        const more = cursor === undefined ? {} : { cursor };
        const result =
          conversation.thread === undefined
            ? await this.client.conversations.history({ ...page, ...more })
            : await this.client.conversations.replies({ ...page, ts: conversation.thread, ...more });
        const found = result.messages?.find((message) => keyOf(message) === key)?.ts;
        if (found !== undefined) return found;
        cursor = result.response_metadata?.next_cursor;
        if (cursor === undefined || cursor === '') return undefined;
      }
    } catch (error) {
      const translated = translateSlackError(error);
      if (!(translated instanceof PermanentDeliveryError)) throw translated;
      this.logger.warn({ err: translated, channel: conversation.channel }, 'cannot read the conversation to look for a message');
    }
    return null;
  }

  /** A shared file has no message to edit (its ref may be a file id): the delivery queue never asks, and this refuses. */
  async update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void> {
    if (message.file !== undefined) throw new PermanentDeliveryError(`a message with a file is posted once, never edited (${message.key})`);
    const { text, blocks } = renderBlockKit(message);
    await this.write('chat.update', { channel: conversation.channel, ts: ref, text, blocks, metadata: messageMetadata(message) });
  }

  /** Through the request's response_url when there is one (it works in any channel, even where the bot is not). */
  async whisper(conversation: Conversation, user: Principal, message: Message): Promise<void> {
    const { text, blocks } = renderBlockKit(message);
    if (conversation.replyUrl !== undefined) {
      const status = await postJson(conversation.replyUrl, { response_type: 'ephemeral', replace_original: false, text, blocks }, REPLY_TIMEOUT_MS);
      if (status < 200 || status > 299) throw new Error(`response_url answered ${status}`);
      return;
    }
    await this.client.chat.postEphemeral({ channel: conversation.channel, user: slackUserId(user), text, blocks });
  }
}
