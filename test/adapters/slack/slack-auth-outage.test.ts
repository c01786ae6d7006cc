/**
 * Slack's Web API unreachable when the first request arrives: `planb serve` stays up and still carries that request
 * out (its signature was good; the bot's ids are not needed for it), and asks auth.test again with the next one; a
 * success is remembered, not asked again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../support/fake-slack.js';
import { startSlackServer } from '../../support/slack-server.js';
import { sign, SIGNING_SECRET, slashCommandBody } from '../../support/slack-requests.js';
import { until } from '../../support/until.js';

const slack = new FakeSlack();
let base = '';
let stop: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  await slack.start();
  // The first auth.test meets an outage (the client does not retry: the next request asks again).
  slack.failNext('auth.test', { status: 500 });
  const server = await startSlackServer(slack, { SLACK_BOT_TOKEN: 'xoxb-auth-outage', SLACK_SIGNING_SECRET: SIGNING_SECRET });
  base = server.base;
  stop = server.stop;
});

afterAll(async () => {
  await stop();
  await slack.stop();
});

const help = async (responseId: string): Promise<number> => {
  const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/release', text: 'help', responseUrl: slack.responseUrl(responseId) }));
  return (await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers })).status;
};

describe('Slack unreachable at first', () => {
  it('carries out the request it could not authorise, then authorises once and remembers it', async () => {
    expect(await help('during')).toBe(200);
    await until(() => slack.responses.some((response) => response.id === 'during'));
    expect(await help('after')).toBe(200);
    await until(() => slack.responses.some((response) => response.id === 'after'));
    expect(await help('again')).toBe(200);
    await until(() => slack.responses.some((response) => response.id === 'again'));
    // Failed calls are not recorded by the fake: the one that answered, and no more after it.
    expect(slack.callsOf('auth.test')).toHaveLength(1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
