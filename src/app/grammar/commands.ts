/** What a command means once parsed: the contract between the grammar and the use cases. */
import type { Principal } from '../../domain/principal.js';

export type ParsedCommand =
  | { readonly kind: 'release.help' }
  | { readonly kind: 'release.runbooks' }
  | { readonly kind: 'release.list' }
  | {
      readonly kind: 'release.start';
      readonly runbook: string;
      readonly params: Readonly<Record<string, string>>;
      readonly confirmer?: Principal;
      readonly window?: string;
      readonly override?: string;
      readonly environment?: string;
    }
  | { readonly kind: 'release.drill'; readonly runbook: string; readonly params: Readonly<Record<string, string>>; readonly confirmer?: Principal; readonly environment?: string }
  | { readonly kind: 'release.rehearsals'; readonly runbook: string }
  | { readonly kind: 'release.status'; readonly release?: string }
  | { readonly kind: 'release.abort'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'release.rollback'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'release.unlock'; readonly runbook: string; readonly reason: string; readonly environment?: string }
  | { readonly kind: 'release.trouble'; readonly release?: string; readonly text: string; readonly timeboxMs?: number }
  | { readonly kind: 'release.check'; readonly release?: string; readonly item: string; readonly evidence?: string }
  | { readonly kind: 'release.reject'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'incident.help' }
  | { readonly kind: 'incident.declare'; readonly title: string; readonly severity?: 1 | 2 | 3 | 4; readonly timeboxMs?: number; readonly updatesMs?: number; readonly stakeholders?: string }
  | { readonly kind: 'incident.lead'; readonly incident?: string; readonly lead: Principal }
  | { readonly kind: 'incident.update'; readonly incident?: string; readonly text: string }
  /** Internal: for the responders and the post-mortem, never for stakeholders or the status page. */
  | { readonly kind: 'incident.note'; readonly incident?: string; readonly text: string }
  | ({ readonly kind: 'incident.decide'; readonly incident?: string } & (
      | { readonly decision: 'rollback' | 'fixed'; readonly reason?: string }
      | { readonly decision: 'extend'; readonly extendMs: number; readonly reason: string }
    ))
  | { readonly kind: 'incident.resolve'; readonly incident?: string; readonly summary?: string }
  | { readonly kind: 'incident.postmortem'; readonly incident?: string }
  | { readonly kind: 'maintenance.help' }
  | {
      readonly kind: 'maintenance.schedule';
      readonly title: string;
      /** The time as typed (`tomorrow 22:00`, ISO 8601): resolved in the user's zone by the app. */
      readonly at: string;
      readonly durationMs: number;
      readonly channel?: string;
      readonly impact?: string;
      readonly services?: readonly string[];
      readonly remindMs?: readonly number[];
    }
  | { readonly kind: 'maintenance.list' }
  | { readonly kind: 'maintenance.cancel'; readonly window: string; readonly reason: string }
  | { readonly kind: 'maintenance.extend'; readonly window: string; readonly durationMs: number; readonly reason: string }
  | { readonly kind: 'maintenance.start' | 'maintenance.complete'; readonly window: string }
  | { readonly kind: 'maintenance.reschedule'; readonly window: string; readonly at: string }
  /** A command that needs arguments got none: platforms open a form, the console shows usage. */
  | { readonly kind: 'form'; readonly form: 'release.start' | 'incident.declare' | 'maintenance.schedule' };

export interface GrammarError {
  readonly kind: 'grammar-error';
  readonly message: string;
  readonly usage: string;
}

export const isGrammarError = (value: ParsedCommand | GrammarError): value is GrammarError => value.kind === 'grammar-error';

export interface GrammarOptions {
  readonly platform: 'console' | 'slack' | 'teams';
  readonly isReleaseId: (word: string) => boolean;
  readonly isIncidentId: (word: string) => boolean;
  readonly isWindowId: (word: string) => boolean;
}
