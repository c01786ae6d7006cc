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
  /** The same as reducing a whole stream with `evolve` from `initial`, when there is a faster way. */
  readonly all?: (events: readonly Event[]) => State;
}

const foldAll = <State, Event extends NewEvent>(fold: Fold<State, Event>, events: readonly StoredEvent[]): State =>
  fold.all ? fold.all(events as unknown as readonly Event[]) : (events as unknown as readonly Event[]).reduce(fold.evolve, fold.initial);

export interface Executed<State> {
  readonly state: State;
  readonly events: readonly StoredEvent[];
}

export interface AggregateDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Folded states kept between commands, so each reads and folds only the events since; none: fold every time. */
  readonly cache?: StateCache;
}

/** How often a command is decided again after losing a race; contention is two people, not two hundred. */
const MAX_ATTEMPTS = 8;

interface Folded {
  readonly version: number;
  /** The id of the stream's event at `version`. */
  readonly lastId: string;
  readonly state: unknown;
  /** The fold it was made with: a stream is folded one way, but a different fold must not take its state. */
  readonly evolve: unknown;
  /** The request keys of the stream's events (see request-context.ts); only ever grows, with keys that are there. */
  readonly requests: Set<string>;
}

/** A stream's state as of `version`, and whether a request key is among its events. */
export interface Loaded<State> {
  readonly state: State;
  readonly version: number;
  readonly recorded: (request: string) => boolean;
}

/**
 * The last folded state of each stream in this process. Another replica's appends are read (only they) before every
 * decision, and the append's expected version still guards against a race, so a stale entry costs a retry, never a
 * wrong decision. State objects are never mutated (evolve returns new ones), so they can be shared.
 */
export class StateCache {
  private readonly streams = new Map<string, Folded>();

  async load<State, Event extends NewEvent>(store: EventStore, stream: string, fold: Fold<State, Event>): Promise<Loaded<State>> {
    const cached = this.streams.get(stream);
    const from = cached?.evolve === fold.evolve && cached.version > 0 ? cached : undefined;
    // From the last event it folded, to check that it is still there: the stream is the one this process saw.
    const read = await store.read(stream, from === undefined ? 0 : from.version - 1);
    const seen = from === undefined ? undefined : read.events[0];
    const news = from === undefined ? read.events : read.events.slice(1);
    if (from !== undefined && (seen?.id !== from.lastId || read.version !== from.version + news.length)) {
      // Redis lost or replaced its data: start again from the stream's first event.
      this.streams.delete(stream);
      return this.load(store, stream, fold);
    }
    const requests = from?.requests ?? new Set<string>();
    for (const event of news) if (event.request !== undefined) requests.add(event.request);
    const state = from === undefined ? foldAll(fold, news) : (news as unknown as readonly Event[]).reduce(fold.evolve, from.state as State);
    const lastId = news.at(-1)?.id ?? from?.lastId ?? '';
    const latest = this.streams.get(stream);
    if (latest === undefined || latest.evolve !== fold.evolve || latest.version < read.version) this.streams.set(stream, { version: read.version, lastId, state, evolve: fold.evolve, requests });
    return { state, version: read.version, recorded: (request) => requests.has(request) };
  }

  /** Forgets a stream: the next load folds it from its first event. */
  forget(stream: string): void {
    this.streams.delete(stream);
  }
}

/** Folds the whole stream, every time: where no cache is kept. */
const loadFresh = async <State, Event extends NewEvent>(store: EventStore, stream: string, fold: Fold<State, Event>): Promise<Loaded<State>> => {
  const read = await store.read(stream);
  return {
    state: foldAll(fold, read.events),
    version: read.version,
    recorded: (request) => read.events.some((event) => event.request === request),
  };
};

export const loadAggregate = async <State, Event extends NewEvent>(deps: Pick<AggregateDeps, 'store' | 'cache'>, stream: string, fold: Fold<State, Event>): Promise<{ state: State; version: number }> => {
  // The stream holds only this aggregate's events: what was appended through its own decisions.
  const { state, version } = deps.cache ? await deps.cache.load(deps.store, stream, fold) : await loadFresh(deps.store, stream, fold);
  return { state, version };
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
    const { state, version, recorded } = deps.cache ? await deps.cache.load(deps.store, stream, fold) : await loadFresh(deps.store, stream, fold);
    // This request ran before and recorded this (its process died before it could finish): once is enough.
    if (request !== undefined && recorded(request)) return { state, events: [] };
    const decided = decision(state, deps.clock.now());
    if (isDomainError(decided)) return decided;
    if (decided.length === 0) return { state, events: [] };
    const events: StoredEvent[] = decided.map((event) => ({ ...event, id: deps.ids.next(), ...(request === undefined ? {} : { request }) }));
    const executed: Executed<State> = { state: (events as unknown as Event[]).reduce(fold.evolve, state), events };
    try {
      await deps.store.append(stream, version, events, effects(executed));
    } catch (error) {
      if (error instanceof ConcurrencyError) continue;
      throw error;
    }
    return executed;
  }
  return fail('busy', 'Too many people pressed at once; please try again.');
};
