/** The Lua scripts that make Plan B's multi-key writes atomic, and how to run them by SHA. */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): LuaScript => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/** EVALSHA, loading the script once when the server does not know it yet (after a restart or a flush). */
export const runScript = async (redis: Redis, lua: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> => {
  try {
    return await redis.evalsha(lua.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua.source, keys.length, ...keys, ...args);
  }
};

/**
 * The outbox entry for effects ARGV[base+1…] (three values each: kind, timer id, JSON), as a Lua fragment shared by
 * APPEND and PUBLISH. Expects locals `position`, `base`, `effects`, `timers` (the timers hash key) and `seqBase` (the
 * KEYS index before the first delivery's sequence counter); leaves the entry's fields in `entry`.
 */
const EFFECTS_LUA = `
local entry = {'position', position, 'count', effects}
local delivery = 0
for i = 1, effects do
  local kind = ARGV[base + 3 * i - 2]
  local timer = ARGV[base + 3 * i - 1]
  local json = ARGV[base + 3 * i]
  local stamp = ''
  local replaced = ''
  if kind == 'deliver' then
    delivery = delivery + 1
    stamp = redis.call('INCR', KEYS[seqBase + delivery])
  elseif kind == 'schedule' or kind == 'cancel' then
    replaced = redis.call('HGET', timers, timer) or ''
    if kind == 'schedule' then
      stamp = position .. '-' .. i
      redis.call('HSET', timers, timer, stamp)
    else
      redis.call('HDEL', timers, timer)
    end
  end
  table.insert(entry, 'k' .. i) table.insert(entry, kind)
  table.insert(entry, 'j' .. i) table.insert(entry, json)
  table.insert(entry, 's' .. i) table.insert(entry, stamp)
  table.insert(entry, 'o' .. i) table.insert(entry, replaced)
end`;

export const APPEND = script(`
--[[ append: events to one aggregate stream and the global log, with the effects they cause, all or nothing.
KEYS[1]   the aggregate's stream (entry ids 0-<version>)
KEYS[2]   the global log (entry ids 0-<position>)
KEYS[3]   the global position counter
KEYS[4]   the outbox (read by the relay's consumer group)
KEYS[5]   the timers hash (timer id -> current generation)
KEYS[6..] one sequence counter per delivery effect (its conversation's), in the order of those effects
ARGV[1]   the version the aggregate stream must be at
ARGV[2]   the aggregate stream's name, recorded in the global log
ARGV[3]   N, the number of events; ARGV[4..3+N] the events as JSON
ARGV[4+N] M, the number of effects; then three values per effect: kind, timer id ('' for a delivery), JSON
Returns {1, position of the last event} when appended; {0, actual version} when the stream is elsewhere.
A delivery gets the next sequence number of its conversation (the delivery worker keeps that order);
a schedule makes its generation current (so an older job of the same timer is stale) and a cancel
makes none current. The outbox entry carries, per effect i: k<i> kind, j<i> JSON, s<i> sequence number
or generation, o<i> the generation it replaced.
]]
local timers, seqBase = KEYS[5], 5
local version = redis.call('XLEN', KEYS[1])
if version ~= tonumber(ARGV[1]) then return {0, version} end
local count = tonumber(ARGV[3])
local position = 0
for i = 1, count do
  version = version + 1
  position = redis.call('INCR', KEYS[3])
  redis.call('XADD', KEYS[1], '0-' .. version, 'event', ARGV[3 + i])
  redis.call('XADD', KEYS[2], '0-' .. position, 'stream', ARGV[2], 'event', ARGV[3 + i])
end
local base = 4 + count
local effects = tonumber(ARGV[base])
if effects == 0 then return {1, position} end
${EFFECTS_LUA}
redis.call('XADD', KEYS[4], '*', unpack(entry))
return {1, position}
`);

export const PUBLISH = script(`
--[[ publish: effects no event records (a runner's live output, the watch over a run rescheduling itself),
into the outbox in the same order and with the same sequence numbers and timer generations as APPEND's.
KEYS[1] the outbox   KEYS[2] the timers hash   KEYS[3] the counter of published entries
KEYS[4..] one sequence counter per delivery effect
ARGV[1] M, the number of effects; then three values per effect: kind, timer id ('' for a delivery), JSON
Its entries' positions are negative (-1, -2, …): unique, and never mistaken for an event's position.
Returns the position. ]]
local timers, seqBase = KEYS[2], 3
local position = -redis.call('INCR', KEYS[3])
local base = 1
local effects = tonumber(ARGV[1])
${EFFECTS_LUA}
redis.call('XADD', KEYS[1], '*', unpack(entry))
return position
`);

export const ACK_OUTBOX = script(`
--[[ ack-outbox: the relay handed an outbox entry's effects to BullMQ; forget the entry.
KEYS[1] the outbox   ARGV[1] the consumer group   ARGV[2] the entry id
Returns the number of entries removed (0 when another relay got there first). ]]
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
`);

export const TIMER_DONE = script(`
--[[ timer-done: a timer fired and its command was carried out; it is no longer current,
unless it was scheduled again meanwhile (then the newer generation stays).
KEYS[1] the timers hash   ARGV[1] timer id   ARGV[2] the generation that fired
Returns 1 when removed, 0 when another generation is current. ]]
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`);

export const DELIVERED = script(`
--[[ delivered: record that a conversation's delivery number ARGV[1] went out, and the platform's reference
of the message so later changes edit it. Only in order: nothing changes unless ARGV[1] is the next number.
KEYS[1] the conversation's delivered counter   KEYS[2] the message key's reference   KEYS[3] its sending mark
ARGV[1] the delivery's sequence number   ARGV[2] the reference ('' to keep the current one)   ARGV[3] its TTL in seconds
Returns 1 when recorded, 0 when the counter was elsewhere (a duplicate run). ]]
local delivered = tonumber(redis.call('GET', KEYS[1]) or '0')
if delivered + 1 ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
redis.call('DEL', KEYS[3])
return 1
`);
