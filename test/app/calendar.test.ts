/** The iCalendar feed: exact output for a small case, then read back by Mozilla's parser (ical.js) as the outside oracle. */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { CALENDAR_HISTORY_MS, escapeText, foldLine, windowsCalendar } from '../../src/app/calendar.js';
import type { Window } from '../../src/domain/window/state.js';
import type { WindowStep } from '../support/window-history.js';
import { schedule, windowsAfter } from '../support/window-history.js';

const OPTIONS = { name: 'Plan B maintenance', zone: 'Europe/Berlin' };
const HOUR = 3_600_000;

/** The physical lines, as bytes: folding is about octets, not characters. */
const physicalLines = (text: string): Buffer[] => {
  const bytes = Buffer.from(text, 'utf8');
  const lines: Buffer[] = [];
  let from = 0;
  for (let at = bytes.indexOf('\r\n'); at >= 0; at = bytes.indexOf('\r\n', from)) {
    lines.push(bytes.subarray(from, at));
    from = at + 2;
  }
  expect(from).toBe(bytes.length);
  return lines;
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const parse = (text: string): ICAL.Component => ICAL.Component.fromString(text);

const events = (text: string): ICAL.Event[] => parse(text).getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));

const propertyText = (component: ICAL.Component, name: string): string => String(component.getFirstPropertyValue(name));

describe('windowsCalendar', () => {
  it('writes a scheduled window exactly, folded at 75 octets with CRLF line ends', () => {
    const windows = windowsAfter([
      {
        at: '2026-11-20T09:00:00.000Z',
        command: schedule('DB upgrade', '2026-11-25T21:00:00.000Z', 2 * HOUR, { impact: 'Checkout is read-only; payments queue, then catch up', services: ['db', 'checkout'] }),
      },
    ]);
    const text = windowsCalendar(windows, { ...OPTIONS, now: new Date('2026-11-21T10:00:00.000Z') });
    expect(text).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Plan B//Maintenance windows//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'X-WR-CALNAME:Plan B maintenance',
        'X-WR-TIMEZONE:Europe/Berlin',
        'REFRESH-INTERVAL;VALUE=DURATION:PT15M',
        'X-PUBLISHED-TTL:PT15M',
        'BEGIN:VEVENT',
        'UID:mw-1@planb',
        'DTSTAMP:20261121T100000Z',
        'DTSTART:20261125T210000Z',
        'DTEND:20261125T230000Z',
        'SUMMARY:Maintenance: DB upgrade',
        // 74 octets: the escaped newline would make 76, so it starts the continuation line whole.
        'DESCRIPTION:Impact: Checkout is read-only\\; payments queue\\, then catch up',
        ' \\nServices: db\\, checkout\\nStatus: Scheduled\\nPlan B maintenance window mw',
        ' -1',
        'STATUS:CONFIRMED',
        'SEQUENCE:0',
        'CREATED:20261120T090000Z',
        'LAST-MODIFIED:20261120T090000Z',
        'CATEGORIES:db,checkout',
        'TRANSP:TRANSPARENT',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
  });

  describe('read back by ical.js', () => {
    // 195 octets as a SUMMARY line: three physical lines.
    const longTitle = 'Größere Wartung der Zahlungsdatenbank – Übergang auf PostgreSQL 17 🚀 mit Schemaänderungen, Indexneuaufbau und Prüfsummen für die Kunden in 日本・台湾・한국';
    const extensionReason = 'Index rebuild is slower: shards 3;4, C:\\new\nsee #ops';
    const steps: WindowStep[] = [
      // mw-1 ended in July: more than 90 days before the feed is made, so it is left out.
      { at: '2026-07-01T08:00:00.000Z', command: schedule('Old cleanup', '2026-07-02T20:00:00.000Z', HOUR) },
      { at: '2026-07-02T20:00:00.000Z', timer: { type: 'start', window: 'mw-1', start: '2026-07-02T20:00:00.000Z' } },
      { at: '2026-07-02T21:00:00.000Z', timer: { type: 'end', window: 'mw-1', end: '2026-07-02T21:00:00.000Z', running: [] } },
      // mw-2 started, was extended by bob, and is running over because a release in it still runs.
      { at: '2026-11-20T09:00:00.000Z', command: schedule('Search reindex', '2026-11-30T20:00:00.000Z', 2 * HOUR, { services: ['search'] }) },
      { at: '2026-11-30T20:00:00.000Z', timer: { type: 'start', window: 'mw-2', start: '2026-11-30T20:00:00.000Z' } },
      { at: '2026-11-30T21:50:00.000Z', by: 'console:bob', command: { type: 'extend', window: 'mw-2', durationMs: HOUR / 2, reason: extensionReason } },
      { at: '2026-11-30T22:30:00.000Z', timer: { type: 'end', window: 'mw-2', end: '2026-11-30T22:30:00.000Z', running: ['search-deploy-4'] } },
      // mw-3 moved twice, then cancelled.
      { at: '2026-11-20T10:00:00.000Z', command: schedule('Payments DB failover', '2026-12-03T22:00:00.000Z', HOUR, { services: ['payments'] }) },
      { at: '2026-11-21T10:00:00.000Z', command: { type: 'reschedule', window: 'mw-3', start: '2026-12-04T22:00:00.000Z' } },
      { at: '2026-11-22T10:00:00.000Z', command: { type: 'reschedule', window: 'mw-3', start: '2026-12-05T22:00:00.000Z' } },
      { at: '2026-11-23T10:00:00.000Z', command: { type: 'cancel', window: 'mw-3', reason: 'Vendor postponed; new date TBD' } },
      // mw-4: a title long and multi-byte enough to fold several times; a service with a comma in it.
      { at: '2026-11-24T10:00:00.000Z', command: schedule(longTitle, '2026-12-10T23:00:00.000Z', 3 * HOUR, { services: ['payments', 'db,primary'] }) },
      // mw-5 started early by hand and completed: recent, so it stays.
      { at: '2026-11-24T11:00:00.000Z', command: schedule('Cache flush', '2026-11-26T06:00:00.000Z', HOUR) },
      { at: '2026-11-26T05:50:00.000Z', command: { type: 'start', window: 'mw-5' } },
      { at: '2026-11-26T06:20:00.000Z', command: { type: 'complete', window: 'mw-5' } },
    ];
    const windows = windowsAfter(steps);
    const now = new Date('2026-12-01T12:00:00.000Z');
    const text = windowsCalendar(windows, { ...OPTIONS, now });
    const byId = (id: string): Window => windows.find((window) => window.id === id) ?? expect.fail(`no ${id}`);

    it('is a calendar ical.js reads, with the calendar properties subscribers use', () => {
      const calendar = parse(text);
      expect(calendar.name).toBe('vcalendar');
      expect(['version', 'prodid', 'calscale', 'method', 'x-wr-calname', 'x-wr-timezone'].map((name) => propertyText(calendar, name))).toEqual([
        '2.0',
        '-//Plan B//Maintenance windows//EN',
        'GREGORIAN',
        'PUBLISH',
        'Plan B maintenance',
        'Europe/Berlin',
      ]);
      expect(propertyText(calendar, 'refresh-interval')).toBe('PT15M');
      expect(calendar.getFirstProperty('refresh-interval')?.type).toBe('duration');
      expect(propertyText(calendar, 'x-published-ttl')).toBe('PT15M');
    });

    it('has one event per window not ended long ago, each at its current start and end, in UTC', () => {
      const parsed = events(text);
      expect(parsed.map((event) => event.uid)).toEqual(['mw-2@planb', 'mw-3@planb', 'mw-4@planb', 'mw-5@planb']);
      for (const event of parsed) {
        const window = byId(event.uid.replace('@planb', ''));
        expect([event.startDate.zone?.tzid, event.endDate.zone?.tzid]).toEqual(['UTC', 'UTC']);
        expect([event.startDate.toJSDate().toISOString(), event.endDate.toJSDate().toISOString()]).toEqual([window.start, window.end]);
        expect(String(event.component.getFirstPropertyValue('dtstamp'))).toBe('2026-12-01T12:00:00Z');
      }
      // The extension and the reschedules moved them: the feed shows where they are now.
      expect(byId('mw-2').end).toBe('2026-11-30T22:30:00.000Z');
      expect(byId('mw-3').start).toBe('2026-12-05T22:00:00.000Z');
    });

    it('says cancelled where it is, and counts changes in SEQUENCE so clients update', () => {
      const parsed = events(text);
      expect(parsed.map((event) => [event.uid, propertyText(event.component, 'status'), event.sequence])).toEqual([
        ['mw-2@planb', 'CONFIRMED', 1],
        ['mw-3@planb', 'CANCELLED', 3],
        ['mw-4@planb', 'CONFIRMED', 0],
        ['mw-5@planb', 'CONFIRMED', 0],
      ]);
      expect(parsed.map((event) => event.summary)).toEqual([
        'Maintenance: Search reindex',
        'Cancelled: Maintenance: Payments DB failover',
        `Maintenance: ${longTitle}`,
        'Maintenance: Cache flush',
      ]);
      expect(parsed.map((event) => String(event.component.getFirstPropertyValue('last-modified')))).toEqual([
        '2026-11-30T22:30:00Z',
        '2026-11-23T10:00:00Z',
        '2026-11-24T10:00:00Z',
        '2026-11-26T06:20:00Z',
      ]);
    });

    it('describes status, extensions with their reasons and the cancellation, unescaped intact', () => {
      const [running, cancelled, , completed] = events(text);
      expect(running?.description).toBe(
        [
          'Services: search',
          'Status: Running over its planned end (still running: search-deploy-4)',
          `Extended to Mon 30 Nov 23:30 CET: ${extensionReason}`,
          'Plan B maintenance window mw-2',
        ].join('\n'),
      );
      expect(cancelled?.description).toBe(['Services: payments', 'Status: Cancelled', 'Cancelled: Vendor postponed; new date TBD', 'Plan B maintenance window mw-3'].join('\n'));
      expect(completed?.description).toBe('Status: Completed\nPlan B maintenance window mw-5');
    });

    it('lists services as categories, a comma inside one escaped', () => {
      const categories = events(text).map((event) => (event.component.getFirstProperty('categories')?.getValues() as unknown[] | undefined)?.map(String));
      expect(categories).toEqual([['search'], ['payments'], ['payments', 'db,primary'], undefined]);
    });

    it('folds every line at 75 octets, never inside a UTF-8 character, and ends each with CRLF', () => {
      const lines = physicalLines(text);
      for (const line of lines) {
        expect(line.length).toBeLessThanOrEqual(75);
        // Each physical line alone must be valid UTF-8: a character split across a fold would not be.
        expect(() => strictUtf8.decode(line)).not.toThrow();
      }
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const summary = lines.map((line) => strictUtf8.decode(line)).findIndex((line) => line.startsWith('SUMMARY:Maintenance: Größere'));
      const continuations = lines.slice(summary + 1).findIndex((line) => line[0] !== 0x20);
      expect([summary > 0, continuations]).toEqual([true, 2]);
    });
  });

  it('is a valid, empty calendar when there are no windows', () => {
    const text = windowsCalendar([], { ...OPTIONS, now: new Date('2026-12-01T12:00:00.000Z') });
    expect(parse(text).getAllSubcomponents('vevent')).toEqual([]);
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('keeps a window until 90 days after it ended, and an open one however old its end', () => {
    const steps: WindowStep[] = [
      { at: '2026-01-01T08:00:00.000Z', command: schedule('Ended exactly 90 days ago', '2026-01-02T08:00:00.000Z', HOUR) },
      { at: '2026-01-02T09:00:00.000Z', timer: { type: 'end', window: 'mw-1', end: '2026-01-02T09:00:00.000Z', running: [] } },
      { at: '2026-01-01T08:00:00.000Z', command: schedule('Ended a second earlier', '2026-01-02T08:00:00.000Z', HOUR - 1_000) },
      { at: '2026-01-02T08:59:59.000Z', timer: { type: 'end', window: 'mw-2', end: '2026-01-02T08:59:59.000Z', running: [] } },
      // Cancelled long ago, for a day that has long passed too.
      { at: '2026-01-01T08:00:00.000Z', command: schedule('Cancelled long ago', '2026-01-02T07:00:00.000Z', HOUR) },
      { at: '2026-01-01T09:00:00.000Z', command: { type: 'cancel', window: 'mw-3', reason: 'not needed' } },
      // Never started or ended by the bot (it was down): still open, so still shown.
      { at: '2026-01-01T08:00:00.000Z', command: schedule('Still open', '2026-01-02T08:00:00.000Z', HOUR) },
    ];
    const now = new Date(Date.parse('2026-01-02T09:00:00.000Z') + CALENDAR_HISTORY_MS);
    const text = windowsCalendar(windowsAfter(steps), { ...OPTIONS, now });
    expect(events(text).map((event) => event.uid)).toEqual(['mw-1@planb', 'mw-4@planb']);
  });

  it('changes only DTSTAMP between two fetches of the same windows', () => {
    const windows = windowsAfter([{ at: '2026-11-20T09:00:00.000Z', command: schedule('DB upgrade', '2026-11-25T21:00:00.000Z', HOUR) }]);
    const first = windowsCalendar(windows, { ...OPTIONS, now: new Date('2026-11-21T10:00:00.000Z') }).split('\r\n');
    const second = windowsCalendar(windows, { ...OPTIONS, now: new Date('2026-11-21T10:15:00.000Z') }).split('\r\n');
    expect(first.filter((line, index) => line !== second[index])).toEqual(['DTSTAMP:20261121T100000Z']);
  });
});

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and line breaks, and drops other control characters', () => {
    expect(escapeText('a\\b;c,d\r\ne\rf\ng\u0007h\ti')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti');
  });
});

describe('foldLine', () => {
  const ascii = (count: number): string => 'x'.repeat(count);

  it('leaves a line of 75 octets alone and folds the 76th onto a continuation line', () => {
    expect(foldLine(ascii(75))).toBe(ascii(75));
    expect(foldLine(ascii(76))).toBe(`${ascii(75)}\r\n x`);
  });

  it('gives continuation lines 74 octets after their leading space', () => {
    expect(foldLine(ascii(75 + 74 + 1))).toBe(`${ascii(75)}\r\n ${ascii(74)}\r\n x`);
  });

  it('moves a multi-byte character that would cross the limit whole onto the next line', () => {
    expect(foldLine(`${ascii(74)}é`)).toBe(`${ascii(74)}\r\n é`);
    expect(foldLine(`${ascii(73)}é`)).toBe(`${ascii(73)}é`);
    expect(foldLine(`${ascii(72)}🚀`)).toBe(`${ascii(72)}\r\n 🚀`);
    expect(foldLine(`${ascii(71)}🚀`)).toBe(`${ascii(71)}🚀`);
    expect(foldLine(`${ascii(73)}日本`)).toBe(`${ascii(73)}\r\n 日本`);
  });

  it('keeps an escape pair together', () => {
    expect(foldLine(`${ascii(74)}\\n`)).toBe(`${ascii(74)}\r\n \\n`);
    expect(foldLine(`${ascii(73)}\\,`)).toBe(`${ascii(73)}\\,`);
  });
});
