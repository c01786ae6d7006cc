import { describe, expect, it } from 'vitest';
import { instantiateRunbook, interpolate, resolveParams } from '../../src/domain/runbook-params.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { DomainError } from '../../src/domain/errors.js';

const book: Runbook = {
  name: 'web-deploy',
  title: 'Web {{ env }}',
  drivers: ['*'],
  confirmers: ['*'],
  params: { version: { pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'Version to deploy' }, env: { default: 'prod' } },
  preflight: [],
  steps: [
    {
      id: 'deploy',
      title: 'Deploy {{version}}',
      irreversible: false,
      rollback: { title: 'Back from {{version}}' },
      run: { runner: 'prod', argv: ['./deploy.sh', '{{version}}', '{{env}}'] },
      verify: { http: 'https://{{env}}.internal/health', status: 200 },
    },
  ],
};

describe('runbook parameters', () => {
  it('fills templates, spaces inside braces allowed, unknown names left as written', () => {
    expect(interpolate('Deploy {{ version }} to {{where}}', { version: '1.2.3' })).toBe('Deploy 1.2.3 to {{where}}');
  });

  it('resolves given values and defaults', () => {
    expect(resolveParams(book, { version: '1.2.3' })).toEqual({ version: '1.2.3', env: 'prod' });
  });

  it('names a missing parameter with its description and pattern', () => {
    expect(resolveParams(book, {})).toEqual(new DomainError('missing_param', 'web-deploy needs version=<value> (Version to deploy, pattern ^\\d+\\.\\d+\\.\\d+$).'));
  });

  it('refuses a value that does not match and a parameter that does not exist', () => {
    expect(resolveParams(book, { version: '1.2' })).toEqual(new DomainError('bad_param', 'version=1.2 does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).'));
    expect(resolveParams(book, { version: '1.2.3', colour: 'blue' })).toEqual(new DomainError('unknown_param', 'web-deploy has no parameter colour; its parameters are version, env.'));
  });

  it('instantiates every template of the runbook', () => {
    const filled = instantiateRunbook(book, { version: '1.2.3', env: 'prod' });
    expect(filled.title).toBe('Web prod');
    expect(filled.steps[0]).toMatchObject({
      title: 'Deploy 1.2.3',
      rollback: { title: 'Back from 1.2.3' },
      run: { argv: ['./deploy.sh', '1.2.3', 'prod'] },
      verify: { http: 'https://prod.internal/health' },
    });
  });
});
