/** Neutral forms as Adaptive Card forms for Teams, and a submitted card's data back as form values. Pure. */
import { DateTime } from 'luxon';
import type { FieldErrors, FieldKind, Form, FormField, FormId, FormValues } from '../../app/form.js';
import type { AdaptiveCard, CardElement, CardInput, ExecuteAction, TextBlock } from './adaptive-card.js';
import { adaptiveCard, escapeMarkdown } from './adaptive-card.js';

/** The verb of every form's submit button: `activity.value.action.verb` in the `adaptiveCard/action` invoke. */
export const FORM_VERB = 'planb_form';

/**
 * Teams merges the inputs' values into the submit action's `data`, top level, by input id, so what the form must
 * remember (the form, where to answer, its subject) sits under this one key: a field named `channel` cannot
 * overwrite it.
 */
export const FORM_DATA_KEY = 'planb';

/** What a form card remembers between posting and submission. */
export interface FormCardData {
  readonly form: FormId;
  /** The conversation to answer in. */
  readonly channel: string;
  readonly subject?: string;
}

/** A form shown again after a refused submission: what was entered, and what is wrong, by field id. */
export interface FormState {
  readonly values?: FormValues;
  readonly errors?: FieldErrors;
  /** Where a date and time value is shown (IANA); without it a datetime field starts empty. */
  readonly zone?: string;
}

export interface SubmittedForm extends FormCardData {
  /** By field id, as the app wants them; `subject` is among them too, as the Slack adapter hands it on. */
  readonly values: FormValues;
}

const FORM_IDS: Record<FormId, true> = {
  'release.start': true,
  'maintenance.schedule': true,
  'maintenance.extend': true,
  'incident.extend': true,
  'incident.declare': true,
};

/**
 * Input ids: a field's own id, but for the kinds whose value needs reading back. The people picker returns a bare AAD
 * object id, and a date and a time come from two inputs without a zone.
 */
const USER = '.user';
const DATE = '.date';
const TIME = '.time';

/**
 * The people picker searches the conversation's members: Teams searches the whole organisation only in personal
 * chats with the bot, dialogs and tabs, not in channels, where forms are posted.
 */
const PEOPLE = 'graph.microsoft.com/users?scope=currentContext';

const hint = (text: string): TextBlock => ({ type: 'TextBlock', text: escapeMarkdown(text), wrap: true, isSubtle: true, size: 'Small' });
const problem = (text: string): TextBlock => ({ type: 'TextBlock', text: escapeMarkdown(text), wrap: true, size: 'Small', color: 'Attention' });

const required = (field: FormField, errorMessage: string): { isRequired: boolean; errorMessage?: string } =>
  field.optional ? { isRequired: false } : { isRequired: true, errorMessage };

/** A date and time value as the two inputs show it, in `zone`. */
const dateAndTime = (iso: string | undefined, zone: string | undefined): { date?: string; time?: string } => {
  if (iso === undefined || zone === undefined) return {};
  const at = DateTime.fromISO(iso, { zone });
  return at.isValid ? { date: at.toFormat('yyyy-MM-dd'), time: at.toFormat('HH:mm') } : {};
};

const inputs = (field: FormField, state: FormState): CardInput[] => {
  const value = state.values?.[field.id];
  const initial = value === undefined || value === '' ? {} : { value };
  const placeholder = field.placeholder === undefined ? {} : { placeholder: field.placeholder };
  const kinds: Record<FieldKind, () => CardInput[]> = {
    text: () => [{ type: 'Input.Text', id: field.id, label: field.label, ...(field.multiline ? { isMultiline: true } : {}), ...placeholder, ...initial, ...required(field, 'Fill this in.') }],
    select: () => [
      {
        type: 'Input.ChoiceSet',
        id: field.id,
        label: field.label,
        style: 'compact',
        choices: (field.options ?? []).map((option) => ({ title: option.label, value: option.value })),
        ...placeholder,
        ...initial,
        ...required(field, 'Pick one.'),
      },
    ],
    user: () => {
      const aad = /^teams:(\S+)$/.exec(value ?? '')?.[1];
      return [
        {
          type: 'Input.ChoiceSet',
          id: `${field.id}${USER}`,
          label: field.label,
          choices: [],
          'choices.data': { type: 'Data.Query', dataset: PEOPLE },
          ...placeholder,
          ...(aad === undefined ? {} : { value: aad }),
          ...required(field, 'Pick a person.'),
        },
      ];
    },
    channel: () => [{ type: 'Input.Text', id: field.id, label: field.label, placeholder: field.placeholder ?? 'Channel name', ...initial, ...required(field, 'Name a channel.') }],
    datetime: () => {
      const { date, time } = dateAndTime(value, state.zone);
      return [
        { type: 'Input.Date', id: `${field.id}${DATE}`, label: `${field.label} (date)`, ...(date === undefined ? {} : { value: date }), ...required(field, 'Pick a date.') },
        { type: 'Input.Time', id: `${field.id}${TIME}`, label: `${field.label} (time)`, ...(time === undefined ? {} : { value: time }), ...required(field, 'Pick a time.') },
      ];
    },
  };
  return kinds[field.kind]();
};

/** The field's inputs, then what is wrong with it (after a refused submission), then its small print. */
const fieldElements = (field: FormField, state: FormState): CardElement[] => {
  const error = state.errors?.[field.id];
  return [...inputs(field, state), ...(error === undefined ? [] : [problem(error)]), ...(field.hint === undefined ? [] : [hint(field.hint)])];
};

/**
 * The card for `form`, answering in `metadata.channel`. Inputs carry their field's label, are required unless the field
 * is optional (Teams checks before it sends), and the submit button sends `FORM_VERB` with the form's data.
 * @example renderForm(incidentDeclareForm(), { channel: '19:abc@thread.tacv2' }).actions
 * // [{ type: 'Action.Execute', title: 'Declare', verb: 'planb_form', data: { planb: { form: 'incident.declare', channel: '19:abc@thread.tacv2' } }, style: 'positive' }]
 */
export const renderForm = (form: Form, metadata: { readonly channel: string }, state: FormState = {}): AdaptiveCard => {
  const clash = form.fields.find((field) => field.id === FORM_DATA_KEY || [USER, DATE, TIME].some((suffix) => field.id.endsWith(suffix)));
  if (clash) throw new Error(`Form ${form.id}: the field id ${clash.id} is reserved for the Teams form card.`);
  const data: FormCardData = { form: form.id, channel: metadata.channel, ...(form.subject === undefined ? {} : { subject: form.subject }) };
  const submit: ExecuteAction = { type: 'Action.Execute', title: form.submit, verb: FORM_VERB, data: { [FORM_DATA_KEY]: data }, style: 'positive' };
  const title: TextBlock = { type: 'TextBlock', text: escapeMarkdown(form.title), wrap: true, size: 'Medium', weight: 'Bolder' };
  return adaptiveCard([title, ...form.fields.flatMap((field) => fieldElements(field, state))], [submit]);
};

const formCardData = (raw: unknown): FormCardData | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { form, channel, subject } = raw as Record<string, unknown>;
  if (typeof form !== 'string' || !Object.hasOwn(FORM_IDS, form) || typeof channel !== 'string' || channel === '') return undefined;
  return { form: form as FormId, channel, ...(typeof subject === 'string' ? { subject } : {}) };
};

/** Teams sends an input left empty as an empty string; the app, like Slack, gets nothing for it. */
const given = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** A date and a time typed in `zone` as the ISO instant, or nothing when either is missing or unreadable. */
const instant = (date: string | undefined, time: string | undefined, zone: string): string | undefined => {
  if (date === undefined || time === undefined) return undefined;
  const at = DateTime.fromISO(`${date.trim()}T${time.trim()}`, { zone });
  if (at.invalidReason === 'unsupported zone') throw new Error(`Cannot read a form's date and time in the zone "${zone}": not an IANA time zone.`);
  return at.isValid ? at.toUTC().toJSDate().toISOString() : undefined;
};

/**
 * A submitted form card's `activity.value.action.data` back as the form, where to answer, and the values by field
 * id: a person as `teams:<aad-object-id>`, a date and time as an ISO instant read in `zone` (IANA; pass the
 * submitter's own zone, as Teams' date and time inputs carry none). Undefined for data no Plan B form card sent.
 * A time skipped by a clock change reads as the time after it (02:30 → 03:30), as luxon has it.
 * @example formValuesFromCard({ planb: { form: 'incident.declare', channel: 'C' }, title: 'Checkout 500s', severity: '2' })
 * // { form: 'incident.declare', channel: 'C', values: { title: 'Checkout 500s', severity: '2' } }
 */
export const formValuesFromCard = (data: Readonly<Record<string, unknown>>, zone = 'UTC'): SubmittedForm | undefined => {
  const card = formCardData(data[FORM_DATA_KEY]);
  if (card === undefined) return undefined;
  const values: Record<string, string | undefined> = {};
  const pairs = new Map<string, { date?: string; time?: string }>();
  for (const [key, raw] of Object.entries(data)) {
    if (key === FORM_DATA_KEY || (raw !== undefined && raw !== null && typeof raw !== 'string')) continue;
    const value = given(raw);
    if (key.endsWith(USER)) {
      values[key.slice(0, -USER.length)] = value === undefined ? undefined : `teams:${value.trim()}`;
    } else if (key.endsWith(DATE) || key.endsWith(TIME)) {
      const id = key.slice(0, -DATE.length);
      pairs.set(id, { ...pairs.get(id), [key.endsWith(DATE) ? 'date' : 'time']: value });
    } else {
      values[key] = value;
    }
  }
  for (const [id, { date, time }] of pairs) values[id] = instant(date, time, zone);
  if (card.subject !== undefined) values['subject'] = card.subject;
  return { ...card, values };
};
