/**
 * The timer check. From the events, every moment a timer was set for (a decision deadline, its warning and escalation,
 * an update due and its nudge, a window's reminder, start, "ending soon" and end, a step's expected end, the
 * post-mortem due at a resolution) and whether it was overtaken before it came (a decision, an extension, an update,
 * a resolution, a step done): each one that was not must have its event, exactly once. Then, in Redis, no timer may
 * be left current with its job gone, failed or overdue.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TimerJob } from '../src/adapters/bullmq/queues.js';
import { timerJobId } from '../src/adapters/bullmq/queues.js';
import type { RedisKeys } from '../src/adapters/redis/keys.js';
import type { LoggedEvent } from './drill-checks.js';

export interface TimerFindings {
  /** Timers that came due with nothing overtaking them within the grace: each must have fired. */
  readonly expected: number;
  readonly fired: number;
  readonly lost: number;
  /** The same timer's event recorded more than once (same aggregate, deadline or due). */
  readonly duplicated: number;
  /** Overtaken within the grace after coming due (a decision just after the deadline): either outcome is right; not counted. */
  readonly ambiguous: number;
  /** Cancelled or moved before they came due: nothing to fire. */
  readonly overtaken: number;
  /** Current in Redis at the end with no job about to fire it, or a timer job that failed for good. */
  readonly stuck: number;
  /** Fired minus due, ms, of those expected and fired. */
  readonly lagMs: readonly number[];
  /** Those that fired more than 5 s late, and how late. */
  readonly late: readonly string[];
  readonly problems: readonly string[];
}

const LATE_MS = 5_000;

interface Moment {
  readonly what: string;
  readonly due: number;
  /** When it stopped being wanted (Infinity: never). */
  readonly moot: number;
  /** Its events. */
  readonly recorded: readonly LoggedEvent[];
}

const time = (iso: unknown): number => (typeof iso === 'string' ? Date.parse(iso) : Number.NaN);
/** When the first event of `types` after `at` came; Infinity when none did. */
const after = (events: readonly LoggedEvent[], at: number, types: readonly string[]): number => {
  const found = events.find((event) => types.includes(event.type) && time(event.at) > at);
  return found ? time(found.at) : Number.POSITIVE_INFINITY;
};
const matching = (events: readonly LoggedEvent[], type: string, data: Readonly<Record<string, unknown>>): LoggedEvent[] =>
  events.filter((event) => event.type === type && Object.entries(data).every(([key, value]) => event.data[key] === value));
const by = (log: readonly LoggedEvent[], stream: (name: string) => boolean, field: string): Map<string, LoggedEvent[]> => {
  const groups = new Map<string, LoggedEvent[]>();
  for (const event of log) {
    const id = event.data[field];
    if (!stream(event.stream) || typeof id !== 'string') continue;
    groups.set(id, [...(groups.get(id) ?? []), event]);
  }
  return groups;
};

interface IncidentPolicy {
  readonly warnBeforeMs: number;
  readonly escalateAfterMs: number;
  readonly updatesEveryMs?: number;
  readonly nudgeBeforeMs: number;
}

const incidentMoments = (id: string, events: readonly LoggedEvent[]): Moment[] => {
  const declared = events.find((event) => event.type === 'incident.declared');
  if (!declared) return [];
  const policy = declared.data['policy'] as IncidentPolicy;
  const moments: Moment[] = [];
  // The decision timer: each deadline holds from its start or extension until the next one, a decision or the resolution.
  for (const clock of events.filter((event) => event.type === 'incident.timer_started' || event.type === 'incident.timer_extended')) {
    const deadline = clock.data['deadline'] as string;
    const from = time(clock.at);
    const until = after(events, from, ['incident.timer_extended', 'incident.decided', 'incident.resolved']);
    const at = (type: string): LoggedEvent[] => matching(events, type, { deadline });
    const warnAt = time(deadline) - policy.warnBeforeMs;
    // A warning after the expiry says nothing: the expiry overtakes it.
    if (warnAt > from) moments.push({ what: `${id} warning before ${deadline}`, due: warnAt, moot: Math.min(until, time(deadline)), recorded: at('incident.timer_warned') });
    moments.push({ what: `${id} expiry at ${deadline}`, due: time(deadline), moot: until, recorded: at('incident.timer_expired') });
    moments.push({ what: `${id} escalation after ${deadline}`, due: time(deadline) + policy.escalateAfterMs, moot: until, recorded: at('incident.escalated') });
  }
  // The update cadence: each due time holds from the update (or declaration) that set it until the next update or the resolution.
  const setters = events.filter((event) => event.type === 'incident.declared' || event.type === 'incident.update_posted');
  setters.forEach((setter, index) => {
    const next = setter.type === 'incident.declared' ? (policy.updatesEveryMs === undefined ? undefined : time(setter.at) + policy.updatesEveryMs) : time(setter.data['next']);
    if (next === undefined || Number.isNaN(next)) return;
    const due = new Date(next).toISOString();
    const following = setters[index + 1];
    const resolved = events.find((event) => event.type === 'incident.resolved');
    const ends = Math.min(following ? time(following.at) : Number.POSITIVE_INFINITY, resolved ? time(resolved.at) : Number.POSITIVE_INFINITY);
    const nudgeAt = next - policy.nudgeBeforeMs;
    if (nudgeAt > time(setter.at)) moments.push({ what: `${id} nudge before ${due}`, due: nudgeAt, moot: ends, recorded: matching(events, 'incident.update_nudged', { due }) });
    // The automatic update is the next update itself, when nobody wrote one first.
    const auto = following?.data['auto'] === true && following.type === 'incident.update_posted' ? [following] : [];
    moments.push({ what: `${id} update due ${due}`, due: next, moot: auto.length > 0 ? Number.POSITIVE_INFINITY : ends, recorded: auto });
  });
  const resolved = events.find((event) => event.type === 'incident.resolved');
  if (resolved) moments.push({ what: `${id} post-mortem at the resolution`, due: time(resolved.at), moot: Number.POSITIVE_INFINITY, recorded: matching(events, 'incident.postmortem_drafted', { why: 'resolved' }) });
  return moments;
};

/** Windows nobody touched after scheduling (the drill's): their reminders, start, "ending soon" and end. */
const windowMoments = (id: string, events: readonly LoggedEvent[]): Moment[] | 'touched' => {
  const scheduled = events.find((event) => event.type === 'window.scheduled');
  if (!scheduled) return [];
  if (events.some((event) => ['window.rescheduled', 'window.extended', 'window.cancelled'].includes(event.type) || (event.data['auto'] === false && event.type !== 'window.scheduled'))) return 'touched';
  const start = scheduled.data['start'] as string;
  const end = scheduled.data['end'] as string;
  const from = time(scheduled.at);
  const moments: Moment[] = [];
  for (const beforeMs of scheduled.data['remindMs'] as number[]) {
    if (time(start) - beforeMs > from) moments.push({ what: `${id} reminder ${beforeMs} ms before ${start}`, due: time(start) - beforeMs, moot: time(start), recorded: matching(events, 'window.reminded', { beforeMs, start }) });
  }
  // Fired late, the end timer records the start too: the start is wanted until the end.
  moments.push({ what: `${id} start at ${start}`, due: time(start), moot: time(end), recorded: matching(events, 'window.started', {}) });
  const soon = time(end) - (scheduled.data['endingSoonMs'] as number);
  if (soon > from && soon > time(start)) moments.push({ what: `${id} ending soon before ${end}`, due: soon, moot: time(end), recorded: matching(events, 'window.ending_soon', { end }) });
  moments.push({ what: `${id} end at ${end}`, due: time(end), moot: Number.POSITIVE_INFINITY, recorded: [...matching(events, 'window.completed', {}), ...matching(events, 'window.overran', { end })] });
  return moments;
};

/** Each start of a step with an `expect`: overdue unless done first. */
const releaseMoments = (id: string, events: readonly LoggedEvent[]): Moment[] => {
  const started = events.find((event) => event.type === 'release.started');
  const steps = (started?.data['steps'] ?? []) as { id: string; expectMs?: number }[];
  return events
    .filter((event) => event.type === 'release.step_started')
    .flatMap((event): Moment[] => {
      const step = steps.find((candidate) => candidate.id === event.data['step']);
      if (step?.expectMs === undefined) return [];
      const from = time(event.at);
      const done = events.find((later) => time(later.at) >= from && ((later.type === 'release.step_done' && later.data['step'] === step.id) || ['release.aborted', 'release.rollback_started'].includes(later.type)));
      return [{ what: `${id} ${step.id} overdue after ${event.at}`, due: from + step.expectMs, moot: done ? time(done.at) : Number.POSITIVE_INFINITY, recorded: matching(events, 'release.step_overdue', { step: step.id, since: event.at }) }];
    });
};

/** `log`: the global log at the end; `now`: when the run was over (a timer due later is not owed yet). */
export const checkTimers = async (log: readonly LoggedEvent[], now: number, graceMs: number, redis: Redis, keys: RedisKeys, timers: Queue<TimerJob>): Promise<TimerFindings> => {
  const problems: string[] = [];
  const moments: Moment[] = [];
  for (const [id, events] of by(log, (stream) => stream === 'incidents', 'incident')) moments.push(...incidentMoments(id, events));
  for (const [id, events] of by(log, (stream) => stream.startsWith('runbook/'), 'release')) moments.push(...releaseMoments(id, events));
  for (const [id, events] of by(log, (stream) => stream === 'windows', 'window')) {
    const found = windowMoments(id, events);
    if (found === 'touched') problems.push(`${id} was changed by hand; its timers are not checked`);
    else moments.push(...found);
  }
  let expected = 0;
  let fired = 0;
  let lost = 0;
  let duplicated = 0;
  let ambiguous = 0;
  let overtaken = 0;
  const lagMs: number[] = [];
  const late: string[] = [];
  for (const moment of moments) {
    if (moment.recorded.length > 1) {
      duplicated += moment.recorded.length - 1;
      problems.push(`${moment.what}: recorded ${moment.recorded.length} times (${moment.recorded.map((event) => event.at).join(', ')})`);
    }
    if (Math.min(moment.moot, now) - moment.due <= graceMs) {
      // Overtaken before it came due (cancelled or moved in time), or so soon after that either outcome is right.
      if (Math.min(moment.moot, now) > moment.due) ambiguous += 1;
      else overtaken += 1;
      continue;
    }
    expected += 1;
    const [first] = moment.recorded;
    if (first) {
      fired += 1;
      lagMs.push(time(first.at) - moment.due);
      if (time(first.at) - moment.due > LATE_MS) late.push(`${moment.what}: ${((time(first.at) - moment.due) / 1_000).toFixed(1)} s late`);
    } else {
      lost += 1;
      problems.push(`${moment.what}: due ${new Date(moment.due).toISOString()}, still wanted until ${Number.isFinite(moment.moot) ? new Date(moment.moot).toISOString() : 'the end'}, never recorded`);
    }
  }
  // In Redis: a timer still current must have a job waiting to fire it, due later; a failed timer job is a lost one.
  let stuck = 0;
  for (const [timer, generation] of Object.entries(await redis.hgetall(keys.timers))) {
    const job = await timers.getJob(timerJobId(timer, generation));
    const state = job ? await job.getState() : 'missing';
    if (job && state === 'delayed' && job.timestamp + (job.opts.delay ?? 0) > now) continue;
    stuck += 1;
    problems.push(`timer ${timer} generation ${generation} is still current, its job ${state}`);
  }
  for (const job of await timers.getJobs(['failed'], 0, -1)) {
    stuck += 1;
    problems.push(`timer job ${job.id ?? ''} (${job.data.timer}) failed for good: ${job.failedReason ?? ''}`);
  }
  return { expected, fired, lost, duplicated, ambiguous, overtaken, stuck, lagMs, late, problems };
};
