/** The runbook file format (DESIGN.md, "Runbooks") as a zod schema: validation, plain-word errors, JSON Schema. */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { isPrincipal } from './principal.js';
import type { DecisionPolicy, Runbook, RunbookStep, UpdatePolicy } from './runbook.js';
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

const step = z.strictObject({
  id,
  title: z.string().min(1),
  expect: durationSchema.optional(),
  irreversible: z.boolean().default(false),
  rollback: z.strictObject({ title: z.string().min(1), expect: durationSchema.optional() }).optional(),
  run: z
    .strictObject({
      runner: id,
      argv: z.array(z.string()).min(1, 'argv needs at least the program to run'),
      timeout: durationSchema.optional(),
      env: z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'environment variable names are upper-case letters, digits and underscores')).optional(),
    })
    .optional(),
  verify: z.strictObject({ http: z.string().min(1), status: z.number().int().min(100).max(599).default(200), within: durationSchema.optional() }).optional(),
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
  preflight: z.array(z.strictObject({ id, check: z.string().min(1), evidence: z.enum(['required', 'optional']).optional() })).default([]),
  steps: z.array(step).min(1, 'a runbook needs at least one step'),
});

type Input = z.output<typeof input>;

/**
 * What a runner will refuse at run time (planRun), said at lint time instead: the program is fixed, and
 * every parameter that reaches the command has a pattern to check its value against.
 */
const checkCommand = (s: Input['steps'][number], index: number, book: Input, ctx: z.core.$RefinementCtx<Input>): void => {
  s.run?.argv.forEach((arg, argIndex) => {
    const path = ['steps', index, 'run', 'argv', argIndex];
    if (argIndex === 0 && templateNames(arg).length > 0) {
      ctx.addIssue({ code: 'custom', path, message: `the program of step ${s.id} must be fixed, not "${arg}"` });
      return;
    }
    for (const name of new Set(templateNames(arg))) {
      // An undeclared name is reported by checkTemplate; hasOwn keeps `{{constructor}}` from finding Object's.
      if (Object.hasOwn(book.params, name) && book.params[name]?.pattern === undefined) {
        ctx.addIssue({ code: 'custom', path, message: `{{${name}}} goes into the command of step ${s.id}: give params.${name} a pattern so a runner can check the value` });
      }
    }
  });
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
  book.steps.forEach((s, index) => {
    checkTemplate(s.title, ['steps', index, 'title']);
    if (s.rollback) checkTemplate(s.rollback.title, ['steps', index, 'rollback', 'title']);
    s.run?.argv.forEach((arg, argIndex) => checkTemplate(arg, ['steps', index, 'run', 'argv', argIndex]));
    if (s.verify) checkTemplate(s.verify.http, ['steps', index, 'verify', 'http']);
    checkCommand(s, index, book, ctx);
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
  ...(s.run ? { run: { runner: s.run.runner, argv: s.run.argv, ...optionalMs('timeoutMs', s.run.timeout), ...(s.run.env ? { env: s.run.env } : {}) } } : {}),
  ...(s.verify ? { verify: { http: s.verify.http, status: s.verify.status, ...optionalMs('withinMs', s.verify.within) } } : {}),
});

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
  preflight: book.preflight.map((item) => ({ id: item.id, check: item.check, evidence: item.evidence ?? 'none' })),
  steps: book.steps.map(toStep),
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
