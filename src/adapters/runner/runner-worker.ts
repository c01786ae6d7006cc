/**
 * `planb worker --runner <name>`: takes approved attempts from runner `name`'s queue and runs them on this host.
 * It trusts nothing in a request but the names: the command comes from ITS OWN copy of the runbook, and must equal
 * what the bot asked for; it runs with no shell, a limited environment and a deadline. It reports back through Redis
 * (it needs no chat tokens) and reports in every few seconds, so the bot knows it is there and notices if it dies.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../app/ports.js';
import type { RunJob, RunReport, RunTimings } from '../../app/runs.js';
import { DEFAULT_RUN_TIMEOUT_MS, DEFAULT_VERIFY_WITHIN_MS, runJobId } from '../../app/runs.js';
import { isDomainError } from '../../domain/errors.js';
import type { Runbook } from '../../domain/runbook.js';
import { interpolate, resolveParams } from '../../domain/runbook-params.js';
import { planRun, runnable, verifyRequest } from '../../domain/runner-plan.js';
import { inEnvironment } from '../../domain/environment.js';
import { REPORT_JOB_OPTIONS, REPORT_QUEUE, runnerQueueName } from '../bullmq/queues.js';
import { redisKeys } from '../redis/keys.js';
import { RedisRunnerRegistry } from '../redis/runner-registry.js';
import type { ActionResult } from './execute.js';
import { executeAction, TAIL_LINES } from './execute.js';
import type { RunVerification } from './verify-http.js';
import { verifyHttp } from './verify-http.js';

export interface RunnerWorkerOptions {
  readonly name: string;
  readonly redisUrl: string;
  readonly prefix: string;
  /** This host's own copy of the runbooks: the only source of what runs. */
  readonly runbooks: readonly Runbook[];
  readonly timings: RunTimings;
  readonly logger: Logger;
  /** This host's environment; an action sees PATH, HOME, LANG and what its step names, nothing else. */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** Where commands run (relative programs such as `./deploy.sh` are found from here). */
  readonly cwd: string;
  /** How many attempts may run at once (different releases); one by default. */
  readonly concurrency?: number;
}

export interface RunnerWorker {
  readonly instance: string;
  /** Stops taking work, waits for what runs to end and be reported, then says goodbye and disconnects. */
  close(): Promise<void>;
}

/** One output line in chat at most this long; the full log keeps every character. */
const LINE_MAX = 300;

const clipLine = (line: string): string => (line.length > LINE_MAX ? `${line.slice(0, LINE_MAX - 1)}…` : line);

/** The last lines of what arrived so far, for the live message. */
const tailKeeper = () => {
  let recent = '';
  return {
    add: (text: string): void => {
      recent = (recent + text).slice(-16_384);
    },
    lines: (): string[] => {
      const lines = recent.split(/\r?\n/);
      if (lines.at(-1) === '') lines.pop();
      return lines.slice(-TAIL_LINES).map(clipLine);
    },
  };
};

export const startRunnerWorker = async (options: RunnerWorkerOptions): Promise<RunnerWorker> => {
  const { name, logger, timings } = options;
  const keys = redisKeys(options.prefix);
  const host = hostname();
  const instance = `${host}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const commands = new Redis(options.redisUrl, { connectionName: `planb-runner-${name}` });
  const bull = new Redis(options.redisUrl, { connectionName: `planb-runner-${name}-bullmq`, maxRetriesPerRequest: null });
  for (const redis of [commands, bull]) redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  const registry = new RedisRunnerRegistry(commands, keys);
  const reports = new Queue<RunReport>(REPORT_QUEUE, { connection: bull, prefix: keys.bull, defaultJobOptions: REPORT_JOB_OPTIONS });

  /** Each report once: its id names the attempt and what it says. */
  const report = async (job: RunJob, what: string, body: RunReport): Promise<void> => {
    await reports.add(body.kind, body, { jobId: `${runJobId(job)}-${what}` });
  };

  const finished = (job: RunJob, result: Omit<Extract<RunReport, { kind: 'finished' }>, 'kind' | 'release' | 'step' | 'attempt' | 'runner'>): Promise<void> =>
    report(job, 'finished', { kind: 'finished', release: job.release, step: job.step, attempt: job.attempt, runner: name, ...result });

  const refuse = (job: RunJob, why: string): Promise<void> => {
    logger.warn({ release: job.release, step: job.step, attempt: job.attempt, why }, 'refused a run');
    return finished(job, { exitCode: null, signal: null, timedOut: false, durationMs: 0, tail: [], log: '', refused: why });
  };

  /** Runs the attempt the way this host's runbook says, streaming the latest lines every `outputEveryMs`. */
  const execute = async (job: RunJob, book: Runbook): Promise<{ result: ActionResult; verify?: RunVerification }> => {
    const plan = planRun(book, job.step, job.params);
    if (isDomainError(plan)) throw new Error(plan.message);
    const tail = tailKeeper();
    let sent = 0;
    let changed = false;
    const flush = (): void => {
      if (!changed) return;
      changed = false;
      sent += 1;
      report(job, `output-${sent}`, { kind: 'output', release: job.release, step: job.step, attempt: job.attempt, tail: tail.lines() }).catch((error: unknown) =>
        logger.warn({ err: error, release: job.release }, 'could not send live output'),
      );
    };
    const ticker = setInterval(flush, timings.outputEveryMs);
    let result: ActionResult;
    try {
      result = await executeAction(
        {
          argv: plan.argv,
          timeoutMs: plan.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
          env: plan.env,
          cwd: options.cwd,
          onOutput: (text) => {
            tail.add(text);
            changed = true;
          },
        },
        { environment: options.environment },
      );
    } finally {
      clearInterval(ticker);
    }
    const check = runnable(book, job.step)?.verify;
    if (!check || result.exitCode !== 0 || result.timedOut) return { result };
    const params = resolveParams(book, job.params);
    const url = isDomainError(params) ? check.http : interpolate(check.http, params);
    return { result, verify: await verifyHttp({ url, status: check.status, withinMs: check.withinMs ?? DEFAULT_VERIFY_WITHIN_MS }) };
  };

  const work = async (queued: Job<RunJob>): Promise<string> => {
    const job = queued.data;
    const context = { release: job.release, step: job.step, attempt: job.attempt };
    // Too late: the bot's watch gives it up (and says so) at this moment; it must not run after people were told.
    if (Date.now() > Date.parse(job.startBy)) {
      logger.warn({ ...context, startBy: job.startBy }, 'not run: the approval expired before this runner took it');
      return 'expired';
    }
    if (!(await registry.claim(runJobId(job), instance))) {
      logger.warn(context, 'not run: already taken (by another instance, or given up by the bot)');
      return 'taken';
    }
    const own = options.runbooks.find((candidate) => candidate.name === job.runbook);
    if (!own) {
      await refuse(job, `runner ${name} on ${host} has no runbook ${job.runbook}.`);
      return 'refused';
    }
    if (job.environment !== undefined && !own.environments?.some((env) => env.name === job.environment)) {
      await refuse(job, `runner ${name} on ${host} has no environment ${job.environment} in its runbook ${job.runbook}.`);
      return 'refused';
    }
    // The runbook as it runs where the release runs: that environment's runners.
    const book = inEnvironment(own, job.environment);
    const runner = runnable(book, job.step)?.run?.runner;
    const mismatch = runner !== undefined && runner !== name ? `${job.step} of ${book.name} runs on runner ${runner}, not ${name}.` : verifyRequest(book, job)?.message;
    if (mismatch !== undefined) {
      await refuse(job, mismatch);
      return 'refused';
    }
    await report(job, 'started', { kind: 'started', ...context, runner: name, instance, host });
    logger.info(context, 'running');
    let ran: { result: ActionResult; verify?: RunVerification };
    try {
      ran = await execute(job, book);
    } catch (error) {
      // Reported, never swallowed: a run the bot still thinks is going would block its release.
      const line = `runner error: ${error instanceof Error ? error.message : String(error)}`;
      await finished(job, { exitCode: null, signal: null, timedOut: false, durationMs: 0, tail: [line], log: `${line}\n` });
      throw error;
    }
    const { result, verify } = ran;
    await finished(job, {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      tail: result.tail.map(clipLine),
      log: result.log,
      ...(verify ? { verify } : {}),
    });
    logger.info({ ...context, exitCode: result.exitCode, timedOut: result.timedOut, verified: verify?.ok }, 'finished');
    return 'ran';
  };

  await registry.beat(name, instance, Date.now());
  const heartbeat = setInterval(() => {
    registry.beat(name, instance, Date.now()).catch((error: unknown) => logger.warn({ err: error }, 'heartbeat failed'));
  }, timings.heartbeatMs);

  const worker = new Worker<RunJob>(runnerQueueName(name), work, {
    connection: bull,
    prefix: keys.bull,
    concurrency: options.concurrency ?? 1,
    // A run whose runner died is never run again by the queue: the claim says it was taken, and the bot reports it lost.
    maxStalledCount: 0,
  });
  worker.on('failed', (job, error) => logger.error({ err: error, release: job?.data.release, step: job?.data.step }, 'run failed in the runner'));
  worker.on('error', (error) => logger.error({ err: error }, 'runner worker error'));
  await worker.waitUntilReady();
  logger.info({ runner: name, instance, runbooks: options.runbooks.map((book) => book.name) }, 'runner is taking work');

  return {
    instance,
    close: async () => {
      await worker.close();
      clearInterval(heartbeat);
      await registry.leave(name, instance).catch(() => undefined);
      await reports.close();
      await Promise.all([commands, bull].map((redis) => redis.quit().catch(() => redis.disconnect())));
    },
  };
};
