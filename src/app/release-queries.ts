/** The read side of releases for the JSON API: summaries newest first, and one release with its timeline. */
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release, ReleaseSlot, ReleaseStatus } from '../domain/release/state.js';
import { currentStep, fold } from '../domain/release/state.js';
import type { EventStore } from './ports.js';
import { runbookOfRelease, slotStream } from './release-store.js';

export interface ReleaseSummary {
  readonly id: string;
  readonly runbook: string;
  readonly title: string;
  readonly status: ReleaseStatus;
  readonly driver: Principal;
  readonly confirmer: Principal;
  readonly channel: string;
  readonly startedAt: string;
  readonly endedAt?: string;
  /** The id of the step being worked on, while the release runs. */
  readonly currentStep?: string;
  /** The runbook's environment it runs in, when the runbook has environments. */
  readonly environment?: string;
  /** A rollback drill: its steps are the runbook's rollbacks. */
  readonly drill?: true;
}

/** An event as DESIGN.md publishes it, whatever else a store keeps beside it. */
export interface PublicEvent {
  readonly id: string;
  readonly type: string;
  readonly at: string;
  readonly actor: Principal | null;
  readonly data: unknown;
}

export type ReleaseDetail = Release & { readonly events: readonly PublicEvent[] };

export interface ReleaseQueries {
  /** Every release of every configured runbook, newest first. */
  list(): Promise<ReleaseSummary[]>;
  /** One release with its events in order; undefined when no configured runbook has it. */
  get(id: string): Promise<ReleaseDetail | undefined>;
}

const summary = (release: Release): ReleaseSummary => {
  // Before the preflight is through, the first pending step is only the next one, not the current one.
  const step = release.status === 'running' ? currentStep(release) : undefined;
  return {
    id: release.id,
    runbook: release.runbook,
    title: release.title,
    status: release.status,
    driver: release.driver,
    confirmer: release.confirmer,
    channel: release.channel,
    startedAt: release.startedAt,
    ...(release.endedAt === undefined ? {} : { endedAt: release.endedAt }),
    ...(step === undefined ? {} : { currentStep: step.id }),
    ...(release.environment === undefined ? {} : { environment: release.environment }),
    ...(release.drill ? { drill: true as const } : {}),
  };
};

export const publicEvent = (event: StoredEvent): PublicEvent => ({ id: event.id, type: event.type, at: event.at, actor: event.actor, data: event.data });

/** `release.unlocked` names only the runbook, so it belongs to no release; every other event names its release. */
const belongsTo = (event: StoredEvent, id: string): boolean =>
  typeof event.data === 'object' && event.data !== null && 'release' in event.data && event.data.release === id;

/** `checkout-deploy-10` after `checkout-deploy-9`: release numbers compare as numbers. */
const newestFirst = (a: ReleaseSummary, b: ReleaseSummary): number =>
  b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id, 'en', { numeric: true });

export const createReleaseQueries = (store: EventStore, runbooks: () => readonly string[]): ReleaseQueries => {
  // One read serves both the fold and the event list, so a detail never shows events its state lacks.
  const readSlot = async (runbook: string): Promise<{ slot: ReleaseSlot; events: readonly StoredEvent[] }> => {
    const { events } = await store.read(slotStream(runbook));
    return { slot: fold(runbook, events as readonly ReleaseEvent[]), events };
  };

  return {
    async list() {
      const slots = await Promise.all(runbooks().map(async (runbook) => (await readSlot(runbook)).slot));
      return slots.flatMap((slot) => slot.releases.map(summary)).sort(newestFirst);
    },

    async get(id) {
      const runbook = runbookOfRelease(id);
      // Only configured runbooks: an id never makes the API read a stream it would not list.
      if (runbook === undefined || !runbooks().includes(runbook)) return undefined;
      const { slot, events } = await readSlot(runbook);
      const release = slot.releases.find((candidate) => candidate.id === id);
      if (release === undefined) return undefined;
      return { ...release, events: events.filter((event) => belongsTo(event, id)).map(publicEvent) };
    },
  };
};
