/** Environments of a runbook (staging, production…): which one a command names, and the runbook as it runs there. */
import type { DomainError } from './errors.js';
import { fail } from './errors.js';
import type { Environment, Runbook, StepRun } from './runbook.js';

/**
 * The environment `given` names, checked against the runbook: required when it has environments, refused when
 * it has none. `undefined`: the runbook runs in one place.
 * @example pickEnvironment(book, 'staging') // { name: 'staging', … }
 */
export const pickEnvironment = (runbook: Runbook, given: string | undefined, usage: string): Environment | undefined | DomainError => {
  const environments = runbook.environments ?? [];
  const names = environments.map((env) => env.name).join(', ');
  if (environments.length === 0) {
    return given === undefined ? undefined : fail('no_environments', `${runbook.name} has no environments, so env=${given} means nothing: leave it out.`);
  }
  if (given === undefined) return fail('environment_missing', `${runbook.name} runs in ${names}: say which, e.g. ${usage} env=${environments[0]?.name ?? ''}`);
  return environments.find((env) => env.name === given.toLowerCase()) ?? fail('unknown_environment', `${runbook.name} has no environment ${given}; its environments are ${names}.`);
};

/**
 * The runbook as it runs in `environment`: that environment's channel and stakeholders, and each `run.runner` replaced
 * by the runner that does its work there. The bot snapshots this at start and a runner checks requests against it.
 */
export const inEnvironment = (runbook: Runbook, environment: string | undefined): Runbook => {
  const env = environment === undefined ? undefined : runbook.environments?.find((candidate) => candidate.name === environment);
  if (!env) return runbook;
  const place = <T extends { readonly run?: StepRun }>(item: T): T => (item.run ? { ...item, run: { ...item.run, runner: env.runners[item.run.runner] ?? item.run.runner } } : item);
  const channel = env.channel ?? runbook.channel;
  const stakeholders = env.stakeholders ?? runbook.stakeholders;
  return {
    ...runbook,
    ...(channel === undefined ? {} : { channel }),
    ...(stakeholders === undefined ? {} : { stakeholders }),
    preflight: runbook.preflight.map(place),
    steps: runbook.steps.map(place),
  };
};

/** Every runner a runbook names, in any environment: what `planb worker --runner` may be. */
export const runnersOf = (runbook: Runbook): string[] => {
  const places = [undefined, ...(runbook.environments ?? []).map((env) => env.name)];
  return places.flatMap((place) => {
    const book = inEnvironment(runbook, place);
    return [...book.steps, ...book.preflight].flatMap((item) => (item.run ? [item.run.runner] : []));
  });
};

/**
 * What `env=` means to this runbook: its environment, except to a runbook from before environments with a parameter
 * `env`, to which `env=prod` still means that parameter (lint refuses such a parameter beside `environments`).
 * @example environmentArguments(book, { params: { version: '1.2.3' }, environment: 'staging' }) // { params, environment: 'staging' }
 */
export const environmentArguments = (
  runbook: Runbook,
  given: { readonly params: Readonly<Record<string, string>>; readonly environment?: string },
): { params: Readonly<Record<string, string>>; environment?: string } => {
  if (given.environment === undefined) return { params: given.params };
  return !runbook.environments && Object.hasOwn(runbook.params, 'env')
    ? { params: { ...given.params, env: given.environment } }
    : { params: given.params, environment: given.environment };
};
