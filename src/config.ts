/** Environment and planb.yaml → one validated Config. The only reader of process.env. */
import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { isPrincipal } from './domain/principal.js';
import type { Groups } from './domain/principal.js';
import type { Runbook } from './domain/runbook.js';
import { formatIssue, parseYamlWithSchema } from './domain/runbook-yaml.js';
import { decisionSchema, durationSchema, toDecisionPolicy, toUpdatePolicy, updatesSchema } from './domain/runbook-schema.js';
import { parseDuration } from './domain/duration.js';
import type { Freeze } from './domain/freeze.js';
import type { MaintenanceDefaults } from './domain/window/policy.js';
import { DEFAULT_MAINTENANCE } from './domain/window/policy.js';
import type { IncidentDefaults } from './domain/incident/policy.js';
import { loadRunbooks } from './adapters/files/runbook-files.js';
import type { RunTimings } from './app/runs.js';
import { DEFAULT_RUN_TIMINGS } from './app/runs.js';

/** The package root: examples/ lives there, whether we run from src/ (tests) or dist/ (npm start). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXAMPLE_CONFIG = resolve(PACKAGE_ROOT, 'examples', 'planb.yaml');

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const FREEZE_TIME = 'must be a date (2026-12-20) or a date and time (2026-12-20T18:00)';
const isFreezeTime = (text: string): boolean => DateTime.fromISO(text, { zone: 'UTC' }).isValid;

/** A freeze's bounds as instants: a date `from` starts at its midnight, a date `to` holds through that whole day. */
const freezeInstant = (text: string, zone: string, bound: 'from' | 'to'): DateTime => {
  const at = DateTime.fromISO(text, { zone, setZone: false });
  return DATE_ONLY.test(text) && bound === 'to' ? at.plus({ days: 1 }) : at;
};

const principal = z.string().refine(isPrincipal, { message: 'is not a principal: use slack:U…, teams:<id>, console:<name>, group:<name> or "*"' });

const fileSchema = z.strictObject({
  timezone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not an IANA time zone such as Europe/Berlin or UTC' })
    .default('UTC'),
  runbooks: z.string().min(1).default('runbooks'),
  groups: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'group names are lower-case letters, digits, dashes and underscores'), z.array(principal)).default({}),
  console: z.strictObject({ user: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i) }).default({ user: 'alice' }),
  /** Defaults for every incident; a runbook's own settings and the command's arguments come first. */
  incidents: z
    .strictObject({
      escalation: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'is a group name from groups:').optional(),
      stakeholders: z.string().min(1).optional(),
      decision: decisionSchema.optional(),
      updates: updatesSchema.optional(),
    })
    .default({}),
  /** Defaults for maintenance windows; a command's own `in #channel` and `remind=` come first. */
  maintenance: z
    .strictObject({
      channel: z.string().min(1).optional(),
      remind: z.array(durationSchema).optional(),
      ending_soon: durationSchema.optional(),
    })
    .default({}),
  /** How quickly runners answer (`planb worker --runner`): the bot and its runners read the same values. */
  runners: z
    .strictObject({
      heartbeat: durationSchema.optional(),
      offline_after: durationSchema.optional(),
      pickup: durationSchema.optional(),
      output_every: durationSchema.optional(),
    })
    .default({}),
  /** The public status page (`PLANB_STATUS_PAGE=true`): what it is called and what it may show. */
  status: z
    .strictObject({
      title: z.string().trim().min(1).max(100).default('Service status'),
      /** Show who leads each incident (their display name). Off: partners see no people's names. */
      show_names: z.boolean().default(false),
      /** The page's public address, for the feed's absolute links; without it they follow the request's Host. */
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://status.example.com' }).optional(),
      history_days: z.number().int().min(1).max(90).default(14),
    })
    .default({ title: 'Service status', show_names: false, history_days: 14 }),
  /** Change freezes: a date (the whole day) or a date and time, in `timezone` unless it carries an offset. */
  freezes: z
    .array(
      z.strictObject({
        from: z.string().refine(isFreezeTime, { error: FREEZE_TIME }),
        to: z.string().refine(isFreezeTime, { error: FREEZE_TIME }),
        services: z.array(z.string().min(1)).min(1).optional(),
        reason: z.string().min(1).optional(),
      }),
    )
    .default([]),
});

export type Platform = 'slack' | 'teams';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

export interface SlackConfig {
  readonly botToken: string;
  /** Absent in Socket Mode, where Slack does not sign requests to us. */
  readonly signingSecret?: string;
  readonly appToken?: string;
  readonly apiUrl?: string;
}

export interface TeamsConfig {
  /** Absent only with the emulator, which sends unauthenticated activities. */
  readonly appId?: string;
  readonly appPassword?: string;
  readonly tenantId?: string;
  readonly appType?: (typeof APP_TYPES)[number];
  readonly emulator: boolean;
}

export interface StatusPageConfig {
  readonly title: string;
  readonly showNames: boolean;
  /** The public base address (no trailing slash), when configured. */
  readonly url?: string;
  readonly historyDays: number;
}

export interface Config {
  /** Chat platforms with credentials in the environment; none means the console. */
  readonly platforms: readonly Platform[];
  readonly slack?: SlackConfig;
  readonly teams?: TeamsConfig;
  readonly store: 'memory' | 'redis';
  readonly redisUrl?: string;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  readonly redisPrefix: string;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** The JSON API is served only when a token guards it. */
  readonly apiToken?: string;
  /** The iCalendar feed of maintenance windows is served only when its own token guards it. */
  readonly calendarToken?: string;
  /** The public status page, when `PLANB_STATUS_PAGE=true`: its title and options from planb.yaml `status:`. */
  readonly statusPage?: StatusPageConfig;
  /** Test-only: SIGKILL this process the `hit`th time it reaches `point`, to prove recovery. */
  readonly failpoint?: { readonly point: string; readonly hit: number };
  /** Valid but dangerous settings, for the caller to log loudly at start-up. */
  readonly warnings: readonly string[];
  /** The planb.yaml that was read, and a note when it was the example one. */
  readonly configFile: string;
  readonly usingExample: boolean;
  readonly timezone: string;
  readonly groups: Groups;
  readonly runbooksDir: string;
  readonly runbooks: readonly Runbook[];
  readonly consoleUser: string;
  readonly incidents: IncidentDefaults;
  readonly maintenance: MaintenanceDefaults;
  readonly freezes: readonly Freeze[];
  readonly runs: RunTimings;
  /** This process's environment: a runner's actions see PATH, HOME, LANG and what their step names of it. */
  readonly hostEnvironment: Readonly<Record<string, string | undefined>>;
}

/** A configuration mistake, with every problem on its own line naming the variable, key or file. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Configuration error:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const exists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Quotes the offending value: only for variables that never hold a secret. */
const notValue =
  (text: string) =>
  (issue: { readonly input?: unknown }): string =>
    `${text}, not "${String(issue.input)}".`;

const isPort = (text: string): boolean => /^[0-9]{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535;

/** `name` or `name@N`; N is capped at 9 digits so it stays an exact integer. */
const FAILPOINT = /^([a-z0-9][a-z0-9.-]*)(?:@([1-9][0-9]{0,8}))?$/;
const toFailpoint = (text: string): { point: string; hit: number } => {
  const [, point = text, hit = '1'] = FAILPOINT.exec(text) ?? [];
  return { point, hit: Number(hit) };
};

/** Every variable Plan B reads; the messages of token, secret and URL variables never show the value. */
const envSchema = z.object({
  PORT: z.string().refine(isPort, { error: notValue('must be a port number (1-65535)') }).transform(Number).default(3000),
  LOG_LEVEL: z.string().toLowerCase().pipe(z.enum(LOG_LEVELS, { error: notValue(`must be one of ${LOG_LEVELS.join(', ')}`) })).default('info'),
  PLANB_CONFIG: z.string().optional(),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://slack.com/api/.' }).optional(),
  MICROSOFT_APP_ID: z.string().optional(),
  MICROSOFT_APP_PASSWORD: z.string().optional(),
  MICROSOFT_APP_TENANT_ID: z.string().optional(),
  MICROSOFT_APP_TYPE: z.enum(APP_TYPES, { error: notValue(`must be one of ${APP_TYPES.join(', ')}`) }).optional(),
  // Exact words only: a typo such as TRUE must not quietly switch authentication off or on.
  PLANB_TEAMS_EMULATOR: z.enum(['true', 'false'], { error: notValue('must be true or false') }).transform((flag) => flag === 'true').default(false),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must start with redis:// or rediss://.' }).optional(),
  PLANB_STORE: z.enum(['memory', 'redis'], { error: notValue('must be memory or redis') }).optional(),
  // ":" separates key parts: prefix "a:stream" would read deployment "a"'s streams.
  PLANB_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: notValue('may hold only letters, digits, "-", "_" and "." (no ":")') }).default('planb'),
  PLANB_API_TOKEN: z.string().min(16, { error: 'must be at least 16 characters, since it guards the JSON API.' }).optional(),
  PLANB_CALENDAR_TOKEN: z.string().min(16, { error: 'must be at least 16 characters, since it travels in the calendar URL.' }).optional(),
  PLANB_STATUS_PAGE: z.enum(['true', 'false'], { error: notValue('must be true or false') }).transform((flag) => flag === 'true').default(false),
  PLANB_FAILPOINT: z
    .string()
    .regex(FAILPOINT, { error: notValue('must be a point name (lower-case letters, digits, dots, dashes), optionally with @N for the Nth hit (N >= 1)') })
    .transform(toFailpoint)
    .optional(),
});

type Vars = Partial<Record<keyof typeof envSchema.shape, string>>;

/** Every environment variable Plan B reads (deploy manifests are checked against it). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** Blank counts as unset, so a `FOO=` line left in a .env file switches nothing on. */
const present = (env: Env): Vars =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));

const SLACK_VARS = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN'] as const;

/** Decided on the raw values, so the cross-variable rules still run when another variable is malformed. */
const platformsIn = (vars: Vars): Platform[] => [
  ...(SLACK_VARS.some((name) => vars[name] !== undefined) ? (['slack'] as const) : []),
  ...(vars.MICROSOFT_APP_ID !== undefined || vars.PLANB_TEAMS_EMULATOR === 'true' ? (['teams'] as const) : []),
];

const slackRules = (vars: Vars): string[] => {
  const problems: string[] = [];
  if (vars.SLACK_BOT_TOKEN === undefined) problems.push('SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set.');
  if (vars.SLACK_SIGNING_SECRET === undefined && vars.SLACK_APP_TOKEN === undefined) problems.push('SLACK_SIGNING_SECRET is required for Slack over HTTP; set SLACK_APP_TOKEN instead to use Socket Mode.');
  return problems;
};

const teamsRules = (vars: Vars): string[] => {
  const problems: string[] = [];
  // A user-assigned managed identity gets its tokens from Azure, so it has no password.
  if (vars.MICROSOFT_APP_ID !== undefined && vars.MICROSOFT_APP_PASSWORD === undefined && vars.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') {
    problems.push('MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID (unless MICROSOFT_APP_TYPE=UserAssignedMSI).');
  }
  if (vars.MICROSOFT_APP_TYPE === 'SingleTenant' && vars.MICROSOFT_APP_TENANT_ID === undefined) problems.push('MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE=SingleTenant.');
  // Authentication off next to real credentials is a mistake that would accept forged activities.
  if (vars.PLANB_TEAMS_EMULATOR === 'true' && vars.MICROSOFT_APP_ID !== undefined) problems.push('PLANB_TEAMS_EMULATOR=true switches authentication off: it cannot be combined with MICROSOFT_APP_ID. Unset one of them.');
  return problems;
};

const storeRules = (vars: Vars, platforms: readonly Platform[]): string[] => {
  if (vars.REDIS_URL !== undefined) return [];
  if (vars.PLANB_STORE === 'redis') return ['REDIS_URL is required when PLANB_STORE=redis.'];
  if (platforms.length === 0 || vars.PLANB_STORE === 'memory') return [];
  const names = platforms.map((platform) => (platform === 'slack' ? 'Slack' : 'Teams')).join(' and ');
  const verb = platforms.length > 1 ? 'are' : 'is';
  return [`REDIS_URL is required when ${names} ${verb} configured (releases, timers and messages must survive a restart); set PLANB_STORE=memory to run on the embedded store on purpose.`];
};

type EnvPart = Pick<Config, 'platforms' | 'slack' | 'teams' | 'store' | 'redisUrl' | 'redisPrefix' | 'port' | 'logLevel' | 'apiToken' | 'calendarToken' | 'failpoint' | 'warnings'> & { readonly statusPage: boolean };

const readEnv = (vars: Vars, problems: string[]): EnvPart | undefined => {
  const parsed = envSchema.safeParse(vars);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`));
  const platforms = platformsIn(vars);
  const ruled = [...(platforms.includes('slack') ? slackRules(vars) : []), ...teamsRules(vars), ...storeRules(vars, platforms)];
  problems.push(...ruled);
  if (!parsed.success || ruled.length > 0) return undefined;
  const env = parsed.data;
  const warnings: string[] = [];
  if (platforms.length > 0 && env.PLANB_STORE === 'memory') {
    warnings.push(
      'PLANB_STORE=memory with a chat platform configured: releases, timers and pending messages live in this process only. ' +
        'They are LOST on every restart, and replicas do NOT share them. Set REDIS_URL for anything but a trial.',
    );
  }
  if (env.PLANB_TEAMS_EMULATOR) {
    warnings.push('PLANB_TEAMS_EMULATOR=true: /api/messages accepts activities WITHOUT authentication (Bot Framework Emulator, tests). Never expose this process to the internet.');
  }
  if (env.PLANB_FAILPOINT) {
    warnings.push(`PLANB_FAILPOINT is set: this process will SIGKILL itself at hit ${env.PLANB_FAILPOINT.hit} of "${env.PLANB_FAILPOINT.point}". Tests only.`);
  }
  const on = (platform: Platform): boolean => platforms.includes(platform);
  return {
    platforms,
    // The rules above guarantee a bot token whenever Slack is on; the check only narrows the type.
    ...(on('slack') && env.SLACK_BOT_TOKEN !== undefined
      ? { slack: { botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET, appToken: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL } }
      : {}),
    ...(on('teams')
      ? { teams: { appId: env.MICROSOFT_APP_ID, appPassword: env.MICROSOFT_APP_PASSWORD, tenantId: env.MICROSOFT_APP_TENANT_ID, appType: env.MICROSOFT_APP_TYPE, emulator: env.PLANB_TEAMS_EMULATOR } }
      : {}),
    store: env.REDIS_URL !== undefined && env.PLANB_STORE !== 'memory' ? 'redis' : 'memory',
    redisUrl: env.REDIS_URL,
    redisPrefix: env.PLANB_REDIS_PREFIX,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    apiToken: env.PLANB_API_TOKEN,
    calendarToken: env.PLANB_CALENDAR_TOKEN,
    failpoint: env.PLANB_FAILPOINT,
    statusPage: env.PLANB_STATUS_PAGE,
    warnings,
  };
};

const pickConfigFile = async (named: string | undefined, problems: string[]): Promise<{ file: string; usingExample: boolean } | undefined> => {
  if (named !== undefined) {
    const file = resolve(named);
    if (await exists(file)) return { file, usingExample: false };
    problems.push(`PLANB_CONFIG names ${file}, which does not exist.`);
    return undefined;
  }
  const local = resolve('planb.yaml');
  if (await exists(local)) return { file: local, usingExample: false };
  return { file: EXAMPLE_CONFIG, usingExample: true };
};

/**
 * Reads the environment and planb.yaml (with its runbooks); throws ConfigError listing every problem.
 * @example const config = await loadConfig(process.env)
 */
export const loadConfig = async (env: Env = process.env): Promise<Config> => {
  const problems: string[] = [];
  const vars = present(env);
  const fromEnv = readEnv(vars, problems);
  const chosen = await pickConfigFile(vars.PLANB_CONFIG, problems);
  if (!chosen) throw new ConfigError(problems);
  const parsed = parseYamlWithSchema(await readFile(chosen.file, 'utf8'), chosen.file, fileSchema);
  if (!parsed.ok) throw new ConfigError([...problems, ...parsed.issues.map(formatIssue)]);
  const file = parsed.value;
  const runbooksDir = resolve(dirname(chosen.file), file.runbooks);
  if (!(await exists(runbooksDir))) problems.push(`${chosen.file}: runbooks: the directory ${runbooksDir} does not exist.`);
  const loaded = problems.length > 0 ? { runbooks: [], issues: [] } : await loadRunbooks(runbooksDir);
  problems.push(...loaded.issues.map(formatIssue));
  const escalation = file.incidents.escalation;
  if (escalation !== undefined && file.groups[escalation] === undefined) {
    problems.push(`${chosen.file}: incidents.escalation: there is no group "${escalation}" under groups:`);
  }
  const freezes = file.freezes.map((freeze, index): Freeze => {
    const from = freezeInstant(freeze.from, file.timezone, 'from');
    const until = freezeInstant(freeze.to, file.timezone, 'to');
    if (until <= from) problems.push(`${chosen.file}: freezes[${index}]: "to" (${freeze.to}) must be after "from" (${freeze.from}).`);
    return { from: from.toUTC().toISO() ?? '', until: until.toUTC().toISO() ?? '', ...(freeze.services ? { services: freeze.services } : {}), ...(freeze.reason ? { reason: freeze.reason } : {}) };
  });
  const runs = runTimings(file.runners, chosen.file, problems);
  if (problems.length > 0 || !fromEnv) throw new ConfigError(problems);
  const { statusPage: statusOn, ...environment } = fromEnv;
  return {
    ...environment,
    ...(statusOn ? { statusPage: statusPageConfig(file.status) } : {}),
    configFile: chosen.file,
    usingExample: chosen.usingExample,
    timezone: file.timezone,
    groups: file.groups,
    runbooksDir,
    runbooks: loaded.runbooks,
    consoleUser: file.console.user.toLowerCase(),
    incidents: {
      ...(file.incidents.escalation === undefined ? {} : { escalation: file.incidents.escalation }),
      ...(file.incidents.stakeholders === undefined ? {} : { stakeholders: file.incidents.stakeholders }),
      ...(file.incidents.decision === undefined ? {} : { decision: toDecisionPolicy(file.incidents.decision) }),
      ...(file.incidents.updates === undefined ? {} : { updates: toUpdatePolicy(file.incidents.updates) }),
    },
    maintenance: {
      ...(file.maintenance.channel === undefined ? {} : { channel: file.maintenance.channel }),
      remindMs: file.maintenance.remind?.map((text) => parseDuration(text) ?? 0) ?? DEFAULT_MAINTENANCE.remindMs,
      endingSoonMs: file.maintenance.ending_soon === undefined ? DEFAULT_MAINTENANCE.endingSoonMs : (parseDuration(file.maintenance.ending_soon) ?? 0),
    },
    freezes,
    runs,
    hostEnvironment: { ...env },
  };
};

const statusPageConfig = (given: z.output<typeof fileSchema>['status']): StatusPageConfig => ({
  title: given.title,
  showNames: given.show_names,
  ...(given.url === undefined ? {} : { url: given.url.replace(/\/+$/, '') }),
  historyDays: given.history_days,
});

/** planb.yaml `runners:` over the defaults; a runner must be able to miss a heartbeat without being called offline. */
const runTimings = (given: z.output<typeof fileSchema>['runners'], file: string, problems: string[]): RunTimings => {
  const ms = (text: string | undefined, fallback: number): number => (text === undefined ? fallback : (parseDuration(text) ?? fallback));
  const timings: RunTimings = {
    heartbeatMs: ms(given.heartbeat, DEFAULT_RUN_TIMINGS.heartbeatMs),
    offlineAfterMs: ms(given.offline_after, DEFAULT_RUN_TIMINGS.offlineAfterMs),
    pickupMs: ms(given.pickup, DEFAULT_RUN_TIMINGS.pickupMs),
    outputEveryMs: ms(given.output_every, DEFAULT_RUN_TIMINGS.outputEveryMs),
  };
  if (timings.offlineAfterMs < 2 * timings.heartbeatMs) {
    problems.push(`${file}: runners.offline_after must be at least twice runners.heartbeat, so one late heartbeat does not take a runner offline.`);
  }
  return timings;
};
