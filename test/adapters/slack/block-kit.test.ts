import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { baseActionId, renderBlockKit } from '../../../src/adapters/slack/block-kit.js';
import type { Button, Message } from '../../../src/app/message.js';
import { personMark, timeMark } from '../../../src/app/message.js';
import { releaseCard } from '../../../src/app/release-card.js';
import { shortName } from '../../../src/domain/principal.js';
import type { Release } from '../../../src/domain/release/state.js';
import { fold } from '../../../src/domain/release/state.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import { checkBlockKitLimits } from '../../support/block-kit-limits.js';
import { R, alice, bob, continueWith, history, running, start } from '../../domain/release/fixtures.js';

const ctx = { zone: 'Europe/Berlin', name: shortName };
const releaseOf = (events: readonly ReleaseEvent[]): Release => {
  const release = fold('checkout-deploy', events).releases[0];
  if (!release) throw new Error('no release in the given events');
  return release;
};
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const buttonsOf = (blocks: readonly KnownBlock[]) => blocks.flatMap((block) => (block.type === 'actions' ? block.elements : []));

/** 2026-11-23T14:02:00Z, the fixtures' T0: 15:02 in Berlin. */
const T0_SECONDS = 1795442520;

describe('renderBlockKit', () => {
  it('renders a running release card, as releaseCard builds it, to these exact blocks', () => {
    const release = releaseOf(continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice]));
    expect(renderBlockKit(releaseCard(release, ctx))).toEqual({
      text: 'Checkout release 1.2.3 (checkout-deploy-1): alice drives, bob confirms. Step 1 of 3: alice is doing Drain traffic.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Checkout release 1.2.3 (checkout-deploy-1)', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'alice drives, bob confirms. Step 1 of 3: alice is doing Drain traffic.' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              '▶️ drain: Drain traffic (~2m), in progress since <!date^1795442520^{time}|15:02>\n' +
              '⚠️ migrate: Run migration 42 [point of no return]\n' +
              '⚪ deploy: Deploy 1.2.3',
          },
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Done', emoji: true },
              action_id: 'release_step_done',
              value: '{"release":"checkout-deploy-1","step":"drain"}',
              style: 'primary',
            },
            {
              type: 'button',
              text: { type: 'plain_text', text: "Something's wrong", emoji: true },
              action_id: 'release_trouble',
              value: '{"release":"checkout-deploy-1","step":"drain"}',
              style: 'danger',
            },
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Roll back', emoji: true },
              action_id: 'release_rollback',
              value: '{"release":"checkout-deploy-1"}',
              style: 'danger',
            },
          ],
        },
      ],
    });
  });

  it('renders fields as bold label and value, every step mark, and context', () => {
    const message: Message = {
      key: 'k',
      text: ['first\nstill the first paragraph', 'second', '  '],
      fields: [
        { label: 'Driver', value: 'alice' },
        { label: '', value: 'no label' },
      ],
      steps: [
        { mark: 'done', text: 'a' },
        { mark: 'current', text: 'b\nnot a line of its own' },
        { mark: 'pending', text: 'c' },
        { mark: 'warning', text: 'd' },
        { mark: 'failed', text: 'e' },
        { mark: 'skipped', text: 'f' },
      ],
      context: ['Started 15:02', 'by alice'],
    };
    expect(renderBlockKit(message)).toEqual({
      text: 'first still the first paragraph',
      blocks: [
        section('first\nstill the first paragraph'),
        section('second'),
        { type: 'section', fields: [mrkdwn('*Driver*\nalice'), mrkdwn('no label')] },
        section('✅ a\n▶️ b not a line of its own\n⚪ c\n⚠️ d\n❌ e\n➖ f'),
        { type: 'context', elements: [mrkdwn('Started 15:02'), mrkdwn('by alice')] },
      ],
    });
  });

  it('turns time marks into Slack date tokens with an escaped fallback, and into the fallback in plain text', () => {
    const time = timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02 <CET>');
    const datetime = timeMark('2026-11-24T01:00:00.000Z', 'datetime', '02:00 (Nov 24) & later');
    const message: Message = {
      key: 'k',
      title: `Window at ${time}`,
      text: [`From ${time} to ${datetime}.`],
      fields: [{ label: 'Ends', value: datetime }],
      steps: [{ mark: 'done', text: `done at ${time}` }],
      context: [`Started ${time}, ended ${datetime}.`, `Broken ${timeMark('not a time', 'time', '<?>')}`],
      buttons: [{ actionId: 'a', label: `Snooze to ${time}`, value: '{}' }],
    };
    const timeToken = `<!date^${T0_SECONDS}^{time}|15:02 &lt;CET&gt;>`;
    const datetimeToken = '<!date^1795482000^{date_short_pretty} {time}|02:00 (Nov 24) &amp; later>';
    expect(renderBlockKit(message)).toEqual({
      text: 'Window at 15:02 &lt;CET&gt;: From 15:02 &lt;CET&gt; to 02:00 (Nov 24) &amp; later.',
      blocks: [
        { type: 'header', text: plain('Window at 15:02 &lt;CET&gt;') },
        section(`From ${timeToken} to ${datetimeToken}.`),
        { type: 'section', fields: [mrkdwn(`*Ends*\n${datetimeToken}`)] },
        section(`✅ done at ${timeToken}`),
        { type: 'context', elements: [mrkdwn(`Started ${timeToken}, ended ${datetimeToken}.`), mrkdwn('Broken &lt;?&gt;')] },
        { type: 'actions', elements: [{ type: 'button', text: plain('Snooze to 15:02 &lt;CET&gt;'), action_id: 'a', value: '{}' }] },
      ],
    });
  });

  it('escapes user text everywhere, so it can never mention, notify or link', () => {
    const evil = '<!channel> <!here> <@U123> <!subteam^S1> <https://evil.example|click> &lt;';
    const inert = '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;!subteam^S1&gt; &lt;https://evil.example|click&gt; &amp;lt;';
    const message: Message = {
      key: 'k',
      title: evil,
      text: [evil],
      fields: [{ label: evil, value: evil }],
      steps: [{ mark: 'failed', text: evil }],
      context: [evil],
      buttons: [{ actionId: 'release_abort', label: '<!here>', value: '{}', style: 'danger' }],
    };
    const rendered = renderBlockKit(message);
    expect(rendered).toEqual({
      text: `${inert}: ${inert}`,
      blocks: [
        { type: 'header', text: plain(inert) },
        section(inert),
        { type: 'section', fields: [mrkdwn(`*${inert}*\n${inert}`)] },
        section(`❌ ${inert}`),
        { type: 'context', elements: [mrkdwn(inert)] },
        { type: 'actions', elements: [{ type: 'button', text: plain('&lt;!here&gt;'), action_id: 'release_abort', value: '{}', style: 'danger' }] },
      ],
    });
    expect(JSON.stringify(rendered.blocks)).not.toMatch(/</);
  });

  it('leaves bare @channel, @here and @everyone as inert text: Plan B never sets link_names', () => {
    const rendered = renderBlockKit({ key: 'k', text: ['@channel @here @everyone'] });
    expect(rendered).toStrictEqual({ text: '@channel @here @everyone', blocks: [section('@channel @here @everyone')] });
  });

  it('makes repeated action ids unique, and baseActionId gives the original back', () => {
    const release = releaseOf(history([start, alice], [{ type: 'accept', release: R }, bob]));
    const buttons = buttonsOf(renderBlockKit(releaseCard(release, ctx)).blocks);
    expect(buttons.map((b) => [b.type === 'button' ? b.action_id : '', b.type === 'button' ? b.value : ''])).toEqual([
      ['release_check', '{"release":"checkout-deploy-1","item":"backup"}'],
      ['release_check#2', '{"release":"checkout-deploy-1","item":"rehearsal"}'],
    ]);
    expect(baseActionId('release_check#2')).toBe('release_check');
    expect(baseActionId('release_check#13')).toBe('release_check');
    expect(baseActionId('release_check')).toBe('release_check');
    expect(baseActionId('release#check')).toBe('release#check');
  });

  it('refuses a button value it would have to cut, naming the action', () => {
    const message: Message = { key: 'k', text: [], buttons: [{ actionId: 'release_check', label: 'Confirm', value: 'x'.repeat(2001) }] };
    expect(() => renderBlockKit(message)).toThrow(/release_check.*2001 characters/);
    expect(() => renderBlockKit({ ...message, buttons: [{ actionId: 'ok', label: 'Confirm', value: 'x'.repeat(2000) }] })).not.toThrow();
  });

  it('cuts text visibly, never inside an entity or a date token', () => {
    const token = timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02');
    const [amps, dated, exact] = renderBlockKit({ key: 'k', text: ['&'.repeat(1000), 'x'.repeat(2990) + token, 'y'.repeat(3000)] }).blocks;
    expect(amps).toEqual(section('&amp;'.repeat(599) + '…'));
    expect(dated).toEqual(section('x'.repeat(2990) + '…'));
    expect(exact).toEqual(section('y'.repeat(3000)));
    expect(renderBlockKit({ key: 'k', title: '😀'.repeat(80), text: [] }).blocks).toEqual([{ type: 'header', text: plain('😀'.repeat(74) + '…') }]);
  });

  it('keeps a huge message within every Slack limit, keeping all buttons and saying what is not shown', () => {
    const buttons: Button[] = Array.from({ length: 30 }, (_, i) => ({ actionId: 'release_check', label: i === 0 ? 'L'.repeat(100) : `Confirm ${i}`, value: `{"i":${i}}` }));
    const message: Message = {
      key: 'k',
      title: 'T'.repeat(200),
      text: ['p'.repeat(5000), ...Array.from({ length: 40 }, (_, i) => `paragraph ${i}`)],
      fields: Array.from({ length: 12 }, (_, i) => ({ label: `field ${i}`, value: i === 0 ? 'v'.repeat(3000) : 'value' })),
      // 2 + 100 characters a line: 29 lines fit a section, so 200 steps take 7 sections.
      steps: Array.from({ length: 200 }, (_, i) => ({ mark: 'pending', text: `step ${String(i).padStart(3, '0')} `.padEnd(100, 'x') })),
      context: ['the small print'],
      buttons,
    };
    const { text, blocks } = renderBlockKit(message);
    expect(checkBlockKitLimits(blocks)).toEqual([]);
    expect(blocks).toHaveLength(50);
    expect(text).toHaveLength(3000);
    expect(blocks[0]).toEqual({ type: 'header', text: plain('T'.repeat(149) + '…') });
    expect(blocks[1]).toEqual(section('p'.repeat(2999) + '…'));
    const field = (i: number) => mrkdwn(i === 0 ? `*field 0*\n${'v'.repeat(1989)}…` : `*field ${i}*\nvalue`);
    expect(blocks.slice(42, 44)).toEqual([
      { type: 'section', fields: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(field) },
      { type: 'section', fields: [field(10), field(11)] },
    ]);
    // header, 41 paragraphs, 2 field sections, then 3 of 7 step sections: 113 steps and the context line are left out.
    expect(blocks.slice(44, 47).map((block) => (block.type === 'section' ? block.text?.text.split('\n').length : 0))).toEqual([29, 29, 29]);
    expect(blocks[47]).toEqual({ type: 'context', elements: [mrkdwn('… 114 more lines not shown')] });
    expect(blocks.slice(48).map((block) => block.type)).toEqual(['actions', 'actions']);
    const rendered = buttonsOf(blocks).map((b) => (b.type === 'button' ? { id: b.action_id ?? '', label: b.text.text, value: b.value } : undefined));
    expect(rendered).toHaveLength(30);
    expect(rendered[0]).toEqual({ id: 'release_check', label: 'L'.repeat(74) + '…', value: '{"i":0}' });
    expect(rendered[29]).toEqual({ id: 'release_check#30', label: 'Confirm 29', value: '{"i":29}' });
    expect(new Set(rendered.map((b) => baseActionId(b?.id ?? '')))).toEqual(new Set(['release_check']));
  });

  it('puts the "not shown" note last when there are no buttons', () => {
    const { blocks } = renderBlockKit({ key: 'k', text: Array.from({ length: 60 }, (_, i) => `p${i}`) });
    expect(blocks).toHaveLength(50);
    expect(blocks[48]).toEqual(section('p48'));
    expect(blocks[49]).toEqual({ type: 'context', elements: [mrkdwn('… 11 more lines not shown')] });
    expect(renderBlockKit({ key: 'k', text: Array.from({ length: 51 }, (_, i) => `p${i}`) }).blocks[49]).toEqual({ type: 'context', elements: [mrkdwn('… 2 more lines not shown')] });
    expect(renderBlockKit({ key: 'k', text: Array.from({ length: 50 }, (_, i) => `p${i}`) }).blocks[49]).toEqual(section('p49'));
  });
});

describe('checkBlockKitLimits', () => {
  it('reports every limit a payload breaks', () => {
    const button = (id: string, label = 'ok', value = '{}') => ({ type: 'button' as const, text: { type: 'plain_text' as const, text: label }, action_id: id, value });
    const bad: KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
      { type: 'section', fields: Array.from({ length: 11 }, (_, i) => ({ type: 'mrkdwn' as const, text: i === 0 ? 'f'.repeat(2001) : 'f' })) },
      { type: 'section', text: { type: 'mrkdwn', text: ' ' } },
      { type: 'actions', elements: [button('a', 'b'.repeat(76)), button('a'), button('x'.repeat(256), 'ok', 'v'.repeat(2001))] },
      { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`n${i}`)) },
      { type: 'context', elements: Array.from({ length: 11 }, (_, i) => ({ type: 'mrkdwn' as const, text: i === 0 ? 'c'.repeat(2001) : 'c' })) },
      { type: 'divider' },
      ...Array.from({ length: 43 }, (): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: 'fine' } })),
    ];
    expect(checkBlockKitLimits(bad)).toEqual([
      '51 blocks, more than 50',
      'blocks[0].text: 151 characters, more than 150',
      'blocks[1].text: 3001 characters, more than 3000',
      'blocks[2]: 11 fields, more than 10',
      'blocks[2].fields[0]: 2001 characters, more than 2000',
      'blocks[3].text: empty text',
      'blocks[4].elements[0].text: 76 characters, more than 75',
      'blocks[4].elements[1]: action_id a used twice',
      'blocks[4].elements[2]: action_id of 256 characters, not 1 to 255',
      'blocks[4].elements[2]: value of 2001 characters, more than 2000',
      'blocks[5]: 26 elements, not 1 to 25',
      'blocks[6]: 11 elements, not 1 to 10',
      'blocks[6].elements[0]: 2001 characters, more than 2000',
      'blocks[7]: unexpected block type divider',
    ]);
  });
});

describe('person marks', () => {
  it('become real mentions for Slack users only; anyone else is their escaped name', () => {
    const { blocks } = renderBlockKit({ key: 'k', text: [`${personMark('slack:U0BOB', 'bob')} and ${personMark('console:<eve>', '<eve>')}: decide now`] });
    expect(blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '<@U0BOB> and &lt;eve&gt;: decide now' } }]);
  });
});
