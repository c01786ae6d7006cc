/** The incident rules: who leads, the decision timer and its extensions, stakeholder updates, notes, resolution. Pure. */
import type { DomainError } from '../errors.js';
import { fail } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { Principal } from '../principal.js';
import { shortName } from '../principal.js';
import { clockTimeUtc } from '../time-text.js';
import type { IncidentDeclaredData, IncidentEvent, IncidentEventData, IncidentEventType } from './events.js';
import type { Incident, IncidentBook } from './state.js';
import { nextUpdate } from './state.js';

interface Targeted {
  readonly incident: string;
}

export type IncidentCommand =
  /** Everything the declaration records but its id and lead (the declarer leads). */
  | ({ readonly type: 'declare' } & Omit<IncidentDeclaredData, 'incident' | 'lead'>)
  | (Targeted & { readonly type: 'lead'; readonly lead: Principal })
  | (Targeted & { readonly type: 'update'; readonly text: string })
  /** Internal: recorded for the responders and the post-mortem; it is no stakeholder update and moves no update clock. */
  | (Targeted & { readonly type: 'note'; readonly text: string })
  | (Targeted & { readonly type: 'extend'; readonly extendMs: number; readonly reason: string })
  | (Targeted & { readonly type: 'decide'; readonly decision: 'rollback' | 'fixed'; readonly reason?: string })
  | (Targeted & { readonly type: 'resolve'; readonly summary?: string })
  /** Share the post-mortem draft (again): `file` is its name. */
  | (Targeted & { readonly type: 'share_postmortem'; readonly file: string });

/** What the bot's own timers ask when they fire; each names the deadline or due time it was set for. */
export type IncidentTimer =
  | (Targeted & { readonly type: 'warn' | 'expire' | 'escalate'; readonly deadline: string })
  | (Targeted & { readonly type: 'nudge'; readonly due: string })
  /** `text`: the current state in words, written by the app (it knows the team's time zone). */
  | (Targeted & { readonly type: 'update_due'; readonly due: string; readonly text: string })
  /** After the resolution, and after the incident's release was rolled back: the draft is shared once for each. */
  | (Targeted & { readonly type: 'postmortem'; readonly file: string; readonly why: 'resolved' | 'rolled_back' });

export interface IncidentContext {
  readonly now: Date;
  readonly actor: Principal;
}

type Result = IncidentEvent[] | DomainError;

const event = <Type extends IncidentEventType>(type: Type, at: Date, actor: Principal | null, data: IncidentEventData[Type]): IncidentEvent =>
  ({ type, at: at.toISOString(), actor, data }) as IncidentEvent;

const plus = (at: Date | string, ms: number): string => new Date((typeof at === 'string' ? Date.parse(at) : at.getTime()) + ms).toISOString();

const declare = (book: IncidentBook, command: Extract<IncidentCommand, { type: 'declare' }>, ctx: IncidentContext): Result => {
  const title = command.title.trim();
  if (title === '') return fail('title_missing', 'Say what is wrong: /incident declare <title>');
  const release = command.release;
  const already = release === undefined ? undefined : book.incidents.find((incident) => incident.release === release && incident.status === 'open');
  if (already) {
    return fail('incident_open', `${already.id} is already open for ${release ?? ''} (${already.title}), led by ${shortName(already.lead)}: /incident update ${already.id} <what changed>`);
  }
  const id = `inc-${book.incidents.length + 1}`;
  const { type: _type, ...details } = command;
  const declared: IncidentDeclaredData = { ...details, incident: id, title, lead: ctx.actor };
  return [
    event('incident.declared', ctx.now, ctx.actor, declared),
    event('incident.timer_started', ctx.now, ctx.actor, { incident: id, deadline: plus(ctx.now, command.policy.timeboxMs) }),
  ];
};

const undecided = (incident: Incident): DomainError | undefined => {
  if (!incident.decision) return undefined;
  const { decision, by, at } = incident.decision;
  return fail('already_decided', `${incident.id} was decided at ${clockTimeUtc(at)}${by ? ` by ${shortName(by)}` : ''}: ${decision === 'rollback' ? 'roll back' : 'fixed'}. If it goes wrong again, open new trouble.`);
};

const forIncident = (incident: Incident, command: Exclude<IncidentCommand, { type: 'declare' }>, ctx: IncidentContext): Result => {
  const ref = { incident: incident.id };
  const on = <Type extends IncidentEventType>(type: Type, data: IncidentEventData[Type]): IncidentEvent => event(type, ctx.now, ctx.actor, data);
  switch (command.type) {
    case 'lead':
      if (command.lead === incident.lead) return fail('already_lead', `${shortName(command.lead)} already leads ${incident.id}.`);
      return [on('incident.lead_changed', { ...ref, lead: command.lead })];
    case 'update': {
      const text = command.text.trim();
      if (text === '') return fail('text_missing', `Say what stakeholders should know: /incident update ${incident.id} <text>`);
      const next = nextUpdate(incident.policy, ctx.now.toISOString());
      return [on('incident.update_posted', { ...ref, text, auto: false, ...(next === undefined ? {} : { next }) })];
    }
    case 'note': {
      const text = command.text.trim();
      if (text === '') return fail('text_missing', `Say what the responders should know: /incident note ${incident.id} <text>`);
      return [on('incident.note_added', { ...ref, text })];
    }
    case 'extend': {
      const decided = undecided(incident);
      if (decided) return decided;
      const reason = command.reason.trim();
      if (reason === '') return fail('reason_missing', `Say why more time helps: /incident decide ${incident.id} extend ${formatDuration(command.extendMs)} <reason>`);
      const used = incident.extensions.length;
      if (used >= incident.policy.maxExtensions) {
        return fail(
          'no_more_extensions',
          `No more extensions: ${used} of ${incident.policy.maxExtensions} used. Decide now: /incident decide ${incident.id} rollback | fixed`,
        );
      }
      // "10 more minutes" counts from the deadline while it is ahead, from now once it has passed.
      const from = incident.timer && Date.parse(incident.timer.deadline) > ctx.now.getTime() ? incident.timer.deadline : ctx.now.toISOString();
      return [on('incident.timer_extended', { ...ref, deadline: plus(from, command.extendMs), reason, extension: used + 1 })];
    }
    case 'decide': {
      const decided = undecided(incident);
      if (decided) return decided;
      const reason = command.reason?.trim();
      return [on('incident.decided', { ...ref, decision: command.decision, ...(reason ? { reason } : {}) })];
    }
    case 'resolve': {
      const summary = command.summary?.trim();
      return [on('incident.resolved', { ...ref, ...(summary ? { summary } : {}) })];
    }
    case 'share_postmortem':
      return [on('incident.postmortem_drafted', { ...ref, file: command.file, why: 'requested' })];
  }
};

/**
 * Decides what a person's command means for the incidents.
 * @example decide(book, { type: 'decide', incident: 'inc-1', decision: 'rollback' }, { now, actor: 'slack:U1' })
 */
export const decide = (book: IncidentBook, command: IncidentCommand, ctx: IncidentContext): Result => {
  if (command.type === 'declare') return declare(book, command, ctx);
  const incident = book.incidents.find((candidate) => candidate.id === command.incident);
  if (!incident) return fail('unknown_incident', `There is no incident ${command.incident}.`);
  // The draft can be shared at any time: while it is open, it holds the timeline so far.
  if (incident.status === 'resolved' && command.type !== 'share_postmortem') return fail('incident_resolved', `${incident.id} was resolved at ${clockTimeUtc(incident.resolvedAt ?? '')}.`);
  return forIncident(incident, command, ctx);
};

/**
 * A timer firing: the events it means while it is current, none when it is stale (the deadline moved, somebody
 * decided or updated, the incident is resolved, or this was already recorded).
 */
export const decideTimer = (book: IncidentBook, timer: IncidentTimer, now: Date): IncidentEvent[] => {
  const incident = book.incidents.find((candidate) => candidate.id === timer.incident);
  if (timer.type === 'postmortem') {
    const due = timer.why === 'rolled_back' || incident?.status === 'resolved';
    return incident && due && !incident.drafts.includes(timer.why) ? [event('incident.postmortem_drafted', now, null, { incident: incident.id, file: timer.file, why: timer.why })] : [];
  }
  if (!incident || incident.status !== 'open') return [];
  const ref = { incident: incident.id };
  const clock = incident.timer;
  switch (timer.type) {
    case 'warn':
      return clock && clock.deadline === timer.deadline && !clock.warned && !clock.expired ? [event('incident.timer_warned', now, null, { ...ref, deadline: clock.deadline })] : [];
    case 'expire':
      return clock && clock.deadline === timer.deadline && !clock.expired ? [event('incident.timer_expired', now, null, { ...ref, deadline: clock.deadline })] : [];
    case 'escalate': {
      if (!clock || clock.deadline !== timer.deadline || clock.escalated) return [];
      // Timers due while the bot was down fire together, in any order: escalation implies the expiry.
      const expiry = clock.expired ? [] : [event('incident.timer_expired', now, null, { ...ref, deadline: clock.deadline })];
      return [...expiry, event('incident.escalated', now, null, { ...ref, deadline: clock.deadline, ...(incident.escalation === undefined ? {} : { escalation: incident.escalation }) })];
    }
    case 'nudge':
      return incident.nextUpdateAt === timer.due && !incident.nudged ? [event('incident.update_nudged', now, null, { ...ref, due: timer.due })] : [];
    case 'update_due': {
      if (incident.nextUpdateAt !== timer.due) return [];
      const next = nextUpdate(incident.policy, now.toISOString());
      return [event('incident.update_posted', now, null, { ...ref, text: timer.text, auto: true, ...(next === undefined ? {} : { next }) })];
    }
  }
};
