/** Forms as Slack modals and back: exact views, values as the app wants them, metadata that cannot be forged into a crash. */
import { describe, expect, it } from 'vitest';
import { maintenanceScheduleForm, releaseStartForm } from '../../../src/app/form.js';
import { formMetadata, formValues, formView } from '../../../src/adapters/slack/modals.js';
import { runbook } from '../../domain/release/fixtures.js';

describe('formView', () => {
  it('renders the start form as a modal whose block ids are the field ids', () => {
    expect(formView(releaseStartForm([runbook]), { channel: 'C0RELEASES' })).toEqual({
      type: 'modal',
      callback_id: 'planb_form',
      title: { type: 'plain_text', text: 'Start a release' },
      submit: { type: 'plain_text', text: 'Start' },
      close: { type: 'plain_text', text: 'Cancel' },
      private_metadata: '{"form":"release.start","channel":"C0RELEASES"}',
      blocks: [
        {
          type: 'input',
          block_id: 'runbook',
          label: { type: 'plain_text', text: 'Runbook' },
          optional: false,
          element: { type: 'static_select', action_id: 'runbook', options: [{ text: { type: 'plain_text', text: 'Checkout release (checkout-deploy)' }, value: 'checkout-deploy' }] },
        },
        {
          type: 'input',
          block_id: 'params',
          label: { type: 'plain_text', text: 'Parameters' },
          optional: true,
          element: { type: 'plain_text_input', action_id: 'params', multiline: false, placeholder: { type: 'plain_text', text: 'version=1.2.3' } },
          hint: { type: 'plain_text', text: 'checkout-deploy: version=<Version to deploy>' },
        },
        {
          type: 'input',
          block_id: 'confirmer',
          label: { type: 'plain_text', text: 'Confirmer' },
          optional: false,
          element: { type: 'users_select', action_id: 'confirmer' },
          hint: { type: 'plain_text', text: 'Confirms every step; never the person who drives.' },
        },
      ],
    });
  });

  it('uses a date-time picker and a conversation picker for the maintenance form, and keeps Slack’s title limit', () => {
    const view = formView({ ...maintenanceScheduleForm(), title: 'A title far longer than Slack allows' }, { channel: 'C1' });
    expect(view.title.text).toHaveLength(24);
    expect(view.title.text.endsWith('…')).toBe(true);
    const inputs = (view.blocks as { block_id?: string; element?: { type: string } }[]).map((block) => [block.block_id, block.element?.type]);
    expect(inputs).toEqual([
      ['title', 'plain_text_input'],
      ['start', 'datetimepicker'],
      ['duration', 'plain_text_input'],
      ['channel', 'conversations_select'],
      ['impact', 'plain_text_input'],
      ['services', 'plain_text_input'],
    ]);
  });
});

describe('formValues and formMetadata', () => {
  it('turns the submitted state into field values: users as principals, date-times as ISO instants', () => {
    expect(
      formValues({
        runbook: { runbook: { type: 'static_select', selected_option: { value: 'web-deploy' } } },
        params: { params: { type: 'plain_text_input', value: 'version=1.2.3' } },
        empty: { empty: { type: 'plain_text_input', value: null } },
        confirmer: { confirmer: { type: 'users_select', selected_user: 'U0BOB' } },
        start: { start: { type: 'datetimepicker', selected_date_time: 1_795_600_800 } },
        channel: { channel: { type: 'conversations_select', selected_conversation: 'C0STATUS' } },
      }),
    ).toEqual({ runbook: 'web-deploy', params: 'version=1.2.3', empty: undefined, confirmer: 'slack:U0BOB', start: '2026-11-25T10:00:00.000Z', channel: 'C0STATUS' });
  });

  it('reads back only metadata it wrote', () => {
    expect(formMetadata('{"form":"release.start","channel":"C1"}')).toEqual({ form: 'release.start', channel: 'C1' });
    expect(formMetadata('{"form":"drop.tables","channel":"C1"}')).toBeUndefined();
    expect(formMetadata('{"form":"release.start"}')).toBeUndefined();
    expect(formMetadata('not json')).toBeUndefined();
    expect(formMetadata('null')).toBeUndefined();
  });
});
