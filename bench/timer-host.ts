/**
 * A timer host for bench/timers.ts, run as its own process (`node --import tsx bench/timer-host.ts`): the production
 * Backbone (outbox relay and timer worker, production settings) whose `fire` does what an aggregate's timer does, read
 * its stream and append an event, the event recording which timer fired, when, and in which process.
 * Env: REDIS_URL, PLANB_REDIS_PREFIX, LOG_LEVEL (default warn), PLANB_FAILPOINT (`timer.firing@120`: SIGKILL itself there,
 * as planb does). Prints `ready <epoch ms>` once it works the queue.
 */
import { Backbone } from '../src/adapters/redis/backbone.js';
import { failpointFrom } from '../src/adapters/failpoint.js';
import { createLogger } from '../src/adapters/logger.js';
import { systemClock } from '../src/adapters/memory/system.js';
import type { Fired } from './timers.js';
import { FIRED, firedStream } from './timers.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const failpoint = /^([\w.]+)@(\d+)$/.exec(process.env['PLANB_FAILPOINT'] ?? '');
const logger = createLogger(process.env['LOG_LEVEL'] ?? 'warn');
const backbone = await Backbone.connect({
  url: required('REDIS_URL'),
  prefix: required('PLANB_REDIS_PREFIX'),
  logger,
  clock: systemClock,
  failpoint: failpointFrom(failpoint ? { point: failpoint[1] ?? '', hit: Number(failpoint[2]) } : undefined),
});
const { store } = backbone;

await backbone.start({
  chats: new Map(),
  fire: async (payload) => {
    const fired = Date.now();
    const id = payload['id'] ?? '';
    const record: Fired = { id, due: Number(payload['due']), fired, pid: process.pid };
    // A second firing (after a crash) reads the first one's event and appends after it: counted, not refused.
    const { version } = await store.read(firedStream(id));
    await store.append(firedStream(id), version, [{ id: `${id}-${version}`, type: FIRED, at: new Date(fired).toISOString(), actor: null, data: record }]);
  },
});
process.stdout.write(`ready ${Date.now()}\n`);

process.once('SIGTERM', () => {
  void backbone.close().then(() => process.exit(0));
});
