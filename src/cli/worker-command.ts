/** `planb worker --runner <name> [--concurrency <n>]`: runs the automated steps of runner `name` on this host. */
import { createLogger } from '../adapters/logger.js';
import { startRunnerWorker } from '../adapters/runner/runner-worker.js';
import type { Config } from '../config.js';
import { runnersOf } from '../domain/environment.js';
import type { CliIo } from './runbook-command.js';

const USAGE = 'Usage: planb worker --runner <name> [--concurrency <n>]   run the automated steps of runner <name> on this host (needs REDIS_URL)';

interface WorkerArgs {
  readonly runner: string;
  readonly concurrency: number;
}

const parseArgs = (args: readonly string[]): WorkerArgs | string => {
  let runner: string | undefined;
  let concurrency = 1;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) return `${flag ?? ''} needs a value.`;
    if (flag === '--runner') runner = value;
    else if (flag === '--concurrency' && /^[1-9][0-9]?$/.test(value)) concurrency = Number(value);
    else if (flag === '--concurrency') return `--concurrency must be a number from 1 to 99, not "${value}".`;
    else return `Unknown option "${flag ?? ''}".`;
  }
  if (runner === undefined) return 'Name the runner: --runner <name> (the `runner:` of the steps this host runs).';
  return { runner, concurrency };
};

/** The runners the configured runbooks name, so a typo in --runner is caught at start, not by a silent queue. */
const runnersIn = (config: Config): string[] => [...new Set(config.runbooks.flatMap(runnersOf))].sort();

/**
 * Starts the runner and resolves once `stopped` resolves (SIGTERM/SIGINT in the CLI) and the work in hand has ended.
 * @returns the process exit code
 */
export const runWorkerCommand = async (args: readonly string[], config: Config, io: CliIo, stopped: Promise<void>): Promise<number> => {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`${parsed}\n${USAGE}`);
    return 2;
  }
  if (config.redisUrl === undefined) {
    io.err('planb worker needs REDIS_URL: runners take their work from the same Redis as planb serve.');
    return 1;
  }
  const known = runnersIn(config);
  if (!known.includes(parsed.runner)) {
    io.err(`No step of the runbooks in ${config.runbooksDir} runs on runner "${parsed.runner}". ${known.length > 0 ? `Runners they name: ${known.join(', ')}.` : 'None of them has a run: step.'}`);
    return 1;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn({}, warning);
  if (config.platforms.length > 0) {
    logger.warn({ platforms: config.platforms }, 'This runner has chat credentials in its environment, and does not need them: remove them from the runner host.');
  }
  const worker = await startRunnerWorker({
    name: parsed.runner,
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    runbooks: config.runbooks,
    timings: config.runs,
    logger,
    environment: config.hostEnvironment,
    cwd: process.cwd(),
    concurrency: parsed.concurrency,
  });
  await stopped;
  logger.info({ runner: parsed.runner }, 'stopping: finishing the run in hand, taking no new one');
  await worker.close();
  return 0;
};
