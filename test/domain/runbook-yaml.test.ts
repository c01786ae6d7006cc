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

describe('environments, policies and machine-checked preflight (issue 13)', () => {
  const issues = (text: string): string[] => {
    const parsed = parseRunbookText(text, 'api.yaml');
    return parsed.ok ? [] : parsed.issues.map(formatIssue);
  };
  const base = (extra: string): string =>
    [
      'name: api-deploy',
      'title: API release',
      'drivers: [console:alice]',
      'confirmers: [console:bob]',
      'steps:',
      '  - { id: deploy, title: Deploy, run: { runner: deploy, argv: [./deploy.sh] }, rollback: { title: Redeploy, expect: 5m } }',
      extra,
    ].join('\n');

  it('turns environments into the domain, with the policy defaults', () => {
    const parsed = parseRunbookText(readFileSync('examples/runbooks/api-deploy.yaml', 'utf8'), 'api-deploy.yaml');
    if (!parsed.ok) throw new Error(parsed.issues.map(formatIssue).join('\n'));
    expect(parsed.value.environments).toEqual([
      { name: 'staging', channel: 'C0STAGING', runners: { deploy: 'deploy-staging' }, allowDrills: true },
      {
        name: 'production',
        channel: 'C0RELEASES',
        stakeholders: 'C0STATUS',
        runners: {},
        allowDrills: false,
        rehearsal: { on: 'staging', maxAgeMs: 14 * 86_400_000, missing: 'override' },
        drills: { on: 'staging', maxAgeMs: 30 * 86_400_000, missing: 'warn' },
      },
    ]);
    expect(parsed.value.preflight[0]).toEqual({ id: 'backup', check: "Last night's backup is there and restorable", evidence: 'none', verify: { http: 'https://backup.internal/api/latest/verified', status: 200 } });
    const defaults = parseRunbookText(base('environments:\n  staging: {}\n  production: { policy: { rehearsal: { on: staging }, drills: {} } }'), 'api.yaml');
    expect(defaults).toMatchObject({ ok: true, value: { environments: [{}, { rehearsal: { maxAgeMs: 14 * 86_400_000, missing: 'refuse' }, drills: { maxAgeMs: 30 * 86_400_000, missing: 'warn' } }] } });
  });

  it('names every environment and runner mistake where it is', () => {
    expect(
      issues(base('environments:\n  staging: { runners: { depoy: deploy-staging } }\n  production: { policy: { rehearsal: { on: stagin, missing: never }, drills: { on: qa } } }\n  qa: { policy: { rehearsal: { on: qa } } }')),
    ).toEqual([
      'api.yaml:9:61: environments.production.policy.rehearsal.missing: must be one of refuse, override, warn',
    ]);
    expect(issues(base('environments:\n  staging: { runners: { depoy: deploy-staging } }\n  production: { policy: { rehearsal: { on: stagin }, drills: { on: prod } } }\n  qa: { policy: { rehearsal: { on: qa } } }'))).toEqual([
      'api.yaml:8:32: environments.staging.runners.depoy: no step or preflight check of api-deploy runs on runner depoy (they name deploy)',
      'api.yaml:9:44: environments.production.policy.rehearsal.on: stagin is not an environment of api-deploy (staging, production, qa)',
      'api.yaml:9:68: environments.production.policy.drills.on: prod is not an environment of api-deploy (staging, production, qa)',
      'api.yaml:10:36: environments.qa.policy.rehearsal.on: qa cannot be rehearsed on itself: name another environment',
    ]);
  });

  it('refuses a parameter named env beside environments, a check by both run and verify, and evidence on a machine check', () => {
    const text = [
      'params: { env: { pattern: "[a-z]+" } }',
      'environments: { staging: {} }',
      'preflight:',
      '  - { id: backup, check: Backup, evidence: required, verify: { http: "https://b/{{env}}" }, run: { runner: deploy, argv: [./check.sh] } }',
    ].join('\n');
    expect(issues(base(text))).toEqual([
      'api.yaml:7:16: params.env: env= names the environment of a runbook with environments: rename the parameter',
      'api.yaml:10:44: preflight[0].evidence: preflight check backup is checked by the machine, which records its own evidence: drop evidence',
      'api.yaml:10:62: preflight[0].verify: preflight check backup is checked by run or by verify, not both: make it two checks',
    ]);
  });

  it('checks the command of a preflight item as it checks a step: fixed program, parameters with patterns', () => {
    const text = ['params: { version: {} }', 'preflight:', '  - { id: backup, check: Backup, run: { runner: deploy, argv: ["{{version}}.sh", "{{version}}"] } }'].join('\n');
    expect(issues(base(text))).toEqual([
      'api.yaml:9:64: preflight[0].run.argv[0]: the program of preflight check backup must be fixed, not "{{version}}.sh"',
      'api.yaml:9:82: preflight[0].run.argv[1]: {{version}} goes into the command of preflight check backup: give params.version a pattern so a runner can check the value',
    ]);
  });
});

describe('a drill policy needs somewhere drills may run', () => {
  const text = (production: string): string =>
    [
      'name: api-deploy',
      'title: API release',
      'drivers: [console:alice]',
      'confirmers: [console:bob]',
      'steps: [{ id: deploy, title: Deploy, rollback: { title: Redeploy } }]',
      'environments:',
      '  staging: { allow_drills: false }',
      `  production: ${production}`,
    ].join('\n');
  const issues = (production: string): string[] => {
    const parsed = parseRunbookText(text(production), 'api.yaml');
    return parsed.ok ? [] : parsed.issues.map(formatIssue);
  };

  it('refuses drills counted only from an environment that forbids them, or asked for where none may run', () => {
    expect(issues('{ allow_drills: false, policy: { drills: { on: staging } } }')).toEqual([
      'api.yaml:8:62: environments.production.policy.drills.on: drills count only from staging, which has allow_drills: false: allow drills there, or name another environment',
    ]);
    expect(issues('{ allow_drills: false, policy: { drills: {} } }')).toEqual([
      'api.yaml:8:56: environments.production.policy.drills: drills are asked for, but every environment has allow_drills: false: allow them where they should run',
    ]);
    expect(issues('{ policy: { drills: {} } }')).toEqual([]);
  });
});
