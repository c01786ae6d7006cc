/** Environment and planb.yaml → one validated Config. The only reader of process.env. */
import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { isPrincipal } from './domain/principal.js';
import type { Groups } from './domain/principal.js';
import type { Runbook } from './domain/runbook.js';
import { formatIssue, parseYamlWithSchema } from './domain/runbook-yaml.js';
import { loadRunbooks } from './adapters/files/runbook-files.js';

/** The package root: examples/ lives there, whether we run from src/ (tests) or dist/ (npm start). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const EXAMPLE_CONFIG = resolve(PACKAGE_ROOT, 'examples', 'planb.yaml');

const principal = z.string().refine(isPrincipal, { message: 'is not a principal: use slack:U…, teams:<id>, console:<name>, group:<name> or "*"' });

const fileSchema = z.strictObject({
  timezone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), { message: 'is not an IANA time zone such as Europe/Berlin or UTC' })
    .default('UTC'),
  runbooks: z.string().min(1).default('runbooks'),
  groups: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'group names are lower-case letters, digits, dashes and underscores'), z.array(principal)).default({}),
  console: z.strictObject({ user: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i) }).default({ user: 'alice' }),
});

export type Platform = 'slack' | 'teams';

export interface Config {
  /** Chat platforms with credentials in the environment; none means the console. */
  readonly platforms: readonly Platform[];
  readonly store: 'memory' | 'redis';
  readonly redisUrl?: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The planb.yaml that was read, and a note when it was the example one. */
  readonly configFile: string;
  readonly usingExample: boolean;
  readonly timezone: string;
  readonly groups: Groups;
  readonly runbooksDir: string;
  readonly runbooks: readonly Runbook[];
  readonly consoleUser: string;
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

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

const readEnv = (env: Env, problems: string[]): Pick<Config, 'platforms' | 'store' | 'redisUrl' | 'port' | 'logLevel'> => {
  const platforms: Platform[] = [];
  if (set(env['SLACK_BOT_TOKEN']) || set(env['SLACK_APP_TOKEN']) || set(env['SLACK_SIGNING_SECRET'])) platforms.push('slack');
  if (set(env['MICROSOFT_APP_ID']) || env['PLANB_TEAMS_EMULATOR'] === 'true') platforms.push('teams');
  const port = Number(env['PORT'] ?? '3000');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) problems.push(`PORT must be a port number (1-65535), not "${env['PORT'] ?? ''}".`);
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const level = (env['LOG_LEVEL'] ?? 'info').toLowerCase();
  const logLevel = levels.find((candidate) => candidate === level);
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${levels.join(', ')}, not "${env['LOG_LEVEL'] ?? ''}".`);
  const storeVar = env['PLANB_STORE'];
  if (set(storeVar) && storeVar !== 'memory' && storeVar !== 'redis') problems.push(`PLANB_STORE must be memory or redis, not "${storeVar}".`);
  const redisUrl = env['REDIS_URL'];
  if (set(redisUrl) && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://.');
  const store = storeVar === 'memory' || !set(redisUrl) ? 'memory' : 'redis';
  return { platforms, store, ...(set(redisUrl) ? { redisUrl } : {}), port, logLevel: logLevel ?? 'info' };
};

const pickConfigFile = async (env: Env, problems: string[]): Promise<{ file: string; usingExample: boolean } | undefined> => {
  const named = env['PLANB_CONFIG'];
  if (set(named)) {
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
  const fromEnv = readEnv(env, problems);
  const chosen = await pickConfigFile(env, problems);
  if (!chosen) throw new ConfigError(problems);
  const parsed = parseYamlWithSchema(await readFile(chosen.file, 'utf8'), chosen.file, fileSchema);
  if (!parsed.ok) throw new ConfigError([...problems, ...parsed.issues.map(formatIssue)]);
  const file = parsed.value;
  const runbooksDir = resolve(dirname(chosen.file), file.runbooks);
  if (!(await exists(runbooksDir))) problems.push(`${chosen.file}: runbooks: the directory ${runbooksDir} does not exist.`);
  const loaded = problems.length > 0 ? { runbooks: [], issues: [] } : await loadRunbooks(runbooksDir);
  problems.push(...loaded.issues.map(formatIssue));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...fromEnv,
    configFile: chosen.file,
    usingExample: chosen.usingExample,
    timezone: file.timezone,
    groups: file.groups,
    runbooksDir,
    runbooks: loaded.runbooks,
    consoleUser: file.console.user.toLowerCase(),
  };
};
