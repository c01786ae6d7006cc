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

  it('recognises incident and maintenance subcommands for later versions', () => {
    expect(parse('/incident declare "db down"')).toEqual({ kind: 'incident.later', subcommand: 'declare' });
    expect(parse('/maintenance reschedule w-1 at 22:00')).toEqual({ kind: 'maintenance.later', subcommand: 'reschedule' });
    expect(parse('/maintenance')).toEqual({ kind: 'maintenance.help' });
    expect(parse('/incident explode')).toMatchObject({ message: '/incident has no subcommand "explode".' });
  });
});
