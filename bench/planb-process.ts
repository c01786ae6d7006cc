/** `planb serve` as a child process for benchmarks and drills: the real bin (dist/cli.js), Slack on a fake Web API. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../test/support/redis-server.js';
import { SIGNING_SECRET } from '../test/support/slack-requests.js';

export const CLI = resolve('dist/cli.js');

/**
 * The Node flags the image runs `planb` with (the Dockerfile's ENTRYPOINT; test/deploy checks they agree), so the
 * benchmarks measure what ships. A 2 MB young generation (Node 20's default is 16 MB) keeps the garbage of a busy
 * minute from growing the heap: about 20 MB less when idle and 100 MB less with a thousand incidents. Not
 * `--heap-growing-percent=15`: it kept a burst of 1,000 updates at 123 MB instead of ~200 MB, but its more frequent
 * full collections put the ack p99 at 1.6–2.7× the bare-Bolt floor (docs/BENCHMARKS.md, "Known limits").
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

export interface PlanbOptions {
  readonly slackApiUrl: string;
  readonly redisUrl: string;
  readonly prefix: string;
  /** planb.yaml; default the Slack tests' team (test/fixtures/slack/planb.yaml). */
  readonly config?: string;
  readonly port?: number;
  /** More variables, or overrides. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags instead of NODE_FLAGS (V8 flags NODE_OPTIONS would refuse), to measure their effect. */
  readonly flags?: readonly string[];
}

export interface PlanbProcess {
  readonly child: ChildProcess;
  readonly base: string;
  readonly port: number;
  /** What it logged on stderr so far. */
  logs(): string;
  /** Resident set size now, in MB, from /proc. */
  rssMb(): number;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once('exit', () => done())));

/** Starts it and resolves once /readyz answers 200. */
export const startPlanb = async (options: PlanbOptions): Promise<PlanbProcess> => {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [...(options.flags ?? NODE_FLAGS), CLI, 'serve'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: options.slackApiUrl,
      REDIS_URL: options.redisUrl,
      PLANB_REDIS_PREFIX: options.prefix,
      PLANB_CONFIG: options.config ?? resolve('test/fixtures/slack/planb.yaml'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (logs = (logs + chunk).slice(-20_000)));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 20_000; !(await fetch(`${base}/readyz`).then((response) => response.ok, () => false)); ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      // Not left running behind the caller's back: it gets no handle to stop it.
      child.kill('SIGKILL');
      throw new Error(`planb serve did not come up:\n${logs}`);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return {
    child,
    base,
    port,
    logs: () => logs,
    rssMb: () => {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8'))?.[1];
      return Number(kb ?? Number.NaN) / 1024;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
    },
  };
};
