/**
 * Automated steps end to end: `planb serve` acting as Slack (signed requests in, a fake Web API out) and real
 * `planb worker --runner` processes on the same Redis, running the scripts in test/fixtures/runner. The confirmer
 * approves before anything runs; success, failure, timeout, a failed check, a retry, a runner whose own runbook
 * disagrees, a parameter full of shell characters, and a runner killed in the middle of its command.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBlockKitLimits } from '../../support/block-kit-limits.js';
import type { SlackCall } from '../../support/fake-slack.js';
import { connect, dropPrefix, uniquePrefix } from '../../support/redis.js';
import { runnerProcesses } from '../../support/runner-processes.js';
import { slackSession } from '../../support/slack-session.js';

const CONFIG = resolve('test/fixtures/runner-release/planb.yaml');
const RUNNER_COPY = resolve('test/fixtures/runner-release/runner-copy/planb.yaml');
const SCRIPTS = resolve('test/fixtures/runner');
const PREFIX = uniquePrefix('runner');
const CHANNEL = 'C0RUNS';
const BOB = '<@U0BOB|bob>';

const { slack, command, press, messages, until } = slackSession(CONFIG, 'xoxb-runner-test', { PLANB_REDIS_PREFIX: PREFIX });

interface Block {
  readonly type: string;
  readonly text?: { readonly text: string };
  readonly elements?: readonly { readonly text?: { readonly text: string } | string }[];
}

const blocksOf = (args: Readonly<Record<string, unknown>>): Block[] => (args['blocks'] ?? []) as Block[];

/** Every line a message shows, as Slack receives it (escaped mrkdwn). */
const shown = (args: Readonly<Record<string, unknown>>): string => blocksOf(args).flatMap((block) => (block.text ? [block.text.text] : [])).join('\n');

const buttonsOf = (args: Readonly<Record<string, unknown>>): string[] =>
  blocksOf(args)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements ?? [])
    .map((element) => (typeof element.text === 'object' ? element.text.text : ''));

/** The latest version (posted or edited) of the message whose text has `fragment`. */
const latest = (fragment: string): SlackCall | undefined => [...messages()].reverse().find((call) => shown(call.args).includes(fragment) || String(call.args['text']).includes(fragment));

const waitFor = async (fragment: string, ms = 15_000): Promise<SlackCall> => {
  await until(() => latest(fragment) !== undefined, ms);
  return latest(fragment) as SlackCall;
};

/** The card of release `id` as it is now. */
const card = (id: string): SlackCall | undefined => [...messages()].reverse().find((call) => String(call.args['text']).includes(`(${id})`));

/** What the person saw in reply to the request sent with `responseId`. */
const reply = async (responseId: string): Promise<string> => {
  await until(() => slack.responses.some((response) => response.id === responseId));
  return shown(slack.responses.find((response) => response.id === responseId)?.body ?? {});
};

/** The card of `id` once it shows `fragment`, so a press finds the buttons of that state. */
const cardShows = async (id: string, fragment: string, ms = 15_000): Promise<SlackCall> => {
  await until(() => shown(card(id)?.args ?? {}).includes(fragment), ms);
  return card(id) as SlackCall;
};

// ---- the runner processes ----

const { runners, startRunner, stopRunner, stopAll } = runnerProcesses({ cwd: SCRIPTS, config: CONFIG, prefix: PREFIX });

// ---- the service the deploy step checks ----

let health: Server;
let port = 0;

beforeAll(async () => {
  health = createServer((request, response) => {
    response.writeHead(request.url === '/ok' ? 200 : 503).end();
  });
  await new Promise<void>((listening) => health.listen(0, '127.0.0.1', listening));
  port = (health.address() as { port: number }).port;
});

afterAll(async () => {
  await stopAll();
  await new Promise((closed) => health.close(closed));
  const redis = connect();
  await dropPrefix(redis, PREFIX);
  redis.disconnect();
});

/** Starts a release of `runbook` as alice with bob confirming, and has bob accept it. */
const startRelease = async (id: string, runbook: string, params = ''): Promise<void> => {
  await command('U0ALICE', `/release start ${runbook} ${params} confirmer=${BOB}`.replace(/\s+/g, ' '), `start-${id}`);
  await cardShows(id, 'Waiting for');
  await press('U0BOB', 'Accept');
  await cardShows(id, 'to start');
};

/** Alice starts the current step and bob approves its command. */
const startAndApprove = async (id: string): Promise<void> => {
  await press('U0ALICE', 'Start', `start-step-${id}`);
  await cardShows(id, 'to approve running');
  await press('U0BOB', 'Approve and run');
};

describe('automated steps run by a runner', () => {
  it('refuses to start a step whose runner is offline, saying how to bring it up', async () => {
    await startRelease('app-deploy-1', 'app-deploy', `version=1.2.3 port=${port}`);
    await press('U0ALICE', 'Start', 'offline');
    const answer = await reply('offline');
    expect(answer).toContain('runs on runner e2e, which is offline (never heard from)');
    expect(answer).toContain('planb worker --runner e2e');
    expect(shown(card('app-deploy-1')?.args ?? {})).toContain('to start Deploy 1.2.3. It runs on runner e2e: ./greet.sh 1.2.3');
  });

  it('runs the step once the confirmer approves it, checks it, shares the log, and moves on', async () => {
    await startRunner('e2e');
    await press('U0ALICE', 'Start');
    const awaiting = await cardShows('app-deploy-1', 'to approve running');
    expect(shown(awaiting.args)).toContain('./greet.sh 1.2.3 on runner e2e');
    expect(buttonsOf(awaiting.args)).toContain('Approve and run');
    expect(buttonsOf(awaiting.args)).not.toContain('Done');

    // The driver cannot approve their own change: two people agree on it before it runs.
    await press('U0ALICE', 'Approve and run', 'self-approve');
    expect(await reply('self-approve')).toContain('cannot approve your own work');
    expect(latest('deploying 1.2.3')).toBeUndefined();

    await press('U0BOB', 'Approve and run');
    const result = await waitFor('Output of deploy, which succeeded on e2e');
    // stdout and stderr come through two pipes: their lines interleave in either order.
    const output = /```([^`]*)```/.exec(shown(result.args))?.[1] ?? '';
    expect(output.split('\n').sort()).toEqual(['a warning', 'deploying 1.2.3', 'done']);
    expect(shown(result.args)).toContain(`http://127.0.0.1:${port}/ok answered 200`);
    expect(result.args['channel']).toBe(CHANNEL);
    // Posted in the card's thread when the runner started, then edited in place.
    const posted = slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).startsWith('Output of deploy:'));
    expect(posted?.args['thread_ts']).toBeDefined();
    expect(posted?.args['thread_ts']).toBe(slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).includes('(app-deploy-1)'))?.reply?.['ts']);

    const after = await cardShows('app-deploy-1', 'to start Smoke test by hand');
    expect(shown(after.args)).toMatch(/deploy: Deploy 1\.2\.3, ran on e2e in \d+s, approved by \S+/);
    await waitFor('name-of-U0BOB approved running ./greet.sh 1.2.3 on runner e2e.');

    await until(() => slack.sharedFiles().some((file) => file.filename === 'app-deploy-1-deploy-1.log'));
    const log = slack.sharedFiles().find((file) => file.filename === 'app-deploy-1-deploy-1.log');
    expect(log?.content.split('\n').sort()).toEqual(['', 'a warning', 'deploying 1.2.3', 'done']);

    // The rest of the release is done by hand, as before.
    await press('U0ALICE', 'Start');
    await cardShows('app-deploy-1', 'is doing Smoke test by hand');
    await press('U0ALICE', 'Done');
    await cardShows('app-deploy-1', 'to confirm Smoke test by hand');
    // A step done by hand with a `verify` is checked by the bot before the confirmer decides.
    const checked = await cardShows('app-deploy-1', `Check passed: http://127.0.0.1:${port}/ok answered 200`);
    expect(shown(checked.args)).toContain('smoke: Smoke test by hand, done, waiting for');
    await waitFor(`Check of smoke passed: http://127.0.0.1:${port}/ok answered 200`);
    await press('U0BOB', 'Confirm');
    await cardShows('app-deploy-1', 'Completed');
  });

  it('fails the step when its check does not pass within its time, and offers a retry', async () => {
    await startRelease('app-deploy-2', 'app-deploy', `version=1.2.4 port=${port} health=sick`);
    await startAndApprove('app-deploy-2');
    const result = await waitFor('Output of deploy, which ran on e2e (exit code 0');
    expect(shown(result.args)).toContain(`http://127.0.0.1:${port}/sick answered 503, expected 200`);
    const failed = await cardShows('app-deploy-2', 'approves again), say something');
    expect(buttonsOf(failed.args)).toEqual(['Retry', "Something's wrong", 'Roll back']);
    await command('U0ALICE', '/release abort app-deploy-2 the health check is broken', 'abort-2');
    await cardShows('app-deploy-2', 'Aborted');
  });

  it('shows a failing command with the last lines of its output, shares the whole log, and retries only after a new approval', async () => {
    await startRelease('app-migrate-1', 'app-migrate');
    await startAndApprove('app-migrate-1');
    const result = await waitFor('Output of migrate, which failed on e2e: it exited with code 3');
    expect(shown(result.args)).toContain('line 25');
    expect(shown(result.args)).not.toContain('line 5\n');
    await until(() => slack.sharedFiles().some((file) => file.filename === 'app-migrate-1-migrate-1.log'));
    expect(slack.sharedFiles().find((file) => file.filename === 'app-migrate-1-migrate-1.log')?.content).toContain('line 1\nline 2\n');

    await cardShows('app-migrate-1', 'Migrate the schema failed on e2e');
    await press('U0ALICE', 'Retry');
    await cardShows('app-migrate-1', 'to approve running ./fail.sh on runner e2e');
    await press('U0BOB', 'Approve and run');
    await waitFor('migrate failed on e2e: it exited with code 3 after');
    await cardShows('app-migrate-1', '(attempt 2)');

    // "Something's wrong" opens an incident on the release, with its decision timer.
    await press('U0ALICE', "Something's wrong");
    await waitFor('Something is wrong at migrate');
  });

  it('stops a command at its timeout, with its whole process group', async () => {
    await startRelease('app-hang-1', 'app-hang');
    await startAndApprove('app-hang-1');
    const result = await waitFor('Output of warm, which timed out on e2e after');
    expect(shown(result.args)).toContain('and was stopped');
  });

  it('passes a parameter full of shell characters as one argument, running no shell', async () => {
    const marker = `/tmp/planb-pwned-${PREFIX}`;
    const note = `x; touch ${marker} | cat $(id) 'quoted'`;
    await startRelease('app-note-1', 'app-note', `note="${note}"`);
    await startAndApprove('app-note-1');
    const result = await waitFor('Output of note, which succeeded on e2e');
    expect(shown(result.args)).toContain(`\`\`\`note=${note}\ndone\`\`\``);
    expect(existsSync(marker)).toBe(false);

    // A value outside the pattern never gets as far as a runner.
    expect(await command('U0ALICE', `/release start app-deploy version="1.2.3; rm -rf /" port=${port} confirmer=${BOB}`, 'injection')).toBe(200);
    expect(await reply('injection')).toContain('does not match');
  });

  it("refuses what the runner's own copy of the runbook does not say, running nothing", async () => {
    await startRunner('other', RUNNER_COPY);
    await startRelease('app-other-1', 'app-other');
    await startAndApprove('app-other-1');
    const refused = await waitFor('go was refused by runner other');
    expect(String(refused.args['text']) + shown(refused.args)).toContain('runs ["./greet.sh","runner-copy"] by this runner\'s copy of the runbook, but ["./greet.sh","bot-copy"] was requested');
    expect(latest('deploying bot-copy')).toBeUndefined();
    expect(latest('deploying runner-copy')).toBeUndefined();
    await cardShows('app-other-1', 'retry it');
  });

  it('fails the step, never completes it, when its runner is killed in the middle of the command', async () => {
    const [e2e] = runners;
    if (!e2e) throw new Error('runner e2e is not running');
    await startRelease('app-slow-1', 'app-slow');
    await startAndApprove('app-slow-1');
    // The live output arrives while the command runs: one message, edited as lines come.
    await waitFor('Output of reindex: runner e2e is running ./slow.sh');
    await until(() => /```pgid \d+```/.test(shown(latest('Output of reindex: runner e2e is running')?.args ?? {})));
    expect(slack.callsOf('chat.postMessage').find((call) => String(call.args['text']).startsWith('Output of reindex:'))?.args['thread_ts']).toBeDefined();
    const group = Number(/pgid (\d+)/.exec(shown(latest('Output of reindex: runner e2e is running')?.args ?? {}))?.[1]);
    try {
      await stopRunner(e2e, 'SIGKILL');
      const lost = await waitFor('Output of reindex, which was lost: runner e2e', 15_000);
      expect(shown(lost.args)).toContain('stopped answering while it ran the command');
      const failed = await cardShows('app-slow-1', 'retry it');
      expect(buttonsOf(failed.args)).toContain('Retry');
      expect(shown(failed.args)).not.toContain('Completed');

      // Its runner is gone: a retry is refused until it is back.
      await press('U0ALICE', 'Retry', 'retry-offline');
      expect(await reply('retry-offline')).toContain('runs on runner e2e, which is offline (last heard from at');
    } finally {
      // SIGKILL leaves the command's own process group running: the test cleans up after it.
      if (group > 0) process.kill(-group, 'SIGKILL');
    }
  }, 40_000);

  it('keeps every message it sent within Slack limits', () => {
    for (const call of messages()) {
      expect(checkBlockKitLimits(blocksOf(call.args) as unknown as KnownBlock[]), String(call.args['text'])).toEqual([]);
    }
  });
});
