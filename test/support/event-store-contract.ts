/** One contract every EventStore must keep; each store's test file runs it against a fresh store. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/event.js';
import type { Effect } from '../../src/app/effects.js';
import type { EventStore } from '../../src/app/ports.js';
import { ConcurrencyError } from '../../src/app/ports.js';

let counter = 0;
const event = (type: string): StoredEvent => {
  counter += 1;
  return { id: `e${counter}`, type, at: '2026-11-23T14:02:00.000Z', actor: 'console:alice', data: { n: counter } };
};

/** A store under test, and what it has committed for its relay to carry out so far, in order. */
export interface StoreUnderTest {
  readonly store: EventStore;
  readonly committedEffects: () => Promise<readonly Effect[]>;
}

export const eventStoreContract = (name: string, makeWithEffects: () => Promise<StoreUnderTest>): void => {
  const make = async (): Promise<EventStore> => (await makeWithEffects()).store;

  describe(`${name} keeps the EventStore contract`, () => {
    it('reads an unknown stream as empty at version 0', async () => {
      const store = await make();
      expect(await store.read('runbook/none')).toEqual({ version: 0, events: [] });
    });

    it('appends at the expected version and reads back in order', async () => {
      const store = await make();
      const [a, b, c] = [event('x.a'), event('x.b'), event('x.c')];
      await store.append('s/1', 0, [a, b]);
      await store.append('s/1', 2, [c]);
      const read = await store.read('s/1');
      expect(read.version).toBe(3);
      expect(read.events).toEqual([a, b, c]);
    });

    it('reads only the events after a version, with the version of the whole stream', async () => {
      const store = await make();
      const [a, b, c] = [event('x.a'), event('x.b'), event('x.c')];
      await store.append('s/after', 0, [a, b, c]);
      expect(await store.read('s/after', 1)).toEqual({ version: 3, events: [b, c] });
      expect(await store.read('s/after', 3)).toEqual({ version: 3, events: [] });
      expect(await store.read('s/after', 0)).toEqual({ version: 3, events: [a, b, c] });
      expect(await store.read('s/none', 2)).toEqual({ version: 0, events: [] });
    });

    it('rejects an append at a stale version and writes nothing of it', async () => {
      const store = await make();
      await store.append('s/2', 0, [event('x.a')]);
      const stale = store.append('s/2', 0, [event('x.b'), event('x.c')]);
      await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
      expect((await store.read('s/2')).version).toBe(1);
      expect((await store.readAll()).filter((entry) => entry.stream === 's/2')).toHaveLength(1);
    });

    it('lets exactly one of two racing appends win', async () => {
      const store = await make();
      const results = await Promise.allSettled([store.append('s/3', 0, [event('x.a')]), store.append('s/3', 0, [event('x.b')])]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect((await store.read('s/3')).version).toBe(1);
    });

    it('keeps a global log across streams, readable after a position', async () => {
      const store = await make();
      const first = event('x.a');
      const second = event('x.b');
      await store.append('s/4', 0, [first]);
      await store.append('s/5', 0, [second]);
      const all = await store.readAll();
      const mine = all.filter((entry) => entry.stream === 's/4' || entry.stream === 's/5');
      expect(mine.map((entry) => [entry.stream, entry.event.id])).toEqual([
        ['s/4', first.id],
        ['s/5', second.id],
      ]);
      const firstPosition = mine[0]?.position ?? 0;
      expect((await store.readAll(firstPosition)).map((entry) => entry.event.id)).toContain(second.id);
      expect((await store.readAll(firstPosition)).map((entry) => entry.event.id)).not.toContain(first.id);
    });

    it('commits the effects of an append with it, in order, and none of a rejected one', async () => {
      const { store, committedEffects } = await makeWithEffects();
      const line: Effect = { kind: 'deliver', platform: 'console', conversation: { channel: 'C1' }, message: { key: 'k/1', text: ['one'] } };
      const timer: Effect = { kind: 'schedule', timer: 't1', at: '2026-11-23T14:05:00.000Z', payload: { release: 'r-1' } };
      const cancel: Effect = { kind: 'cancel', timer: 't1' };
      await store.append('s/7', 0, [event('x.a')], [line, timer]);
      await expect(store.append('s/7', 0, [event('x.b')], [cancel])).rejects.toBeInstanceOf(ConcurrencyError);
      await store.append('s/7', 1, [event('x.c')]);
      await store.append('s/7', 2, [event('x.d')], [cancel]);
      expect(await committedEffects()).toEqual([line, timer, cancel]);
    });

    it('returns what was stored, not the caller’s objects', async () => {
      const store = await make();
      const original = { ...event('x.a'), data: { list: [1] } };
      await store.append('s/6', 0, [original]);
      original.data.list.push(2);
      expect((await store.read('s/6')).events[0]?.data).toEqual({ list: [1] });
    });
  });
};
