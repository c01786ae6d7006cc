import type { Effect } from '../../../src/app/effects.js';
import { MemoryEventStore } from '../../../src/adapters/memory/memory-event-store.js';
import { eventStoreContract } from '../../support/event-store-contract.js';

eventStoreContract('MemoryEventStore', () => {
  const committed: Effect[] = [];
  const store = new MemoryEventStore((effects) => {
    committed.push(...effects);
    return Promise.resolve();
  });
  return Promise.resolve({ store, committedEffects: () => Promise.resolve(committed) });
});
