/** Renders the neutral message model as Slack Block Kit: pure, escaped, always inside Slack's limits. */
import type { ActionsBlock, Button as SlackButton, ContextBlock, KnownBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import type { Button, Field, Message, StepLine, TextPart, TimeStyle } from '../../app/message.js';
import { plainText, STEP_MARKS, textParts } from '../../app/message.js';

/** Slack rejects a message (`invalid_blocks`) past any of these, so the renderer never produces one. */
export const BLOCK_KIT_LIMITS = {
  blocks: 50,
  fallbackText: 3000,
  headerText: 150,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  buttonsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  contextElements: 10,
  contextText: 2000,
} as const;

const L = BLOCK_KIT_LIMITS;

/** Field labels are bold: cut well below the field limit so the closing `*` always survives. */
const LABEL_MAX = 200;

const MARKS = STEP_MARKS;

/** Slack's date formats: each reader sees the instant in their own zone and locale. */
const DATE_FORMATS: Record<TimeStyle, string> = {
  time: '{time}',
  datetime: '{date_short_pretty} {time}',
};

export interface BlockKitMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

/** A content block and how many of the message's lines it carries, for the "not shown" count. */
interface Piece {
  readonly block: KnownBlock;
  readonly lines: number;
}

/**
 * `&`, `<` and `>` are Slack's markup (`<!channel>`, `<@U1>`, `<url|label>`); as entities they are plain characters.
 * Slack decodes the same three entities in plain_text, so one rule serves every text object.
 */
const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One line: headers and labels cannot show line breaks, and a step must stay one line. */
const flat = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ');

const blank = (text: string): boolean => text.trim() === '';

/**
 * Cuts rendered text to `limit` with a visible `…`. Never inside an entity (`&am…`), one of our `<!date…>` tokens or a
 * surrogate pair: Slack would show the half as garbage or reject it. After `escape`, every `&` opens an entity and every
 * `<` opens one of our tokens, so the last unclosed one is where to back off to.
 */
const truncate = (text: string, limit: number): string => {
  if (text.length <= limit) return text;
  let cut = text.slice(0, limit - 1);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.includes(';', amp)) cut = cut.slice(0, amp);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
};

/** Escaped before our own markup goes in, so no user text can become a mention, link or date. */
const dateToken = (part: Extract<TextPart, { time: string }>): string => {
  const ms = Date.parse(part.time);
  return Number.isFinite(ms) ? `<!date^${Math.floor(ms / 1000)}^${DATE_FORMATS[part.style]}|${escape(part.fallback)}>` : escape(part.fallback);
};

/** Only a Slack user id becomes a mention; anyone else is their name, escaped. */
const mention = (part: Extract<TextPart, { person: string }>): string => {
  const id = /^slack:([UW][A-Z0-9]+)$/.exec(part.person)?.[1];
  return id === undefined ? escape(part.fallback) : `<@${id}>`;
};

const mrkdwnText = (text: string): string =>
  textParts(text)
    .map((part) => ('text' in part ? escape(part.text) : 'person' in part ? mention(part) : dateToken(part)))
    .join('');

const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });

/** plain_text shows no tokens, so an instant shows as its fallback (the team's zone). */
const plain = (text: string, limit: number): PlainTextElement => ({ type: 'plain_text', text: truncate(escape(flat(plainText(text))), limit), emoji: true });

const section = (text: string): SectionBlock => ({ type: 'section', text: mrkdwn(truncate(text, L.sectionText)) });

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

/** Greedy: as many whole lines per text as fit, so a long runbook still takes few of the 50 blocks. */
const pack = (lines: readonly string[], limit: number): string[][] => {
  const groups: string[][] = [];
  let group: string[] = [];
  let length = 0;
  for (const line of lines.map((l) => truncate(l, limit))) {
    if (group.length > 0 && length + 1 + line.length > limit) {
      groups.push(group);
      group = [];
    }
    length = group.length === 0 ? line.length : length + 1 + line.length;
    group.push(line);
  }
  if (group.length > 0) groups.push(group);
  return groups;
};

const header = (title: string | undefined): Piece[] => (title && !blank(title) ? [{ block: { type: 'header', text: plain(title, L.headerText) }, lines: 1 }] : []);

const paragraphs = (text: readonly string[]): Piece[] =>
  text.filter((paragraph) => !blank(paragraph)).map((paragraph) => ({ block: section(mrkdwnText(paragraph)), lines: 1 }));

const fieldText = ({ label, value }: Field): string => {
  const name = truncate(mrkdwnText(flat(label).trim()), LABEL_MAX);
  return truncate([name ? `*${name}*` : '', mrkdwnText(value)].filter((part) => !blank(part)).join('\n'), L.fieldText);
};

const fieldSections = (fields: readonly Field[]): Piece[] =>
  chunk(fields.map(fieldText).filter((text) => !blank(text)), L.fieldsPerSection).map((texts) => ({
    block: { type: 'section', fields: texts.map(mrkdwn) },
    lines: texts.length,
  }));

const stepSections = (steps: readonly StepLine[]): Piece[] =>
  pack(steps.map((step) => `${MARKS[step.mark]} ${mrkdwnText(flat(step.text))}`), L.sectionText).map((lines) => ({ block: section(lines.join('\n')), lines: lines.length }));

/** Output stays one code block; backticks in it become ˋ so no line can close the fence and turn into markup. */
const outputSections = (output: readonly string[]): Piece[] => {
  if (output.length === 0) return [];
  const fence = '```';
  const room = L.sectionText - 2 * fence.length - 2;
  const shownLine = (line: string): string => escape(plainText(line).replace(/`/g, 'ˋ'));
  // Whole lines from the end while they fit; cut before escaping, so no escape sequence is ever cut in half.
  const kept: string[] = [];
  let length = 0;
  for (const line of [...output].reverse()) {
    const text = shownLine(line);
    if (length + text.length + 1 > room) {
      if (kept.length === 0) kept.push(shownLine(`…${line.slice(line.length - Math.floor(room / 5))}`));
      break;
    }
    kept.unshift(text);
    length += text.length + 1;
  }
  // Lines left out are marked; a single line cut short starts with its own '…'.
  const body = [...(kept.length < output.length && length > 0 ? ['…'] : []), ...kept].join('\n');
  return [{ block: section(`${fence}${body}${fence}`), lines: output.length }];
};

const contextBlocks = (context: readonly string[]): Piece[] =>
  chunk(context.filter((line) => !blank(line)).map((line) => truncate(mrkdwnText(line), L.contextText)), L.contextElements).map((texts) => ({
    block: { type: 'context', elements: texts.map(mrkdwn) },
    lines: texts.length,
  }));

/** Suffix `#2`, `#3`… on a repeated action id; the inbound handler strips it to find the action. */
export const baseActionId = (actionId: string): string => actionId.replace(/#\d+$/, '');

/** Slack rejects a message whose buttons share an action id (e.g. several preflight "Confirm …" buttons). */
const uniqueActionIds = (buttons: readonly Button[]): string[] => {
  const seen = new Map<string, number>();
  return buttons.map(({ actionId }) => {
    const count = (seen.get(actionId) ?? 0) + 1;
    seen.set(actionId, count);
    return count === 1 ? actionId : `${actionId}#${count}`;
  });
};

/** Ids and values are never cut: a cut one would act on something else than the button says, so it throws. */
const slackButton = (button: Button, actionId: string): SlackButton => {
  if (button.value.length > L.buttonValue) {
    throw new Error(`Button ${button.actionId}: its value has ${button.value.length} characters, Slack allows ${L.buttonValue}; it cannot be shortened safely.`);
  }
  if (actionId.length > L.actionId) throw new Error(`Button ${button.actionId}: its action id is longer than Slack's ${L.actionId} characters.`);
  return {
    type: 'button',
    text: plain(button.label, L.buttonText),
    action_id: actionId,
    ...(button.value ? { value: button.value } : {}),
    ...(button.style ? { style: button.style } : {}),
  };
};

const actionsBlocks = (buttons: readonly Button[]): ActionsBlock[] => {
  const ids = uniqueActionIds(buttons);
  return chunk(
    buttons.map((button, index) => slackButton(button, ids[index] ?? button.actionId)),
    L.buttonsPerActions,
  ).map((elements) => ({ type: 'actions', elements }));
};

const notShown = (lines: number): ContextBlock => ({ type: 'context', elements: [mrkdwn(`… ${lines} more ${lines === 1 ? 'line' : 'lines'} not shown`)] });

/**
 * Slack rejects more than 50 blocks. Buttons are how people act, so the actions blocks always stay; content is cut
 * from its end instead, and a note says how much, so nobody takes a partial card for the whole.
 */
const fit = (content: readonly Piece[], actions: readonly ActionsBlock[]): KnownBlock[] => {
  if (content.length + actions.length <= L.blocks) return [...content.map((piece) => piece.block), ...actions];
  const kept = content.slice(0, Math.max(0, L.blocks - actions.length - 1));
  const hidden = content.slice(kept.length).reduce((sum, piece) => sum + piece.lines, 0);
  return [...kept.map((piece) => piece.block), notShown(hidden), ...actions];
};

/** Notifications and block-less clients show only this: Slack date tokens do not render there, so fallbacks. */
const fallbackText = (message: Message): string => {
  const parts = [message.title, message.text[0]].map((part) => flat(plainText(part ?? '')).trim()).filter((part) => part !== '');
  return truncate(escape(parts.join(': ')), L.fallbackText);
};

/**
 * The message as `chat.postMessage`/`chat.update` arguments, in the model's order except that the context (small print)
 * comes before the buttons, as on the console, so that cutting content to fit never has to pass over the buttons.
 * @example renderBlockKit({ key: 'k', title: 'Web release', text: ['alice drives.'] })
 * // { text: 'Web release: alice drives.', blocks: [{ type: 'header', … }, { type: 'section', … }] }
 */
export const renderBlockKit = (message: Message): BlockKitMessage => {
  const content = [
    ...header(message.title),
    ...paragraphs(message.text),
    ...fieldSections(message.fields ?? []),
    ...stepSections(message.steps ?? []),
    ...outputSections(message.output ?? []),
    ...contextBlocks(message.context ?? []),
  ];
  return { text: fallbackText(message), blocks: fit(content, actionsBlocks(message.buttons ?? [])) };
};
