/**
 * Post-mortem drafts from recorded incidents, against golden files: a long one with a release in a window, an
 * empty-ish one, a rollback alone, and a rollback after an automated step that failed once and was retried; and the
 * rehearsal part of releases on environments.
 */
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/app/app.js';
import type { RunnerRegistry, RunReport } from '../../src/app/runs.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { autoRunbook, runbook } from '../domain/release/fixtures.js';
import { postmortemDraft } from '../../src/app/postmortem.js';
import { publicEvent } from '../../src/app/release-queries.js';
import { shortName } from '../../src/domain/principal.js';
import type { World } from '../support/app-world.js';
import { appWorld, as } from '../support/app-world.js';
import { alice, apiDeploy, backupAnswered, bob, drilled, onProduction, onStaging, Story } from '../support/rehearsal-story.js';

const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const groups = { 'release-managers': ['console:alice'], sre: ['console:bob', 'console:carol'], oncall: ['console:erin'] };
const book: Runbook = { ...runbook, service: 'checkout', stakeholders: 'C-STATUS', decision: { timeboxMs: 10 * 60_000, escalateAfterMs: 5 * 60_000, maxExtensions: 1 } };

const config: AppConfig = {
  groups,
  runbooks: [book, autoRunbook],
  timezone: 'Europe/Berlin',
  incidents: { escalation: 'oncall' },
  maintenance: { channel: 'C-ANNOUNCE', remindMs: [], endingSoonMs: 15 * 60_000 },
};

const world = (): World => appWorld(T0, config);

/**
 * The runner registry Redis fills in production: every runner reports in all the time, except the instances in
 * `silent` (stopped mid-command). Claims go to the first who asks, as in Redis.
 */
const registry =
  (silent: readonly string[] = []) =>
  (now: () => Date): RunnerRegistry => {
    const claimed = new Set<string>();
    return {
      lastSeen: () => Promise.resolve(now()),
      instanceSeen: (_name, instance) => Promise.resolve(silent.includes(instance) ? undefined : now()),
      claim: (job) => {
        const first = !claimed.has(job);
        claimed.add(job);
        return Promise.resolve(first);
      },
    };
  };

/** Runner prod's news of attempt `attempt` of web-deploy-1's deploy: taken on deploy-01, by instance `instance`. */
const runStarted = (attempt: number, instance = 'prod-a1'): RunReport => ({ kind: 'started', release: 'web-deploy-1', step: 'deploy', attempt, runner: 'prod', instance, host: 'deploy-01' });
const runFinished = (attempt: number, change: Partial<Extract<RunReport, { kind: 'finished' }>>): RunReport => ({
  kind: 'finished',
  release: 'web-deploy-1',
  step: 'deploy',
  attempt,
  runner: 'prod',
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 60_000,
  tail: ['deployed 1.2.3'],
  log: 'deployed 1.2.3\n',
  ...change,
});

/** web-deploy-1 started and accepted (no preflight), drain done by hand and confirmed by minute 5. */
const startAutomated = async (w: World): Promise<void> => {
  await w.app.command(as('alice'), '/release start web-deploy version=1.2.3 confirmer=@bob');
  await press(w, 'bob', 'Accept');
  w.at(2);
  await press(w, 'alice', 'Start');
  w.at(4);
  await press(w, 'alice', 'Done');
  w.at(5);
  await press(w, 'bob', 'Confirm');
};

/** From minute `minute`: the release rolled back (deploy, then drain undone by hand) and its draft shared. */
const rollBack = async (w: World, minute: number): Promise<string> => {
  w.at(minute);
  await w.app.command(as('alice'), '/release rollback web-deploy-1 checkout errors rose after the deploy');
  w.at(minute + 5);
  await press(w, 'alice', 'Done');
  await press(w, 'bob', 'Confirm');
  w.at(minute + 7);
  await press(w, 'alice', 'Done');
  await press(w, 'bob', 'Confirm');
  await w.fire('release-web-deploy-1-postmortem');
  const draft = shared(w);
  expect(draft.name).toBe('postmortem-web-deploy-1.md');
  return draft.content;
};

const press = async (w: World, name: string, label: string): Promise<void> => {
  const button = [...w.chat.posted].reverse().flatMap((post) => post.message.buttons ?? []).find((candidate) => candidate.label === label);
  if (!button) throw new Error(`no button ${label}`);
  await w.app.action(as(name), button.actionId, button.value);
};

/** checkout-deploy-1 started (in `window=` if given), accepted and through preflight; its first step started at `minute`. */
const startRelease = async (w: World, minute: number, window = ''): Promise<void> => {
  await w.app.command(as('alice'), `/release start checkout-deploy version=1.2.3 confirmer=@bob${window ? ` window=${window}` : ''}`);
  await press(w, 'bob', 'Accept');
  await w.app.command(as('alice'), '/release check backup snapshot 881');
  await w.app.command(as('bob'), '/release check rehearsal');
  w.at(minute);
  await press(w, 'alice', 'Start');
};

/** The draft shared in the incident's thread. */
const shared = (w: World): { name: string; content: string; thread?: string } => {
  const post = w.chat.posted.filter((candidate) => candidate.message.file !== undefined).at(-1);
  if (!post?.message.file) throw new Error('no draft shared');
  return { name: post.message.file.name, content: post.message.file.content };
};

describe('the post-mortem draft', () => {
  it('is shared when an incident resolves, with the release, decisions, updates and timeline (golden: long)', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "Checkout deploy" at 2026-11-23T15:05 for 45m services=checkout');
    await w.fire('window-mw-1-start');
    await startRelease(w, 8, 'mw-1');
    w.at(9);
    await press(w, 'alice', 'Done');
    w.at(12);
    await press(w, 'bob', 'Confirm');
    w.at(13);
    await press(w, 'alice', 'Accept point of no return');
    await press(w, 'bob', 'Accept point of no return');
    w.at(14);
    await w.app.command(as('bob'), '/release trouble checkout-deploy-1 payments time out after the migration');
    await w.fire('incident-inc-1-warn');
    w.at(18);
    await w.app.command(as('bob'), '/incident decide extend 10m the index rebuild finishes at 14:25');
    await w.app.command(as('carol'), '/incident update Payments are slow; we are deciding whether to roll back.');
    await w.fire('incident-inc-1-expire');
    w.at(30);
    await w.app.command(as('bob'), '/incident decide rollback timeouts keep rising');
    w.at(41);
    await press(w, 'alice', 'Done');
    w.at(43);
    await press(w, 'bob', 'Confirm');
    // Rolled back: the incident's draft so far is shared at once, in the incident's thread.
    await w.fire('release-checkout-deploy-1-postmortem');
    expect(w.chat.posted.filter((post) => post.message.file).map((post) => [post.message.file?.name, post.conversation.channel])).toEqual([['postmortem-inc-1.md', 'C1']]);
    w.at(50);
    await w.app.command(as('bob'), '/incident resolve payments back to normal');
    await w.fire('incident-inc-1-postmortem');
    const draft = shared(w);
    expect(draft.name).toBe('postmortem-inc-1.md');
    await expect(draft.content).toMatchFileSnapshot('../fixtures/postmortem/long.md');
    // Shared once by the bot: a timer firing again shares nothing more.
    const count = w.chat.posted.filter((post) => post.message.file).length;
    await w.app.timer({ kind: 'incident.postmortem', incident: 'inc-1' });
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(count);
    // On request, again, by the latest incident of the channel.
    await w.app.command(as('carol'), '/incident postmortem');
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(count + 1);
  });

  it('is shared for a rollback without an incident, in the release thread, once (golden: rollback)', async () => {
    const w = world();
    await startRelease(w, 3);
    w.at(6);
    await w.app.command(as('alice'), '/release rollback checkout-deploy-1 drain left errors in the logs');
    w.at(8);
    await press(w, 'alice', 'Done');
    await press(w, 'bob', 'Confirm');
    await w.fire('release-checkout-deploy-1-postmortem');
    const draft = shared(w);
    expect(draft.name).toBe('postmortem-checkout-deploy-1.md');
    await expect(draft.content).toMatchFileSnapshot('../fixtures/postmortem/rollback.md');
    await w.app.timer({ kind: 'release.postmortem', release: 'checkout-deploy-1' });
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(1);
  });

  it('tells each attempt of an automated step: who approved it, how it ended, its check (golden: automated)', async () => {
    const w = appWorld(T0, config, undefined, registry());
    await startAutomated(w);
    w.at(6);
    await press(w, 'alice', 'Start');
    w.at(7);
    await press(w, 'bob', 'Approve and run');
    await w.app.report(runStarted(1));
    w.at(8);
    await w.app.report(runFinished(1, { exitCode: 3, durationMs: 41_000, tail: ['pulling web:1.2.3', 'error: another deploy holds the lock'], log: 'pulling web:1.2.3\nerror: another deploy holds the lock\n' }));
    w.at(10);
    await press(w, 'alice', 'Retry');
    w.at(11);
    await press(w, 'bob', 'Approve and run');
    await w.app.report(runStarted(2));
    w.at(13);
    await w.app.report(runFinished(2, { durationMs: 104_000, verify: { url: 'https://web.example/health', expected: 200, ok: true, status: 200, attempts: 2, durationMs: 6_000 } }));
    const draft = await rollBack(w, 16);
    await expect(draft).toMatchFileSnapshot('../fixtures/postmortem/automated.md');
  });

  it('hints at a failed check and a lost run, with what to find out about each', async () => {
    const w = appWorld(T0, config, undefined, registry(['prod-a2']));
    await startAutomated(w);
    w.at(6);
    await press(w, 'alice', 'Start');
    await press(w, 'bob', 'Approve and run');
    await w.app.report(runStarted(1));
    w.at(8);
    await w.app.report(runFinished(1, { durationMs: 75_000, verify: { url: 'https://web.example/health', expected: 200, ok: false, status: 503, attempts: 6, durationMs: 30_000 } }));
    w.at(9);
    await press(w, 'alice', 'Retry');
    await press(w, 'bob', 'Approve and run');
    await w.app.report(runStarted(2, 'prod-a2'));
    // Instance prod-a2 never reports in again: the bot's watch gives the attempt up as lost.
    await w.fire('release-web-deploy-1-deploy-run-2-watch');
    const draft = await rollBack(w, 12);
    expect(draft).toContain(
      '1. alice started it at 2026-11-23 15:06:00; bob approved it at 2026-11-23 15:06:00 (waited 0s for approval). deploy ran on prod (exit code 0 after 1m15s) but its check failed; https://web.example/health answered 503, expected 200 (6 tries in 30s). That is within the expected 5m.',
    );
    expect(draft).toContain('The check of https://web.example/health did not run.');
    expect(draft).toContain("- deploy's check failed on attempt 1: its command succeeded, but https://web.example/health answered 503, expected 200 (6 tries in 30s).");
    expect(draft).toMatch(/^- deploy was lost on attempt 2: runner prod \(deploy-01\) stopped answering while it ran the command\. The command may have run partly on deploy-01\.$/m);
    expect(draft).toContain('| Check why https://web.example/health did not answer 200 within 30s. | prevent / mitigate |');
    expect(draft).toContain('| Find out what the command did on deploy-01 when runner prod stopped. | prevent / mitigate |');
  });

  it('drafts an incident with nothing but a declaration and a resolution (golden: empty-ish)', async () => {
    const w = world();
    await w.app.command(as('erin'), '/incident declare "Status page shows stale data" severity=4');
    w.at(7);
    await w.app.command(as('erin'), '/incident resolve');
    await w.fire('incident-inc-1-postmortem');
    await expect(shared(w).content).toMatchFileSnapshot('../fixtures/postmortem/empty.md');
    await w.app.command(as('erin'), '/incident postmortem inc-9');
    expect(w.chat.whispersTo('console:erin').at(-1)).toMatch(/^There is no incident inc-9\./);
  });
});

/** A release's draft from its events alone, as the app builds it for a rollback without an incident. */
const draftOf = (story: Story, id: string): string => {
  const events = story.events.map((event, index) => ({ ...event, id: `e${index + 1}` })).filter((event) => (event.data as { release?: string }).release === id);
  return postmortemDraft({ release: { ...story.release(id), events: events.map(publicEvent) } }, { zone: 'UTC', name: shortName });
};

/** `release` on production through its preflight, migrate started at its point of no return, rolled back 1h50m later. */
const rolledBackAtMigrate = (story: Story, release: string): Story => {
  story.by(bob, { type: 'accept', release }).checked(release, 'backup', backupAnswered(200)).by(bob, { type: 'check', release, item: 'oncall' });
  story.by(alice, { type: 'acknowledge', release, step: 'migrate' }).by(bob, { type: 'acknowledge', release, step: 'migrate' });
  story.by(alice, { type: 'start_step', release, step: 'migrate' }).by(alice, { type: 'rollback', release, reason: 'the migration locks the orders table' }, 110);
  return story.by(alice, { type: 'rollback_done', release, step: 'migrate' }).by(bob, { type: 'rollback_confirm', release, step: 'migrate' });
};

describe('the post-mortem draft of a release with rehearsals (issue 13)', () => {
  it('tells the gaps it started with, the override, and when each rollback was last drilled, with the measured cost', () => {
    // Drilled on 2 Nov, 1.2.3 on staging on 12 Nov; 1.2.4 on production on 12 Dec, never on staging: overridden.
    const story = onProduction(onStaging(drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z')), 'api-deploy-2'), '2026-12-12T12:00:00.000Z', '1.2.4', 'CVE fix cannot wait');
    const draft = draftOf(rolledBackAtMigrate(story, 'api-deploy-3'), 'api-deploy-3');
    expect(draft).toContain('API release 1.2.4 (api-deploy-3) on production from runbook `api-deploy`, version 1.2.4:');
    expect(draft).toContain(': Restore the database from the backup (measured at 1h47m in the drill of 2 Nov, took 1h50m).');
    expect(draft).toContain(
      [
        '## Rehearsal',
        '',
        'It started without what its policy asks on production:',
        '',
        '- api-deploy 1.2.4 has not been released on staging yet. Policy: start only with an override.',
        '- the rollback of migrate was last exercised 40 days ago (api-deploy-1; drills must be within 30d). Policy: warn and start.',
        '- the rollback of deploy was last exercised 40 days ago (api-deploy-1; drills must be within 30d). Policy: warn and start.',
        '',
        'It started with the override "CVE fix cannot wait", approved by bob when accepting.',
        '',
        'Rollback drills, as of the start:',
        '',
        '- rollback of migrate last rehearsed 40 days ago (measured 1h47m in api-deploy-1 on staging)',
        '- rollback of deploy last rehearsed 40 days ago (measured 4m in api-deploy-1 on staging)',
      ].join('\n'),
    );
    // The estimate the rollback is held to is the measured one.
    expect(draft).toContain('- The rollback took 1h51m, longer than the 1h47m estimated.');
    expect(draft).toContain('- Rollbacks not exercised in a drill as recently as the policy asks: migrate, deploy.');
    expect(draft).toContain('| Drill the rollbacks of migrate, deploy (/release drill api-deploy), so their cost is a recent measurement, not a guess. |');
  });

  it('tells the rehearsal found, and rollbacks never rehearsed in a drill', () => {
    const story = onProduction(onStaging(new Story(apiDeploy, '2026-11-12T10:00:00.000Z'), 'api-deploy-1'), '2026-11-13T09:00:00.000Z', '1.2.3');
    const draft = draftOf(rolledBackAtMigrate(story, 'api-deploy-2'), 'api-deploy-2');
    expect(draft).toContain('## Rehearsal\n\nRehearsed on staging on 12 Nov by alice and bob (api-deploy-1).\n\nIt started without what its policy asks on production:');
    expect(draft).toContain('- rollback of migrate never rehearsed in a drill\n- rollback of deploy never rehearsed in a drill');
    expect(draft).toContain(': Restore the database from the backup (estimated 2h, took 1h50m).');
    expect(draft).toContain('- Rollbacks never exercised in a drill: migrate, deploy.');
    expect(draft).not.toContain('started without a recent rehearsal');
  });

  it('has no Rehearsal part for a release of a runbook without environments', () => {
    const { environments: _environments, ...plain } = apiDeploy;
    const story = rolledBackAtMigrate(new Story({ ...plain, name: 'api-deploy' }, '2026-11-13T09:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' }), 'api-deploy-1');
    const draft = draftOf(story, 'api-deploy-1');
    expect(draft).toContain('## The release');
    expect(draft).not.toContain('## Rehearsal');
    expect(draft).not.toContain('drill');
  });
});
