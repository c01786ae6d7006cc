/**
 * Forms as Adaptive Card forms and back: the exact card for every form the app has, each checked against the
 * adaptivecards SDK, the 1.5 JSON Schema and Teams' limits, and submitted data read back as the app wants it.
 */
import { describe, expect, it } from 'vitest';
import type { AdaptiveCard, CardInput } from '../../../src/adapters/teams/adaptive-card.js';
import type { FormState } from '../../../src/adapters/teams/adaptive-form.js';
import { FORM_DATA_KEY, FORM_VERB, formValuesFromCard, renderForm } from '../../../src/adapters/teams/adaptive-form.js';
import type { Form } from '../../../src/app/form.js';
import { incidentDeclareForm, incidentExtendForm, maintenanceExtendForm, maintenanceScheduleForm, releaseStartForm } from '../../../src/app/form.js';
import { formCommand } from '../../../src/app/form-submissions.js';
import type { GrammarOptions } from '../../../src/app/grammar/index.js';
import { runbook } from '../../domain/release/fixtures.js';
import { cardProblems } from '../../support/adaptive-card-check.js';

// ---- The form cards. ----

/** Renders, and fails the test on any problem with the card. */
const render = (form: Form, state?: FormState, channel = '19:releases@thread.tacv2'): AdaptiveCard => {
  const card = renderForm(form, { channel }, state);
  expect(cardProblems(card)).toEqual([]);
  return card;
};

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const heading = (text: string) => ({ type: 'TextBlock', text, wrap: true, size: 'Medium', weight: 'Bolder' });
const hint = (text: string) => ({ type: 'TextBlock', text, wrap: true, isSubtle: true, size: 'Small' });
const submit = (title: string, data: Record<string, string>) => ({ type: 'Action.Execute', title, verb: 'planb_form', data: { planb: { channel: '19:releases@thread.tacv2', ...data } }, style: 'positive' });
const formCard = (body: unknown[], action: unknown) => ({ type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, actions: [action], msteams: { width: 'Full' } });

const BOB = '6f1c2a4e-0b7d-4c55-9a51-2f3e8d9b0c11';
const grammar: GrammarOptions = { platform: 'teams', isReleaseId: () => false, isIncidentId: (word) => word === 'inc-3', isWindowId: () => false };

describe('renderForm', () => {
  it('renders the start form: the runbooks as a dropdown, the confirmer as Teams’ people picker', () => {
    expect(render(releaseStartForm([runbook]))).toEqual(
      formCard(
        [
          heading('Start a release'),
          {
            type: 'Input.ChoiceSet',
            id: 'runbook',
            label: 'Runbook',
            style: 'compact',
            choices: [{ title: 'Checkout release (checkout-deploy)', value: 'checkout-deploy' }],
            isRequired: true,
            errorMessage: 'Pick one.',
          },
          { type: 'Input.Text', id: 'params', label: 'Parameters', placeholder: 'version=1.2.3', isRequired: false },
          hint('checkout-deploy: version=\\<Version to deploy\\>'),
          {
            type: 'Input.ChoiceSet',
            id: 'confirmer.user',
            label: 'Confirmer',
            choices: [],
            'choices.data': { type: 'Data.Query', dataset: 'graph.microsoft.com/users?scope=currentContext' },
            isRequired: true,
            errorMessage: 'Pick a person.',
          },
          hint('Confirms every step; never the person who drives.'),
        ],
        submit('Start', { form: 'release.start' }),
      ),
    );
  });

  it('renders the maintenance form: a date and a time input for the start, a channel by name, a multiline impact', () => {
    expect(render(maintenanceScheduleForm())).toEqual(
      formCard(
        [
          heading('Schedule maintenance'),
          { type: 'Input.Text', id: 'title', label: 'Title', placeholder: 'Database upgrade', isRequired: true, errorMessage: 'Fill this in.' },
          { type: 'Input.Date', id: 'start.date', label: 'Starts (date)', isRequired: true, errorMessage: 'Pick a date.' },
          { type: 'Input.Time', id: 'start.time', label: 'Starts (time)', isRequired: true, errorMessage: 'Pick a time.' },
          { type: 'Input.Text', id: 'duration', label: 'Duration', placeholder: '2h', isRequired: true, errorMessage: 'Fill this in.' },
          hint('e.g. 90m, 2h, 1h30m'),
          { type: 'Input.Text', id: 'channel', label: 'Announce in', placeholder: 'Channel name', isRequired: false },
          hint('Default: the announcement channel.'),
          { type: 'Input.Text', id: 'impact', label: 'Impact', isMultiline: true, placeholder: 'Checkout is read-only', isRequired: false },
          { type: 'Input.Text', id: 'services', label: 'Services', placeholder: 'checkout, payments', isRequired: false },
        ],
        submit('Schedule', { form: 'maintenance.schedule' }),
      ),
    );
  });

  it('renders the timebox extension with its incident as the subject', () => {
    expect(render(incidentExtendForm('inc-3', 'Checkout 500s'))).toEqual(
      formCard(
        [
          heading('Extend the timebox'),
          { type: 'Input.Text', id: 'duration', label: 'How much longer', placeholder: '10m', isRequired: true, errorMessage: 'Fill this in.' },
          hint('Moves the decision on inc-3 (Checkout 500s).'),
          { type: 'Input.Text', id: 'reason', label: 'Why will it be different then?', isMultiline: true, placeholder: 'The hotfix build finishes in 6 minutes', isRequired: true, errorMessage: 'Fill this in.' },
        ],
        submit('Extend', { form: 'incident.extend', subject: 'inc-3' }),
      ),
    );
  });

  it('renders the incident declaration with its severities', () => {
    expect(render(incidentDeclareForm())).toEqual(
      formCard(
        [
          heading('Declare an incident'),
          { type: 'Input.Text', id: 'title', label: 'What is wrong?', placeholder: 'Checkout returns 500s', isRequired: true, errorMessage: 'Fill this in.' },
          {
            type: 'Input.ChoiceSet',
            id: 'severity',
            label: 'Severity',
            style: 'compact',
            choices: [
              { title: '1: outage (updates every 15m)', value: '1' },
              { title: '2: major (updates every 30m)', value: '2' },
              { title: '3: minor (updates every 60m)', value: '3' },
              { title: '4: low (no regular updates)', value: '4' },
            ],
            isRequired: true,
            errorMessage: 'Pick one.',
          },
          { type: 'Input.Text', id: 'stakeholders', label: 'Stakeholder updates go to', placeholder: 'Channel name', isRequired: false },
          hint('Default: the incidents default in planb.yaml, else this channel.'),
        ],
        submit('Declare', { form: 'incident.declare' }),
      ),
    );
  });

  it('renders the window extension with its window as the subject, escaping the window title', () => {
    expect(render(maintenanceExtendForm('mw-2', '*DB* upgrade'))).toEqual(
      formCard(
        [
          heading('Extend the window'),
          { type: 'Input.Text', id: 'duration', label: 'How much longer', placeholder: '30m', isRequired: true, errorMessage: 'Fill this in.' },
          hint('Moves the end of mw-2 (\\*DB\\* upgrade); announced with the reason.'),
          { type: 'Input.Text', id: 'reason', label: 'Why does it need longer?', isMultiline: true, placeholder: 'The index rebuild is slower than in staging', isRequired: true, errorMessage: 'Fill this in.' },
        ],
        submit('Extend', { form: 'maintenance.extend', subject: 'mw-2' }),
      ),
    );
  });

  it('shows a refused form again with what was entered and what is wrong, on its field', () => {
    const card = render(maintenanceScheduleForm(), {
      values: { title: 'DB upgrade', start: '2026-11-25T21:00:00.000Z', duration: 'two hours', channel: '', impact: 'Read-only' },
      errors: { duration: 'A duration such as 90m, 2h or 1h30m.' },
      zone: 'Europe/Berlin',
    });
    expect(card.body.slice(1, 6)).toEqual([
      { type: 'Input.Text', id: 'title', label: 'Title', placeholder: 'Database upgrade', value: 'DB upgrade', isRequired: true, errorMessage: 'Fill this in.' },
      { type: 'Input.Date', id: 'start.date', label: 'Starts (date)', value: '2026-11-25', isRequired: true, errorMessage: 'Pick a date.' },
      { type: 'Input.Time', id: 'start.time', label: 'Starts (time)', value: '22:00', isRequired: true, errorMessage: 'Pick a time.' },
      { type: 'Input.Text', id: 'duration', label: 'Duration', placeholder: '2h', value: 'two hours', isRequired: true, errorMessage: 'Fill this in.' },
      { type: 'TextBlock', text: 'A duration such as 90m, 2h or 1h30m.', wrap: true, size: 'Small', color: 'Attention' },
    ]);
    expect(card.body[7]).toEqual({ type: 'Input.Text', id: 'channel', label: 'Announce in', placeholder: 'Channel name', isRequired: false });
    const again = render(releaseStartForm([runbook]), { values: { runbook: 'checkout-deploy', confirmer: `teams:${BOB}` } });
    expect(again.body.filter((element) => 'id' in element).map((element) => [element.id, 'value' in element ? element.value : undefined])).toEqual([
      ['runbook', 'checkout-deploy'],
      ['params', undefined],
      ['confirmer.user', BOB],
    ]);
  });

  it('refuses a field id that would collide with what the card carries', () => {
    const form = (id: string): Form => ({ id: 'incident.declare', title: 'T', submit: 'S', fields: [{ id, label: 'L', kind: 'text' }] });
    expect(() => renderForm(form('planb'), { channel: 'C' })).toThrow(/incident.declare.*planb is reserved/);
    expect(() => renderForm(form('start.date'), { channel: 'C' })).toThrow(/start.date is reserved/);
    expect(render(form('planned')).body).toHaveLength(2);
  });
});

/** What Teams sends in the invoke: the submit action's data with every input's value merged in, top level. */
const submitted = (card: AdaptiveCard, typed: Readonly<Record<string, string>>): Record<string, unknown> => {
  const action = card.actions?.[0];
  if (action?.type !== 'Action.Execute' || action.verb !== FORM_VERB) throw new Error('no submit action');
  const inputs = card.body.filter((element): element is CardInput => element.type.startsWith('Input.'));
  return { ...action.data, ...Object.fromEntries(inputs.map((input) => [input.id, typed[input.id] ?? ''])) };
};

describe('formValuesFromCard', () => {
  it('reads a submitted start form as the app wants it: the confirmer as a Teams principal, empty as nothing', () => {
    const data = submitted(render(releaseStartForm([runbook]), undefined, '19:releases@thread.tacv2'), { runbook: 'checkout-deploy', 'confirmer.user': BOB });
    expect(data).toEqual({ planb: { form: 'release.start', channel: '19:releases@thread.tacv2' }, runbook: 'checkout-deploy', params: '', 'confirmer.user': BOB });
    const read = formValuesFromCard(data);
    expect(read).toEqual({ form: 'release.start', channel: '19:releases@thread.tacv2', values: { runbook: 'checkout-deploy', params: undefined, confirmer: `teams:${BOB}` } });
    expect(formCommand('release.start', read?.values ?? {}, grammar)).toMatchObject({ kind: 'release.start', runbook: 'checkout-deploy', confirmer: `teams:${BOB}` });
  });

  it('reads a date and a time in the zone given, a field named channel as a field, and hands the subject on', () => {
    const card = render(maintenanceScheduleForm(), undefined, '19:ops@thread.tacv2');
    const data = submitted(card, { title: 'DB upgrade', 'start.date': '2026-11-25', 'start.time': '22:00', duration: '2h', channel: 'status' });
    expect(formValuesFromCard(data, 'Europe/Berlin')).toEqual({
      form: 'maintenance.schedule',
      channel: '19:ops@thread.tacv2',
      values: { title: 'DB upgrade', start: '2026-11-25T21:00:00.000Z', duration: '2h', channel: 'status', impact: undefined, services: undefined },
    });
    expect(formValuesFromCard(data)?.values['start']).toBe('2026-11-25T22:00:00.000Z');
    // Berlin skips 02:00 to 03:00 on 29 March 2026: 02:30 reads as 03:30 CEST.
    expect(formValuesFromCard({ ...data, 'start.date': '2026-03-29', 'start.time': '02:30' }, 'Europe/Berlin')?.values['start']).toBe('2026-03-29T01:30:00.000Z');
    expect(formValuesFromCard({ ...data, 'start.time': '' }, 'Europe/Berlin')?.values['start']).toBeUndefined();
    expect(formValuesFromCard({ ...data, 'start.date': '25/11/2026' }, 'Europe/Berlin')?.values['start']).toBeUndefined();
    expect(() => formValuesFromCard(data, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);

    const extend = formValuesFromCard(submitted(render(incidentExtendForm('inc-3', 'Checkout 500s'), undefined, 'C1'), { duration: '10m', reason: 'hotfix' }));
    expect(extend).toEqual({ form: 'incident.extend', channel: 'C1', subject: 'inc-3', values: { duration: '10m', reason: 'hotfix', subject: 'inc-3' } });
    expect(formCommand('incident.extend', extend?.values ?? {}, grammar)).toMatchObject({ kind: 'incident.decide', incident: 'inc-3', extendMs: 600_000 });
  });

  it('gives every form its field ids back, whatever inputs stand for them', () => {
    const forms = [releaseStartForm([runbook]), maintenanceScheduleForm(), incidentExtendForm('inc-3', 't'), incidentDeclareForm(), maintenanceExtendForm('mw-2', 't')];
    for (const form of forms) {
      const read = formValuesFromCard(submitted(render(form, undefined, 'C'), {}), 'UTC');
      expect(Object.keys(read?.values ?? {}).filter((id) => id !== 'subject').sort()).toEqual(form.fields.map((field) => field.id).sort());
    }
  });

  it('reads only data a Plan B form card sent', () => {
    expect(formValuesFromCard({ title: 'x' })).toBeUndefined();
    expect(formValuesFromCard({ [FORM_DATA_KEY]: { form: 'drop.tables', channel: 'C' } })).toBeUndefined();
    expect(formValuesFromCard({ [FORM_DATA_KEY]: { form: 'toString', channel: 'C' } })).toBeUndefined();
    expect(formValuesFromCard({ [FORM_DATA_KEY]: { form: 'incident.declare' } })).toBeUndefined();
    expect(formValuesFromCard({ [FORM_DATA_KEY]: 'incident.declare' })).toBeUndefined();
    expect(formValuesFromCard({ [FORM_DATA_KEY]: { form: 'incident.declare', channel: 'C', subject: 3 }, title: 'x', severity: 2, extra: { a: 1 } })).toEqual({
      form: 'incident.declare',
      channel: 'C',
      values: { title: 'x' },
    });
  });
});
