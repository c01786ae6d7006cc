/** The real clock and ids, for production and the console; tests pass their own. */
import { randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from '../../app/ports.js';

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = { next: () => randomUUID() };
