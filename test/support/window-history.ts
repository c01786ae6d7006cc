/** Maintenance window histories made by the real decider, for tests of what reads the windows stream. */
import type { StoredEvent } from '../../src/domain/event.js';
import { isDomainError } from '../../src/domain/errors.js';
import type { Principal } from '../../src/domain/principal.js';
import type { ScheduleCommand, WindowCommand, WindowTimer } from '../../src/domain/window/decide.js';
import { decide, decideTimer } from '../../src/domain/window/decide.js';
import type { WindowEvent } from '../../src/domain/window/events.js';
import type { Window } from '../../src/domain/window/state.js';
import { emptyWindows, evolve, fold } from '../../src/domain/window/state.js';

/** A person's command or one of the bot's timers, at an instant. */
export type WindowStep =
  | { readonly at: string; readonly by?: Principal; readonly command: WindowCommand }
  | { readonly at: string; readonly timer: WindowTimer };

export const schedule = (title: string, start: string, durationMs: number, more: Partial<ScheduleCommand> = {}): ScheduleCommand => ({
  type: 'schedule',
  title,
  start,
  durationMs,
  channel: 'C1',
  platform: 'console',
  services: [],
  remindMs: [],
  endingSoonMs: 900_000,
  ...more,
});

/** The events of each step in turn; a refused command fails the test, with the decider's reason. */
export const windowEvents = (steps: readonly WindowStep[]): WindowEvent[] => {
  let book = emptyWindows;
  const events: WindowEvent[] = [];
  for (const step of steps) {
    const now = new Date(step.at);
    const result = 'timer' in step ? decideTimer(book, step.timer, now) : decide(book, step.command, { now, actor: step.by ?? 'console:alice' });
    if (isDomainError(result)) throw new Error(`The step at ${step.at} was refused: ${result.message}`);
    events.push(...result);
    book = result.reduce(evolve, book);
  }
  return events;
};

export const windowsAfter = (steps: readonly WindowStep[]): readonly Window[] => fold(windowEvents(steps)).windows;

/** As the store keeps them: `ev-1`, `ev-2`, … */
export const storedWindowEvents = (steps: readonly WindowStep[]): StoredEvent[] => windowEvents(steps).map((event, index) => ({ ...event, id: `ev-${index + 1}` }));
