import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';
import { isEligible, isPrincipal } from '../../src/domain/principal.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000],
    ['20m', 1_200_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '0m', '2x', '1.5h', 'm', '30m2h', '-5m'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats compound durations', () => {
    expect(formatDuration(7_260_000)).toBe('2h1m');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('principals and eligibility', () => {
  const groups = { sre: ['slack:U1', 'group:oncall'], oncall: ['teams:abc', 'group:sre'] };

  it('recognises the principal forms', () => {
    expect(['slack:U1', 'teams:29:abc', 'console:bob', 'group:sre', '*'].every(isPrincipal)).toBe(true);
    expect(['bob', 'slack:', 'email:x@y', ' slack:U1'].some(isPrincipal)).toBe(false);
  });

  it('follows groups, including nested and cyclic ones', () => {
    expect(isEligible('teams:abc', ['group:sre'], groups)).toBe(true);
    expect(isEligible('slack:U2', ['group:sre'], groups)).toBe(false);
    expect(isEligible('slack:U2', ['*'], groups)).toBe(true);
    expect(isEligible('slack:U1', ['group:missing'], groups)).toBe(false);
  });
});
