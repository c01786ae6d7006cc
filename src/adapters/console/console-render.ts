/** Pure text rendering of the neutral message model for the terminal. */
import type { Message, StepMark } from '../../app/message.js';
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
 * Renders a message under a prefix such as `[#console]`, numbering its buttons with `number`.
 * @example renderConsole(card, '[#console]', () => 1) // "[#console] Web release: …  [1] Accept"
 */
export const renderConsole = (message: Message, prefix: string, number: (index: number) => number): string => {
  const [first = '', ...rest] = message.text.map(flat);
  const head = message.title ? `${flat(message.title)}: ${first}` : first;
  const body = [
    ...rest,
    ...(message.fields ?? []).map((field) => `${flat(field.label)}: ${flat(field.value)}`),
    ...(message.steps ?? []).map((step) => `${MARKS[step.mark]} ${flat(step.text)}`),
    ...(message.context ?? []).map(flat),
  ];
  const buttons = (message.buttons ?? []).map((button, index) => `[${number(index)}] ${flat(button.label)}`).join('  ');
  const lines = [`${prefix} ${head}`.trimEnd(), ...body.map((line) => `  ${line}`)];
  if (buttons) {
    if (body.length === 0) lines[0] = `${lines[0] ?? ''}  ${buttons}`;
    else lines.push(`  ${buttons}`);
  }
  return lines.join('\n');
};
