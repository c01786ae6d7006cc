import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { parseRunbookText } from '../../src/domain/runbook-yaml.js';
import { planRun, verifyRequest } from '../../src/domain/runner-plan.js';

const book: Runbook = {
  name: 'web-deploy',
  title: 'Web {{env}}',
  drivers: ['*'],
  confirmers: ['*'],
  params: {
    version: { pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'Version to deploy' },
    env: { pattern: 'prod|staging', default: 'prod' },
    note: { description: 'Free text for the thread', default: '' },
  },
  preflight: [],
  steps: [
    { id: 'drain', title: 'Drain traffic', irreversible: false },
    {
      id: 'deploy',
      title: 'Deploy {{version}}',
      irreversible: false,
      run: { runner: 'prod', argv: ['./deploy.sh', '--version={{version}}', '{{env}}'], timeoutMs: 600_000, env: ['DEPLOY_TOKEN'] },
    },
    { id: 'announce', title: 'Announce', irreversible: false, run: { runner: 'prod', argv: ['./announce.sh', '{{note}}'] } },
    { id: 'sneaky', title: 'Sneaky', irreversible: false, run: { runner: 'prod', argv: ['{{env}}.sh'] } },
  ],
};

describe('planRun', () => {
  it('fills each parameter into the one argument that holds it, defaults included', () => {
    expect(planRun(book, 'deploy', { version: '1.2.3' })).toEqual({
      runner: 'prod',
      argv: ['./deploy.sh', '--version=1.2.3', 'prod'],
      timeoutMs: 600_000,
      env: ['DEPLOY_TOKEN'],
    });
  });

  it('keeps a value with spaces as one argument', () => {
    const spaced: Runbook = { ...book, params: { ...book.params, version: { pattern: '.+' } } };
    expect(planRun(spaced, 'deploy', { version: '1.2.3 --force' })).toMatchObject({ argv: ['./deploy.sh', '--version=1.2.3 --force', 'prod'] });
  });

  it('refuses a value that does not match the pattern', () => {
    expect(planRun(book, 'deploy', { version: '1.2' })).toEqual(new DomainError('bad_param', 'version=1.2 does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).'));
  });

  it.each(['1.2.3; rm -rf /', '$(touch /tmp/x)', '1.2.3\n--force', '`id`'])('refuses the injection attempt %j through the pattern', (version) => {
    expect(planRun(book, 'deploy', { version })).toMatchObject({ code: 'bad_param' });
  });

  it('requires the whole value to match even an unanchored pattern', () => {
    expect(planRun(book, 'deploy', { version: '1.2.3', env: 'prod --all' })).toEqual(new DomainError('bad_param', 'env=prod --all does not match prod|staging.'));
    expect(planRun(book, 'deploy', { version: '1.2.3', env: 'staging' })).toMatchObject({ argv: ['./deploy.sh', '--version=1.2.3', 'staging'] });
  });

  it('refuses unknown parameters and missing ones', () => {
    expect(planRun(book, 'deploy', { version: '1.2.3', colour: 'blue' })).toMatchObject({ code: 'unknown_param' });
    expect(planRun(book, 'deploy', {})).toMatchObject({ code: 'missing_param' });
  });

  it('refuses a step without run, and a step that does not exist', () => {
    expect(planRun(book, 'drain', { version: '1.2.3' })).toEqual(new DomainError('not_automated', 'Step drain of web-deploy has no run: it is done by hand, not by a runner.'));
    expect(planRun(book, 'nope', { version: '1.2.3' })).toEqual(new DomainError('unknown_step', 'web-deploy has no step nope.'));
  });

  it('refuses a parameter in the command that has no pattern to check it against', () => {
    expect(planRun(book, 'announce', { version: '1.2.3', note: 'hello' })).toEqual(
      new DomainError('unchecked_param', '{{note}} goes into the command of step announce, so web-deploy must give it a pattern before a runner will run it.'),
    );
  });

  it('refuses a program chosen by a parameter', () => {
    expect(planRun(book, 'sneaky', { version: '1.2.3' })).toMatchObject({ code: 'templated_program' });
  });

  it('gives no environment names when the step names none', () => {
    const bare: Runbook = { ...book, steps: [{ id: 'x', title: 'X', irreversible: false, run: { runner: 'r', argv: ['/bin/true'] } }] };
    expect(planRun(bare, 'x', { version: '1.2.3' })).toEqual({ runner: 'r', argv: ['/bin/true'], env: [] });
  });
});

describe('verifyRequest', () => {
  const params = { version: '1.2.3' };

  it('accepts exactly the argv the runner would compute itself', () => {
    expect(verifyRequest(book, { step: 'deploy', params, argv: ['./deploy.sh', '--version=1.2.3', 'prod'] })).toBeUndefined();
  });

  it.each([
    ['another program', ['/bin/sh', '-c', 'rm -rf /']],
    ['an extra argument', ['./deploy.sh', '--version=1.2.3', 'prod', '--force']],
    ['a missing argument', ['./deploy.sh', '--version=1.2.3']],
    ['arguments merged', ['./deploy.sh', '--version=1.2.3 prod']],
    ['a different value', ['./deploy.sh', '--version=9.9.9', 'prod']],
  ])('refuses %s', (_what, argv) => {
    expect(verifyRequest(book, { step: 'deploy', params, argv })).toMatchObject({ code: 'argv_mismatch' });
  });

  it('says what it expected and what it got', () => {
    expect(verifyRequest(book, { step: 'deploy', params, argv: ['./deploy.sh'] })).toEqual(
      new DomainError('argv_mismatch', 'Refused: step deploy of web-deploy runs ["./deploy.sh","--version=1.2.3","prod"] by this runner\'s copy of the runbook, but ["./deploy.sh"] was requested.'),
    );
  });

  it('refuses parameters its own runbook refuses, whatever argv came with them', () => {
    expect(verifyRequest(book, { step: 'deploy', params: { version: '$(touch /tmp/x)' }, argv: ['./deploy.sh', '--version=$(touch /tmp/x)', 'prod'] })).toMatchObject({ code: 'bad_param' });
  });
});

describe('run.env in the runbook file', () => {
  const yaml = (env: string): string => `
name: env-demo
title: Env demo
drivers: ['*']
confirmers: ['*']
steps:
  - id: go
    title: Go
    run: { runner: prod, argv: [./go.sh], env: ${env} }
`;

  it('carries the names into the step', () => {
    const parsed = parseRunbookText(yaml('[DEPLOY_TOKEN, AWS_REGION]'), 'env-demo.yaml');
    if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join('; '));
    expect(planRun(parsed.value, 'go', {})).toEqual({ runner: 'prod', argv: ['./go.sh'], env: ['DEPLOY_TOKEN', 'AWS_REGION'] });
  });

  it('refuses a name that is not an environment variable name', () => {
    const parsed = parseRunbookText(yaml('[deploy-token]'), 'env-demo.yaml');
    expect(parsed).toMatchObject({ ok: false, issues: [{ message: expect.stringContaining('environment variable names are upper-case') as unknown }] });
  });
});
