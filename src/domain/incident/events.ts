/** Incident events; the type names are DESIGN.md's public vocabulary (plus `incident.lead_changed` and `incident.note_added`, extensions). */
import type { NewEvent } from '../event.js';
import type { Principal } from '../principal.js';

export type Severity = 1 | 2 | 3 | 4;

/** Why a post-mortem draft was shared. */
export type PostmortemOccasion = 'resolved' | 'rolled_back' | 'requested';

/** How this incident's clock runs: resolved at declaration from the command, the runbook and planb.yaml. */
export interface IncidentPolicy {
  readonly timeboxMs: number;
  readonly warnBeforeMs: number;
  readonly maxExtensions: number;
  readonly escalateAfterMs: number;
  /** Stakeholder update cadence; none means no regular updates (severity 4 by default). */
  readonly updatesEveryMs?: number;
  readonly nudgeBeforeMs: number;
}

export interface IncidentDeclaredData {
  readonly incident: string;
  readonly title: string;
  readonly severity: Severity;
  readonly lead: Principal;
  /** The release in trouble, when it was opened from one. */
  readonly release?: string;
  /** Where the responders work, and the chat it is on. */
  readonly channel: string;
  readonly platform: string;
  /** Where stakeholder updates go. */
  readonly stakeholders?: string;
  /** Who is escalated to when nobody decides (a group name). */
  readonly escalation?: string;
  readonly policy: IncidentPolicy;
}

interface Ref {
  readonly incident: string;
}
/** Timer events name the deadline they are about: a later one makes them history, not news. */
interface AtDeadline extends Ref {
  readonly deadline: string;
}

export interface IncidentEventData {
  'incident.declared': IncidentDeclaredData;
  'incident.lead_changed': Ref & { readonly lead: Principal };
  'incident.timer_started': AtDeadline;
  'incident.timer_warned': AtDeadline;
  'incident.timer_expired': AtDeadline;
  'incident.timer_extended': AtDeadline & { readonly reason: string; readonly extension: number };
  'incident.escalated': AtDeadline & { readonly escalation?: string };
  'incident.decided': Ref & { readonly decision: 'rollback' | 'fixed'; readonly reason?: string };
  'incident.update_nudged': Ref & { readonly due: string };
  'incident.update_posted': Ref & { readonly text: string; readonly auto: boolean; readonly next?: string };
  /** A responder's internal note (an extension of DESIGN's vocabulary): for the timeline, never for stakeholders. */
  'incident.note_added': Ref & { readonly text: string };
  'incident.resolved': Ref & { readonly summary?: string };
  /**
   * The post-mortem draft was shared (`file`: its name): by the bot when the incident's release was rolled back and
   * when the incident resolved (`why`), or on request.
   */
  'incident.postmortem_drafted': Ref & { readonly file: string; readonly why: PostmortemOccasion };
}

export type IncidentEventType = keyof IncidentEventData;

export type IncidentEvent = {
  [Type in IncidentEventType]: NewEvent<Type, IncidentEventData[Type]>;
}[IncidentEventType];
