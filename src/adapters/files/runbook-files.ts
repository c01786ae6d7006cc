/** Runbooks on disk: a directory of YAML files, each validated with positioned errors. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runbook } from '../../domain/runbook.js';
import type { RunbookIssue } from '../../domain/runbook-yaml.js';
import { parseRunbookText } from '../../domain/runbook-yaml.js';

const isYaml = (name: string): boolean => /\.ya?ml$/i.test(name);

/** A regular file, or a link to one: Kubernetes mounts a ConfigMap's files as symlinks. */
const isFileOrLinkToOne = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isFile() ?? false;

const yamlFiles = async (dir: string): Promise<string[]> => {
  const candidates = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && isYaml(entry.name))
    .map((entry) => join(dir, entry.name));
  const files = await Promise.all(candidates.map(async (path) => ((await isFileOrLinkToOne(path)) ? path : undefined)));
  return files.filter((path): path is string => path !== undefined).sort();
};

const loadFiles = async (files: readonly string[]): Promise<{ runbooks: Runbook[]; issues: RunbookIssue[] }> => {
  const runbooks: Runbook[] = [];
  const issues: RunbookIssue[] = [];
  const origin = new Map<string, string>();
  for (const file of files) {
    const parsed = parseRunbookText(await readFile(file, 'utf8'), file);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const first = origin.get(parsed.value.name);
    if (first !== undefined) {
      issues.push({ file, line: 1, column: 1, message: `name: ${parsed.value.name} is also the name of the runbook in ${first}; names must be unique` });
      continue;
    }
    origin.set(parsed.value.name, file);
    runbooks.push(parsed.value);
  }
  return { runbooks, issues };
};

/** Every runbook in `dir` (`*.yaml`, `*.yml`), sorted by file name. */
export const loadRunbooks = async (dir: string): Promise<{ runbooks: Runbook[]; issues: RunbookIssue[] }> => loadFiles(await yamlFiles(dir));

/** Lints files and directories; a path that does not exist is an issue, not a crash. */
export const lintRunbookPaths = async (paths: readonly string[]): Promise<{ count: number; issues: RunbookIssue[] }> => {
  const files: string[] = [];
  const issues: RunbookIssue[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) issues.push({ file: path, line: 1, column: 1, message: 'no such file or directory' });
    else if (info.isDirectory()) files.push(...(await yamlFiles(path)));
    else files.push(path);
  }
  const loaded = await loadFiles(files);
  return { count: loaded.runbooks.length, issues: [...issues, ...loaded.issues] };
};
