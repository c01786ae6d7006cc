/** Durations as people type them: `90s`, `20m`, `2h`, `1h30m`, `1d`. Milliseconds inside. */

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

const UNITS = [
  { suffix: 'd', ms: 86_400_000 },
  { suffix: 'h', ms: 3_600_000 },
  { suffix: 'm', ms: 60_000 },
  { suffix: 's', ms: 1_000 },
] as const;

/** The pattern a duration must match, for JSON Schema and messages. */
export const DURATION_PATTERN = '^(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$';

/**
 * Parses a duration; `undefined` when the text is not one.
 * @example parseDuration('1h30m') // 5_400_000
 */
export const parseDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  let total = 0;
  UNITS.forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * unit.ms;
  });
  return total > 0 ? total : undefined;
};

/** `5_400_000` → `1h30m`; the inverse of parseDuration for whole seconds. */
export const formatDuration = (ms: number): string => {
  let rest = Math.max(0, Math.round(ms / 1000)) * 1000;
  if (rest === 0) return '0s';
  let text = '';
  for (const unit of UNITS) {
    const amount = Math.floor(rest / unit.ms);
    if (amount > 0) {
      text += `${amount}${unit.suffix}`;
      rest -= amount * unit.ms;
    }
  }
  return text;
};
