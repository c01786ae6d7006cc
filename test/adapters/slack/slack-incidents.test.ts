/** Acting as Slack during trouble: the Something's wrong button, the decision timer's messages, escalation by mention and DM, a rollback decision by button. */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../support/fake-slack.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { startSlackServer } from '../../support/slack-server.js';
import { blockActionsBody, sign, SIGNING_SECRET, slashCommandBody, viewSubmissionBody } from '../../support/slack-requests.js';

const slack = new FakeSlack();
let base = '';
let stop: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  await slack.start();
  const server = await startSlackServer(slack, {
    SLACK_BOT_TOKEN: 'xoxb-incident-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PLANB_CONFIG: resolve('test/fixtures/slack-incidents/planb.yaml'),
  });
  base = server.base;
  stop = server.stop;
});

afterAll(async () => {
  await stop();
  await slack.stop();
});

const post = async (body: string): Promise<number> => {
  const signed = sign(body);
  return (await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers })).status;
};

const command = (user: string, text: string, responseId = 'r'): Promise<number> => {
  const [name = '', ...rest] = text.split(' ');
  return post(slashCommandBody({ user, userName: user.toLowerCase(), command: name, text: rest.join(' '), responseUrl: slack.responseUrl(responseId) }));
};

const texts = (): string[] => slack.calls.filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update').map((call) => String(call.args['text']));

const until = async (check: () => boolean, ms = 15_000): Promise<void> => {
  for (const deadline = Date.now() + ms; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out; posted: ${JSON.stringify(texts())}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
};

/** The newest button labelled `label` in any message posted or edited so far. */
const button = (label: string): { action_id: string; value: string } => {
  const calls = slack.calls.filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update');
  for (const call of [...calls].reverse()) {
    const found = ((call.args['blocks'] ?? []) as { type: string; elements?: { text?: { text: string }; action_id: string; value: string }[] }[])
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.text?.text === label);
    if (found) return found;
  }
  throw new Error(`no button ${label}`);
};

const press = (user: string, label: string, responseId = 'press'): Promise<number> => {
  const pressed = button(label);
  return post(blockActionsBody({ user, userName: user.toLowerCase(), actionId: pressed.action_id, value: pressed.value, messageTs: '1.1', responseUrl: slack.responseUrl(responseId) }));
};

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
      const signed = sign(
        viewSubmissionBody({
          user: 'U0BOB',
          userName: 'bob',
          view: { callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks },
          values: { duration: { duration: { type: 'plain_text_input', value: duration } }, reason: { reason: { type: 'plain_text_input', value: reason } } },
        }),
      );
      return (await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers })).text();
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
});
