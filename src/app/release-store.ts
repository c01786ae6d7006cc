/** Loads release slots and runs release commands against them with optimistic concurrency. */
import type { StoredEvent } from '../domain/event.js';
import type { DomainError } from '../domain/errors.js';
import { isDomainError } from '../domain/errors.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import { emptySlot, evolve } from '../domain/release/state.js';
import type { Runbook } from '../domain/runbook.js';
import type { AggregateDeps, Fold } from './aggregate.js';
import { executeAggregate, loadAggregate } from './aggregate.js';
import type { Effect } from './effects.js';

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

/** The release slot of one runbook as a fold. */
const slotFold = (runbook: string): Fold<ReleaseSlot, ReleaseEvent> => ({ initial: emptySlot(runbook), evolve });

export class ReleaseRepository {
  constructor(private readonly deps: AggregateDeps) {}

  async load(runbook: string): Promise<{ slot: ReleaseSlot; version: number }> {
    const { state, version } = await loadAggregate(this.deps, slotStream(runbook), slotFold(runbook));
    return { slot: state, version };
  }

  async slots(runbooks: readonly Runbook[]): Promise<ReleaseSlot[]> {
    return Promise.all(runbooks.map(async (runbook) => (await this.load(runbook.name)).slot));
  }

  async find(runbooks: readonly Runbook[], id: string): Promise<Release | undefined> {
    const name = runbookOfRelease(id);
    if (name === undefined || !runbooks.some((runbook) => runbook.name === name)) return undefined;
    return (await this.load(name)).slot.releases.find((release) => release.id === id);
  }

  /** Decides on the runbook's slot and appends the events with their effects (see executeAggregate). */
  async execute(runbook: string, decision: SlotDecision, effects: SlotEffects): Promise<Decided | DomainError> {
    const executed = await executeAggregate(this.deps, slotStream(runbook), slotFold(runbook), decision, ({ state, events }) => effects({ slot: state, events }));
    return isDomainError(executed) ? executed : { slot: executed.state, events: executed.events };
  }
}
