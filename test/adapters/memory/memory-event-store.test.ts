import { MemoryEventStore } from '../../../src/adapters/memory/memory-event-store.js';
import { eventStoreContract } from '../../support/event-store-contract.js';

eventStoreContract('MemoryEventStore', () => Promise.resolve(new MemoryEventStore()));
