/** verifyHttp against real local HTTP servers, each on its own port and closed after the test. */
import { createServer } from 'node:http';
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyHttp } from '../../../src/adapters/runner/verify-http.js';

const servers: Server[] = [];

/** A server on 127.0.0.1 and a free port, and the URL of its root. */
const serve = async (handler: RequestListener): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health` };
};

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    // A server that never answers keeps its sockets open; close() alone would wait for them.
    server.closeAllConnections();
    server.close(() => resolve());
  });

afterEach(async () => {
  await Promise.all(servers.splice(0).map(close));
});

/** Answers with each status in turn, then keeps answering with the last one. */
const statuses = (...codes: number[]): { handler: RequestListener; count: () => number } => {
  let requests = 0;
  return {
    handler: (_request, response) => {
      const code = codes[Math.min(requests, codes.length - 1)] ?? 500;
      requests += 1;
      response.writeHead(code).end();
    },
    count: () => requests,
  };
};

describe('verifyHttp', () => {
  it('retries until the expected status comes, then stops', async () => {
    const flaky = statuses(503, 503, 200, 200);
    const { url } = await serve(flaky.handler);
    const result = await verifyHttp({ url, status: 200, withinMs: 5_000 }, { intervalMs: 20 });
    expect(result).toMatchObject({ url, expected: 200, ok: true, status: 200, attempts: 3 });
    expect(result.error).toBeUndefined();
    expect(flaky.count()).toBe(3);
  });

  it('gives up after `within` with the last status seen', async () => {
    const { url } = await serve(statuses(500).handler);
    const result = await verifyHttp({ url, status: 200, withinMs: 600 }, { intervalMs: 100 });
    expect(result).toMatchObject({ ok: false, status: 500 });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(result.durationMs).toBeGreaterThanOrEqual(550);
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('makes one request even when `within` is 0', async () => {
    const { url } = await serve(statuses(500).handler);
    expect(await verifyHttp({ url, status: 200, withinMs: 0 })).toMatchObject({ ok: false, status: 500, attempts: 1 });
  });

  it('says the connection was refused on a closed port', async () => {
    const { server, url } = await serve(statuses(200).handler);
    await close(server);
    const result = await verifyHttp({ url, status: 200, withinMs: 0 });
    expect(result).toMatchObject({ ok: false, error: 'connection refused', attempts: 1 });
    expect(result.status).toBeUndefined();
  });

  it('stops waiting for a server that never answers', async () => {
    const { url } = await serve(() => undefined);
    const result = await verifyHttp({ url, status: 200, withinMs: 0 }, { requestTimeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: 'no answer within 200ms', attempts: 1 });
    expect(result.durationMs).toBeLessThan(2_000);
  });

  it('compares a redirect as it is and never follows it', async () => {
    const target = statuses(200);
    const { url: elsewhere } = await serve(target.handler);
    const { url } = await serve((_request, response) => response.writeHead(302, { location: elsewhere }).end());
    expect(await verifyHttp({ url, status: 302, withinMs: 0 })).toMatchObject({ ok: true, status: 302, attempts: 1 });
    expect(await verifyHttp({ url, status: 200, withinMs: 0 })).toMatchObject({ ok: false, status: 302 });
    expect(target.count()).toBe(0);
  });

  it('does not read the body: a page that never ends still counts by its status', async () => {
    const { url } = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('still going…');
    });
    expect(await verifyHttp({ url, status: 200, withinMs: 0 }, { requestTimeoutMs: 1_000 })).toMatchObject({ ok: true, status: 200 });
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/health', 'not a url'])('refuses %s without a request', async (url) => {
    const requested: unknown[] = [];
    const fetch = (input: unknown): Promise<Response> => {
      requested.push(input);
      return Promise.resolve(new Response(null, { status: 200 }));
    };
    const result = await verifyHttp({ url, status: 200, withinMs: 1_000 }, { fetch });
    expect(result).toMatchObject({ url, expected: 200, ok: false, error: 'only http and https URLs are checked', attempts: 0 });
    expect(requested).toEqual([]);
  });
});
