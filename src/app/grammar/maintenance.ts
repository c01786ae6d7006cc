/** `/maintenance …`: scheduling and running maintenance windows. */
import { parseDuration } from '../../domain/duration.js';
import type { GrammarError, ParsedCommand } from './commands.js';
import { channelRef, grammarError, NOT_A_DURATION, trailingOptions, words } from './shared.js';
import type { Token } from './tokenize.js';
import { MAINTENANCE_USAGE } from './usage.js';

const usage = (sub: keyof typeof MAINTENANCE_USAGE): string => MAINTENANCE_USAGE[sub];

const lastIndex = (tokens: readonly Token[], word: string, before = tokens.length): number => {
  for (let index = Math.min(before, tokens.length) - 1; index >= 0; index -= 1) {
    const token = tokens[index];
    if (token && !token.quoted && token.text.toLowerCase() === word) return index;
  }
  return -1;
};

const schedule = (args: readonly Token[]): ParsedCommand | GrammarError => {
  if (args.length === 0) return { kind: 'form', form: 'maintenance.schedule' };
  const split = trailingOptions(args, ['impact', 'services', 'remind'], usage('schedule'));
  if ('kind' in split) return split;
  let body = split.rest;
  let channel: string | undefined;
  const inAt = lastIndex(body, 'in');
  if (inAt >= 0 && inAt === body.length - 2 && lastIndex(body, 'for') < inAt) {
    channel = channelRef(body[inAt + 1]?.text ?? '');
    body = body.slice(0, inAt);
  }
  const forAt = lastIndex(body, 'for');
  const atAt = lastIndex(body, 'at', forAt);
  if (forAt < 0 || atAt < 0) return grammarError('Say when and for how long: /maintenance schedule "DB upgrade" at tomorrow 22:00 for 2h.', usage('schedule'));
  const title = words(body.slice(0, atAt));
  const at = words(body.slice(atAt + 1, forAt));
  const durationText = words(body.slice(forAt + 1));
  if (title === '') return grammarError('The window needs a title before "at".', usage('schedule'));
  if (at === '') return grammarError('Say when it starts after "at": an ISO time, or "tomorrow 22:00".', usage('schedule'));
  const durationMs = parseDuration(durationText);
  if (durationMs === undefined) return grammarError(`for ${durationText}: ${NOT_A_DURATION(durationText)}`, usage('schedule'));
  const { impact, services, remind } = split.options;
  const remindMs = remind?.split(',').map((part) => parseDuration(part.trim()));
  if (remindMs?.some((ms) => ms === undefined)) return grammarError(`remind=${remind ?? ''}: list durations before the start, e.g. remind=24h,1h,10m.`, usage('schedule'));
  return {
    kind: 'maintenance.schedule',
    title,
    at,
    durationMs,
    ...(channel === undefined ? {} : { channel }),
    ...(impact === undefined ? {} : { impact }),
    ...(services === undefined ? {} : { services: services.split(',').map((name) => name.trim()).filter((name) => name !== '') }),
    ...(remindMs === undefined ? {} : { remindMs: remindMs.filter((ms): ms is number => ms !== undefined) }),
  };
};

export const parseMaintenance = (tokens: readonly Token[]): ParsedCommand | GrammarError => {
  const [head, ...args] = tokens;
  const sub = head?.text.toLowerCase();
  const [id, ...rest] = args;
  const window = id?.text;
  switch (sub) {
    case undefined:
    case 'help':
      return { kind: 'maintenance.help' };
    case 'schedule':
      return schedule(args);
    case 'list':
      return args.length > 0 ? grammarError('/maintenance list takes no arguments.', usage('list')) : { kind: 'maintenance.list' };
    case 'cancel':
      if (window === undefined || rest.length === 0) return grammarError('/maintenance cancel needs the window id and a reason people will read.', usage('cancel'));
      return { kind: 'maintenance.cancel', window, reason: words(rest) };
    case 'extend': {
      const [duration, ...reason] = rest;
      const durationMs = duration ? parseDuration(duration.text) : undefined;
      if (window === undefined || !duration) return grammarError('/maintenance extend needs the window id, how long and why.', usage('extend'));
      if (durationMs === undefined) return grammarError(NOT_A_DURATION(duration.text), usage('extend'));
      if (reason.length === 0) return grammarError('Say why it needs longer: people waiting on the window will read it.', usage('extend'));
      return { kind: 'maintenance.extend', window, durationMs, reason: words(reason) };
    }
    case 'start':
    case 'complete':
      if (window === undefined || rest.length > 0) return grammarError(`/maintenance ${sub} takes the window id only.`, usage(sub));
      return { kind: sub === 'start' ? 'maintenance.start' : 'maintenance.complete', window };
    case 'reschedule': {
      const at = words(rest.slice(1));
      if (window === undefined || rest[0]?.text.toLowerCase() !== 'at' || at === '') return grammarError('Say the new start: /maintenance reschedule <id> at <time>.', usage('reschedule'));
      return { kind: 'maintenance.reschedule', window, at };
    }
    default:
      return grammarError(`/maintenance has no subcommand "${head?.text ?? ''}".`, Object.values(MAINTENANCE_USAGE).join('\n'));
  }
};
