/**
 * A local stand-in for the Bot Connector service (the REST API in ../shared/schemas/botframework): activities point
 * their `serviceUrl` here, and it records what the bot sends, replies and updates, answering like the service does.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  readonly method: string;
  /** The conversation id as sent (a channel thread has `;messageid=…`). */
  readonly conversation: string;
  /** `send` (new activity), `reply` (to an activity), `update`, or `member` (a lookup). */
  readonly kind: 'send' | 'reply' | 'update' | 'member';
  /** The activity (or member) id in the path, for replies, updates and lookups. */
  readonly target?: string;
  readonly activity: Readonly<Record<string, unknown>>;
  /** The id the fake gave the activity. */
  readonly id?: string;
  readonly at: number;
}

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** Who `GET …/members/{id}` knows (Teams' member lookup), by their 29: id. */
  readonly members = new Map<string, Member>();
  /** The next send, reply or update into `conversation` answers 429 with this Retry-After (seconds), once. */
  throttleNext: { readonly seconds: number; readonly conversation: string } | undefined;
  private server: Server | undefined;
  private next = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Activities the bot sent or updated into `conversation` (any thread of it), oldest first. */
  activitiesIn(conversation: string): ConnectorCall[] {
    return this.calls.filter((call) => call.kind !== 'member' && call.conversation.split(';')[0] === conversation);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const match = /^\/v3\/conversations\/([^/]+)\/(activities|members)(?:\/([^/]+))?$/.exec((req.url ?? '').split('?')[0] ?? '');
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(payload));
    };
    if (!match) return send(404, { error: { code: 'NotFound', message: `no route ${req.method ?? ''} ${req.url ?? ''}` } });
    const conversation = decodeURIComponent(match[1] ?? '');
    const target = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    if (match[2] === 'members') {
      const member = target === undefined ? undefined : this.members.get(target);
      this.calls.push({ method: req.method ?? '', conversation, kind: 'member', ...(target ? { target } : {}), activity: {}, at: Date.now() });
      return member ? send(200, { ...member, userPrincipalName: `${member.name}@example.com` }) : send(404, { error: { code: 'MemberNotFound', message: 'no such member' } });
    }
    if (this.throttleNext !== undefined && conversation.split(';')[0] === this.throttleNext.conversation) {
      const { seconds } = this.throttleNext;
      this.throttleNext = undefined;
      return send(429, { error: { code: 'Throttled', message: 'slow down' } }, { 'Retry-After': String(seconds) });
    }
    const activity = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    const kind = req.method === 'PUT' ? 'update' : target === undefined ? 'send' : 'reply';
    this.next += 1;
    const id = kind === 'update' ? (target ?? '') : `activity-${this.next}`;
    this.calls.push({ method: req.method ?? '', conversation, kind, ...(target ? { target } : {}), activity, id, at: Date.now() });
    // ResourceResponse, as the service answers sends, replies and updates.
    return send(200, { id });
  }
}
