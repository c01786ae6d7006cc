/**
 * Rehearsal histories of examples/runbooks/api-deploy.yaml for presentation tests, built by the release decider as
 * the app would: a drill on staging on 2 Nov, the same version on staging on 12 Nov, production after. Pure, in memory.
 */
import { readFileSync } from 'node:fs';
import type { ReleaseCommand, RunSignal } from '../../src/domain/release/decide.js';
import { decide, decideRun } from '../../src/domain/release/decide.js';
import type { PreflightCheckResult, ReleaseEvent } from '../../src/domain/release/events.js';
import { decidePreflightCheck } from '../../src/domain/release/preflight.js';
import type { Release } from '../../src/domain/release/state.js';
import { currentCheck, fold } from '../../src/domain/release/state.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { formatIssue, parseRunbookText } from '../../src/domain/runbook-yaml.js';

import { alice, bob } from '../domain/release/fixtures.js';

export { alice, bob };

const groups = { 'release-managers': [alice], sre: [bob] };

const MINUTE = 60_000;

const parsed = parseRunbookText(readFileSync('examples/runbooks/api-deploy.yaml', 'utf8'), 'api-deploy.yaml');
if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));

/** The example as it is: a verified backup, staging and production with their policies, migrate (irreversible) and deploy. */
export const apiDeploy: Runbook = parsed.value;

/** The same with a preflight command too: a restore tried on runner `db` (db-staging on staging). */
export const withRestoreCheck: Runbook = {
  ...apiDeploy,
  preflight: [...apiDeploy.preflight, { id: 'restore', check: 'A restore of the backup works', evidence: 'none', run: { runner: 'db', argv: ['./check-restore.sh', '--latest'] } }],
  environments: (apiDeploy.environments ?? []).map((env) => (env.name === 'staging' ? { ...env, runners: { ...env.runners, db: 'db-staging' } } : env)),
};

export const BACKUP_URL = 'https://backup.internal/api/latest/verified';

export const backupAnswered = (status: number): PreflightCheckResult => ({
  ok: status === 200,
  verification: { url: BACKUP_URL, expected: 200, ok: status === 200, status, attempts: 1, durationMs: 0 },
});

/** A history being written: the decider's events so far, and the clock, which moves a minute after each act by default. */
export class Story {
  readonly events: ReleaseEvent[] = [];
  private now: number;

  constructor(
    readonly book: Runbook,
    start: string,
  ) {
    this.now = Date.parse(start);
  }

  /** Moves the clock to `iso`. */
  at(iso: string): this {
    this.now = Date.parse(iso);
    return this;
  }

  /** `actor` sends `command` now; then `minutes` pass. Throws on a refusal: a story is a happy path. */
  by(actor: string, command: ReleaseCommand, minutes = 1): this {
    const result = decide(fold(this.book.name, this.events), command, {
      now: new Date(this.now),
      actor,
      groups,
      runbook: this.book,
      runners: { 'deploy-staging': { online: true }, deploy: { online: true } },
    });
    if (!Array.isArray(result)) throw new Error(`${command.type} by ${actor}: ${result.message}`);
    return this.record(result, minutes);
  }

  /** A runner's news. */
  signal(signal: RunSignal, minutes = 1): this {
    return this.record(decideRun(fold(this.book.name, this.events), signal, new Date(this.now)), minutes);
  }

  /** The result of the current check of `item` of `release`. */
  checked(release: string, item: string, result: PreflightCheckResult, minutes = 1): this {
    const found = this.release(release).preflight.find((candidate) => candidate.id === item);
    const attempt = found && currentCheck(found)?.attempt;
    if (attempt === undefined) throw new Error(`${item} of ${release} is not being checked`);
    return this.record(decidePreflightCheck(fold(this.book.name, this.events), { release, item, attempt, result }, new Date(this.now)), minutes);
  }

  /** `release` as the events so far make it. */
  release(id: string): Release {
    const found = fold(this.book.name, this.events).releases.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no release ${id}`);
    return found;
  }

  private record(events: readonly ReleaseEvent[], minutes: number): this {
    if (events.length === 0) throw new Error('nothing happened');
    this.events.push(...events);
    this.now += minutes * MINUTE;
    return this;
  }
}

const ref = (release: string, step: string): { release: string; step: string } => ({ release, step });

/** Steps done by hand: started, done `took` minutes later, confirmed a minute after. */
export const byHand = (story: Story, release: string, step: string, took: number): Story =>
  story.by(alice, { type: 'start_step', ...ref(release, step) }, took).by(alice, { type: 'done_step', ...ref(release, step) }).by(bob, { type: 'confirm_step', ...ref(release, step) });

/** api-deploy-1: a drill on staging on 2 Nov, deploy's rollback done in 4m, migrate's (restore) in 1h47m, confirmed at 10:56. */
export const drilled = (story: Story): Story => {
  story.at('2026-11-02T09:00:00.000Z').by(alice, { type: 'drill', params: { version: '1.2.2' }, confirmer: bob, channel: 'C1', environment: 'staging' });
  story.by(bob, { type: 'accept', release: 'api-deploy-1' });
  byHand(story, 'api-deploy-1', 'deploy', 4);
  return byHand(story, 'api-deploy-1', 'migrate', 107);
};

/** The next release: 1.2.3 on staging on 12 Nov, its backup verified, deploy run by runner deploy-staging; completed. */
export const onStaging = (story: Story, release: string): Story => {
  story.at('2026-11-12T10:00:00.000Z').by(alice, { type: 'start', params: { version: '1.2.3' }, confirmer: bob, channel: 'C1', environment: 'staging' });
  story.by(bob, { type: 'accept', release }).checked(release, 'backup', backupAnswered(200)).by(alice, { type: 'check', release, item: 'oncall' });
  story.by(alice, { type: 'acknowledge', ...ref(release, 'migrate') }).by(bob, { type: 'acknowledge', ...ref(release, 'migrate') });
  byHand(story, release, 'migrate', 3);
  story.by(alice, { type: 'start_step', ...ref(release, 'deploy') }).by(bob, { type: 'approve_step', ...ref(release, 'deploy') });
  story.signal({ type: 'run_started', ...ref(release, 'deploy'), attempt: 1, runner: 'deploy-staging', instance: 'deploy-staging-a1', host: 'stg-01' });
  return story.signal({ type: 'run_finished', ...ref(release, 'deploy'), attempt: 1, exitCode: 0, signal: null, timedOut: false, durationMs: 42_000, tail: ['deployed 1.2.3'] });
};

/** The next release: on production at `iso` (with `override` if given), not yet accepted. */
export const onProduction = (story: Story, iso: string, version: string, override?: string): Story =>
  story.at(iso).by(alice, { type: 'start', params: { version }, confirmer: bob, channel: 'C1', environment: 'production', ...(override ? { override } : {}) });
