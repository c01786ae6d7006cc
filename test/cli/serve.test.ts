/** `planb serve` as a real process on a real Redis: health, readiness while Redis comes and goes, the JSON API, SIGTERM. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ConsoleProcess } from '../support/console-process.js';
import type { RedisServer } from '../support/redis-server.js';
import { freePort, startRedisServer } from '../support/redis-server.js';

const TOKEN = 'a-test-token-of-sufficient-length';
const dir = mkdtempSync(join(tmpdir(), 'planb-serve-'));
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string, token?: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? (JSON.parse(text) as unknown) : text };
};

const eventually = async <T>(probe: () => Promise<T>, accept: (value: T) => boolean, ms = 10_000): Promise<T> => {
  let last = await probe().catch(() => undefined);
  for (const deadline = Date.now() + ms; last === undefined || !accept(last); ) {
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(last)}`);
    await new Promise((wake) => setTimeout(wake, 100));
    last = await probe().catch(() => undefined);
  }
  return last;
};

describe('planb serve', () => {
  it('answers health and readiness as Redis goes away and comes back, serves the API only with the token, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    // Its own Redis, with AOF, so the test can stop and restart it with the data intact.
    let redis: RedisServer = await startRedisServer({ appendonly: true, dir });
    cleanup.push(() => redis.stop());
    const port = await freePort();
    const env = {
      PATH: process.env['PATH'] ?? '',
      REDIS_URL: redis.url,
      PLANB_REDIS_PREFIX: 'serve',
      PLANB_CONFIG: resolve('test/fixtures/drill/planb.yaml'),
      PLANB_API_TOKEN: TOKEN,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const server: ChildProcess = spawn(process.execPath, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((done) => server.on('exit', done));
    cleanup.push(async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    });
    const base = `http://127.0.0.1:${port}`;

    expect((await eventually(() => get(`${base}/healthz`), (r) => r.status === 200)).body).toEqual({ status: 'ok' });
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });

    // A release made from a console on the same Redis shows in the server's API.
    const console = new ConsoleProcess({ REDIS_URL: redis.url, PLANB_REDIS_PREFIX: 'serve', PLANB_CONFIG: resolve('test/fixtures/drill/planb.yaml') });
    await console.send('/release start drill version=1.0.0 confirmer=@bob');
    await console.send('/as bob');
    await console.press('Accept');
    await console.send('/release trouble drill-1 logins fail after step one');
    expect(await console.end()).toBe(0);

    expect((await get(`${base}/api/v1/releases`)).status).toBe(401);
    expect((await get(`${base}/api/v1/releases`, 'wrong-token-of-some-length')).status).toBe(401);
    const list = await get(`${base}/api/v1/releases`, TOKEN);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ releases: [{ id: 'drill-1', runbook: 'drill', status: 'running', driver: 'console:alice', confirmer: 'console:bob', currentStep: 'one' }] });
    const detail = await get(`${base}/api/v1/releases/drill-1`, TOKEN);
    expect(detail.status).toBe(200);
    const events = (detail.body as { events: { type: string; actor: string | null }[] }).events;
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['release.started', 'console:alice'],
      ['release.confirmer_accepted', 'console:bob'],
    ]);

    const incidents = await get(`${base}/api/v1/incidents`, TOKEN);
    expect(incidents.body).toMatchObject({ incidents: [{ id: 'inc-1', title: 'logins fail after step one', status: 'open', lead: 'console:bob', release: 'drill-1', severity: 2 }] });
    const incident = await get(`${base}/api/v1/incidents/inc-1`, TOKEN);
    expect((incident.body as { events: { type: string }[] }).events.map((event) => event.type)).toEqual(['incident.declared', 'incident.timer_started']);
    expect((await get(`${base}/api/v1/incidents/inc-2`, TOKEN)).status).toBe(404);

    // Redis gone: still alive, no longer ready.
    await redis.stop();
    expect((await eventually(() => get(`${base}/readyz`), (r) => r.status === 503)).body).toEqual({ status: 'unavailable' });
    expect((await get(`${base}/healthz`)).status).toBe(200);

    // Redis back on the same port with its AOF: ready again, and nothing was lost.
    redis = await startRedisServer({ appendonly: true, dir, port: redis.port });
    await eventually(() => get(`${base}/readyz`), (r) => r.status === 200, 20_000);
    expect((await get(`${base}/api/v1/releases/drill-1`, TOKEN)).body).toMatchObject({ status: 'running' });

    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).not.toContain(TOKEN);
  });
});
