/**
 * SIGTERM on a real `planb serve` while Slack is slow and messages are in flight: the process finishes the
 * request and the post in hand, exits 0, and a second process delivers the rest; every message reaches Slack
 * exactly once, in order per channel.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/console-process.js';
import { FakeSlack } from '../support/fake-slack.js';
import { slackProcessEnv } from '../support/slack-server.js';
import { connect, dropPrefix, uniquePrefix } from '../support/redis.js';
import { freePort } from '../support/redis-server.js';
import { sign, slashCommandBody } from '../support/slack-requests.js';
import { until } from '../support/until.js';

const redis = connect();
const prefix = uniquePrefix('graceful');
const slack = new FakeSlack();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await slack.stop();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

/** `planb serve` with Slack on the test's Redis prefix; resolves once it answers /healthz. */
const serve = async (): Promise<{ child: ChildProcess; base: string; logs: () => string }> => {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: slackProcessEnv(slack, { token: 'xoxb-graceful-test', prefix, port, logLevel: 'info' }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let logs = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 15_000; !(await fetch(`${base}/healthz`).then((response) => response.ok, () => false)); ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`planb did not come up:\n${logs}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return { child, base, logs: () => logs };
};

const declare = (base: string, n: number): Promise<Response> => {
  const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/incident', text: `declare Checkout errors ${n} severity=2`, responseUrl: slack.responseUrl(`d${n}`) }));
  return fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
};

const INCIDENTS = 4;
/** What each declaration posts: the opening line, the stakeholder update, the incident card. */
const PER_INCIDENT = 3;

describe('planb serve on SIGTERM', () => {
  it('finishes what is in flight and exits 0; the next process delivers the rest, nothing lost, nothing twice', { timeout: 60_000 }, async () => {
    await slack.start();
    slack.latencyMs = 300;
    const first = await serve();
    const answers = await Promise.all(Array.from({ length: INCIDENTS }, (_, index) => declare(first.base, index + 1)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: INCIDENTS }, () => 200));
    await until(() => slack.callsOf('chat.postMessage').length >= 2, 10_000);

    const exited = new Promise<number | null>((done) => first.child.once('exit', done));
    first.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const beforeRestart = slack.callsOf('chat.postMessage').length;
    // Slow Slack, SIGTERM early: some messages were still waiting, and they are not lost.
    expect(beforeRestart).toBeLessThan(INCIDENTS * PER_INCIDENT);

    const second = await serve();
    await until(() => slack.callsOf('chat.postMessage').length >= INCIDENTS * PER_INCIDENT, 20_000);
    await new Promise((wake) => setTimeout(wake, 1_500));
    const posted = slack.callsOf('chat.postMessage').map((call) => `${String(call.args['channel'])}: ${String(call.args['text'])}`);
    expect(posted).toHaveLength(INCIDENTS * PER_INCIDENT);
    expect(new Set(posted).size).toBe(posted.length);
    for (let n = 1; n <= INCIDENTS; n += 1) {
      const mine = posted.filter((text) => text.includes(`Checkout errors ${n}`));
      expect(mine, `inc for "Checkout errors ${n}"`).toHaveLength(PER_INCIDENT);
      // In each incident's order: the opening line before its update, the update before its card.
      expect(mine[0]).toContain('opened inc-');
      expect(mine[1]).toContain('Investigating:');
    }
    const stopped = new Promise<number | null>((done) => second.child.once('exit', done));
    second.child.kill('SIGTERM');
    expect(await stopped).toBe(0);
  });
});
