/**
 * A JSON POST over Node's own HTTP client with kept-alive connections and a deadline: for Slack's response_url,
 * where the global fetch cost as much CPU per reply as the command itself, and had no deadline at all, and for the
 * Web API methods every delivery calls (the SDK's client allocates a fifth of all a busy minute allocates).
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;

/** What came back: the status, the headers and the body as text. */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * POSTs `body` as JSON (with `headers` besides the content type) and resolves with the whole answer; rejects on a
 * network error or after `timeoutMs`.
 * @example const { status, body } = await exchangeJson(url, { channel: 'C1' }, 10_000, { Authorization: 'Bearer …' })
 */
export const exchangeJson = (url: string, body: unknown, timeoutMs: number, headers: Readonly<Record<string, string>> = {}): Promise<JsonAnswer> =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new Error(`${target.protocol} is not http(s)`));
      return;
    }
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      { method: 'POST', agent: agents[target.protocol], timeout: timeoutMs, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': payload.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });

/**
 * Resolves with the answer's status once its body has been read; rejects on a network error or after `timeoutMs`.
 * @example const status = await postJson(responseUrl, { text: 'Done' }, 10_000)
 */
export const postJson = async (url: string, body: unknown, timeoutMs: number): Promise<number> => (await exchangeJson(url, body, timeoutMs)).status;
