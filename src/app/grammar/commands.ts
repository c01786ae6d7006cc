/** What a command means once parsed: the contract between the grammar and the use cases. */
import type { Principal } from '../../domain/principal.js';

export type ParsedCommand =
  | { readonly kind: 'release.help' }
  | { readonly kind: 'release.runbooks' }
  | { readonly kind: 'release.list' }
  | { readonly kind: 'release.start'; readonly runbook: string; readonly params: Readonly<Record<string, string>>; readonly confirmer?: Principal; readonly window?: string; readonly override?: string }
  | { readonly kind: 'release.status'; readonly release?: string }
  | { readonly kind: 'release.abort'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'release.rollback'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'release.unlock'; readonly runbook: string; readonly reason: string }
  | { readonly kind: 'release.trouble'; readonly release?: string; readonly text: string; readonly timeboxMs?: number }
  | { readonly kind: 'release.check'; readonly release?: string; readonly item: string; readonly evidence?: string }
  | { readonly kind: 'release.reject'; readonly release?: string; readonly reason: string }
  | { readonly kind: 'incident.help' }
  | { readonly kind: 'maintenance.help' }
  /** Incident and maintenance commands the grammar recognises but this version does not run yet. */
  | { readonly kind: 'incident.later' | 'maintenance.later'; readonly subcommand: string }
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
