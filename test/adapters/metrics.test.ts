/**
 * /metrics: real workers on a real Redis feed the timer lag and the deliveries by outcome; the HTTP server times
 * each request by kind and gives each a request id; active counts and queue depths are read at scrape time.
 */
import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/app/effects.js';
import type { Conversation, MessageRef } from '../../src/app/ports.js';
import { RateLimitedError } from '../../src/app/ports.js';
import type { Message } from '../../src/app/message.js';
import { startHttpServer } from '../../src/adapters/http/http-server.js';
import { createMetrics, requestKind } from '../../src/adapters/metrics.js';
import { backboneHarness } from '../support/backbones.js';
import { RecordingChat } from '../support/recording-chat.js';
import { until } from '../support/until.js';

const harness = backboneHarness('metrics');
const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

/** Answers the first post with a rate limit, as Slack does with its 429 and Retry-After. */
class RateLimitedOnce extends RecordingChat {
  private limited = false;

  override post(conversation: Conversation, message: Message): Promise<MessageRef> {
    if (!this.limited) {
      this.limited = true;
      return Promise.reject(new RateLimitedError(100));
    }
    return super.post(conversation, message);
  }
}

/** One sample's value from the Prometheus text, e.g. `planb_deliveries_total{platform="console",outcome="delivered"}`. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('metrics', () => {
  it('count timer lag, deliveries by outcome and their retries, from the real workers', async () => {
    const metrics = createMetrics();
    const chat = new RateLimitedOnce();
    const fired: string[] = [];
    const backbone = await harness.start(harness.fresh(), new Map([['console', chat]]), quiet, (payload) => {
      fired.push(payload['kind'] ?? '');
      return Promise.resolve();
    }, metrics);
    const effects: Effect[] = [
      { kind: 'deliver', platform: 'console', conversation: { channel: 'C1' }, message: { key: 'k1', text: ['hello'] } },
      { kind: 'schedule', timer: 't1', at: new Date(Date.now() + 200).toISOString(), payload: { kind: 'tick' } },
    ];
    await backbone.store.append('s', 0, [{ id: 'e1', type: 'x.y', at: new Date().toISOString(), actor: null, data: {} }], effects);
    await until(() => fired.length === 1 && chat.posted.length === 1);
    // The worker counts a delivery once it has recorded it, just after the post itself.
    let text = '';
    for (const deadline = Date.now() + 5_000; sample(text, 'planb_deliveries_total{platform="console",outcome="delivered"}') === undefined && Date.now() < deadline; ) {
      text = await metrics.registry.metrics();
      await new Promise((wake) => setTimeout(wake, 20));
    }
    expect(sample(text, 'planb_timer_lag_seconds_count')).toBe(1);
    expect(sample(text, 'planb_timer_lag_seconds_sum')).toBeLessThan(2);
    expect(sample(text, 'planb_deliveries_total{platform="console",outcome="rate_limited"}')).toBe(1);
    expect(sample(text, 'planb_deliveries_total{platform="console",outcome="delivered"}')).toBe(1);
    expect(sample(text, 'planb_delivery_retries_total{platform="console"}')).toBe(1);
    expect(await backbone.queueDepths()).toEqual({ timers: 0, 'deliveries-console': 0, 'runner-reports': 0 });
  });

  it('are served at /metrics with request times by kind, active counts, queue depths and the process metrics', async () => {
    const metrics = createMetrics({
      active: () => Promise.resolve({ releases: 2, incidents: 1, windows: 0 }),
      queues: () => Promise.resolve({ timers: 3, 'deliveries-slack': 0 }),
    });
    const server = await startHttpServer({ port: 0, host: '127.0.0.1', ready: () => Promise.resolve(true), logger: quiet, metrics });
    try {
      const health = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'lb-1234' } });
      expect(health.headers.get('x-request-id')).toBe('lb-1234');
      const odd = await fetch(`${server.url}/nothing`, { headers: { 'X-Request-Id': 'a b <script>' } });
      expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const response = await fetch(`${server.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(sample(text, 'planb_request_seconds_count{kind="health"}')).toBe(1);
      expect(sample(text, 'planb_request_seconds_count{kind="other"}')).toBe(1);
      expect(sample(text, 'planb_active{kind="release"}')).toBe(2);
      expect(sample(text, 'planb_active{kind="incident"}')).toBe(1);
      expect(sample(text, 'planb_queue_jobs{queue="timers"}')).toBe(3);
      expect(text).toContain('process_resident_memory_bytes');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
    } finally {
      await server.close();
    }
  });

  it('label requests by a fixed set of kinds, never the raw path', () => {
    expect(['/slack/events', '/api/messages', '/api/v1/releases/x', '/readyz', '/calendar.ics', '/status', '/status/feed.atom', '/status.json', '/metrics', '/wp-admin'].map(requestKind)).toEqual([
      'slack',
      'teams',
      'api',
      'health',
      'calendar',
      'status',
      'status',
      'status',
      'metrics',
      'other',
    ]);
  });
});
