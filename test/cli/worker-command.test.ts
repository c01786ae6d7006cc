/** `planb worker` through the real bin: the mistakes it refuses at start, and a clean stop on SIGTERM. */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/console-process.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from '../support/redis.js';

const CONFIG = resolve('test/fixtures/runner-release/planb.yaml');
const ENV = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

const worker = (args: readonly string[], env: Readonly<Record<string, string>>): { status: number | null; stderr: string } => {
  const result = spawnSync(process.execPath, [CLI, 'worker', ...args], { encoding: 'utf8', env: { ...ENV, ...env } });
  return { status: result.status, stderr: result.stderr };
};

describe('planb worker', () => {
  it('needs a runner name, Redis, and a runner its runbooks name', () => {
    expect(worker([], { PLANB_CONFIG: CONFIG })).toMatchObject({ status: 2, stderr: expect.stringContaining('Name the runner: --runner <name>') as unknown });
    expect(worker(['--runner', 'e2e', '--concurrency', 'lots'], { PLANB_CONFIG: CONFIG }).stderr).toContain('--concurrency must be a number from 1 to 99, not "lots".');
    expect(worker(['--runner', 'e2e'], { PLANB_CONFIG: CONFIG })).toMatchObject({ status: 1, stderr: 'planb worker needs REDIS_URL: runners take their work from the same Redis as planb serve.\n' });
    const typo = worker(['--runner', 'prdo'], { PLANB_CONFIG: CONFIG, REDIS_URL: redisUrl() });
    expect(typo.status).toBe(1);
    expect(typo.stderr).toContain('No step of the runbooks in');
    expect(typo.stderr).toContain('runs on runner "prdo". Runners they name: e2e, other.');
  });

  it('reports in while it runs, and on SIGTERM leaves at once and exits 0', async () => {
    const prefix = uniquePrefix('worker-cli');
    const redis = connect();
    try {
      const child = spawn(process.execPath, [CLI, 'worker', '--runner', 'e2e'], {
        env: { ...ENV, PLANB_CONFIG: CONFIG, REDIS_URL: redisUrl(), PLANB_REDIS_PREFIX: prefix, LOG_LEVEL: 'info', SLACK_BOT_TOKEN: 'xoxb-should-not-be-here', SLACK_SIGNING_SECRET: 'secret-not-here' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
      for (const deadline = Date.now() + 15_000; !log.includes('runner is taking work'); await new Promise((wake) => setTimeout(wake, 50))) {
        if (Date.now() > deadline) throw new Error(`did not start:\n${log}`);
      }
      expect(await redis.zcard(`${prefix}:runners:e2e`)).toBe(1);
      expect(log).toContain('does not need them: remove them from the runner host');
      expect(log).not.toContain('xoxb-should-not-be-here');
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await redis.zcard(`${prefix}:runners:e2e`)).toBe(0);
    } finally {
      await dropPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
