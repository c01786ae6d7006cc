/** Small pieces every command family of the grammar uses. */
import { parseDuration } from '../../domain/duration.js';
import type { GrammarError } from './commands.js';
import type { Token } from './tokenize.js';

export const grammarError = (message: string, usage: string): GrammarError => ({ kind: 'grammar-error', message, usage });

export const words = (tokens: readonly Token[]): string => tokens.map((token) => token.text).join(' ').trim();

export const NOT_A_DURATION = (text: string): string => `"${text}" is not a duration: use 90s, 20m, 2h or 1h30m.`;

/** The optional leading id: taken only when such a thing exists. */
export const leadingId = (tokens: readonly Token[], exists: (word: string) => boolean): { id?: string; rest: readonly Token[] } => {
  const [first, ...rest] = tokens;
  return first && !first.quoted && exists(first.text) ? { id: first.text, rest } : { rest: tokens };
};

/** Slack sends channel mentions as `<#C123|name>`; `#name` and raw ids stay as typed. */
export const channelRef = (word: string): string => /^<#([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word)?.[1] ?? word;

export type Options = Readonly<Record<string, string>>;

/**
 * Splits `key=value` options off the end of free text. Only unquoted tokens count; a trailing option with a
 * key that is not allowed is an error, since it is almost always a typo (`sevrity=1`).
 */
export const trailingOptions = (tokens: readonly Token[], allowed: readonly string[], usage: string): { rest: readonly Token[]; options: Options } | GrammarError => {
  const options: Record<string, string> = {};
  let end = tokens.length;
  for (; end > 0; end -= 1) {
    const token = tokens[end - 1];
    if (token?.key === undefined || token.value === undefined) break;
    const key = token.key.toLowerCase();
    if (!allowed.includes(key)) return grammarError(`Unknown option ${token.key}=: the options here are ${allowed.map((name) => `${name}=`).join(', ')}.`, usage);
    if (options[key] !== undefined) return grammarError(`${key}= is given twice.`, usage);
    options[key] = token.value;
  }
  return { rest: tokens.slice(0, end), options };
};

export const durationOption = (options: Options, key: string, usage: string): number | undefined | GrammarError => {
  const text = options[key];
  if (text === undefined) return undefined;
  return parseDuration(text) ?? grammarError(`${key}=${text}: ${NOT_A_DURATION(text)}`, usage);
};
