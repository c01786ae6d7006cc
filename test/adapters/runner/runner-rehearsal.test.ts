/**
 * Environments and machine-checked preflight items with real runners: `planb serve` acting as Slack, real
 * `planb worker --runner` processes on the same Redis and BullMQ. On staging a step's runner `deploy` is
 * `deploy-staging`, on production `deploy` itself; the backup check is a command on the runner whose exit code and
 * output tail are the evidence. Asserts on events and state through the JSON API, and on replies.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReleaseDetail } from '../../../src/app/release-queries.js';
import { connect, dropPrefix, uniquePrefix } from '../../support/redis.js';
import { blockActionsBody } from '../../support/slack-requests.js';
import type { Runner } from '../../support/runner-processes.js';
import { runnerProcesses } from '../../support/runner-processes.js';
import { slackSession } from '../../support/slack-session.js';
import { until } from '../../support/until.js';

const CONFIG = resolve('test/fixtures/runner-rehearsal/planb.yaml');
const SCRIPTS = resolve('test/fixtures/runner-rehearsal/scripts');
const PREFIX = uniquePrefix('rehearsal');
const API_TOKEN = 'rehearsal-api-token-0123456789abcdef';
/** Where the hanging backup check writes its pid, so the test can end it after its runner is killed. */
const HOLD_PID_FILE = join(tmpdir(), `planb-hold-${PREFIX}.pid`);
const BOB = '<@U0BOB|bob>';

const { slack, base, command, post } = slackSession(CONFIG, 'xoxb-rehearsal-test', { PLANB_REDIS_PREFIX: PREFIX, PLANB_API_TOKEN: API_TOKEN });

// ---- requests, replies and state ----

let presses = 0;

/** Presses the button with `actionId` for `target`, as the card carries it (its id and value are stable; its label is not ours to test here). */
const press = async (user: string, actionId: string, target: Readonly<Record<string, string>>, responseId = `press-${(presses += 1)}`): Promise<string> => {
  const body = blockActionsBody({ user, userName: user.toLowerCase(), actionId, value: JSON.stringify(target), messageTs: '1.1', responseUrl: slack.responseUrl(responseId) });
  expect((await post(body)).status).toBe(200);
  return responseId;
};

/** What the person saw in reply to the request sent with `responseId`. */
const reply = async (responseId: string): Promise<string> => {
  await until(() => slack.responses.some((response) => response.id === responseId), 10_000);
  const body = slack.responses.find((response) => response.id === responseId)?.body ?? {};
  const blocks = (body['blocks'] ?? []) as { text?: { text: string } }[];
  const text = typeof body['text'] === 'string' ? body['text'] : '';
  return [text, ...blocks.flatMap((block) => (block.text ? [block.text.text] : []))].join('\n');
};

/** Nothing came back but the acknowledgement: the request went through. */
const noReply = (responseId: string): boolean => !slack.responses.some((response) => response.id === responseId);

/** The release as the JSON API shows it: its state and its events. */
const api = async (id: string): Promise<ReleaseDetail | undefined> => {
  const response = await fetch(`${base()}/api/v1/releases/${id}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
  return response.status === 200 ? ((await response.json()) as ReleaseDetail) : undefined;
};

/** Reads the release again until `check` holds of it. */
const releaseWhen = async (id: string, check: (release: ReleaseDetail) => boolean, ms = 15_000): Promise<ReleaseDetail> => {
  let last: ReleaseDetail | undefined;
  for (const deadline = Date.now() + ms; ; ) {
    last = await api(id);
    if (last && check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${id}; events: ${JSON.stringify(last?.events.map((event) => [event.type, event.data]))}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
};

type Data = Record<string, unknown>;

const events = (release: ReleaseDetail, type: string): { actor: string | null; data: Data }[] =>
  release.events.filter((event) => event.type === type).map((event) => ({ actor: event.actor, data: event.data as Data }));

const has = (type: string, count = 1) => (release: ReleaseDetail): boolean => events(release, type).length >= count;

/** Alice starts `svc-deploy` with `params` and bob accepts it, which sets off the preflight check. */
const startAccepted = async (id: string, params: string): Promise<void> => {
  const started = `start-${id}`;
  expect(await command('U0ALICE', `/release start svc-deploy ${params} confirmer=${BOB}`, started)).toBe(200);
  await releaseWhen(id, has('release.started'), 10_000);
  expect(noReply(started)).toBe(true);
  await press('U0BOB', 'release_accept', { release: id });
  await releaseWhen(id, has('release.confirmer_accepted'), 10_000);
};

// ---- the runner processes ----

const { spawnWorker, startRunner, stopRunner, stopAll } = runnerProcesses({ cwd: SCRIPTS, config: CONFIG, prefix: PREFIX, env: { HOLD_PID_FILE } });

afterAll(async () => {
  await stopAll();
  // The hanging check outlives its killed runner: end its process group, which it leads.
  if (existsSync(HOLD_PID_FILE)) {
    const pid = Number(readFileSync(HOLD_PID_FILE, 'utf8').trim());
    try {
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    rmSync(HOLD_PID_FILE, { force: true });
  }
  const redis = connect();
  await dropPrefix(redis, PREFIX);
  redis.disconnect();
});

describe('rehearsals with runners', () => {
  let staging: Runner | undefined;

  it('accepts `planb worker --runner deploy-staging`, a runner only an environment names, and refuses one no runbook names', async () => {
    const unknown = spawnWorker('deploy-prod');
    const code = await new Promise<number | null>((done) => unknown.process.once('exit', done));
    expect(code).toBe(1);
    expect(unknown.log()).toContain('No step of the runbooks in');
    expect(unknown.log()).toContain('Runners they name: deploy, deploy-staging.');
    // Both runners up: what goes to deploy-staging went there because staging names it, not for want of another.
    staging = await startRunner('deploy-staging');
    await startRunner('deploy');
  });

  it('a failing backup check on staging runs on deploy-staging, records its exit code and output tail, and blocks the start', async () => {
    await startAccepted('svc-deploy-1', 'version=1.2.3 backup=broken env=staging');
    const release = await releaseWhen('svc-deploy-1', has('release.preflight_check_failed'));
    const started = events(release, 'release.started')[0]?.data;
    expect(started).toMatchObject({ environment: 'staging', channel: 'C0STAGE' });
    expect(started?.['preflight']).toEqual([
      { id: 'backup', check: "Last night's backup is there and restorable", evidence: 'none', run: { runner: 'deploy-staging', argv: ['./check-backup.sh', 'broken'], timeoutMs: 60_000, env: ['HOLD_PID_FILE'] } },
    ]);
    expect(events(release, 'release.preflight_check_started').map((event) => event.data)).toEqual([
      { release: 'svc-deploy-1', item: 'backup', attempt: 1, runner: 'deploy-staging', argv: ['./check-backup.sh', 'broken'] },
    ]);
    const [failed] = events(release, 'release.preflight_check_failed');
    expect(failed?.actor).toBeNull();
    expect(failed?.data).toMatchObject({ release: 'svc-deploy-1', item: 'backup', attempt: 1, check: { ok: false, run: { runner: 'deploy-staging', outcome: 'failed', exitCode: 4 } } });
    // stdout and stderr come through two pipes: their lines may interleave in either order.
    const tail = (failed?.data['check'] as { run: { tail: string[] } }).run.tail;
    expect([...tail].sort()).toEqual(["looking for last night's backup", 'no backup newer than 3 days']);
    expect(release.status).toBe('preflight');
    expect(events(release, 'release.preflight_checked')).toEqual([]);

    // The driver cannot start the first step, and typed evidence ticks nothing: it runs the check again.
    expect(await reply(await press('U0ALICE', 'release_step_start', { release: 'svc-deploy-1', step: 'deploy' }))).toContain('Finish the preflight checks of svc-deploy-1 first.');
    expect(await command('U0ALICE', '/release check svc-deploy-1 backup I looked, it is there', 'check-by-hand')).toBe(200);
    const again = await releaseWhen('svc-deploy-1', has('release.preflight_check_failed', 2));
    expect(noReply('check-by-hand')).toBe(true);
    expect(events(again, 'release.preflight_check_failed')[1]?.data).toMatchObject({ attempt: 2, check: { ok: false, run: { runner: 'deploy-staging', exitCode: 4 } } });
    expect(events(again, 'release.preflight_checked')).toEqual([]);
    expect(events(again, 'release.step_started')).toEqual([]);
    expect(again.status).toBe('preflight');
    expect(await command('U0ALICE', '/release abort svc-deploy-1 no backup, no release', 'abort-1')).toBe(200);
    await releaseWhen('svc-deploy-1', (detail) => detail.status === 'aborted');
  });

  it('a passing backup check records its output tail as evidence, and the release then runs its step on deploy-staging', async () => {
    await startAccepted('svc-deploy-2', 'version=1.2.4 env=staging');
    const checked = await releaseWhen('svc-deploy-2', has('release.preflight_checked'));
    const [passed] = events(checked, 'release.preflight_checked');
    expect(passed?.actor).toBeNull();
    expect(passed?.data).toMatchObject({
      release: 'svc-deploy-2',
      item: 'backup',
      attempt: 1,
      check: { ok: true, run: { runner: 'deploy-staging', outcome: 'succeeded', exitCode: 0, tail: ["looking for last night's backup", 'backup-2026-11-02.tar.zst found, restore test passed'] } },
    });
    expect(passed?.data['evidence']).toContain('backup-2026-11-02.tar.zst found, restore test passed');
    expect(checked.status).toBe('running');

    const start = await press('U0ALICE', 'release_step_start', { release: 'svc-deploy-2', step: 'deploy' });
    await releaseWhen('svc-deploy-2', has('release.step_started'));
    expect(noReply(start)).toBe(true);
    await press('U0BOB', 'release_step_approve', { release: 'svc-deploy-2', step: 'deploy' });
    const done = await releaseWhen('svc-deploy-2', (detail) => detail.status === 'completed');
    expect(events(done, 'release.step_approved')[0]?.data).toMatchObject({ step: 'deploy', runner: 'deploy-staging', argv: ['./deploy.sh', '1.2.4'] });
    expect(events(done, 'release.step_run_started')[0]?.data).toMatchObject({ step: 'deploy', runner: 'deploy-staging' });
    expect(events(done, 'release.step_run_finished')[0]?.data).toMatchObject({ step: 'deploy', outcome: 'succeeded', exitCode: 0, tail: ['deploying 1.2.4', 'done'] });
  });

  it('on production the same check goes to runner deploy', async () => {
    await startAccepted('svc-deploy-3', 'version=1.2.4 env=production');
    const checked = await releaseWhen('svc-deploy-3', has('release.preflight_checked'));
    expect(events(checked, 'release.started')[0]?.data).toMatchObject({ environment: 'production', channel: 'C0PROD' });
    expect(events(checked, 'release.preflight_checked')[0]?.data).toMatchObject({ check: { ok: true, run: { runner: 'deploy', exitCode: 0 } } });
    expect(await command('U0ALICE', '/release abort svc-deploy-3 only checking the runner', 'abort-3')).toBe(200);
    await releaseWhen('svc-deploy-3', (detail) => detail.status === 'aborted');
  });

  it('a runner killed in the middle of a check: the check fails as lost within seconds, not at its timeout, and may be checked again', async () => {
    if (!staging) throw new Error('runner deploy-staging is not running');
    await startAccepted('svc-deploy-4', 'version=1.2.4 backup=hang env=staging');
    await until(() => existsSync(HOLD_PID_FILE) && readFileSync(HOLD_PID_FILE, 'utf8').trim() !== '', 10_000);
    await stopRunner(staging, 'SIGKILL');
    // Its timeout is a minute (given up at 5s + 1m + 6s); a runner gone silent is noticed after pickup (5s) and offline_after (3s).
    const lost = await releaseWhen('svc-deploy-4', has('release.preflight_check_failed'), 15_000);
    const [failed] = events(lost, 'release.preflight_check_failed');
    expect(failed?.data).toMatchObject({ attempt: 1, check: { ok: false, run: { runner: 'deploy-staging', outcome: 'lost' } } });
    expect((failed?.data['check'] as { run: { detail: string } }).run.detail).toMatch(/^runner deploy-staging stopped answering while it ran the command; last heard from \d+s ago\./);
    expect(lost.status).toBe('preflight');
    // No longer "being checked": it may be checked again (and waits for a runner to take it).
    const again = 'check-again';
    expect(await command('U0ALICE', '/release check svc-deploy-4 backup', again)).toBe(200);
    await releaseWhen('svc-deploy-4', has('release.preflight_check_started', 2));
    expect(noReply(again)).toBe(true);
  }, 40_000);
});
