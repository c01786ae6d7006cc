/** `/release …`: the release family of the grammar. */
import { parseDuration } from '../../domain/duration.js';
import type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
import { parseMention } from './mention.js';
import { grammarError, leadingId, NOT_A_DURATION, words } from './shared.js';
import type { Token } from './tokenize.js';
import { RELEASE_USAGE } from './usage.js';

type Sub = keyof typeof RELEASE_USAGE;

const usageError = (sub: Sub, message: string): GrammarError => grammarError(message, RELEASE_USAGE[sub]);

/** The optional leading release id: taken only when such a release exists. */
const leadingRelease = (tokens: readonly Token[], options: GrammarOptions): { release?: string; rest: readonly Token[] } => {
  const { id, rest } = leadingId(tokens, options.isReleaseId);
  return id === undefined ? { rest } : { release: id, rest };
};

const RESERVED = ['confirmer', 'window', 'override'] as const;

const start = (tokens: readonly Token[], options: GrammarOptions): ParsedCommand | GrammarError => {
  const [name, ...rest] = tokens;
  if (!name) return { kind: 'form', form: 'release.start' };
  if (name.key !== undefined) return usageError('start', `Name the runbook first: /release start <runbook> ${name.text} …`);
  const params: Record<string, string> = {};
  const reserved: Partial<Record<(typeof RESERVED)[number], string>> = {};
  for (const token of rest) {
    if (token.key === undefined || token.value === undefined) {
      return usageError('start', `Unexpected "${token.text}": parameters are key=value, e.g. version=1.2.3.`);
    }
    const key = token.key.toLowerCase();
    const isReserved = (RESERVED as readonly string[]).includes(key);
    if ((isReserved ? reserved[key as (typeof RESERVED)[number]] : params[token.key]) !== undefined) {
      return usageError('start', `${token.key} is given twice.`);
    }
    if (token.value === '') return usageError('start', `${token.key}= needs a value.`);
    if (isReserved) reserved[key as (typeof RESERVED)[number]] = token.value;
    else params[token.key] = token.value;
  }
  let confirmer: string | undefined;
  if (reserved.confirmer !== undefined) {
    const mention = parseMention(reserved.confirmer, options.platform);
    if (typeof mention !== 'string') return usageError('start', `confirmer=${reserved.confirmer}: ${mention.error}`);
    confirmer = mention;
  }
  return {
    kind: 'release.start',
    runbook: name.text,
    params,
    ...(confirmer === undefined ? {} : { confirmer }),
    ...(reserved.window === undefined ? {} : { window: reserved.window }),
    ...(reserved.override === undefined ? {} : { override: reserved.override }),
  };
};

/** `[<release-id>] <text>` with the text required. */
const idAndText = (sub: Sub, tokens: readonly Token[], options: GrammarOptions, what: string): { release?: string; text: string } | GrammarError => {
  const { release, rest } = leadingRelease(tokens, options);
  const text = words(rest);
  if (text === '') return usageError(sub, `/release ${sub} needs ${what}.`);
  return { ...(release === undefined ? {} : { release }), text };
};

export const parseRelease = (tokens: readonly Token[], options: GrammarOptions): ParsedCommand | GrammarError => {
  const [head, ...args] = tokens;
  const sub = head?.text.toLowerCase();
  switch (sub) {
    case undefined:
    case 'help':
      return { kind: 'release.help' };
    case 'runbooks':
    case 'list':
      return args.length > 0 ? usageError(sub, `/release ${sub} takes no arguments.`) : { kind: sub === 'list' ? 'release.list' : 'release.runbooks' };
    case 'start':
      return start(args, options);
    case 'status': {
      const { release, rest } = leadingRelease(args, options);
      if (rest.length > 0) return usageError('status', `There is no release ${words(rest)}. /release list shows them.`);
      return { kind: 'release.status', ...(release === undefined ? {} : { release }) };
    }
    case 'abort':
    case 'rollback':
    case 'reject': {
      const parsed = idAndText(sub, args, options, 'a reason');
      if ('kind' in parsed) return parsed;
      return { kind: `release.${sub}`, ...(parsed.release === undefined ? {} : { release: parsed.release }), reason: parsed.text };
    }
    case 'unlock': {
      const [runbook, ...reason] = args;
      if (!runbook || reason.length === 0) return usageError('unlock', '/release unlock needs the runbook and what was done about the cause.');
      return { kind: 'release.unlock', runbook: runbook.text, reason: words(reason) };
    }
    case 'check': {
      const { release, rest } = leadingRelease(args, options);
      const [item, ...evidence] = rest;
      if (!item) return usageError('check', '/release check needs the id of the preflight check.');
      const text = words(evidence);
      return { kind: 'release.check', ...(release === undefined ? {} : { release }), item: item.text, ...(text === '' ? {} : { evidence: text }) };
    }
    case 'trouble': {
      const last = args[args.length - 1];
      let timeboxMs: number | undefined;
      let body = args;
      if (last?.key === 'timebox' && last.value !== undefined) {
        timeboxMs = parseDuration(last.value);
        if (timeboxMs === undefined) return usageError('trouble', `timebox=${last.value}: ${NOT_A_DURATION(last.value)}`);
        body = args.slice(0, -1);
      }
      const parsed = idAndText('trouble', body, options, 'a description of what is wrong');
      if ('kind' in parsed) return parsed;
      return { kind: 'release.trouble', ...(parsed.release === undefined ? {} : { release: parsed.release }), text: parsed.text, ...(timeboxMs === undefined ? {} : { timeboxMs }) };
    }
    default:
      return grammarError(`/release has no subcommand "${head?.text ?? ''}".`, Object.values(RELEASE_USAGE).join('\n'));
  }
};
