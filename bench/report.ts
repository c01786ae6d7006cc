/** What every benchmark returns, how it is printed, and the statistics they share. */

/** A limit a figure must stay under to pass (issue 12's targets). */
export interface Target {
  readonly below: number;
}

export interface Figure {
  /** What was measured: "ack p99, slash command". */
  readonly name: string;
  readonly value: number;
  readonly unit: 'ms' | 's' | 'MB' | 'msg/s' | 'x' | 'count';
  readonly target?: Target;
}

export interface BenchResult {
  /** Which benchmark: "ack", "timers", "delivery", "memory". */
  readonly bench: string;
  readonly figures: readonly Figure[];
  /** The run's parameters and anything a reader needs to trust the figures (sample sizes, what was excluded). */
  readonly notes: readonly string[];
}

/** How big a run is: `smoke` is the short version the test command runs; figures from it prove nothing about speed. */
export interface Scale {
  readonly smoke: boolean;
}

/** The q-quantile (0..1) of `values` by nearest rank; NaN for none. */
export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
};

export const passes = (figure: Figure): boolean | undefined => (figure.target === undefined ? undefined : figure.value < figure.target.below);

const round = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1));

/** One line per figure: bench, figure, value, target, pass. */
export const table = (results: readonly BenchResult[]): string => {
  const rows = results.flatMap((result) =>
    result.figures.map((figure) => {
      const verdict = passes(figure);
      return [result.bench, figure.name, `${round(figure.value)} ${figure.unit}`, figure.target ? `< ${round(figure.target.below)} ${figure.unit}` : '', verdict === undefined ? '' : verdict ? 'pass' : 'FAIL'];
    }),
  );
  const header = ['bench', 'figure', 'value', 'target', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
};
