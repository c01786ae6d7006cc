/**
 * Acting as Slack against a running `planb serve` in Socket Mode: the app-level token opens a WebSocket to a local
 * fake, slash commands and button presses arrive as envelopes, the Web API fake and real Redis underneath.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../support/fake-slack.js';
import { startSlackServer } from '../../support/slack-server.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { blockActionsEnvelope, FakeSocketMode, slashCommandEnvelope } from '../../support/fake-socket-mode.js';
import { nextTrigger, sign, slashCommandBody } from '../../support/slack-requests.js';
import { until as poll } from '../../support/until.js';

const BOT_TOKEN = 'xoxb-socket-test-token';
const APP_TOKEN = 'xapp-1-A0PLANB-1234-socket-test-token';

const slack = new FakeSlack();
const socket = new FakeSocketMode();
let base = '';
let stop: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  await slack.start();
  await socket.start();
  slack.socketUrl = socket.url;
  const server = await startSlackServer(slack, { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN });
  base = server.base;
  stop = server.stop;
});

afterAll(async () => {
  await stop();
  await socket.stop();
  await slack.stop();
});

const until = (check: () => boolean, ms = 10_000): Promise<void> => poll(check, ms, () => `calls: ${JSON.stringify(slack.calls.map((call) => [call.method, call.args['text']]))}`);

const buttonsOf = (call: SlackCall): { action_id: string; value: string; text: { text: string } }[] =>
  ((call.args['blocks'] as { type: string; elements?: unknown[] }[]) ?? []).filter((block) => block.type === 'actions').flatMap((block) => block.elements as { action_id: string; value: string; text: { text: string } }[]);

const cardOf = (release: string): SlackCall | undefined => slack.callsOf('chat.postMessage').find((call) => JSON.stringify(call.args['blocks'] ?? '').includes(`(${release})`));

/** What the Web API fake and the response_url endpoint have seen, to show that something did nothing. */
const effects = (): { calls: number; responses: number } => ({
  calls: slack.calls.filter((call) => call.method !== 'auth.test' && call.method !== 'users.info').length,
  responses: slack.responses.length,
});

const startCommand = { user: 'U0ALICE', userName: 'alice', command: '/release', text: 'start web-deploy version=1.2.3 confirmer=<@U0BOB|bob>', responseUrl: slack.responseUrl('start'), trigger: nextTrigger() };
const start = slashCommandEnvelope(startCommand);

describe('Slack over Socket Mode', () => {
  it('connects with the app-level token, to the URL apps.connections.open gave, unchanged', () => {
    expect(slack.callsOf('apps.connections.open').map((call) => call.token)).toEqual([APP_TOKEN]);
    expect(socket.connections).toEqual([{ url: '/link/?ticket=fake-ticket&app_id=A0PLANB', open: true }]);
  });

  it('runs a release from envelopes: each acked, the card posted with the bot token, then edited in place', async () => {
    expect(await socket.envelope(start)).toEqual({ envelope_id: start.envelope_id, payload: {} });
    await until(() => cardOf('web-deploy-1') !== undefined);
    const card = cardOf('web-deploy-1') as SlackCall;
    expect(card.args['channel']).toBe('C0RELEASES');
    expect(card.token).toBe(BOT_TOKEN);
    expect(buttonsOf(card).map((button) => button.text.text)).toEqual(['Accept', 'Decline']);
    const accept = buttonsOf(card).find((button) => button.text.text === 'Accept');
    expect(accept?.action_id).toBe('release_accept');
    const cardTs = String(card.reply?.['ts']);

    const press = blockActionsEnvelope({ user: 'U0BOB', userName: 'bob', actionId: accept?.action_id ?? '', value: accept?.value ?? '', messageTs: cardTs, responseUrl: slack.responseUrl('bob') });
    expect(await socket.envelope(press)).toEqual({ envelope_id: press.envelope_id, payload: {} });
    await until(() => slack.callsOf('chat.update').length > 0);
    const updates = slack.callsOf('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args['channel']).toBe('C0RELEASES');
    expect(updates[0]?.args['ts']).toBe(cardTs);
    expect(updates[0]?.token).toBe(BOT_TOKEN);
    expect(buttonsOf(updates[0] as SlackCall).map((button) => button.text.text)).toEqual(['Start']);
    expect(socket.stray).toEqual([]);
  });

  it('a repeated envelope (same trigger id) is acked again but changes nothing twice', async () => {
    const before = effects();
    expect(await socket.envelope(start)).toEqual({ envelope_id: start.envelope_id, payload: {} });
    // The same command with a new trigger id is refused (one release at a time) through its response_url: had the
    // repeat run, it would have been refused the same way. Waiting for this refusal also lets the repeat finish.
    const fresh = slashCommandEnvelope({ ...startCommand, trigger: nextTrigger(), responseUrl: slack.responseUrl('fresh') });
    await socket.envelope(fresh);
    await until(() => slack.responses.some((response) => response.id === 'fresh'));
    await new Promise((wake) => setTimeout(wake, 200));
    expect(slack.responses.filter((response) => response.id === 'start')).toEqual([]);
    expect(slack.responses.filter((response) => response.id === 'fresh')).toHaveLength(1);
    expect(effects()).toEqual({ calls: before.calls, responses: before.responses + 1 });
  });

  it('has no HTTP endpoint for Slack: POST /slack/events answers 404 and runs nothing', async () => {
    const before = effects();
    const signed = sign(slashCommandBody({ ...startCommand, trigger: nextTrigger(), responseUrl: slack.responseUrl('http') }));
    const response = await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'There is nothing here; try /healthz, /readyz or /api/v1/releases.' });
    expect(effects()).toEqual(before);
  });

  it('reconnects when Slack recycles the link, and takes envelopes on the new socket', async () => {
    socket.disconnect('refresh_requested');
    // The client waits clientPingTimeout (5 s by default) before it asks for a new URL.
    await socket.waitForConnections(2, 15_000);
    expect(socket.connections.map((connection) => [connection.open, connection.closeCode])).toEqual([
      [false, 1000],
      [true, undefined],
    ]);
    expect(slack.callsOf('apps.connections.open').map((call) => call.token)).toEqual([APP_TOKEN, APP_TOKEN]);
    const junk = slashCommandEnvelope({ ...startCommand, text: 'frobnicate', trigger: nextTrigger(), responseUrl: slack.responseUrl('junk') });
    expect(await socket.envelope(junk)).toEqual({ envelope_id: junk.envelope_id, payload: {} });
    await until(() => slack.responses.some((response) => response.id === 'junk'));
    expect(JSON.stringify(slack.responses.find((response) => response.id === 'junk')?.body)).toContain('/release has no subcommand');
  }, 20_000);

  it('stop() closes the socket with a normal closure, from the client side, promptly', async () => {
    const opened = slack.callsOf('apps.connections.open').length;
    const started = Date.now();
    await stop();
    stop = () => Promise.resolve();
    expect(Date.now() - started).toBeLessThan(3_000);
    await socket.waitUntilClosed();
    expect(socket.connections.at(-1)).toEqual({ url: '/link/?ticket=fake-ticket&app_id=A0PLANB', open: false, closeCode: 1000 });
    expect(slack.callsOf('apps.connections.open')).toHaveLength(opened);
  });
});
