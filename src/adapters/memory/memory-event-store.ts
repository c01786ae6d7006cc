/** The embedded event store: the same contract as Redis, in one process's memory. */
import type { StoredEvent } from '../../domain/event.js';
import type { EventStore, GlobalEvent, StreamRead } from '../../app/ports.js';
import { ConcurrencyError } from '../../app/ports.js';

export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly log: GlobalEvent[] = [];

  read(stream: string): Promise<StreamRead> {
    const events = this.streams.get(stream) ?? [];
    return Promise.resolve({ version: events.length, events: [...events] });
  }

  append(stream: string, expectedVersion: number, events: readonly StoredEvent[]): Promise<void> {
    const existing = this.streams.get(stream) ?? [];
    if (existing.length !== expectedVersion) return Promise.reject(new ConcurrencyError(stream, expectedVersion, existing.length));
    // Copies, so a caller mutating its objects later cannot rewrite history.
    const copies = events.map((event) => structuredClone(event));
    this.streams.set(stream, [...existing, ...copies]);
    for (const event of copies) this.log.push({ position: this.log.length + 1, stream, event });
    return Promise.resolve();
  }

  readAll(afterPosition = 0): Promise<readonly GlobalEvent[]> {
    return Promise.resolve(this.log.slice(afterPosition));
  }
}
