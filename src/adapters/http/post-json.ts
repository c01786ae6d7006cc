/**
 * A JSON POST over Node's own HTTP client with kept-alive connections and a deadline: for Slack's response_url,
 * where the global fetch cost as much CPU per reply as the command itself, and had no deadline at all.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;

/**
 * Resolves with the answer's status once its body has been read; rejects on a network error or after `timeoutMs`.
 * @example const status = await postJson(responseUrl, { text: 'Done' }, 10_000)
 */
export const postJson = (url: string, body: unknown, timeoutMs: number): Promise<number> =>
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
      { method: 'POST', agent: agents[target.protocol], timeout: timeoutMs, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': payload.length } },
      (response) => {
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.resume();
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
