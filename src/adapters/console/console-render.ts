/** Pure text rendering of the neutral message model for the terminal. */
import type { Message, MessageFile, StepMark } from '../../app/message.js';
import { plainText } from '../../app/message.js';

const MARKS: Record<StepMark, string> = {
  done: '✓',
  current: '▶',
  pending: '○',
  warning: '⚠',
  failed: '✗',
  skipped: '–',
};

/** Chat text is one line per paragraph here: a newline in user text must not forge a new line. */
const flat = (text: string): string => plainText(text).replace(/\s*[\r\n]+\s*/g, ' ');

/**
 * A shared document in full, between marker lines. Its lines are indented like the rest of the message, so that
 * none of them (a post-mortem quotes what people typed) can pass for a message of its own.
 */
const fileLines = (file: MessageFile): string[] => [
  `--- ${flat(file.name)} ---`,
  ...plainText(file.content).trimEnd().split(/\r\n|\r|\n/),
  `--- end of ${flat(file.name)} ---`,
];

/**
 * Renders a message under a prefix such as `[#console]`, numbering its buttons with `number`; a shared file follows it.
 * @example renderConsole(card, '[#console]', () => 1) // "[#console] Web release: …  [1] Accept"
 */
export const renderConsole = (message: Message, prefix: string, number: (index: number) => number): string => {
  const [first = '', ...rest] = message.text.map(flat);
  const head = message.title ? `${flat(message.title)}: ${first}` : first;
  const body = [
    ...rest,
    ...(message.fields ?? []).map((field) => `${flat(field.label)}: ${flat(field.value)}`),
    ...(message.steps ?? []).map((step) => `${MARKS[step.mark]} ${flat(step.text)}`),
    // Behind a bar, so that no output line can pass for a message of its own.
    ...(message.output ?? []).map((line) => `| ${flat(line)}`.trimEnd()),
    ...(message.context ?? []).map(flat),
  ];
  const buttons = (message.buttons ?? []).map((button, index) => `[${number(index)}] ${flat(button.label)}`).join('  ');
  const lines = [`${prefix} ${head}`.trimEnd(), ...body.map((line) => `  ${line}`)];
  if (buttons) {
    if (body.length === 0) lines[0] = `${lines[0] ?? ''}  ${buttons}`;
    else lines.push(`  ${buttons}`);
  }
  if (message.file) lines.push(...fileLines(message.file).map((line) => `  ${line}`.trimEnd()));
  return lines.join('\n');
};
