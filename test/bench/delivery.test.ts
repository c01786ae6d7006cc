/** The delivery bench, short: a heads-up to 5 channels under Slack's rate limit, every message once and in order. */
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/delivery.js';

describe('delivery bench (smoke)', () => {
  it('delivers every channel its announcement, reminders, start notice and edit, once each and in order, despite 429s', { timeout: 60_000 }, async () => {
    // run() fails unless every channel got exactly its messages, each once, in order, the edit on its announcement.
    const result = await run({ smoke: true });
    expect(result.bench).toBe('delivery');
    expect(result.figures.map((figure) => figure.name)).toEqual([
      'throughput, heads-up burst to 5 channels',
      'burst time / rate-limit ideal',
      'time to deliver all, first command to last message',
      'channel done after the start, p50',
      'channel done after the start, max',
      '429s from the per-channel rate limit',
    ]);
    for (const figure of result.figures) {
      expect(Number.isFinite(figure.value), figure.name).toBe(true);
      expect(figure.value, figure.name).toBeGreaterThan(0);
    }
    expect(result.notes.join('\n')).toMatch(/5 channels, 5 messages each .*: 25 messages/);
  });
});
