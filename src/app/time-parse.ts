/**
 * Times as people type them (`2026-11-25T22:00`, `tomorrow 22:00`, `in 2h`), in their own time zone, correct across
 * daylight-saving changes. chrono-node reads the words but knows no IANA zones: it gets the zone's offset at `now`
 * for the reference, and the wall-clock time it finds is placed in the zone by Luxon.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import type { DomainError } from '../domain/errors.js';
import { fail } from '../domain/errors.js';

const FIELDS = ['year', 'month', 'day', 'hour', 'minute', 'second'] as const;

/**
 * The instant `text` names for someone in `zone` at `now`; a DomainError saying why when it names none, only
 * partly, or a wall-clock time that the zone skips (clocks going forward). A time the zone has twice (clocks going
 * back) is the first of the two.
 * @example parseWhen('tomorrow 22:00', 'Europe/Berlin', now)
 */
export const parseWhen = (text: string, zone: string, now: Date): Date | DomainError => {
  const typed = text.trim();
  const reference = DateTime.fromJSDate(now, { zone });
  const [result] = chrono.parse(typed, { instant: now, timezone: reference.offset }, { forwardDate: true });
  if (!result) return fail('not_a_time', `"${typed}" is not a time I can read: try 2026-11-25T22:00, tomorrow 22:00 or in 2h.`);
  if (result.index !== 0 || result.text.length !== typed.length) {
    return fail('not_a_time', `I can read only "${result.text}" of "${typed}" as a time: write just the time, e.g. tomorrow 22:00.`);
  }
  // An explicit offset ("Z", "+01:00") or a relative time ("in 2h") is an instant already.
  if (result.start.isCertain('timezoneOffset')) return result.start.date();
  const wall = Object.fromEntries(FIELDS.map((field) => [field, result.start.get(field) ?? 0])) as Record<(typeof FIELDS)[number], number>;
  const at = DateTime.fromObject(wall, { zone });
  if (!at.isValid) return fail('not_a_time', `"${typed}" is not a valid date.`);
  if (at.hour !== wall.hour || at.minute !== wall.minute) {
    return fail(
      'skipped_time',
      `${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')} does not exist on ${at.toFormat('d LLL yyyy')} in ${zone}: the clocks go forward. Pick another time, e.g. ${at.toFormat('HH:mm')}.`,
    );
  }
  // Luxon resolves a repeated wall-clock time to one of its two instants; take the earlier one, always.
  const earlier = at.minus({ hours: 1 });
  return earlier.hour === at.hour && earlier.minute === at.minute && earlier.day === at.day ? earlier.toJSDate() : at.toJSDate();
};
