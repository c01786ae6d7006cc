/** One neutral message model; each platform renders it (Block Kit, Adaptive Cards, console text). */

export type ButtonStyle = 'primary' | 'danger';

export interface Button {
  /** Stable action id, the same on every platform (e.g. `release_confirm`). */
  readonly actionId: string;
  readonly label: string;
  /** Opaque to the platform: what the action applies to (JSON). */
  readonly value: string;
  readonly style?: ButtonStyle;
}

export interface Field {
  readonly label: string;
  readonly value: string;
}

export type StepMark = 'done' | 'current' | 'pending' | 'warning' | 'failed' | 'skipped';

/** How every renderer marks a step: the same symbols on every platform. */
export const STEP_MARKS: Readonly<Record<StepMark, string>> = {
  done: '✅',
  current: '▶️',
  pending: '⚪',
  warning: '⚠️',
  failed: '❌',
  skipped: '➖',
};

export interface StepLine {
  readonly mark: StepMark;
  readonly text: string;
}

export interface Message {
  /** Stable key (`release/<id>/card`): a later change edits the message posted under the same key. */
  readonly key: string;
  readonly title?: string;
  /** Plain text paragraphs. User text inside is never markup: renderers escape it. */
  readonly text: readonly string[];
  readonly fields?: readonly Field[];
  readonly steps?: readonly StepLine[];
  /**
   * Lines of a program's output (a runner's), shown as they are in a monospace block after the text: nothing in
   * them is markup. Where a platform has too little room, the LAST lines are kept: they say how it ended.
   */
  readonly output?: readonly string[];
  readonly buttons?: readonly Button[];
  /** Small print under the message: who did what when. */
  readonly context?: readonly string[];
  /**
   * A document shared with the message (a post-mortem draft): Slack uploads it as a file (the text is its comment),
   * the console prints it. A message with a file is posted once, never edited.
   */
  readonly file?: MessageFile;
}

export interface MessageFile {
  /** `postmortem-inc-3.md` */
  readonly name: string;
  readonly title: string;
  /** Markdown. */
  readonly content: string;
}

/**
 * Instants inside message text. The app writes `timeMark(…)` where a time belongs; each renderer shows it its
 * own way: Slack as a `<!date^…>` token every reader sees in their own zone, Teams with its TIME() function,
 * the console as the fallback (the team's zone). Marks are delimited by two private-use characters that user
 * text never carries (the grammar strips them), so no one can forge one.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARK = /\uE000([^|\uE000\uE001]+)\|(time|datetime|person)\|([^\uE000\uE001]*)\uE001/g;

/** `time`: a clock time; `datetime`: with the date, for instants on another day than the message's context. */
export type TimeStyle = 'time' | 'datetime';

export type TextPart =
  | { readonly text: string }
  | { readonly time: string; readonly style: TimeStyle; readonly fallback: string }
  | { readonly person: string; readonly fallback: string };

/** @example timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02') */
export const timeMark = (iso: string, style: TimeStyle, fallback: string): string => `${OPEN}${iso}|${style}|${fallback}${CLOSE}`;

/**
 * A person to notify, where notifying them is the point (an escalation, a nudge): Slack renders a real mention,
 * the console the name. Everywhere else people appear by name only, so a card edit pings nobody.
 * @example personMark('slack:U0BOB', 'bob')
 */
export const personMark = (principal: string, name: string): string => `${OPEN}${principal}|person|${name}${CLOSE}`;

/** Splits text into plain runs, instants and people, in order. */
export const textParts = (text: string): TextPart[] => {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(MARK)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    if (match[2] === 'person') parts.push({ person: match[1] ?? '', fallback: match[3] ?? '' });
    else parts.push({ time: match[1] ?? '', style: match[2] === 'datetime' ? 'datetime' : 'time', fallback: match[3] ?? '' });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
};

/** The text with every instant as its fallback: for the console, logs and tests. */
export const plainText = (text: string): string => text.replace(MARK, (_match, _iso: string, _style: string, fallback: string) => fallback);

/** Removes mark delimiters from text a person typed. */
export const stripMarks = (text: string): string => text.replace(/[\uE000\uE001]/g, '');
