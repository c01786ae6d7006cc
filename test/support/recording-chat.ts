/** A Chat that records what it was asked to post, for app tests (the console adapter prints the same calls). */
import type { Form } from '../../src/app/form.js';
import type { Message } from '../../src/app/message.js';
import type { Chat, Conversation, MessageRef } from '../../src/app/ports.js';

export interface Posted {
  /** `publish` is a new post or an edit (`ref` says which message it edits). */
  readonly kind: 'publish' | 'whisper';
  readonly conversation: Conversation;
  readonly ref?: MessageRef;
  readonly user?: string;
  readonly message: Message;
}

export class RecordingChat implements Chat {
  readonly posted: Posted[] = [];
  /** Forms opened, when `canOpenForms` (a platform with modals); the console has none. */
  readonly forms: { readonly user: string; readonly form: Form }[] = [];
  canOpenForms = false;

  openForm(_conversation: Conversation, user: string, form: Form): Promise<boolean> {
    if (this.canOpenForms) this.forms.push({ user, form });
    return Promise.resolve(this.canOpenForms);
  }

  post(conversation: Conversation, message: Message): Promise<MessageRef> {
    this.posted.push({ kind: 'publish', conversation, message });
    return Promise.resolve(`ref-${this.posted.length}`);
  }

  update(conversation: Conversation, ref: MessageRef, message: Message): Promise<void> {
    this.posted.push({ kind: 'publish', conversation, ref, message });
    return Promise.resolve();
  }

  whisper(conversation: Conversation, user: string, message: Message): Promise<void> {
    this.posted.push({ kind: 'whisper', conversation, user, message });
    return Promise.resolve();
  }

  /** The latest version of the message under `key`. */
  latest(key: string): Message | undefined {
    return [...this.posted].reverse().find((post) => post.message.key === key)?.message;
  }

  whispersTo(user: string): string[] {
    return this.posted.filter((post) => post.kind === 'whisper' && post.user === user).map((post) => post.message.text.join('\n'));
  }
}
