/** The ack bench, short: both apps answer every request 200, and every figure is a real measurement. */
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/ack.js';

describe('ack bench (smoke)', () => {
  it('measures Plan B and a bare Bolt app acking slash commands, button presses and retries, every request answered 200', { timeout: 60_000 }, async () => {
    // run() fails if any request is not answered 200, if Plan B does not reply to every command and press, or if it runs a retry again.
    const result = await run({ smoke: true });
    expect(result.bench).toBe('ack');
    expect(result.figures.map((figure) => figure.name)).toEqual([
      'ack p50, slash command',
      'ack p99, slash command',
      'bare Bolt ack p50, slash command',
      'bare Bolt ack p99, slash command',
      'ack p99 / bare Bolt p99, slash command',
      'ack p50, button press',
      'ack p99, button press',
      'bare Bolt ack p50, button press',
      'bare Bolt ack p99, button press',
      'ack p99 / bare Bolt p99, button press',
      'ack p99, Slack retry (nothing to do after the ack)',
      'bare Bolt ack p99, Slack retry',
      'ack p99 / bare Bolt p99, Slack retry',
    ]);
    for (const figure of result.figures) {
      expect(Number.isFinite(figure.value), figure.name).toBe(true);
      expect(figure.value, figure.name).toBeGreaterThan(0);
    }
    expect(result.figures.filter((figure) => figure.target).map((figure) => figure.target?.below)).toEqual([1.5, 1.5]);
    expect(result.notes.join('\n')).toMatch(/50 slash commands, 50 button presses and 50 retries per app, 16 in flight/);
  });
});
