/** Real `planb worker --runner <name>` processes for end-to-end tests, started as users start them, and stopped. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { redisUrl } from './redis.js';
import { until } from './until.js';

export interface Runner {
  readonly process: ChildProcess;
  /** Everything it logged so far. */
  readonly log: () => string;
}

export interface RunnerSetup {
  /** Where it runs (the scripts its runbooks name). */
  readonly cwd: string;
  readonly config: string;
  readonly prefix: string;
  /** More environment for the commands it runs. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The runners of one test file: spawned, awaited until they take work, and all killed at the end. */
export const runnerProcesses = (setup: RunnerSetup) => {
  const runners: Runner[] = [];

  /** Spawns it without waiting (for a runner expected to exit at once). */
  const spawnWorker = (name: string, config = setup.config): Runner => {
    const child = spawn(process.execPath, [resolve('dist/cli.js'), 'worker', '--runner', name], {
      cwd: setup.cwd,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], REDIS_URL: redisUrl(), PLANB_REDIS_PREFIX: setup.prefix, PLANB_CONFIG: config, LOG_LEVEL: 'info', ...setup.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const runner = { process: child, log: () => log };
    runners.push(runner);
    return runner;
  };

  /** `planb worker --runner <name>` once it says it is taking work. */
  const startRunner = async (name: string, config = setup.config): Promise<Runner> => {
    const runner = spawnWorker(name, config);
    await until(() => runner.log().includes('runner is taking work') || runner.process.exitCode !== null, 15_000);
    if (runner.process.exitCode !== null) throw new Error(`runner ${name} did not start:\n${runner.log()}`);
    return runner;
  };

  const stopRunner = async (runner: Runner, signal: NodeJS.Signals): Promise<void> => {
    if (runner.process.exitCode !== null || runner.process.signalCode !== null) return;
    const exited = new Promise((done) => runner.process.once('exit', done));
    runner.process.kill(signal);
    await exited;
  };

  return { runners, spawnWorker, startRunner, stopRunner, stopAll: () => Promise.all(runners.map((runner) => stopRunner(runner, 'SIGKILL'))) };
};
