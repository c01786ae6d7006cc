/** Times people type, in their own zone, across daylight-saving changes, for Berlin and New York. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { parseWhen } from '../../src/app/time-parse.js';

const iso = (value: Date | DomainError): string => (value instanceof DomainError ? `error: ${value.message}` : value.toISOString());

describe('parseWhen', () => {
  const now = new Date('2026-11-24T12:00:00.000Z');

  it('reads ISO times in the person’s zone unless they carry an offset', () => {
    expect(iso(parseWhen('2026-11-25T22:00', 'Europe/Berlin', now))).toBe('2026-11-25T21:00:00.000Z');
    expect(iso(parseWhen('2026-11-25T22:00', 'America/New_York', now))).toBe('2026-11-26T03:00:00.000Z');
    expect(iso(parseWhen('2026-11-25T22:00Z', 'America/New_York', now))).toBe('2026-11-25T22:00:00.000Z');
    expect(iso(parseWhen('2026-11-25T22:00+01:00', 'America/New_York', now))).toBe('2026-11-25T21:00:00.000Z');
  });

  it('reads natural language relative to now in the zone: tomorrow is the zone’s tomorrow', () => {
    // 23:30 in New York is already the next day in UTC and Berlin.
    const lateEvening = new Date('2026-11-25T04:30:00.000Z');
    expect(iso(parseWhen('tomorrow 22:00', 'America/New_York', lateEvening))).toBe('2026-11-26T03:00:00.000Z');
    expect(iso(parseWhen('tomorrow 22:00', 'Europe/Berlin', lateEvening))).toBe('2026-11-26T21:00:00.000Z');
    expect(iso(parseWhen('in 2h', 'Europe/Berlin', now))).toBe('2026-11-24T14:00:00.000Z');
  });

  it('places a time after a change of offset at the new offset', () => {
    // Berlin: CET (+1) from 25 Oct 2026; New York: EST (-5) from 1 Nov 2026. Asked in summer time for a winter date.
    const summer = new Date('2026-10-20T12:00:00.000Z');
    expect(iso(parseWhen('2026-10-26T09:00', 'Europe/Berlin', summer))).toBe('2026-10-26T08:00:00.000Z');
    expect(iso(parseWhen('2026-11-02T09:00', 'America/New_York', summer))).toBe('2026-11-02T14:00:00.000Z');
    // And a summer date asked in winter.
    expect(iso(parseWhen('2027-04-01T09:00', 'Europe/Berlin', now))).toBe('2027-04-01T07:00:00.000Z');
  });

  it('refuses a time the clocks skip, and takes the first of a time they repeat', () => {
    expect(iso(parseWhen('2026-03-29T02:30', 'Europe/Berlin', now))).toBe('error: 02:30 does not exist on 29 Mar 2026 in Europe/Berlin: the clocks go forward. Pick another time, e.g. 03:30.');
    expect(iso(parseWhen('2026-03-08T02:30', 'America/New_York', now))).toMatch(/^error: 02:30 does not exist on 8 Mar 2026 in America\/New_York/);
    // 02:30 happens at +02:00 and again at +01:00 on 25 Oct in Berlin; 01:30 at -04:00 and -05:00 on 1 Nov in New York.
    expect(iso(parseWhen('2026-10-25T02:30', 'Europe/Berlin', now))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(parseWhen('2026-11-01T01:30', 'America/New_York', now))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('says what it could not read', () => {
    expect(iso(parseWhen('banana', 'Europe/Berlin', now))).toBe('error: "banana" is not a time I can read: try 2026-11-25T22:00, tomorrow 22:00 or in 2h.');
    expect(iso(parseWhen('tomorrow 22:00 or so', 'Europe/Berlin', now))).toBe('error: I can read only "tomorrow 22:00" of "tomorrow 22:00 or so" as a time: write just the time, e.g. tomorrow 22:00.');
  });
});
