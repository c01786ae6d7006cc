/** YAML text → validated value, with every problem placed at its file, line and column in plain words. */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import type { Runbook } from './runbook.js';
import { runbookSchema } from './runbook-schema.js';

export interface RunbookIssue {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly RunbookIssue[] };

export const formatIssue = (issue: RunbookIssue): string => `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;

/** `steps[1].rollback.title`: how people read a path. */
const pathText = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : `${text}${text === '' ? '' : '.'}${String(part)}`), '');

type Def = { readonly type?: string; readonly shape?: Record<string, unknown>; readonly element?: unknown; readonly innerType?: unknown; readonly in?: unknown; readonly valueType?: unknown };

const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The object keys a schema allows at `path`, for "unknown key" messages. */
const allowedKeys = (root: unknown, path: readonly PropertyKey[]): string[] => {
  let schema = root;
  const unwrap = (): void => {
    for (let def = defOf(schema); def && ['optional', 'default', 'pipe', 'nullable', 'prefault'].includes(def.type ?? ''); def = defOf(schema)) {
      schema = def.type === 'pipe' ? def.in : def.innerType;
    }
  };
  unwrap();
  for (const part of path) {
    const def = defOf(schema);
    if (def?.type === 'object' && typeof part === 'string') schema = def.shape?.[part];
    else if (def?.type === 'array') schema = def.element;
    else if (def?.type === 'record') schema = def.valueType;
    else return [];
    unwrap();
  }
  return Object.keys(defOf(schema)?.shape ?? {});
};

/** Levenshtein distance, for "did you mean" on misspelt keys. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
};

const unknownKeyMessage = (key: string, allowed: readonly string[]): string => {
  const near = allowed.filter((candidate) => distance(key, candidate) <= 2).sort((a, b) => distance(key, a) - distance(key, b))[0];
  if (near !== undefined) return `unknown key "${key}": did you mean "${near}"?`;
  return `unknown key "${key}"${allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : ''}`;
};

const plain = (issue: z.core.$ZodIssue, input: unknown): string => {
  if (issue.code === 'invalid_type') {
    return input === undefined ? 'is required' : `must be ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a map of keys' : `a ${issue.expected}`}`;
  }
  if (issue.code === 'invalid_value' && 'values' in issue) return `must be one of ${issue.values.map(String).join(', ')}`;
  if (issue.code === 'too_small' && issue.origin === 'string') return 'must not be empty';
  return issue.message;
};

const valueAt = (value: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((current, part) => (current !== null && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[part] : undefined), value);

/** Where an issue is in the text: the node itself, the unknown key, or the map that misses a key. */
const offsetOf = (doc: Document, path: readonly PropertyKey[], unknownKey?: string): number => {
  const keys = path.map((part) => (typeof part === 'symbol' ? String(part) : part));
  if (unknownKey !== undefined) {
    const map = keys.length === 0 ? doc.contents : doc.getIn(keys, true);
    if (isMap(map)) {
      const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === unknownKey);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let depth = keys.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
    // The node itself, or for a missing key the nearest map that should hold it.
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
};

/** Parses YAML and validates it with `schema`; errors carry positions and plain words. */
export const parseYamlWithSchema = <S extends z.ZodType>(text: string, file: string, schema: S): Parsed<z.output<S>> => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number, message: string): RunbookIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, message };
  };
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => at(error.pos[0], `YAML syntax: ${error.message.split('\n')[0] ?? error.message}`)) };
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: false, issues: [at(0, 'the file is empty')] };
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.flatMap((issue): RunbookIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path);
      return issue.keys.map((key) =>
        at(offsetOf(doc, issue.path, key), `${pathText([...issue.path, key])}: ${unknownKeyMessage(key, allowed)}`),
      );
    }
    const where = pathText(issue.path);
    return [at(offsetOf(doc, issue.path), `${where === '' ? '' : `${where}: `}${plain(issue, valueAt(value, issue.path))}`)];
  });
  return { ok: false, issues: [...issues].sort((a, b) => a.line - b.line || a.column - b.column) };
};

export const parseRunbookText = (text: string, file: string): Parsed<Runbook> => parseYamlWithSchema(text, file, runbookSchema);
