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

const RESERVED = ['confirmer', 'window', 'override', 'env'] as const;

type Reserved = (typeof RESERVED)[number];

/** `<runbook> [key=value …]` with the reserved keys apart; a drill takes no window or override. */
const runbookArgs = (
  sub: 'start' | 'drill',
  tokens: readonly Token[],
  options: GrammarOptions,
): { runbook: string; params: Record<string, string>; reserved: Partial<Record<Reserved, string>>; confirmer?: string } | GrammarError => {
  const [name, ...rest] = tokens;
  if (!name || name.key !== undefined) return usageError(sub, `Name the runbook first: /release ${sub} <runbook> ${name?.text ?? ''} …`);
  const allowed: readonly Reserved[] = sub === 'start' ? RESERVED : ['confirmer', 'env'];
  const params: Record<string, string> = {};
  const reserved: Partial<Record<Reserved, string>> = {};
  for (const token of rest) {
    if (token.key === undefined || token.value === undefined) {
      return usageError(sub, `Unexpected "${token.text}": parameters are key=value, e.g. version=1.2.3.`);
    }
    const key = token.key.toLowerCase();
    const isReserved = (RESERVED as readonly string[]).includes(key);
    if (isReserved && !allowed.includes(key as Reserved)) return usageError(sub, `/release ${sub} takes no ${key}=.`);
    if ((isReserved ? reserved[key as Reserved] : params[token.key]) !== undefined) {
      return usageError(sub, `${token.key} is given twice.`);
    }
    if (token.value === '') return usageError(sub, `${token.key}= needs a value.`);
    if (isReserved) reserved[key as Reserved] = token.value;
    else params[token.key] = token.value;
  }
  if (reserved.confirmer === undefined) return { runbook: name.text, params, reserved };
  const mention = parseMention(reserved.confirmer, options.platform);
  if (typeof mention !== 'string') return usageError(sub, `confirmer=${reserved.confirmer}: ${mention.error}`);
  return { runbook: name.text, params, reserved, confirmer: mention };
};

const start = (tokens: readonly Token[], options: GrammarOptions): ParsedCommand | GrammarError => {
  if (tokens.length === 0) return { kind: 'form', form: 'release.start' };
  const parsed = runbookArgs('start', tokens, options);
  if ('kind' in parsed) return parsed;
  const { reserved } = parsed;
  return {
    kind: 'release.start',
    runbook: parsed.runbook,
    params: parsed.params,
    ...(parsed.confirmer === undefined ? {} : { confirmer: parsed.confirmer }),
    ...(reserved.window === undefined ? {} : { window: reserved.window }),
    ...(reserved.override === undefined ? {} : { override: reserved.override }),
    ...(reserved.env === undefined ? {} : { environment: reserved.env }),
  };
};

const drill = (tokens: readonly Token[], options: GrammarOptions): ParsedCommand | GrammarError => {
  const parsed = runbookArgs('drill', tokens, options);
  if ('kind' in parsed) return parsed;
  return {
    kind: 'release.drill',
    runbook: parsed.runbook,
    params: parsed.params,
    ...(parsed.confirmer === undefined ? {} : { confirmer: parsed.confirmer }),
    ...(parsed.reserved.env === undefined ? {} : { environment: parsed.reserved.env }),
  };
};

/** `env=<name>` anywhere among the words: taken out of them. */
const takeEnv = (tokens: readonly Token[]): { environment?: string; rest: readonly Token[] } => {
  const found = tokens.find((token) => token.key?.toLowerCase() === 'env' && token.value !== undefined && token.value !== '');
  return found?.value === undefined ? { rest: tokens } : { environment: found.value, rest: tokens.filter((token) => token !== found) };
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
    case 'drill':
      return drill(args, options);
    case 'rehearsals': {
      const [runbook, ...rest] = args;
      if (!runbook || runbook.key !== undefined || rest.length > 0) return usageError('rehearsals', '/release rehearsals needs the runbook, and nothing else.');
      return { kind: 'release.rehearsals', runbook: runbook.text };
    }
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
      const [runbook, ...more] = args;
      const { environment, rest: reason } = takeEnv(more);
      if (!runbook || reason.length === 0) return usageError('unlock', '/release unlock needs the runbook and what was done about the cause.');
      return { kind: 'release.unlock', runbook: runbook.text, reason: words(reason), ...(environment === undefined ? {} : { environment }) };
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
