/** `planb manifest slack|teams`: what lands on stdout and stderr, and the exit codes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { manifestYaml, slackManifest } from '../../src/adapters/slack/manifest.js';
import { teamsManifest, teamsPackage } from '../../src/adapters/teams/manifest.js';
import type { ManifestDeps } from '../../src/cli/manifest-command.js';
import { runManifestCommand } from '../../src/cli/manifest-command.js';
import { ConfigError } from '../../src/config.js';
import { CLI } from '../support/console-process.js';
import { unzip } from '../support/unzip.js';

/** The configuration is never read unless a test says what it holds. */
const noConfig: ManifestDeps = { configuredAppId: () => Promise.reject(new Error('the configuration was read')) };

const run = async (...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => runWith(noConfig, ...args);

const runWith = async (deps: ManifestDeps, ...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runManifestCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) }, deps);
  return { code, out, err };
};

const APP_ID = '3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f';
const scratch = (): string => mkdtempSync(join(tmpdir(), 'planb-manifest-'));
const configured = (appId: string | undefined): ManifestDeps => ({ configuredAppId: () => Promise.resolve(appId) });
/** The app id inside a written package, after checking the package holds exactly the three files. */
const packagedAppId = (file: string): string => {
  const unzipped = unzip(file);
  expect([...unzipped.names].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  const manifest = JSON.parse(unzipped.read('manifest.json').toString('utf8')) as { id: string; bots: { botId: string }[] };
  expect(manifest.bots[0]?.botId).toBe(manifest.id);
  return manifest.id;
};

describe('planb manifest slack', () => {
  it('prints the manifest for the given URL and nothing on stderr', async () => {
    const { code, out, err } = await run('slack', '--url', 'https://planb.acme.com');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([manifestYaml({ url: 'https://planb.acme.com' }).trimEnd()]);
    expect(await run('slack', '--url=https://planb.acme.com')).toEqual({ code, out, err });
  });

  it('prints the Socket Mode manifest without any URL', async () => {
    const { code, out, err } = await run('slack', '--socket-mode');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(parse(out.join('\n'))).toEqual(slackManifest({ socketMode: true }));
  });

  it('without --url prints the placeholder manifest and says on stderr to pass --url', async () => {
    const { code, out, err } = await run('slack');
    expect(code).toBe(0);
    expect(parse(out.join('\n'))).toEqual(slackManifest({ url: 'https://planb.example.com' }));
    expect(err).toEqual(['Note: this manifest points Slack at the placeholder https://planb.example.com; pass --url <public https url> (or --socket-mode).']);
  });

  it.each([
    [['--url', 'http://planb.acme.com'], '"http://planb.acme.com" must be an https URL (http only for localhost)'],
    [['--url'], '--url needs a value'],
    [['--url', '--socket-mode'], '--url needs a value'],
    [['--url', 'https://planb.acme.com', '--socket-mode'], 'Socket Mode takes no URL'],
    [['--verbose'], 'Unknown option "--verbose".'],
    [['extra'], 'Unknown option "extra".'],
  ])('%j → exit 2 naming the problem, nothing on stdout', async (args, problem) => {
    const { code, out, err } = await run('slack', ...args);
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err.join('\n')).toContain(problem);
  });
});

describe('planb manifest teams', () => {
  it('writes the package for --app-id to --out and says where, nothing on stderr', async () => {
    const file = join(scratch(), 'acme.zip');
    const { code, out, err } = await run('teams', '--app-id', APP_ID, '--out', file);
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([`Wrote ${file}: the Teams app package for app id ${APP_ID}.`, 'Upload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app.']);
    expect(readFileSync(file)).toEqual(teamsPackage(APP_ID));
    expect(packagedAppId(file)).toBe(APP_ID);
  });

  it('takes --app-id=… and --out=… too, in any order', async () => {
    const file = join(scratch(), 'acme.zip');
    expect((await run('teams', `--out=${file}`, `--app-id=${APP_ID}`)).code).toBe(0);
    expect(packagedAppId(file)).toBe(APP_ID);
  });

  it('without --app-id takes MICROSOFT_APP_ID from the configuration', async () => {
    const file = join(scratch(), 'from-env.zip');
    const { code, out } = await runWith(configured(APP_ID), 'teams', '--out', file);
    expect(code).toBe(0);
    expect(out[0]).toBe(`Wrote ${file}: the Teams app package for app id ${APP_ID}.`);
    expect(packagedAppId(file)).toBe(APP_ID);
  });

  it('prefers --app-id to MICROSOFT_APP_ID', async () => {
    const file = join(scratch(), 'given.zip');
    expect((await runWith(configured('6f1e2d3c-4b5a-4968-8776-655443322110'), 'teams', '--app-id', APP_ID, '--out', file)).code).toBe(0);
    expect(packagedAppId(file)).toBe(APP_ID);
  });

  it('without any app id exits 2 saying how to give one, and writes nothing', async () => {
    const dir = scratch();
    const { code, out, err } = await runWith(configured(undefined), 'teams', '--out', join(dir, 'x.zip'));
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err.join('\n')).toContain('No app id: pass --app-id <guid> or set MICROSOFT_APP_ID');
    expect(existsSync(join(dir, 'x.zip'))).toBe(false);
  });

  it('exits 1 with the configuration problems when MICROSOFT_APP_ID comes with a broken configuration', async () => {
    const broken: ManifestDeps = { configuredAppId: () => Promise.reject(new ConfigError(['MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID.'])) };
    const { code, out, err } = await runWith(broken, 'teams', '--out', join(scratch(), 'x.zip'));
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err.join('\n')).toContain('MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID.');
    expect(err.join('\n')).toContain('or pass --app-id <guid>');
  });

  it.each([
    [['--app-id', 'planb'], '--app-id: "planb" is not a Microsoft App ID: it is a GUID'],
    [['--app-id', `{${APP_ID}}`], 'is not a Microsoft App ID'],
    [['--app-id', APP_ID.replaceAll('-', '')], 'is not a Microsoft App ID'],
    [['--app-id', '00000000-0000-0000-0000-000000000000'], '--app-id: 00000000-0000-0000-0000-000000000000 is the placeholder of manifests/teams/manifest.json, not a bot'],
    [['--app-id'], '--app-id needs a value'],
    [['--app-id', '--out', 'x.zip'], '--app-id needs a value'],
    [['--app-id', APP_ID, '--out'], '--out needs a value'],
    [['--url', 'https://planb.acme.com'], 'Unknown option "--url".'],
  ])('%j → exit 2 naming the problem, nothing written', async (args, problem) => {
    const dir = scratch();
    const { code, out, err } = await run('teams', ...args, ...(args.includes('--out') ? [] : ['--out', join(dir, 'x.zip')]));
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err.join('\n')).toContain(problem);
    expect(existsSync(join(dir, 'x.zip'))).toBe(false);
  });

  it("names MICROSOFT_APP_ID when the configuration's id is not a bot's", async () => {
    const { code, err } = await runWith(configured('my-bot'), 'teams', '--out', join(scratch(), 'x.zip'));
    expect(code).toBe(2);
    expect(err).toEqual(['MICROSOFT_APP_ID: "my-bot" is not a Microsoft App ID: it is a GUID such as 3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f (the bot\'s Application (client) ID)']);
  });

  it('exits 1 when the package cannot be written', async () => {
    const file = join(scratch(), 'missing-dir', 'x.zip');
    const { code, out, err } = await run('teams', '--app-id', APP_ID, '--out', file);
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err[0]).toMatch(new RegExp(`^Cannot write ${file}: ENOENT`));
  });
});

describe('planb manifest (other)', () => {
  it.each([[[]], [['discord']]])('%j shows usage and exits 2', async (args) => {
    const { code, out, err } = await run(...args);
    expect({ code, out }).toEqual({ code: 2, out: [] });
    expect(err.join('\n')).toContain('Usage: planb manifest slack [--url <public https url>] [--socket-mode]');
  });
});

describe('planb manifest through the real bin', () => {
  it('prints exactly the checked-in manifest, minus its comment, for the placeholder URL', () => {
    const result = spawnSync(process.execPath, [CLI, 'manifest', 'slack'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const checkedIn = readFileSync('manifests/slack/manifest.yaml', 'utf8').replace(/^(#.*\n)+/, '');
    expect(result.stdout).toBe(checkedIn);
    expect(result.stderr).toContain('pass --url');
  });

  it('teams writes planb-teams.zip in the current directory, the app id from MICROSOFT_APP_ID', () => {
    const dir = scratch();
    const env = { PATH: process.env['PATH'] ?? '', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-used-here', PLANB_STORE: 'memory' };
    const result = spawnSync(process.execPath, [CLI, 'manifest', 'teams'], { encoding: 'utf8', cwd: dir, env });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toContain(`Wrote ${join(dir, 'planb-teams.zip')}: the Teams app package for app id ${APP_ID}.`);
    expect(packagedAppId(join(dir, 'planb-teams.zip'))).toBe(APP_ID);
    expect(JSON.parse(unzip(join(dir, 'planb-teams.zip')).read('manifest.json').toString('utf8'))).toEqual(teamsManifest(APP_ID));
  });

  it('teams exits 2 on an app id that is not a GUID, writing nothing', () => {
    const dir = scratch();
    const result = spawnSync(process.execPath, [CLI, 'manifest', 'teams', '--app-id', 'planb'], { encoding: 'utf8', cwd: dir, env: { PATH: process.env['PATH'] ?? '' } });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr).toContain('"planb" is not a Microsoft App ID');
    expect(existsSync(join(dir, 'planb-teams.zip'))).toBe(false);
  });

  it('exits 2 on a URL Slack cannot use', () => {
    const result = spawnSync(process.execPath, [CLI, 'manifest', 'slack', '--url', 'ftp://planb.acme.com'], { encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr).toContain('must be an https URL');
  });
});
