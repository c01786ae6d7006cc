/** `/incident …`: declaring, leading, updating, noting, deciding and resolving incidents. */
import { parseDuration } from '../../domain/duration.js';
import type { GrammarError, GrammarOptions, ParsedCommand } from './commands.js';
import { parseMention } from './mention.js';
import { channelRef, durationOption, grammarError, leadingId, NOT_A_DURATION, trailingOptions, words } from './shared.js';
import type { Token } from './tokenize.js';
import { INCIDENT_USAGE } from './usage.js';

const usage = (sub: keyof typeof INCIDENT_USAGE): string => INCIDENT_USAGE[sub];

const declare = (args: readonly Token[]): ParsedCommand | GrammarError => {
  if (args.length === 0) return { kind: 'form', form: 'incident.declare' };
  const split = trailingOptions(args, ['severity', 'timebox', 'updates', 'stakeholders'], usage('declare'));
  if ('kind' in split) return split;
  const title = words(split.rest);
  if (title === '') return grammarError('/incident declare needs a title: what is broken, for whom.', usage('declare'));
  const { severity, stakeholders } = split.options;
  if (severity !== undefined && !/^[1-4]$/.test(severity)) return grammarError(`severity=${severity}: severity is 1 (worst) to 4.`, usage('declare'));
  const timeboxMs = durationOption(split.options, 'timebox', usage('declare'));
  const updatesMs = durationOption(split.options, 'updates', usage('declare'));
  if (typeof timeboxMs === 'object') return timeboxMs;
  if (typeof updatesMs === 'object') return updatesMs;
  return {
    kind: 'incident.declare',
    title,
    ...(severity === undefined ? {} : { severity: Number(severity) as 1 | 2 | 3 | 4 }),
    ...(timeboxMs === undefined ? {} : { timeboxMs }),
    ...(updatesMs === undefined ? {} : { updatesMs }),
    ...(stakeholders === undefined ? {} : { stakeholders: channelRef(stakeholders) }),
  };
};

const decide = (incident: { incident?: string }, rest: readonly Token[]): ParsedCommand | GrammarError => {
  const [choice, ...more] = rest;
  switch (choice?.text.toLowerCase()) {
    case 'rollback':
    case 'fixed':
      // Every decision records who and why: the why is optional here, since the buttons cannot carry one.
      return {
        kind: 'incident.decide',
        ...incident,
        decision: choice?.text.toLowerCase() === 'fixed' ? 'fixed' : 'rollback',
        ...(more.length > 0 ? { reason: words(more) } : {}),
      };
    case 'extend': {
      const [duration, ...reason] = more;
      const extendMs = duration ? parseDuration(duration.text) : undefined;
      if (!duration || extendMs === undefined) {
        return grammarError(duration ? `${NOT_A_DURATION(duration.text)}` : 'Say for how long: /incident decide extend 10m <reason>.', usage('decide'));
      }
      if (reason.length === 0) return grammarError('An extension needs a reason: what will be different in that time?', usage('decide'));
      return { kind: 'incident.decide', ...incident, decision: 'extend', extendMs, reason: words(reason) };
    }
    default:
      return grammarError('Decide one of: rollback, fixed, or extend <duration> <reason>.', usage('decide'));
  }
};

export const parseIncident = (tokens: readonly Token[], options: GrammarOptions): ParsedCommand | GrammarError => {
  const [head, ...args] = tokens;
  const sub = head?.text.toLowerCase();
  if (sub === 'declare') return declare(args);
  const { id, rest } = leadingId(args, options.isIncidentId);
  const incident = id === undefined ? {} : { incident: id };
  switch (sub) {
    case undefined:
    case 'help':
      return { kind: 'incident.help' };
    case 'lead': {
      const [who, ...extra] = rest;
      if (!who || extra.length > 0) return grammarError('Name one person to lead: /incident lead @name.', usage('lead'));
      const lead = parseMention(who.text, options.platform);
      return typeof lead === 'string' ? { kind: 'incident.lead', ...incident, lead } : grammarError(lead.error, usage('lead'));
    }
    case 'update': {
      const text = words(rest);
      return text === '' ? grammarError('/incident update needs the text of the update.', usage('update')) : { kind: 'incident.update', ...incident, text };
    }
    case 'note': {
      const text = words(rest);
      return text === '' ? grammarError('/incident note needs the text of the note.', usage('note')) : { kind: 'incident.note', ...incident, text };
    }
    case 'decide':
      return decide(incident, rest);
    case 'resolve': {
      const summary = words(rest);
      return { kind: 'incident.resolve', ...incident, ...(summary === '' ? {} : { summary }) };
    }
    case 'postmortem':
      return rest.length > 0 ? grammarError(`There is no incident ${words(rest)}.`, usage('postmortem')) : { kind: 'incident.postmortem', ...incident };
    default:
      return grammarError(`/incident has no subcommand "${head?.text ?? ''}".`, Object.values(INCIDENT_USAGE).join('\n'));
  }
};
