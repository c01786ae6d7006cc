/** Loading an aggregate from its stream and running a decision on it with optimistic concurrency: one way for all. */
import type { NewEvent, StoredEvent } from '../domain/event.js';
import type { DomainError } from '../domain/errors.js';
import { fail, isDomainError } from '../domain/errors.js';
import type { Effect } from './effects.js';
import type { Clock, EventStore, IdGenerator } from './ports.js';
import { ConcurrencyError } from './ports.js';
import { nextRequestKey } from './request-context.js';

/** How a stream folds into state. */
export interface Fold<State, Event extends NewEvent> {
  readonly initial: State;
  readonly evolve: (state: State, event: Event) => State;
}

export interface Executed<State> {
  readonly state: State;
  readonly events: readonly StoredEvent[];
}

export interface AggregateDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** How often a command is decided again after losing a race; contention is two people, not two hundred. */
const MAX_ATTEMPTS = 8;

export const loadAggregate = async <State, Event extends NewEvent>(store: EventStore, stream: string, fold: Fold<State, Event>): Promise<{ state: State; version: number }> => {
  const read = await store.read(stream);
  // The stream holds only this aggregate's events: what was appended through its own decisions.
  return { state: (read.events as unknown as readonly Event[]).reduce(fold.evolve, fold.initial), version: read.version };
};

/**
 * Decides on the stream's current state and appends the events with their effects; on a lost race decides again on
 * fresh state, so a double press counts once. No events (a stale timer) appends nothing.
 */
export const executeAggregate = async <State, Event extends NewEvent>(
  deps: AggregateDeps,
  stream: string,
  fold: Fold<State, Event>,
  decision: (state: State, now: Date) => readonly Event[] | DomainError,
  effects: (executed: Executed<State>) => readonly Effect[],
): Promise<Executed<State> | DomainError> => {
  // Taken once, before any attempt: a lost race decides again for the same append.
  const request = nextRequestKey();
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const read = await deps.store.read(stream);
    const state = (read.events as unknown as readonly Event[]).reduce(fold.evolve, fold.initial);
    // This request ran before and recorded this (its process died before it could finish): once is enough.
    if (request !== undefined && read.events.some((event) => event.request === request)) return { state, events: [] };
    const decided = decision(state, deps.clock.now());
    if (isDomainError(decided)) return decided;
    if (decided.length === 0) return { state, events: [] };
    const events: StoredEvent[] = decided.map((event) => ({ ...event, id: deps.ids.next(), ...(request === undefined ? {} : { request }) }));
    const executed: Executed<State> = { state: (events as unknown as Event[]).reduce(fold.evolve, state), events };
    try {
      await deps.store.append(stream, read.version, events, effects(executed));
    } catch (error) {
      if (error instanceof ConcurrencyError) continue;
      throw error;
    }
    return executed;
  }
  return fail('busy', 'Too many people pressed at once; please try again.');
};
