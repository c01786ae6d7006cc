/** What a runner executes for an automated step: the argv with parameters filled in, and the runner's own check of a request. */
import type { DomainError } from './errors.js';
import { fail, isDomainError } from './errors.js';
import type { Runbook, RunbookStep } from './runbook.js';
import { interpolate, matchesWhole, resolveParams, templateNames } from './runbook-params.js';

/** A run job's `step` for a machine-checked preflight item: `preflight.<id>` (ids have no dots, steps never clash). */
export const PREFLIGHT_RUN = 'preflight.';

export const preflightRunId = (item: string): string => `${PREFLIGHT_RUN}${item}`;

/** The preflight item a run job's `step` names, if it names one. */
export const preflightOfRun = (step: string): string | undefined => (step.startsWith(PREFLIGHT_RUN) ? step.slice(PREFLIGHT_RUN.length) : undefined);

const describeRunnable = (id: string): string => {
  const item = preflightOfRun(id);
  return item === undefined ? `step ${id}` : `preflight check ${item}`;
};

const capitalized = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** What a run job names: a step, or a preflight item (`preflight.<id>`), with its command and check. */
export const runnable = (runbook: Runbook, id: string): Pick<RunbookStep, 'run' | 'verify'> | undefined => {
  const item = preflightOfRun(id);
  return item === undefined ? runbook.steps.find((step) => step.id === id) : runbook.preflight.find((candidate) => candidate.id === item);
};

export interface RunPlan {
  readonly runner: string;
  /** The program and its arguments, passed to the program as they are: never through a shell. */
  readonly argv: string[];
  readonly timeoutMs?: number;
  /** Names of the runner host's environment variables the action may see. */
  readonly env: string[];
}

/**
 * The command a step runs with these parameters, or why it cannot run.
 *
 * Each `{{param}}` is substituted inside the one argument that holds it, so a value can never become
 * two arguments, a second command or a different program.
 *
 * @example
 * planRun(book, 'deploy', { version: '1.2.3' })
 * // { runner: 'prod', argv: ['./deploy.sh', '--version', '1.2.3'], timeoutMs: 600000, env: ['DEPLOY_TOKEN'] }
 */
export const planRun = (runbook: Runbook, stepId: string, params: Record<string, string>): RunPlan | DomainError => {
  const step = runnable(runbook, stepId);
  if (!step) return fail('unknown_step', `${runbook.name} has no ${describeRunnable(stepId)}.`);
  const run = step.run;
  if (!run) return fail('not_automated', `${capitalized(describeRunnable(stepId))} of ${runbook.name} has no run: it is done by hand, not by a runner.`);
  const [program = ''] = run.argv;
  if (program === '' || templateNames(program).length > 0) {
    return fail('templated_program', `Step ${stepId} of ${runbook.name} must name a fixed program first in argv, not "${program}".`);
  }
  const resolved = resolveParams(runbook, params);
  if (isDomainError(resolved)) return resolved;
  for (const name of new Set(run.argv.flatMap(templateNames))) {
    const spec = runbook.params[name];
    const value = resolved[name];
    if (spec === undefined || value === undefined) return fail('unknown_param', `Step ${stepId} of ${runbook.name} uses {{${name}}}, which is not a declared parameter.`);
    if (spec.pattern === undefined) {
      return fail('unchecked_param', `{{${name}}} goes into the command of step ${stepId}, so ${runbook.name} must give it a pattern before a runner will run it.`);
    }
    if (!matchesWhole(spec.pattern, value)) {
      return fail('bad_param', `${name}=${value} does not match ${spec.pattern}${spec.description ? ` (${spec.description})` : ''}.`);
    }
  }
  return {
    runner: run.runner,
    argv: run.argv.map((arg) => interpolate(arg, resolved)),
    ...(run.timeoutMs === undefined ? {} : { timeoutMs: run.timeoutMs }),
    env: [...(run.env ?? [])],
  };
};

/**
 * The runner's check before it executes anything: the plan recomputed from the runner's OWN copy of the
 * runbook must give exactly the argv that was requested. A compromised bot, or one holding a different
 * version of the runbook, gets a refusal instead of a command.
 */
export const verifyRequest = (
  ownRunbook: Runbook,
  request: { readonly step: string; readonly params: Record<string, string>; readonly argv: readonly string[] },
): DomainError | undefined => {
  const plan = planRun(ownRunbook, request.step, request.params);
  if (isDomainError(plan)) return plan;
  const same = plan.argv.length === request.argv.length && plan.argv.every((arg, index) => arg === request.argv[index]);
  if (same) return undefined;
  return fail(
    'argv_mismatch',
    `Refused: ${describeRunnable(request.step)} of ${ownRunbook.name} runs ${JSON.stringify(plan.argv)} by this runner's copy of the runbook, but ${JSON.stringify(request.argv)} was requested.`,
  );
};
