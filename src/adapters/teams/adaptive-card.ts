/** Renders the neutral message model as an Adaptive Card 1.5 for Teams: pure, escaped, within Teams' message size. */
import type { Button, Field, Message, MessageFile, StepLine, TextPart } from '../../app/message.js';
import { personMark, plainText, STEP_MARKS, textParts, timeMark } from '../../app/message.js';

export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * Teams refuses a message past about 28 KB, envelope included, so the card stays below `cardBytes` (its JSON, UTF-8)
 * and a shared document below `fileBytes`. Six actions show as buttons; Teams moves the rest to the "…" menu, and so
 * do we, explicitly. The text limits keep one runaway paragraph from crowding out the rest.
 */
export const ADAPTIVE_CARD_LIMITS = {
  cardBytes: 24_000,
  fileBytes: 20_000,
  primaryActions: 6,
  title: 300,
  text: 3000,
  factLabel: 200,
  factValue: 2000,
  actionTitle: 100,
  fallbackText: 3000,
} as const;

const L = ADAPTIVE_CARD_LIMITS;

export interface TextBlock {
  readonly type: 'TextBlock';
  readonly text: string;
  readonly wrap: true;
  readonly size?: 'Small' | 'Medium';
  readonly weight?: 'Bolder';
  readonly isSubtle?: true;
  readonly color?: 'Attention';
  readonly fontType?: 'Monospace';
}

export interface FactSet {
  readonly type: 'FactSet';
  readonly facts: readonly { readonly title: string; readonly value: string }[];
}

export interface Container {
  readonly type: 'Container';
  readonly id: string;
  readonly isVisible: boolean;
  readonly items: readonly CardElement[];
}

export interface ActionSet {
  readonly type: 'ActionSet';
  readonly actions: readonly CardAction[];
}

interface InputBase {
  readonly id: string;
  readonly label: string;
  readonly isRequired: boolean;
  readonly errorMessage?: string;
}

export interface InputText extends InputBase {
  readonly type: 'Input.Text';
  readonly isMultiline?: true;
  readonly placeholder?: string;
  readonly value?: string;
}

export interface InputChoiceSet extends InputBase {
  readonly type: 'Input.ChoiceSet';
  readonly choices: readonly { readonly title: string; readonly value: string }[];
  /** Teams' people picker (a Teams extension in 1.5, standard in 1.6): the value is the chosen person's AAD object id. */
  readonly 'choices.data'?: { readonly type: 'Data.Query'; readonly dataset: string };
  readonly style?: 'compact';
  readonly placeholder?: string;
  readonly value?: string;
}

export interface InputDate extends InputBase {
  readonly type: 'Input.Date';
  /** `YYYY-MM-DD` */
  readonly value?: string;
}

export interface InputTime extends InputBase {
  readonly type: 'Input.Time';
  /** `HH:mm` */
  readonly value?: string;
}

export type CardInput = InputText | InputChoiceSet | InputDate | InputTime;

export type CardElement = TextBlock | FactSet | Container | ActionSet | CardInput;

export interface ExecuteAction {
  readonly type: 'Action.Execute';
  readonly title: string;
  /** Arrives as `activity.value.action.verb` in the bot's `adaptiveCard/action` invoke. */
  readonly verb: string;
  /** Arrives as `activity.value.action.data`, merged with the card's input values. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly style?: 'positive' | 'destructive';
  readonly mode?: 'secondary';
}

export interface ToggleVisibilityAction {
  readonly type: 'Action.ToggleVisibility';
  readonly title: string;
  readonly targetElements: readonly string[];
}

export type CardAction = ExecuteAction | ToggleVisibilityAction;

/** A mention in a card: its `text` appears verbatim in the card's text, and Teams notifies `mentioned.id`. */
export interface MentionEntity {
  readonly type: 'mention';
  /** `<at>bob</at>` */
  readonly text: string;
  /** `id`: the person's AAD object id. */
  readonly mentioned: { readonly id: string; readonly name: string };
}

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly $schema: typeof ADAPTIVE_CARD_SCHEMA;
  readonly version: '1.5';
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardAction[];
  /** Teams' host extension: full width in channels, and the card's mentions. */
  readonly msteams: { readonly width: 'Full'; readonly entities?: readonly MentionEntity[] };
}

export interface AdaptiveCardMessage {
  readonly card: AdaptiveCard;
  /** Plain text for the activity's `summary` (notifications, the chat list): instants as the team's clock. */
  readonly text: string;
  /** The card's mentions, the same as `card.msteams.entities`. */
  readonly entities: MentionEntity[];
}

/** A card around the given content; the form renderer builds its cards with it too. */
export const adaptiveCard = (body: readonly CardElement[], actions: readonly CardAction[] = [], entities: readonly MentionEntity[] = []): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: ADAPTIVE_CARD_SCHEMA,
  version: '1.5',
  body,
  ...(actions.length > 0 ? { actions } : {}),
  msteams: { width: 'Full', ...(entities.length > 0 ? { entities } : {}) },
});

const MARKS = STEP_MARKS;

/**
 * TextBlocks and facts render a Markdown subset (emphasis, links, lists), Teams also reads `<at>…</at>` and
 * `{{DATE(…)}}` in them, and entities (`&lt;`) are decoded. A backslash makes any of these characters literal
 * (CommonMark), and it also breaks up `{{` so no date function can be forged.
 */
const INLINE = /[\\`*_{}[\]<>&]/g;

/**
 * At a line start: headings, bullets and rules (`-`, `+`; `*` and `>` are escaped everywhere) and numbered lists
 * (`1.`, `1)`). Only where they would open one, so `1.2.3` or `-5` stay as typed on clients that show backslashes.
 */
const LINE_START = /^(?:#|[+-](?=[\s+-]|$)|\d{1,9}[.)](?=\s|$))/;

/**
 * Some Teams clients show a backslash instead of reading it (MicrosoftDocs/msteams-docs#5793), so a character that can
 * only be markup in pairs, the strikethrough tilde, is escaped only when the text has a pair: `(~2m)` stays as it is.
 */
const escapeInline = (text: string, tildes: boolean): string => {
  const escaped = text.replace(INLINE, '\\$&');
  return tildes ? escaped.replace(/~/g, '\\~') : escaped;
};

const escapeLine = (line: string, tildes: boolean): string =>
  escapeInline(line, tildes).replace(LINE_START, (opening) => (/^\d/.test(opening) ? `${opening.slice(0, -1)}\\${opening.slice(-1)}` : `\\${opening}`));

const pairedTildes = (text: string): boolean => (text.match(/~/g)?.length ?? 0) >= 2;

/**
 * Text as literal characters in a TextBlock. A single line break is only a space in Markdown, so every break
 * becomes a paragraph break; leading spaces would make a code block, so lines start at their first character.
 */
const escapeRun = (text: string, atLineStart: boolean, tildes: boolean): { text: string; atLineStart: boolean } => {
  const lines = text.split(/\r\n|\r|\n/);
  const escaped = lines.map((line, i) => (i > 0 || atLineStart ? escapeLine(line.trimStart(), tildes) : escapeInline(line, tildes)));
  const last = lines.length > 1 || atLineStart ? (lines.at(-1) ?? '').trim() === '' : false;
  return { text: escaped.join('\n\n'), atLineStart: last };
};

/** User text as Markdown that shows exactly these characters. */
export const escapeMarkdown = (text: string): string => escapeRun(text, true, pairedTildes(text)).text;

/** `2026-11-23T14:02:00Z`: the strict RFC 3339 form the DATE and TIME functions accept (no fraction). */
const rfc3339 = (iso: string): string | undefined => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const text = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? text : undefined;
};

/** Each reader's Teams shows the instant in their own zone and locale. */
const timeFunction = (part: Extract<TextPart, { time: string }>): string | undefined => {
  const at = rfc3339(part.time);
  if (at === undefined) return undefined;
  return part.style === 'datetime' ? `{{DATE(${at}, SHORT)}} {{TIME(${at})}}` : `{{TIME(${at})}}`;
};

/** Only a Teams user (`teams:<aad-object-id>`) becomes a mention; anyone else is their name. */
const mention = (part: Extract<TextPart, { person: string }>): MentionEntity | undefined => {
  const id = /^teams:(\S+)$/.exec(part.person)?.[1];
  // Angle brackets would end the <at> tag early; what is left must still name someone.
  const name = part.fallback.replace(/[<>]/g, '').trim();
  if (id === undefined || name === '') return undefined;
  return { type: 'mention', text: `<at>${escapeInline(name, pairedTildes(name))}</at>`, mentioned: { id, name } };
};

interface Inline {
  readonly text: string;
  readonly entities: readonly MentionEntity[];
}

/** Message text (with its marks) as TextBlock Markdown: user text escaped before our own markup goes in. */
const inline = (text: string, atLineStart = true): Inline => {
  const out: string[] = [];
  const entities: MentionEntity[] = [];
  let lineStart = atLineStart;
  const tildes = pairedTildes(plainText(text));
  const literal = (run: string): void => {
    const escaped = escapeRun(run, lineStart, tildes);
    out.push(escaped.text);
    lineStart = escaped.atLineStart;
  };
  for (const part of textParts(text)) {
    if ('text' in part) {
      literal(part.text);
      continue;
    }
    const entity = 'person' in part ? mention(part) : undefined;
    const token = 'person' in part ? entity?.text : timeFunction(part);
    if (token === undefined) {
      literal(part.fallback);
      continue;
    }
    if (entity) entities.push(entity);
    out.push(token);
    lineStart = false;
  }
  return { text: out.join(''), entities };
};

/** One line: titles, fact labels and steps. */
const flat = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ');

const blank = (text: string): boolean => plainText(text).trim() === '';

/** The first `length` characters, one fewer rather than half a surrogate pair. */
const head = (text: string, length: number): string => {
  const kept = text.slice(0, Math.max(0, length));
  return /[\uD800-\uDBFF]$/.test(kept) ? kept.slice(0, -1) : kept;
};

/** Cuts plain text visibly. */
const cut = (text: string, max: number): string => (text.length <= max ? text : `${head(text, max - 1)}…`);

/** Cuts message text to `max` characters as people read it (a mark counts as its fallback), never inside a mark. */
const clip = (text: string, max: number): string => {
  if (plainText(text).length <= max) return text;
  let room = max - 1;
  let out = '';
  for (const part of textParts(text)) {
    const length = 'text' in part ? part.text.length : part.fallback.length;
    if (length > room) return `${out}${'text' in part ? head(part.text, room) : ''}…`;
    out += 'text' in part ? part.text : 'person' in part ? personMark(part.person, part.fallback) : timeMark(part.time, part.style, part.fallback);
    room -= length;
  }
  return `${out}…`;
};

const textBlock = (text: string, style: Omit<TextBlock, 'type' | 'text' | 'wrap'> = {}): TextBlock => ({ type: 'TextBlock', text, wrap: true, ...style });

/** Content and how many of the message's lines it carries, for the "not shown" count. */
interface Piece {
  readonly elements: readonly CardElement[];
  readonly entities: readonly MentionEntity[];
  readonly lines: number;
}

const piece = (element: CardElement, entities: readonly MentionEntity[], lines = 1): Piece => ({ elements: [element], entities, lines });

const titlePiece = (title: string | undefined): Piece[] => {
  if (title === undefined || blank(title)) return [];
  const { text, entities } = inline(flat(clip(title, L.title)));
  return [piece(textBlock(text, { size: 'Medium', weight: 'Bolder' }), entities)];
};

const paragraphPieces = (text: readonly string[]): Piece[] =>
  text.filter((paragraph) => !blank(paragraph)).map((paragraph) => {
    const rendered = inline(clip(paragraph, L.text));
    return piece(textBlock(rendered.text), rendered.entities);
  });

/** Ten facts a set, as Slack's fields: a long list is cut by whole sets. */
const factPieces = (fields: readonly Field[]): Piece[] => {
  const facts = fields
    .filter((field) => !blank(field.label) || !blank(field.value))
    .map((field) => ({ title: inline(flat(clip(field.label, L.factLabel))), value: inline(clip(field.value, L.factValue)) }));
  const pieces: Piece[] = [];
  for (let i = 0; i < facts.length; i += 10) {
    const set = facts.slice(i, i + 10);
    pieces.push(piece({ type: 'FactSet', facts: set.map((fact) => ({ title: fact.title.text, value: fact.value.text })) }, set.flatMap((fact) => [...fact.title.entities, ...fact.value.entities]), set.length));
  }
  return pieces;
};

const stepPieces = (steps: readonly StepLine[]): Piece[] =>
  steps.map((step) => {
    const { text, entities } = inline(flat(clip(step.text, L.text)), false);
    return piece(textBlock(`${MARKS[step.mark]} ${text}`), entities);
  });

/** Output in monospace, its end kept when long (the last lines say how it ended); Markdown in it is escaped. */
const outputPieces = (output: readonly string[]): Piece[] => {
  if (output.length === 0) return [];
  const text = output.map(plainText).join('\n');
  const kept = text.length > L.text - 2 ? `…\n${text.slice(text.length - L.text + 2).replace(/^[^\n]*\n/, '')}` : text;
  return [piece(textBlock(escapeMarkdown(kept), { fontType: 'Monospace' }), [], output.length)];
};

const contextPieces = (context: readonly string[]): Piece[] =>
  context.filter((line) => !blank(line)).map((line) => {
    const { text, entities } = inline(clip(line, L.text));
    return piece(textBlock(text, { isSubtle: true, size: 'Small' }), entities);
  });

const STYLES: Record<NonNullable<Button['style']>, ExecuteAction['style']> = { primary: 'positive', danger: 'destructive' };

/**
 * `verb` is the action id and `data` carries it again with the value, so a handler needs only the invoke's data. Ids
 * and values are never cut: a cut one would act on something else than the button says.
 */
const executeAction = (button: Button, index: number): ExecuteAction => ({
  type: 'Action.Execute',
  title: cut(flat(plainText(button.label)).trim(), L.actionTitle),
  verb: button.actionId,
  data: { actionId: button.actionId, value: button.value },
  ...(button.style ? { style: STYLES[button.style] } : {}),
  ...(index >= L.primaryActions ? { mode: 'secondary' } : {}),
});

const encoder = new TextEncoder();
const bytes = (value: unknown): number => encoder.encode(JSON.stringify(value)).length;
const piecesBytes = (pieces: readonly Piece[]): number => pieces.reduce((sum, p) => sum + p.elements.reduce((s, element) => s + bytes(element) + 1, 0), 0);

const notShown = (lines: number): Piece => piece(textBlock(`… ${lines} more ${lines === 1 ? 'line' : 'lines'} not shown`, { isSubtle: true, size: 'Small' }), [], 0);

/**
 * Teams refuses an oversized message outright. Buttons are how people act, so they always stay; content is cut from its
 * end instead, and a note says how much, so nobody takes a partial card for the whole.
 */
const fit = (pieces: readonly Piece[], actions: readonly CardAction[], budget: number): Piece[] => {
  const skeleton = bytes(adaptiveCard([], actions, pieces.flatMap((p) => p.entities)));
  if (skeleton + piecesBytes(pieces) <= budget) return [...pieces];
  const room = budget - skeleton - piecesBytes([notShown(999_999)]);
  const kept: Piece[] = [];
  let used = 0;
  for (const p of pieces) {
    const size = piecesBytes([p]);
    if (used + size > room) break;
    kept.push(p);
    used += size;
  }
  const hidden = pieces.slice(kept.length).reduce((sum, p) => sum + p.lines, 0);
  return [...kept, notShown(hidden)];
};

const FILE_ID = 'planb-file';

/**
 * A shared document (a post-mortem draft), folded away under its name. A bot can upload files to personal chats
 * only, not to channels, so the text itself travels in the card: escaped, as monospaced source, and cut at a line
 * end to fit `budget` bytes.
 */
const filePiece = (file: MessageFile, budget: number): Piece => {
  const heading = textBlock(escapeMarkdown(flat(`${file.title} (${file.name})`)), { weight: 'Bolder' });
  const toggle: ActionSet = { type: 'ActionSet', actions: [{ type: 'Action.ToggleVisibility', title: `Show or hide ${cut(flat(file.name), L.actionTitle - 13)}`, targetElements: [FILE_ID] }] };
  const content = (text: string): Container => ({ type: 'Container', id: FILE_ID, isVisible: false, items: [textBlock(text, { fontType: 'Monospace' })] });
  const full = content(escapeMarkdown(file.content));
  const room = budget - bytes(heading) - bytes(toggle) - 2;
  if (bytes(full) <= room) return { elements: [heading, toggle, full], entities: [], lines: 1 };
  const shortened = (length: number): Container => {
    const lineEnd = file.content.lastIndexOf('\n', length);
    const end = lineEnd > length / 2 ? lineEnd : head(file.content, length).length;
    const note = `… ${file.content.length - end} more characters not shown: a Teams message holds about 28 KB.`;
    return content(`${escapeMarkdown(file.content.slice(0, end))}\n\n${escapeMarkdown(note)}`);
  };
  // The longest prefix that fits: escaping and JSON make bytes grow unevenly with length.
  let low = 0;
  let high = file.content.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytes(shortened(mid)) <= room) low = mid;
    else high = mid - 1;
  }
  return { elements: [heading, toggle, shortened(low)], entities: [], lines: 1 };
};

/** One entity per person: their `<at>name</at>` may appear several times in the card. */
const unique = (entities: readonly MentionEntity[]): MentionEntity[] => [...new Map(entities.map((entity) => [`${entity.text}\n${entity.mentioned.id}`, entity])).values()];

/** Notifications and the chat list show only this: no Markdown, instants as their fallback (the team's clock). */
const fallbackText = (message: Message): string => {
  const parts = [message.title, message.text[0]].map((part) => flat(plainText(part ?? '')).trim()).filter((part) => part !== '');
  return cut(parts.length > 0 ? parts.join(': ') : flat(message.file?.title ?? '').trim(), L.fallbackText);
};

/**
 * The message as an Adaptive Card for a Teams activity attachment, with its plain-text summary and mentions. Order as in
 * the model: title, text, fields, steps, context (small print); a shared document last; buttons as the card's actions.
 * @example renderAdaptiveCard({ key: 'k', title: 'Web release', text: ['alice drives.'] }).card.body
 * // [{ type: 'TextBlock', text: 'Web release', wrap: true, size: 'Medium', weight: 'Bolder' }, { type: 'TextBlock', text: 'alice drives.', wrap: true }]
 */
export const renderAdaptiveCard = (message: Message): AdaptiveCardMessage => {
  const actions = (message.buttons ?? []).map(executeAction);
  // A document always keeps at least its name and the note on what is cut, so the rest leaves room for that.
  const reserved = message.file ? piecesBytes([filePiece(message.file, 0)]) : 0;
  const content = fit(
    [...titlePiece(message.title), ...paragraphPieces(message.text), ...factPieces(message.fields ?? []), ...stepPieces(message.steps ?? []), ...outputPieces(message.output ?? []), ...contextPieces(message.context ?? [])],
    actions,
    L.cardBytes - reserved,
  );
  const used = bytes(adaptiveCard([], actions, content.flatMap((p) => p.entities))) + piecesBytes(content);
  const pieces = message.file ? [...content, filePiece(message.file, Math.min(L.fileBytes, L.cardBytes - used))] : content;
  const entities = unique(pieces.flatMap((p) => p.entities));
  return { card: adaptiveCard(pieces.flatMap((p) => p.elements), actions, entities), text: fallbackText(message), entities };
};
