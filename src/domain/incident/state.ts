/** All incidents: the fold of the `incidents` stream. Ids are `inc-<n>`, numbered in declaration order. */
import type { Principal } from '../principal.js';
import type { IncidentEvent, IncidentPolicy, PostmortemOccasion, Severity } from './events.js';

export interface DecisionTimer {
  readonly deadline: string;
  readonly warned: boolean;
  readonly expired: boolean;
  readonly escalated: boolean;
}

export interface Extension {
  readonly at: string;
  readonly by: Principal | null;
  readonly reason: string;
  readonly deadline: string;
}

export interface Decision {
  readonly decision: 'rollback' | 'fixed';
  readonly at: string;
  readonly by: Principal | null;
  readonly reason?: string;
}

export interface StakeholderUpdate {
  readonly at: string;
  readonly by: Principal | null;
  readonly text: string;
  readonly auto: boolean;
}

export interface Incident {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly lead: Principal;
  readonly declaredBy: Principal | null;
  readonly declaredAt: string;
  readonly release?: string;
  readonly channel: string;
  readonly platform: string;
  readonly stakeholders?: string;
  readonly escalation?: string;
  readonly policy: IncidentPolicy;
  readonly status: 'open' | 'resolved';
  /** The decision timer, while nobody has decided. */
  readonly timer?: DecisionTimer;
  readonly extensions: readonly Extension[];
  readonly decision?: Decision;
  /** When the next stakeholder update is due, while updates run. */
  readonly nextUpdateAt?: string;
  readonly nudged: boolean;
  readonly updates: readonly StakeholderUpdate[];
  readonly resolvedAt?: string;
  readonly resolvedBy?: Principal | null;
  readonly summary?: string;
  /** Why the post-mortem draft was shared, each time. */
  readonly drafts: readonly PostmortemOccasion[];
}

export interface IncidentBook {
  /** Oldest first. */
  readonly incidents: readonly Incident[];
}

export const emptyBook: IncidentBook = { incidents: [] };

export const isOpen = (incident: Pick<Incident, 'status'>): boolean => incident.status === 'open';

const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** The next update after one at `at`, if this incident has a cadence. */
export const nextUpdate = (policy: IncidentPolicy, at: string): string | undefined =>
  policy.updatesEveryMs === undefined ? undefined : plus(at, policy.updatesEveryMs);

const withNextUpdate = (incident: Incident, next: string | undefined): Incident => {
  const { nextUpdateAt: _old, ...rest } = incident;
  return { ...rest, nudged: false, ...(next === undefined ? {} : { nextUpdateAt: next }) };
};

const withoutTimer = (incident: Incident): Incident => {
  const { timer: _timer, ...rest } = incident;
  return rest;
};

const evolveIncident = (incident: Incident, event: IncidentEvent): Incident => {
  switch (event.type) {
    case 'incident.declared':
      return incident;
    case 'incident.lead_changed':
      return { ...incident, lead: event.data.lead };
    case 'incident.timer_started':
      return { ...incident, timer: { deadline: event.data.deadline, warned: false, expired: false, escalated: false } };
    case 'incident.timer_warned':
      return incident.timer ? { ...incident, timer: { ...incident.timer, warned: true } } : incident;
    case 'incident.timer_expired':
      return incident.timer ? { ...incident, timer: { ...incident.timer, expired: true } } : incident;
    case 'incident.timer_extended':
      return {
        ...incident,
        timer: { deadline: event.data.deadline, warned: false, expired: false, escalated: false },
        extensions: [...incident.extensions, { at: event.at, by: event.actor, reason: event.data.reason, deadline: event.data.deadline }],
      };
    case 'incident.escalated':
      return incident.timer ? { ...incident, timer: { ...incident.timer, escalated: true } } : incident;
    case 'incident.decided':
      return {
        ...withoutTimer(incident),
        decision: { decision: event.data.decision, at: event.at, by: event.actor, ...(event.data.reason === undefined ? {} : { reason: event.data.reason }) },
      };
    case 'incident.update_nudged':
      return { ...incident, nudged: true };
    case 'incident.note_added':
      // The stream keeps notes for the timeline; nothing the rules decide on depends on them.
      return incident;
    case 'incident.update_posted':
      return withNextUpdate({ ...incident, updates: [...incident.updates, { at: event.at, by: event.actor, text: event.data.text, auto: event.data.auto }] }, event.data.next);
    case 'incident.postmortem_drafted':
      return { ...incident, drafts: [...incident.drafts, event.data.why] };
    case 'incident.resolved': {
      const { nextUpdateAt: _next, ...rest } = withoutTimer(incident);
      return { ...rest, status: 'resolved', resolvedAt: event.at, resolvedBy: event.actor, ...(event.data.summary === undefined ? {} : { summary: event.data.summary }) };
    }
  }
};

const declared = (event: Extract<IncidentEvent, { type: 'incident.declared' }>): Incident => {
  const { data } = event;
  const next = nextUpdate(data.policy, event.at);
  return {
    id: data.incident,
    title: data.title,
    severity: data.severity,
    lead: data.lead,
    declaredBy: event.actor,
    declaredAt: event.at,
    ...(data.release === undefined ? {} : { release: data.release }),
    channel: data.channel,
    platform: data.platform,
    ...(data.stakeholders === undefined ? {} : { stakeholders: data.stakeholders }),
    ...(data.escalation === undefined ? {} : { escalation: data.escalation }),
    policy: data.policy,
    status: 'open',
    extensions: [],
    nudged: false,
    updates: [],
    drafts: [],
    ...(next === undefined ? {} : { nextUpdateAt: next }),
  };
};

export const evolve = (book: IncidentBook, event: IncidentEvent): IncidentBook => {
  if (event.type === 'incident.declared') return { incidents: [...book.incidents, declared(event)] };
  const id = event.data.incident;
  return { incidents: book.incidents.map((incident) => (incident.id === id ? evolveIncident(incident, event) : incident)) };
};

/**
 * What `events.reduce(evolve, emptyBook)` gives, in one pass: `evolve` copies the list of incidents for every event,
 * which over a whole stream is events × incidents (a thousand incidents made every read fold millions of copies).
 */
export const fold = (events: readonly IncidentEvent[]): IncidentBook => {
  const incidents: Incident[] = [];
  const index = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'incident.declared') {
      index.set(event.data.incident, incidents.length);
      incidents.push(declared(event));
      continue;
    }
    const at = index.get(event.data.incident);
    const incident = at === undefined ? undefined : incidents[at];
    if (at !== undefined && incident !== undefined) incidents[at] = evolveIncident(incident, event);
  }
  return { incidents };
};
