/** The drill's report: its figures (those that must be 0 fail `npm run drill`), and what became of lost commands. */
import type { Job, Queue } from 'bullmq';
import type { FakeSlack } from '../test/support/fake-slack.js';
import type { Cluster } from './drill-cluster.js';
import type { EventFindings, MessageFindings } from './drill-checks.js';
import type { CommandCounts, LostCommand } from './drill-people.js';
import type { TimerFindings } from './drill-timers.js';
import type { WorkloadCounts } from './drill-workload.js';
import type { BenchResult, Figure } from './report.js';

export interface DrillReport {
  readonly seed: number;
  readonly smoke: boolean;
  readonly heavy: boolean;
  readonly durationS: number;
  /** Everything owed had gone out and every queue was empty before the checks. */
  readonly settled: boolean;
  readonly kills: number;
  readonly redisRestarts: number;
  readonly replicaStarts: number;
  readonly slack: { readonly calls: number; readonly refused: FakeSlack['refused'] };
  readonly work: WorkloadCounts;
  /** `givenUp`: requests the bot accepted (acknowledged) and failed to carry out on every attempt. */
  readonly commands: CommandCounts & { readonly givenUp: number };
  readonly events: Omit<EventFindings, 'log' | 'problems'>;
  readonly messages: Omit<MessageFindings, 'problems'> & {
    /** Numbered but not yet delivered when the chaos stopped, and how long they then took to go out (with the timers). */
    readonly backlogWhenCalm: number;
    readonly settleS: number;
  };
  readonly timers: Omit<TimerFindings, 'lagMs' | 'problems'> & { readonly lagP50Ms: number; readonly lagMaxMs: number };
  /** Every finding behind a non-zero figure, and anything else odd. */
  readonly problems: readonly string[];
  /** Each command acknowledged and not carried out in time, with what became of the request the bot kept. */
  readonly lostCommands: readonly string[];
  readonly notes: readonly string[];
}

/** The figures that must be 0, by name: what `npm run drill` fails on. */
export const failures = (report: DrillReport): string[] =>
  Object.entries({
    'lost events': report.events.lost + report.events.inconsistent,
    'lost messages': report.messages.lost,
    'duplicated messages': report.messages.duplicated,
    'lost timers': report.timers.lost + report.timers.stuck,
    'duplicated timers': report.timers.duplicated,
    'not settled': report.settled ? 0 : 1,
  })
    .filter(([, value]) => value > 0)
    .map(([name]) => name);

const figures = (report: DrillReport): Figure[] => {
  const zero = { below: 1 };
  const count = (name: string, value: number, mustBeZero = false): Figure => ({ name, value, unit: 'count', ...(mustBeZero ? { target: zero } : {}) });
  const { refused } = report.slack;
  return [
    count('bot replicas killed (SIGKILL)', report.kills),
    count('Redis crashes (SIGKILL) and restarts', report.redisRestarts),
    count('Slack calls failed by chaos (429 / 500 / timeout)', refused.chaos429 + refused.chaos500 + refused.chaosTimeout),
    count('Slack posts carried out with their answer lost', refused.chaosLostAnswer),
    count('commands sent (slash commands and buttons)', report.commands.sent),
    count('commands acked but not carried out (done again)', report.commands.ackedButLost),
    count('commands answered "failed on our side" (done again)', report.commands.apologised),
    count('commands never acked, after Slack retries (done again)', report.commands.notAcked),
    count('requests accepted, then given up by the bot', report.commands.givenUp),
    count('events', report.events.total),
    count('events lost or changed', report.events.lost, true),
    count('streams with a gap or out of step with the log', report.events.inconsistent, true),
    count('messages owed', report.messages.owed),
    count('messages delivered', report.messages.delivered),
    count('messages lost', report.messages.lost, true),
    count('messages duplicated', report.messages.duplicated, true),
    count('messages found already posted (an unanswered post, not sent again)', report.messages.recovered),
    count('messages dropped (given up)', report.messages.dropped),
    count('messages still owed when the chaos stopped', report.messages.backlogWhenCalm),
    { name: 'time to settle after the chaos (all delivered, no timer due)', value: report.messages.settleS, unit: 's' },
    count('timers expected', report.timers.expected),
    count('timers fired', report.timers.fired),
    count('timers lost', report.timers.lost, true),
    count('timers stuck in Redis', report.timers.stuck, true),
    count('timers duplicated', report.timers.duplicated, true),
    { name: 'timer lag, max (fired − due)', value: report.timers.lagMaxMs, unit: 'ms' },
    { name: 'duration', value: report.durationS, unit: 's' },
  ];
};

/** What the replica that acknowledged `command` logged while Slack was sending it (first try and retries: about 15 s), by message. */
const loggedMeanwhile = (command: LostCommand, log: string): Map<string, number> => {
  const messages = new Map<string, number>();
  for (const line of log.split('\n')) {
    const at = Number(/"time":(\d+)/.exec(line)?.[1]);
    const message = /"msg":"([^"]*)"/.exec(line)?.[1];
    if (message !== undefined && at >= command.sentAt - 100 && at <= command.sentAt + 15_000) messages.set(message, (messages.get(message) ?? 0) + 1);
  }
  return messages;
};

const UNAUTHORISED = 'Authorization of incoming event did not succeed. No listeners will be called.';

/** What became of each command people gave up waiting for: the request job the bot kept for it, found by its trigger id. */
export const explainLost = async (lost: readonly LostCommand[], requests: Queue, cluster: Cluster): Promise<string[]> => {
  if (lost.length === 0) return [];
  const jobs = await requests.getJobs(['completed', 'failed', 'active', 'wait', 'delayed', 'prioritized'], 0, -1);
  const trigger = (job: Job): unknown => (job.data as { payload?: { trigger?: unknown } }).payload?.trigger;
  return Promise.all(
    lost.map(async (command) => {
      const job = jobs.find((candidate) => trigger(candidate) === command.trigger);
      const at = (ms: number | undefined): string => (ms === undefined ? 'never' : `${((ms - command.sentAt) / 1_000).toFixed(1)} s after it was sent`);
      const logged = loggedMeanwhile(command, cluster.logOf(command.ackedBy));
      const meanwhile = [...logged].map(([message, times]) => `"${message}" ×${times}`).join(', ');
      const fate = job
        ? `its request job ${await job.getState()}: first taken ${at(job.processedOn)}, finished ${at(job.finishedOn)}, ${job.attemptsStarted} runs, ${job.stalledCounter} stalled${job.failedReason ? `, failed: ${job.failedReason}` : ''}`
        : logged.has(UNAUTHORISED)
          ? `no request job was ever kept for it: that replica's auth.test failed and Bolt acknowledged the request without running anything ("${UNAUTHORISED}")`
          : `no request job was ever kept for it; that replica logged meanwhile: ${meanwhile || 'nothing'}`;
      const acker = command.ackedBy.child.signalCode === 'SIGKILL' ? `pid ${command.ackedBy.child.pid ?? '?'} (killed since)` : `pid ${command.ackedBy.child.pid ?? '?'}`;
      return `${command.what} (trigger ${command.trigger}), acknowledged by ${acker}: ${fate}`;
    }),
  );
};

export const asBenchResult = (report: DrillReport): BenchResult => ({ bench: 'drill', figures: figures(report), notes: report.notes });
