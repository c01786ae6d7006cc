import { describe, expect, it } from 'vitest';
import type { GrammarOptions } from '../../../src/app/grammar/index.js';
import { helpText, parseCommand } from '../../../src/app/grammar/index.js';
import { tokenize } from '../../../src/app/grammar/tokenize.js';

const options = (platform: GrammarOptions['platform'] = 'console', releases: string[] = ['web-deploy-1']): GrammarOptions => ({
  platform,
  isReleaseId: (word) => releases.includes(word),
  isIncidentId: () => false,
  isWindowId: () => false,
});

const parse = (text: string, opts = options()): ReturnType<typeof parseCommand> => parseCommand(text, opts);

describe('tokenize', () => {
  it('groups quoted words, straight and typographic, and keeps key=value with a quoted value', () => {
    expect(tokenize('a "b c" “d e” ‘f g’ override="freeze exception" don\'t')).toEqual([
      { text: 'a', quoted: false },
      { text: 'b c', quoted: true },
      { text: 'd e', quoted: true },
      { text: 'f g', quoted: true },
      { text: 'override=freeze exception', quoted: false, key: 'override', value: 'freeze exception' },
      { text: "don't", quoted: false },
    ]);
  });

  it('says when a quote is never closed', () => {
    expect(tokenize('abort "oops')).toMatchObject({ message: 'The quote " opened in ""oops" is never closed.' });
  });
});

describe('/release', () => {
  it('parses start with parameters, the confirmer, window and override', () => {
    expect(parse('/release start web-deploy version=1.2.3 confirmer=@Bob window=w-1 override="freeze exception"')).toEqual({
      kind: 'release.start',
      runbook: 'web-deploy',
      params: { version: '1.2.3' },
      confirmer: 'console:bob',
      window: 'w-1',
      override: 'freeze exception',
    });
  });

  it('takes Slack and Teams mentions as principals, and refuses mass mentions', () => {
    expect(parse('/release start web confirmer=<@U123ABC|bob>', options('slack'))).toMatchObject({ confirmer: 'slack:U123ABC' });
    expect(parse('release start web confirmer=<at:teams:29:1abc>', options('teams'))).toMatchObject({ confirmer: 'teams:29:1abc' });
    expect(parse('/release start web confirmer=<!channel>', options('slack'))).toMatchObject({ kind: 'grammar-error', message: 'confirmer=<!channel>: <!channel> is everyone, not a person: name one person.' });
    expect(parse('/release start web confirmer=@here')).toMatchObject({ kind: 'grammar-error', message: 'confirmer=@here: @here is everyone, not a person: name one person.' });
    expect(parse('/release start web confirmer=@bob', options('slack'))).toMatchObject({ kind: 'grammar-error', message: 'confirmer=@bob: Pick @bob from the mention list, so the mention names one account.' });
  });

  it('takes env= as the environment of a start, and parses drills, rehearsals and an unlock in one environment', () => {
    expect(parse('/release start api-deploy version=1.2.3 env=staging confirmer=@bob')).toEqual({
      kind: 'release.start',
      runbook: 'api-deploy',
      params: { version: '1.2.3' },
      confirmer: 'console:bob',
      environment: 'staging',
    });
    expect(parse('/release drill api-deploy env=staging confirmer=@bob version=1.2.3')).toEqual({
      kind: 'release.drill',
      runbook: 'api-deploy',
      params: { version: '1.2.3' },
      confirmer: 'console:bob',
      environment: 'staging',
    });
    expect(parse('/release drill api-deploy window=w-1')).toMatchObject({ kind: 'grammar-error', message: '/release drill takes no window=.' });
    expect(parse('/release drill')).toMatchObject({ kind: 'grammar-error', message: expect.stringContaining('Name the runbook first') as unknown });
    expect(parse('/release rehearsals api-deploy')).toEqual({ kind: 'release.rehearsals', runbook: 'api-deploy' });
    expect(parse('/release rehearsals')).toMatchObject({ kind: 'grammar-error', usage: expect.stringContaining('/release rehearsals <runbook>') as unknown });
    expect(parse('/release unlock api-deploy env=staging index added')).toEqual({ kind: 'release.unlock', runbook: 'api-deploy', reason: 'index added', environment: 'staging' });
    expect(parse('/release unlock api-deploy index added')).toEqual({ kind: 'release.unlock', runbook: 'api-deploy', reason: 'index added' });
    expect(parse('/release start api-deploy env=staging env=production')).toMatchObject({ message: 'env is given twice.' });
  });

  it('explains malformed starts', () => {
    expect(parse('/release start web 1.2.3')).toEqual({ kind: 'grammar-error', message: 'Unexpected "1.2.3": parameters are key=value, e.g. version=1.2.3.', usage: expect.stringContaining('/release start <runbook>') as unknown });
    expect(parse('/release start web version=1 version=2')).toMatchObject({ message: 'version is given twice.' });
    expect(parse('/release start web version=')).toMatchObject({ message: 'version= needs a value.' });
    expect(parse('/release start')).toEqual({ kind: 'form', form: 'release.start' });
  });

  it('takes a leading word as a release id only when such a release exists', () => {
    expect(parse('/release abort web-deploy-1 wrong version')).toEqual({ kind: 'release.abort', release: 'web-deploy-1', reason: 'wrong version' });
    expect(parse('/release abort web-deploy-9 wrong version')).toEqual({ kind: 'release.abort', reason: 'web-deploy-9 wrong version' });
    expect(parse('/release rollback "errors are up"')).toEqual({ kind: 'release.rollback', reason: 'errors are up' });
    expect(parse('/release status')).toEqual({ kind: 'release.status' });
    expect(parse('/release status web-deploy-1')).toEqual({ kind: 'release.status', release: 'web-deploy-1' });
    expect(parse('/release status nope-3')).toMatchObject({ kind: 'grammar-error', message: 'There is no release nope-3. /release list shows them.' });
  });

  it('needs reasons where DESIGN.md says so', () => {
    expect(parse('/release abort')).toMatchObject({ kind: 'grammar-error', message: '/release abort needs a reason.' });
    expect(parse('/release abort web-deploy-1')).toMatchObject({ message: '/release abort needs a reason.' });
    expect(parse('/release unlock web-deploy')).toMatchObject({ message: '/release unlock needs the runbook and what was done about the cause.' });
    expect(parse('/release unlock web-deploy index added')).toEqual({ kind: 'release.unlock', runbook: 'web-deploy', reason: 'index added' });
  });

  it('parses the check and reject extensions and trouble with a timebox', () => {
    expect(parse('/release check web-deploy-1 backup snapshot 881')).toEqual({ kind: 'release.check', release: 'web-deploy-1', item: 'backup', evidence: 'snapshot 881' });
    expect(parse('/release check rehearsal')).toEqual({ kind: 'release.check', item: 'rehearsal' });
    expect(parse('/release reject pool still has traffic')).toEqual({ kind: 'release.reject', reason: 'pool still has traffic' });
    expect(parse('/release trouble 500s on checkout timebox=15m')).toEqual({ kind: 'release.trouble', text: '500s on checkout', timeboxMs: 900_000 });
    expect(parse('/release trouble 500s timebox=2x')).toMatchObject({ message: 'timebox=2x: "2x" is not a duration: use 90s, 20m, 2h or 1h30m.' });
  });

  it('answers help, and names the subcommands when one is unknown', () => {
    expect(parse('/release')).toEqual({ kind: 'release.help' });
    expect(parse('release help')).toEqual({ kind: 'release.help' });
    expect(parse('/release list extra')).toMatchObject({ message: '/release list takes no arguments.' });
    const unknown = parse('/release deploy web');
    expect(unknown).toMatchObject({ kind: 'grammar-error', message: '/release has no subcommand "deploy".' });
    expect(unknown.kind === 'grammar-error' && unknown.usage).toBe(helpText('release'));
  });
});

describe('families', () => {
  it('refuses unknown commands, naming the known ones', () => {
    expect(parse('/deploy now')).toMatchObject({ message: 'Plan B knows /release, /incident and /maintenance, not "/deploy".' });
  });
});

describe('/incident', () => {
  const incidents = (): GrammarOptions => ({ ...options('slack'), isIncidentId: (word) => word === 'inc-7' });

  it('declares with a title and trailing options', () => {
    expect(parse('/incident declare "Checkout 500s" for EU severity=1 timebox=15m updates=10m stakeholders=<#C0STATUS|status>', incidents())).toEqual({
      kind: 'incident.declare',
      title: 'Checkout 500s for EU',
      severity: 1,
      timeboxMs: 900_000,
      updatesMs: 600_000,
      stakeholders: 'C0STATUS',
    });
    expect(parse('/incident declare')).toEqual({ kind: 'form', form: 'incident.declare' });
  });

  it('explains bad options', () => {
    expect(parse('/incident declare db down severity=5')).toMatchObject({ message: 'severity=5: severity is 1 (worst) to 4.' });
    expect(parse('/incident declare db down sevrity=1')).toMatchObject({ message: 'Unknown option sevrity=: the options here are severity=, timebox=, updates=, stakeholders=.' });
    expect(parse('/incident declare db down timebox=soon')).toMatchObject({ message: 'timebox=soon: "soon" is not a duration: use 90s, 20m, 2h or 1h30m.' });
    expect(parse('/incident declare severity=2')).toMatchObject({ message: '/incident declare needs a title: what is broken, for whom.' });
  });

  it('names the lead by mention, on the incident named or the one here', () => {
    expect(parse('/incident lead inc-7 <@U42>', incidents())).toEqual({ kind: 'incident.lead', incident: 'inc-7', lead: 'slack:U42' });
    expect(parse('/incident lead <@U42>', incidents())).toEqual({ kind: 'incident.lead', lead: 'slack:U42' });
    expect(parse('/incident lead <!here>', incidents())).toMatchObject({ message: '<!here> is everyone, not a person: name one person.' });
  });

  it('decides rollback, fixed, or an extension with a duration and a reason', () => {
    expect(parse('/incident decide rollback')).toEqual({ kind: 'incident.decide', decision: 'rollback' });
    expect(parse('/incident decide inc-7 fixed', incidents())).toEqual({ kind: 'incident.decide', incident: 'inc-7', decision: 'fixed' });
    expect(parse('/incident decide extend 10m cache is warming')).toEqual({ kind: 'incident.decide', decision: 'extend', extendMs: 600_000, reason: 'cache is warming' });
    expect(parse('/incident decide extend 10m')).toMatchObject({ message: 'An extension needs a reason: what will be different in that time?' });
    expect(parse('/incident decide extend soon please')).toMatchObject({ message: '"soon" is not a duration: use 90s, 20m, 2h or 1h30m.' });
    expect(parse('/incident decide maybe')).toMatchObject({ message: 'Decide one of: rollback, fixed, or extend <duration> <reason>.' });
  });

  it('updates, resolves and drafts the post-mortem', () => {
    expect(parse('/incident update "Rollback started, ETA 15m"')).toEqual({ kind: 'incident.update', text: 'Rollback started, ETA 15m' });
    expect(parse('/incident update')).toMatchObject({ message: '/incident update needs the text of the update.' });
    expect(parse('/incident resolve')).toEqual({ kind: 'incident.resolve' });
    expect(parse('/incident resolve inc-7 index rebuilt', incidents())).toEqual({ kind: 'incident.resolve', incident: 'inc-7', summary: 'index rebuilt' });
    expect(parse('/incident postmortem')).toEqual({ kind: 'incident.postmortem' });
    expect(parse('/incident explode')).toMatchObject({ message: '/incident has no subcommand "explode".' });
  });

  it('notes for the responders, on the incident named or the one here; a note needs its text', () => {
    expect(parse('/incident note inc-7 "Pool 3 drained, connections at 0"', incidents())).toEqual({ kind: 'incident.note', incident: 'inc-7', text: 'Pool 3 drained, connections at 0' });
    expect(parse('/incident note inc-9 looks like DNS', incidents())).toEqual({ kind: 'incident.note', text: 'inc-9 looks like DNS' });
    expect(parse('/incident note inc-7', incidents())).toEqual({
      kind: 'grammar-error',
      message: '/incident note needs the text of the note.',
      usage: '/incident note [<incident-id>] <text>   internal: for responders and the post-mortem, never stakeholders',
    });
    expect(helpText('incident').split('\n')).toContain('/incident note [<incident-id>] <text>   internal: for responders and the post-mortem, never stakeholders');
  });
});

describe('/maintenance', () => {
  it('schedules with a title, a time as typed, a duration, a channel and options', () => {
    expect(parse('/maintenance schedule "DB upgrade at night" at tomorrow 22:00 for 1h30m in <#C0OPS|ops> impact="checkout read-only" services=checkout,payments remind=24h,1h,10m')).toEqual({
      kind: 'maintenance.schedule',
      title: 'DB upgrade at night',
      at: 'tomorrow 22:00',
      durationMs: 5_400_000,
      channel: 'C0OPS',
      impact: 'checkout read-only',
      services: ['checkout', 'payments'],
      remindMs: [86_400_000, 3_600_000, 600_000],
    });
    expect(parse('/maintenance schedule Upgrade at 2026-11-24T22:00:00Z for 2h')).toEqual({ kind: 'maintenance.schedule', title: 'Upgrade', at: '2026-11-24T22:00:00Z', durationMs: 7_200_000 });
    expect(parse('/maintenance schedule')).toEqual({ kind: 'form', form: 'maintenance.schedule' });
  });

  it('explains a schedule it cannot read', () => {
    expect(parse('/maintenance schedule Upgrade tomorrow')).toMatchObject({ message: 'Say when and for how long: /maintenance schedule "DB upgrade" at tomorrow 22:00 for 2h.' });
    expect(parse('/maintenance schedule Upgrade at 22:00 for ages')).toMatchObject({ message: 'for ages: "ages" is not a duration: use 90s, 20m, 2h or 1h30m.' });
    expect(parse('/maintenance schedule Upgrade at 22:00 for 1h remind=1h,soon')).toMatchObject({ message: 'remind=1h,soon: list durations before the start, e.g. remind=24h,1h,10m.' });
  });

  it('lists, cancels, extends, starts, completes and reschedules by window id', () => {
    expect(parse('/maintenance list')).toEqual({ kind: 'maintenance.list' });
    expect(parse('/maintenance cancel w-3 vendor postponed')).toEqual({ kind: 'maintenance.cancel', window: 'w-3', reason: 'vendor postponed' });
    expect(parse('/maintenance cancel w-3')).toMatchObject({ message: '/maintenance cancel needs the window id and a reason people will read.' });
    expect(parse('/maintenance extend w-3 30m reindex is slower')).toEqual({ kind: 'maintenance.extend', window: 'w-3', durationMs: 1_800_000, reason: 'reindex is slower' });
    expect(parse('/maintenance extend w-3 30m')).toMatchObject({ message: 'Say why it needs longer: people waiting on the window will read it.' });
    expect(parse('/maintenance start w-3')).toEqual({ kind: 'maintenance.start', window: 'w-3' });
    expect(parse('/maintenance complete w-3')).toEqual({ kind: 'maintenance.complete', window: 'w-3' });
    expect(parse('/maintenance reschedule w-3 at friday 23:00')).toEqual({ kind: 'maintenance.reschedule', window: 'w-3', at: 'friday 23:00' });
    expect(parse('/maintenance reschedule w-3 friday')).toMatchObject({ message: 'Say the new start: /maintenance reschedule <id> at <time>.' });
    expect(parse('/maintenance')).toEqual({ kind: 'maintenance.help' });
  });
});
