/** Instants shown to people, in the team's time zone. */
import { DateTime } from 'luxon';
import { timeMark } from './message.js';

/**
 * Remembers the last few thousand answers of a pure formatter: cards and updates show the same instants again and
 * again (a deadline, a start), and luxon allocates a DateTime and a formatter for each (7% of a burst of updates).
 */
const remembered = <T extends (...args: never[]) => string>(format: T, limit = 4_096): T => {
  const answers = new Map<string, string>();
  return ((...args: Parameters<T>): string => {
    const key = JSON.stringify(args);
    const known = answers.get(key);
    if (known !== undefined) return known;
    const answer = format(...args);
    if (answers.size >= limit) answers.clear();
    answers.set(key, answer);
    return answer;
  }) as T;
};

/** `14:02` in `zone`; `14:02 (Nov 24)` when the day differs from `reference`. */
export const formatClock = remembered((iso: string, zone: string, reference?: string): string => {
  const at = DateTime.fromISO(iso, { zone });
  if (!at.isValid) return iso;
  const clock = at.toFormat('HH:mm');
  if (reference === undefined) return clock;
  const ref = DateTime.fromISO(reference, { zone });
  return ref.isValid && ref.hasSame(at, 'day') ? clock : `${clock} (${at.toFormat('LLL d')})`;
});

/**
 * An instant for message text: each platform shows it in the reader's own zone, the console as `formatClock`.
 * @example showTime('2026-11-23T14:02:00.000Z', 'Europe/Berlin') // shown as 15:02 in the console
 */
export const showTime = (iso: string, zone: string, reference?: string): string => {
  const fallback = formatClock(iso, zone, reference);
  return fallback === iso ? iso : timeMark(iso, fallback.includes('(') ? 'datetime' : 'time', fallback);
};

/**
 * An instant with its day and zone, for announcements read across days and zones: each platform shows it in
 * the reader's zone; the console (and notifications) as `Wed 25 Nov 22:00 CET` in the team's zone.
 */
export const showDateTime = remembered((iso: string, zone: string): string => {
  // A fixed locale: zone names must not depend on the server's (en-GB: CET, or GMT-5 where it has no name for one).
  const at = DateTime.fromISO(iso, { zone, locale: 'en-GB' });
  return at.isValid ? timeMark(iso, 'datetime', at.toFormat('ccc d LLL HH:mm ZZZZ')) : iso;
});

/** A day, `12 Nov`, in the team's zone: when something was rehearsed or drilled. */
export const showDay = remembered((iso: string, zone: string): string => {
  const at = DateTime.fromISO(iso, { zone, locale: 'en-GB' });
  return at.isValid ? at.toFormat('d LLL') : iso;
});
