/** Splits command text into words, honouring quotes (straight and typographic: phones and Slack autocorrect them). */

export interface Token {
  /** The word with its quotes removed. */
  readonly text: string;
  /** Any part of it was quoted: a quoted token is never an option or a key=value pair. */
  readonly quoted: boolean;
  /** For `key=value` tokens, the key (unquoted part before the first `=`). */
  readonly key?: string;
  readonly value?: string;
}

const CLOSING: Record<string, string> = { '"': '"', "'": "'", '“': '”', '”': '”', '‘': '’', '’': '’', '„': '“' };

export class TokenizeError {
  constructor(readonly message: string) {}
}

export const tokenize = (input: string): Token[] | TokenizeError => {
  const tokens: Token[] = [];
  let index = 0;
  while (index < input.length) {
    while (index < input.length && /\s/.test(input[index] ?? '')) index += 1;
    if (index >= input.length) break;
    let text = '';
    let quoted = false;
    let key: string | undefined;
    while (index < input.length && !/\s/.test(input[index] ?? '')) {
      const char = input[index] ?? '';
      const close = CLOSING[char];
      if (close !== undefined) {
        const end = input.indexOf(close, index + 1);
        // An apostrophe inside a word (don't, it's) is not a quote.
        if (end === -1 && (char === "'" || char === '’') && text !== '') {
          text += char;
          index += 1;
          continue;
        }
        if (end === -1) return new TokenizeError(`The quote ${char} opened in "${input.slice(index, index + 20)}" is never closed.`);
        if (key === undefined && !quoted && text.endsWith('=')) key = text.slice(0, -1);
        text += input.slice(index + 1, end);
        quoted = true;
        index = end + 1;
        continue;
      }
      text += char;
      index += 1;
    }
    if (key === undefined && !quoted) {
      const eq = text.indexOf('=');
      if (eq > 0) key = text.slice(0, eq);
    }
    tokens.push(key !== undefined && /^[a-z_][a-z0-9_]*$/i.test(key) ? { text, quoted: false, key, value: text.slice(key.length + 1) } : { text, quoted });
  }
  return tokens;
};
