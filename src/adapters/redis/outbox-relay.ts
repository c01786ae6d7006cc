/**
 * Moves committed effects from the outbox, and accepted requests from the inbox, to BullMQ. Any number of relays
 * (one per process) share the work through a consumer group on each stream; an entry is acknowledged only after its
 * jobs exist, and a relay that died holding entries has them claimed by another after CLAIM_IDLE_MS. Job ids are
 * deterministic, so handing the same entry over twice adds nothing twice.
 */
import type { Redis } from 'ioredis';
import type { Effect } from '../../app/effects.js';
import type { InboundRequest, Logger } from '../../app/ports.js';
import type { RedisKeys } from './keys.js';
import type { Failpoint } from '../failpoint.js';
import { ACK_OUTBOX, runScript } from './scripts.js';

export const RELAY_GROUP = 'relay';

export interface OutboxEffect {
  readonly effect: Effect;
  /** Where it stands: the global position of its append and its index there (1-based): unique, stable. */
  readonly position: number;
  readonly index: number;
  /** A delivery's sequence number in its conversation, or a schedule's generation. */
  readonly stamp: string;
  /** The timer generation a schedule or cancel replaced (its job can go), or ''. */
  readonly replaced: string;
}

export type EffectSink = (effects: readonly OutboxEffect[]) => Promise<void>;

/** Queues an accepted request (under its own id, so twice is once). */
export type RequestSink = (request: InboundRequest) => Promise<void>;

/** The inbox entry's one field: the request as JSON. */
export const INBOX_FIELD = 'request';

export interface RelayOptions {
  /** How long an entry may sit with a relay that does not acknowledge it before another takes it over. */
  readonly claimIdleMs?: number;
  /** How long one blocking read waits: also how long stop() may take. */
  readonly blockMs?: number;
}

type Entry = [id: string, fields: string[] | null];

const fieldMap = (fields: readonly string[]): Map<string, string> => {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  return map;
};

export const parseOutboxEntry = (fields: readonly string[]): OutboxEffect[] => {
  const map = fieldMap(fields);
  const position = Number(map.get('position'));
  const count = Number(map.get('count'));
  const effects: OutboxEffect[] = [];
  for (let index = 1; index <= count; index += 1) {
    effects.push({
      effect: JSON.parse(map.get(`j${index}`) ?? 'null') as Effect,
      position,
      index,
      stamp: map.get(`s${index}`) ?? '',
      replaced: map.get(`o${index}`) ?? '',
    });
  }
  return effects;
};

export class OutboxRelay {
  private running = false;
  /** The streams this relay reads: the outbox, and the inbox when it queues requests. */
  private readonly streams: readonly string[];
  private loop: Promise<void> | undefined;

  /** `blocking` is this relay's own connection: a blocking read holds it. */
  constructor(
    private readonly blocking: Redis,
    private readonly keys: RedisKeys,
    private readonly consumer: string,
    private readonly sink: EffectSink,
    private readonly logger: Logger,
    private readonly failpoint: Failpoint = () => undefined,
    private readonly options: RelayOptions = {},
    private readonly requests?: RequestSink,
  ) {
    this.streams = requests === undefined ? [keys.outbox] : [keys.outbox, keys.inbox];
  }

  async start(): Promise<void> {
    await this.createGroup();
    this.running = true;
    this.loop = this.run();
  }

  private async createGroup(): Promise<void> {
    for (const stream of this.streams) {
      try {
        // From 0, not $: entries committed before any relay existed are still owed.
        await this.blocking.xgroup('CREATE', stream, RELAY_GROUP, '0', 'MKSTREAM');
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.claimAbandoned();
        await this.readNew();
      } catch (error) {
        if (!this.running) return;
        if (error instanceof Error && error.message.startsWith('NOGROUP')) {
          // A Redis that restarted without its data has no group any more: make it again rather than fail forever.
          await this.createGroup().catch(() => undefined);
          continue;
        }
        this.logger.error({ err: error }, 'outbox relay failed; retrying');
        await new Promise((wake) => setTimeout(wake, 1_000));
      }
    }
  }

  private async claimAbandoned(): Promise<void> {
    for (const stream of this.streams) {
      let start = '0-0';
      do {
        const [next, entries, deleted] = (await this.blocking.xautoclaim(stream, RELAY_GROUP, this.consumer, this.options.claimIdleMs ?? 3_000, start, 'COUNT', 50)) as [string, Entry[], string[]];
        for (const entry of entries) await this.handle(stream, entry);
        // Entries deleted while pending: nothing left to do but drop them from the group's list.
        if (deleted.length > 0) await this.blocking.xack(stream, RELAY_GROUP, ...deleted);
        start = next;
      } while (start !== '0-0' && this.running);
    }
  }

  private async readNew(): Promise<void> {
    const reply = await this.blocking.xreadgroup(
      'GROUP', RELAY_GROUP, this.consumer, 'COUNT', 50, 'BLOCK', this.options.blockMs ?? 1_000, 'STREAMS', ...this.streams, ...this.streams.map(() => '>'),
    );
    for (const [stream, entries] of reply ?? []) for (const entry of entries) await this.handle(stream, entry);
  }

  private async handle(stream: string, [id, fields]: Entry): Promise<void> {
    if (fields && stream === this.keys.inbox) await this.requests?.(JSON.parse(fieldMap(fields).get(INBOX_FIELD) ?? 'null') as InboundRequest);
    else if (fields) await this.sink(parseOutboxEntry(fields));
    this.failpoint('relay.enqueued');
    await runScript(this.blocking, ACK_OUTBOX, [stream], [RELAY_GROUP, id]);
  }
}
