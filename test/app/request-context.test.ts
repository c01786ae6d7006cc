/** Carrying out the same request again (its replica died half-way) records nothing twice; other requests are untouched. */
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/domain/event.js';
import type { Fold } from '../../src/app/aggregate.js';
import { executeAggregate } from '../../src/app/aggregate.js';
import { asRequest } from '../../src/app/request-context.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';

type Noted = NewEvent<'noted', { readonly text: string }>;
const fold: Fold<readonly string[], Noted> = { initial: [], evolve: (state, event) => [...state, event.data.text] };

const setup = () => {
  const store = new MemoryEventStore();
  let id = 0;
  const deps = { store, clock: { now: () => new Date('2026-11-24T10:00:00.000Z') }, ids: { next: () => `id-${(id += 1)}` } };
  const note = (text: string) => executeAggregate(deps, 'notes', fold, (_state, now) => [{ type: 'noted' as const, at: now.toISOString(), actor: 'console:alice', data: { text } }], () => []);
  const texts = async (): Promise<string[]> => (await store.read('notes')).events.map((event) => (event.data as { text: string }).text);
  return { store, note, texts };
};

describe('a request carried out again', () => {
  it('records its appends once, numbered in the order the request makes them', async () => {
    const { store, note, texts } = setup();
    const twoNotes = async (): Promise<void> => {
      await note('first');
      await note('second');
    };
    await asRequest('slack-command-1', twoNotes);
    expect((await store.read('notes')).events.map((event) => event.request)).toEqual(['slack-command-1#1', 'slack-command-1#2']);
    await asRequest('slack-command-1', twoNotes);
    expect(await texts()).toEqual(['first', 'second']);
  });

  it('finishes what the first run did not get to', async () => {
    const { note, texts } = setup();
    // The first run died after its first append.
    await asRequest('slack-command-2', async () => {
      await note('first');
    });
    await asRequest('slack-command-2', async () => {
      await note('first');
      await note('second');
    });
    expect(await texts()).toEqual(['first', 'second']);
  });

  it('leaves other requests, and work outside any request, as they were', async () => {
    const { note, texts } = setup();
    await asRequest('slack-command-3', () => note('same words'));
    await asRequest('slack-command-4', () => note('same words'));
    await note('a timer');
    await note('a timer');
    expect(await texts()).toEqual(['same words', 'same words', 'a timer', 'a timer']);
  });
});
