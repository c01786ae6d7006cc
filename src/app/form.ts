/**
 * Forms, for commands typed without their arguments: one neutral model that Slack shows as a modal and Teams
 * as an Adaptive Card form. Submitted values come back as strings keyed by field id; a field's error is shown
 * on that field.
 */
import type { Runbook } from '../domain/runbook.js';
import { paramPlaceholders } from '../domain/runbook-params.js';

export type FormId = 'release.start' | 'maintenance.schedule' | 'maintenance.extend' | 'incident.extend' | 'incident.declare';

export type FieldKind = 'text' | 'select' | 'user' | 'channel' | 'datetime';

export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
  readonly multiline?: boolean;
  readonly placeholder?: string;
  /** Small print under the field. */
  readonly hint?: string;
  /** For `select`. */
  readonly options?: readonly { readonly value: string; readonly label: string }[];
}

export interface Form {
  readonly id: FormId;
  /** What the form is about (an incident id): handed back with the values as `subject`. */
  readonly subject?: string;
  readonly title: string;
  readonly submit: string;
  readonly fields: readonly FormField[];
}

/**
 * Values as the platform returns them: text as typed, a user as a principal (`slack:U…`), a channel as its id,
 * a date and time as an ISO 8601 instant.
 */
export type FormValues = Readonly<Record<string, string | undefined>>;

/** Field id → what is wrong with it, written for the person filling the form in. */
export type FieldErrors = Readonly<Record<string, string>>;

const paramsHint = (runbooks: readonly Runbook[]): string => {
  // A runbook with environments needs env= too, typed here with the parameters.
  const described = runbooks
    .filter((book) => Object.keys(book.params).length > 0 || book.environments)
    .map((book) => {
      const params = paramPlaceholders(book);
      const env = book.environments ? [`env=<${book.environments.map((environment) => environment.name).join('|')}>`] : [];
      return `${book.name}: ${[...params, ...env].join(' ')}`;
    });
  return described.length > 0 ? described.join('; ') : 'key=value pairs, if the runbook takes any';
};

/** `/release start` with nothing after it: the runbooks `user` may drive, their parameters, the confirmer. */
export const releaseStartForm = (runbooks: readonly Runbook[]): Form => ({
  id: 'release.start',
  title: 'Start a release',
  submit: 'Start',
  fields: [
    { id: 'runbook', label: 'Runbook', kind: 'select', options: runbooks.map((book) => ({ value: book.name, label: `${book.title} (${book.name})` })) },
    { id: 'params', label: 'Parameters', kind: 'text', optional: true, placeholder: 'version=1.2.3', hint: paramsHint(runbooks) },
    { id: 'confirmer', label: 'Confirmer', kind: 'user', hint: 'Confirms every step; never the person who drives.' },
  ],
});

/** `/maintenance schedule` with nothing after it. */
export const maintenanceScheduleForm = (): Form => ({
  id: 'maintenance.schedule',
  title: 'Schedule maintenance',
  submit: 'Schedule',
  fields: [
    { id: 'title', label: 'Title', kind: 'text', placeholder: 'Database upgrade' },
    { id: 'start', label: 'Starts', kind: 'datetime' },
    { id: 'duration', label: 'Duration', kind: 'text', placeholder: '2h', hint: 'e.g. 90m, 2h, 1h30m' },
    { id: 'channel', label: 'Announce in', kind: 'channel', optional: true, hint: 'Default: the announcement channel.' },
    { id: 'impact', label: 'Impact', kind: 'text', optional: true, multiline: true, placeholder: 'Checkout is read-only' },
    { id: 'services', label: 'Services', kind: 'text', optional: true, placeholder: 'checkout, payments' },
  ],
});

/** Extend the decision timer: how long, and why (an extension without a reason is refused). */
export const incidentExtendForm = (incident: string, title: string): Form => ({
  id: 'incident.extend',
  subject: incident,
  title: 'Extend the timebox',
  submit: 'Extend',
  fields: [
    { id: 'duration', label: 'How much longer', kind: 'text', placeholder: '10m', hint: `Moves the decision on ${incident} (${title}).` },
    { id: 'reason', label: 'Why will it be different then?', kind: 'text', multiline: true, placeholder: 'The hotfix build finishes in 6 minutes' },
  ],
});

/** `/incident declare` with nothing after it. */
export const incidentDeclareForm = (): Form => ({
  id: 'incident.declare',
  title: 'Declare an incident',
  submit: 'Declare',
  fields: [
    { id: 'title', label: 'What is wrong?', kind: 'text', placeholder: 'Checkout returns 500s' },
    {
      id: 'severity',
      label: 'Severity',
      kind: 'select',
      options: [
        { value: '1', label: '1: outage (updates every 15m)' },
        { value: '2', label: '2: major (updates every 30m)' },
        { value: '3', label: '3: minor (updates every 60m)' },
        { value: '4', label: '4: low (no regular updates)' },
      ],
    },
    { id: 'stakeholders', label: 'Stakeholder updates go to', kind: 'channel', optional: true, hint: 'Default: the incidents default in planb.yaml, else this channel.' },
  ],
});

/** Extend a maintenance window: how long, and why (announced to everyone waiting on it). */
export const maintenanceExtendForm = (window: string, title: string): Form => ({
  id: 'maintenance.extend',
  subject: window,
  title: 'Extend the window',
  submit: 'Extend',
  fields: [
    { id: 'duration', label: 'How much longer', kind: 'text', placeholder: '30m', hint: `Moves the end of ${window} (${title}); announced with the reason.` },
    { id: 'reason', label: 'Why does it need longer?', kind: 'text', multiline: true, placeholder: 'The index rebuild is slower than in staging' },
  ],
});
