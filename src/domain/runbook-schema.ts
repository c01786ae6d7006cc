/** The runbook file format (DESIGN.md, "Runbooks") as a zod schema: validation, plain-word errors, JSON Schema. */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { isPrincipal } from './principal.js';
import type { DecisionPolicy, Environment, Runbook, RunbookStep, UpdatePolicy } from './runbook.js';
import { templateNames } from './runbook-params.js';

/** A duration as people write it in YAML (`20m`), checked with a plain-word error. */
export const durationSchema = z
  .string({ error: 'must be a duration such as 90s, 20m, 2h or 1h30m' })
  .refine((text) => parseDuration(text) !== undefined, { error: (issue) => `"${String(issue.input)}" is not a duration: use 90s, 20m, 2h or 1h30m` })
  .meta({ pattern: DURATION_PATTERN, description: 'A duration: 90s, 20m, 2h, 1h30m, 1d' });

const ms = (text: string): number => parseDuration(text) ?? 0;

const optionalMs = <K extends string>(key: K, text: string | undefined): Partial<Record<K, number>> =>
  (text === undefined ? {} : { [key]: ms(text) }) as Partial<Record<K, number>>;

/** The decision timer's settings, as a runbook or planb.yaml writes them. */
export const decisionSchema = z.strictObject({ timebox: durationSchema.optional(), warn_before: durationSchema.optional(), max_extensions: z.number().int().min(0).optional(), escalate_after: durationSchema.optional() });

/** The stakeholder update cadence, as a runbook or planb.yaml writes it. */
export const updatesSchema = z.strictObject({ every: durationSchema.optional(), nudge_before: durationSchema.optional() });

export const toDecisionPolicy = (decision: z.infer<typeof decisionSchema>): Partial<DecisionPolicy> => ({
  ...optionalMs('timeboxMs', decision.timebox),
  ...optionalMs('warnBeforeMs', decision.warn_before),
  ...optionalMs('escalateAfterMs', decision.escalate_after),
  ...(decision.max_extensions === undefined ? {} : { maxExtensions: decision.max_extensions }),
});

export const toUpdatePolicy = (updates: z.infer<typeof updatesSchema>): Partial<UpdatePolicy> => ({
  ...optionalMs('everyMs', updates.every),
  ...optionalMs('nudgeBeforeMs', updates.nudge_before),
});

const principal = z.string().refine(isPrincipal, { error: (issue) => `"${String(issue.input)}" is not a principal: use slack:U…, teams:<id>, console:<name>, group:<name> or "*"` });

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'ids are letters, digits, dashes and underscores');

const pattern = z.string().superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}` });
  }
});

const run = z.strictObject({
  runner: id,
  argv: z.array(z.string()).min(1, 'argv needs at least the program to run'),
  timeout: durationSchema.optional(),
  env: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'environment variable names are upper-case letters, digits and underscores')).optional(),
});

const verify = z.strictObject({ http: z.string().min(1), status: z.number().int().min(100).max(599).default(200), within: durationSchema.optional() });

const step = z.strictObject({
  id,
  title: z.string().min(1),
  expect: durationSchema.optional(),
  irreversible: z.boolean().default(false),
  rollback: z.strictObject({ title: z.string().min(1), expect: durationSchema.optional() }).optional(),
  run: run.optional(),
  verify: verify.optional(),
});

const preflightItem = z.strictObject({ id, check: z.string().min(1), evidence: z.enum(['required', 'optional']).optional(), verify: verify.optional(), run: run.optional() });

const missing = z.enum(['refuse', 'override', 'warn']);

const environmentName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'environment names are lower-case letters, digits, dashes and underscores (typed in env=)');

const environment = z.strictObject({
  channel: z.string().optional(),
  stakeholders: z.string().optional(),
  runners: z.record(id, id).default({}),
  allow_drills: z.boolean().default(true),
  policy: z
    .strictObject({
      rehearsal: z.strictObject({ on: environmentName, max_age: durationSchema.default('14d'), missing: missing.default('refuse') }).optional(),
      drills: z.strictObject({ on: environmentName.optional(), max_age: durationSchema.default('30d'), missing: missing.default('warn') }).optional(),
    })
    .default({}),
});

const input = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'the name is lower-case letters, digits and dashes, starting with a letter or digit (it is typed in /release start)'),
  title: z.string().min(1),
  service: z.string().optional(),
  drivers: z.array(principal).min(1, 'name at least one driver'),
  confirmers: z.array(principal).min(1, 'name at least one confirmer'),
  channel: z.string().optional(),
  stakeholders: z.string().optional(),
  params: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'parameter names are lower-case letters, digits and underscores'), z.strictObject({ pattern: pattern.optional(), description: z.string().optional(), default: z.string().optional() })).default({}),
  decision: decisionSchema.optional(),
  updates: updatesSchema.optional(),
  preflight: z.array(preflightItem).default([]),
  steps: z.array(step).min(1, 'a runbook needs at least one step'),
  environments: z.record(environmentName, environment).optional(),
});

type Input = z.output<typeof input>;

/**
 * What a runner will refuse at run time (planRun), said at lint time instead: the program is fixed, and
 * every parameter that reaches the command has a pattern to check its value against.
 */
const checkCommand = (what: string, argv: readonly string[] | undefined, at: (string | number)[], book: Input, ctx: z.core.$RefinementCtx<Input>): void => {
  argv?.forEach((arg, argIndex) => {
    const path = [...at, 'run', 'argv', argIndex];
    if (argIndex === 0 && templateNames(arg).length > 0) {
      ctx.addIssue({ code: 'custom', path, message: `the program of ${what} must be fixed, not "${arg}"` });
      return;
    }
    for (const name of new Set(templateNames(arg))) {
      // An undeclared name is reported by checkTemplate; hasOwn keeps `{{constructor}}` from finding Object's.
      if (Object.hasOwn(book.params, name) && book.params[name]?.pattern === undefined) {
        ctx.addIssue({ code: 'custom', path, message: `{{${name}}} goes into the command of ${what}: give params.${name} a pattern so a runner can check the value` });
      }
    }
  });
};

/** Environments name each other and the runbook's runners: every name must be one that exists. */
const checkEnvironments = (book: Input, ctx: z.core.$RefinementCtx<Input>): void => {
  const environments = book.environments ?? {};
  const names = Object.keys(environments);
  if (book.environments && Object.hasOwn(book.params, 'env')) {
    ctx.addIssue({ code: 'custom', path: ['params', 'env'], message: 'env= names the environment of a runbook with environments: rename the parameter' });
  }
  const runners = new Set([...book.steps, ...book.preflight].flatMap((item) => (item.run ? [item.run.runner] : [])));
  for (const [name, env] of Object.entries(environments)) {
    const path = ['environments', name];
    for (const runner of Object.keys(env.runners)) {
      if (!runners.has(runner)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'runners', runner], message: `no step or preflight check of ${book.name} runs on runner ${runner}${runners.size > 0 ? ` (they name ${[...runners].join(', ')})` : ''}` });
      }
    }
    const { rehearsal, drills } = env.policy;
    if (rehearsal && (rehearsal.on === name || !names.includes(rehearsal.on))) {
      ctx.addIssue({ code: 'custom', path: [...path, 'policy', 'rehearsal', 'on'], message: rehearsal.on === name ? `${name} cannot be rehearsed on itself: name another environment` : `${rehearsal.on} is not an environment of ${book.name} (${names.join(', ')})` });
    }
    if (drills?.on !== undefined && !names.includes(drills.on)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'policy', 'drills', 'on'], message: `${drills.on} is not an environment of ${book.name} (${names.join(', ')})` });
    } else if (drills?.on !== undefined && environments[drills.on]?.allow_drills === false) {
      ctx.addIssue({ code: 'custom', path: [...path, 'policy', 'drills', 'on'], message: `drills count only from ${drills.on}, which has allow_drills: false: allow drills there, or name another environment` });
    } else if (drills && !Object.values(environments).some((candidate) => candidate.allow_drills)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'policy', 'drills'], message: 'drills are asked for, but every environment has allow_drills: false: allow them where they should run' });
    }
  }
};

/** Cross-field rules: unique ids, declared parameters, a way back from every point of no return, commands a runner accepts. */
const checkRunbook = (book: Input, ctx: z.core.$RefinementCtx<Input>): void => {
  const unique = (ids: readonly string[], path: 'steps' | 'preflight', what: string): void => {
    ids.forEach((value, index) => {
      if (ids.indexOf(value) !== index) ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `${what} id ${value} is used twice` });
    });
  };
  unique(book.steps.map((s) => s.id), 'steps', 'step');
  unique(book.preflight.map((p) => p.id), 'preflight', 'preflight');
  const declared = Object.keys(book.params);
  const checkTemplate = (text: string, path: (string | number)[]): void => {
    for (const name of templateNames(text)) {
      if (!declared.includes(name)) {
        ctx.addIssue({ code: 'custom', path, message: `{{${name}}} is not a declared parameter (${declared.length > 0 ? `declared: ${declared.join(', ')}` : 'declare it under params'})` });
      }
    }
  };
  checkTemplate(book.title, ['title']);
  const checkMachine = (item: { run?: Input['steps'][number]['run']; verify?: Input['steps'][number]['verify'] }, at: (string | number)[], what: string): void => {
    item.run?.argv.forEach((arg, argIndex) => checkTemplate(arg, [...at, 'run', 'argv', argIndex]));
    if (item.verify) checkTemplate(item.verify.http, [...at, 'verify', 'http']);
    checkCommand(what, item.run?.argv, at, book, ctx);
  };
  book.preflight.forEach((item, index) => {
    checkTemplate(item.check, ['preflight', index, 'check']);
    checkMachine(item, ['preflight', index], `preflight check ${item.id}`);
    if (item.run && item.verify) {
      ctx.addIssue({ code: 'custom', path: ['preflight', index, 'verify'], message: `preflight check ${item.id} is checked by run or by verify, not both: make it two checks` });
    }
    if ((item.run || item.verify) && item.evidence !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['preflight', index, 'evidence'], message: `preflight check ${item.id} is checked by the machine, which records its own evidence: drop evidence` });
    }
  });
  checkEnvironments(book, ctx);
  book.steps.forEach((s, index) => {
    checkTemplate(s.title, ['steps', index, 'title']);
    if (s.rollback) checkTemplate(s.rollback.title, ['steps', index, 'rollback', 'title']);
    checkMachine(s, ['steps', index], `step ${s.id}`);
    if (s.irreversible && !s.rollback) {
      ctx.addIssue({ code: 'custom', path: ['steps', index, 'irreversible'], message: `step ${s.id} is irreversible: say how to roll it back (rollback: {title, expect})` });
    }
  });
};


const toStep = (s: Input['steps'][number]): RunbookStep => ({
  id: s.id,
  title: s.title,
  ...optionalMs('expectMs', s.expect),
  irreversible: s.irreversible,
  ...(s.rollback ? { rollback: { title: s.rollback.title, ...optionalMs('expectMs', s.rollback.expect) } } : {}),
  ...toMachine(s),
});

type RunInput = z.output<typeof run>;
type VerifyInput = z.output<typeof verify>;

const toMachine = (item: { run?: RunInput | undefined; verify?: VerifyInput | undefined }): Pick<RunbookStep, 'run' | 'verify'> => ({
  ...(item.run ? { run: { runner: item.run.runner, argv: item.run.argv, ...optionalMs('timeoutMs', item.run.timeout), ...(item.run.env ? { env: item.run.env } : {}) } } : {}),
  ...(item.verify ? { verify: { http: item.verify.http, status: item.verify.status, ...optionalMs('withinMs', item.verify.within) } } : {}),
});

const toEnvironment = (name: string, env: z.output<typeof environment>): Environment => {
  const { rehearsal, drills } = env.policy;
  return {
    name,
    ...(env.channel === undefined ? {} : { channel: env.channel }),
    ...(env.stakeholders === undefined ? {} : { stakeholders: env.stakeholders }),
    runners: env.runners,
    allowDrills: env.allow_drills,
    ...(rehearsal ? { rehearsal: { on: rehearsal.on, maxAgeMs: ms(rehearsal.max_age), missing: rehearsal.missing } } : {}),
    ...(drills ? { drills: { ...(drills.on === undefined ? {} : { on: drills.on }), maxAgeMs: ms(drills.max_age), missing: drills.missing } } : {}),
  };
};

const toRunbook = (book: Input): Runbook => ({
  name: book.name,
  title: book.title,
  ...(book.service === undefined ? {} : { service: book.service }),
  drivers: book.drivers,
  confirmers: book.confirmers,
  ...(book.channel === undefined ? {} : { channel: book.channel }),
  ...(book.stakeholders === undefined ? {} : { stakeholders: book.stakeholders }),
  params: book.params,
  ...(book.decision ? { decision: toDecisionPolicy(book.decision) } : {}),
  ...(book.updates ? { updates: toUpdatePolicy(book.updates) } : {}),
  preflight: book.preflight.map((item) => ({ id: item.id, check: item.check, evidence: item.evidence ?? 'none', ...toMachine(item) })),
  steps: book.steps.map(toStep),
  ...(book.environments ? { environments: Object.entries(book.environments).map(([name, env]) => toEnvironment(name, env)) } : {}),
});

/** The file format, as written by people. */
const runbookInputSchema = input.superRefine(checkRunbook);

/** Validates a parsed YAML value and turns it into the domain's Runbook. */
export const runbookSchema = runbookInputSchema.transform(toRunbook);

/** JSON Schema for editors (`planb runbook schema`). */
export const runbookJsonSchema = (): Record<string, unknown> => ({
  ...z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }),
  title: 'Plan B runbook',
});
