/** Incidents as people see them: the responders' card and timeline, and plain-language stakeholder updates. */
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { IncidentEvent } from '../domain/incident/events.js';
import type { Incident } from '../domain/incident/state.js';
import type { Principal } from '../domain/principal.js';
import type { Release } from '../domain/release/state.js';
import { rollbackCost } from '../domain/release/state.js';
import type { Button, Message } from './message.js';
import { personMark } from './message.js';
import type { CardContext } from './release-card.js';
import { rollbackCostWords } from './release-card-lines.js';
import { showTime } from './time-format.js';

export const INCIDENT_ACTIONS = {
  rollback: 'incident_rollback',
  extend: 'incident_extend',
  fixed: 'incident_fixed',
  resolve: 'incident_resolve',
} as const;

export const incidentCardKey = (incident: string): string => `incident/${incident}/card`;

export interface IncidentContext extends CardContext {
  /** Now, for "in 20 minutes" and durations so far. */
  readonly now: Date;
  /** The release the incident is about, as it is now, if any. */
  readonly release?: Release;
  /** The maintenance window that release runs in, if any and not over: a rollback should end inside it. */
  readonly window?: { readonly id: string; readonly end: string };
  /** Members of a group, for escalation. */
  readonly members: (group: string) => readonly Principal[];
  /** The post-mortem draft being shared, when a decision shares it. */
  readonly postmortem?: string;
}

const minutesUntil = (iso: string, now: Date): string => {
  const ms = Date.parse(iso) - now.getTime();
  return ms > 0 ? `in ${formatDuration(Math.ceil(ms / 60_000) * 60_000)}` : `${formatDuration(Math.floor(-ms / 60_000) * 60_000 || 60_000)} ago`;
};

const button = (actionId: string, label: string, incident: string, style?: Button['style']): Button => ({
  actionId,
  label,
  value: JSON.stringify({ incident }),
  ...(style ? { style } : {}),
});

/** What rolling back the release costs now, in words (a rollback measured in a drill says so), or nothing without a release. */
export const rollbackCostText = (release: Release | undefined, zone: string): string | undefined => {
  if (!release) return undefined;
  const touched = release.steps.filter((step) => step.status !== 'pending');
  const last = touched[touched.length - 1];
  if (!last) return `Nothing of ${release.id} has started: rolling back costs nothing.`;
  const cost = rollbackCost(release, last.id);
  const pastNoReturn = touched.find((step) => step.irreversible);
  // The total follows, so a guess is left out; a measured duration is worth saying.
  const undo = cost.steps.map((step) => (step.rollback ? rollbackCostWords(step.rollback, zone, { guess: false }) : step.id)).join(', then ');
  return `Rolling back ${release.id} means ${undo || 'no planned rollback'}: about ${formatDuration(cost.totalMs)}${pastNoReturn ? ` (past the point of no return at ${pastNoReturn.id})` : ''}.`;
};

/**
 * The last moment to start rolling back so that the rollback is done by the end of the release's maintenance
 * window, in words; once it has passed, what that means. Nothing without a window or before any step started.
 */
export const lastSafeText = (ctx: IncidentContext): string | undefined => {
  const { release, window } = ctx;
  const last = release?.steps.filter((step) => step.status !== 'pending').at(-1);
  if (!release || !window || !last) return undefined;
  const cost = rollbackCost(release, last.id);
  const costMs = cost.totalMs;
  const measured = cost.steps.filter((step) => step.rollback?.measured).length;
  const how = measured === 0 ? '' : measured === cost.steps.length ? ', as measured in drills' : ', partly measured in drills';
  const safe = new Date(Date.parse(window.end) - costMs).toISOString();
  const end = showTime(window.end, ctx.zone, ctx.now.toISOString());
  return Date.parse(safe) > ctx.now.getTime()
    ? `To be rolled back within ${window.id} (ends ${end}), start the rollback by ${showTime(safe, ctx.zone, ctx.now.toISOString())}.`
    : `A rollback started now (about ${formatDuration(costMs)}${how}) ends after ${window.id} (${end}): extend the window with a reason, /maintenance extend ${window.id} <duration> <reason>`;
};

/** The responders' card: who leads, the decision and its deadline, the update schedule; buttons while undecided. */
export const incidentCard = (incident: Incident, ctx: IncidentContext): Message => {
  const head = `Severity ${incident.severity}, led by ${ctx.name(incident.lead)}${incident.release ? `, about ${incident.release}` : ''}.`;
  const lines: string[] = [head];
  const buttons: Button[] = [];
  if (incident.status === 'resolved') {
    lines.push(`Resolved at ${showTime(incident.resolvedAt ?? '', ctx.zone)} after ${formatDuration(Date.parse(incident.resolvedAt ?? '') - Date.parse(incident.declaredAt))}${incident.summary ? `: ${incident.summary}` : '.'}`);
  } else {
    if (incident.timer) {
      const { deadline } = incident.timer;
      lines.push(`Decide by ${showTime(deadline, ctx.zone)} (${minutesUntil(deadline, ctx.now)}): fix or roll back? Extensions used: ${incident.extensions.length} of ${incident.policy.maxExtensions}.`);
      const cost = rollbackCostText(ctx.release, ctx.zone);
      if (cost) lines.push(cost);
      const safe = lastSafeText(ctx);
      if (safe) lines.push(safe);
      buttons.push(button(INCIDENT_ACTIONS.rollback, 'Roll back', incident.id, 'danger'), button(INCIDENT_ACTIONS.extend, 'Extend', incident.id), button(INCIDENT_ACTIONS.fixed, 'Fixed', incident.id, 'primary'));
    }
    if (incident.nextUpdateAt) lines.push(`Next stakeholder update at ${showTime(incident.nextUpdateAt, ctx.zone)}.`);
    buttons.push(button(INCIDENT_ACTIONS.resolve, 'Resolve', incident.id));
  }
  if (incident.decision) {
    const { decision, by, at, reason } = incident.decision;
    lines.push(`Decided at ${showTime(at, ctx.zone)}${by ? ` by ${ctx.name(by)}` : ''}: ${decision === 'rollback' ? 'roll back' : 'fixed'}${reason ? ` (${reason})` : ''}.`);
  }
  return { key: incidentCardKey(incident.id), title: `${incident.id}: ${incident.title}`, text: lines, ...(buttons.length > 0 ? { buttons } : {}) };
};

/** The current state in plain language, for an update nobody wrote. */
export const stateInWords = (incident: Incident, ctx: IncidentContext): string => {
  const since = formatDuration(Math.floor((ctx.now.getTime() - Date.parse(incident.declaredAt)) / 60_000) * 60_000 || 60_000);
  const decision = incident.decision
    ? `The team decided to ${incident.decision.decision === 'rollback' ? 'roll back' : 'keep the fix'} at ${showTime(incident.decision.at, ctx.zone)}.`
    : incident.timer
      ? `A decision on fixing or rolling back is due at ${showTime(incident.timer.deadline, ctx.zone)}.`
      : '';
  return `Still working on it (open for ${since}, led by ${ctx.name(incident.lead)}). ${decision}`.trim();
};

/** For the responders: conditions, actions, needs. */
export const responderReport = (incident: Incident, ctx: IncidentContext): string => {
  const open = formatDuration(Math.floor((ctx.now.getTime() - Date.parse(incident.declaredAt)) / 60_000) * 60_000 || 60_000);
  const release = ctx.release ? `, ${ctx.release.id} ${ctx.release.status.replace('_', ' ')}` : '';
  const actions = incident.decision
    ? `decided ${incident.decision.decision === 'rollback' ? 'to roll back' : 'fixed'} at ${showTime(incident.decision.at, ctx.zone)}`
    : incident.extensions.length > 0
      ? `${incident.extensions.length} extension(s), the last: ${incident.extensions[incident.extensions.length - 1]?.reason ?? ''}`
      : 'no decision yet';
  const needs = incident.timer ? `a decision by ${showTime(incident.timer.deadline, ctx.zone)}` : incident.nextUpdateAt ? `the next update by ${showTime(incident.nextUpdateAt, ctx.zone)}` : 'nothing';
  return `Conditions: open ${open}, severity ${incident.severity}${release}. Actions: ${actions}. Needs: ${needs}.`;
};

/** One line per event for the responders (undefined: nothing to say there). */
export const incidentLine = (incident: Incident, event: StoredEvent & IncidentEvent, ctx: IncidentContext): string | undefined => {
  const actor = event.actor ? ctx.name(event.actor) : 'Plan B';
  const lead = personMark(incident.lead, ctx.name(incident.lead));
  switch (event.type) {
    case 'incident.declared':
      return `${actor} opened ${incident.id} (severity ${incident.severity}): ${incident.title}. ${ctx.name(incident.lead)} leads; decide by ${showTime(incident.timer?.deadline ?? event.at, ctx.zone)}.`;
    case 'incident.lead_changed':
      return `${actor} handed ${incident.id} to ${lead}.`;
    case 'incident.timer_started':
      return undefined;
    case 'incident.timer_warned':
      return `${lead}: ${minutesUntil(event.data.deadline, ctx.now)} the decision on ${incident.id} is due: fix or roll back? ${lastSafeText(ctx) ?? ''}`.trim();
    case 'incident.timer_expired':
      return [`${lead}: time is up on ${incident.id}. Fix or roll back?`, rollbackCostText(ctx.release, ctx.zone), lastSafeText(ctx)].filter((part) => part !== undefined).join(' ');
    case 'incident.timer_extended':
      return `${actor} extended ${incident.id} to ${showTime(event.data.deadline, ctx.zone)} (extension ${event.data.extension} of ${incident.policy.maxExtensions}): ${event.data.reason}`;
    case 'incident.escalated': {
      const people = event.data.escalation === undefined ? [] : ctx.members(event.data.escalation);
      const who = people.length > 0 ? people.map((person) => personMark(person, ctx.name(person))).join(', ') : 'nobody is configured to escalate to';
      return `No decision on ${incident.id} ${formatDuration(incident.policy.escalateAfterMs)} after the deadline: escalating to ${who}.`;
    }
    case 'incident.decided':
      return `${actor} decided on ${incident.id}: ${event.data.decision === 'rollback' ? 'roll back' : 'fixed, carry on'}${event.data.reason ? ` (${event.data.reason})` : ''}.`;
    case 'incident.update_nudged':
      return `${lead}: the next stakeholder update on ${incident.id} is due at ${showTime(event.data.due, ctx.zone)}: /incident update ${incident.id} <what changed>`;
    case 'incident.update_posted':
      return event.data.auto ? `Nobody updated the stakeholders, so Plan B posted the state. ${responderReport(incident, ctx)}` : `${actor} updated the stakeholders.`;
    case 'incident.note_added':
      return `${actor} noted on ${incident.id} (internal): ${event.data.text}`;
    case 'incident.resolved':
      return `${actor} resolved ${incident.id}${event.data.summary ? `: ${event.data.summary}` : '.'}`;
    case 'incident.postmortem_drafted':
      return undefined;
  }
};

/** What stakeholders read: plain language, always ending with when they hear next. Notes are internal: never here. */
export const stakeholderMessage = (incident: Incident, event: StoredEvent & IncidentEvent, ctx: IncidentContext): Message | undefined => {
  const next = incident.nextUpdateAt ? ` Next update at ${showTime(incident.nextUpdateAt, ctx.zone)}.` : '';
  const key = `incident/${incident.id}/stakeholders/${event.id}`;
  switch (event.type) {
    case 'incident.declared':
      return { key, title: `Investigating: ${incident.title}`, text: [`We are working on it (${incident.id}).${next}`] };
    case 'incident.update_posted':
      return { key, title: `Update: ${incident.title}`, text: [`${event.data.text}${/[.!?]$/.test(event.data.text) ? '' : '.'}${next}`] };
    case 'incident.resolved':
      return {
        key,
        title: `Resolved: ${incident.title}`,
        text: [`Resolved after ${formatDuration(Date.parse(event.at) - Date.parse(incident.declaredAt))}.${event.data.summary ? ` ${event.data.summary}` : ''}`],
      };
    default:
      return undefined;
  }
};
