/** The terminal chat: type commands as anyone, press buttons by number. Reads stdin line by line. */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { App, Request } from '../../app/app.js';
import type { ConsoleChat } from './console-chat.js';

export const CONSOLE_CHANNEL = 'console';

const NAME = /^[a-z0-9][a-z0-9._-]{0,39}$/i;
const COMMAND = /^\/?(release|incident|maintenance)(\s|$)/i;

export interface ConsoleOptions {
  readonly input: Readable;
  readonly write: (text: string) => void;
  readonly app: App;
  readonly chat: ConsoleChat;
  readonly user: string;
  /** Writes the prompt (no newline) when interactive. */
  readonly prompt: (text: string) => void;
  /** A terminal gets a prompt; a pipe gets each line echoed after its prompt, so a transcript reads like a chat. */
  readonly interactive: boolean;
  /** A line to show under the banner (e.g. which config is in use). */
  readonly notice?: string;
  /** Waits until a command's channel messages are out (on Redis they are delivered by a worker), so they print before the next prompt. */
  readonly settle?: () => Promise<void>;
}

export const CONSOLE_HELP = [
  'Console: /as <name> switches user (people are console:<name>, mention them as @name);',
  '!<n> presses button n; # starts a comment; /help shows this; /quit or end of input exits.',
  'Commands: /release help, /incident help, /maintenance help.',
].join('\n');

/** Runs until the input ends (or /quit). */
export const runConsole = async (options: ConsoleOptions): Promise<void> => {
  const { app, chat, write } = options;
  let user = options.user;
  const request = (): Request => ({ user: `console:${user}`, conversation: { channel: CONSOLE_CHANNEL }, platform: 'console' });
  const say = (text: string): void => write(`[to ${user}] ${text}`);

  write(`Plan B console. You are ${user}; /as <name> switches user; !<n> presses button n; /help.`);
  if (options.notice) write(options.notice);
  const lines = createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
  const prompt = (): void => {
    if (options.interactive) options.prompt(`${user}> `);
  };
  prompt();
  for await (const raw of lines) {
    const line = raw.trim();
    if (!options.interactive && line !== '') write(`${user}> ${line}`);
    if (line === '/quit' || line === '/exit') break;
    if (line === '' || line.startsWith('#')) {
      prompt();
      continue;
    }
    const as = /^\/as(?:\s+@?(\S+))?$/.exec(line);
    const press = /^!(\d+)$/.exec(line);
    if (as) {
      const name = as[1];
      if (name !== undefined && NAME.test(name)) user = name.toLowerCase();
      else say('Usage: /as <name> (letters, digits, dot, dash or underscore)');
    } else if (press) {
      const button = chat.button(Number(press[1]));
      if (button) {
        await app.action({ ...request(), conversation: button.conversation }, button.actionId, button.value);
        await options.settle?.();
      } else say(`There is no button ${press[1]}.`);
    } else if (line === '/help') {
      write(CONSOLE_HELP);
    } else if (COMMAND.test(line)) {
      await app.command(request(), line);
      await options.settle?.();
    } else {
      say(`Unknown command: ${line.split(/\s+/)[0] ?? ''}. /help lists what you can type.`);
    }
    prompt();
  }
  lines.close();
};
