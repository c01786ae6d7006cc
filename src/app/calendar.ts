/** The maintenance windows as an RFC 5545 iCalendar feed, for Google Calendar's and Outlook's URL subscriptions. Pure. */
import { DateTime } from 'luxon';
import type { Window, WindowStatus } from '../domain/window/state.js';

export interface CalendarOptions {
  /** The calendar's name as subscribers first see it (X-WR-CALNAME). */
  readonly name: string;
  /** When the feed is made: its DTSTAMP, and the reference for leaving out old windows. */
  readonly now: Date;
  /** The team's IANA zone: the calendar's display zone, and the zone of times written in descriptions. */
  readonly zone: string;
  /**
   * `public` (the status page's feed) leaves out what the team wrote for itself: the releases still running, and
   * the reasons given for extensions and cancellations. Default `team`.
   */
  readonly audience?: 'team' | 'public';
}

/** Windows that ended longer ago than this are left out: the feed stays small, and history is in the JSON API. */
export const CALENDAR_HISTORY_MS = 90 * 24 * 60 * 60 * 1000;

/** RFC 5545 3.1: content lines are folded so that no line is longer than 75 octets, CRLF not counted. */
const MAX_LINE_OCTETS = 75;
const CRLF = '\r\n';

/**
 * How often subscribers should fetch again: X-PUBLISHED-TTL for Outlook desktop, REFRESH-INTERVAL (RFC 7986) for
 * clients that follow the standard. Google ignores both and polls every few hours.
 */
const REFRESH = 'PT15M';

const STATUS_TEXT: Readonly<Record<WindowStatus, string>> = {
  scheduled: 'Scheduled',
  running: 'Under way',
  overrunning: 'Running over its planned end',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/** `20261123T140200Z`: the UTC form, which needs no VTIMEZONE and which every client reads the same way. */
const utc = (instant: string | Date): string =>
  new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

/** For people reading a description: `Wed 25 Nov 22:00 CET`; the locale is fixed so the feed does not depend on the server's. */
const readable = (iso: string, zone: string): string => {
  const at = DateTime.fromISO(iso, { zone, locale: 'en-GB' });
  return at.isValid ? at.toFormat('ccc d LLL HH:mm ZZZZ') : iso;
};

/**
 * RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and line breaks are escaped. Control characters other than tab
 * are not allowed in TEXT at all, so they are dropped rather than risk a client rejecting the whole feed.
 */
export const escapeText = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\t\n]/gu, '')
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n');

/** The UTF-8 length of one code point. */
const octets = (char: string): number => {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
};

/**
 * Folds a content line at 75 octets, between code points only: a multi-byte character split across lines would be
 * invalid UTF-8 on each of them, and Google drops a feed it cannot read. An escape (`\n`, `\,`) is not split
 * either: RFC 5545 allows it, but a client that unescapes before it unfolds would misread it.
 */
export const foldLine = (line: string): string => {
  const lines: string[] = [];
  let current = '';
  let size = 0;
  // Escaped text is the only place a backslash appears, and there it always starts a pair.
  for (const unit of line.match(/\\[\s\S]|[\s\S]/gu) ?? []) {
    // Every continuation line starts with the space that marks it as one, and that space counts.
    const limit = lines.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    const length = [...unit].reduce((sum, char) => sum + octets(char), 0);
    if (size + length > limit) {
      lines.push(current);
      current = '';
      size = 0;
    }
    current += unit;
    size += length;
  }
  lines.push(current);
  return lines.join(`${CRLF} `);
};

const latest = (first: string, others: readonly (string | undefined)[]): string =>
  others.reduce<string>((a, b) => (b !== undefined && Date.parse(b) > Date.parse(a) ? b : a), first);

/**
 * Clients apply a changed event only when its SEQUENCE grows: every move of the start or end counts, and so does the
 * cancellation (RFC 5546 2.1.4 lists STATUS among the changes that raise it).
 */
const sequence = (window: Window): number => window.reschedules + window.extensions.length + (window.status === 'cancelled' ? 1 : 0);

/** The last change the state records; a reschedule carries no time of its own, so it shows only in SEQUENCE. */
export const lastModified = (window: Window): string =>
  latest(window.scheduledAt, [window.startedAt, window.endedAt, ...window.extensions.map((extension) => extension.at), ...window.overruns.map((overrun) => overrun.at)]);

const description = (window: Window, zone: string, audience: CalendarOptions['audience']): string => {
  const about = [...(window.impact === undefined ? [] : [`Impact: ${window.impact}`]), ...(window.services.length === 0 ? [] : [`Services: ${window.services.join(', ')}`])];
  if (audience === 'public') {
    return [...about, `Status: ${STATUS_TEXT[window.status]}`, ...window.extensions.map((extension) => `Extended to ${readable(extension.until, zone)}`)].join('\n');
  }
  const status = window.overrun && window.overrun.releases.length > 0 ? `${STATUS_TEXT[window.status]} (still running: ${window.overrun.releases.join(', ')})` : STATUS_TEXT[window.status];
  return [
    ...about,
    `Status: ${status}`,
    ...window.extensions.map((extension) => `Extended to ${readable(extension.until, zone)}: ${extension.reason}`),
    ...(window.cancelReason === undefined ? [] : [`Cancelled: ${window.cancelReason}`]),
    `Plan B maintenance window ${window.id}`,
  ].join('\n');
};

const event = (window: Window, options: CalendarOptions): string[] => {
  const cancelled = window.status === 'cancelled';
  return [
    'BEGIN:VEVENT',
    // Stable across fetches: it is how a client recognises the same window and updates it instead of adding another.
    `UID:${escapeText(window.id)}@planb`,
    `DTSTAMP:${utc(options.now)}`,
    `DTSTART:${utc(window.start)}`,
    `DTEND:${utc(window.end)}`,
    // Subscribed calendars show a cancelled event like any other, or drop it; the word makes the cancellation seen.
    `SUMMARY:${cancelled ? 'Cancelled: ' : ''}Maintenance: ${escapeText(window.title)}`,
    `DESCRIPTION:${escapeText(description(window, options.zone, options.audience))}`,
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `SEQUENCE:${sequence(window)}`,
    `CREATED:${utc(window.scheduledAt)}`,
    `LAST-MODIFIED:${utc(lastModified(window))}`,
    ...(window.services.length === 0 ? [] : [`CATEGORIES:${window.services.map(escapeText).join(',')}`]),
    // A window is something to know about, not a meeting: it must not mark subscribers busy.
    'TRANSP:TRANSPARENT',
    'END:VEVENT',
  ];
};

/** Open windows are always in; ended ones until CALENDAR_HISTORY_MS after the later of their end and their ending. */
const recent = (window: Window, now: Date): boolean => {
  if (window.status !== 'completed' && window.status !== 'cancelled') return true;
  return Date.parse(latest(window.end, [window.endedAt])) >= now.getTime() - CALENDAR_HISTORY_MS;
};

/**
 * The iCalendar document of the windows, cancelled ones included so subscribers see the cancellation.
 * @example windowsCalendar(await windows.all(), { name: 'Plan B maintenance', now: new Date(), zone: 'Europe/Berlin' })
 */
export const windowsCalendar = (windows: readonly Window[], options: CalendarOptions): string => {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Plan B//Maintenance windows//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
    `X-WR-TIMEZONE:${escapeText(options.zone)}`,
    `REFRESH-INTERVAL;VALUE=DURATION:${REFRESH}`,
    `X-PUBLISHED-TTL:${REFRESH}`,
    ...windows.filter((window) => recent(window, options.now)).flatMap((window) => event(window, options)),
    'END:VCALENDAR',
  ];
  // Every content line ends in CRLF, the last one included.
  return lines.map((line) => `${foldLine(line)}${CRLF}`).join('');
};
