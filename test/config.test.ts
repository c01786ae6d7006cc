import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG, loadConfig } from '../src/config.js';

const dir = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), 'planb-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
};

const problems = async (env: Record<string, string>): Promise<readonly string[]> => {
  try {
    await loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('falls back to the example config with its runbooks', async () => {
    const config = await loadConfig({});
    expect(config.configFile).toBe(EXAMPLE_CONFIG);
    expect(config.usingExample).toBe(true);
    expect(config.runbooks.map((book) => book.name)).toEqual(['checkout-deploy', 'web-deploy']);
    expect(config).toMatchObject({ platforms: [], store: 'memory', port: 3000, timezone: 'UTC', consoleUser: 'alice' });
  });

  it('reads PLANB_CONFIG, with runbooks relative to it', async () => {
    const root = dir({ 'planb.yaml': 'timezone: Europe/Berlin\nrunbooks: books\ngroups: { sre: [slack:U1] }\n', 'books/a.yaml': "name: a\ntitle: A\ndrivers: ['*']\nconfirmers: [group:sre]\nsteps: [{ id: s, title: S }]\n" });
    const config = await loadConfig({ PLANB_CONFIG: join(root, 'planb.yaml') });
    expect(config).toMatchObject({ timezone: 'Europe/Berlin', groups: { sre: ['slack:U1'] }, usingExample: false });
    expect(config.runbooks.map((book) => book.name)).toEqual(['a']);
  });

  it('fails fast naming each bad variable, key and runbook', async () => {
    const root = dir({ 'planb.yaml': 'timezone: Mars/Olympus\ngroups: { sre: [bob] }\n', 'runbooks/b.yaml': 'name: b\n' });
    expect(await problems({ PLANB_CONFIG: join(root, 'planb.yaml'), PORT: 'eighty', LOG_LEVEL: 'loud', REDIS_URL: 'localhost:6379' })).toEqual([
      'PORT must be a port number (1-65535), not "eighty".',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud".',
      'REDIS_URL must start with redis:// or rediss://.',
      `${join(root, 'planb.yaml')}:1:11: timezone: is not an IANA time zone such as Europe/Berlin or UTC`,
      `${join(root, 'planb.yaml')}:2:17: groups.sre[0]: is not a principal: use slack:U…, teams:<id>, console:<name>, group:<name> or "*"`,
    ]);
    expect(await problems({ PLANB_CONFIG: join(root, 'nope.yaml') })).toEqual([`PLANB_CONFIG names ${join(root, 'nope.yaml')}, which does not exist.`]);
  });

  it('reports broken runbooks with their positions', async () => {
    const root = dir({ 'planb.yaml': 'runbooks: books\n', 'books/b.yaml': 'name: b\n' });
    const found = await problems({ PLANB_CONFIG: join(root, 'planb.yaml') });
    expect(found).toContain(`${join(root, 'books/b.yaml')}:1:1: title: is required`);
  });

  it('detects chat platforms and the store from the environment', async () => {
    expect(await loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({ platforms: ['slack'], store: 'redis' });
    expect(await loadConfig({ PLANB_TEAMS_EMULATOR: 'true', REDIS_URL: 'redis://x', PLANB_STORE: 'memory' })).toMatchObject({ platforms: ['teams'], store: 'memory' });
  });
});
