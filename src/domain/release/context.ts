/** What every release decision is taken with, and the small helpers the decisions share. */
import type { DomainError } from '../errors.js';
import type { Freeze } from '../freeze.js';
import type { Groups, Principal } from '../principal.js';
import { shortName } from '../principal.js';
import type { Runbook } from '../runbook.js';
import type { ReleaseEvent, ReleaseEventData, ReleaseEventType } from './events.js';

export interface RunnerPresence {
  readonly online: boolean;
  /** When an instance of it last reported in, if ever. */
  readonly lastSeen?: string;
}

export interface DecideContext {
  readonly now: Date;
  readonly actor: Principal;
  readonly groups: Groups;
  /** The runbook of this slot, as configured now. */
  readonly runbook: Runbook;
  /** planb.yaml's change freezes: a start inside one needs an override the confirmer approves. */
  readonly freezes?: readonly Freeze[];
  /** Runner presence by name, as last heard (heartbeats); a runner not listed is offline. */
  readonly runners?: Readonly<Record<string, RunnerPresence>>;
}

export type Result = ReleaseEvent[] | DomainError;

export const who = shortName;

export const list = (principals: readonly Principal[]): string => principals.join(', ');

export const emit =
  (ctx: Pick<DecideContext, 'now' | 'actor'>) =>
  <Type extends ReleaseEventType>(type: Type, data: ReleaseEventData[Type]): ReleaseEvent =>
    ({ type, at: ctx.now.toISOString(), actor: ctx.actor, data }) as ReleaseEvent;

/** The same, from the bot itself (no actor): timers, checks, runners' reports. */
export const emitAsBot =
  (now: Date) =>
  <Type extends ReleaseEventType>(type: Type, data: ReleaseEventData[Type]): ReleaseEvent =>
    ({ type, at: now.toISOString(), actor: null, data }) as ReleaseEvent;
