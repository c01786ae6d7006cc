/** executeAction on real programs: the fixture scripts under test/fixtures/runner/. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { executeAction, LOG_LIMIT_BYTES } from '../../../src/adapters/runner/execute.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/runner/${name}`, import.meta.url));

const environment = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', DEPLOY_TOKEN: 's3cret', OTHER_SECRET: 'must-not-leak', AWS_REGION: undefined };
const deps = { environment };

/** Gone, or a zombie waiting to be reaped (some container inits never reap): either way it runs no more. */
const isRunning = (pid: number): boolean => {
  if (existsSync('/proc/self/stat')) {
    try {
      return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const eventually = async (check: () => boolean, withinMs: number): Promise<boolean> => {
  for (const end = Date.now() + withinMs; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (check()) return true;
  }
  return check();
};

let scratch: string | undefined;
const scratchDir = (): string => (scratch ??= mkdtempSync(join(tmpdir(), 'planb-runner-')));
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('executeAction', () => {
  it('runs a program to success, streaming its output and keeping the log', async () => {
    const chunks: string[] = [];
    const result = await executeAction({ argv: [fixture('greet.sh'), '1.2.3'], timeoutMs: 5_000, env: [], onOutput: (text) => chunks.push(text) }, deps);
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect([...result.tail].sort()).toEqual(['a warning', 'deploying 1.2.3', 'done']);
    expect(result.log.split('\n').sort()).toEqual(['', 'a warning', 'deploying 1.2.3', 'done']);
    expect(chunks.join('')).toBe(result.log);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a failing exit code with the last 20 lines', async () => {
    const result = await executeAction({ argv: [fixture('fail.sh')], timeoutMs: 5_000, env: [] }, deps);
    expect(result).toMatchObject({ exitCode: 3, signal: null, timedOut: false });
    expect(result.tail).toEqual(Array.from({ length: 20 }, (_, index) => `line ${index + 6}`));
    expect(result.log.split('\n')).toHaveLength(26);
  });

  it('kills the whole process group at the deadline, grandchildren included', async () => {
    let output = '';
    const result = await executeAction({ argv: [fixture('hang-with-child.sh')], timeoutMs: 300, env: [], onOutput: (text) => (output += text) }, deps);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(result.durationMs).toBeLessThan(2_000);
    const grandchild = Number(output.trim());
    expect(grandchild).toBeGreaterThan(1);
    expect(await eventually(() => !isRunning(grandchild), 1_000)).toBe(true);
  });

  it('follows SIGTERM with SIGKILL when the action ignores it', async () => {
    const result = await executeAction({ argv: [fixture('ignore-term.sh')], timeoutMs: 300, killGraceMs: 200, env: [] }, deps);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true, tail: ['ready'] });
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
  });

  it('gives the action only PATH, HOME, LANG and the variables the runbook names', async () => {
    const result = await executeAction({ argv: [fixture('print-env.sh')], timeoutMs: 5_000, env: ['DEPLOY_TOKEN', 'AWS_REGION'] }, deps);
    expect(result.exitCode).toBe(0);
    // dash exports PWD itself; everything else came from us.
    expect(result.tail.filter((name) => name !== 'PWD')).toEqual(['DEPLOY_TOKEN', 'HOME', 'LANG', 'PATH']);
  });

  it('passes shell metacharacters to the program literally', async () => {
    const touched = join(scratchDir(), 'touched');
    const argv = [fixture('print-args.sh'), `$(touch ${touched})`, `; touch ${touched}`, `\`touch ${touched}\``, '| cat', '*'];
    const result = await executeAction({ argv, timeoutMs: 5_000, env: [] }, deps);
    expect(result.exitCode).toBe(0);
    expect(result.tail).toEqual(argv.slice(1));
    expect(existsSync(touched)).toBe(false);
  });

  it('resolves with a clear failure for a program that does not exist', async () => {
    const missing = fixture('no-such-script.sh');
    const result = await executeAction({ argv: [missing], timeoutMs: 5_000, env: [] }, deps);
    expect(result).toMatchObject({ exitCode: null, signal: null, timedOut: false, tail: [`could not start ${missing}: no such program`] });
  });

  it('resolves with a clear failure for a file that is not executable', async () => {
    const script = join(scratchDir(), 'plain.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const result = await executeAction({ argv: [script], timeoutMs: 5_000, env: [] }, deps);
    expect(result).toMatchObject({ exitCode: null, timedOut: false, tail: [`could not start ${script}: permission denied (is it executable?)`] });
  });

  it('caps the log at 1 MB with a note, and still keeps the true tail', async () => {
    const program = "process.stdout.write('x'.repeat(2 * 1024 * 1024) + '\\nlast line\\n')";
    const result = await executeAction({ argv: [process.execPath, '-e', program], timeoutMs: 5_000, env: [] }, deps);
    expect(result.exitCode).toBe(0);
    expect(result.log.startsWith('x'.repeat(LOG_LIMIT_BYTES) + '\n[planb: log cut at 1048576 bytes;')).toBe(true);
    expect(result.log.length).toBeLessThan(LOG_LIMIT_BYTES + 200);
    expect(result.tail.at(-1)).toBe('last line');
  });
});
