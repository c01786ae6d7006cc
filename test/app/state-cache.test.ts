/** The folded-state cache: each load folds only what is new, sees other writers, and starts over when the stream is not what it saw. */
import { describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../src/domain/event.js';
import type { Fold } from '../../src/app/aggregate.js';
import { StateCache } from '../../src/app/aggregate.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';

type Counted = NewEvent<'counted', { readonly n: number }>;
let folded = 0;
const sum: Fold<number, Counted> = {
  initial: 0,
  evolve: (state, event) => {
    folded += 1;
    return state + event.data.n;
  },
};
let id = 0;
const counted = (n: number, request?: string): StoredEvent => ({ id: `e${(id += 1)}`, type: 'counted', at: '2026-11-24T10:00:00.000Z', actor: null, data: { n }, ...(request ? { request } : {}) });

describe('the folded-state cache', () => {
  it('folds each event once across loads, including another writer\'s', async () => {
    const store = new MemoryEventStore();
    const cache = new StateCache();
    await store.append('sums', 0, [counted(1), counted(2)]);
    folded = 0;
    expect((await cache.load(store, 'sums', sum)).state).toBe(3);
    // Another replica appends: only its event is read and folded.
    await store.append('sums', 2, [counted(10, 'slack-command-9#1')]);
    const loaded = await cache.load(store, 'sums', sum);
    expect([loaded.state, loaded.version, folded]).toEqual([13, 3, 3]);
    expect([loaded.recorded('slack-command-9#1'), loaded.recorded('slack-command-9#2')]).toEqual([true, false]);
    await cache.load(store, 'sums', sum);
    expect(folded).toBe(3);
  });

  it('folds from the first event when the stream is shorter than what it saw, or with another fold', async () => {
    const cache = new StateCache();
    const before = new MemoryEventStore();
    await before.append('sums', 0, [counted(1), counted(2), counted(3)]);
    expect((await cache.load(before, 'sums', sum)).state).toBe(6);
    // The data went away and the stream was written again (a Redis replaced without its data).
    const after = new MemoryEventStore();
    await after.append('sums', 0, [counted(5)]);
    expect((await cache.load(after, 'sums', sum)).state).toBe(5);
    // Written again with more events than it saw: told apart by the event it folded last.
    const longer = new MemoryEventStore();
    await longer.append('sums', 0, [counted(7), counted(7), counted(7), counted(7)]);
    expect((await cache.load(longer, 'sums', sum)).state).toBe(28);
    const doubled: Fold<number, Counted> = { initial: 0, evolve: (state, event) => state + 2 * event.data.n };
    expect((await cache.load(longer, 'sums', doubled)).state).toBe(56);
  });
});
