/** Posts and edits as one JSON POST against the fake Web API: Slack's answers in the delivery vocabulary. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, RateLimitedError } from '../../../src/app/ports.js';
import { slackWrite } from '../../../src/adapters/slack/slack-write.js';
import { FakeSlack } from '../../support/fake-slack.js';

const slack = new FakeSlack();
beforeAll(() => slack.start());
afterAll(() => slack.stop());

const write = (): ReturnType<typeof slackWrite> => slackWrite(slack.apiUrl, 'xoxb-write-test');
const metadata = { event_type: 'planb_message', event_payload: { key: 'k/1' } };

describe('slackWrite', () => {
  it('posts JSON with the token in the Authorization header and answers with Slack’s result', async () => {
    const result = await write()('chat.postMessage', { channel: 'C1', text: 'hello', unfurl_links: false, metadata });
    expect(typeof result['ts']).toBe('string');
    const [call] = slack.callsOf('chat.postMessage');
    expect(call).toMatchObject({ token: 'xoxb-write-test', args: { channel: 'C1', text: 'hello', unfurl_links: false, metadata } });
  });

  it('turns a 429 into a rate limit with its Retry-After', async () => {
    slack.failNext('chat.update', { status: 429, retryAfter: 3 });
    const failure = await write()('chat.update', { channel: 'C1', ts: '1.1', text: 'x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RateLimitedError);
    expect((failure as RateLimitedError).retryAfterMs).toBe(3_000);
  });

  it('drops what Slack would refuse again, and retries its own failures and 5xx', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(write()('chat.postMessage', { channel: 'C404', text: 'x' })).rejects.toBeInstanceOf(PermanentDeliveryError);
    slack.failNext('chat.postMessage', { error: 'internal_error' });
    const transient = await write()('chat.postMessage', { channel: 'C1', text: 'x' }).catch((error: unknown) => error);
    expect(transient).toBeInstanceOf(Error);
    expect(transient).not.toBeInstanceOf(PermanentDeliveryError);
    slack.failNext('chat.postMessage', { status: 500 });
    const outage = await write()('chat.postMessage', { channel: 'C1', text: 'x' }).catch((error: unknown) => error);
    expect(String(outage)).toContain('HTTP 500');
    expect(outage).not.toBeInstanceOf(PermanentDeliveryError);
  });
});
