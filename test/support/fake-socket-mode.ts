/** A local stand-in for Slack's Socket Mode WebSocket server: greets with `hello`, sends envelopes, collects the client's acks. */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { blockActionsBody, slashCommandBody } from './slack-requests.js';
import type { ButtonPress, SlashCommand } from './slack-requests.js';

/** What Slack sends over the socket for each delivery. */
export interface Envelope {
  readonly envelope_id: string;
  readonly type: 'slash_commands' | 'interactive' | 'events_api';
  readonly payload: Readonly<Record<string, unknown>>;
  /** True where the ack's payload is shown to the user (slash commands, view submissions). */
  readonly accepts_response_payload: boolean;
}

/** The client's answer to an envelope: SocketModeClient always sends a `payload`, `{}` when ack() got nothing. */
export interface Ack {
  readonly envelope_id: string;
  readonly payload?: Readonly<Record<string, unknown>>;
}

export interface Connection {
  /** Path and query as the client asked for them: shows whether it used the URL it was given unchanged. */
  readonly url: string;
  readonly open: boolean;
  /** The close code, once closed: 1000 when the client ended the session itself. */
  readonly closeCode?: number;
}

interface LiveConnection {
  url: string;
  socket: WebSocket;
  open: boolean;
  closeCode?: number;
}

/** Slack's connection path: apps.connections.open answers `wss://wss-primary.slack.com/link/?ticket=…&app_id=…`. */
const LINK_PATH = '/link/';

const poll = async (check: () => boolean, what: () => string, ms: number): Promise<void> => {
  for (const deadline = Date.now() + ms; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((wake) => setTimeout(wake, 10));
  }
};

export class FakeSocketMode {
  /** Every ack the client sent, in order (a repeated envelope is acked again). */
  readonly acks: Ack[] = [];
  /** Messages from the client that were not acks: the client should send none. */
  readonly stray: string[] = [];
  private readonly live: LiveConnection[] = [];
  private server: WebSocketServer | undefined;
  private port = 0;

  /** What FakeSlack's `apps.connections.open` should return (set it as `socketUrl`). */
  get url(): string {
    return `ws://127.0.0.1:${this.port}${LINK_PATH}?ticket=fake-ticket&app_id=A0PLANB`;
  }

  get connections(): readonly Connection[] {
    return this.live.map(({ url, open, closeCode }) => ({ url, open, ...(closeCode === undefined ? {} : { closeCode }) }));
  }

  /** How many sockets are open now. */
  get open(): number {
    return this.live.filter((connection) => connection.open).length;
  }

  async start(): Promise<void> {
    // ws answers the client's pings itself (autoPong), as Slack does; the client drops a link that leaves 4 pings unanswered.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: LINK_PATH });
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    server.on('connection', (socket, req) => this.accept(socket, req.url ?? ''));
    this.server = server;
  }

  /** Ends any connection still open (without a close handshake, as a crashed server would) and stops listening. */
  async stop(): Promise<void> {
    for (const connection of this.live) if (connection.open) connection.socket.terminate();
    await new Promise<void>((resolve, reject) => (this.server ? this.server.close((error) => (error ? reject(error) : resolve())) : resolve()));
  }

  /** Sends `envelope` on the newest open connection. */
  send(envelope: Envelope): void {
    this.newest().send(JSON.stringify(envelope));
  }

  /** Sends `envelope` and resolves with the client's ack of it (an ack that arrives after this send). */
  async envelope(envelope: Envelope, ms = 5_000): Promise<Ack> {
    const from = this.acks.length;
    this.send(envelope);
    const ack = (): Ack | undefined => this.acks.slice(from).find((entry) => entry.envelope_id === envelope.envelope_id);
    await poll(() => ack() !== undefined, () => `the ack of ${envelope.type} ${envelope.envelope_id}; acks: ${JSON.stringify(this.acks)}`, ms);
    return ack() as Ack;
  }

  /** Slack's notice that it is recycling the link: the client closes this socket and opens a new one. */
  disconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested'): void {
    this.newest().send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
  }

  /** Waits until `count` connections were greeted in all, the newest still open. */
  async waitForConnections(count: number, ms = 10_000): Promise<void> {
    await poll(() => this.live.length >= count && this.live.at(-1)?.open === true, () => `${count} connections, have ${JSON.stringify(this.connections)}`, ms);
  }

  /** Waits until no socket is open. */
  async waitUntilClosed(ms = 5_000): Promise<void> {
    await poll(() => this.open === 0, () => `all sockets closed, have ${JSON.stringify(this.connections)}`, ms);
  }

  private newest(): WebSocket {
    const connection = this.live.filter((entry) => entry.open).at(-1);
    if (!connection) throw new Error(`no open Socket Mode connection: ${JSON.stringify(this.connections)}`);
    return connection.socket;
  }

  private accept(socket: WebSocket, url: string): void {
    const connection: LiveConnection = { url, socket, open: true };
    this.live.push(connection);
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? '<binary>' : Buffer.from(data as Buffer).toString('utf8');
      const message = this.parse(text);
      if (message && typeof message['envelope_id'] === 'string') {
        const payload = message['payload'];
        this.acks.push({ envelope_id: message['envelope_id'], ...(typeof payload === 'object' && payload !== null ? { payload: payload as Record<string, unknown> } : {}) });
      } else {
        this.stray.push(text);
      }
    });
    socket.on('close', (code) => {
      connection.open = false;
      connection.closeCode = code;
    });
    // The client counts itself connected (its start() resolves) only once this arrives.
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: 'A0PLANB' },
      }),
    );
  }

  private parse(text: string): Record<string, unknown> | undefined {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A slash command as Socket Mode delivers it: the HTTP form fields, as a JSON object. */
export const slashCommandEnvelope = (command: SlashCommand): Envelope => ({
  envelope_id: randomUUID(),
  type: 'slash_commands',
  payload: Object.fromEntries(new URLSearchParams(slashCommandBody(command))),
  accepts_response_payload: true,
});

/** A button press as Socket Mode delivers it: the block_actions payload itself, not a form field holding its JSON. */
export const blockActionsEnvelope = (press: ButtonPress): Envelope => ({
  envelope_id: randomUUID(),
  type: 'interactive',
  payload: JSON.parse(new URLSearchParams(blockActionsBody(press)).get('payload') ?? '{}') as Record<string, unknown>,
  accepts_response_payload: false,
});
