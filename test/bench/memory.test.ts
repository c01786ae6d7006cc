/** The memory bench, short: 20 incidents declared and updating on their cadence, and the process measured throughout. */
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/memory.js';

describe('memory bench (smoke)', () => {
  it('declares every incident (checked through the JSON API), sees each post an automatic update, and measures RSS', { timeout: 60_000 }, async () => {
    // run() fails unless the JSON API lists every declared incident as open.
    const result = await run({ smoke: true });
    expect(result.bench).toBe('memory');
    const figure = (name: string): number => result.figures.find((candidate) => candidate.name === name)?.value ?? Number.NaN;
    const max = 'RSS max, 20 active incidents on their cadence';
    const middle = 'RSS median, 20 active incidents on their cadence';
    for (const name of ['RSS idle, median', 'RSS max while declaring 20 (8 at once)', max, middle, 'V8 heap used at the peak', 'Redis used_memory, 20 incidents']) {
      expect(Number.isFinite(figure(name)), name).toBe(true);
      expect(figure(name), name).toBeGreaterThan(0);
    }
    expect(figure(max)).toBeGreaterThanOrEqual(figure(middle));
    expect(figure('incidents updated automatically in the 7 s window')).toBe(20);
    expect(result.figures.filter((candidate) => candidate.target).map((candidate) => [candidate.name, candidate.target])).toEqual([[max, { below: 150 }]]);
    expect(result.notes.join('\n')).toMatch(/20 incidents declared/);
  });
});
