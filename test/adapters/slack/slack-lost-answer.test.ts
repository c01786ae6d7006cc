/**
 * A post Slack carried out whose answer never came back (the connection dropped): `planb serve` looks for the
 * message's key in the channel's history (or the thread's replies) before posting again, so it shows once, and
 * later edits and thread lines go to the message that is there. Real Redis and BullMQ, the fake Web API.
 */
import { describe, expect, it } from 'vitest';
import type { SlackCall } from '../../support/fake-slack.js';
import { slackSession } from '../../support/slack-session.js';

const session = slackSession('test/fixtures/slack/planb.yaml', 'xoxb-lost-answer');
const { slack } = session;

const keyOf = (call: SlackCall): unknown => (call.args['metadata'] as { event_payload?: { key?: unknown } } | undefined)?.event_payload?.key;
const postsOf = (key: string): SlackCall[] => slack.callsOf('chat.postMessage').filter((call) => keyOf(call) === key);
const accepted = (call: SlackCall | undefined): string => String(call?.reply?.['ts']);

/** Keys posted more than once since call number `from`. */
const postedTwice = (from = 0): unknown[] => {
  const keys = slack.callsOf('chat.postMessage').slice(from).map(keyOf);
  return keys.filter((key, index) => keys.indexOf(key) !== index);
};

/** Until Slack has heard nothing for a while: what a command set going has gone out. */
const quiet = async (ms = 700): Promise<void> => {
  for (let count = -1; count !== slack.calls.length; ) {
    count = slack.calls.length;
    await new Promise((wake) => setTimeout(wake, ms));
  }
};

describe('a post whose answer was lost', () => {
  it('is found in the channel by its key and not posted again; what comes after goes on as if it had been answered', async () => {
    slack.failNext('chat.postMessage', { lostAnswer: true });
    expect(await session.command('U0ALICE', '/release start web-deploy version=3.0.1 confirmer=<@U0BOB|bob>')).toBe(200);
    const card = 'release/web-deploy-1/card';
    await session.until(() => postsOf(card).length > 0);

    const [first] = slack.callsOf('chat.postMessage');
    const looks = slack.callsOf('conversations.history');
    expect(looks).toHaveLength(1);
    expect(looks[0]?.args).toMatchObject({ channel: 'C0RELEASES', include_all_metadata: 'true' });
    // It looks back from a little before its first try (a minute), not through the whole channel.
    expect(Number(looks[0]?.args['oldest'])).toBeGreaterThan(Date.now() / 1_000 - 120);
    expect(Number(looks[0]?.args['oldest'])).toBeLessThan(Number(accepted(first)));
    expect(postedTwice()).toEqual([]);
    expect(postsOf(card)).toHaveLength(1);
  });

  it('in a thread is looked for among its replies, and the thread goes on', async () => {
    await quiet();
    const before = slack.callsOf('chat.postMessage').length;
    const ts = accepted(postsOf('release/web-deploy-1/card')[0]);
    // The next thread line's answer is lost.
    slack.failNext('chat.postMessage', { lostAnswer: true });
    expect(await session.press('U0BOB', 'Accept')).toBe(200);
    await session.until(() => slack.callsOf('conversations.replies').length > 0);
    const [look] = slack.callsOf('conversations.replies');
    expect(look?.args).toMatchObject({ channel: 'C0RELEASES', ts, include_all_metadata: 'true' });
    await quiet();
    expect(slack.callsOf('chat.postMessage').slice(before).map((call) => call.args['text'])).toEqual(['name-of-U0BOB accepted to confirm every step.']);
    expect(slack.callsOf('chat.postMessage').slice(before).every((call) => call.args['thread_ts'] === ts)).toBe(true);
    expect(postedTwice(before)).toEqual([]);
  });

  it('after a clear refusal (429) is posted again without looking: Slack said it did not post', async () => {
    await quiet();
    const looks = slack.callsOf('conversations.history').length + slack.callsOf('conversations.replies').length;
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    expect(await session.command('U0ALICE', '/incident declare Checkout is down')).toBe(200);
    await session.until(() => slack.callsOf('chat.postMessage').some((call) => String(call.args['text']).includes('Checkout is down')));
    expect(slack.callsOf('conversations.history').length + slack.callsOf('conversations.replies').length).toBe(looks);
  });

  it('is posted again when Slack will not let the bot read the channel (no history scope): at least once', async () => {
    await quiet();
    const before = slack.callsOf('chat.postMessage').length;
    slack.failNext('chat.postMessage', { lostAnswer: true });
    slack.failNext('conversations.history', { error: 'missing_scope' });
    expect(await session.command('U0ALICE', '/incident declare Search is slow')).toBe(200);
    await session.until(() => postedTwice(before).length > 0);
    expect(postedTwice(before)).toHaveLength(1);
  });
});
