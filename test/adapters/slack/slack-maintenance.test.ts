/**
 * Acting as Slack for maintenance windows: the announcement posted once and edited as the window moves, notices on
 * time, a release running over the window's end, change freezes, overlapping windows and times that are no time.
 */
import { resolve } from 'node:path';
import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkBlockKitLimits } from '../../support/block-kit-limits.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { slackSession } from '../../support/slack-session.js';
import { viewSubmissionBody } from '../../support/slack-requests.js';

const ANNOUNCE = 'C0ANNOUNCE';
const RELEASES = 'C0RELEASES';
/** How late a notice may arrive after it is due: timers go through Redis and BullMQ, and CI machines are slow. */
const LATE_MS = 3_000;

const { slack, post, command, messages, texts, until, press } = slackSession(resolve('test/fixtures/slack-maintenance/planb.yaml'), 'xoxb-maintenance-test');

interface Block {
  readonly type: string;
  readonly text?: { readonly text: string };
  readonly fields?: readonly { readonly text: string }[];
  readonly elements?: readonly { readonly text?: { readonly text: string } | string; readonly action_id?: string; readonly value?: string }[];
}

const blocksOf = (args: Readonly<Record<string, unknown>>): Block[] => (args['blocks'] ?? []) as Block[];

const headerOf = (call: SlackCall): string | undefined => blocksOf(call.args).find((block) => block.type === 'header')?.text?.text;

/** Every line of mrkdwn a message shows, as Slack receives it (escaped, with `<!date…>` and `<@U…>` tokens). */
const shown = (args: Readonly<Record<string, unknown>>): string =>
  blocksOf(args)
    .flatMap((block) => [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((field) => field.text)])
    .join('\n');

/** What the person saw in reply to the command sent with `responseId`: only they see it. */
const reply = async (responseId: string): Promise<string> => {
  await until(() => slack.responses.some((response) => response.id === responseId));
  const answer = slack.responses.find((response) => response.id === responseId)?.body ?? {};
  expect(answer['response_type']).toBe('ephemeral');
  return shown(answer);
};

/** The first message posted to `channel` whose fallback text has `fragment`, once it is there. */
const arrival = async (channel: string, fragment: string): Promise<SlackCall> => {
  const find = (): SlackCall | undefined => slack.callsOf('chat.postMessage').find((call) => call.args['channel'] === channel && String(call.args['text']).includes(fragment));
  await until(() => find() !== undefined);
  return find() as SlackCall;
};

const postedIn = (channel: string, fragment: string): SlackCall[] =>
  slack.callsOf('chat.postMessage').filter((call) => call.args['channel'] === channel && String(call.args['text']).includes(fragment));

/** Slack would take every message and reply so far: none is past a Block Kit limit. */
const expectWithinSlackLimits = (): void => {
  for (const args of [...messages().map((call) => call.args), ...slack.responses.map((response) => response.body)]) {
    expect(checkBlockKitLimits(blocksOf(args) as unknown as KnownBlock[]), String(args['text'])).toEqual([]);
  }
};

/** `<!date^1700000000^{date_short_pretty} {time}|Tue 14 Nov 22:13 UTC>`: its instant, in ms. */
const dateTokens = (text: string): { at: number; format: string }[] =>
  [...text.matchAll(/<!date\^(\d+)\^([^|>]+)\|[^>]+>/g)].map((match) => ({ at: Number(match[1]) * 1000, format: match[2] ?? '' }));

describe('Slack maintenance windows', () => {
  it('announces a window once and edits it as it moves; reminder, start and ending-soon notices come on time; a release runs it over, the driver extends it, and ending the release completes it', async () => {
    const sent = Date.now();
    expect(await command('U0ALICE', '/maintenance schedule DB upgrade at in 3s for 4s impact="Checkout is read-only" services=db,checkout remind=2s', 'schedule')).toBe(200);
    const scheduled = await reply('schedule');
    // The start was fixed between `sent` and now: each notice is due at those plus its offset.
    const confirmed = Date.now();
    const window = /Scheduled (mw-\d+)/.exec(scheduled)?.[1] ?? '';
    expect(scheduled).toContain(`Scheduled ${window}, announced in ${ANNOUNCE}. Reminders 2s before the start.`);
    const named = `"DB upgrade" (${window})`;
    const onTime = (call: SlackCall, dueInMs: number): void => {
      expect(call.at, String(call.args['text'])).toBeGreaterThanOrEqual(sent + dueInMs);
      expect(call.at, String(call.args['text'])).toBeLessThanOrEqual(confirmed + dueInMs + LATE_MS);
    };

    // The heads-up: what, when (a date token each reader sees in their own zone), how long, impact, services, contact.
    const headsUp = await arrival(ANNOUNCE, 'Planned maintenance: DB upgrade');
    expect(headerOf(headsUp)).toBe('Planned maintenance: DB upgrade');
    const headsUpText = shown(headsUp.args);
    const [start, end] = dateTokens(headsUpText);
    expect(start?.format).toBe('{date_short_pretty} {time}');
    expect(end?.format).toBe('{time}');
    expect(start?.at).toBeGreaterThanOrEqual(Math.floor((sent + 3_000) / 1000) * 1000);
    expect(start?.at).toBeLessThanOrEqual(confirmed + 3_000);
    expect((end?.at ?? 0) - (start?.at ?? 0)).toBe(4_000);
    expect(headsUpText).toMatch(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^>]+> to <!date\^\d+\^\{time\}\|[^>]+> \(4s\)/);
    expect(headsUpText).toContain('*Impact*\nCheckout is read-only');
    expect(headsUpText).toContain('*Services*\ndb, checkout');
    expect(headsUpText).toContain('*Contact*\nname-of-U0ALICE');
    expect(headsUpText).toContain(`*Window*\n${window}`);
    const ts = headsUp.reply?.['ts'];
    const edits = (): SlackCall[] => slack.callsOf('chat.update').filter((call) => call.args['channel'] === ANNOUNCE && call.args['ts'] === ts);
    const edited = async (header: string, fragment = ''): Promise<SlackCall> => {
      const find = (): SlackCall | undefined => edits().find((call) => headerOf(call) === header && shown(call.args).includes(fragment));
      await until(() => find() !== undefined);
      return find() as SlackCall;
    };

    // The release that will keep the window open, started in it.
    await command('U0ALICE', `/release start db-upgrade confirmer=<@U0BOB|bob> window=${window}`, 'release');
    await until(() => texts().some((text) => text.includes('(db-upgrade-1)')));
    await press('U0BOB', 'Accept');
    await until(() => texts().some((text) => text.includes('to start Upgrade the primary')));
    await press('U0ALICE', 'Start');
    await until(() => texts().some((text) => text.includes('is doing Upgrade the primary')));

    const reminder = await arrival(ANNOUNCE, `Reminder: maintenance ${named} starts at`);
    expect(String(reminder.args['text'])).toContain('in 2s. Impact: Checkout is read-only');
    expect(dateTokens(shown(reminder.args))[0]?.at).toBe(start?.at);
    onTime(reminder, 1_000);

    const started = await arrival(ANNOUNCE, `Maintenance ${named} has started; due to end at`);
    onTime(started, 3_000);
    expect(shown((await edited('Maintenance in progress: DB upgrade')).args)).toContain('Under way since');

    const endingSoon = await arrival(ANNOUNCE, `Maintenance ${named} is due to end at`);
    expect(String(endingSoon.args['text'])).toContain('in 2s.');
    onTime(endingSoon, 5_000);

    // The end comes with the release still running: everyone hears it runs over; the driver is asked what now.
    const overran = await arrival(ANNOUNCE, `Maintenance ${named} is running over`);
    expect(String(overran.args['text'])).toContain('Database upgrade is still in progress');
    onTime(overran, 7_000);
    expect(shown((await edited('Maintenance running over: DB upgrade')).args)).toContain('Database upgrade still in progress');
    const prompt = await arrival(RELEASES, `the maintenance window ${named} ended at`);
    onTime(prompt, 7_000);
    expect(shown(prompt.args)).toMatch(/^<@U0ALICE>: the maintenance window/);
    expect(String(prompt.args['text'])).toContain('db-upgrade-1 is still running');
    const promptButtons = blocksOf(prompt.args)
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .map((element) => [typeof element.text === 'object' ? element.text.text : '', element.action_id, JSON.parse(element.value ?? '{}') as unknown]);
    expect(promptButtons).toEqual([
      ['Extend', 'window_extend', { window }],
      ['Roll back', 'release_rollback', expect.objectContaining({ release: 'db-upgrade-1' })],
    ]);
    expect([reminder, started, endingSoon, overran].map((call) => slack.calls.indexOf(call))).toEqual(
      [reminder, started, endingSoon, overran].map((call) => slack.calls.indexOf(call)).sort((a, b) => a - b),
    );

    // Extend opens a form: how much longer, and why; the reason is announced.
    expect(await press('U0ALICE', 'Extend')).toBe(200);
    const [opened] = await slack.waitFor('views.open');
    const view = opened?.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id: string }[] };
    expect(view.blocks.map((block) => block.block_id)).toEqual(['duration', 'reason']);
    expect(JSON.parse(view.private_metadata)).toMatchObject({ form: 'maintenance.extend', subject: window, channel: RELEASES });
    const submit = async (duration: string, reason: string): Promise<string> => {
      const body = viewSubmissionBody({
        user: 'U0ALICE',
        userName: 'alice',
        view: { callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks },
        values: { duration: { duration: { type: 'plain_text_input', value: duration } }, reason: { reason: { type: 'plain_text_input', value: reason } } },
      });
      return (await post(body)).text();
    };
    expect(await submit('2s', 'the replica is still catching up')).toBe('');
    const extended = await arrival(ANNOUNCE, `Maintenance ${named} is extended to`);
    expect(String(extended.args['text'])).toContain('by name-of-U0ALICE: the replica is still catching up');
    expect(shown((await edited('Maintenance in progress: DB upgrade', 'the replica is still catching up')).args)).toMatch(/Extended to <!date\^\d+\^\{time\}\|[^>]+> by name-of-U0ALICE: the replica is still catching up/);
    // No reason, no extension: the form says so on the reason field and stays open.
    expect(JSON.parse(await submit('2s', ''))).toEqual({ response_action: 'errors', errors: { reason: 'Say why it needs longer: everyone waiting on the window reads it.' } });

    // The extension runs out with the release still going: it runs over again; the driver gives up on it.
    await until(() => postedIn(ANNOUNCE, `Maintenance ${named} is running over`).length === 2);
    await until(() => postedIn(RELEASES, `the maintenance window ${named} ended at`).length === 2);
    const aborted = Date.now();
    await command('U0ALICE', '/release abort db-upgrade-1 the replica will not catch up tonight', 'abort');
    const completed = await arrival(ANNOUNCE, `Maintenance ${named} is complete.`);
    expect(completed.at).toBeGreaterThanOrEqual(aborted);
    expect(completed.at).toBeLessThanOrEqual(aborted + LATE_MS);
    expect(shown((await edited('Maintenance complete: DB upgrade')).args)).toContain('Completed at');

    // One announcement, edited in place through every state; one notice per change.
    expect(slack.callsOf('chat.postMessage').filter((call) => headerOf(call)?.endsWith(': DB upgrade'))).toEqual([headsUp]);
    // Edits that change nothing (a reminder leaves the announcement as it was) may come or go; the states may not.
    const states = edits()
      .map(headerOf)
      .filter((header) => header !== 'Planned maintenance: DB upgrade')
      .filter((header, index, all) => header !== all[index - 1]);
    expect(states).toEqual([
      'Maintenance in progress: DB upgrade',
      'Maintenance running over: DB upgrade',
      'Maintenance in progress: DB upgrade',
      'Maintenance running over: DB upgrade',
      'Maintenance complete: DB upgrade',
    ]);
    for (const fragment of ['Reminder: maintenance', 'has started', 'is due to end at', 'is extended to', 'is complete.']) {
      expect(postedIn(ANNOUNCE, fragment), fragment).toHaveLength(1);
    }
    expectWithinSlackLimits();
  }, 40_000);

  it('warns whoever schedules a window over another on the same service, and says so in its announcement', async () => {
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await command('U0ALICE', `/maintenance schedule Index rebuild at ${day}T10:00:00Z for 2h services=db,search`, 'first');
    const first = /Scheduled (mw-\d+)/.exec(await reply('first'))?.[1] ?? '';
    await command('U0BOB', `/maintenance schedule Schema change at ${day}T11:00:00Z for 1h services=db impact="Writes pause for a minute"`, 'second');
    const warning = await reply('second');
    const second = /Scheduled (mw-\d+)/.exec(warning)?.[1] ?? '';
    expect(second).not.toBe(first);
    expect(warning).toMatch(new RegExp(`It overlaps ${first} \\(Index rebuild, <!date\\^\\d+\\^[^>]+>\\) on db\\.`));

    const announced = await arrival(ANNOUNCE, 'Planned maintenance: Schema change');
    expect(shown(announced.args)).toContain(`Overlaps ${first} on a shared service: check they do not get in each other's way.`);
    expect(shown((await arrival(ANNOUNCE, 'Planned maintenance: Index rebuild')).args)).not.toContain('Overlaps');
    // The warning is the scheduler's: nothing about it in the release channel.
    expect(slack.callsOf('chat.postMessage').filter((call) => call.args['channel'] !== ANNOUNCE && JSON.stringify(call.args).includes('Schema change'))).toEqual([]);
    expectWithinSlackLimits();
  });

  it('refuses a release start in a change freeze, saying how to override; the override goes on the card for the confirmer to approve', async () => {
    await command('U0ALICE', '/release start payments-deploy confirmer=<@U0BOB|bob>', 'frozen');
    const refusal = await reply('frozen');
    expect(refusal).toContain('payments-deploy is in a change freeze until');
    expect(refusal).toContain('(Year-end freeze)');
    expect(refusal).toContain('start it with override="&lt;why it cannot wait&gt;"');
    expect(refusal).toContain('approves the override by accepting');
    expect(texts().some((text) => text.includes('payments-deploy-1'))).toBe(false);

    await command('U0ALICE', '/release start payments-deploy confirmer=<@U0BOB|bob> override="the card network deadline is tonight"', 'override');
    await until(() => messages().some((call) => shown(call.args).includes('Accepting also approves the override.')));
    const card = messages().find((call) => shown(call.args).includes('Accepting also approves the override.')) as SlackCall;
    expect(card.args['channel']).toBe(RELEASES);
    expect(shown(card.args)).toContain('(Year-end freeze). Override: the card network deadline is tonight. Accepting also approves the override.');
    expect(await press('U0BOB', 'Accept')).toBe(200);
    await until(() => texts().some((text) => text.includes('accepted to confirm every step and approved the freeze override')));
    // The window tests' runbook, on another service, was never frozen.
    expect(texts().some((text) => text.includes('change freeze') && text.includes('db-upgrade'))).toBe(false);
    expectWithinSlackLimits();
  });

  it('answers a start that is no time, or is past, with what to write instead, and posts nothing', async () => {
    const before = slack.calls.length;
    await command('U0ALICE', '/maintenance schedule Oops at yesterday-ish garbage for 1h', 'garbage');
    expect(await reply('garbage')).toBe('I can read only "yesterday" of "yesterday-ish garbage" as a time: write just the time, e.g. tomorrow 22:00.');
    await command('U0ALICE', '/maintenance schedule Oops at yesterday for 1h', 'past');
    expect(await reply('past')).toMatch(/has passed: pick a start in the future\.$/);
    await command('U0ALICE', '/maintenance list', 'list');
    expect(await reply('list')).not.toContain('Oops');
    expect(slack.calls.slice(before).filter((call) => JSON.stringify(call.args).includes('Oops'))).toEqual([]);
    expectWithinSlackLimits();
  });
});
