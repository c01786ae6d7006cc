/**
 * A local stand-in for Slack's Web API (point SLACK_API_URL at `apiUrl`) and for response_url endpoints:
 * records every call, answers like Slack does, and fails the calls a test asks it to fail.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  readonly method: string;
  /** Form fields, with JSON fields (blocks, view, attachments) parsed. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly token?: string;
  readonly at: number;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  readonly reply?: Readonly<Record<string, unknown>>;
}

/** What the next matching call gets instead of success. */
export type Failure = { readonly status: 429; readonly retryAfter: number } | { readonly status: 500 } | { readonly error: string };

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const parseArgs = (body: string, type: string | undefined): Record<string, unknown> => {
  if (type?.startsWith('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) args[key] = JSON_FIELDS.has(key) ? (JSON.parse(value) as unknown) : value;
  return args;
};

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** What was POSTed to response_url paths (`/response/<id>`), by id. */
  readonly responses: { readonly id: string; readonly body: Record<string, unknown> }[] = [];
  private readonly failures: { method: string; failure: Failure }[] = [];
  /** What `apps.connections.open` hands out: a Socket Mode test points this at its fake WebSocket server. */
  socketUrl: string | undefined;
  private ts = 1_700_000_000;
  private server: Server | undefined;
  private base = '';

  /** The Web API base URL, with its trailing slash, as `slackApiUrl` wants it. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.base}/response/${id}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next call of `method` fails this way (queued: call again to fail several). */
  failNext(method: string, failure: Failure): void {
    this.failures.push({ method, failure });
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Waits until `count` calls of `method` were made. */
  async waitFor(method: string, count = 1, ms = 10_000): Promise<SlackCall[]> {
    for (const deadline = Date.now() + ms; this.callsOf(method).length < count; ) {
      if (Date.now() > deadline) throw new Error(`expected ${count} ${method} calls, got ${this.callsOf(method).length}: ${JSON.stringify(this.calls.map((call) => call.method))}`);
      await new Promise((wake) => setTimeout(wake, 10));
    }
    return this.callsOf(method);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const body = await readBody(req);
    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(body || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    const method = path.replace(/^\/api\//, '').split('?')[0] ?? '';
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const failureIndex = this.failures.findIndex((entry) => entry.method === method);
    const failure = failureIndex >= 0 ? this.failures.splice(failureIndex, 1)[0]?.failure : undefined;
    const call: SlackCall = { method, args: parseArgs(body, req.headers['content-type']), ...(token ? { token } : {}), at: Date.now() };
    if (failure && 'status' in failure) {
      // Failed calls are not recorded: Slack did nothing with them.
      res.writeHead(failure.status, failure.status === 429 ? { 'Retry-After': String(failure.retryAfter) } : {});
      res.end(failure.status === 429 ? '{"ok":false,"error":"ratelimited"}' : 'upstream error');
      return;
    }
    const reply = failure ? { ok: false, error: failure.error } : this.answer(call);
    this.calls.push({ ...call, reply });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply));
  }

  private answer(call: SlackCall): Record<string, unknown> {
    const channel = typeof call.args['channel'] === 'string' ? call.args['channel'] : undefined;
    switch (call.method) {
      case 'auth.test':
        return { ok: true, url: 'https://planb-test.slack.com/', team: 'Plan B Test', user: 'planb', team_id: 'T0TEST', user_id: 'U0PLANB', bot_id: 'B0PLANB' };
      case 'chat.postMessage':
        this.ts += 1;
        return { ok: true, channel, ts: `${this.ts}.000100`, message: { text: call.args['text'] } };
      case 'chat.update':
        return { ok: true, channel, ts: call.args['ts'], text: call.args['text'] };
      case 'chat.postEphemeral':
        this.ts += 1;
        return { ok: true, message_ts: `${this.ts}.000200` };
      case 'views.open':
        return { ok: true, view: { id: 'V0VIEW', ...(call.args['view'] as object) } };
      case 'apps.connections.open':
        // Slack takes only an app-level token here; a bot or user token gets this error.
        if (!call.token?.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
        return this.socketUrl === undefined ? { ok: false, error: 'fake_socket_url_not_set' } : { ok: true, url: this.socketUrl };
      case 'users.info':
        return { ok: true, user: { id: call.args['user'], name: String(call.args['user']).toLowerCase(), profile: { display_name: `name-of-${String(call.args['user'])}` } } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
