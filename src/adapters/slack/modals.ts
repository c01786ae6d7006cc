/** Neutral forms as Slack modals, and a submitted modal's state back as form values. Pure. */
import type { InputBlock, ModalView } from '@slack/types';
import type { FieldKind, Form, FormField, FormId, FormValues } from '../../app/form.js';

/** Every Plan B modal has this callback id; which form it is travels in private_metadata. */
export const FORM_CALLBACK_ID = 'planb_form';

/** What a modal must remember between opening and submission: a view submission says nothing of the channel. */
export interface FormMetadata {
  readonly form: FormId;
  readonly channel: string;
  readonly subject?: string;
}

const FORMS: readonly FormId[] = ['release.start', 'maintenance.schedule', 'maintenance.extend', 'incident.extend', 'incident.declare'];

/** Slack cuts nothing for us: a modal's title and submit label may be 24 characters, a label 2000, a hint 2000. */
const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const plain = (text: string, max: number): { type: 'plain_text'; text: string } => ({ type: 'plain_text', text: cut(text, max) });

const element = (field: FormField): InputBlock['element'] => {
  const placeholder = field.placeholder === undefined ? {} : { placeholder: plain(field.placeholder, 150) };
  const kinds: Record<FieldKind, () => InputBlock['element']> = {
    text: () => ({ type: 'plain_text_input', action_id: field.id, multiline: field.multiline ?? false, ...placeholder }),
    select: () => ({
      type: 'static_select',
      action_id: field.id,
      // Slack shows at most 100 options of at most 75 characters.
      options: (field.options ?? []).slice(0, 100).map((option) => ({ text: plain(option.label, 75), value: option.value })),
      ...placeholder,
    }),
    user: () => ({ type: 'users_select', action_id: field.id, ...placeholder }),
    channel: () => ({ type: 'conversations_select', action_id: field.id, filter: { include: ['public', 'private'], exclude_bot_users: true }, ...placeholder }),
    datetime: () => ({ type: 'datetimepicker', action_id: field.id }),
  };
  return kinds[field.kind]();
};

/**
 * The modal for `form`, posting back to `metadata.channel`. Block ids are the field ids, so errors returned by
 * field id land on their field.
 */
export const formView = (form: Form, metadata: Omit<FormMetadata, 'form'>): ModalView => ({
  type: 'modal',
  callback_id: FORM_CALLBACK_ID,
  title: plain(form.title, 24),
  submit: plain(form.submit, 24),
  close: plain('Cancel', 24),
  private_metadata: JSON.stringify({ form: form.id, channel: metadata.channel, ...(form.subject === undefined ? {} : { subject: form.subject }) } satisfies FormMetadata),
  blocks: form.fields.map(
    (field): InputBlock => ({
      type: 'input',
      block_id: field.id,
      label: plain(field.label, 2000),
      optional: field.optional ?? false,
      element: element(field),
      ...(field.hint === undefined ? {} : { hint: plain(field.hint, 2000) }),
    }),
  ),
});

/** The metadata of a submitted modal, if it is one of ours and intact. */
export const formMetadata = (raw: string): FormMetadata | undefined => {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { form, channel, subject } = parsed as Record<string, unknown>;
    const known = FORMS.find((candidate) => candidate === form);
    if (known === undefined || typeof channel !== 'string') return undefined;
    return { form: known, channel, ...(typeof subject === 'string' ? { subject } : {}) };
  } catch {
    return undefined;
  }
};

interface StateValue {
  readonly type: string;
  readonly value?: string | null;
  readonly selected_option?: { readonly value: string } | null;
  readonly selected_user?: string | null;
  readonly selected_conversation?: string | null;
  readonly selected_channel?: string | null;
  readonly selected_date_time?: number | null;
}

/** One value per field, as the app wants it: a user as `slack:U…`, a date and time as an ISO instant. */
const valueOf = (state: StateValue): string | undefined => {
  if (state.selected_user) return `slack:${state.selected_user}`;
  if (typeof state.selected_date_time === 'number') return new Date(state.selected_date_time * 1_000).toISOString();
  return state.value ?? state.selected_option?.value ?? state.selected_conversation ?? state.selected_channel ?? undefined;
};

/** view.state.values (block id → action id → state) → field id → value. */
export const formValues = (values: Readonly<Record<string, Readonly<Record<string, StateValue>>>>): FormValues =>
  Object.fromEntries(Object.entries(values).flatMap(([blockId, actions]) => Object.values(actions).slice(0, 1).map((state) => [blockId, valueOf(state)])));
