/** With Slack configured, the bare `planb` (what `npm start` runs) serves Slack; at the most verbose log level no secret reaches its logs. */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/console-process.js';
import { FakeSlack } from '../support/fake-slack.js';
import { slackProcessEnv } from '../support/slack-server.js';
import { connect, dropPrefix, uniquePrefix } from '../support/redis.js';
import { freePort } from '../support/redis-server.js';
import { sign, SIGNING_SECRET, slashCommandBody } from '../support/slack-requests.js';

const TOKEN = 'xoxb-1234-5678-this-must-never-be-logged';
const redis = connect();
const prefix = uniquePrefix('slack-process');
const slack = new FakeSlack();
afterAll(async () => {
  await slack.stop();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('planb with Slack configured', () => {
  it('serves /slack/events by default and never logs the bot token or the signing secret', { timeout: 30_000 }, async () => {
    await slack.start();
    const port = await freePort();
    const child = spawn(process.execPath, [CLI], {
      env: slackProcessEnv(slack, { token: TOKEN, prefix, port, logLevel: 'trace' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', done));
    const base = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 15_000; ; ) {
      const up = await fetch(`${base}/healthz`).then((response) => response.ok, () => false);
      if (up) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`planb did not come up:\n${logs}`);
      await new Promise((wake) => setTimeout(wake, 100));
    }
    const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/release', text: 'start web-deploy version=1.2.3 confirmer=<@U0BOB|bob>', responseUrl: slack.responseUrl('p') }));
    const answer = await fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
    expect(answer.status).toBe(200);
    const posted = await slack.waitFor('chat.postMessage', 2);
    expect(posted.every((call) => call.token === TOKEN)).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs).toContain('planb serve is listening');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(SIGNING_SECRET);
  });
});
