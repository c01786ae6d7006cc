/**
 * Acting as Slack against a running `planb serve`: signed slash commands and button presses into
 * /slack/events, a local fake of the Web API underneath, real Redis and BullMQ in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackManifest } from '../../../src/adapters/slack/manifest.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { startSlackServer } from '../../support/slack-server.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { blockActionsBody, nextTrigger, sign, SIGNING_SECRET, slashCommandBody, viewSubmissionBody } from '../../support/slack-requests.js';
import { checkBlockKitLimits } from '../../support/block-kit-limits.js';
import { until as poll } from '../../support/until.js';

const slack = new FakeSlack();
let base = '';
let stop: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  await slack.start();
  const server = await startSlackServer(slack, { SLACK_BOT_TOKEN: 'xoxb-test-token-never-logged', SLACK_SIGNING_SECRET: SIGNING_SECRET });
  base = server.base;
  stop = server.stop;
});

afterAll(async () => {
  await stop();
  await slack.stop();
});

const post = async (body: string, headers: Record<string, string>): Promise<{ status: number; text: string; ms: number }> => {
  const started = Date.now();
  const response = await fetch(`${base}/slack/events`, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text(), ms: Date.now() - started };
};

const command = (user: string, userName: string, text: string, options: { trigger?: string; responseId?: string } = {}): Promise<{ status: number; text: string; ms: number }> => {
  const [name = '', ...rest] = text.split(' ');
  const signed = sign(slashCommandBody({ user, userName, command: name, text: rest.join(' '), responseUrl: slack.responseUrl(options.responseId ?? 'r'), ...(options.trigger ? { trigger: options.trigger } : {}) }));
  return post(signed.body, signed.headers);
};

/** The newest card message for a release: its ts and blocks, from postMessage or update calls. */
const latestCard = (release: string): { ts: string; call: SlackCall } => {
  const calls = slack.calls.filter((call) => (call.method === 'chat.postMessage' || call.method === 'chat.update') && JSON.stringify(call.args['blocks'] ?? '').includes(`(${release})`));
  const call = calls.at(-1);
  if (!call) throw new Error(`no card for ${release}: ${JSON.stringify(slack.calls.map((entry) => entry.method))}`);
  const ts = call.method === 'chat.update' ? String(call.args['ts']) : '';
  return { ts, call };
};

const buttonsOf = (call: SlackCall): { action_id: string; value: string; text: { text: string } }[] =>
  ((call.args['blocks'] as { type: string; elements?: unknown[] }[]) ?? []).filter((block) => block.type === 'actions').flatMap((block) => block.elements as { action_id: string; value: string; text: { text: string } }[]);

const until = (check: () => boolean, ms = 10_000): Promise<void> => poll(check, ms, () => `calls: ${JSON.stringify(slack.calls.map((call) => [call.method, call.args['text']]))}`);

const texts = (method: string): string[] => slack.callsOf(method).map((call) => String(call.args['text']));

describe('Slack over HTTP', () => {
  it('refuses unsigned, forged, tampered and stale requests with 401, and runs none of them', async () => {
    const body = slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/release', text: 'start web-deploy version=9.9.9 confirmer=<@U0BOB|bob>', responseUrl: slack.responseUrl('forged') });
    expect((await post(body, { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    expect((await post(body, sign(body, { secret: 'not-the-secret' }).headers)).status).toBe(401);
    expect((await post(body.replace('9.9.9', '9.9.8'), sign(body).headers)).status).toBe(401);
    expect((await post(body, sign(body, { at: Math.floor(Date.now() / 1000) - 600 }).headers)).status).toBe(401);
    await new Promise((wake) => setTimeout(wake, 300));
    expect(slack.calls.filter((call) => call.method !== 'auth.test')).toEqual([]);
    expect(slack.responses.filter((response) => response.id === 'forged')).toEqual([]);
  });

  it('runs a release from slash commands and button presses: card posted, then edited in place; lines in its thread', async () => {
    const started = await command('U0ALICE', 'alice', '/release start web-deploy version=1.2.3 confirmer=<@U0BOB|bob>');
    expect(started.status).toBe(200);
    await until(() => texts('chat.postMessage').some((text) => text.includes('(web-deploy-1)')));
    const card = slack.callsOf('chat.postMessage').find((call) => JSON.stringify(call.args['blocks']).includes('(web-deploy-1)'));
    expect(card?.args['channel']).toBe('C0RELEASES');
    expect(card?.token).toBe('xoxb-test-token-never-logged');
    // Its key travels as message metadata, so the card can be told from any other message and found again by it.
    expect(card?.args['metadata']).toEqual({ event_type: 'planb_message', event_payload: { key: 'release/web-deploy-1/card' } });
    expect(checkBlockKitLimits((card?.args['blocks'] ?? []) as never)).toEqual([]);
    const accept = buttonsOf(card as SlackCall).find((button) => button.text.text === 'Accept');
    expect(accept?.action_id).toBe('release_accept');
    const cardTs = String(card?.reply?.['ts']);
    // The first line is the channel's heads-up, posted before any card existed.
    expect(slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('started Web release 1.2.3'))?.args['thread_ts']).toBeUndefined();

    // dave may not accept; bob may.
    const wrong = sign(blockActionsBody({ user: 'U0DAVE', userName: 'dave', actionId: accept?.action_id ?? '', value: accept?.value ?? '', messageTs: cardTs, responseUrl: slack.responseUrl('dave') }));
    expect((await post(wrong.body, wrong.headers)).status).toBe(200);
    await until(() => slack.responses.some((response) => response.id === 'dave'));
    expect(JSON.stringify(slack.responses.find((response) => response.id === 'dave')?.body)).toContain('may accept.');

    const pressed = sign(blockActionsBody({ user: 'U0BOB', userName: 'bob', actionId: accept?.action_id ?? '', value: accept?.value ?? '', messageTs: cardTs, responseUrl: slack.responseUrl('bob') }));
    expect((await post(pressed.body, pressed.headers)).status).toBe(200);
    await until(() => slack.callsOf('chat.update').length > 0);
    const update = slack.callsOf('chat.update').at(-1);
    expect(update?.args['channel']).toBe('C0RELEASES');
    expect(typeof update?.args['ts']).toBe('string');
    expect(buttonsOf(update as SlackCall).map((button) => button.text.text)).toEqual(['Start']);
    expect(update?.args['ts']).toBe(cardTs);
    expect(update?.args['metadata']).toEqual(card?.args['metadata']);
    expect(latestCard('web-deploy-1').ts).toBe(cardTs);
    // Step-by-step detail goes to the card's thread.
    const accepted = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('accepted to confirm every step.'));
    expect(accepted?.args['thread_ts']).toBe(cardTs);
  });

  it('acks at once and answers mistakes only to the person, with the problem and the usage', async () => {
    const before = slack.calls.length;
    const junk = await command('U0ALICE', 'alice', '/release frobnicate', { responseId: 'junk' });
    expect(junk.status).toBe(200);
    expect(junk.ms).toBeLessThan(3_000);
    await until(() => slack.responses.some((response) => response.id === 'junk'));
    const answer = slack.responses.find((response) => response.id === 'junk')?.body;
    expect(answer?.['response_type']).toBe('ephemeral');
    expect(JSON.stringify(answer)).toContain('/release has no subcommand');
    expect(slack.calls.slice(before).filter((call) => call.method === 'chat.postMessage')).toEqual([]);
  });

  it('a Slack retry of the same command (same trigger id) changes nothing twice', async () => {
    const trigger = nextTrigger();
    await command('U0CAROL', 'carol', '/release start checkout-deploy version=2.0.0 confirmer=<@U0BOB|bob>', { trigger, responseId: 'first' });
    await until(() => texts('chat.postMessage').some((text) => text.includes('(checkout-deploy-1)')));
    const retry = sign(slashCommandBody({ user: 'U0CAROL', userName: 'carol', command: '/release', text: 'start checkout-deploy version=2.0.0 confirmer=<@U0BOB|bob>', responseUrl: slack.responseUrl('retry'), trigger }));
    expect((await post(retry.body, { ...retry.headers, 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' })).status).toBe(200);
    await new Promise((wake) => setTimeout(wake, 500));
    // Had it run again it would have been refused ("one release at a time") through the response_url.
    expect(slack.responses.filter((response) => response.id === 'retry')).toEqual([]);
  });

  it('user text can never become a mass mention or a live link', async () => {
    await command('U0ALICE', 'alice', '/release abort web-deploy-1 <!channel> see <https://evil.example|here> & <!subteam^S0SRE>');
    await until(() => texts('chat.postMessage').some((text) => text.includes('aborted web-deploy-1')));
    const line = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('aborted web-deploy-1'));
    const everything = JSON.stringify(line?.args);
    expect(everything).not.toMatch(/<!channel>|<!here>|<!subteam|<https?:/);
    expect(everything).toContain('&lt;!channel&gt;');
    expect(line?.args['link_names']).toBeUndefined();
  });

  it('/release start alone opens a modal; a submission with mistakes shows them on their fields, a good one starts the release', async () => {
    const trigger = nextTrigger();
    await command('U0CAROL', 'carol', '/release start', { trigger });
    const [open] = await slack.waitFor('views.open');
    expect(open?.args['trigger_id']).toBe(trigger);
    const view = open?.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id: string; element: { type: string; options?: { value: string }[] } }[] };
    expect(view.callback_id).toBe('planb_form');
    expect(view.blocks.map((block) => [block.block_id, block.element.type])).toEqual([
      ['runbook', 'static_select'],
      ['params', 'plain_text_input'],
      ['confirmer', 'users_select'],
    ]);
    expect(view.blocks[0]?.element.options?.map((option) => option.value)).toEqual(['api-deploy', 'checkout-deploy', 'web-deploy']);
    const submit = async (values: Record<string, Record<string, unknown>>): Promise<{ status: number; text: string }> => {
      const signed = sign(viewSubmissionBody({ user: 'U0CAROL', userName: 'carol', view: { callback_id: view.callback_id, private_metadata: view.private_metadata, blocks: view.blocks }, values }));
      return post(signed.body, signed.headers);
    };
    const values = (params: string, confirmer: string): Record<string, Record<string, unknown>> => ({
      runbook: { runbook: { type: 'static_select', selected_option: { value: 'web-deploy', text: { type: 'plain_text', text: 'Web release' } } } },
      params: { params: { type: 'plain_text_input', value: params } },
      confirmer: { confirmer: { type: 'users_select', selected_user: confirmer } },
    });
    const wrong = await submit(values('version=latest', 'U0CAROL'));
    expect(wrong.status).toBe(200);
    expect(JSON.parse(wrong.text)).toEqual({ response_action: 'errors', errors: { params: 'version=latest does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).' } });
    const self = JSON.parse((await submit(values('version=2.0.0', 'U0CAROL'))).text) as { errors: Record<string, string> };
    expect(Object.keys(self.errors)).toEqual(['confirmer']);
    const good = await submit(values('version=2.0.0', 'U0BOB'));
    expect([good.status, good.text]).toEqual([200, '']);
    await until(() => texts('chat.postMessage').some((text) => text.includes('started Web release 2.0.0')));
    expect(slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('started Web release 2.0.0'))?.args['channel']).toBe('C0RELEASES');
    await command('U0CAROL', 'carol', '/release abort web-deploy-2 only trying the form');
    await until(() => texts('chat.postMessage').some((text) => text.includes('aborted web-deploy-2')));
  });

  it('a double click (two presses of one button) is recorded once, and malformed payloads are refused without harm', async () => {
    await command('U0ALICE', 'alice', '/release start web-deploy version=3.0.0 confirmer=<@U0BOB|bob>');
    await until(() => texts('chat.postMessage').some((text) => text.includes('(web-deploy-3)')));
    const card = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('(web-deploy-3)')) as SlackCall;
    const accept = buttonsOf(card).find((button) => button.text.text === 'Accept');
    const press = (id: string): Promise<{ status: number }> => {
      const signed = sign(blockActionsBody({ user: 'U0BOB', userName: 'bob', actionId: accept?.action_id ?? '', value: accept?.value ?? '', messageTs: String(card.reply?.['ts']), responseUrl: slack.responseUrl(id) }));
      return post(signed.body, signed.headers);
    };
    await Promise.all([press('click-1'), press('click-2')]);
    await until(() => slack.responses.some((response) => response.id.startsWith('click-')));
    await until(() => texts('chat.postMessage').some((text) => text.includes('accepted to confirm every step.') && slack.callsOf('chat.update').length > 0));
    await new Promise((wake) => setTimeout(wake, 300));
    const acceptedLines = slack.callsOf('chat.postMessage').filter((call) => String(call.args['thread_ts']) === String(card.reply?.['ts']) && String(call.args['text']).includes('accepted'));
    expect(acceptedLines).toHaveLength(1);
    expect(JSON.stringify(slack.responses.filter((response) => response.id.startsWith('click-')))).toContain('already accepted');

    for (const body of ['payload=not-json', 'payload=%7B%22type%22%3A%22block_actions%22%7D', 'command=%2Frelease', '']) {
      const signed = sign(body);
      const answer = await post(signed.body, signed.headers);
      expect(answer.status, body).toBeLessThan(500);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await command('U0ALICE', 'alice', '/release abort web-deploy-3 done clicking');
    await until(() => texts('chat.postMessage').some((text) => text.includes('aborted web-deploy-3')));
  });

  it('every slash command in the manifest is handled by the running app', async () => {
    const manifest = slackManifest({ url: 'https://planb.example.com' }) as { features: { slash_commands: { command: string; url: string }[] }; settings: { interactivity: { request_url: string } } };
    for (const entry of manifest.features.slash_commands) {
      expect(new URL(entry.url).pathname).toBe('/slack/events');
      const id = `help${entry.command}`;
      await command('U0DAVE', 'dave', `${entry.command} help`, { responseId: id });
      await until(() => slack.responses.some((response) => response.id === id));
      expect(JSON.stringify(slack.responses.find((response) => response.id === id)?.body)).toContain(`${entry.command} `);
    }
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
  });

  it('retries an edit that met a 500 and still makes it once', async () => {
    slack.failNext('chat.update', { status: 500 });
    slack.failNext('chat.update', { status: 500 });
    const before = slack.callsOf('chat.update').length;
    await command('U0ALICE', 'alice', '/release abort checkout-deploy-1 giving up on 2.0.0');
    await until(() => slack.callsOf('chat.update').length > before);
    await new Promise((wake) => setTimeout(wake, 300));
    const edits = slack.callsOf('chat.update').slice(before);
    expect(edits).toHaveLength(1);
    expect(String(edits[0]?.args['text'])).toContain('(checkout-deploy-1)');
  });

  it('waits out a 429 with its Retry-After and still delivers once', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const before = slack.callsOf('chat.postMessage').length;
    const sent = Date.now();
    await command('U0ALICE', 'alice', '/release start web-deploy version=1.2.4 confirmer=<@U0CAROL|carol>');
    await until(() => texts('chat.postMessage').some((text) => text.includes('1.2.4')));
    const calls = slack.callsOf('chat.postMessage').slice(before);
    expect(calls.filter((call) => String(call.args['text']).includes('started Web release 1.2.4'))).toHaveLength(1);
    expect((calls[0]?.at ?? 0) - sent).toBeGreaterThanOrEqual(1_000);
  });
});
