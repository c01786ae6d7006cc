/** The embedded event store: the same contract as Redis, in one process's memory. */
import type { StoredEvent } from '../../domain/event.js';
import type { Effect } from '../../app/effects.js';
import type { EventStore, GlobalEvent, StreamRead } from '../../app/ports.js';
import { ConcurrencyError } from '../../app/ports.js';

/** Runs the effects of an append once it is committed; the append resolves after it. */
export type EffectRunner = (effects: readonly Effect[]) => Promise<void>;

export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly log: GlobalEvent[] = [];

  constructor(private readonly runEffects: EffectRunner = () => Promise.resolve()) {}

  read(stream: string, after = 0): Promise<StreamRead> {
    const events = this.streams.get(stream) ?? [];
    return Promise.resolve({ version: events.length, events: events.slice(Math.max(0, after)) });
  }

  async append(stream: string, expectedVersion: number, events: readonly StoredEvent[], effects: readonly Effect[] = []): Promise<void> {
    const existing = this.streams.get(stream) ?? [];
    if (existing.length !== expectedVersion) throw new ConcurrencyError(stream, expectedVersion, existing.length);
    // Copies, so a caller mutating its objects later cannot rewrite history.
    const copies = events.map((event) => structuredClone(event));
    this.streams.set(stream, [...existing, ...copies]);
    for (const event of copies) this.log.push({ position: this.log.length + 1, stream, event });
    // In one process, effects run in commit order: the console prints a command's messages before its next prompt.
    if (effects.length > 0) await this.runEffects(structuredClone(effects));
  }

  async publish(effects: readonly Effect[]): Promise<void> {
    if (effects.length > 0) await this.runEffects(structuredClone(effects));
  }

  readAll(afterPosition = 0): Promise<readonly GlobalEvent[]> {
    return Promise.resolve(this.log.slice(afterPosition));
  }
}
