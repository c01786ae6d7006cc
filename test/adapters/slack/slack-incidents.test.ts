/** Acting as Slack during trouble: the Something's wrong button, the decision timer's messages, escalation by mention and DM, a rollback decision by button. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SlackCall } from '../../support/fake-slack.js';
import { slackSession } from '../../support/slack-session.js';
import { viewSubmissionBody } from '../../support/slack-requests.js';

const API_TOKEN = 'incident-api-token-0123456789';
const { slack, base, post, command, texts, until, press } = slackSession(resolve('test/fixtures/slack-incidents/planb.yaml'), 'xoxb-incident-test', { PLANB_API_TOKEN: API_TOKEN });

describe('Slack during trouble', () => {
  it("opens an incident from the release card, warns, prompts, escalates by mention and DM, and rolls back by button", async () => {
    await command('U0ALICE', '/release start hotfix confirmer=<@U0BOB|bob>');
    await until(() => texts().some((text) => text.includes('(hotfix-1)')));
    await press('U0BOB', 'Accept');
    await until(() => texts().some((text) => text.includes('to start Apply the patch')));
    await press('U0ALICE', 'Start');
    await until(() => texts().some((text) => text.includes('is doing Apply the patch')));
    expect(await press('U0ALICE', "Something's wrong")).toBe(200);
    await until(() => texts().some((text) => text.startsWith('inc-1:')));
    const card = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).startsWith('inc-1:')) as SlackCall;
    expect(card.args['channel']).toBe('C0RELEASES');
    // Stakeholders hear it in plain words, in their own channel.
    expect(slack.callsOf('chat.postMessage').find((call) => call.args['channel'] === 'C0STATUS' && String(call.args['text']).startsWith('Investigating'))).toBeDefined();

    await until(() => texts().some((text) => text.includes('the decision on inc-1 is due')));
    await until(() => texts().some((text) => text.includes('time is up on inc-1')));
    await until(() => texts().some((text) => text.includes('escalating to')));
    const escalation = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('escalating to') && call.args['channel'] === 'C0RELEASES');
    expect(JSON.stringify(escalation?.args['blocks'])).toContain('<@U0ERIN>');
    expect(escalation?.args['thread_ts']).toBe(card.reply?.['ts']);
    // A direct message is its own conversation: it may arrive a moment after the channel's line.
    await until(() => slack.callsOf('chat.postMessage').some((call) => call.args['channel'] === 'U0ERIN'));
    const dm = slack.callsOf('chat.postMessage').find((call) => call.args['channel'] === 'U0ERIN');
    expect(String(dm?.args['text'])).toContain('No decision on inc-1');

    // Extend opens a form: how long, and why; no reason, no extension.
    expect(await press('U0BOB', 'Extend')).toBe(200);
    const [opened] = await slack.waitFor('views.open');
    const view = opened?.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id: string }[] };
    expect(view.blocks.map((block) => block.block_id)).toEqual(['duration', 'reason']);
    const submit = async (duration: string, reason: string): Promise<string> => {
      const body = viewSubmissionBody({
        user: 'U0BOB',
        userName: 'bob',
        view: { callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks },
        values: { duration: { duration: { type: 'plain_text_input', value: duration } }, reason: { reason: { type: 'plain_text_input', value: reason } } },
      });
      return (await post(body)).text();
    };
    expect(JSON.parse(await submit('10m', ''))).toEqual({ response_action: 'errors', errors: { reason: 'An extension needs a reason: what will be different in that time?' } });
    expect(await submit('10m', 'the fix is building')).toBe('');
    await until(() => texts().some((text) => text.includes('extended inc-1') && text.includes('the fix is building')));
    expect(JSON.parse(await submit('10m', 'even more'))).toEqual({ response_action: 'errors', errors: { duration: 'No more extensions: 1 of 1 used. Decide now: /incident decide inc-1 rollback | fixed' } });

    expect(await press('U0BOB', 'Roll back')).toBe(200);
    await until(() => texts().some((text) => text.includes('decided on inc-1: roll back')));
    await until(() => texts().some((text) => text.includes('started the rollback (inc-1: Something is wrong at patch (Apply the patch))')));
    const updates = slack.callsOf('chat.postMessage').filter((call) => call.args['channel'] === 'C0STATUS').length;
    await command('U0BOB', '/incident resolve reverted');
    await until(() => slack.callsOf('chat.postMessage').some((call) => call.args['channel'] === 'C0STATUS' && String(call.args['text']).startsWith('Resolved')));
    expect(slack.callsOf('chat.postMessage').filter((call) => call.args['channel'] === 'C0STATUS')).toHaveLength(updates + 1);
  });

  it('shares the post-mortem draft as a file in the incident thread, with its sections, decisions, timeline and durations', async () => {
    await until(() => slack.sharedFiles().some((file) => file.filename === 'postmortem-inc-1.md'));
    const files = slack.sharedFiles().filter((file) => file.filename === 'postmortem-inc-1.md');
    // Shared once, at the resolution (the rollback was started, not finished, so it shared none of its own).
    expect(files).toHaveLength(1);
    const draft = files.at(-1);
    const card = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).startsWith('inc-1:'));
    expect(draft?.channel).toBe('C0RELEASES');
    expect(draft?.thread).toBe(card?.reply?.['ts']);
    expect(draft?.title).toBe('Post-mortem draft: Something is wrong at patch (Apply the patch) (inc-1)');
    const content = draft?.content ?? '';
    const sections = [...content.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(sections).toEqual(['Summary', 'Impact', 'The release', 'Decisions', 'Stakeholder updates', 'Timeline (UTC)', 'What went well', 'What went wrong', 'Where we got lucky', 'Root cause', 'Trigger', 'Action items']);
    expect(content).toMatch(/^# Post-mortem: Something is wrong at patch \(Apply the patch\) \(inc-1\)\n\n\*\*Status:\*\* Draft/);
    // Decisions with who made them and why (names as Slack's users.info gives them).
    expect(content).toMatch(/: name-of-U0BOB extended the decision timer \(extension 1 of 1\) to [^:]+:\d\d:\d\d: "the fix is building"/);
    expect(content).toMatch(/: name-of-U0BOB decided: \*\*roll back\*\*\./);
    // The timeline in order: declared, extended, decided, rolled back, resolved.
    const timeline = content.slice(content.indexOf('## Timeline'), content.indexOf('## What went well'));
    const order = ['declared the incident', 'extended the decision timer', 'decided: roll back', 'started the rollback', 'resolved the incident'].map((text) => timeline.indexOf(text));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const stamps = [...timeline.matchAll(/^- (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) /gm)].map((match) => match[1] ?? '');
    expect([...stamps].sort()).toEqual(stamps);
    // Durations, as measured.
    expect(content).toMatch(/\| Time to decide \| \d+s \|/);
    expect(content).toMatch(/\| Total duration \| (\d+m)?\d+s \|/);
    expect(content).toContain('| patch | Apply the patch | name-of-U0ALICE | not confirmed |');
    // The same draft, as of now, from the JSON API.
    const served = await fetch(`${base()}/api/v1/incidents/inc-1/postmortem.md`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
    expect([served.status, served.headers.get('content-type')]).toEqual([200, 'text/markdown; charset=utf-8']);
    expect(await served.text()).toContain('# Post-mortem: Something is wrong at patch (Apply the patch) (inc-1)');
  });
});
