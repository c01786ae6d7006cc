/** Runbook parameters: checked against their patterns, then filled into `{{name}}` templates. */
import type { DomainError } from './errors.js';
import { fail } from './errors.js';
import type { Runbook, RunbookStep } from './runbook.js';

const TEMPLATE = /\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi;

/** The parameter names a template refers to. */
export const templateNames = (template: string): string[] => [...template.matchAll(TEMPLATE)].map((match) => match[1] ?? '');

/** @example interpolate('Deploy {{version}}', { version: '1.2.3' }) // 'Deploy 1.2.3' */
export const interpolate = (template: string, params: Readonly<Record<string, string>>): string =>
  template.replace(TEMPLATE, (whole, name: string) => params[name] ?? whole);

const describe = (name: string, spec: Runbook['params'][string]): string => {
  const details = [spec.description, spec.pattern === undefined ? undefined : `pattern ${spec.pattern}`].filter((part) => part !== undefined);
  return `${name}=<value>${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
};

/**
 * A value passes only if the WHOLE of it matches the parameter's pattern. The runbook format leaves anchors to the
 * author, but an unanchored `\d+\.\d+\.\d+` would let `1.2.3; rm -rf /` through as a "version" into titles, commands
 * and checks; so the pattern must cover the value entirely, anchored or not.
 */
export const matchesWhole = (pattern: string, value: string): boolean => new RegExp(`^(?:${pattern})$`).test(value);

/**
 * The parameters as a command shows them to be filled in.
 * @example paramPlaceholders(book) // ['version=<Version to deploy>']
 */
export const paramPlaceholders = (runbook: Runbook): string[] => Object.entries(runbook.params).map(([key, spec]) => `${key}=<${spec.description ?? key}>`);

/** Every declared parameter given or defaulted, every value matching its pattern; or why not. */
export const resolveParams = (runbook: Runbook, given: Readonly<Record<string, string>>): Record<string, string> | DomainError => {
  const declared = Object.keys(runbook.params);
  for (const name of Object.keys(given)) {
    if (!declared.includes(name)) {
      return fail('unknown_param', `${runbook.name} has no parameter ${name}; ${declared.length > 0 ? `its parameters are ${declared.join(', ')}` : 'it takes none'}.`);
    }
  }
  const resolved: Record<string, string> = {};
  for (const [name, spec] of Object.entries(runbook.params)) {
    const value = given[name] ?? spec.default;
    if (value === undefined) return fail('missing_param', `${runbook.name} needs ${describe(name, spec)}.`);
    if (spec.pattern !== undefined && !matchesWhole(spec.pattern, value)) {
      return fail('bad_param', `${name}=${value} does not match ${spec.pattern}${spec.description ? ` (${spec.description})` : ''}.`);
    }
    resolved[name] = value;
  }
  return resolved;
};

const fillMachine = (item: Pick<RunbookStep, 'run' | 'verify'>, fill: (text: string) => string): Pick<RunbookStep, 'run' | 'verify'> => ({
  ...(item.run ? { run: { ...item.run, argv: item.run.argv.map(fill) } } : {}),
  ...(item.verify ? { verify: { ...item.verify, http: fill(item.verify.http) } } : {}),
});

/** A copy of the runbook with every template filled in. */
export const instantiateRunbook = (runbook: Runbook, params: Readonly<Record<string, string>>): Runbook => {
  const fill = (text: string): string => interpolate(text, params);
  return {
    ...runbook,
    title: fill(runbook.title),
    preflight: runbook.preflight.map((item) => ({ ...item, check: fill(item.check), ...fillMachine(item, fill) })),
    steps: runbook.steps.map((step) => ({
      ...step,
      title: fill(step.title),
      ...(step.rollback ? { rollback: { ...step.rollback, title: fill(step.rollback.title) } } : {}),
      ...fillMachine(step, fill),
    })),
  };
};
