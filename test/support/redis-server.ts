/** A real redis-server for tests, on a free port, or the one REDIS_URL names (never flushed: tests use their own prefix). */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it and removes its data directory (unless the caller chose it). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: only what `appendfsync` already wrote survives; the data directory stays, to start again on. */
  kill(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const waitForPing = async (url: string, child: ChildProcess, log: () => string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${log()}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // Not listening yet.
    } finally {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s:\n${log()}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
};

/** Starts `redis-server` as production should run it: noeviction, and AOF when `appendonly` (for restart drills). */
export const startRedisServer = async (options: { appendonly?: boolean; port?: number; dir?: string } = {}): Promise<RedisServer> => {
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'planb-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--maxmemory-policy', 'noeviction'];
  args.push(...(options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const missing = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (${error.message}): install it (Debian: apt-get install -y redis-server) or set REDIS_URL`)),
    ),
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForPing(url, child, () => output), missing]);
  const end = async (signal: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill(signal);
    await exited;
  };
  return {
    url,
    port,
    stop: async () => {
      await end('SIGTERM');
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
  };
};
