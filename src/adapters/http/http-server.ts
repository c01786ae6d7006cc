/** The HTTP server of `planb serve`: health checks, the read-only JSON API, the calendar feed, and mount points for the chat platforms. */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../app/ports.js';
import type { IncidentQueries } from '../../app/incident-queries.js';
import type { ReleaseQueries } from '../../app/release-queries.js';
import type { WindowQueries } from '../../app/window-queries.js';
import type { StatusDocument } from '../../app/status-page.js';
import { STATUS_CSP, STATUS_PATHS, STATUS_TYPES } from '../../app/status-page.js';
import type { Metrics } from '../metrics.js';
import { requestKind } from '../metrics.js';

/** A Node request listener mounted at an exact path, as the Slack and Teams adapters provide. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServerOptions {
  readonly port: number;
  /** Default `0.0.0.0`: in a container the probes and the platforms come from outside. */
  readonly host?: string;
  /** Whether the process can serve: its store reachable, its workers started. */
  readonly ready: () => Promise<boolean>;
  /** After this long an unanswered readiness check counts as not ready. Default 2 s. */
  readonly readyTimeoutMs?: number;
  /** The JSON API, enabled only with a token. */
  readonly api?: {
    readonly token: string;
    readonly releases: ReleaseQueries;
    readonly incidents?: IncidentQueries;
    readonly windows?: WindowQueries;
    /** The post-mortem draft of an incident, as Markdown. */
    readonly postmortem?: (incident: string) => Promise<string | undefined>;
  };
  /** The iCalendar feed of maintenance windows at `/calendar.ics?token=…`, enabled only with its own token. */
  readonly calendar?: { readonly token: string; read(): Promise<string> };
  /** The public status page and its feeds (`/status`, `/status/feed.atom`, `/status.json`, `/status/calendar.ics`): no token. */
  readonly status?: {
    /** The page's public address, for the Atom feed's absolute links; without it they follow the request. */
    readonly url?: string;
    read(document: StatusDocument, baseUrl: string): Promise<string>;
  };
  readonly logger: Logger;
  /** Exact paths (`/slack/events`, `/api/messages`) handed to a platform adapter before anything else is matched. */
  readonly routes?: ReadonlyMap<string, Route>;
  /** Served at `/metrics` (Prometheus text format), and fed with every request's time to answer. */
  readonly metrics?: Metrics;
}

export interface HttpServer {
  /** The bound address, e.g. `http://127.0.0.1:49152`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections; resolves once the requests in flight have been answered. */
  close(): Promise<void>;
}

/** One kind of thing the API lists. */
interface Collection {
  /** Singular, for messages: `There is no release x.` */
  readonly noun: string;
  list(): Promise<readonly unknown[]>;
  get(id: string): Promise<unknown>;
  /** Text documents below an item: `/incidents/:id/postmortem.md`. */
  readonly documents?: Readonly<Record<string, { readonly type: string; read(id: string): Promise<string | undefined> }>>;
}

const nothing = (): Promise<undefined> => Promise.resolve(undefined);
const none = (): Promise<readonly unknown[]> => Promise.resolve([]);

const collectionsFor = (api: NonNullable<HttpServerOptions['api']>): ReadonlyMap<string, Collection> => {
  const { releases, incidents, windows } = api;
  return new Map<string, Collection>([
    ['releases', { noun: 'release', list: () => releases.list(), get: (id) => releases.get(id) }],
    [
      'incidents',
      {
        noun: 'incident',
        list: incidents ? () => incidents.list() : none,
        get: incidents ? (id) => incidents.get(id) : nothing,
        documents: { 'postmortem.md': { type: 'text/markdown; charset=utf-8', read: api.postmortem ?? nothing } },
      },
    ],
    ['windows', { noun: 'window', list: windows ? () => windows.list() : none, get: windows ? (id) => windows.get(id) : nothing }],
  ]);
};

const READ_METHODS = ['GET', 'HEAD'];
const DISABLED = 'The JSON API is disabled: set PLANB_API_TOKEN to enable it.';
const CALENDAR_PATH = '/calendar.ics';
const CALENDAR_DISABLED = 'The calendar feed is disabled: set PLANB_CALENDAR_TOKEN to enable it.';
const STATUS_DISABLED = 'The status page is disabled: set PLANB_STATUS_PAGE=true to enable it.';
const STATUS_DOCUMENTS: ReadonlyMap<string, StatusDocument> = new Map(Object.entries(STATUS_PATHS).map(([document, path]) => [path, document as StatusDocument]));

/**
 * Public, so shareable: the feeds may be read from other sites' pages (partners' dashboards); the page may be
 * cached briefly by the browser but must be revalidated, since it changes by the minute.
 */
const statusHeaders = (document: StatusDocument): Readonly<Record<string, string>> =>
  document === 'html'
    ? { 'Cache-Control': 'no-cache', 'Content-Security-Policy': STATUS_CSP, 'Referrer-Policy': 'no-referrer' }
    : { 'Cache-Control': 'no-cache', 'Access-Control-Allow-Origin': '*' };

/** The address the reader used, when no public one is configured: a Host that is a plain host name or address only. */
const requestBase = (req: IncomingMessage, fallback: string): string => {
  const host = req.headers.host ?? '';
  if (!/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) return fallback;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
};

/** A client's mistake, answered with its status and message instead of a 500. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}

const send = (res: ServerResponse, status: number, type: string, body: string, headers: Readonly<Record<string, string>> = {}): void => {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    // Release states change by the second; a cached answer would show a finished step as pending.
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  // Node sends no body to a HEAD request, but keeps the Content-Length of the GET.
  res.end(body);
};

const sendJson = (res: ServerResponse, status: number, body: unknown, headers?: Readonly<Record<string, string>>): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);

/** The path without query or fragment, still percent-encoded: ids are decoded one segment at a time. */
const pathOf = (url: string | undefined): string => (url ?? '/').split(/[?#]/, 1)[0] ?? '/';

const decode = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequest(400, 'The path is not valid percent-encoding.');
  }
};

const requireRead = (req: IncomingMessage): void => {
  if (!READ_METHODS.includes(req.method ?? '')) throw new BadRequest(405, `${req.method ?? 'That method'} is not allowed here; use GET.`, { Allow: READ_METHODS.join(', ') });
};

/** Constant time on equal lengths; a different length is wrong anyway, and lengths are not the secret. */
const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
};

const requireToken = (req: IncomingMessage, token: string): void => {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) throw new BadRequest(401, 'Send the API token: Authorization: Bearer <token>.', { 'WWW-Authenticate': 'Bearer' });
  if (!sameToken(match[1], token)) throw new BadRequest(401, 'The API token is wrong.', { 'WWW-Authenticate': 'Bearer' });
};

/**
 * Calendar clients can send no header, so the feed's token travels in the query string: `?token=…`. The query is
 * never logged (`failed` logs the path alone), and errors do not repeat it.
 */
const requireQueryToken = (url: string | undefined, token: string): void => {
  const query = url?.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const given = new URLSearchParams(query).get('token');
  if (!given) throw new BadRequest(401, 'Add the calendar token to the URL: /calendar.ics?token=<token>.');
  if (!sameToken(given, token)) throw new BadRequest(401, 'The calendar token is wrong.');
};

/** `ready()` false, failing or slower than `timeoutMs` all mean: send no traffic here yet. */
const checkReady = async (ready: () => Promise<boolean>, timeoutMs: number, logger: Logger): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  try {
    const answer = await Promise.race([ready(), late]);
    if (answer === 'late') logger.warn({ timeoutMs }, 'readiness check timed out');
    return answer === true;
  } catch (error) {
    logger.warn({ err: error }, 'readiness check failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
};

/** Answers `/api/...` for a caller whose token has been checked. */
const answerApi = async (req: IncomingMessage, res: ServerResponse, path: string, collections: ReadonlyMap<string, Collection>): Promise<void> => {
  requireRead(req);
  const [version, name, rawId, document, ...rest] = path.split('/').slice(2);
  const collection = version === 'v1' && name !== undefined ? collections.get(name) : undefined;
  if (collection === undefined || rawId === '' || document === '' || rest.length > 0) throw new BadRequest(404, 'There is no such API path; see /api/v1/releases.');
  if (rawId === undefined) {
    sendJson(res, 200, { [name ?? '']: await collection.list() });
    return;
  }
  const id = decode(rawId);
  const missing = `There is no ${collection.noun} ${id}.`;
  if (document === undefined) {
    const item = await collection.get(id);
    if (item === undefined) throw new BadRequest(404, missing);
    sendJson(res, 200, item);
    return;
  }
  const reader = collection.documents?.[decode(document)];
  if (reader === undefined) throw new BadRequest(404, 'There is no such API path; see /api/v1/releases.');
  const text = await reader.read(id);
  if (text === undefined) throw new BadRequest(404, missing);
  send(res, 200, reader.type, text);
};

export const startHttpServer = async (options: HttpServerOptions): Promise<HttpServer> => {
  const { logger, ready, routes } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
  const api = options.api && { token: options.api.token, collections: collectionsFor(options.api) };
  const { calendar, status } = options;
  let closing = false;
  let ownUrl = 'http://localhost';

  const failed = (req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void => {
    if (error instanceof BadRequest) {
      if (!res.headersSent) sendJson(res, error.status, { error: error.message }, error.headers);
      return;
    }
    const errorId = randomUUID();
    // Method and path only: headers carry the API token and the platforms' signatures.
    logger.error({ err: error, errorId, requestId: res.getHeader('X-Request-Id'), method: req.method, path }, 'HTTP request failed');
    if (res.headersSent) res.destroy();
    else sendJson(res, 500, { error: 'internal error', errorId });
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === '/healthz') {
      requireRead(req);
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      requireRead(req);
      if (await checkReady(ready, readyTimeoutMs, logger)) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'unavailable' });
    } else if (path === '/metrics' && options.metrics) {
      requireRead(req);
      send(res, 200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
    } else if (path === CALENDAR_PATH) {
      if (calendar === undefined) throw new BadRequest(404, CALENDAR_DISABLED);
      requireRead(req);
      requireQueryToken(req.url, calendar.token);
      send(res, 200, 'text/calendar; charset=utf-8', await calendar.read());
    } else if (STATUS_DOCUMENTS.has(path)) {
      const document = STATUS_DOCUMENTS.get(path) ?? 'html';
      if (status === undefined) throw new BadRequest(404, STATUS_DISABLED);
      requireRead(req);
      send(res, 200, STATUS_TYPES[document], await status.read(document, status.url ?? requestBase(req, ownUrl)), statusHeaders(document));
    } else if (path === '/api' || path.startsWith('/api/')) {
      if (api === undefined) throw new BadRequest(404, DISABLED);
      requireToken(req, api.token);
      await answerApi(req, res, path, api.collections);
    } else {
      throw new BadRequest(404, 'There is nothing here; try /healthz, /readyz or /api/v1/releases.');
    }
  };

  const server = createServer((req, res) => {
    const path = pathOf(req.url);
    const started = performance.now();
    // A request id for the logs and the caller: the load balancer's, when it sent a sane one, else ours.
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      options.metrics?.requestSeconds.observe({ kind: requestKind(path) }, (performance.now() - started) / 1000);
      // Keep-alive connections that go idle after close() began would otherwise hold it open until they time out.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    try {
      const route = routes?.get(path);
      // A platform adapter may hand us an async listener: its rejection must not become an unhandled one.
      const result: unknown = route ? route(req, res) : answer(req, res, path);
      if (result instanceof Promise) result.catch((error: unknown) => failed(req, res, path, error));
    } catch (error) {
      failed(req, res, path, error);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Once listening, a socket error concerns one connection; Node answers malformed requests with a 400 itself.
  server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));

  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  ownUrl = `http://localhost:${address.port}`;
  logger.info({ url, api: api !== undefined, calendar: calendar !== undefined, status: status !== undefined }, 'HTTP server listening');

  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing = true;
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
};
