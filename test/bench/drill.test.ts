/**
 * The chaos drill, short: real replicas killed, Redis crashed and restarted, Slack failing 30% of calls; still no event
 * lost, every message delivered exactly once, every timer fired exactly once.
 */
import { describe, expect, it } from 'vitest';
import { runDrill } from '../../bench/drill.js';
import { failures } from '../../bench/drill-report.js';

describe('chaos drill (smoke)', () => {
  it('loses no event, message or timer and duplicates none, through kills, a Redis crash and a failing Slack', { timeout: 90_000 }, async () => {
    const report = await runDrill({ smoke: true, seed: 1 });
    // The chaos happened.
    expect(report.kills).toBeGreaterThan(0);
    expect(report.redisRestarts).toBe(1);
    expect(report.slack.refused.chaos429 + report.slack.refused.chaos500 + report.slack.refused.chaosTimeout).toBeGreaterThan(0);
    // There was something to lose.
    expect(report.work).toEqual({ releases: 1, incidents: 1, windows: 1 });
    expect(report.events.total).toBeGreaterThan(0);
    expect(report.messages.owed).toBeGreaterThan(0);
    expect(report.timers.expected).toBeGreaterThan(0);
    // Nothing was lost or doubled; the problems say what was, if anything.
    expect({ failures: failures(report), problems: report.problems }).toEqual({ failures: [], problems: [] });
    expect(report.events.lost).toBe(0);
    expect(report.messages.lost).toBe(0);
    expect(report.messages.duplicated).toBe(0);
    expect(report.messages.delivered + report.messages.dropped).toBe(report.messages.owed);
    expect(report.timers.lost + report.timers.stuck + report.timers.duplicated).toBe(0);
    expect(report.timers.fired).toBe(report.timers.expected);
  });
});
