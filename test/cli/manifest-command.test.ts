/** `planb manifest slack|teams`: what lands on stdout and stderr, and the exit codes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { manifestYaml, slackManifest } from '../../src/adapters/slack/manifest.js';
import { runManifestCommand } from '../../src/cli/manifest-command.js';
import { CLI } from '../support/console-process.js';

const run = async (...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runManifestCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
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

describe('planb manifest (other)', () => {
  it('teams is not there yet', async () => {
    expect(await run('teams')).toEqual({ code: 2, out: [], err: ['The Teams manifest comes with the Teams adapter.'] });
  });

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

  it('exits 2 on a URL Slack cannot use', () => {
    const result = spawnSync(process.execPath, [CLI, 'manifest', 'slack', '--url', 'ftp://planb.acme.com'], { encoding: 'utf8' });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr).toContain('must be an https URL');
  });
});
