import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue, parseRunbookText } from '../../src/domain/runbook-yaml.js';

const fixture = (name: string): string => readFileSync(`test/fixtures/runbooks/${name}`, 'utf8');
const problems = (name: string): string[] => {
  const parsed = parseRunbookText(fixture(name), name);
  return parsed.ok ? [] : parsed.issues.map(formatIssue);
};

describe('parseRunbookText', () => {
  it('turns the DESIGN.md example into the domain runbook, durations in milliseconds', () => {
    const parsed = parseRunbookText(fixture('valid-checkout.yaml'), 'valid-checkout.yaml');
    if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
    const book = parsed.value;
    expect(book).toMatchObject({ name: 'checkout-deploy', drivers: ['group:release-managers'], confirmers: ['group:sre'] });
    expect(book.decision).toEqual({ timeboxMs: 1_200_000, warnBeforeMs: 300_000, escalateAfterMs: 300_000, maxExtensions: 2 });
    expect(book.updates).toEqual({ everyMs: 900_000, nudgeBeforeMs: 120_000 });
    expect(book.preflight).toEqual([
      { id: 'backup', check: 'Backup taken and a restore tested today', evidence: 'required' },
      { id: 'rehearsal', check: 'Same version rehearsed on staging', evidence: 'none' },
    ]);
    expect(book.steps[1]).toEqual({ id: 'migrate', title: 'Run migration 42', irreversible: true, rollback: { title: 'Restore the database from the backup', expectMs: 7_200_000 } });
    expect(book.steps[0]?.expectMs).toBe(120_000);
  });

  it('places a bad duration at its value', () => {
    expect(problems('broken/bad-duration.yaml')).toEqual(['broken/bad-duration.yaml:8:13: steps[0].expect: "2x" is not a duration: use 90s, 20m, 2h or 1h30m']);
  });

  it('catches a misspelt key and suggests the right one', () => {
    expect(problems('broken/typo.yaml')).toEqual([
      'broken/typo.yaml:1:1: steps: is required',
      'broken/typo.yaml:5:1: stpes: unknown key "stpes": did you mean "steps"?',
    ]);
  });

  it('reports every rule broken, each where it is', () => {
    expect(problems('broken/semantics.yaml')).toEqual([
      'broken/semantics.yaml:3:35: drivers[1]: "bob" is not a principal: use slack:U…, teams:<id>, console:<name>, group:<name> or "*"',
      'broken/semantics.yaml:6:23: params.version.pattern: is not a valid regular expression: Invalid regular expression: /^(\\d+$/: Unterminated group',
      'broken/semantics.yaml:9:12: steps[0].title: {{verison}} is not a declared parameter (declared: version)',
      'broken/semantics.yaml:10:9: steps[1].id: step id one is used twice',
      'broken/semantics.yaml:12:19: steps[1].irreversible: step one is irreversible: say how to roll it back (rollback: {title, expect})',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('broken/syntax.yaml')).toEqual(['broken/syntax.yaml:3:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });

  it('says so when a file is empty or not a map', () => {
    expect(parseRunbookText('', 'empty.yaml')).toEqual({ ok: false, issues: [{ file: 'empty.yaml', line: 1, column: 1, message: 'the file is empty' }] });
    expect(parseRunbookText('- a\n- b\n', 'list.yaml')).toEqual({ ok: false, issues: [{ file: 'list.yaml', line: 1, column: 1, message: 'must be a map of keys' }] });
  });

  it('explains a missing required key and an unknown nested key', () => {
    const text = ['name: x', 'title: X', "drivers: ['*']", "confirmers: ['*']", 'steps:', '  - id: a', '    titel: A'].join('\n');
    expect(parseRunbookText(text, 'x.yaml')).toEqual({
      ok: false,
      issues: [
        { file: 'x.yaml', line: 6, column: 5, message: 'steps[0].title: is required' },
        { file: 'x.yaml', line: 7, column: 5, message: 'steps[0].titel: unknown key "titel": did you mean "title"?' },
      ],
    });
  });
});

describe('automated steps in the runbook file', () => {
  const book = (params: string, step: string): string =>
    ['name: web', 'title: Web', "drivers: ['*']", "confirmers: ['*']", `params: ${params}`, 'steps:', '  - id: deploy', '    title: Deploy', step].join('\n');

  it('reads verify.within as milliseconds and passes no text on', () => {
    const parsed = parseRunbookText(book('{}', '    verify: { http: https://web.internal/health, within: 2m }'), 'web.yaml');
    if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
    expect(parsed.value.steps[0]?.verify).toEqual({ http: 'https://web.internal/health', status: 200, withinMs: 120_000 });
  });

  it('leaves withinMs out when verify has no within', () => {
    const parsed = parseRunbookText(book('{}', '    verify: { http: https://web.internal/health, status: 204 }'), 'web.yaml');
    expect(parsed).toMatchObject({ ok: true, value: { steps: [{ verify: { http: 'https://web.internal/health', status: 204 } }] } });
    expect(parsed.ok && parsed.value.steps[0]?.verify).not.toHaveProperty('withinMs');
  });

  it('places a bad verify.within at its value', () => {
    expect(parseRunbookText(book('{}', '    verify: { http: https://web.internal/health, within: soon }'), 'web.yaml')).toMatchObject({
      ok: false,
      issues: [{ line: 9, message: 'steps[0].verify.within: "soon" is not a duration: use 90s, 20m, 2h or 1h30m' }],
    });
  });

  it('asks for a pattern on every parameter that goes into the command', () => {
    const text = book("{ version: { pattern: '\\d+\\.\\d+\\.\\d+' }, env: { default: prod }, note: {} }", '    run: { runner: prod, argv: [./deploy.sh, "--version={{version}}", "{{env}}-{{env}}", "{{note}}"] }');
    const parsed = parseRunbookText(text, 'web.yaml');
    expect(parsed.ok ? [] : parsed.issues.map(formatIssue)).toEqual([
      'web.yaml:9:71: steps[0].run.argv[2]: {{env}} goes into the command of step deploy: give params.env a pattern so a runner can check the value',
      'web.yaml:9:90: steps[0].run.argv[3]: {{note}} goes into the command of step deploy: give params.note a pattern so a runner can check the value',
    ]);
  });

  it('refuses a program chosen by a parameter', () => {
    const parsed = parseRunbookText(book("{ tool: { pattern: 'deploy|rollback' } }", '    run: { runner: prod, argv: ["./{{tool}}.sh", "now"] }'), 'web.yaml');
    expect(parsed.ok ? [] : parsed.issues.map(formatIssue)).toEqual(['web.yaml:9:33: steps[0].run.argv[0]: the program of step deploy must be fixed, not "./{{tool}}.sh"']);
  });

  it('accepts a fixed program with checked parameters', () => {
    const parsed = parseRunbookText(book("{ version: { pattern: '\\d+' } }", '    run: { runner: prod, argv: [./deploy.sh, "{{version}}"] }'), 'web.yaml');
    expect(parsed).toMatchObject({ ok: true, value: { steps: [{ run: { argv: ['./deploy.sh', '{{version}}'] } }] } });
  });
});
