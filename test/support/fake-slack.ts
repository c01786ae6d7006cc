/**
 * A local stand-in for Slack's Web API (point SLACK_API_URL at `apiUrl`), for its file upload URLs and for
 * response_url endpoints: records every call, answers like Slack does, and fails the calls a test asks it to fail.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake records a POST of file bytes to an upload URL as (it is no Web API method). */
export const UPLOAD = 'upload';

export interface SlackCall {
  /** The Web API method, or `UPLOAD` (args: `file_id`, `filename` of the multipart part, `content` as UTF-8). */
  readonly method: string;
  /** Form fields, with JSON fields (blocks, view, attachments, files) parsed. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly token?: string;
  readonly at: number;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  readonly reply?: Readonly<Record<string, unknown>>;
}

/** What the next matching call gets instead of success. */
export type Failure = { readonly status: 429; readonly retryAfter: number } | { readonly status: 500 } | { readonly error: string };

/**
 * Trouble on a share of calls, for drills: each Web API call fails with probability `ratio`, as a 429, a 500 or a
 * timeout, one third each. A timeout holds the request for `timeoutMs` and then drops the connection unanswered.
 * Every failed call is one Slack did nothing with: it is not recorded, so it was not posted.
 */
export interface Chaos {
  readonly ratio: number;
  readonly timeoutMs: number;
  /** [0, 1): a seeded generator makes a drill repeatable. */
  readonly random: () => number;
}

/** A file shared the way the SDK's files.uploadV2 does it: its three calls put together. */
export interface SharedFile {
  readonly fileId: string;
  /** As given to files.getUploadURLExternal. */
  readonly filename: string;
  readonly length: number;
  /** The bytes POSTed to the upload URL, as UTF-8. */
  readonly content: string;
  /** As given to files.completeUploadExternal. */
  readonly title?: string;
  readonly channel?: string;
  readonly thread?: string;
  readonly initialComment?: string;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'files']);

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Slack takes the bytes raw or as the one file of a multipart form (what the Node SDK sends). */
const uploadArgs = async (fileId: string, body: Buffer, type: string | undefined): Promise<Record<string, unknown>> => {
  if (!type?.startsWith('multipart/form-data')) return { file_id: fileId, content: body.toString('utf8') };
  const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return { file_id: fileId, filename: value.name, content: Buffer.from(await value.arrayBuffer()).toString('utf8') };
  }
  return { file_id: fileId };
};

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

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
  /**
   * Slack shares an uploaded file asynchronously (after its scans), so files.completeUploadExternal usually answers
   * before the share exists, without `shares`; true answers as if the share were done, with its message `ts`.
   */
  reportShares = false;
  /** How long chat.postMessage and chat.update take to answer: a slow Slack keeps deliveries in flight. */
  latencyMs = 0;
  /**
   * Slack's rate limit for posting (about one message per second per channel, "special" tier): a chat.postMessage
   * or chat.update to a channel sooner than `1000 / perChannelPerSecond` ms after the last one accepted there is
   * answered 429 with Retry-After. Off when undefined.
   */
  rateLimit: { readonly perChannelPerSecond: number } | undefined;
  /** Random 429s, 500s and timeouts on a share of calls (see Chaos). Off when undefined. */
  chaos: Chaos | undefined;
  /** Calls answered 429 by the rate limit, and calls failed by chaos, by kind. */
  readonly refused = { rateLimited: 0, chaos429: 0, chaos500: 0, chaosTimeout: 0 };
  private readonly lastPost = new Map<string, number>();
  private ts = 1_700_000_000;
  private fileIds = 0;
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

  /** Files shared through files.completeUploadExternal (refused ones not), in order, with what their upload said. */
  sharedFiles(): SharedFile[] {
    const completed = this.callsOf('files.completeUploadExternal').filter((call) => call.reply?.['ok'] === true);
    return completed.flatMap((call) =>
      ((call.args['files'] ?? []) as { id: string; title?: string }[]).map((file) => {
        const requested = this.callsOf('files.getUploadURLExternal').find((get) => get.reply?.['file_id'] === file.id);
        const uploaded = this.callsOf(UPLOAD).find((upload) => upload.args['file_id'] === file.id);
        const [title, channel, thread, initialComment] = [file.title, call.args['channel_id'], call.args['thread_ts'], call.args['initial_comment']].map(text);
        return {
          fileId: file.id,
          filename: text(requested?.args['filename']) ?? '',
          length: Number(requested?.args['length'] ?? 0),
          content: text(uploaded?.args['content']) ?? '',
          ...(title === undefined ? {} : { title }),
          ...(channel === undefined ? {} : { channel }),
          ...(thread === undefined ? {} : { thread }),
          ...(initialComment === undefined ? {} : { initialComment }),
        };
      }),
    );
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
      this.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    const uploadTo = /^\/upload\/v1\/([^/?]+)/.exec(path)?.[1];
    const method = uploadTo === undefined ? (path.replace(/^\/api\//, '').split('?')[0] ?? '') : UPLOAD;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const failureIndex = this.failures.findIndex((entry) => entry.method === method);
    const failure = failureIndex >= 0 ? this.failures.splice(failureIndex, 1)[0]?.failure : undefined;
    const type = req.headers['content-type'];
    const args = uploadTo === undefined ? parseArgs(body.toString('utf8'), type) : await uploadArgs(uploadTo, body, type);
    const call: SlackCall = { method, args, ...(token ? { token } : {}), at: Date.now() };
    if (failure && 'status' in failure) {
      // Failed calls are not recorded: Slack did nothing with them.
      res.writeHead(failure.status, failure.status === 429 ? { 'Retry-After': String(failure.retryAfter) } : {});
      res.end(failure.status === 429 ? '{"ok":false,"error":"ratelimited"}' : 'upstream error');
      return;
    }
    if (this.chaos && this.chaos.random() < this.chaos.ratio) {
      const kind = Math.floor(this.chaos.random() * 3);
      if (kind === 2) {
        this.refused.chaosTimeout += 1;
        await new Promise((wake) => setTimeout(wake, this.chaos?.timeoutMs ?? 0));
        req.socket.destroy();
        return;
      }
      if (kind === 0) this.refused.chaos429 += 1;
      else this.refused.chaos500 += 1;
      res.writeHead(kind === 0 ? 429 : 500, kind === 0 ? { 'Retry-After': '1' } : {});
      res.end(kind === 0 ? '{"ok":false,"error":"ratelimited"}' : 'upstream error');
      return;
    }
    const channel = text(args['channel']);
    if (this.rateLimit && channel !== undefined && (method === 'chat.postMessage' || method === 'chat.update')) {
      const gapMs = 1000 / this.rateLimit.perChannelPerSecond;
      const last = this.lastPost.get(channel);
      const now = Date.now();
      if (last !== undefined && now - last < gapMs) {
        this.refused.rateLimited += 1;
        res.writeHead(429, { 'Retry-After': String(Math.max(1, Math.ceil((gapMs - (now - last)) / 1000))) });
        res.end('{"ok":false,"error":"ratelimited"}');
        return;
      }
      this.lastPost.set(channel, now);
    }
    if (uploadTo !== undefined) {
      // Slack's upload endpoint answers in plain text; a refusal is any other status than 200.
      this.calls.push({ ...call, reply: { ok: true } });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`OK - ${body.length}`);
      return;
    }
    if (this.latencyMs > 0 && (method === 'chat.postMessage' || method === 'chat.update')) await new Promise((wake) => setTimeout(wake, this.latencyMs));
    const reply = failure ? { ok: false, error: failure.error } : this.answer(call);
    this.calls.push({ ...call, reply });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(reply));
  }

  /** files.completeUploadExternal: each file by id and title, shared (when `reportShares`) by a message of its own. */
  private completeUpload(call: SlackCall): Record<string, unknown> {
    const channel = text(call.args['channel_id']);
    const thread = text(call.args['thread_ts']);
    const files = (call.args['files'] ?? []) as { id: string; title?: string }[];
    return {
      ok: true,
      files: files.map(({ id, title }) => {
        if (!this.reportShares || channel === undefined) return { id, title };
        this.ts += 1;
        return { id, title, shares: { public: { [channel]: [{ ts: `${this.ts}.000300`, ...(thread === undefined ? {} : { thread_ts: thread }) }] } } };
      }),
    };
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
      case 'files.getUploadURLExternal': {
        // Slack answers this to an empty file (length 0) as well.
        if (typeof call.args['filename'] !== 'string' || !(Number(call.args['length']) > 0)) return { ok: false, error: 'missing_argument' };
        this.fileIds += 1;
        const fileId = `F0FILE${this.fileIds}`;
        return { ok: true, upload_url: `${this.base}/upload/v1/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(call);
      case 'users.info':
        return { ok: true, user: { id: call.args['user'], name: String(call.args['user']).toLowerCase(), profile: { display_name: `name-of-${String(call.args['user'])}` } } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
