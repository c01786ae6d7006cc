/**
 * `npm run bench [-- ack timers delivery memory]`: runs the benchmarks one after another (never together: they would
 * measure each other), prints a table and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, type as osType, release } from 'node:os';
import { resolve } from 'node:path';
import { run as ack } from './ack.js';
import { run as delivery } from './delivery.js';
import { run as memory } from './memory.js';
import type { BenchResult, Scale } from './report.js';
import { passes, table } from './report.js';
import { run as timers } from './timers.js';

const BENCHES: Readonly<Record<string, (scale: Scale) => Promise<BenchResult>>> = { ack, timers, delivery, memory };

const main = async (): Promise<number> => {
  const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(`No benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHES).join(', ')}.\n`);
    return 2;
  }
  const smoke = process.argv.includes('--smoke');
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  const results: BenchResult[] = [];
  for (const name of names) {
    process.stderr.write(`running ${name}${smoke ? ' (smoke)' : ''}...\n`);
    const bench = BENCHES[name];
    if (bench) results.push(await bench({ smoke }));
  }
  process.stdout.write(`${table(results)}\n\n`);
  for (const result of results) for (const note of result.notes) process.stdout.write(`${result.bench}: ${note}\n`);
  const machine = { node: process.version, os: `${osType()} ${release()}`, cpus: cpus().length, cpu: cpus()[0]?.model ?? '', memoryGb: Math.round(totalmem() / 2 ** 30) };
  const file = resolve('bench', smoke ? 'results-smoke.json' : 'results.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), smoke, machine, results }, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${file}\n`);
  // A missed target is a finding to read, not a crash: exit 1 so scripts notice.
  return results.some((result) => result.figures.some((figure) => passes(figure) === false)) ? 1 : 0;
};

process.exitCode = await main();
