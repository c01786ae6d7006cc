/** A submitted form → the command it stands for, and a refusal → the field it concerns. */
import { parseDuration } from '../domain/duration.js';
import type { FieldErrors, FormId, FormValues } from './form.js';
import type { ParsedCommand } from './grammar/index.js';
import { isGrammarError, parseCommand } from './grammar/index.js';
import type { GrammarOptions } from './grammar/index.js';

const text = (values: FormValues, id: string): string => values[id]?.trim() ?? '';

/** The runbook and confirmer come from pickers; parameters are typed as on the command line. */
const releaseStart = (values: FormValues, options: GrammarOptions): ParsedCommand | FieldErrors => {
  const runbook = text(values, 'runbook');
  if (!runbook) return { runbook: 'Pick a runbook.' };
  const confirmer = text(values, 'confirmer');
  if (!confirmer) return { confirmer: 'Pick who confirms each step: someone else than you.' };
  const parsed = parseCommand(`/release start ${runbook} ${text(values, 'params')}`, options);
  if (isGrammarError(parsed)) return { params: parsed.message };
  if (parsed.kind !== 'release.start') return { params: 'Parameters are key=value pairs, e.g. version=1.2.3.' };
  if (parsed.confirmer !== undefined) return { params: 'Pick the confirmer in its field, not among the parameters.' };
  return { ...parsed, confirmer };
};

const maintenanceSchedule = (values: FormValues): ParsedCommand | FieldErrors => {
  const title = text(values, 'title');
  const at = text(values, 'start');
  const durationMs = parseDuration(text(values, 'duration'));
  const errors: Record<string, string> = {};
  if (!title) errors['title'] = 'Give the window a title people will recognise.';
  if (!at) errors['start'] = 'Pick when it starts.';
  if (durationMs === undefined) errors['duration'] = 'A duration such as 90m, 2h or 1h30m.';
  if (Object.keys(errors).length > 0 || durationMs === undefined) return errors;
  const channel = text(values, 'channel');
  const impact = text(values, 'impact');
  const services = text(values, 'services')
    .split(',')
    .map((service) => service.trim())
    .filter((service) => service !== '');
  return {
    kind: 'maintenance.schedule',
    title,
    at,
    durationMs,
    ...(channel ? { channel } : {}),
    ...(impact ? { impact } : {}),
    ...(services.length > 0 ? { services } : {}),
  };
};

const incidentExtend = (values: FormValues): ParsedCommand | FieldErrors => {
  const incident = text(values, 'subject');
  const extendMs = parseDuration(text(values, 'duration'));
  const reason = text(values, 'reason');
  const errors: Record<string, string> = {};
  if (extendMs === undefined) errors['duration'] = 'A duration such as 5m, 10m or 1h.';
  if (!reason) errors['reason'] = 'An extension needs a reason: what will be different in that time?';
  if (extendMs === undefined || !reason) return errors;
  return { kind: 'incident.decide', ...(incident ? { incident } : {}), decision: 'extend', extendMs, reason };
};

const maintenanceExtend = (values: FormValues): ParsedCommand | FieldErrors => {
  const window = text(values, 'subject');
  const durationMs = parseDuration(text(values, 'duration'));
  const reason = text(values, 'reason');
  const errors: Record<string, string> = {};
  if (durationMs === undefined) errors['duration'] = 'A duration such as 15m, 30m or 1h.';
  if (!reason) errors['reason'] = 'Say why it needs longer: everyone waiting on the window reads it.';
  if (!window) errors['duration'] = 'This form lost its window: run /maintenance extend <id> <duration> <reason> instead.';
  if (durationMs === undefined || !reason || !window) return errors;
  return { kind: 'maintenance.extend', window, durationMs, reason };
};

const incidentDeclare = (values: FormValues): ParsedCommand | FieldErrors => {
  const title = text(values, 'title');
  const severity = Number(text(values, 'severity') || '2');
  if (!title) return { title: 'Say what is wrong, in words stakeholders understand.' };
  if (![1, 2, 3, 4].includes(severity)) return { severity: 'Pick a severity from 1 to 4.' };
  const stakeholders = text(values, 'stakeholders');
  return { kind: 'incident.declare', title, severity: severity as 1 | 2 | 3 | 4, ...(stakeholders ? { stakeholders } : {}) };
};

export const isFieldErrors = (value: ParsedCommand | FieldErrors): value is FieldErrors => !('kind' in value && typeof value.kind === 'string');

/**
 * What the submitted form asks for, as if it had been typed; or what is missing, by field.
 * @example formCommand('release.start', { runbook: 'web-deploy', params: 'version=1.2.3', confirmer: 'slack:U2' }, options)
 */
export const formCommand = (form: FormId, values: FormValues, options: GrammarOptions): ParsedCommand | FieldErrors => {
  const commands: Record<FormId, () => ParsedCommand | FieldErrors> = {
    'release.start': () => releaseStart(values, options),
    'maintenance.schedule': () => maintenanceSchedule(values),
    'maintenance.extend': () => maintenanceExtend(values),
    'incident.extend': () => incidentExtend(values),
    'incident.declare': () => incidentDeclare(values),
  };
  return commands[form]();
};

/** Which field a refusal of the command concerns (by the DomainError's code); the first field otherwise. */
const FIELDS: Record<FormId, Readonly<Record<string, string>>> = {
  'release.start': {
    unknown_runbook: 'runbook',
    runbook_locked: 'runbook',
    runbook_busy: 'runbook',
    not_a_driver: 'runbook',
    unknown_param: 'params',
    missing_param: 'params',
    bad_param: 'params',
    confirmer_missing: 'confirmer',
    self_confirm: 'confirmer',
    not_a_confirmer: 'confirmer',
  },
  'maintenance.schedule': { title_missing: 'title', not_a_time: 'start', skipped_time: 'start', start_in_past: 'start', duration_zero: 'duration' },
  'maintenance.extend': { reason_missing: 'reason', duration_zero: 'duration', window_ended: 'duration', unknown_window: 'duration' },
  'incident.extend': { reason_missing: 'reason', no_more_extensions: 'duration', already_decided: 'duration' },
  'incident.declare': {},
};

const FIRST: Record<FormId, string> = { 'release.start': 'runbook', 'maintenance.schedule': 'title', 'maintenance.extend': 'duration', 'incident.extend': 'duration', 'incident.declare': 'title' };

export const fieldOf = (form: FormId, code: string): string => FIELDS[form][code] ?? FIRST[form];
