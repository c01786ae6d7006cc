/**
 * Messages as Adaptive Cards: exact cards for what the app builds, user text that stays literal, and every card
 * checked against Microsoft's own reading of it (the adaptivecards SDK and the 1.5 JSON Schema) and Teams' size.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AdaptiveCard, AdaptiveCardMessage } from '../../../src/adapters/teams/adaptive-card.js';
import { ADAPTIVE_CARD_LIMITS, escapeMarkdown, renderAdaptiveCard } from '../../../src/adapters/teams/adaptive-card.js';
import type { Button, Message } from '../../../src/app/message.js';
import { personMark, timeMark } from '../../../src/app/message.js';
import { releaseCard } from '../../../src/app/release-card.js';
import { announcement } from '../../../src/app/window-messages.js';
import { shortName } from '../../../src/domain/principal.js';
import type { ReleaseEvent } from '../../../src/domain/release/events.js';
import type { Release } from '../../../src/domain/release/state.js';
import { fold } from '../../../src/domain/release/state.js';
import { R, alice, continueWith, running } from '../../domain/release/fixtures.js';
import type { Json } from '../../support/adaptive-card-check.js';
import { cardProblems, markdown } from '../../support/adaptive-card-check.js';
import { schedule, windowsAfter } from '../../support/window-history.js';

// ---- The renderer. ----

/** Renders, and fails the test on any problem with the card. */
const render = (message: Message): AdaptiveCardMessage => {
  const rendered = renderAdaptiveCard(message);
  expect(cardProblems(rendered.card)).toEqual([]);
  return rendered;
};

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const text = (value: string) => ({ type: 'TextBlock', text: value, wrap: true });
const title = (value: string) => ({ type: 'TextBlock', text: value, wrap: true, size: 'Medium', weight: 'Bolder' });
const small = (value: string) => ({ type: 'TextBlock', text: value, wrap: true, isSubtle: true, size: 'Small' });
const card = (body: unknown[], more: Record<string, unknown> = {}) => ({ type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, ...more, msteams: { width: 'Full' } });

const ctx = { zone: 'Europe/Berlin', name: shortName };
const releaseOf = (events: readonly ReleaseEvent[]): Release => {
  const release = fold('checkout-deploy', events).releases[0];
  if (!release) throw new Error('no release in the given events');
  return release;
};

const BOB = '6f1c2a4e-0b7d-4c55-9a51-2f3e8d9b0c11';

describe('renderAdaptiveCard', () => {
  it('renders a running release card, as releaseCard builds it, to this exact card', () => {
    const release = releaseOf(continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice]));
    const execute = (verb: string, label: string, value: string, style: string) => ({ type: 'Action.Execute', title: label, verb, data: { actionId: verb, value }, style });
    expect(render(releaseCard(release, ctx))).toEqual({
      text: 'Checkout release 1.2.3 (checkout-deploy-1): alice drives, bob confirms. Step 1 of 3: alice is doing Drain traffic.',
      entities: [],
      card: card(
        [
          title('Checkout release 1.2.3 (checkout-deploy-1)'),
          text('alice drives, bob confirms. Step 1 of 3: alice is doing Drain traffic.'),
          text('▶️ drain: Drain traffic (~2m), in progress since {{TIME(2026-11-23T14:02:00Z)}}'),
          text('⚠️ migrate: Run migration 42 \\[point of no return\\]'),
          text('⚪ deploy: Deploy 1.2.3'),
        ],
        {
          actions: [
            execute('release_step_done', 'Done', '{"release":"checkout-deploy-1","step":"drain"}', 'positive'),
            execute('release_trouble', "Something's wrong", '{"release":"checkout-deploy-1","step":"drain"}', 'destructive'),
            execute('release_rollback', 'Roll back', '{"release":"checkout-deploy-1"}', 'destructive'),
          ],
        },
      ),
    });
  });

  it('renders an incident line: a Teams person as a real mention, instants as DATE and TIME functions', () => {
    const lead = personMark(`teams:${BOB}`, 'Bob Smith');
    const deadline = timeMark('2026-11-23T14:22:00.000Z', 'time', '15:22');
    const safe = timeMark('2026-11-24T01:00:30.250Z', 'datetime', '02:00 (Nov 24)');
    const line = `${lead}: in 5m the decision on inc-3 is due (${deadline}): fix or roll back? Start a rollback by ${safe}. ${lead}, please decide.`;
    const mention = { type: 'mention', text: '<at>Bob Smith</at>', mentioned: { id: BOB, name: 'Bob Smith' } };
    expect(render({ key: 'incident/inc-3/event/ev-9', text: [line] })).toEqual({
      text: 'Bob Smith: in 5m the decision on inc-3 is due (15:22): fix or roll back? Start a rollback by 02:00 (Nov 24). Bob Smith, please decide.',
      entities: [mention],
      card: {
        ...card([
          text(
            '<at>Bob Smith</at>: in 5m the decision on inc-3 is due ({{TIME(2026-11-23T14:22:00Z)}}): fix or roll back? ' +
              'Start a rollback by {{DATE(2026-11-24T01:00:30Z, SHORT)}} {{TIME(2026-11-24T01:00:30Z)}}. <at>Bob Smith</at>, please decide.',
          ),
        ]),
        msteams: { width: 'Full', entities: [mention] },
      },
    });
  });

  it('names anyone but a Teams user, escaped, and shows an instant it cannot read as its fallback', () => {
    const message: Message = {
      key: 'k',
      text: [`${personMark('slack:U0BOB', 'bob_smith')}, ${personMark('teams:', 'nobody')} and ${personMark(`teams:${BOB}`, '<>')}: at ${timeMark('not a time', 'time', '*soon*')}`],
    };
    expect(render(message)).toEqual({ text: 'bob_smith, nobody and <>: at *soon*', entities: [], card: card([text('bob\\_smith, nobody and \\<\\>: at \\*soon\\*')]) });
  });

  it('renders a maintenance announcement, as announcement builds it, with its fields as facts', () => {
    const [window] = windowsAfter([
      {
        at: '2026-11-20T09:00:00.000Z',
        command: schedule('Database upgrade', '2026-11-25T21:00:00.000Z', 90 * 60_000, { impact: 'Checkout is read-only', services: ['checkout', 'payments'] }),
      },
    ]);
    if (!window) throw new Error('no window scheduled');
    expect(render(announcement(window, { ...ctx, release: () => undefined }))).toEqual({
      text: 'Planned maintenance: Database upgrade: Wed 25 Nov 22:00 CET to 23:30 (1h30m)',
      entities: [],
      card: card([
        title('Planned maintenance: Database upgrade'),
        text('{{DATE(2026-11-25T21:00:00Z, SHORT)}} {{TIME(2026-11-25T21:00:00Z)}} to {{TIME(2026-11-25T22:30:00Z)}} (1h30m)'),
        {
          type: 'FactSet',
          facts: [
            { title: 'Impact', value: 'Checkout is read-only' },
            { title: 'Services', value: 'checkout, payments' },
            { title: 'Contact', value: 'alice' },
            { title: 'Window', value: 'mw-1' },
          ],
        },
      ]),
    });
  });

  it('renders a message with a file as a collapsed, escaped, monospaced document under its name', () => {
    const message: Message = {
      key: 'incident/inc-3/postmortem/ev-12',
      text: ['The post-mortem draft for inc-3 (Checkout 500s), built from the recorded timeline: fill in root cause, trigger and owners, then share it.'],
      file: { name: 'postmortem-inc-3.md', title: 'Post-mortem draft: Checkout 500s (inc-3)', content: '# Post-mortem: Checkout 500s (inc-3)\n\n**Status:** Draft\n\n- Decided at 15:30\n| Took | 16m |\n' },
    };
    expect(render(message)).toEqual({
      text: 'The post-mortem draft for inc-3 (Checkout 500s), built from the recorded timeline: fill in root cause, trigger and owners, then share it.',
      entities: [],
      card: card([
        text('The post-mortem draft for inc-3 (Checkout 500s), built from the recorded timeline: fill in root cause, trigger and owners, then share it.'),
        { type: 'TextBlock', text: 'Post-mortem draft: Checkout 500s (inc-3) (postmortem-inc-3.md)', wrap: true, weight: 'Bolder' },
        { type: 'ActionSet', actions: [{ type: 'Action.ToggleVisibility', title: 'Show or hide postmortem-inc-3.md', targetElements: ['planb-file'] }] },
        {
          type: 'Container',
          id: 'planb-file',
          isVisible: false,
          items: [{ type: 'TextBlock', text: '\\# Post-mortem: Checkout 500s (inc-3)\n\n\n\n\\*\\*Status:\\*\\* Draft\n\n\n\n\\- Decided at 15:30\n\n| Took | 16m |\n\n', wrap: true, fontType: 'Monospace' }],
        },
      ]),
    });
  });

  it('carries a real post-mortem draft whole, and cuts an oversized one at a line end, saying how much is left out', () => {
    const draft = readFileSync('test/fixtures/postmortem/long.md', 'utf8');
    const whole = render({ key: 'k', text: ['The draft.'], file: { name: 'postmortem-inc-1.md', title: 'Post-mortem draft', content: draft } });
    expect(JSON.stringify(whole.card)).toContain(JSON.stringify(escapeMarkdown(draft)).slice(1, -1));

    const line = '| step | what | who | 2m |\n';
    const huge = line.repeat(3000);
    const { card: cut } = render({ key: 'k', text: ['The draft.'], file: { name: 'big.md', title: 'Big', content: huge } });
    const content = JSON.stringify(cut.body.at(-1));
    const note = /… (\d+) more characters not shown: a Teams message holds about 28 KB\./.exec(content);
    expect(note).not.toBeNull();
    const kept = huge.length - Number(note?.[1]);
    expect(kept % line.length).toBe(line.length - 1);
    expect(new TextEncoder().encode(content).length).toBeLessThanOrEqual(ADAPTIVE_CARD_LIMITS.fileBytes);
    expect(new TextEncoder().encode(content).length).toBeGreaterThan(ADAPTIVE_CARD_LIMITS.fileBytes - 1000);
  });

  it('renders every step mark, paragraphs line by line, context as small print, and skips what is blank', () => {
    const message: Message = {
      key: 'k',
      title: '  ',
      text: ['first\nstill the first paragraph\n    not code', 'second', '  '],
      fields: [
        { label: 'Driver', value: 'alice' },
        { label: '', value: 'no label' },
        { label: ' ', value: '' },
      ],
      steps: [
        { mark: 'done', text: 'a' },
        { mark: 'current', text: 'b\nnot a line of its own' },
        { mark: 'pending', text: 'c' },
        { mark: 'warning', text: 'd' },
        { mark: 'failed', text: 'e' },
        { mark: 'skipped', text: 'f' },
      ],
      context: ['Started 15:02', '', 'by alice'],
    };
    expect(render(message).card).toEqual(
      card([
        text('first\n\nstill the first paragraph\n\nnot code'),
        text('second'),
        { type: 'FactSet', facts: [{ title: 'Driver', value: 'alice' }, { title: '', value: 'no label' }] },
        text('✅ a'),
        text('▶️ b not a line of its own'),
        text('⚪ c'),
        text('⚠️ d'),
        text('❌ e'),
        text('➖ f'),
        small('Started 15:02'),
        small('by alice'),
      ]),
    );
  });

  it('escapes hostile user text everywhere: no emphasis, link, mention or date function, and no mention entity', () => {
    const evil = '*bold* [link](http://x) <at>everyone</at>';
    const inert = '\\*bold\\* \\[link\\](http://x) \\<at\\>everyone\\</at\\>';
    const message: Message = {
      key: 'k',
      title: evil,
      text: [evil, '{{DATE(2017-02-14T06:08:00Z, SHORT)}} &lt;at&gt; `code` ~~gone~~ \\*'],
      fields: [{ label: evil, value: evil }],
      steps: [{ mark: 'failed', text: evil }],
      context: [evil],
      buttons: [{ actionId: 'release_abort', label: evil, value: '{}', style: 'danger' }],
      file: { name: evil, title: evil, content: evil },
    };
    const rendered = render(message);
    expect(rendered.entities).toEqual([]);
    expect(rendered.card.msteams).toEqual({ width: 'Full' });
    expect(rendered.card.body.slice(0, 6)).toEqual([
      title(inert),
      text(inert),
      text('\\{\\{DATE(2017-02-14T06:08:00Z, SHORT)\\}\\} \\&lt;at\\&gt; \\`code\\` \\~\\~gone\\~\\~ \\\\\\*'),
      { type: 'FactSet', facts: [{ title: inert, value: inert }] },
      text(`❌ ${inert}`),
      small(inert),
    ]);
    expect(rendered.card.body.slice(6, 8)).toEqual([{ type: 'TextBlock', text: `${inert} (${inert})`, wrap: true, weight: 'Bolder' }, expect.anything()]);
    // Action titles are plain text: nothing in them is read as markup.
    expect(rendered.card.actions).toEqual([{ type: 'Action.Execute', title: evil, verb: 'release_abort', data: { actionId: 'release_abort', value: '{}' }, style: 'destructive' }]);
    expect(rendered.text).toBe(`${evil}: ${evil}`);
    expect(markdown(JSON.parse(JSON.stringify(rendered.card)) as Json).filter((shown) => /(?<!\\)<at>/.test(shown))).toEqual([]);
  });

  it('escapes what opens a block only at a line start, and only where it would open one', () => {
    expect(escapeMarkdown('# title\n- item\n+ item\n---\n1. first\n12) twelfth\n> quote\n* star')).toBe(
      '\\# title\n\n\\- item\n\n\\+ item\n\n\\---\n\n1\\. first\n\n12\\) twelfth\n\n\\> quote\n\n\\* star',
    );
    expect(escapeMarkdown('1.2.3 is out\n-5 degrees\n2026-11-23\na - b + c 1. d # e')).toBe('1.2.3 is out\n\n-5 degrees\n\n2026-11-23\n\na - b + c 1. d # e');
    // A mark's token is not a line start for the text after it.
    expect(render({ key: 'k', text: [`${timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02')}- 1. done`] }).card.body).toEqual([text('{{TIME(2026-11-23T14:02:00Z)}}- 1. done')]);
    expect(render({ key: 'k', text: [`${timeMark('x', 'time', '- soon')}`] }).card.body).toEqual([text('\\- soon')]);
  });

  it('maps button styles, keeps ids and values whole, and moves buttons past the sixth to the overflow menu', () => {
    const buttons: Button[] = Array.from({ length: 8 }, (_, i) => ({
      actionId: 'release_check',
      label: i === 0 ? `Confirm\n${'L'.repeat(120)}` : `Confirm ${i}`,
      value: `{"release":"checkout-deploy-1","item":"check-${i}"}`,
      ...(i === 1 ? { style: 'primary' as const } : {}),
    }));
    const { card: rendered } = render({ key: 'k', text: ['Preflight.'], buttons });
    expect(rendered.actions?.[0]).toEqual({ type: 'Action.Execute', title: `Confirm ${'L'.repeat(91)}…`, verb: 'release_check', data: { actionId: 'release_check', value: '{"release":"checkout-deploy-1","item":"check-0"}' } });
    expect(rendered.actions?.[1]).toMatchObject({ title: 'Confirm 1', style: 'positive' });
    expect(rendered.actions?.map((action) => ('mode' in action ? action.mode : 'primary'))).toEqual(['primary', 'primary', 'primary', 'primary', 'primary', 'primary', 'secondary', 'secondary']);
  });

  it('keeps a huge message within a Teams message, keeping every button and saying what is not shown', () => {
    const buttons: Button[] = Array.from({ length: 30 }, (_, i) => ({ actionId: 'release_check', label: `Confirm ${i}`, value: `{"i":${i}}` }));
    const message: Message = {
      key: 'k',
      title: 'T'.repeat(400),
      text: ['p'.repeat(5000), ...Array.from({ length: 40 }, (_, i) => `paragraph ${i}`)],
      fields: Array.from({ length: 12 }, (_, i) => ({ label: `field ${i}`, value: i === 0 ? 'v'.repeat(3000) : 'value' })),
      steps: Array.from({ length: 200 }, (_, i) => ({ mark: 'pending', text: `step ${String(i).padStart(3, '0')} `.padEnd(100, 'x') })),
      context: ['the small print'],
      buttons,
    };
    const { card: rendered } = render(message);
    expect(rendered.actions).toHaveLength(30);
    const body = rendered.body as { type: string; text?: string; facts?: unknown[] }[];
    expect(body[0]).toEqual(title(`${'T'.repeat(299)}…`));
    expect(body[1]).toEqual(text(`${'p'.repeat(2999)}…`));
    expect(body[42]).toMatchObject({ type: 'FactSet' });
    expect(body[42]?.facts?.[0]).toEqual({ title: 'field 0', value: `${'v'.repeat(1999)}…` });
    const shownSteps = body.filter((element) => element.text?.startsWith('⚪ step')).length;
    expect(shownSteps).toBeGreaterThan(50);
    expect(shownSteps).toBeLessThan(200);
    // The steps not shown and the context line.
    expect(body.at(-1)).toEqual(small(`… ${200 - shownSteps + 1} more lines not shown`));
  });

  it('cuts long text visibly, never inside a mark, a mention or a surrogate pair', () => {
    const mark = timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02');
    const [cutBeforeMark, whole, emoji] = render({ key: 'k', text: [`${'x'.repeat(2996)}${mark}`, `${'y'.repeat(2995)}${mark}`, '😀'.repeat(1600)] }).card.body;
    expect(cutBeforeMark).toEqual(text(`${'x'.repeat(2996)}…`));
    expect(whole).toEqual(text(`${'y'.repeat(2995)}{{TIME(2026-11-23T14:02:00Z)}}`));
    expect(emoji).toEqual(text(`${'😀'.repeat(1499)}…`));
  });

  it('mentions a person once however often the message names them, and the summary falls back to the document title', () => {
    const bob = personMark(`teams:${BOB}`, 'Bob Smith');
    const rendered = render({ key: 'k', text: [], steps: [{ mark: 'current', text: `${bob} to confirm` }], context: [`asked ${bob}`], file: { name: 'a.md', title: 'A draft', content: 'a' } });
    expect(rendered.entities).toEqual([{ type: 'mention', text: '<at>Bob Smith</at>', mentioned: { id: BOB, name: 'Bob Smith' } }]);
    expect(rendered.card.msteams.entities).toEqual(rendered.entities);
    expect(rendered.text).toBe('A draft');
  });
});

describe('the oracles', () => {
  it('catch what Teams would not take', () => {
    const good = renderAdaptiveCard({ key: 'k', text: ['fine ~2m'] }).card;
    expect(cardProblems(good)).toEqual([]);
    const bad = (change: (card: Record<string, unknown>) => void): string[] => {
      const copy = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
      change(copy);
      return cardProblems(copy as unknown as AdaptiveCard);
    };
    expect(bad((c) => (c['body'] = [{ type: 'TextBlock', text: 'x', wrap: true, colour: 'Red' }]))).toEqual(
      expect.arrayContaining(['sdk did not read /body/0/colour', expect.stringMatching(/^schema: /)]),
    );
    expect(bad((c) => (c['body'] = [{ type: 'TextBlock', text: 'x', size: 'Huge' }]))).toEqual(expect.arrayContaining([expect.stringMatching(/^schema: \/body\/0/)]));
    expect(bad((c) => (c['body'] = [{ type: 'Input.Text', id: 'a', label: 'A' }, { type: 'Input.Text', id: 'a', label: 'B' }]))).toEqual(['sdk: Duplicate Id "a".']);
    expect(bad((c) => (c['body'] = [{ type: 'Input.Text', id: 'a', label: 'A', isRequired: true }]))).toEqual(['sdk: Required inputs should have an error message']);
    expect(bad((c) => (c['body'] = [{ type: 'TextBlock', text: '<at>eve</at>', wrap: true }]))).toEqual(['mention <at>eve</at> has no entity']);
    expect(bad((c) => (c['msteams'] = { width: 'Full', entities: [{ type: 'mention', text: '<at>eve</at>', mentioned: { id: 'e', name: 'eve' } }] }))).toEqual(['entity <at>eve</at> is not in the card']);
    expect(bad((c) => (c['msteams'] = { width: 'Wide' }))).toEqual(expect.arrayContaining([expect.stringMatching(/^schema: \/msteams\/width/)]));
    expect(bad((c) => (c['actions'] = Array.from({ length: 7 }, () => ({ type: 'Action.Execute', title: 't', verb: 'v' }))))).toEqual(['7 primary actions, more than 6']);
    expect(bad((c) => (c['body'] = [{ type: 'TextBlock', text: 'x'.repeat(30_000), wrap: true }]))).toEqual([expect.stringMatching(/^\d+ bytes, more than 24000$/)]);
  });
});
