/** The read side of incidents for the JSON API: summaries newest first, and one incident with its timeline. */
import type { StoredEvent } from '../domain/event.js';
import type { IncidentEvent } from '../domain/incident/events.js';
import type { Incident } from '../domain/incident/state.js';
import { fold } from '../domain/incident/state.js';
import { INCIDENTS_STREAM } from './incidents.js';
import type { EventStore } from './ports.js';
import type { PublicEvent } from './release-queries.js';
import { publicEvent } from './release-queries.js';

export interface IncidentSummary {
  readonly id: string;
  readonly title: string;
  readonly severity: number;
  readonly status: Incident['status'];
  readonly lead: string;
  readonly release?: string;
  readonly declaredAt: string;
  readonly deadline?: string;
  readonly decision?: Incident['decision'];
  readonly nextUpdateAt?: string;
  readonly resolvedAt?: string;
}

export type IncidentDetail = Incident & { readonly events: readonly PublicEvent[] };

export interface IncidentQueries {
  list(): Promise<IncidentSummary[]>;
  get(id: string): Promise<IncidentDetail | undefined>;
  /** Every incident in full, oldest first: for the status page. */
  all(): Promise<readonly Incident[]>;
}

const summary = (incident: Incident): IncidentSummary => ({
  id: incident.id,
  title: incident.title,
  severity: incident.severity,
  status: incident.status,
  lead: incident.lead,
  declaredAt: incident.declaredAt,
  ...(incident.release === undefined ? {} : { release: incident.release }),
  ...(incident.timer === undefined ? {} : { deadline: incident.timer.deadline }),
  ...(incident.decision === undefined ? {} : { decision: incident.decision }),
  ...(incident.nextUpdateAt === undefined ? {} : { nextUpdateAt: incident.nextUpdateAt }),
  ...(incident.resolvedAt === undefined ? {} : { resolvedAt: incident.resolvedAt }),
});

/** `inc-10` after `inc-9`. */
const number = (id: string): number => Number(id.slice('inc-'.length));

export const createIncidentQueries = (store: EventStore): IncidentQueries => {
  const read = async (): Promise<{ incidents: readonly Incident[]; events: readonly StoredEvent[] }> => {
    const { events } = await store.read(INCIDENTS_STREAM);
    return { incidents: fold(events as unknown as readonly IncidentEvent[]).incidents, events };
  };
  return {
    async list() {
      return (await read()).incidents.map(summary).sort((a, b) => number(b.id) - number(a.id));
    },
    async get(id) {
      const { incidents, events } = await read();
      const incident = incidents.find((candidate) => candidate.id === id);
      if (!incident) return undefined;
      return { ...incident, events: events.filter((event) => (event.data as { incident?: string }).incident === id).map(publicEvent) };
    },
    async all() {
      return (await read()).incidents;
    },
  };
};
