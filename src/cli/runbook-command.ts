/** `planb runbook lint <file|dir>...` and `planb runbook schema`. */
import { lintRunbookPaths } from '../adapters/files/runbook-files.js';
import { runbookJsonSchema } from '../domain/runbook-schema.js';
import { formatIssue } from '../domain/runbook-yaml.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = 'Usage: planb runbook lint <file|dir>...   check runbooks (exit 1 on any problem)\n       planb runbook schema               print the runbook JSON Schema';

/** Returns the exit code: 0 clean, 1 problems found, 2 usage. */
export const runRunbookCommand = async (args: readonly string[], io: CliIo): Promise<number> => {
  const [sub, ...paths] = args;
  if (sub === 'schema' && paths.length === 0) {
    io.out(JSON.stringify(runbookJsonSchema(), null, 2));
    return 0;
  }
  if (sub === 'lint' && paths.length > 0) {
    const { count, issues } = await lintRunbookPaths(paths);
    for (const issue of issues) io.err(formatIssue(issue));
    if (issues.length > 0) {
      io.err(`${issues.length} problem${issues.length === 1 ? '' : 's'} found.`);
      return 1;
    }
    io.out(`${count} runbook${count === 1 ? '' : 's'} OK.`);
    return 0;
  }
  io.err(USAGE);
  return 2;
};
