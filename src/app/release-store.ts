/** Loads release slots and runs release commands against them with optimistic concurrency. */
import type { StoredEvent } from '../domain/event.js';
import type { DomainError } from '../domain/errors.js';
import { fail, isDomainError } from '../domain/errors.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import { evolve, fold } from '../domain/release/state.js';
import type { Runbook } from '../domain/runbook.js';
import type { Effect } from './effects.js';
import type { Clock, EventStore, IdGenerator } from './ports.js';
import { ConcurrencyError } from './ports.js';

export const slotStream = (runbook: string): string => `runbook/${runbook}`;

/** `checkout-deploy-12` → `checkout-deploy`: release ids are `<runbook>-<n>`. */
export const runbookOfRelease = (release: string): string | undefined => /^(.+)-\d+$/.exec(release)?.[1];

export interface Decided {
  readonly slot: ReleaseSlot;
  readonly events: readonly StoredEvent[];
}

/** A decision on a slot at `now`: the events, or why not. */
export type SlotDecision = (slot: ReleaseSlot, now: Date) => readonly ReleaseEvent[] | DomainError;

/** What the appended events make happen, given the slot after them. */
export type SlotEffects = (decided: Decided) => readonly Effect[];

/** How often a command is decided again after losing a race; contention is two people, not two hundred. */
const MAX_ATTEMPTS = 8;

export class ReleaseRepository {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async load(runbook: string): Promise<{ slot: ReleaseSlot; version: number }> {
    const read = await this.store.read(slotStream(runbook));
    return { slot: fold(runbook, read.events as readonly ReleaseEvent[]), version: read.version };
  }

  async slots(runbooks: readonly Runbook[]): Promise<ReleaseSlot[]> {
    return Promise.all(runbooks.map(async (runbook) => (await this.load(runbook.name)).slot));
  }

  async find(runbooks: readonly Runbook[], id: string): Promise<Release | undefined> {
    const name = runbookOfRelease(id);
    if (name === undefined || !runbooks.some((runbook) => runbook.name === name)) return undefined;
    return (await this.load(name)).slot.releases.find((release) => release.id === id);
  }

  /**
   * Decides and appends the events with their effects; on a lost race decides again on fresh state, so a
   * double press counts once. No events (a stale timer) appends nothing.
   */
  async execute(runbook: string, decision: SlotDecision, effects: SlotEffects): Promise<Decided | DomainError> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const { slot, version } = await this.load(runbook);
      const decided = decision(slot, this.clock.now());
      if (isDomainError(decided)) return decided;
      if (decided.length === 0) return { slot, events: [] };
      const events: StoredEvent[] = decided.map((event) => ({ ...event, id: this.ids.next() }));
      const after: Decided = { slot: (events as ReleaseEvent[]).reduce(evolve, slot), events };
      try {
        await this.store.append(slotStream(runbook), version, events, effects(after));
      } catch (error) {
        if (error instanceof ConcurrencyError) continue;
        throw error;
      }
      return after;
    }
    return fail('busy', 'Too many people pressed at once; please try again.');
  }
}

