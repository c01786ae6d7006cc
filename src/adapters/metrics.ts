/**
 * Prometheus metrics on `/metrics` (prom-client): how fast requests are answered, how late timers fire, what becomes
 * of deliveries, what is active and what waits in the queues, plus the default process metrics. One registry per
 * process (not prom-client's global one), so tests and several servers in one process never mix their figures.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where a request went: `slack`, `teams`, `api`, `health`, `calendar`, `metrics` or `other`. */
export type RequestKind = 'slack' | 'teams' | 'api' | 'health' | 'calendar' | 'status' | 'metrics' | 'other';

/** What became of one delivery job run (a message posted or edited, a duplicate skipped, a retry…). */
export type DeliveryOutcome = 'delivered' | 'recovered' | 'duplicate' | 'skipped' | 'dropped' | 'rate_limited' | 'waiting_turn' | 'failed';

export interface Metrics {
  readonly registry: Registry;
  /** Seconds from a request's arrival to its answer: for Slack and Teams, the ack the platform waits for. */
  readonly requestSeconds: Histogram<'kind'>;
  /** Seconds between when a timer was due and when it fired. */
  readonly timerLagSeconds: Histogram;
  readonly deliveries: Counter<'platform' | 'outcome'>;
  /** Delivery jobs run again after a failure or a rate limit (BullMQ attempts beyond the first). */
  readonly deliveryRetries: Counter<'platform'>;
}

/** Active aggregates and queue depths are read when Prometheus scrapes, not kept up to date on every change. */
export interface MetricSources {
  readonly active?: () => Promise<{ readonly releases: number; readonly incidents: number; readonly windows: number }>;
  /** Jobs waiting or delayed per queue name. */
  readonly queues?: () => Promise<Readonly<Record<string, number>>>;
}

export const createMetrics = (sources: MetricSources = {}): Metrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const active = sources.active;
  const queues = sources.queues;
  if (active) {
    new Gauge({
      name: 'planb_active',
      help: 'Releases, incidents and maintenance windows not yet over',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        const counts = await active();
        this.set({ kind: 'release' }, counts.releases);
        this.set({ kind: 'incident' }, counts.incidents);
        this.set({ kind: 'window' }, counts.windows);
      },
    });
  }
  if (queues) {
    new Gauge({
      name: 'planb_queue_jobs',
      help: 'BullMQ jobs waiting or delayed, per queue',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [queue, count] of Object.entries(await queues())) this.set({ queue }, count);
      },
    });
  }
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'planb_request_seconds',
      help: 'Seconds from a request arriving to its answer (the ack, for Slack and Teams), by kind',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3, 5],
      registers: [registry],
    }),
    timerLagSeconds: new Histogram({
      name: 'planb_timer_lag_seconds',
      help: 'Seconds a timer fired after it was due',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    deliveries: new Counter({ name: 'planb_deliveries_total', help: 'Delivery job runs by platform and outcome', labelNames: ['platform', 'outcome'], registers: [registry] }),
    deliveryRetries: new Counter({ name: 'planb_delivery_retries_total', help: 'Delivery jobs run again after a failure or a rate limit', labelNames: ['platform'], registers: [registry] }),
  };
};

/** The kind of a request by its path, for the request histogram: a small fixed set, never the raw path. */
export const requestKind = (path: string): RequestKind => {
  if (path.startsWith('/slack/')) return 'slack';
  if (path === '/api/messages') return 'teams';
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (path === '/healthz' || path === '/readyz') return 'health';
  if (path === '/calendar.ics') return 'calendar';
  if (path === '/status' || path === '/status.json' || path.startsWith('/status/')) return 'status';
  return path === '/metrics' ? 'metrics' : 'other';
};
