/** The domain stays pure: no SDK, store, queue or Node I/O import, no clock. (eslint says so too; this holds without it.) */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));

const FORBIDDEN_IMPORT = /from\s+['"](@slack\/|botbuilder|bullmq|ioredis|pino|prom-client|node:|fs['"/]|http['"]|https['"]|net['"]|child_process|os['"]|path['"]|\.\.\/(\.\.\/)*(app|adapters|config|main))/;

describe('src/domain', () => {
  const sources = files('src/domain').map((file) => ({ file, text: readFileSync(file, 'utf8') }));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  it.each(sources.map((source) => [source.file, source.text] as const))('%s imports no I/O, SDK or outer layer', (_file, text) => {
    expect(text.split('\n').filter((line) => FORBIDDEN_IMPORT.test(line))).toEqual([]);
  });

  it.each(sources.map((source) => [source.file, source.text] as const))('%s reads neither the clock nor the environment', (_file, text) => {
    expect(text.match(/Date\.now\(\)|new Date\(\)|process\.env|Math\.random\(\)/g) ?? []).toEqual([]);
  });
});
