/** One neutral message model; each platform renders it (Block Kit, Adaptive Cards, console text). */

export type ButtonStyle = 'primary' | 'danger';

export interface Button {
  /** Stable action id, the same on every platform (e.g. `release_confirm`). */
  readonly actionId: string;
  readonly label: string;
  /** Opaque to the platform: what the action applies to (JSON). */
  readonly value: string;
  readonly style?: ButtonStyle;
}

export interface Field {
  readonly label: string;
  readonly value: string;
}

export type StepMark = 'done' | 'current' | 'pending' | 'warning' | 'failed' | 'skipped';

export interface StepLine {
  readonly mark: StepMark;
  readonly text: string;
}

export interface Message {
  /** Stable key (`release/<id>/card`): a later change edits the message posted under the same key. */
  readonly key: string;
  readonly title?: string;
  /** Plain text paragraphs. User text inside is never markup: renderers escape it. */
  readonly text: readonly string[];
  readonly fields?: readonly Field[];
  readonly steps?: readonly StepLine[];
  readonly buttons?: readonly Button[];
  /** Small print under the message: who did what when. */
  readonly context?: readonly string[];
}
