/** The production event store: one Redis stream per aggregate plus a global one, written by one Lua script. */
import type { Redis } from 'ioredis';
import type { StoredEvent } from '../../domain/event.js';
import type { Effect } from '../../app/effects.js';
import type { EventStore, GlobalEvent, StreamRead } from '../../app/ports.js';
import { ConcurrencyError } from '../../app/ports.js';
import type { Failpoint } from '../failpoint.js';
import type { RedisKeys } from './keys.js';
import { APPEND, PUBLISH, runScript } from './scripts.js';

type Entry = [id: string, fields: string[]];

/** `0-17` → 17: entry ids carry the version (aggregate streams) or the position (global log). */
const sequenceOf = (id: string): number => Number(id.slice(id.indexOf('-') + 1));

const field = (fields: readonly string[], name: string): string | undefined => {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
};

const parseEvent = (fields: readonly string[]): StoredEvent => JSON.parse(field(fields, 'event') ?? 'null') as StoredEvent;

/** The `kind, timer id, JSON` triple the append script reads per effect. */
const effectArgs = (effect: Effect): [string, string, string] => [effect.kind, effect.kind === 'schedule' || effect.kind === 'cancel' ? effect.timer : '', JSON.stringify(effect)];

export class RedisEventStore implements EventStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly failpoint: Failpoint = () => undefined,
  ) {}

  async read(stream: string, after = 0): Promise<StreamRead> {
    const key = this.keys.stream(stream);
    if (after <= 0) {
      const entries = (await this.redis.xrange(key, '-', '+')) as Entry[];
      return { version: entries.length, events: entries.map(([, fields]) => parseEvent(fields)) };
    }
    // Entry ids carry the version (`0-<n>` is the n-th event); streams are never trimmed, so the length is the version.
    const [[rangeError, entries], [lengthError, length]] = ((await this.redis.multi().xrange(key, `(0-${after}`, '+').xlen(key).exec()) ?? []) as [[Error | null, Entry[]], [Error | null, number]];
    if (rangeError) throw rangeError;
    if (lengthError) throw lengthError;
    return { version: length, events: entries.map(([, fields]) => parseEvent(fields)) };
  }

  /** The sequence counter of each delivery's conversation, in the order of the deliveries. */
  private sequenceKeys(effects: readonly Effect[]): string[] {
    return effects.flatMap((effect) => (effect.kind === 'deliver' ? [this.keys.sequence(effect.platform, effect.conversation.channel)] : []));
  }

  async append(stream: string, expectedVersion: number, events: readonly StoredEvent[], effects: readonly Effect[] = []): Promise<void> {
    if (events.length === 0) return;
    const keys = [this.keys.stream(stream), this.keys.global, this.keys.position, this.keys.outbox, this.keys.timers, ...this.sequenceKeys(effects)];
    const args = [expectedVersion, stream, events.length, ...events.map((event) => JSON.stringify(event)), effects.length, ...effects.flatMap(effectArgs)];
    const [ok, value] = (await runScript(this.redis, APPEND, keys, args)) as [number, number];
    if (ok !== 1) throw new ConcurrencyError(stream, expectedVersion, value);
    this.failpoint('append.committed');
  }

  async publish(effects: readonly Effect[]): Promise<void> {
    if (effects.length === 0) return;
    const keys = [this.keys.outbox, this.keys.timers, this.keys.published, ...this.sequenceKeys(effects)];
    await runScript(this.redis, PUBLISH, keys, [effects.length, ...effects.flatMap(effectArgs)]);
  }

  async readAll(afterPosition = 0): Promise<readonly GlobalEvent[]> {
    const entries = (await this.redis.xrange(this.keys.global, `(0-${afterPosition}`, '+')) as Entry[];
    return entries.map(([id, fields]) => ({ position: sequenceOf(id), stream: field(fields, 'stream') ?? '', event: parseEvent(fields) }));
  }
}
