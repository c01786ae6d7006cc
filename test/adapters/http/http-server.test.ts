/** The HTTP server over real sockets: health checks, the JSON API on releases the real app ran, the calendar feed, mounted routes. */
import { get as httpGet } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App, Request } from '../../../src/app/app.js';
import { createApp } from '../../../src/app/app.js';
import type { EventStore, Logger } from '../../../src/app/ports.js';
import { windowsCalendar } from '../../../src/app/calendar.js';
import type { ReleaseQueries } from '../../../src/app/release-queries.js';
import { createReleaseQueries } from '../../../src/app/release-queries.js';
import type { WindowQueries } from '../../../src/app/window-queries.js';
import { createWindowQueries } from '../../../src/app/window-queries.js';
import { WINDOWS_STREAM } from '../../../src/app/windows.js';
import type { HttpServer, HttpServerOptions, Route } from '../../../src/adapters/http/http-server.js';
import { startHttpServer } from '../../../src/adapters/http/http-server.js';
import { DirectEffects } from '../../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../../src/adapters/memory/memory-event-store.js';
import { shortName } from '../../../src/domain/principal.js';
import type { Runbook } from '../../../src/domain/runbook.js';
import { alice, bob, groups, runbook } from '../../domain/release/fixtures.js';
import { RecordingChat } from '../../support/recording-chat.js';
import { schedule, storedWindowEvents } from '../../support/window-history.js';

const TOKEN = 's3cret-token-0123456789';
const CALENDAR_TOKEN = 'c4lendar-token-9876543210';
const JSON_TYPE = 'application/json; charset=utf-8';
const search: Runbook = { ...runbook, name: 'search-deploy', title: 'Search release' };

interface Logged {
  readonly level: 'error' | 'warn' | 'info';
  readonly context: Readonly<Record<string, unknown>>;
  readonly message: string;
}

const logged: Logged[] = [];
const logger: Logger = {
  error: (context, message) => logged.push({ level: 'error', context, message }),
  warn: (context, message) => logged.push({ level: 'warn', context, message }),
  info: (context, message) => logged.push({ level: 'info', context, message }),
};

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  logged.length = 0;
});

const serve = async (options: Partial<HttpServerOptions> = {}): Promise<HttpServer> => {
  const server = await startHttpServer({ port: 0, host: '127.0.0.1', ready: () => Promise.resolve(true), logger, ...options });
  servers.push(server);
  return server;
};

const as = (name: string): Request => ({ user: `console:${name}`, conversation: { channel: 'C1' }, platform: 'console' });

/** checkout-deploy-1 at its first step since 14:02, and search-deploy-1 started at 14:07 and awaiting its confirmer. */
const runReleases = async (): Promise<EventStore> => {
  let now = new Date('2026-11-23T14:02:00.000Z');
  const chat = new RecordingChat();
  const scheduler = new InProcessScheduler({ now: () => now }, () => undefined);
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  const store = new MemoryEventStore((list) => effects.run(list));
  let id = 0;
  const app: App = createApp({
    store,
    chat,
    clock: { now: () => now },
    ids: { next: () => `id-${String((id += 1)).padStart(8, '0')}` },
    directory: { displayName: shortName },
    logger,
    config: { groups, runbooks: [runbook, search], timezone: 'Europe/Berlin' },
  });
  await app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob');
  await app.action(as('bob'), 'release_accept', JSON.stringify({ release: 'checkout-deploy-1' }));
  await app.command(as('alice'), '/release check backup snapshot 881');
  await app.command(as('bob'), '/release check rehearsal');
  const startStep = chat.latest('release/checkout-deploy-1/card')?.buttons?.find((button) => button.actionId === 'release_step_start');
  if (!startStep) throw new Error('no start button on the card');
  await app.action(as('alice'), 'release_step_start', startStep.value);
  now = new Date('2026-11-23T14:07:00.000Z');
  await app.command(as('alice'), '/release start search-deploy version=2.0.0 confirmer=@bob');
  // The step's overdue timer is not what these tests are about.
  scheduler.stop();
  return store;
};

/** `token` null sends no Authorization header at all. */
const get = (url: string, token: string | null = TOKEN, init: RequestInit = {}): Promise<Response> =>
  fetch(url, { ...init, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

describe('health checks', () => {
  it('healthz answers ok, uncached, while the process is up', async () => {
    const server = await serve({ ready: () => Promise.resolve(false) });
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(JSON_TYPE);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers HEAD with the headers and no body', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String('{"status":"ok"}'.length));
    expect(await response.text()).toBe('');
  });

  it('readyz is 200 when ready and 503 when not, failing or too slow', async () => {
    const ready = await serve({ ready: () => Promise.resolve(true) });
    const notReady = await serve({ ready: () => Promise.resolve(false) });
    const failing = await serve({ ready: () => Promise.reject(new Error('redis down')) });
    const slow = await serve({ ready: () => new Promise(() => undefined), readyTimeoutMs: 50 });
    const answers = await Promise.all([ready, notReady, failing, slow].map(async (server) => {
      const response = await fetch(`${server.url}/readyz`);
      return [response.status, await response.json()] as const;
    }));
    expect(answers).toEqual([
      [200, { status: 'ready' }],
      [503, { status: 'unavailable' }],
      [503, { status: 'unavailable' }],
      [503, { status: 'unavailable' }],
    ]);
    expect(logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message).sort()).toEqual(['readiness check failed', 'readiness check timed out']);
  });

  it('refuses other methods with the ones it allows', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/readyz`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: 'POST is not allowed here; use GET.' });
  });

  it('answers an unknown path with a JSON 404', async () => {
    const server = await serve();
    const response = await fetch(`${server.url}/nope?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe(JSON_TYPE);
    expect(await response.json()).toEqual({ error: 'There is nothing here; try /healthz, /readyz or /api/v1/releases.' });
  });
});

describe('the JSON API', () => {
  let releases: ReleaseQueries;
  beforeAll(async () => {
    const store = await runReleases();
    releases = createReleaseQueries(store, () => [runbook.name, search.name]);
  });
  const api = (): Promise<HttpServer> => serve({ api: { token: TOKEN, releases } });

  it('is disabled without a token: every /api path is a 404 that says how to enable it', async () => {
    const server = await serve();
    for (const path of ['/api/v1/releases', '/api/v1/releases/checkout-deploy-1', '/api', '/api/other']) {
      const response = await get(`${server.url}${path}`);
      expect([path, response.status, await response.json()]).toEqual([path, 404, { error: 'The JSON API is disabled: set PLANB_API_TOKEN to enable it.' }]);
    }
  });

  it('answers 401 with WWW-Authenticate to no token, a wrong one and one of another length', async () => {
    const server = await api();
    const wrongSameLength = TOKEN.replace(/.$/, 'X');
    const cases: Array<[string | null, string]> = [
      [null, 'Send the API token: Authorization: Bearer <token>.'],
      [wrongSameLength, 'The API token is wrong.'],
      [`${TOKEN}0`, 'The API token is wrong.'],
      ['short', 'The API token is wrong.'],
    ];
    for (const [token, error] of cases) {
      const response = await get(`${server.url}/api/v1/releases`, token);
      expect([response.status, response.headers.get('www-authenticate'), await response.json()]).toEqual([401, 'Bearer', { error }]);
    }
    const basic = await fetch(`${server.url}/api/v1/releases`, { headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    expect(JSON.stringify(logged)).not.toContain(TOKEN.slice(0, 10));
  });

  it('lists releases newest first', async () => {
    const server = await api();
    const response = await get(`${server.url}/api/v1/releases`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(JSON_TYPE);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      releases: [
        { id: 'search-deploy-1', runbook: 'search-deploy', title: 'Search release 2.0.0', status: 'awaiting_confirmer', driver: alice, confirmer: bob, channel: 'C1', startedAt: '2026-11-23T14:07:00.000Z' },
        { id: 'checkout-deploy-1', runbook: 'checkout-deploy', title: 'Checkout release 1.2.3', status: 'running', driver: alice, confirmer: bob, channel: 'C1', startedAt: '2026-11-23T14:02:00.000Z', currentStep: 'drain' },
      ],
    });
  });

  it('shows one release: its state and its events in order, in the public shape', async () => {
    const server = await api();
    const response = await get(`${server.url}/api/v1/releases/checkout-deploy-1`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as Record<string, unknown> & { events: Array<Record<string, unknown>>; steps: Array<Record<string, unknown>> };
    expect(detail['id']).toBe('checkout-deploy-1');
    expect(detail['status']).toBe('running');
    expect(detail['acceptedAt']).toBe('2026-11-23T14:02:00.000Z');
    expect(detail['params']).toEqual({ version: '1.2.3' });
    expect(detail.steps.map((step) => [step['id'], step['status']])).toEqual([['drain', 'started'], ['migrate', 'pending'], ['deploy', 'pending']]);
    expect(detail.events.map((event) => [event['id'], event['type'], event['actor']])).toEqual([
      ['id-00000001', 'release.started', alice],
      ['id-00000002', 'release.confirmer_accepted', bob],
      ['id-00000003', 'release.preflight_checked', alice],
      ['id-00000004', 'release.preflight_checked', bob],
      ['id-00000005', 'release.step_started', alice],
    ]);
    expect(detail.events.map((event) => Object.keys(event).join())).toEqual(Array(5).fill('id,type,at,actor,data'));
    expect(detail.events[2]).toEqual({ id: 'id-00000003', type: 'release.preflight_checked', at: '2026-11-23T14:02:00.000Z', actor: alice, data: { release: 'checkout-deploy-1', item: 'backup', evidence: 'snapshot 881' } });
    expect(detail.events[4]).toEqual({ id: 'id-00000005', type: 'release.step_started', at: '2026-11-23T14:02:00.000Z', actor: alice, data: { release: 'checkout-deploy-1', step: 'drain' } });
  });

  it('answers 404 naming an unknown id, decoded', async () => {
    const server = await api();
    const cases: Array<[string, string]> = [
      ['/api/v1/releases/checkout-deploy-9', 'There is no release checkout-deploy-9.'],
      ['/api/v1/releases/no%20such', 'There is no release no such.'],
      ['/api/v1/incidents/INC-7', 'There is no incident INC-7.'],
      ['/api/v1/incidents/INC-7/postmortem.md', 'There is no incident INC-7.'],
      ['/api/v1/windows/w%2F1', 'There is no window w/1.'],
      ['/api/v1/deploys', 'There is no such API path; see /api/v1/releases.'],
      ['/api/v2/releases', 'There is no such API path; see /api/v1/releases.'],
      ['/api/v1/releases/checkout-deploy-1/events', 'There is no such API path; see /api/v1/releases.'],
    ];
    for (const [path, error] of cases) {
      const response = await get(`${server.url}${path}`);
      expect([path, response.status, response.headers.get('content-type'), await response.json()]).toEqual([path, 404, JSON_TYPE, { error }]);
    }
  });

  it('lists no incidents and no windows yet', async () => {
    const server = await api();
    expect(await (await get(`${server.url}/api/v1/incidents`)).json()).toEqual({ incidents: [] });
    expect(await (await get(`${server.url}/api/v1/windows`)).json()).toEqual({ windows: [] });
  });

  it('answers 405 to writes and 400 to bad percent-encoding', async () => {
    const server = await api();
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await get(`${server.url}/api/v1/releases`, TOKEN, { method });
      expect([method, response.status, response.headers.get('allow')]).toEqual([method, 405, 'GET, HEAD']);
    }
    const bad = await get(`${server.url}/api/v1/releases/%E0%A4%A`);
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'The path is not valid percent-encoding.' }]);
    expect((await get(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers an unexpected failure with a 500 and an error id it logs, nothing more', async () => {
    const broken: ReleaseQueries = { list: () => Promise.reject(new Error('redis exploded at 10.0.0.7')), get: () => Promise.resolve(undefined) };
    const server = await serve({ api: { token: TOKEN, releases: broken } });
    const response = await get(`${server.url}/api/v1/releases`);
    const body = (await response.json()) as { error: string; errorId: string };
    expect(response.status).toBe(500);
    expect(Object.keys(body)).toEqual(['error', 'errorId']);
    expect(body.error).toBe('internal error');
    expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/);
    const errors = logged.filter((entry) => entry.level === 'error');
    expect(errors.map((entry) => [entry.message, entry.context['errorId'], entry.context['path']])).toEqual([['HTTP request failed', body.errorId, '/api/v1/releases']]);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
    expect((await get(`${server.url}/healthz`)).status).toBe(200);
  });
});

const noReleases: ReleaseQueries = { list: () => Promise.resolve([]), get: () => Promise.resolve(undefined) };

/** mw-1 scheduled, moved and cancelled; mw-2 scheduled in between and started: their events interleave on the stream. */
const windowStore = async (): Promise<MemoryEventStore> => {
  const store = new MemoryEventStore();
  await store.append(WINDOWS_STREAM, 0, storedWindowEvents([
    { at: '2026-11-20T09:00:00.000Z', command: schedule('DB upgrade', '2026-11-25T21:00:00.000Z', 7_200_000, { services: ['db'], impact: 'Checkout read-only' }) },
    { at: '2026-11-20T10:00:00.000Z', by: bob, command: schedule('Cache flush', '2026-11-21T06:00:00.000Z', 1_800_000) },
    { at: '2026-11-20T11:00:00.000Z', command: { type: 'reschedule', window: 'mw-1', start: '2026-11-26T21:00:00.000Z' } },
    { at: '2026-11-21T06:00:00.000Z', timer: { type: 'start', window: 'mw-2', start: '2026-11-21T06:00:00.000Z' } },
    { at: '2026-11-22T08:00:00.000Z', command: { type: 'cancel', window: 'mw-1', reason: 'Vendor postponed' } },
  ]));
  return store;
};

describe('the windows API', () => {
  let windows: WindowQueries;
  beforeAll(async () => {
    windows = createWindowQueries(await windowStore());
  });
  const api = (): Promise<HttpServer> => serve({ api: { token: TOKEN, releases: noReleases, windows } });

  it('lists windows newest first', async () => {
    const server = await api();
    const response = await get(`${server.url}/api/v1/windows`);
    expect([response.status, response.headers.get('content-type')]).toEqual([200, JSON_TYPE]);
    expect(await response.json()).toEqual({
      windows: [
        { id: 'mw-2', title: 'Cache flush', status: 'running', start: '2026-11-21T06:00:00.000Z', end: '2026-11-21T06:30:00.000Z', plannedEnd: '2026-11-21T06:30:00.000Z', services: [], contact: bob, scheduledAt: '2026-11-20T10:00:00.000Z', startedAt: '2026-11-21T06:00:00.000Z' },
        {
          id: 'mw-1', title: 'DB upgrade', status: 'cancelled', start: '2026-11-26T21:00:00.000Z', end: '2026-11-26T23:00:00.000Z', plannedEnd: '2026-11-26T23:00:00.000Z', services: ['db'],
          impact: 'Checkout read-only', contact: alice, scheduledAt: '2026-11-20T09:00:00.000Z', endedAt: '2026-11-22T08:00:00.000Z', cancelReason: 'Vendor postponed',
        },
      ],
    });
  });

  it('shows one window with its own events only, in order, in the public shape', async () => {
    const server = await api();
    const detail = (await (await get(`${server.url}/api/v1/windows/mw-1`)).json()) as Record<string, unknown> & { events: Array<Record<string, unknown>> };
    expect([detail['id'], detail['status'], detail['reschedules'], detail['cancelReason']]).toEqual(['mw-1', 'cancelled', 1, 'Vendor postponed']);
    expect(detail.events.map((event) => [event['id'], event['type'], event['actor']])).toEqual([
      ['ev-1', 'window.scheduled', alice],
      ['ev-2', 'window.announced', alice],
      ['ev-5', 'window.rescheduled', alice],
      ['ev-7', 'window.cancelled', alice],
    ]);
    expect(detail.events[3]).toEqual({ id: 'ev-7', type: 'window.cancelled', at: '2026-11-22T08:00:00.000Z', actor: alice, data: { window: 'mw-1', reason: 'Vendor postponed' } });
    const missing = await get(`${server.url}/api/v1/windows/mw-9`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'There is no window mw-9.' }]);
  });
});

describe('the post-mortem draft', () => {
  it('is served as Markdown for an incident the draft source knows, 404 otherwise', async () => {
    const postmortem = (id: string): Promise<string | undefined> => Promise.resolve(id === 'inc-1' ? '# Post-mortem: checkout 500s (inc-1)\n' : undefined);
    const server = await serve({ api: { token: TOKEN, releases: noReleases, postmortem } });
    const found = await get(`${server.url}/api/v1/incidents/inc-1/postmortem.md`);
    expect([found.status, found.headers.get('content-type'), await found.text()]).toEqual([200, 'text/markdown; charset=utf-8', '# Post-mortem: checkout 500s (inc-1)\n']);
    expect((await get(`${server.url}/api/v1/incidents/inc-2/postmortem.md`)).status).toBe(404);
  });
});

describe('the calendar feed', () => {
  let windows: WindowQueries;
  beforeAll(async () => {
    windows = createWindowQueries(await windowStore());
  });
  const feed = (read = async (): Promise<string> => windowsCalendar(await windows.all(), { name: 'Plan B maintenance', now: new Date('2026-11-23T12:00:00.000Z'), zone: 'Europe/Berlin' })) =>
    serve({ calendar: { token: CALENDAR_TOKEN, read } });
  const calendarUrl = (server: HttpServer, token = CALENDAR_TOKEN): string => `${server.url}/calendar.ics?token=${encodeURIComponent(token)}`;

  it('is a 404 that says how to enable it when no token is configured, the JSON API notwithstanding', async () => {
    const server = await serve({ api: { token: TOKEN, releases: noReleases } });
    const response = await fetch(`${server.url}/calendar.ics?token=${CALENDAR_TOKEN}`);
    expect([response.status, await response.json()]).toEqual([404, { error: 'The calendar feed is disabled: set PLANB_CALENDAR_TOKEN to enable it.' }]);
  });

  it('answers 401 to a missing, empty or wrong token, and never to the API token sent as a header', async () => {
    const server = await feed();
    const wrongSameLength = CALENDAR_TOKEN.replace(/.$/, 'X');
    const cases: Array<[string, string]> = [
      ['/calendar.ics', 'Add the calendar token to the URL: /calendar.ics?token=<token>.'],
      ['/calendar.ics?token=', 'Add the calendar token to the URL: /calendar.ics?token=<token>.'],
      [`/calendar.ics?token=${wrongSameLength}`, 'The calendar token is wrong.'],
      [`/calendar.ics?token=${CALENDAR_TOKEN}0`, 'The calendar token is wrong.'],
      [`/calendar.ics?tok=${CALENDAR_TOKEN}`, 'Add the calendar token to the URL: /calendar.ics?token=<token>.'],
    ];
    for (const [path, error] of cases) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status, await response.json()]).toEqual([path, 401, { error }]);
    }
    expect((await get(`${server.url}/calendar.ics`, CALENDAR_TOKEN)).status).toBe(401);
  });

  it('serves the windows as text/calendar with the right token, among other parameters too', async () => {
    const server = await feed();
    for (const url of [calendarUrl(server), `${server.url}/calendar.ics?utm=x&token=${CALENDAR_TOKEN}`]) {
      const response = await fetch(url);
      expect([response.status, response.headers.get('content-type'), response.headers.get('cache-control')]).toEqual([200, 'text/calendar; charset=utf-8', 'no-store']);
      const body = await response.text();
      expect(body.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
      expect(body.match(/^UID:[^\r]*/gm)).toEqual(['UID:mw-1@planb', 'UID:mw-2@planb']);
      expect(body).toContain('SUMMARY:Cancelled: Maintenance: DB upgrade\r\n');
    }
  });

  it('answers HEAD with the GET headers and no body, and refuses writes', async () => {
    const server = await feed();
    const body = await (await fetch(calendarUrl(server))).text();
    const head = await fetch(calendarUrl(server), { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), head.headers.get('content-length')]).toEqual([200, 'text/calendar; charset=utf-8', String(Buffer.byteLength(body))]);
    expect(await head.text()).toBe('');
    const post = await fetch(calendarUrl(server), { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('logs a failure with its path alone: the token in the query never reaches the logs', async () => {
    const server = await feed(() => Promise.reject(new Error('redis exploded')));
    const response = await fetch(calendarUrl(server));
    expect(response.status).toBe(500);
    const errors = logged.filter((entry) => entry.level === 'error');
    expect(errors.map((entry) => [entry.message, entry.context['path']])).toEqual([['HTTP request failed', '/calendar.ics']]);
    expect(JSON.stringify(logged)).not.toContain(CALENDAR_TOKEN);
  });
});

describe('the status page', () => {
  const asked: Array<[string, string]> = [];
  const status = (url?: string): HttpServerOptions['status'] => ({
    ...(url === undefined ? {} : { url }),
    read: (document, baseUrl) => {
      asked.push([document, baseUrl]);
      return Promise.resolve(`${document} at ${baseUrl}`);
    },
  });
  afterEach(() => {
    asked.length = 0;
  });

  it('is a 404 on every path that says how to enable it, when not configured', async () => {
    const server = await serve({ api: { token: TOKEN, releases: noReleases } });
    for (const path of ['/status', '/status/feed.atom', '/status.json', '/status/calendar.ics']) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status, await response.json()]).toEqual([path, 404, { error: 'The status page is disabled: set PLANB_STATUS_PAGE=true to enable it.' }]);
    }
  });

  it('serves each form with its type, no token, and the headers a public page needs', async () => {
    const server = await serve({ status: status('https://status.example.com') });
    const forms: Array<[string, string, string]> = [
      ['/status', 'html', 'text/html; charset=utf-8'],
      ['/status/feed.atom', 'atom', 'application/atom+xml; charset=utf-8'],
      ['/status.json', 'json', 'application/json; charset=utf-8'],
      ['/status/calendar.ics', 'calendar', 'text/calendar; charset=utf-8'],
    ];
    for (const [path, document, type] of forms) {
      const response = await fetch(`${server.url}${path}?utm_source=x`);
      expect([path, response.status, response.headers.get('content-type'), response.headers.get('cache-control'), await response.text()]).toEqual([path, 200, type, 'no-cache', `${document} at https://status.example.com`]);
      // The page runs only its own script and style; the feeds may be read by partners' dashboards on other sites.
      if (document === 'html') {
        expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; script-src 'sha256-[^']+'; connect-src 'self'/);
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      } else {
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
      }
    }
    expect((await fetch(`${server.url}/status`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${server.url}/status/other`)).status).toBe(404);
  });

  it('builds absolute links from the Host the reader used when no address is configured, and only from a sane one', async () => {
    const server = await serve({ status: status() });
    const port = new URL(server.url).port;
    const ask = async (headers: Record<string, string>): Promise<string | undefined> => {
      await new Promise<void>((resolve, reject) => {
        const request = httpGet(`${server.url}/status/feed.atom`, { headers }, (response) => {
          response.resume();
          response.on('end', resolve);
        });
        request.on('error', reject);
      });
      return asked.at(-1)?.[1];
    };
    expect(await ask({ host: 'status.example.com' })).toBe('http://status.example.com');
    expect(await ask({ host: 'status.example.com:8443', 'x-forwarded-proto': 'https' })).toBe('https://status.example.com:8443');
    expect(await ask({ host: '"><script>x</script>' })).toBe(`http://localhost:${port}`);
    expect(await ask({ host: 'a b@evil.example' })).toBe(`http://localhost:${port}`);
  });
});

describe('mounted routes', () => {
  it('hands their exact path to the listener, before the API is considered', async () => {
    const calls: string[] = [];
    const routes = new Map<string, Route>([
      ['/slack/events', (req, res) => {
        calls.push(`${req.method ?? ''} ${req.url ?? ''}`);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('slack');
      }],
      ['/api/messages', (_req, res) => {
        res.writeHead(202).end();
      }],
    ]);
    const server = await serve({ routes });
    const slack = await fetch(`${server.url}/slack/events?retry=1`, { method: 'POST', body: 'payload=x' });
    expect([slack.status, await slack.text()]).toEqual([200, 'slack']);
    expect(calls).toEqual(['POST /slack/events?retry=1']);
    expect((await fetch(`${server.url}/api/messages`, { method: 'POST', body: '{}' })).status).toBe(202);
    expect((await fetch(`${server.url}/slack/events/more`)).status).toBe(404);
  });

  it('turns a listener that throws or rejects into a 500', async () => {
    const routes = new Map<string, Route>([
      ['/throws', () => {
        throw new Error('sync boom');
      }],
      ['/rejects', () => Promise.reject(new Error('async boom'))],
    ]);
    const server = await serve({ routes });
    expect((await fetch(`${server.url}/throws`)).status).toBe(500);
    expect((await fetch(`${server.url}/rejects`)).status).toBe(500);
    expect(logged.filter((entry) => entry.level === 'error')).toHaveLength(2);
  });

  it('close() waits for a request in flight, then refuses new connections', async () => {
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const routes = new Map<string, Route>([
      ['/slow', (_req, res) => {
        arrived();
        setTimeout(() => res.writeHead(200).end('done'), 100);
      }],
    ]);
    const server = await startHttpServer({ port: 0, host: '127.0.0.1', ready: () => Promise.resolve(true), logger, routes });
    const inFlight = fetch(`${server.url}/slow`);
    await arrival;
    const closed = server.close();
    const response = await inFlight;
    expect([response.status, await response.text()]).toEqual([200, 'done']);
    // The client keeps the connection alive: close() must not wait for that to time out.
    const answered = Date.now();
    await closed;
    expect(Date.now() - answered).toBeLessThan(1_000);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
