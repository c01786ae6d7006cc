/** Time marks in neutral message text: written by the app, read by each renderer, never forged by users. */
import { describe, expect, it } from 'vitest';
import { personMark, plainText, stripMarks, textParts, timeMark } from '../../src/app/message.js';
import { parseCommand } from '../../src/app/grammar/index.js';
import { showTime } from '../../src/app/time-format.js';

describe('time marks', () => {
  it('split text into plain runs and instants, and flatten to the fallback', () => {
    const text = `started ${timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02')}, ended ${timeMark('2026-11-24T01:00:00.000Z', 'datetime', '02:00 (Nov 24)')}.`;
    expect(textParts(text)).toEqual([
      { text: 'started ' },
      { time: '2026-11-23T14:02:00.000Z', style: 'time', fallback: '15:02' },
      { text: ', ended ' },
      { time: '2026-11-24T01:00:00.000Z', style: 'datetime', fallback: '02:00 (Nov 24)' },
      { text: '.' },
    ]);
    expect(plainText(text)).toBe('started 15:02, ended 02:00 (Nov 24).');
    expect(textParts('no times')).toEqual([{ text: 'no times' }]);
  });

  it('mark people to notify: their name in plain text, the principal for platforms that can mention', () => {
    const text = `${personMark('slack:U0BOB', 'bob')}, decide now`;
    expect(textParts(text)).toEqual([{ person: 'slack:U0BOB', fallback: 'bob' }, { text: ', decide now' }]);
    expect(plainText(text)).toBe('bob, decide now');
  });

  it('showTime marks an instant in the team zone, with the date when the day differs from the reference', () => {
    expect(showTime('2026-11-23T14:02:00.000Z', 'Europe/Berlin')).toBe(timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02'));
    expect(showTime('2026-11-24T01:00:00.000Z', 'Europe/Berlin', '2026-11-23T14:02:00.000Z')).toBe(timeMark('2026-11-24T01:00:00.000Z', 'datetime', '02:00 (Nov 24)'));
    expect(showTime('not a time', 'UTC')).toBe('not a time');
  });

  it('user text cannot carry a mark: the grammar strips the delimiters', () => {
    const forged = `\uE0002026-01-01T00:00:00Z|time|gotcha\uE001`;
    expect(stripMarks(forged)).toBe('2026-01-01T00:00:00Z|time|gotcha');
    const parsed = parseCommand(`/release abort web-deploy-1 ${forged}`, { platform: 'console', isReleaseId: () => true, isIncidentId: () => false, isWindowId: () => false });
    expect(parsed).toMatchObject({ kind: 'release.abort', reason: '2026-01-01T00:00:00Z|time|gotcha' });
  });
});
