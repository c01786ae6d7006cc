/** The console's chat: prints messages and remembers which number stands for which button. */
import type { Message } from '../../app/message.js';
import type { Chat, Conversation, MessageRef } from '../../app/ports.js';
import type { Principal } from '../../domain/principal.js';
import { shortName } from '../../domain/principal.js';
import { renderConsole } from './console-render.js';

export interface PressedButton {
  readonly conversation: Conversation;
  readonly actionId: string;
  readonly value: string;
}

export class ConsoleChat implements Chat {
  /** Numbers are unique for the whole session: an old number still presses its old button. */
  private readonly buttons = new Map<number, PressedButton>();
  private nextNumber = 1;
  private posts = 0;

  constructor(private readonly write: (text: string) => void) {}

  post(conversation: Conversation, message: Message): Promise<MessageRef> {
    this.write(this.render(conversation, message, `[#${conversation.channel.replace(/^#/, '')}]`));
    this.posts += 1;
    return Promise.resolve(`console-${this.posts}`);
  }

  /** A terminal cannot edit a line it printed: the card is printed again as it is now. */
  update(conversation: Conversation, _ref: MessageRef, message: Message): Promise<void> {
    this.write(this.render(conversation, message, `[#${conversation.channel.replace(/^#/, '')}]`));
    return Promise.resolve();
  }

  whisper(conversation: Conversation, user: Principal, message: Message): Promise<void> {
    this.write(this.render(conversation, message, `[to ${shortName(user)}]`));
    return Promise.resolve();
  }

  button(number: number): PressedButton | undefined {
    return this.buttons.get(number);
  }

  private render(conversation: Conversation, message: Message, prefix: string): string {
    const numbers = (message.buttons ?? []).map((button) => {
      const number = this.nextNumber;
      this.nextNumber += 1;
      this.buttons.set(number, { conversation, actionId: button.actionId, value: button.value });
      return number;
    });
    return renderConsole(message, prefix, (index) => numbers[index] ?? 0);
  }
}
