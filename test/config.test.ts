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
    expect(config.runbooks.map((book) => book.name)).toEqual(['api-deploy', 'checkout-deploy', 'web-deploy']);
    expect(config).toMatchObject({ platforms: [], store: 'memory', port: 3000, timezone: 'UTC', consoleUser: 'alice' });
  });

  it('reads PLANB_CONFIG, with runbooks relative to it', async () => {
    const root = dir({ 'planb.yaml': 'timezone: Europe/Berlin\nrunbooks: books\ngroups: { sre: [slack:U1] }\n', 'books/a.yaml': "name: a\ntitle: A\ndrivers: ['*']\nconfirmers: [group:sre]\nsteps: [{ id: s, title: S }]\n" });
    const config = await loadConfig({ PLANB_CONFIG: join(root, 'planb.yaml') });
    expect(config).toMatchObject({ timezone: 'Europe/Berlin', groups: { sre: ['slack:U1'] }, usingExample: false });
    expect(config.runbooks.map((book) => book.name)).toEqual(['a']);
  });

  it('reads incident defaults, durations in milliseconds, and refuses an escalation group that does not exist', async () => {
    const book = "name: a\ntitle: A\ndrivers: ['*']\nconfirmers: [group:sre]\nsteps: [{ id: s, title: S }]\n";
    const good = dir({
      'planb.yaml': 'groups: { sre: [slack:U1] }\nincidents: { escalation: sre, stakeholders: C0STATUS, decision: { timebox: 30m, max_extensions: 1 }, updates: { every: 20m } }\n',
      'runbooks/a.yaml': book,
    });
    expect((await loadConfig({ PLANB_CONFIG: join(good, 'planb.yaml') })).incidents).toEqual({
      escalation: 'sre',
      stakeholders: 'C0STATUS',
      decision: { timeboxMs: 1_800_000, maxExtensions: 1 },
      updates: { everyMs: 1_200_000 },
    });
    expect((await loadConfig({})).incidents).toMatchObject({ escalation: 'sre', decision: { timeboxMs: 1_200_000 } });
    const bad = dir({ 'planb.yaml': 'groups: { sre: [slack:U1] }\nincidents: { escalation: oncall, decision: { timebox: soon } }\n', 'runbooks/a.yaml': book });
    const found = await problems({ PLANB_CONFIG: join(bad, 'planb.yaml') });
    expect(found.join('\n')).toContain('"soon" is not a duration');
    const fixed = dir({ 'planb.yaml': 'groups: { sre: [slack:U1] }\nincidents: { escalation: oncall }\n', 'runbooks/a.yaml': book });
    expect(await problems({ PLANB_CONFIG: join(fixed, 'planb.yaml') })).toEqual([`${join(fixed, 'planb.yaml')}: incidents.escalation: there is no group "oncall" under groups:`]);
  });

  it('reads maintenance defaults and freezes: a date is a whole day in the team zone, a date and time is that instant', async () => {
    const book = "name: a\ntitle: A\ndrivers: ['*']\nconfirmers: ['*']\nsteps: [{ id: s, title: S }]\n";
    const good = dir({
      'planb.yaml': [
        'timezone: Europe/Berlin',
        'maintenance: { channel: C0ANNOUNCE, remind: [2h, 15m], ending_soon: 5m }',
        'freezes:',
        '  - { from: 2026-12-20, to: 2027-01-04, reason: Holidays }',
        '  - { from: "2026-11-27T06:00", to: "2026-11-28T00:00Z", services: [checkout, payments] }',
        '',
      ].join('\n'),
      'runbooks/a.yaml': book,
    });
    const config = await loadConfig({ PLANB_CONFIG: join(good, 'planb.yaml'), PLANB_CALENDAR_TOKEN: 'calendar-token-0123456789' });
    expect(config.maintenance).toEqual({ channel: 'C0ANNOUNCE', remindMs: [7_200_000, 900_000], endingSoonMs: 300_000 });
    expect(config.freezes).toEqual([
      { from: '2026-12-19T23:00:00.000Z', until: '2027-01-04T23:00:00.000Z', reason: 'Holidays' },
      { from: '2026-11-27T05:00:00.000Z', until: '2026-11-28T00:00:00.000Z', services: ['checkout', 'payments'] },
    ]);
    expect(config.calendarToken).toBe('calendar-token-0123456789');
    expect((await loadConfig({})).maintenance).toEqual({ remindMs: [86_400_000, 3_600_000, 600_000], endingSoonMs: 900_000 });
    const bad = dir({ 'planb.yaml': 'freezes:\n  - { from: 2026-12-20, to: 2026-12-19 }\n  - { from: xmas, to: 2026-12-27 }\n', 'runbooks/a.yaml': book });
    const found = await problems({ PLANB_CONFIG: join(bad, 'planb.yaml'), PLANB_CALENDAR_TOKEN: 'short' });
    expect(found).toContain('PLANB_CALENDAR_TOKEN must be at least 16 characters, since it travels in the calendar URL.');
    expect(found.join('\n')).toContain('freezes[1].from: must be a date (2026-12-20) or a date and time (2026-12-20T18:00)');
    expect(found).not.toContain(expect.stringContaining('short'));
    const backwards = dir({ 'planb.yaml': 'freezes:\n  - { from: 2026-12-20, to: 2026-12-19 }\n', 'runbooks/a.yaml': book });
    expect(await problems({ PLANB_CONFIG: join(backwards, 'planb.yaml') })).toEqual([`${join(backwards, 'planb.yaml')}: freezes[0]: "to" (2026-12-19) must be after "from" (2026-12-20).`]);
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

const SLACK = { SLACK_BOT_TOKEN: 'xoxb-bot-secret', SLACK_SIGNING_SECRET: 'signing-secret-value' };
const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig: the environment', () => {
  it('uses defaults for the console and treats blank values as unset', async () => {
    const config = await loadConfig({ PORT: '', SLACK_BOT_TOKEN: '  ', REDIS_URL: '', PLANB_STORE: '' });
    expect(config).toMatchObject({ platforms: [], store: 'memory', port: 3000, logLevel: 'info', redisPrefix: 'planb', warnings: [] });
    for (const key of ['slack', 'teams', 'redisUrl', 'apiToken', 'failpoint'] as const) expect(config[key]).toBeUndefined();
  });

  it('reads PORT as an integer port and LOG_LEVEL in any case', async () => {
    expect(await loadConfig({ PORT: '65535', LOG_LEVEL: 'DEBUG' })).toMatchObject({ port: 65_535, logLevel: 'debug' });
    for (const port of ['0', '65536', '80.5', '0x50', '-1']) {
      expect(await problems({ PORT: port })).toEqual([`PORT must be a port number (1-65535), not "${port}".`]);
    }
  });

  it('configures Slack over HTTP or Socket Mode, naming the missing variable', async () => {
    expect((await loadConfig({ ...SLACK, ...REDIS, SLACK_API_URL: 'http://127.0.0.1:4000/api/' })).slack).toEqual({
      botToken: 'xoxb-bot-secret',
      signingSecret: 'signing-secret-value',
      apiUrl: 'http://127.0.0.1:4000/api/',
    });
    expect(await loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', ...REDIS })).toMatchObject({ platforms: ['slack'], slack: { botToken: 'xoxb-1', appToken: 'xapp-1' } });
    expect(await problems({ SLACK_SIGNING_SECRET: 's', ...REDIS })).toEqual(['SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set.']);
    expect(await problems({ SLACK_APP_TOKEN: 'xapp-1', ...REDIS })).toEqual(['SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set.']);
    expect(await problems({ SLACK_BOT_TOKEN: 'xoxb-1', ...REDIS })).toEqual(['SLACK_SIGNING_SECRET is required for Slack over HTTP; set SLACK_APP_TOKEN instead to use Socket Mode.']);
    for (const url of ['ftp://slack.example/api', 'slack.com/api', 'https//slack.com']) {
      expect(await problems({ ...SLACK, ...REDIS, SLACK_API_URL: url })).toEqual(['SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.']);
    }
  });

  it('configures Teams with an app id or the emulator, naming the missing variable', async () => {
    expect(await loadConfig({ MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw', ...REDIS })).toMatchObject({
      platforms: ['teams'],
      teams: { appId: 'app', appPassword: 'pw', emulator: false },
    });
    expect((await loadConfig({ PLANB_TEAMS_EMULATOR: 'true', ...REDIS })).teams).toEqual({ emulator: true });
    expect(await loadConfig({ PLANB_TEAMS_EMULATOR: 'false' })).toMatchObject({ platforms: [], store: 'memory' });
    expect((await loadConfig({ MICROSOFT_APP_ID: 'app', MICROSOFT_APP_TYPE: 'UserAssignedMSI', ...REDIS })).teams).toMatchObject({ appType: 'UserAssignedMSI' });
    const single = { MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'SingleTenant', ...REDIS };
    expect((await loadConfig({ ...single, MICROSOFT_APP_TENANT_ID: 'tenant' })).teams).toMatchObject({ appType: 'SingleTenant', tenantId: 'tenant' });
    expect(await problems(single)).toEqual(['MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE=SingleTenant.']);
    expect(await problems({ MICROSOFT_APP_ID: 'app', ...REDIS })).toEqual(['MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID (unless MICROSOFT_APP_TYPE=UserAssignedMSI).']);
    expect(await problems({ MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'multitenant', ...REDIS })).toEqual([
      'MICROSOFT_APP_TYPE must be one of MultiTenant, SingleTenant, UserAssignedMSI, not "multitenant".',
    ]);
    expect(await problems({ PLANB_TEAMS_EMULATOR: 'TRUE' })).toEqual(['PLANB_TEAMS_EMULATOR must be true or false, not "TRUE".']);
    // No authentication next to real credentials would accept forged activities: refused, and warned about alone.
    expect(await problems({ PLANB_TEAMS_EMULATOR: 'true', MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: 'pw', ...REDIS })).toEqual([
      'PLANB_TEAMS_EMULATOR=true switches authentication off: it cannot be combined with MICROSOFT_APP_ID. Unset one of them.',
    ]);
    expect((await loadConfig({ PLANB_TEAMS_EMULATOR: 'true', ...REDIS })).warnings).toContainEqual(expect.stringContaining('WITHOUT authentication'));
  });

  it('lists both platforms when both are configured', async () => {
    expect(await loadConfig({ ...SLACK, PLANB_TEAMS_EMULATOR: 'true', ...REDIS })).toMatchObject({ platforms: ['slack', 'teams'], store: 'redis' });
  });

  it('requires Redis for a chat platform unless the embedded store is chosen on purpose, and then warns', async () => {
    expect(await problems(SLACK)).toEqual([
      'REDIS_URL is required when Slack is configured (releases, timers and messages must survive a restart); set PLANB_STORE=memory to run on the embedded store on purpose.',
    ]);
    expect(await problems({ ...SLACK, PLANB_TEAMS_EMULATOR: 'true' })).toEqual([expect.stringMatching(/^REDIS_URL is required when Slack and Teams are configured/)]);
    const onPurpose = await loadConfig({ ...SLACK, PLANB_STORE: 'memory' });
    expect(onPurpose).toMatchObject({ platforms: ['slack'], store: 'memory' });
    expect(onPurpose.warnings).toHaveLength(1);
    expect(onPurpose.warnings[0]).toMatch(/PLANB_STORE=memory.*LOST on every restart.*replicas do NOT share them/);
    expect(await loadConfig({})).toMatchObject({ store: 'memory', warnings: [] });
  });

  it('chooses the store from REDIS_URL and PLANB_STORE', async () => {
    expect(await loadConfig(REDIS)).toMatchObject({ store: 'redis', redisUrl: REDIS.REDIS_URL });
    expect(await loadConfig({ REDIS_URL: 'rediss://cache:6380', PLANB_STORE: 'redis' })).toMatchObject({ store: 'redis', redisUrl: 'rediss://cache:6380' });
    expect(await loadConfig({ ...REDIS, PLANB_STORE: 'memory' })).toMatchObject({ store: 'memory', warnings: [] });
    expect(await problems({ PLANB_STORE: 'redis' })).toEqual(['REDIS_URL is required when PLANB_STORE=redis.']);
    expect(await problems({ ...SLACK, PLANB_STORE: 'redis' })).toEqual(['REDIS_URL is required when PLANB_STORE=redis.']);
    expect(await problems({ ...REDIS, PLANB_STORE: 'Redis' })).toEqual(['PLANB_STORE must be memory or redis, not "Redis".']);
  });

  it('enables the JSON API only with a token of at least 16 characters', async () => {
    expect((await loadConfig({ PLANB_API_TOKEN: '0123456789abcdef' })).apiToken).toBe('0123456789abcdef');
    expect(await problems({ PLANB_API_TOKEN: 'short-token' })).toEqual(['PLANB_API_TOKEN must be at least 16 characters, since it guards the JSON API.']);
  });

  it('enables the status page only with PLANB_STATUS_PAGE=true, with its title and options from planb.yaml', async () => {
    expect((await loadConfig({})).statusPage).toBeUndefined();
    expect((await loadConfig({ PLANB_STATUS_PAGE: 'false' })).statusPage).toBeUndefined();
    expect((await loadConfig({ PLANB_STATUS_PAGE: 'true' })).statusPage).toEqual({ title: 'Service status', showNames: false, historyDays: 14 });
    const book = "name: a\ntitle: A\ndrivers: ['*']\nconfirmers: ['*']\nsteps: [{ id: s, title: S }]\n";
    const good = dir({ 'planb.yaml': 'status: { title: Acme status, show_names: true, url: "https://status.acme.example/", history_days: 30 }\n', 'runbooks/a.yaml': book });
    expect((await loadConfig({ PLANB_CONFIG: join(good, 'planb.yaml'), PLANB_STATUS_PAGE: 'true' })).statusPage).toEqual({
      title: 'Acme status',
      showNames: true,
      url: 'https://status.acme.example',
      historyDays: 30,
    });
    expect(await problems({ PLANB_STATUS_PAGE: 'yes' })).toEqual(['PLANB_STATUS_PAGE must be true or false, not "yes".']);
    const bad = dir({ 'planb.yaml': 'status: { title: "", url: "ftp://x", history_days: 365, colour: red }\n', 'runbooks/a.yaml': book });
    const found = (await problems({ PLANB_CONFIG: join(bad, 'planb.yaml') })).join('\n');
    for (const key of ['status.title', 'status.url: must be an http(s) URL', 'status.history_days', 'colour']) expect(found).toContain(key);
  });

  it('reads the Redis key prefix, which may not contain ":"', async () => {
    expect((await loadConfig({ PLANB_REDIS_PREFIX: 'team-a.prod_1' })).redisPrefix).toBe('team-a.prod_1');
    expect(await problems({ PLANB_REDIS_PREFIX: 'planb:prod' })).toEqual(['PLANB_REDIS_PREFIX may hold only letters, digits, "-", "_" and "." (no ":"), not "planb:prod".']);
  });

  it('parses a failpoint as name or name@N and warns about it', async () => {
    const once = await loadConfig({ PLANB_FAILPOINT: 'store.append-1' });
    expect(once.failpoint).toEqual({ point: 'store.append-1', hit: 1 });
    expect(once.warnings).toEqual(['PLANB_FAILPOINT is set: this process will SIGKILL itself at hit 1 of "store.append-1". Tests only.']);
    expect((await loadConfig({ PLANB_FAILPOINT: 'relay.deliver@3' })).failpoint).toEqual({ point: 'relay.deliver', hit: 3 });
    for (const text of ['Relay', 'relay@0', 'relay@', '@2', 'relay@two', 'relay@1@2']) {
      expect(await problems({ PLANB_FAILPOINT: text })).toEqual([
        `PLANB_FAILPOINT must be a point name (lower-case letters, digits, dots, dashes), optionally with @N for the Nth hit (N >= 1), not "${text}".`,
      ]);
    }
  });

  it('lists every problem at once and never shows a secret value', async () => {
    const secrets = { SLACK_SIGNING_SECRET: 'sign-hush-1', PLANB_API_TOKEN: 'tok-hush-2', REDIS_URL: 'localhost:6379?password=hush-3', SLACK_API_URL: 'ftp://u:hush-4@x' };
    let message = '';
    try {
      await loadConfig({ ...secrets, PORT: 'eighty', MICROSOFT_APP_ID: 'app', MICROSOFT_APP_TYPE: 'SingleTenant', PLANB_FAILPOINT: 'Boom' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      expect(error.problems.map((problem) => problem.split(' ')[0])).toEqual([
        'PORT',
        'SLACK_API_URL',
        'REDIS_URL',
        'PLANB_API_TOKEN',
        'PLANB_FAILPOINT',
        'SLACK_BOT_TOKEN',
        'MICROSOFT_APP_PASSWORD',
        'MICROSOFT_APP_TENANT_ID',
      ]);
      message = error.message;
    }
    expect(message).toMatch(/^Configuration error:\n {2}PORT /);
    expect(message).not.toMatch(/hush/);
  });

  it('never puts a secret into a warning', async () => {
    const config = await loadConfig({ SLACK_BOT_TOKEN: 'xoxb-hush', SLACK_APP_TOKEN: 'xapp-hush', PLANB_STORE: 'memory', PLANB_API_TOKEN: 'api-token-hush-123', PLANB_FAILPOINT: 'a' });
    expect(config.warnings).toHaveLength(2);
    expect(config.warnings.join('\n')).not.toMatch(/hush/);
  });
});
