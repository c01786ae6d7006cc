/** What people read about automated steps: the command, its live output, and how it ended. */
import { formatDuration } from '../domain/duration.js';
import type { RunFinishedData, RunVerification } from '../domain/release/events.js';
import type { Release, RunAttempt, StepState } from '../domain/release/state.js';
import type { Message } from './message.js';

/** The key of an attempt's output message: posted when the runner starts, edited as output arrives and at the end. */
export const runOutputKey = (release: string, step: string, attempt: number): string => `release/${release}/run/${step}/${attempt}`;

/** argv as people read it: an argument with spaces or quotes is quoted, so one argument never looks like two. */
export const commandText = (argv: readonly string[]): string => argv.map((arg) => (arg === '' || /[\s"'\\]/.test(arg) ? JSON.stringify(arg) : arg)).join(' ');

const exitText = (result: RunFinishedData): string =>
  result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.exitCode ?? 'unknown'}`;

/** What a check found: `https://… answered 200 (1 try in 0s)`, or what it got instead of the status it expected. */
export const checkText = (check: RunVerification): string => {
  const tries = `${check.attempts} ${check.attempts === 1 ? 'try' : 'tries'} in ${formatDuration(check.durationMs)}`;
  if (check.ok) return `${check.url} answered ${check.status ?? check.expected} (${tries})`;
  const answer = check.status === undefined ? (check.error ?? 'no answer') : `answered ${check.status}`;
  return `${check.url} ${answer}, expected ${check.expected} (${tries})`;
};

const verifyText = (result: RunFinishedData): string => (result.verify ? `; ${checkText(result.verify)}` : '');

/** How an attempt ended, in a phrase that follows the step's name. */
export const runResultText = (result: RunFinishedData, runner: string): string => {
  const detail = result.detail?.replace(/\.$/, '');
  const took = result.durationMs === undefined ? '' : ` after ${formatDuration(result.durationMs)}`;
  const attempt = result.attempt > 1 ? ` (attempt ${result.attempt})` : '';
  switch (result.outcome) {
    case 'succeeded':
      return `succeeded on ${runner}${took}${verifyText(result)}${attempt}`;
    case 'failed':
      return `failed on ${runner}: it ${exitText(result)}${took}${attempt}`;
    case 'timed_out':
      return `timed out on ${runner}${took} and was stopped${attempt}`;
    case 'verify_failed':
      return `ran on ${runner} (exit code 0${took}) but its check failed${verifyText(result)}${attempt}`;
    case 'refused':
      return `was refused by runner ${runner}: ${detail ?? 'no reason given'}${attempt}`;
    case 'lost':
      return `was lost${attempt}: ${detail ?? 'the runner stopped answering'}`;
    case 'not_started':
      return `did not start${attempt}: ${detail ?? 'no runner took it'}`;
  }
};

/** While the command runs: what runs where, and the latest lines of its output. */
export const liveOutputMessage = (release: Release, step: StepState, run: RunAttempt, tail: readonly string[]): Message => ({
  key: runOutputKey(release.id, step.id, run.attempt),
  text: [`Output of ${step.id}: runner ${step.run?.runner ?? ''} is running ${commandText(run.argv ?? [])} on ${run.host ?? 'its host'}.`],
  ...(tail.length > 0 ? { output: tail } : {}),
  context: [tail.length > 0 ? 'The latest lines, refreshed as they come; the full log follows when it ends.' : 'No output yet.'],
});

/** The same message once it has ended: the outcome and the last lines. */
export const finishedOutputMessage = (release: Release, step: StepState, result: RunFinishedData): Message => ({
  key: runOutputKey(release.id, step.id, result.attempt),
  text: [`Output of ${step.id}, which ${runResultText(result, step.run?.runner ?? 'its runner')}.`],
  ...(result.tail.length > 0 ? { output: result.tail } : {}),
  ...(result.outcome === 'lost' ? { context: ['The command may still be running, or have done part of its work, on that host: check there before you retry.'] } : {}),
});

/** The whole output, shared once as a file in the thread. */
export const runLogMessage = (release: Release, step: StepState, result: RunFinishedData, log: string): Message => ({
  key: `${runOutputKey(release.id, step.id, result.attempt)}/log`,
  text: [`The full output of ${step.id} (attempt ${result.attempt}).`],
  file: { name: result.log ?? runLogName(release.id, step.id, result.attempt), title: `Output of ${step.title} (${release.id}, attempt ${result.attempt})`, content: log },
});

/** The file name of an attempt's log. */
export const runLogName = (release: string, step: string, attempt: number): string => `${release}-${step}-${attempt}.log`;
