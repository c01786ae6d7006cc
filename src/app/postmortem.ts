/**
 * The post-mortem draft: Markdown built only from what was recorded (the incident, its release, the release's
 * maintenance window), in the Google SRE template's sections, blameless, with hints derived from the data. Pure.
 */
import { DateTime } from 'luxon';
import { formatDuration } from '../domain/duration.js';
import type { StoredEvent } from '../domain/event.js';
import type { Principal } from '../domain/principal.js';
import type { RunFinishedData } from '../domain/release/events.js';
import type { RunAttempt, StepState } from '../domain/release/state.js';
import type { Incident } from '../domain/incident/state.js';
import { rollbackMs } from '../domain/runbook.js';
import type { IncidentDetail } from './incident-queries.js';
import { plainText } from './message.js';
import type { CardContext } from './release-card.js';
import { timelineLine } from './release-card.js';
import { onEnvironment, rollbackCostNote } from './release-card-lines.js';
import { rehearsalHints, rehearsalSection } from './postmortem-rehearsals.js';
import type { PublicEvent, ReleaseDetail } from './release-queries.js';
import { checkText, commandText, runResultText } from './run-messages.js';
import { DEFAULT_VERIFY_WITHIN_MS } from './runs.js';
import type { WindowDetail } from './window-queries.js';
import { windowNotice } from './window-messages.js';
import type { WindowEvent } from '../domain/window/events.js';

/** An incident (with its release and window, if any), or a release rolled back without one. */
export type PostmortemSource =
  | { readonly incident: IncidentDetail; readonly release?: ReleaseDetail; readonly window?: WindowDetail }
  | { readonly incident?: undefined; readonly release: ReleaseDetail; readonly window?: WindowDetail };

/** What the draft tells, from an incident or from a rollback alone. */
type Story = Pick<Incident, 'id' | 'title' | 'lead' | 'declaredAt' | 'decision' | 'status' | 'resolvedAt' | 'summary' | 'extensions' | 'updates'> & {
  /** The first sentence of the summary. */
  readonly opening: string;
  readonly maxExtensions: number;
  readonly timeboxMs?: number;
  readonly events: readonly PublicEvent[];
};

const storyOf = (source: PostmortemSource, at: (iso: string | undefined) => string): Story => {
  const { incident, release } = source;
  if (incident) {
    return {
      ...incident,
      opening: `${incident.id} (severity ${incident.severity}) was declared at ${at(incident.declaredAt)}: ${incident.title}.${release ? ` It concerned ${release.title} (${release.id}).` : ''}`,
      maxExtensions: incident.policy.maxExtensions,
      timeboxMs: incident.policy.timeboxMs,
    };
  }
  const started = release.rollback?.at ?? release.endedAt ?? release.startedAt;
  return {
    id: release.id,
    title: `Rollback of ${release.title}`,
    lead: release.driver,
    declaredAt: started,
    ...(release.rollback ? { decision: { decision: 'rollback' as const, at: release.rollback.at, by: release.rollback.by, reason: release.rollback.reason } } : {}),
    status: 'resolved',
    ...(release.endedAt === undefined ? {} : { resolvedAt: release.endedAt }),
    extensions: [],
    updates: [],
    opening: `${release.title} (${release.id}) was rolled back without an incident being declared; the rollback started at ${at(started)}.`,
    maxExtensions: 0,
    events: [],
  };
};

const MIN = 60_000;

/** A duration for people: `1h05m`, `45s`; rounded to the second. */
const took = (fromIso: string | undefined, toIso: string | undefined): string => {
  if (fromIso === undefined || toIso === undefined) return 'n/a';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) ? formatDuration(Math.max(0, ms)) : 'n/a';
};

/** Inline code that survives backticks inside: the fence is one longer than the longest run of them. */
const code = (text: string): string => {
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  return fence.length > 1 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
};

/** An attempt's run time against the step's `expect`, as a sentence to follow its outcome. */
const againstExpected = (step: StepState, result: RunFinishedData): string => {
  if (result.durationMs === undefined || step.expectMs === undefined) return '';
  const over = result.durationMs - step.expectMs;
  return over > 0 ? ` That is ${formatDuration(over)} over the expected ${formatDuration(step.expectMs)}.` : ` That is within the expected ${formatDuration(step.expectMs)}.`;
};

/** The step's check never ran when the command did not succeed first. */
const uncheckedText = (step: StepState, result: RunFinishedData): string =>
  step.verify && !result.verify && ['failed', 'timed_out', 'lost'].includes(result.outcome) ? ` The check of ${step.verify.http} did not run.` : '';

/** Markdown table cells may hold no `|` and no line break. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** `postmortem-inc-3.md`, `postmortem-checkout-deploy-4.md`. */
export const postmortemFileName = (id: string): string => `postmortem-${id}.md`;

/**
 * @example postmortemDraft({ incident, release, window }, { zone: 'Europe/Berlin', name: (p) => p })
 */
export const postmortemDraft = (source: PostmortemSource, ctx: CardContext): string => {
  const { release, window } = source;
  const at = (iso: string | undefined): string => (iso === undefined ? 'n/a' : (DateTime.fromISO(iso, { zone: ctx.zone }).toFormat('yyyy-MM-dd HH:mm:ss') || iso));
  const story = storyOf(source, at);
  const who = (principal: Principal | null | undefined): string => (principal ? ctx.name(principal) : 'Plan B');
  const rollbackDone = release?.status === 'rolled_back' ? release.endedAt : undefined;
  const decidedAt = story.decision?.at;
  const mitigatedAt = rollbackDone ?? (story.decision?.decision === 'fixed' ? story.decision.at : undefined);
  const lateBy = window?.endedAt !== undefined ? Date.parse(window.endedAt) - Date.parse(window.plannedEnd) : undefined;

  const lines: string[] = [];
  const section = (title: string, ...body: string[]): void => {
    lines.push(`## ${title}`, '', ...body, '');
  };

  lines.push(`# Post-mortem: ${story.title} (${story.id})`, '', `**Status:** Draft  `, `**Authors:** ${who(story.lead)} (lead), add yourselves  `, `**Date:** ${at(story.declaredAt).slice(0, 10)}`, '');
  lines.push('This draft was built by Plan B from the recorded timeline. It is blameless: it describes what the system and the process did, not who is at fault. Edit it freely.', '');

  const outcome = story.decision
    ? story.decision.decision === 'rollback'
      ? `The team decided to roll back at ${at(story.decision.at)}${rollbackDone ? `; the rollback was done at ${at(rollbackDone)}` : ''}.`
      : `The team decided the fix held at ${at(story.decision.at)}.`
    : 'No fix-or-roll-back decision was recorded.';
  section(
    'Summary',
    `${story.opening} ${outcome} ${story.status === 'resolved' ? `It was resolved at ${at(story.resolvedAt)}${story.summary ? `: ${story.summary.replace(/[.!?]?$/, '.')}` : '.'}` : 'It is still open.'}`,
    '',
    '_Prompt: in two or three sentences, what happened, to whom, and how it ended?_',
  );

  section(
    'Impact',
    '| | |',
    '|---|---|',
    `| Started | ${at(story.declaredAt)} (when ${source.incident ? 'declared' : 'the rollback started'}; adjust if the impact began earlier) |`,
    `| Detected | ${at(story.declaredAt)} |`,
    `| Decided | ${at(decidedAt)} |`,
    `| Mitigated | ${at(mitigatedAt)} |`,
    `| Resolved | ${at(story.resolvedAt)} |`,
    `| Time to decide | ${took(story.declaredAt, decidedAt)} |`,
    `| Time to mitigate | ${took(story.declaredAt, mitigatedAt)} |`,
    `| Total duration | ${took(story.declaredAt, story.resolvedAt)} |`,
    `| Maintenance window overrun | ${window ? (lateBy !== undefined && lateBy > 0 ? `${formatDuration(lateBy)} past the announced end (${window.id})` : window.overruns.length > 0 ? `ran over (${window.id}), still open` : `none (${window.id})`) : 'no window'} |`,
    '',
    '_Prompt: who was affected, how many requests or customers, what revenue or data?_',
  );

  if (release) {
    const stepRow = (step: StepState): string => {
      const waited = took(step.doneAt, step.confirmedAt);
      const duration = took(step.startedAt, step.doneAt);
      const expected = step.expectMs === undefined ? 'no estimate' : formatDuration(step.expectMs);
      const what = `| ${cell(step.id)} | ${cell(step.title)}${step.irreversible ? ' (point of no return)' : ''} | ${who(release.driver)} |`;
      if (step.run && step.runs.length > 0) {
        // An automated step is agreed to before it runs: the wait that counts is the approval's, once per attempt.
        const approved = step.runs.filter((run) => run.approvedAt !== undefined);
        const approvers = [...new Set(approved.map((run) => who(run.approvedBy)))].join(', ');
        const waits = approved.map((run) => took(run.requestedAt, run.approvedAt)).join(', then ');
        const runs = step.runs.map((run) => (run.result?.durationMs === undefined ? (run.result?.outcome.replace('_', ' ') ?? 'not finished') : formatDuration(run.result.durationMs))).join(', then ');
        return `${what} ${approved.length > 0 ? `${approvers} (approved ${approved.length === 1 ? 'the run' : `${approved.length} runs`})` : 'not approved'} | ${approved.length > 0 ? `${waits} for approval` : 'n/a'} | ${runs} | ${expected} |`;
      }
      return `${what} ${step.confirmedBy ? who(step.confirmedBy) : 'not confirmed'} | ${step.confirmedAt ? waited : 'n/a'} | ${step.doneAt ? duration : step.startedAt ? 'not finished' : 'not started'} | ${expected} |`;
    };
    const attemptLine = (step: StepState, run: RunAttempt, runner: string): string => {
      const asked = `${run.attempt}. ${who(release.driver)} started it${run.attempt > 1 ? ' again' : ''} at ${at(run.requestedAt)}`;
      if (run.approvedAt === undefined) return `${asked}; it was not approved.`;
      const approved = `${asked}; ${who(run.approvedBy)} approved it at ${at(run.approvedAt)} (waited ${took(run.requestedAt, run.approvedAt)} for approval).`;
      if (!run.result) return `${approved} ${run.status === 'running' ? `It was still running on ${run.host ?? `runner ${runner}`}.` : `No runner ${runner} had taken it yet.`}`;
      // The list numbers the attempts: the phrase's own "(attempt n)" would say it twice.
      return `${approved} ${step.id} ${runResultText({ ...run.result, attempt: 1 }, runner)}.${againstExpected(step, run.result)}${uncheckedText(step, run.result)}`;
    };
    const automated = release.steps.flatMap((step) => {
      if (!step.run || step.runs.length === 0) return [];
      const { runner } = step.run;
      const hosts = [...new Set(step.runs.flatMap((run) => (run.host === undefined ? [] : [run.host])))];
      const argv = [...new Set(step.runs.map((run) => commandText(run.argv ?? step.run?.argv ?? [])))];
      const ran = hosts.length > 0 ? `ran ${argv.map(code).join(', then ')} on runner ${runner} (${hosts.join(', ')})` : `was to run ${argv.map(code).join(', then ')} on runner ${runner}`;
      return ['', `${step.id} (${step.title}) ${ran}${step.runs.length > 1 ? `, in ${step.runs.length} attempts` : ''}:`, '', ...step.runs.map((run) => attemptLine(step, run, runner))];
    });
    const noReturn = release.steps.find((step) => step.irreversible);
    section(
      'The release',
      `${release.title} (${release.id})${onEnvironment(release.environment)} from runbook \`${release.runbook}\`${release.params['version'] ? `, version ${release.params['version']}` : ''}: driven by ${who(release.driver)}, confirmed by ${who(release.confirmer)}; ${release.status.replace('_', ' ')}.`,
      '',
      `| Step | What | Driver | Confirmer | Waited for confirmation${automated.length > 0 ? ' or approval' : ''} | Took | Expected |`,
      '|---|---|---|---|---|---|---|',
      ...release.steps.map(stepRow),
      ...automated,
      '',
      noReturn
        ? noReturn.startedAt
          ? `The point of no return (${noReturn.id}) was crossed at ${at(noReturn.startedAt)}.`
          : `The point of no return (${noReturn.id}) was not crossed.`
        : 'The runbook has no point of no return.',
      ...(release.rollback
        ? [
            '',
            `Rollback started at ${at(release.rollback.at)} by ${who(release.rollback.by)} (${release.rollback.reason}): ${release.rollback.steps.map((step) => `${step.title} (${step.measured ? rollbackCostNote(step, ctx.zone) ?? '' : `estimated ${step.expectMs === undefined ? 'nothing' : formatDuration(step.expectMs)}`}, took ${took(release.rollback?.at, step.doneAt)})`).join('; ') || 'no step had a rollback action'}.`,
          ]
        : []),
    );
    const rehearsal = rehearsalSection(release, ctx);
    if (rehearsal) section('Rehearsal', ...rehearsal);
  }

  section(
    'Decisions',
    ...(!source.incident ? [] : story.extensions.length > 0
      ? story.extensions.map((extension, index) => `- ${at(extension.at)}: ${who(extension.by)} extended the decision timer (extension ${index + 1} of ${story.maxExtensions}) to ${at(extension.deadline)}: "${extension.reason}"`)
      : ['- The decision timer was not extended.']),
    story.decision
      ? `- ${at(story.decision.at)}: ${who(story.decision.by)} decided: **${story.decision.decision === 'rollback' ? 'roll back' : 'fixed'}**${story.decision.reason ? ` ("${story.decision.reason}")` : ''}.`
      : '- No fix-or-roll-back decision was recorded.',
    ...(window?.extensions ?? []).map((extension) => `- ${at(extension.at)}: ${who(extension.by)} extended maintenance window ${window?.id ?? ''} to ${at(extension.until)}: "${extension.reason}"`),
  );

  section(
    'Stakeholder updates',
    ...(story.updates.length > 0
      ? story.updates.map((update) => `- ${at(update.at)}, ${update.auto ? 'posted by Plan B (nobody had updated)' : `by ${who(update.by)}`}: ${update.text}`)
      : ['- No stakeholder update was posted.']),
  );

  section(`Timeline (${ctx.zone})`, ...timeline(story, source, ctx).map(([iso, text]) => `- ${at(iso)} ${text}`));

  const hints = derivedHints(story, source);
  section('What went well', ...bullets(hints.well), '', '_Prompt: what should we keep doing?_');
  section('What went wrong', ...bullets(hints.wrong), '', '_Prompt: where did the process or the tools let the team down?_');
  section('Where we got lucky', ...bullets(hints.lucky), '', '_Prompt: what would have made this worse, and why did it not happen?_');
  section('Root cause', '_For people to write: what made this possible? Ask "why" until the answer is about the system, not a person._');
  section('Trigger', '_For people to write: what set it off, and when?_');
  section(
    'Action items',
    '| Action | Type | Owner | Due | Status |',
    '|---|---|---|---|---|',
    ...hints.actions.map((action) => `| ${cell(action)} | prevent / mitigate | _owner_ | _due_ | suggested |`),
    '| _add yours_ | | _owner_ | _due_ | |',
  );
  return `${lines.join('\n').trimEnd()}\n`;
};

const bullets = (items: readonly string[]): string[] => (items.length > 0 ? items.map((item) => `- ${item}`) : ['- (nothing the data points at)']);

interface Hints {
  readonly well: string[];
  readonly wrong: string[];
  readonly lucky: string[];
  readonly actions: string[];
}

/** What the recorded data says went well or wrong, and the action items it suggests. */
const derivedHints = (story: Story, { release, window }: PostmortemSource): Hints => {
  const hints: Hints = { well: [], wrong: [], lucky: [], actions: [] };
  const decidedIn = story.decision ? Date.parse(story.decision.at) - Date.parse(story.declaredAt) : undefined;
  const timebox = story.timeboxMs;
  if (story.decision && story.extensions.length === 0 && decidedIn !== undefined && timebox !== undefined && decidedIn <= timebox) {
    hints.well.push(`The fix-or-roll-back decision came within the timebox (${formatDuration(decidedIn)} of ${formatDuration(timebox)}), without extensions.`);
  }
  if (story.extensions.length >= story.maxExtensions && story.maxExtensions > 0) {
    hints.wrong.push(`Every extension of the decision timer was used (${story.extensions.length} of ${story.maxExtensions}).`);
    hints.actions.push('Find out what the extensions waited for, and whether it can be known earlier next time.');
  }
  const events = story.events.map((event) => event.type);
  if (events.includes('incident.escalated')) {
    hints.wrong.push('Nobody decided in time: the decision was escalated.');
    hints.actions.push('Make sure the incident lead can decide alone, or knows whom to ask.');
  }
  const auto = story.updates.filter((update) => update.auto).length;
  if (auto > 0) {
    hints.wrong.push(`Stakeholder updates were overdue ${auto} time(s): Plan B posted the state itself.`);
    hints.actions.push('Name someone to write stakeholder updates during incidents.');
  } else if (story.updates.length > 0) {
    hints.well.push('Stakeholder updates were written by people, on time.');
  }
  if (release) {
    const unestimated = release.steps.filter((step) => rollbackMs(step.rollback) === undefined).map((step) => step.id);
    if (unestimated.length > 0) {
      hints.wrong.push(`Steps without a rollback estimate: ${unestimated.join(', ')}.`);
      hints.actions.push(`Add a rollback (with its expected duration) to ${unestimated.join(', ')} in the runbook ${release.runbook}.`);
    }
    for (const step of release.steps) {
      for (const run of step.runs) {
        if (run.result && run.result.outcome !== 'succeeded') runHints(hints, step, run, run.result);
      }
    }
    const overdue = release.steps.filter((step) => step.overdueAt).map((step) => step.id);
    if (overdue.length > 0) hints.wrong.push(`Steps that ran past their expected duration: ${overdue.join(', ')}.`);
    const rollback = release.rollback;
    if (rollback && release.status === 'rolled_back' && release.endedAt) {
      const estimate = rollback.steps.reduce((sum, step) => sum + (rollbackMs(step) ?? 0), 0);
      const actual = Date.parse(release.endedAt) - Date.parse(rollback.at);
      if (actual > estimate + MIN) {
        hints.wrong.push(`The rollback took ${formatDuration(actual)}, longer than the ${formatDuration(estimate)} estimated.`);
        hints.actions.push(`Rehearse the rollback of ${release.runbook} and correct its estimates.`);
      } else {
        hints.well.push(`The rollback took ${formatDuration(actual)}, ${actual <= estimate ? 'within' : 'close to'} its estimate of ${formatDuration(estimate)}.`);
      }
    }
    const rehearsals = rehearsalHints(release);
    hints.wrong.push(...rehearsals.wrong);
    hints.actions.push(...rehearsals.actions);
    const noReturn = release.steps.find((step) => step.irreversible);
    if (noReturn && !noReturn.startedAt && story.decision?.decision === 'rollback') {
      hints.lucky.push(`The point of no return (${noReturn.id}) had not been crossed, so rolling back stayed cheap.`);
    }
    if (release.steps.every((step) => step.status !== 'confirmed' || (step.confirmedBy !== undefined && step.confirmedBy !== release.driver))) {
      hints.well.push('Every confirmed step was confirmed by a second person.');
    }
  }
  if (window && window.overruns.length > 0) {
    hints.wrong.push(`The maintenance window ${window.id} ran over its announced end.`);
    hints.actions.push('Plan maintenance windows with the rollback time included.');
  }
  return hints;
};

/** What an attempt of an automated step that did not succeed says went wrong, and what to find out. */
const runHints = (hints: Hints, step: StepState, run: RunAttempt, result: RunFinishedData): void => {
  const runner = step.run?.runner ?? 'its runner';
  const host = run.host ?? `the host of runner ${runner}`;
  const on = `on attempt ${run.attempt}`;
  const detail = (result.detail ?? '').replace(/\.$/, '');
  const suggest = (action: string): void => {
    if (!hints.actions.includes(action)) hints.actions.push(action);
  };
  switch (result.outcome) {
    case 'failed':
      hints.wrong.push(`${step.id} failed ${on}: ${result.signal ? `stopped by ${result.signal}` : `exit code ${result.exitCode ?? 'unknown'}`}.`);
      return;
    case 'timed_out':
      hints.wrong.push(`${step.id} timed out ${on}${result.durationMs === undefined ? '' : ` after ${formatDuration(result.durationMs)}`} and was stopped.`);
      return;
    case 'verify_failed': {
      const check = result.verify;
      hints.wrong.push(`${step.id}'s check failed ${on}: its command succeeded, but ${check ? checkText(check) : 'the check did not pass'}.`);
      const within = formatDuration(step.verify?.withinMs ?? DEFAULT_VERIFY_WITHIN_MS);
      suggest(`Check why ${check?.url ?? step.verify?.http ?? 'its URL'} did not answer ${check?.expected ?? step.verify?.status ?? 'as expected'} within ${within}.`);
      return;
    }
    case 'lost':
      hints.wrong.push(`${step.id} was lost ${on}: ${detail || `runner ${runner} stopped answering`}. The command may have run partly on ${host}.`);
      suggest(`Find out what the command did on ${host} when runner ${runner} stopped.`);
      return;
    case 'refused':
      hints.wrong.push(`Runner ${runner} refused ${step.id} ${on}: ${detail || 'no reason given'}.`);
      return;
    case 'not_started':
      hints.wrong.push(`${step.id} did not start ${on}: no runner ${runner} took it.`);
      return;
    case 'succeeded':
      return;
  }
};

/** Every recorded event of the incident, its release and its window, in order, in words. */
const timeline = (story: Story, { release, window }: PostmortemSource, ctx: CardContext): [string, string][] => {
  const entries: [string, string][] = [];
  for (const event of story.events) entries.push([event.at, incidentText(event, ctx, (iso) => DateTime.fromISO(iso, { zone: ctx.zone }).toFormat('HH:mm'))]);
  if (release) {
    for (const event of release.events) {
      const line = timelineLine(release, event, ctx);
      if (line) entries.push([event.at, plainText(line)]);
    }
  }
  if (window) {
    for (const event of window.events) {
      if (event.type === 'window.scheduled') entries.push([event.at, `${ctx.name(event.actor ?? '')} scheduled maintenance window ${window.id} (${window.title}).`]);
      const line = windowNotice(window, event as StoredEvent & WindowEvent, { ...ctx, release: () => undefined });
      if (line) entries.push([event.at, plainText(line)]);
    }
  }
  // A stable sort keeps the order within one instant as it was recorded; a shared draft follows what it reports.
  const shared = (entry: [string, string]): number => (entry[1] === SHARED ? 1 : 0);
  return entries.sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]) || shared(a) - shared(b));
};

const SHARED = 'Plan B shared a draft of this post-mortem.';

const incidentText = (event: { readonly type: string; readonly actor: Principal | null; readonly data: unknown }, ctx: CardContext, clock: (iso: string) => string): string => {
  const actor = event.actor ? ctx.name(event.actor) : 'Plan B';
  const data = (event.data ?? {}) as Record<string, unknown>;
  const text = (key: string): string => (typeof data[key] === 'string' ? data[key] : '');
  switch (event.type) {
    case 'incident.declared':
      return `${actor} declared the incident: ${text('title')}.`;
    case 'incident.lead_changed':
      return `${actor} handed the lead to ${ctx.name(text('lead'))}.`;
    case 'incident.timer_started':
      return `The decision timer started (deadline ${clock(text('deadline'))}).`;
    case 'incident.timer_warned':
      return 'Plan B warned that the decision was due soon.';
    case 'incident.timer_expired':
      return 'The decision deadline passed: Plan B asked "fix or roll back?".';
    case 'incident.timer_extended':
      return `${actor} extended the decision timer: ${text('reason')}`;
    case 'incident.escalated':
      return `Nobody had decided: Plan B escalated${text('escalation') ? ` to ${text('escalation')}` : ''}.`;
    case 'incident.decided':
      return `${actor} decided: ${text('decision') === 'rollback' ? 'roll back' : 'fixed'}${text('reason') ? ` (${text('reason')})` : ''}.`;
    case 'incident.update_nudged':
      return 'Plan B reminded the lead that a stakeholder update was due.';
    case 'incident.update_posted':
      return data['auto'] === true ? 'Plan B posted the state to stakeholders (nobody had updated).' : `${actor} updated the stakeholders: ${text('text')}`;
    case 'incident.note_added':
      return `${actor} noted: ${text('text')}`;
    case 'incident.resolved':
      return `${actor} resolved the incident${text('summary') ? `: ${text('summary')}` : '.'}`;
    case 'incident.postmortem_drafted':
      return SHARED;
    default:
      return event.type;
  }
};
