/**
 * A slash command is acknowledged only once it is kept in Redis: a replica that dies right after the acknowledgement,
 * or half-way through carrying it out, loses nothing, and another replica carries it out exactly once.
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

const API_TOKEN = 'inbox-api-token-0123456789';
const redis = connect();
const prefixes: string[] = [];
const slack = new FakeSlack();
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await slack.stop();
  for (const prefix of prefixes) await dropPrefix(redis, prefix);
  redis.disconnect();
});

const serve = async (prefix: string, failpoint?: string): Promise<{ child: ChildProcess; base: string; exited: Promise<NodeJS.Signals | null> }> => {
  const port = await freePort();
  const env = { ...slackProcessEnv(slack, { token: 'xoxb-inbox-test', prefix, port, logLevel: 'error' }), PLANB_API_TOKEN: API_TOKEN, ...(failpoint ? { PLANB_FAILPOINT: failpoint } : {}) };
  const child = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
  let logs = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (logs += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 15_000; !(await fetch(`${base}/readyz`).then((response) => response.ok, () => false)); ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`planb did not come up:\n${logs}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return { child, base, exited };
};

const declare = (base: string, title: string): Promise<Response> => {
  const signed = sign(slashCommandBody({ user: 'U0ALICE', userName: 'alice', command: '/incident', text: `declare ${title} severity=2`, responseUrl: slack.responseUrl(title) }));
  return fetch(`${base}/slack/events`, { method: 'POST', body: signed.body, headers: signed.headers });
};

const opened = (title: string): string[] => slack.callsOf('chat.postMessage').map((call) => String(call.args['text'])).filter((text) => text.includes('opened inc-') && text.includes(title));

describe('planb serve, killed with a command in hand', () => {
  it('dies right after acknowledging: the next replica carries the command out', { timeout: 60_000 }, async () => {
    await slack.start();
    const prefix = uniquePrefix('inbox-ack');
    prefixes.push(prefix);
    const first = await serve(prefix, 'request.started');
    expect((await declare(first.base, 'Checkout errors')).status).toBe(200);
    expect(await first.exited).toBe('SIGKILL');
    expect(opened('Checkout errors')).toEqual([]);
    await serve(prefix);
    // Its job comes back once the dead replica's lock has expired.
    await until(() => opened('Checkout errors').length > 0, 20_000, () => JSON.stringify(slack.calls.map((call) => call.method)));
    expect(opened('Checkout errors')).toHaveLength(1);
  });

  it('dies after recording, before finishing: carried out again, nothing recorded twice', { timeout: 60_000 }, async () => {
    const prefix = uniquePrefix('inbox-mid');
    prefixes.push(prefix);
    const first = await serve(prefix, 'append.committed');
    expect((await declare(first.base, 'Search is down')).status).toBe(200);
    expect(await first.exited).toBe('SIGKILL');
    const second = await serve(prefix);
    // Its job comes back to the new replica once the lock expires, runs again and finds the declaration recorded.
    const completed = (): Promise<number> => redis.zcard(`${prefix}:bull:requests-slack:completed`);
    for (const deadline = Date.now() + 20_000; (await completed()) === 0; ) {
      if (Date.now() > deadline) throw new Error('the request was not carried out again');
      await new Promise((wake) => setTimeout(wake, 100));
    }
    const incidents = (await (await fetch(`${second.base}/api/v1/incidents`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { incidents: { id: string; title: string }[] };
    expect(incidents.incidents.map((incident) => incident.title)).toEqual(['Search is down']);
    // The messages were committed with the events: they go out once.
    await until(() => opened('Search is down').length > 0, 20_000);
    expect(opened('Search is down')).toHaveLength(1);
  });
});
