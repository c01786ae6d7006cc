/** Runs one runbook action on the runner's host: argv only, a limited environment, a deadline for the whole process group. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface ActionRequest {
  /** The program and its arguments; each element reaches the program as one argument, never through a shell. */
  readonly argv: readonly string[];
  readonly timeoutMs: number;
  /** Names of variables from `deps.environment` the action may see, besides PATH, HOME and LANG. */
  readonly env: readonly string[];
  readonly cwd?: string;
  /** Output as it arrives, stdout and stderr interleaved; best effort, for streaming to the thread. */
  readonly onOutput?: (text: string) => void;
  /** Between SIGTERM and SIGKILL when the action must stop; 2 s unless a test needs less. */
  readonly killGraceMs?: number;
}

export interface ActionResult {
  /** null when the program was killed by a signal or could not be started. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last lines of output, for the failure message in chat. */
  readonly tail: string[];
  /** The whole output up to LOG_LIMIT_BYTES, then a note of what was left out. */
  readonly log: string;
}

export interface ActionDeps {
  /** The runner host's environment (config.ts reads process.env; nothing here does). */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

export const TAIL_LINES = 20;
export const LOG_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2_000;
/** Enough recent text for TAIL_LINES ordinary lines, without keeping a huge log twice. */
const RECENT_CHARS = 64 * 1024;
const ALWAYS_PASSED = ['PATH', 'HOME', 'LANG'] as const;

const actionEnvironment = (names: readonly string[], environment: ActionDeps['environment']): Record<string, string> => {
  const passed: Record<string, string> = {};
  for (const name of [...ALWAYS_PASSED, ...names]) {
    const value = environment[name];
    if (value !== undefined) passed[name] = value;
  }
  return passed;
};

const lastLines = (text: string): string[] => {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-TAIL_LINES);
};

const startFailure = (program: string, error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'no such program' : code === 'EACCES' ? 'permission denied (is it executable?)' : error instanceof Error ? error.message : String(error);
  return `could not start ${program}: ${reason}`;
};

/** Collects output: the log up to its limit, recent text for the tail, and the streaming callback. */
const outputCollector = (onOutput: ActionRequest['onOutput']) => {
  let log = '';
  let logBytes = 0;
  let droppedBytes = 0;
  let recent = '';
  return {
    add(text: string): void {
      if (text === '') return;
      recent = (recent + text).slice(-RECENT_CHARS);
      const bytes = Buffer.byteLength(text);
      const room = LOG_LIMIT_BYTES - logBytes;
      if (bytes <= room) {
        log += text;
        logBytes += bytes;
      } else {
        // Cut on a byte boundary; a character split there decodes as U+FFFD, which is fine in a truncated log.
        log += Buffer.from(text).subarray(0, room).toString();
        logBytes = LOG_LIMIT_BYTES;
        droppedBytes += bytes - room;
      }
      try {
        onOutput?.(text);
      } catch {
        // Streaming is best effort: a failed chat edit must not stop the action or lose its log.
      }
    },
    result(): { tail: string[]; log: string } {
      const note = droppedBytes > 0 ? `\n[planb: log cut at ${LOG_LIMIT_BYTES} bytes; ${droppedBytes} more bytes of output were not kept]\n` : '';
      return { tail: lastLines(recent), log: log + note };
    },
  };
};

/** Signals every process of the action's group; false when none is left. */
const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): boolean => {
  if (child.pid === undefined) return false;
  try {
    // detached: true made the child a group leader, so -pid reaches whatever it started too.
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
};

/**
 * Executes an action and resolves with its outcome; it does not reject for the action's failures,
 * including a program that cannot be started.
 *
 * At the deadline the whole process group gets SIGTERM, then SIGKILL after the grace period. When the
 * program exits on its own, whatever it left running in its group is stopped the same way: an action
 * leaves nothing behind on the runner.
 *
 * @example
 * const result = await executeAction({ argv: ['./deploy.sh', '1.2.3'], timeoutMs: 600_000, env: ['DEPLOY_TOKEN'] }, { environment });
 * if (result.exitCode !== 0) report(result.tail);
 */
export const executeAction = (request: ActionRequest, deps: ActionDeps): Promise<ActionResult> => {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const [program, ...args] = request.argv;
  const failedToStart = (error: unknown): ActionResult => {
    const line = startFailure(program ?? '(empty argv)', error);
    return { exitCode: null, signal: null, timedOut: false, durationMs: elapsed(), tail: [line], log: `${line}\n` };
  };
  if (program === undefined || program === '') return Promise.resolve(failedToStart(new Error('argv is empty')));

  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: actionEnvironment(request.env, deps.environment),
      ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
    });
  } catch (error) {
    // spawn throws synchronously for arguments it cannot pass at all, such as a NUL byte.
    return Promise.resolve(failedToStart(error));
  }

  return new Promise((resolve) => {
    const output = outputCollector(request.onOutput);
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    child.stdout?.on('data', (chunk: Buffer) => output.add(decoders.stdout.write(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => output.add(decoders.stderr.write(chunk)));

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = (): void => {
      if (killTimer !== undefined || !signalGroup(child, 'SIGTERM')) return;
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), request.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      // Once the action is settled, a pending SIGKILL for stragglers must not hold the runner open.
      killTimer.unref();
    };
    const deadline = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, request.timeoutMs);

    let exit: { exitCode: number | null; signal: string | null } | undefined;
    child.on('exit', (exitCode, signal) => {
      exit = { exitCode, signal };
      stopGroup();
    });
    child.on('error', (error) => {
      // Without a pid the program never ran, and no 'close' will carry a result.
      if (child.pid !== undefined) return;
      clearTimeout(deadline);
      resolve(failedToStart(error));
    });
    child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (child.pid === undefined) return;
      clearTimeout(deadline);
      output.add(decoders.stdout.end() + decoders.stderr.end());
      resolve({ ...(exit ?? { exitCode, signal }), timedOut, durationMs: elapsed(), ...output.result() });
    });
  });
};
