/** Post-mortem drafts from the event store: the incident, its release and the release's window, read and drafted. */
import { createIncidentQueries } from './incident-queries.js';
import type { EventStore } from './ports.js';
import type { PostmortemSource } from './postmortem.js';
import { postmortemDraft } from './postmortem.js';
import type { CardContext } from './release-card.js';
import { createReleaseQueries } from './release-queries.js';
import { createWindowQueries } from './window-queries.js';

export interface Postmortems {
  /** The draft for this incident as of now; undefined when there is no such incident. */
  draft(incident: string): Promise<string | undefined>;
  /** The draft for a release rolled back without an incident. */
  releaseDraft(release: string): Promise<string | undefined>;
}

/** `runbooks`: the configured runbook names (only their streams are read). */
export const createPostmortems = (store: EventStore, runbooks: () => readonly string[], card: CardContext): Postmortems => {
  const incidents = createIncidentQueries(store);
  const releases = createReleaseQueries(store, runbooks);
  const windows = createWindowQueries(store);
  const source = async (id: string): Promise<PostmortemSource | undefined> => {
    const incident = await incidents.get(id);
    if (!incident) return undefined;
    const release = incident.release === undefined ? undefined : await releases.get(incident.release);
    const window = release?.window === undefined ? undefined : await windows.get(release.window);
    return { incident, ...(release ? { release } : {}), ...(window ? { window } : {}) };
  };
  return {
    releaseDraft: async (id) => {
      const release = await releases.get(id);
      if (!release) return undefined;
      const window = release.window === undefined ? undefined : await windows.get(release.window);
      return postmortemDraft({ release, ...(window ? { window } : {}) }, card);
    },
    draft: async (id) => {
      const found = await source(id);
      return found && postmortemDraft(found, card);
    },
  };
};
