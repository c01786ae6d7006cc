/** Sharing a document through SlackChat: a real WebClient runs the SDK's three-call upload against the fake Web API. */
import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { personMark, timeMark } from '../../../src/app/message.js';
import type { Message } from '../../../src/app/message.js';
import type { Logger } from '../../../src/app/ports.js';
import { PermanentDeliveryError, RateLimitedError } from '../../../src/app/ports.js';
import { SlackChat, sharedFileRef } from '../../../src/adapters/slack/slack-chat.js';
import { slackWrite } from '../../../src/adapters/slack/slack-write.js';
import { FakeSlack, UPLOAD } from '../../support/fake-slack.js';

const slack = new FakeSlack();
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
let chat: SlackChat;

beforeAll(async () => {
  await slack.start();
  // As slack-app.ts configures it: rate limits rejected at once, one quick retry of a failed request.
  const client = new WebClient('xoxb-file-test', { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 1, factor: 1, minTimeout: 20, maxTimeout: 20 }, logLevel: LogLevel.ERROR });
  chat = new SlackChat(client, quiet, slackWrite(slack.apiUrl, 'xoxb-file-test'));
});

afterAll(async () => {
  await slack.stop();
});

beforeEach(() => {
  slack.calls.length = 0;
  slack.reportShares = false;
});

const DRAFT = [
  '# Post-mortem INC-3: checkout errors',
  '',
  `- ${timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02')} declared by alice`,
  '- "rollback <now> & pray" — bob 🚑',
  '',
].join('\n');

const draft = (key = 'incident/inc-3/postmortem/1'): Message => ({
  key,
  title: 'Post-mortem draft',
  text: [`INC-3 <checkout> is resolved; ${personMark('slack:U0ALICE', 'alice')}, the draft is yours to finish.`, 'A second paragraph the comment leaves out.'],
  file: { name: 'postmortem-inc-3.md', title: 'Post-mortem INC-3: checkout errors', content: DRAFT },
});

describe('SlackChat.post with a file', () => {
  it("uploads the content into the thread, titled, with the message's fallback text as its comment, and keeps the file id", async () => {
    const ref = await chat.post({ channel: 'C0INCIDENTS', thread: '1700000001.000100' }, draft());

    const expected = DRAFT.replace(timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02'), '15:02');
    expect(slack.sharedFiles()).toEqual([
      {
        fileId: ref,
        filename: 'postmortem-inc-3.md',
        length: Buffer.byteLength(expected, 'utf8'),
        content: expected,
        title: 'Post-mortem INC-3: checkout errors',
        channel: 'C0INCIDENTS',
        thread: '1700000001.000100',
        initialComment: 'Post-mortem draft: INC-3 &lt;checkout&gt; is resolved; alice, the draft is yours to finish.',
      },
    ]);
    expect(ref).toMatch(/^F0FILE\d+$/);
    expect(slack.calls.map((call) => call.method)).toEqual(['files.getUploadURLExternal', UPLOAD, 'files.completeUploadExternal']);
    expect(slack.calls.every((call) => call.method === UPLOAD || call.token === 'xoxb-file-test')).toBe(true);
  });

  it('shares into the channel itself without a thread, and keeps the share message ts when Slack already reports it', async () => {
    slack.reportShares = true;
    const ref = await chat.post({ channel: 'C0INCIDENTS' }, draft());

    const [complete] = slack.callsOf('files.completeUploadExternal');
    expect(complete?.args).not.toHaveProperty('thread_ts');
    expect(slack.sharedFiles()[0]).toMatchObject({ channel: 'C0INCIDENTS', filename: 'postmortem-inc-3.md' });
    expect(ref).toMatch(/^\d+\.000300$/);
    expect(slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('sends no comment when the message has no text to show', async () => {
    await chat.post({ channel: 'C0INCIDENTS' }, { ...draft(), title: '', text: [] });
    expect(slack.callsOf('files.completeUploadExternal')[0]?.args).not.toHaveProperty('initial_comment');
  });

  it('drops a share Slack refuses for good (the bot is not in the channel): nothing was shared', async () => {
    slack.failNext('files.completeUploadExternal', { error: 'not_in_channel' });
    const failure = chat.post({ channel: 'C0PRIVATE', thread: '1700000001.000100' }, draft());
    await expect(failure).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(failure).rejects.toThrow('Slack refused the message: not_in_channel');
    expect(slack.sharedFiles()).toEqual([]);
  });

  it('passes a rate limit on with its Retry-After, before any bytes went out', async () => {
    slack.failNext('files.getUploadURLExternal', { status: 429, retryAfter: 7 });
    const failure = chat.post({ channel: 'C0INCIDENTS' }, draft());
    await expect(failure).rejects.toBeInstanceOf(RateLimitedError);
    await expect(failure).rejects.toMatchObject({ retryAfterMs: 7_000 });
    expect(slack.callsOf(UPLOAD)).toEqual([]);
  });

  it('leaves an upload URL that keeps failing to the delivery retries: neither permanent nor a rate limit', async () => {
    slack.failNext(UPLOAD, { status: 500 });
    slack.failNext(UPLOAD, { status: 500 });
    const error: unknown = await chat.post({ channel: 'C0INCIDENTS' }, draft()).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error).not.toBeInstanceOf(RateLimitedError);
    expect(slack.callsOf('files.completeUploadExternal')).toEqual([]);
  });

  it('refuses to edit a message with a file, without calling Slack', async () => {
    await expect(chat.update({ channel: 'C0INCIDENTS' }, 'F0FILE1', draft())).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(slack.calls).toEqual([]);
  });
});

describe('sharedFileRef', () => {
  const completed = (shares?: object): { ok: boolean; files: object[] }[] => [{ ok: true, files: [{ id: 'F0ONE', title: 't', ...(shares ? { shares } : {}) }] }];

  it("is the share's ts in a public or a private channel, else the file id", () => {
    expect(sharedFileRef(completed({ public: { C0PUB: [{ ts: '1.2' }] } }), 'C0PUB')).toBe('1.2');
    expect(sharedFileRef(completed({ private: { G0PRIV: [{ ts: '3.4' }] } }), 'G0PRIV')).toBe('3.4');
    expect(sharedFileRef(completed({ public: { C0OTHER: [{ ts: '5.6' }] } }), 'C0PUB')).toBe('F0ONE');
    expect(sharedFileRef(completed(), 'C0PUB')).toBe('F0ONE');
    expect(sharedFileRef([{ ok: true, files: [] }], 'C0PUB')).toBeUndefined();
  });
});
