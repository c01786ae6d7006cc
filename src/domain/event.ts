/** The timeline: every fact the bot knows is one of these, and nothing important lives only in chat. */
import type { Principal } from './principal.js';

/** An event as a decider proposes it; the app gives it an id when it is appended. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  /** ISO 8601 instant. */
  readonly at: string;
  /** Who caused it; `null` for the bot itself (timers). */
  readonly actor: Principal | null;
  readonly data: Data;
}

export interface StoredEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly id: string;
  /** The request that recorded it (`<platform request id>#<n>`), when one did: running that request again records nothing. */
  readonly request?: string;
}
