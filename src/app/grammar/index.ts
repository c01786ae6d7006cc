/** One command grammar for Slack, Teams and the console (DESIGN.md, "Commands"). */
import type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
import { stripMarks } from '../message.js';
import { parseRelease } from './release.js';
import { tokenize, TokenizeError } from './tokenize.js';
import { helpText } from './usage.js';
import { parseIncident } from './incident.js';
import { parseMaintenance } from './maintenance.js';

export type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
export { isGrammarError } from './commands.js';
export { helpText, MAINTENANCE_USAGE } from './usage.js';

const FAMILIES = ['release', 'incident', 'maintenance'] as const;

/**
 * Parses what a user typed after a mention, or a slash command joined with its text.
 * @example parseCommand('/release start web-deploy version=1.2.3 confirmer=@bob', options)
 */
export const parseCommand = (text: string, options: GrammarOptions): ParsedCommand | GrammarError => {
  // Nothing a person types may carry the app's own time marks.
  const tokens = tokenize(stripMarks(text).trim());
  if (tokens instanceof TokenizeError) return { kind: 'grammar-error', message: tokens.message, usage: helpText('release') };
  const [head, ...rest] = tokens;
  const family = FAMILIES.find((name) => head?.text.toLowerCase() === name || head?.text.toLowerCase() === `/${name}`);
  if (!family) {
    return { kind: 'grammar-error', message: `Plan B knows /release, /incident and /maintenance, not "${head?.text ?? ''}".`, usage: '/release help\n/incident help\n/maintenance help' };
  }
  if (family === 'release') return parseRelease(rest, options);
  return family === 'incident' ? parseIncident(rest, options) : parseMaintenance(rest);
};
