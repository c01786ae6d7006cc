/** `planb runbook lint|schema` through the real bin, as an editor integration or CI step would call it. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../support/console-process.js';

const planb = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('planb runbook', () => {
  it('lint passes the examples', () => {
    expect(planb('runbook', 'lint', 'examples/runbooks')).toEqual({ status: 0, stdout: '3 runbooks OK.\n', stderr: '' });
  });

  it('lint lists every problem with file, line and column, and exits 1', () => {
    const result = planb('runbook', 'lint', 'test/fixtures/runbooks/broken', 'test/fixtures/runbooks/nope.yaml');
    expect(result.status).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('test/fixtures/runbooks/nope.yaml:1:1: no such file or directory');
    expect(lines).toContain('test/fixtures/runbooks/broken/bad-duration.yaml:8:13: steps[0].expect: "2x" is not a duration: use 90s, 20m, 2h or 1h30m');
    expect(lines[lines.length - 1]).toBe('10 problems found.');
  });

  it('lint without paths shows usage and exits 2', () => {
    const result = planb('runbook', 'lint');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: planb runbook lint <file|dir>...');
  });

  it('schema prints a JSON Schema that rejects unknown keys and documents durations', () => {
    const result = planb('runbook', 'schema');
    expect(result.status).toBe(0);
    const schema = JSON.parse(result.stdout) as { $schema: string; additionalProperties: boolean; required: string[]; properties: { steps: { items: { properties: { expect: { pattern: string } } } } } };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'title', 'drivers', 'confirmers', 'steps']);
    expect(schema.properties.steps.items.properties.expect.pattern).toBe('^(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?$');
  });
});
