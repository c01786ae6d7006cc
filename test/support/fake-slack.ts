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

/** What the next matching call gets instead of success (`lostAnswer`: carried out, the connection then dropped unanswered). */
export type Failure = { readonly status: 429; readonly retryAfter: number } | { readonly status: 500 } | { readonly error: string } | { readonly lostAnswer: true };

/**
 * Trouble on a share of calls, for drills: each Web API call fails with probability `ratio`, as a 429, a 500 or a
 * timeout, one third each. A timeout holds the request for `timeoutMs` and then drops the connection unanswered.
 * Those calls are ones Slack did nothing with: not recorded, so not posted. With `lostAnswers`, a failing
 * chat.postMessage or chat.update is instead, one time in four, carried out (recorded) and its answer lost: the
 * connection dropped after `timeoutMs`, as when Slack's answer never makes it back.
 */
export interface Chaos {
  readonly ratio: number;
  readonly timeoutMs: number;
  /** [0, 1): a seeded generator makes a drill repeatable. */
  readonly random: () => number;
  readonly lostAnswers?: boolean;
}

/** The calls whose answer chaos may lose after carrying them out. */
const LOSABLE = new Set(['chat.postMessage', 'chat.update']);

/** A message as conversations.history lists it. */
interface Listed {
  readonly ts: string;
  readonly text?: unknown;
  readonly thread_ts?: string;
  readonly metadata?: unknown;
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
  readonly refused = { rateLimited: 0, chaos429: 0, chaos500: 0, chaosTimeout: 0, chaosLostAnswer: 0 };
  private readonly lastPost = new Map<string, number>();
  /** The seconds of the last `ts` handed out: from the clock, one more per message (so some run ahead of it). */
  private ts = 0;
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
    let loseAnswer = failure !== undefined && 'lostAnswer' in failure;
    if (!loseAnswer && this.chaos && this.chaos.random() < this.chaos.ratio) {
      const kind = Math.floor(this.chaos.random() * (this.chaos.lostAnswers === true && LOSABLE.has(method) ? 4 : 3));
      loseAnswer = kind === 3;
      if (loseAnswer) this.refused.chaosLostAnswer += 1;
      else if (kind === 2) {
        this.refused.chaosTimeout += 1;
        await new Promise((wake) => setTimeout(wake, this.chaos?.timeoutMs ?? 0));
        req.socket.destroy();
        return;
      }
      else {
        if (kind === 0) this.refused.chaos429 += 1;
        else this.refused.chaos500 += 1;
        res.writeHead(kind === 0 ? 429 : 500, kind === 0 ? { 'Retry-After': '1' } : {});
        res.end(kind === 0 ? '{"ok":false,"error":"ratelimited"}' : 'upstream error');
        return;
      }
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
    const reply = failure && 'error' in failure ? { ok: false, error: failure.error } : this.answer(call);
    this.calls.push({ ...call, reply });
    if (loseAnswer) {
      await new Promise((wake) => setTimeout(wake, this.chaos?.timeoutMs ?? 0));
      req.socket.destroy();
      return;
    }
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
        this.tick();
        return { id, title, shares: { public: { [channel]: [{ ts: `${this.ts}.000300`, ...(thread === undefined ? {} : { thread_ts: thread }) }] } } };
      }),
    };
  }

  /**
   * conversations.history (a thread's replies with `ts`): the messages posted there (and accepted), newest first,
   * as they read now (edits applied), after `oldest`; metadata only with `include_all_metadata`; `limit` per page,
   * the next page's cursor in `response_metadata`.
   */
  private listed(call: SlackCall, thread: string | undefined): Record<string, unknown> {
    const { channel, oldest, cursor } = call.args;
    const all = new Map<string, Listed>();
    for (const earlier of this.calls) {
      if (earlier.args['channel'] !== channel || earlier.reply?.['ok'] !== true) continue;
      if (earlier.method === 'chat.postMessage') {
        const ts = String(earlier.reply['ts']);
        const threadTs = text(earlier.args['thread_ts']);
        if (thread !== undefined ? threadTs !== thread && ts !== thread : threadTs !== undefined) continue;
        all.set(ts, { ts, text: earlier.args['text'], ...(threadTs === undefined ? {} : { thread_ts: threadTs }), metadata: earlier.args['metadata'] });
      }
      const edited = earlier.method === 'chat.update' ? all.get(String(earlier.args['ts'])) : undefined;
      if (edited !== undefined) all.set(edited.ts, { ...edited, text: earlier.args['text'], metadata: earlier.args['metadata'] ?? edited.metadata });
    }
    const after = Number(oldest ?? 0);
    const messages = [...all.values()].filter((message) => Number(message.ts) > after).reverse();
    const start = Number(cursor ?? 0);
    const limit = Number(call.args['limit'] ?? 100);
    const withMetadata = call.args['include_all_metadata'] === true || call.args['include_all_metadata'] === 'true';
    const page = messages.slice(start, start + limit).map(({ metadata, ...message }) => (withMetadata && metadata !== undefined ? { ...message, metadata } : message));
    const next = start + limit < messages.length ? String(start + limit) : '';
    return { ok: true, messages: page, has_more: next !== '', response_metadata: { next_cursor: next } };
  }

  private tick(): void {
    this.ts = Math.max(this.ts + 1, Math.floor(Date.now() / 1_000));
  }

  private answer(call: SlackCall): Record<string, unknown> {
    const channel = typeof call.args['channel'] === 'string' ? call.args['channel'] : undefined;
    switch (call.method) {
      case 'auth.test':
        return { ok: true, url: 'https://planb-test.slack.com/', team: 'Plan B Test', user: 'planb', team_id: 'T0TEST', user_id: 'U0PLANB', bot_id: 'B0PLANB' };
      case 'chat.postMessage':
        this.tick();
        return { ok: true, channel, ts: `${this.ts}.000100`, message: { text: call.args['text'] } };
      case 'chat.update':
        return { ok: true, channel, ts: call.args['ts'], text: call.args['text'] };
      case 'chat.postEphemeral':
        this.tick();
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
      case 'conversations.history':
        return this.listed(call, undefined);
      case 'conversations.replies':
        return typeof call.args['ts'] === 'string' ? this.listed(call, call.args['ts']) : { ok: false, error: 'invalid_arguments' };
      case 'users.info':
        return { ok: true, user: { id: call.args['user'], name: String(call.args['user']).toLowerCase(), profile: { display_name: `name-of-${String(call.args['user'])}` } } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
