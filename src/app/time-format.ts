/** Instants shown to people, in the team's time zone. */
import { DateTime } from 'luxon';

/** `14:02` in `zone`; `14:02 (Nov 24)` when the day differs from `reference`. */
export const formatClock = (iso: string, zone: string, reference?: string): string => {
  const at = DateTime.fromISO(iso, { zone });
  if (!at.isValid) return iso;
  const clock = at.toFormat('HH:mm');
  if (reference === undefined) return clock;
  const ref = DateTime.fromISO(reference, { zone });
  return ref.isValid && ref.hasSame(at, 'day') ? clock : `${clock} (${at.toFormat('LLL d')})`;
};
