/** The maintenance window use cases: scheduling and changing windows, their notices and timers, running over. */
import type { WindowEvent } from '../domain/window/events.js';
import type { WindowBook } from '../domain/window/state.js';
import { emptyWindows, evolve } from '../domain/window/state.js';
import type { Fold } from './aggregate.js';

/** Every window is on this one stream, numbered in scheduling order (`mw-1`, `mw-2`, …). */
export const WINDOWS_STREAM = 'windows';
export const windowFold: Fold<WindowBook, WindowEvent> = { initial: emptyWindows, evolve };
