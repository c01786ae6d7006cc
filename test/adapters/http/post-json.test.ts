/** postJson against real local servers: the body and status, a deadline, and no other schemes. */
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson } from '../../../src/adapters/http/post-json.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

const serve = async (answer: (body: string, res: ServerResponse) => void): Promise<string> => {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => answer(`${req.method ?? ''} ${String(req.headers['content-type'])} ${body}`, res));
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/response/1`;
};

describe('postJson', () => {
  it('posts the JSON and resolves with the status, over a kept-alive connection', async () => {
    const seen: string[] = [];
    const url = await serve((body, res) => {
      seen.push(body);
      res.writeHead(seen.length === 1 ? 200 : 404).end('ok');
    });
    expect(await postJson(url, { text: 'héllo' }, 2_000)).toBe(200);
    expect(await postJson(url, { text: 'again' }, 2_000)).toBe(404);
    expect(seen).toEqual(['POST application/json; charset=utf-8 {"text":"héllo"}', 'POST application/json; charset=utf-8 {"text":"again"}']);
  });

  it('gives up after its deadline, and refuses a scheme other than http(s)', async () => {
    const url = await serve(() => undefined);
    await expect(postJson(url, {}, 200)).rejects.toThrow('no answer within 200 ms');
    await expect(postJson('file:///etc/passwd', {}, 200)).rejects.toThrow('file: is not http(s)');
  });
});
