/**
 * Rehearsals as people see them (issue 13): the environment on the card, the rehearsal found or the gaps started with,
 * drills, machine-checked preflight items, measured rollback costs, and the thread's lines; within Slack's and Teams' limits.
 */
import { describe, expect, it } from 'vitest';
import { renderBlockKit } from '../../src/adapters/slack/block-kit.js';
import { renderAdaptiveCard } from '../../src/adapters/teams/adaptive-card.js';
import { ACTIONS } from '../../src/app/actions.js';
import type { IncidentContext } from '../../src/app/incident-messages.js';
import { lastSafeText, rollbackCostText } from '../../src/app/incident-messages.js';
import type { Message } from '../../src/app/message.js';
import { plainText } from '../../src/app/message.js';
import type { CardContext } from '../../src/app/release-card.js';
import { pointOfNoReturnText, releaseCard, timelineLine } from '../../src/app/release-card.js';
import { rollbackCostWords } from '../../src/app/release-card-lines.js';
import { shortName } from '../../src/domain/principal.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { cardProblems } from '../support/adaptive-card-check.js';
import { checkBlockKitLimits } from '../support/block-kit-limits.js';
import { alice, apiDeploy, backupAnswered, bob, byHand, drilled, onProduction, onStaging, Story, withRestoreCheck } from '../support/rehearsal-story.js';

const ctx: CardContext = { zone: 'UTC', name: shortName };

const card = (story: Story, id: string): Message => releaseCard(story.release(id), ctx);
const texts = (story: Story, id: string): string[] => card(story, id).text.map(plainText);
const lines = (story: Story, id: string): Array<[string, string]> => (card(story, id).steps ?? []).map((line) => [line.mark, plainText(line.text)]);
const buttons = (story: Story, id: string): Array<[string, string, string]> => (card(story, id).buttons ?? []).map((b) => [b.actionId, b.label, b.value]);

/** The thread's lines of `release`'s events, from event `from` on. */
const thread = (story: Story, id: string, from = 0): string[] =>
  story.events.flatMap((event, index) => {
    if (index < from || (event.data as { release?: string }).release !== id) return [];
    const line = timelineLine(story.release(id), { ...event, id: `e${index + 1}` }, ctx);
    return line === undefined ? [] : [plainText(line)];
  });

/** The drill of 2 Nov, 1.2.3 on staging on 12 Nov: what a production release of 1.2.3 asks for. */
const rehearsed = (): Story => onStaging(drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z')), 'api-deploy-2');

const PROD = 'api-deploy-3';
const REHEARSED = 'Rehearsed on staging on 12 Nov by alice and bob (api-deploy-2).';
const STALE_DRILLS = [
  'Warning: the rollback of migrate was last exercised 40 days ago (api-deploy-1; drills must be within 30d).',
  'Warning: the rollback of deploy was last exercised 40 days ago (api-deploy-1; drills must be within 30d).',
];

/** 1.2.4 on production on 12 Dec, never on staging, 40 days after the drill: started with an override. */
const overridden = (): Story => onProduction(rehearsed(), '2026-12-12T12:00:00.000Z', '1.2.4', 'CVE fix cannot wait');

/** Production 1.2.3 accepted and through its preflight, the point of no return at migrate next. */
const atMigrate = (story: Story): Story =>
  story
    .by(bob, { type: 'accept', release: PROD })
    .checked(PROD, 'backup', backupAnswered(200))
    .by(bob, { type: 'check', release: PROD, item: 'oncall' });

describe('the card of a release on an environment', () => {
  it('names the environment and, until the steps begin, the rehearsal its policy found', () => {
    const story = onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3');
    expect(card(story, PROD).title).toBe('API release 1.2.3 on production (api-deploy-3)');
    expect(texts(story, PROD)).toEqual(['alice drives, bob confirms. Waiting for bob.', REHEARSED]);
    story.by(bob, { type: 'accept', release: PROD });
    expect(texts(story, PROD)).toEqual(['alice drives, bob confirms. Preflight: 0 of 2 checked.', REHEARSED]);
    // Once the steps begin, the card is about them.
    story.checked(PROD, 'backup', backupAnswered(200)).by(bob, { type: 'check', release: PROD, item: 'oncall' });
    expect(texts(story, PROD).join('\n')).not.toContain('Rehearsed');
  });

  it('shows each gap: the override asked of the confirmer, then approved by them; and the warnings', () => {
    const story = overridden();
    expect(texts(story, PROD)).toEqual([
      'alice drives, bob confirms. Waiting for bob.',
      'Not rehearsed: api-deploy 1.2.4 has not been released on staging yet.',
      ...STALE_DRILLS,
      'Started without it, override: CVE fix cannot wait; accepting approves the override.',
    ]);
    story.by(bob, { type: 'accept', release: PROD });
    expect(texts(story, PROD)).toEqual([
      'alice drives, bob confirms. Preflight: 0 of 2 checked.',
      'Not rehearsed: api-deploy 1.2.4 has not been released on staging yet.',
      ...STALE_DRILLS,
      'Started without it, override approved by bob: CVE fix cannot wait.',
    ]);
  });

  it('under a warn policy, warns and asks for no override', () => {
    const warnOnly: Runbook = {
      ...apiDeploy,
      environments: (apiDeploy.environments ?? []).map((env) => (env.rehearsal ? { ...env, rehearsal: { ...env.rehearsal, missing: 'warn' as const } } : env)),
    };
    const story = onProduction(drilled(new Story(warnOnly, '2026-11-02T09:00:00.000Z')), '2026-11-13T09:00:00.000Z', '1.2.4');
    expect(texts(story, 'api-deploy-2')).toEqual(['alice drives, bob confirms. Waiting for bob.', 'Warning: api-deploy 1.2.4 has not been released on staging yet.']);
  });

  it('a release of a runbook without environments keeps its title and says nothing of rehearsals', () => {
    const { environments: _environments, ...rest } = apiDeploy;
    const plain: Runbook = { ...rest, preflight: [] };
    const story = new Story(plain, '2026-11-13T09:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1' });
    expect(card(story, 'api-deploy-1').title).toBe('API release 1.2.3 (api-deploy-1)');
    expect(texts(story, 'api-deploy-1')).toEqual(['alice drives, bob confirms. Waiting for bob.']);
  });
});

describe('the card of a rollback drill', () => {
  it('is marked as a drill, offers no Roll back, and ends with what it measured', () => {
    const story = new Story(apiDeploy, '2026-11-02T09:00:00.000Z').by(alice, { type: 'drill', params: { version: '1.2.2' }, confirmer: bob, channel: 'C1', environment: 'staging' });
    const R = 'api-deploy-1';
    expect(card(story, R).title).toBe('Rollback drill: API release 1.2.2 on staging (api-deploy-1)');
    expect(texts(story, R)).toEqual(['Each rollback step is timed: its time becomes the rollback cost later releases state.', 'alice drives, bob confirms. Waiting for bob.']);
    story.by(bob, { type: 'accept', release: R });
    byHand(story, R, 'deploy', 4);
    // The second step of a release would offer Roll back beside Start; a drill's steps are the rollback.
    expect(buttons(story, R).map(([id, label]) => [id, label])).toEqual([[ACTIONS.startStep, 'Start']]);
    story.by(alice, { type: 'start_step', release: R, step: 'migrate' });
    expect(buttons(story, R).map(([, label]) => label)).toEqual(['Done', "Something's wrong"]);
  });

  it('completed: each step measured, from its start to its Done', () => {
    const story = drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z'));
    expect(texts(story, 'api-deploy-1')).toEqual([
      'Each rollback step is timed: its time becomes the rollback cost later releases state.',
      'alice drives, bob confirms. Drill complete at 10:56: measured deploy 4m, migrate 1h47m, each step done by alice and confirmed by bob.',
    ]);
    expect(lines(story, 'api-deploy-1')).toEqual([
      ['done', 'deploy: Redeploy the previous version (~5m), measured 4m, confirmed by bob'],
      ['done', 'migrate: Restore the database from the backup (~2h), measured 1h47m, confirmed by bob'],
    ]);
  });
});

describe('a machine-checked preflight item', () => {
  it('is checked by Plan B: checking, FAILED with Check again (never Confirm), checking again, passed', () => {
    const story = onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3').by(bob, { type: 'accept', release: PROD });
    const backup = "backup: Last night's backup is there and restorable";
    const confirmOncall: [string, string, string] = [ACTIONS.check, 'Confirm oncall', JSON.stringify({ release: PROD, item: 'oncall' })];
    expect(lines(story, PROD)).toEqual([
      ['current', `${backup}, checking https://backup.internal/api/latest/verified…`],
      ['pending', 'oncall: The on-call engineer knows'],
    ]);
    expect(buttons(story, PROD)).toEqual([confirmOncall]);

    story.checked(PROD, 'backup', backupAnswered(503));
    expect(lines(story, PROD)[0]).toEqual(['failed', `${backup}, FAILED: HTTP 503 from https://backup.internal/api/latest/verified, expected 200 (1 try, 0s)`]);
    expect(buttons(story, PROD)).toEqual([[ACTIONS.check, 'Check again', JSON.stringify({ release: PROD, item: 'backup' })], confirmOncall]);
    expect(texts(story, PROD)).toEqual([
      'alice drives, bob confirms. Preflight: 0 of 2 checked.',
      REHEARSED,
      'The release waits until backup passes its check: Check again once the cause is fixed, or /release abort api-deploy-3 <reason>',
    ]);

    // The button's action: the same as /release check, which runs the check again.
    story.by(alice, { type: 'check', release: PROD, item: 'backup' });
    expect(lines(story, PROD)[0]).toEqual(['current', `${backup}, checking https://backup.internal/api/latest/verified… (attempt 2)`]);
    expect(buttons(story, PROD)).toEqual([confirmOncall]);

    story.checked(PROD, 'backup', backupAnswered(200));
    expect(lines(story, PROD)[0]).toEqual(['done', `${backup}, passed: HTTP 200 from https://backup.internal/api/latest/verified (1 try, 0s)`]);
    expect(texts(story, PROD)[0]).toBe('alice drives, bob confirms. Preflight: 1 of 2 checked.');
  });

  it('a command: named before the confirmer accepts; failed, with the last lines of its output', () => {
    const R = 'api-deploy-1';
    const story = new Story(withRestoreCheck, '2026-11-13T09:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' });
    expect(texts(story, R)).toEqual(['alice drives, bob confirms. Waiting for bob.', 'Accepting also runs the check of restore: ./check-restore.sh --latest on runner db-staging.']);
    story.by(bob, { type: 'accept', release: R });
    expect(lines(story, R)[2]).toEqual(['current', 'restore: A restore of the backup works, checking ./check-restore.sh --latest on runner db-staging…']);
    const tail = ['restoring 2026-11-12', 'table 1 of 4', 'table 2 of 4', '', 'table 3 of 4', 'pg_restore: error: could not read block 881', 'error: restore of 2026-11-12 failed'];
    story.checked(R, 'restore', { ok: false, run: { runner: 'db-staging', outcome: 'failed', exitCode: 2, signal: null, durationMs: 3_000, tail } });
    expect(lines(story, R)[2]).toEqual(['failed', 'restore: A restore of the backup works, FAILED: exit 2 on runner db-staging: error: restore of 2026-11-12 failed']);
    expect(card(story, R).output).toEqual(['table 1 of 4', 'table 2 of 4', 'table 3 of 4', 'pg_restore: error: could not read block 881', 'error: restore of 2026-11-12 failed']);
    expect(buttons(story, R).map(([, label]) => label)).toEqual(['Confirm oncall', 'Check again']);
    // Two failed: each button says which.
    story.checked(R, 'backup', backupAnswered(503));
    expect(buttons(story, R).map(([, label]) => label)).toEqual(['Check backup again', 'Confirm oncall', 'Check restore again']);
    expect(texts(story, R)[1]).toBe('The release waits until backup and restore pass their checks: Check again once the cause is fixed, or /release abort api-deploy-1 <reason>');
  });
});

describe('rollback costs', () => {
  it('are the drill measurement where there was one, else the guess', () => {
    expect(rollbackCostWords({ title: 'Restore the database from the backup', expectMs: 7_200_000 }, 'UTC')).toBe('Restore the database from the backup (~2h)');
    const measured = { durationMs: 6_420_000, at: '2026-11-02T10:56:00.000Z', drill: 'api-deploy-1', environment: 'staging' };
    expect(rollbackCostWords({ title: 'Restore the database from the backup', expectMs: 7_200_000, measured }, 'UTC')).toBe(
      'Restore the database from the backup (measured at 1h47m in the drill of 2 Nov)',
    );
    // The drill's day is the team's: 23:30 UTC on 2 Nov is 3 Nov in Tokyo.
    expect(rollbackCostWords({ title: 'Restore', measured: { ...measured, at: '2026-11-02T23:30:00.000Z' } }, 'Asia/Tokyo')).toBe('Restore (measured at 1h47m in the drill of 3 Nov)');
    expect(rollbackCostWords({ title: 'Restore', expectMs: 7_200_000 }, 'UTC', { guess: false })).toBe('Restore');
  });

  it('at the point of no return: measured after a drill, guessed without one', () => {
    const story = atMigrate(onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3'));
    const measured =
      'Point of no return: Run the 1.2.3 migrations cannot simply be undone. From here on, rolling back means Restore the database from the backup (measured at 1h47m in the drill of 2 Nov): about 1h47m.';
    expect(texts(story, PROD)[1]).toBe(measured);
    const release = story.release(PROD);
    const migrate = release.steps[0];
    if (!migrate) throw new Error('no migrate');
    expect(pointOfNoReturnText(release, migrate, 'UTC')).toBe(measured);

    const undrilled = new Story(apiDeploy, '2026-11-12T10:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' });
    undrilled.by(bob, { type: 'accept', release: 'api-deploy-1' }).checked('api-deploy-1', 'backup', backupAnswered(200)).by(bob, { type: 'check', release: 'api-deploy-1', item: 'oncall' });
    expect(texts(undrilled, 'api-deploy-1')[1]).toBe(
      'Point of no return: Run the 1.2.3 migrations cannot simply be undone. From here on, rolling back means Restore the database from the backup (~2h): about 2h.',
    );
  });

  it('while rolling back, and in the incident card: measured', () => {
    const story = atMigrate(onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3'));
    story.by(alice, { type: 'acknowledge', release: PROD, step: 'migrate' }).by(bob, { type: 'acknowledge', release: PROD, step: 'migrate' });
    story.by(alice, { type: 'start_step', release: PROD, step: 'migrate' }, 10);
    expect(rollbackCostText(story.release(PROD), 'UTC')).toBe(
      'Rolling back api-deploy-3 means Restore the database from the backup (measured at 1h47m in the drill of 2 Nov): about 1h47m (past the point of no return at migrate).',
    );
    const incident: IncidentContext = { ...ctx, now: new Date('2026-11-13T09:40:00.000Z'), release: story.release(PROD), window: { id: 'mw-1', end: '2026-11-13T10:00:00.000Z' }, members: () => [] };
    expect(plainText(lastSafeText(incident) ?? '')).toBe('A rollback started now (about 1h47m, as measured in drills) ends after mw-1 (10:00): extend the window with a reason, /maintenance extend mw-1 <duration> <reason>');
    story.by(alice, { type: 'rollback', release: PROD, reason: 'orders table locked' });
    expect(texts(story, PROD)[1]).toBe('alice to undo migrate: Restore the database from the backup (measured at 1h47m in the drill of 2 Nov).');
    expect(lines(story, PROD)).toEqual([['current', 'undo migrate: Restore the database from the backup (measured at 1h47m in the drill of 2 Nov)']]);
  });
});

describe('the thread', () => {
  it('of a drill: its start and what it measured', () => {
    const story = drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z'));
    const drill = thread(story, 'api-deploy-1');
    expect(drill[0]).toBe('alice started a rollback drill of api-deploy 1.2.2 on staging with bob as confirmer: each rollback step is done, confirmed and timed.');
    expect(drill.at(-1)).toBe('Drill complete: measured deploy 4m, migrate 1h47m.');
  });

  it('of a drill step running late: stop the drill (it has no rollback of its own)', () => {
    const story = drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z'));
    const overdue = { id: 'e-late', type: 'release.step_overdue', at: '2026-11-02T11:00:00.000Z', actor: null, data: { release: 'api-deploy-1', step: 'migrate', expectMs: 7_200_000, since: '2026-11-02T09:00:00.000Z' } };
    expect(plainText(timelineLine(story.release('api-deploy-1'), overdue, ctx) ?? '')).toBe(
      'migrate (Restore the database from the backup) has run past its expected 2h (since 09:00). If it is stuck, stop the drill: /release abort api-deploy-1 <reason>',
    );
  });

  it('of a production release: the rehearsal, each machine check, its failure and its pass', () => {
    const story = onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3');
    story.by(bob, { type: 'accept', release: PROD }).checked(PROD, 'backup', backupAnswered(503)).by(alice, { type: 'check', release: PROD, item: 'backup' }).checked(PROD, 'backup', backupAnswered(200));
    expect(thread(story, PROD)).toEqual([
      `alice started API release 1.2.3 on production with bob as confirmer. ${REHEARSED}`,
      'bob accepted to confirm every step.',
      'Checking backup: https://backup.internal/api/latest/verified (expects 200).',
      'backup FAILED its check: HTTP 503 from https://backup.internal/api/latest/verified, expected 200 (1 try, 0s). The release waits until it passes: Check again, or abort.',
      'Checking backup again (attempt 2, asked by alice): https://backup.internal/api/latest/verified (expects 200).',
      'backup passed its check: HTTP 200 from https://backup.internal/api/latest/verified (1 try, 0s).',
    ]);
  });

  it('of a start with gaps and an override, its approval, a command check, and the lock on the environment', () => {
    const story = overridden();
    const from = story.events.length;
    story.by(bob, { type: 'accept', release: PROD }).checked(PROD, 'backup', backupAnswered(200)).by(bob, { type: 'check', release: PROD, item: 'oncall' });
    story.by(alice, { type: 'acknowledge', release: PROD, step: 'migrate' }).by(bob, { type: 'acknowledge', release: PROD, step: 'migrate' });
    story.by(alice, { type: 'start_step', release: PROD, step: 'migrate' }).by(alice, { type: 'rollback', release: PROD, reason: 'orders table locked' }, 110);
    story.by(alice, { type: 'rollback_done', release: PROD, step: 'migrate' }).by(bob, { type: 'rollback_confirm', release: PROD, step: 'migrate' });
    const lines = thread(story, PROD);
    expect(lines[0]).toBe(
      `alice started API release 1.2.4 on production with bob as confirmer. Not rehearsed: api-deploy 1.2.4 has not been released on staging yet. ${STALE_DRILLS.join(' ')} Started without it, override: CVE fix cannot wait; accepting approves the override.`,
    );
    expect(thread(story, PROD, from)[0]).toBe('bob accepted to confirm every step and approved the rehearsal override.');
    expect(lines.at(-1)).toBe('api-deploy is locked on production until someone runs /release unlock api-deploy env=production <reason>.');
    expect(texts(story, PROD)[0]).toMatch(/api-deploy is locked on production until someone unlocks it with a reason\.$/);

    const unlocked = { type: 'release.unlocked' as const, at: '2026-12-13T09:00:00.000Z', actor: alice, data: { runbook: 'api-deploy', reason: 'index added', environment: 'production' }, id: 'e99' };
    expect(timelineLine(story.release(PROD), unlocked, ctx)).toBe('alice unlocked api-deploy on production: index added');

    const command = new Story(withRestoreCheck, '2026-11-13T09:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' });
    command.by(bob, { type: 'accept', release: 'api-deploy-1' }).checked('api-deploy-1', 'restore', { ok: false, run: { runner: 'db-staging', outcome: 'failed', exitCode: 2, signal: null, tail: ['error: restore failed'] } });
    expect(thread(command, 'api-deploy-1').slice(3)).toEqual([
      'Checking restore on runner db-staging: ./check-restore.sh --latest.',
      'restore FAILED its check: exit 2 on runner db-staging: error: restore failed. The release waits until it passes: Check again, or abort.',
    ]);
  });
});

describe('rendered', () => {
  it('every card of these stories is within Slack\'s limits and valid for Teams', () => {
    const production = atMigrate(onProduction(rehearsed(), '2026-11-13T09:00:00.000Z', '1.2.3'));
    const failing = new Story(withRestoreCheck, '2026-11-13T09:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' });
    failing.by(bob, { type: 'accept', release: 'api-deploy-1' }).checked('api-deploy-1', 'backup', backupAnswered(503));
    failing.checked('api-deploy-1', 'restore', { ok: false, run: { runner: 'db-staging', outcome: 'failed', exitCode: 2, signal: null, tail: ['```', '*bold* <!channel>', 'error: failed'] } });
    const cards = [card(overridden(), PROD), card(production, PROD), card(drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z')), 'api-deploy-1'), card(failing, 'api-deploy-1')];
    for (const message of cards) {
      expect(checkBlockKitLimits(renderBlockKit(message).blocks)).toEqual([]);
      expect(cardProblems(renderAdaptiveCard(message).card)).toEqual([]);
    }
  });
});
