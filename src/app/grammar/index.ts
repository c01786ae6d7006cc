/** One command grammar for Slack, Teams and the console (DESIGN.md, "Commands"). */
import type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
import { parseRelease } from './release.js';
import { tokenize, TokenizeError } from './tokenize.js';
import { helpText, INCIDENT_USAGE, MAINTENANCE_USAGE } from './usage.js';

export type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
export { isGrammarError } from './commands.js';
export { helpText } from './usage.js';

const FAMILIES = ['release', 'incident', 'maintenance'] as const;

const later = (family: 'incident' | 'maintenance', sub: string | undefined, usage: readonly string[]): ParsedCommand | GrammarError => {
  if (sub === undefined || sub === 'help') return { kind: `${family}.help` };
  const known = usage.flatMap((line) => [...line.matchAll(/(?:^\/\w+ |\| )(\w+)/g)].map((match) => match[1]));
  if (!known.includes(sub)) return { kind: 'grammar-error', message: `/${family} has no subcommand "${sub}".`, usage: usage.join('\n') };
  return { kind: `${family}.later`, subcommand: sub };
};

/**
 * Parses what a user typed after a mention, or a slash command joined with its text.
 * @example parseCommand('/release start web-deploy version=1.2.3 confirmer=@bob', options)
 */
export const parseCommand = (text: string, options: GrammarOptions): ParsedCommand | GrammarError => {
  const tokens = tokenize(text.trim());
  if (tokens instanceof TokenizeError) return { kind: 'grammar-error', message: tokens.message, usage: helpText('release') };
  const [head, ...rest] = tokens;
  const family = FAMILIES.find((name) => head?.text.toLowerCase() === name || head?.text.toLowerCase() === `/${name}`);
  if (!family) {
    return { kind: 'grammar-error', message: `Plan B knows /release, /incident and /maintenance, not "${head?.text ?? ''}".`, usage: '/release help\n/incident help\n/maintenance help' };
  }
  if (family === 'release') return parseRelease(rest, options);
  const sub = rest[0]?.text.toLowerCase();
  return later(family, sub, family === 'incident' ? INCIDENT_USAGE : MAINTENANCE_USAGE);
};
