/** What incident events make happen: lines for the responders, updates for stakeholders, DMs, the card, timers. */
import type { StoredEvent } from '../domain/event.js';
import type { IncidentEvent } from '../domain/incident/events.js';
import type { Incident, IncidentBook } from '../domain/incident/state.js';
import type { Executed } from './aggregate.js';
import type { Effect } from './effects.js';
import type { IncidentContext } from './incident-messages.js';
import { incidentCard, incidentCardKey, incidentLine, stakeholderMessage } from './incident-messages.js';

/** Timer payload kinds; each carries the deadline or due time it was set for, so a moved timer is stale. */
export const INCIDENT_TIMERS = {
  warn: 'incident.warn',
  expire: 'incident.expire',
  escalate: 'incident.escalate',
  nudge: 'incident.nudge',
  update: 'incident.update',
  postmortem: 'incident.postmortem',
} as const;

type Which = keyof typeof INCIDENT_TIMERS;

const timerId = (incident: string, which: Which): string => `incident-${incident}-${which}`;

const schedule = (incident: string, which: Which, at: number, field: 'deadline' | 'due', value: string): Effect => ({
  kind: 'schedule',
  timer: timerId(incident, which),
  at: new Date(at).toISOString(),
  payload: { kind: INCIDENT_TIMERS[which], incident, [field]: value },
});

const cancel = (incident: string, ...which: readonly Which[]): Effect[] => which.map((one) => ({ kind: 'cancel', timer: timerId(incident, one) }));

/** A warning or nudge whose moment has already passed (a short extension) is skipped, not sent late. */
const timers = (incident: Incident, event: StoredEvent & IncidentEvent): Effect[] => {
  const { policy } = incident;
  const now = Date.parse(event.at);
  const updates = (next: string | undefined): Effect[] => {
    if (next === undefined) return [];
    const due = Date.parse(next);
    const nudgeAt = due - policy.nudgeBeforeMs;
    return [...(nudgeAt > now ? [schedule(incident.id, 'nudge', nudgeAt, 'due', next)] : []), schedule(incident.id, 'update', due, 'due', next)];
  };
  switch (event.type) {
    case 'incident.declared':
      return updates(incident.nextUpdateAt);
    case 'incident.timer_started':
    case 'incident.timer_extended': {
      const deadline = Date.parse(event.data.deadline);
      const warnAt = deadline - policy.warnBeforeMs;
      return [
        ...(warnAt > now ? [schedule(incident.id, 'warn', warnAt, 'deadline', event.data.deadline)] : cancel(incident.id, 'warn')),
        schedule(incident.id, 'expire', deadline, 'deadline', event.data.deadline),
        schedule(incident.id, 'escalate', deadline + policy.escalateAfterMs, 'deadline', event.data.deadline),
      ];
    }
    case 'incident.decided':
      return cancel(incident.id, 'warn', 'expire', 'escalate');
    case 'incident.update_posted':
      return updates(event.data.next);
    case 'incident.resolved':
      // The draft is due at once; as a timer it is shared even if this process dies right after the resolution.
      return [...cancel(incident.id, 'warn', 'expire', 'escalate', 'nudge', 'update'), { kind: 'schedule', timer: timerId(incident.id, 'postmortem'), at: event.at, payload: { kind: INCIDENT_TIMERS.postmortem, incident: incident.id, why: 'resolved' } }];
    default:
      return [];
  }
};

/** Escalation also reaches each person directly, where the platform has direct messages (a Slack user id is one). */
const directMessages = (incident: Incident, event: StoredEvent & IncidentEvent, line: string, ctx: IncidentContext): Effect[] => {
  if (event.type !== 'incident.escalated' || event.data.escalation === undefined || incident.platform !== 'slack') return [];
  return ctx
    .members(event.data.escalation)
    .filter((person) => person.startsWith('slack:'))
    .map((person) => ({
      kind: 'deliver',
      platform: incident.platform,
      conversation: { channel: person.slice('slack:'.length) },
      message: { key: `incident/${incident.id}/escalation/${event.id}/${person}`, text: [line] },
    }));
};

/**
 * Every effect of the appended incident events, in order; `context` gives each incident its rendering context
 * (names, zone, its release).
 */
export const incidentEffects = (executed: Executed<IncidentBook>, context: (incident: Incident) => IncidentContext): Effect[] => {
  const effects: Effect[] = [];
  const touched: Incident[] = [];
  for (const event of executed.events as readonly (StoredEvent & IncidentEvent)[]) {
    const incident = executed.state.incidents.find((candidate) => candidate.id === event.data.incident);
    if (!incident) continue;
    if (!touched.includes(incident)) touched.push(incident);
    const ctx = context(incident);
    const conversation = { channel: incident.channel };
    const line = incidentLine(incident, event, ctx);
    if (line) {
      const message = { key: `incident/${incident.id}/event/${event.id}`, text: [line] };
      // The declaration is the channel's heads-up; what follows goes to the card's thread.
      effects.push({ kind: 'deliver', platform: incident.platform, conversation, message, ...(event.type === 'incident.declared' ? {} : { thread: incidentCardKey(incident.id) }) });
      effects.push(...directMessages(incident, event, line, ctx));
    }
    if (event.type === 'incident.postmortem_drafted' && ctx.postmortem !== undefined) {
      effects.push({
        kind: 'deliver',
        platform: incident.platform,
        conversation,
        thread: incidentCardKey(incident.id),
        message: {
          key: `incident/${incident.id}/postmortem/${event.id}`,
          text: [`The post-mortem draft for ${incident.id} (${incident.title}), built from the recorded timeline: fill in root cause, trigger and owners, then share it.`],
          file: { name: event.data.file, title: `Post-mortem draft: ${incident.title} (${incident.id})`, content: ctx.postmortem },
        },
      });
    }
    const forStakeholders = stakeholderMessage(incident, event, ctx);
    if (forStakeholders) effects.push({ kind: 'deliver', platform: incident.platform, conversation: { channel: incident.stakeholders ?? incident.channel }, message: forStakeholders });
    effects.push(...timers(incident, event));
  }
  for (const incident of touched) {
    effects.push({ kind: 'deliver', platform: incident.platform, conversation: { channel: incident.channel }, message: incidentCard(incident, context(incident)) });
  }
  return effects;
};
