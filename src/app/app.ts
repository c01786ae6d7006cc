/** The use cases behind every platform: a command or a button press in, events and messages out. */
import type { DomainError } from '../domain/errors.js';
import { fail, isDomainError } from '../domain/errors.js';
import type { Groups, Principal } from '../domain/principal.js';
import { isEligible } from '../domain/principal.js';
import type { ReleaseCommand } from '../domain/release/decide.js';
import { decide, decideTimer } from '../domain/release/decide.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import { currentStep } from '../domain/release/state.js';
import type { Runbook } from '../domain/runbook.js';
import { environmentArguments } from '../domain/environment.js';
import { ACTIONS, buttonCommand, decodeTarget, isActionId } from './actions.js';
import type { FieldErrors, Form, FormId, FormValues } from './form.js';
import { incidentDeclareForm, maintenanceScheduleForm, releaseStartForm } from './form.js';
import { fieldOf, formCommand, isFieldErrors } from './form-submissions.js';
import { createIncidents, isIncidentCommand } from './incidents.js';
import type { IncidentDefaults } from '../domain/incident/policy.js';
import type { Freeze } from '../domain/freeze.js';
import type { MaintenanceDefaults } from '../domain/window/policy.js';
import { DEFAULT_MAINTENANCE } from '../domain/window/policy.js';
import { createWindows, isWindowCommand } from './windows.js';
import { createPostmortems } from './postmortems.js';
import { isOpenWindow } from '../domain/window/state.js';
import type { GrammarOptions, ParsedCommand } from './grammar/index.js';
import { helpText, isGrammarError, MAINTENANCE_USAGE, parseCommand } from './grammar/index.js';
import type { Message } from './message.js';
import type { Clock, Conversation, Directory, EventStore, IdGenerator, Logger, Replies } from './ports.js';
import type { CardContext } from './release-card.js';
import { cardKey, releaseCard } from './release-card.js';
import type { EffectExtras } from './release-effects.js';
import { RELEASE_POSTMORTEM, RELEASE_VERIFY, releaseEffects, RUN_WATCH, STEP_OVERDUE } from './release-effects.js';
import { createReleaseRuns } from './release-runs.js';
import { createPreflightChecks, PREFLIGHT_CHECK, PREFLIGHT_WATCH } from './preflight-checks.js';
import type { ListContext } from './release-lists.js';
import { describeList, describeRehearsals, describeRunbooks } from './release-lists.js';
import type { HealthChecks, RunnerRegistry, RunReport, RunTimings } from './runs.js';
import { DEFAULT_RUN_TIMINGS, NO_RUNNERS } from './runs.js';
import { INCIDENT_TIMERS } from './incident-effects.js';
import { postmortemFileName } from './postmortem.js';
import type { SlotDecision } from './release-store.js';
import { ReleaseRepository, runbookOfRelease } from './release-store.js';
import { latestIn, pickRelease } from './release-pick.js';
import { asRequest } from './request-context.js';
import { StateCache } from './aggregate.js';

export interface AppConfig {
  readonly groups: Groups;
  readonly runbooks: readonly Runbook[];
  /** IANA zone for times shown to people. */
  readonly timezone: string;
  /** planb.yaml's defaults for incidents. */
  readonly incidents?: IncidentDefaults;
  /** planb.yaml's defaults for maintenance windows; DESIGN.md's otherwise. */
  readonly maintenance?: MaintenanceDefaults;
  /** planb.yaml's change freezes. */
  readonly freezes?: readonly Freeze[];
  /** planb.yaml's `runners:` timings. */
  readonly runs?: RunTimings;
}

export interface AppDeps {
  readonly store: EventStore;
  /** Where answers to the person who asked go; channel messages are effects of the events. */
  readonly chat: Replies;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly directory: Directory;
  readonly logger: Logger;
  readonly config: AppConfig;
  /** Who runs automated steps; none without Redis. */
  readonly runners?: RunnerRegistry;
  /** How the bot checks a step done by hand against its `verify`; without it such steps are not checked. */
  readonly checks?: HealthChecks;
}

export type Platform = 'console' | 'slack' | 'teams';

export interface Request {
  readonly user: Principal;
  readonly conversation: Conversation;
  readonly platform: Platform;
  /** The platform's id for this command or press, when it has one: carrying it out again records nothing twice. */
  readonly id?: string;
}

export interface App {
  /** A command typed by a user (`/release start web-deploy version=1.2.3 confirmer=@bob`). */
  command(request: Request, text: string): Promise<void>;
  /** A button pressed: its action id and value, as the message carried them. */
  action(request: Request, actionId: string, value: string): Promise<void>;
  /** A form was submitted: undefined when it went through, else what to show on which field. */
  submit(request: Request, form: FormId, values: FormValues): Promise<FieldErrors | undefined>;
  /** One of the bot's timers fired, with the payload it was scheduled with. Throws when it should be retried. */
  timer(payload: Readonly<Record<string, string>>): Promise<void>;
  /** A runner reported on an automated step. Throws when it should be retried. */
  report(report: RunReport): Promise<void>;
}

type Outcome = DomainError | undefined;

export const createApp = (given: AppDeps): App => {
  // One cache of folded streams for every use case of this app: each command reads only what is new.
  const deps = { ...given, cache: new StateCache() };
  const { chat, config, directory, logger } = deps;
  const releases = new ReleaseRepository(deps);
  const cardContext: CardContext = { zone: config.timezone, name: (p) => directory.displayName(p) };
  let replies = 0;

  const whisper = (request: Request, ...text: string[]): Promise<void> => {
    replies += 1;
    // One paragraph per line: renderers never let a newline inside a paragraph start a line of its own.
    return chat.whisper(request.conversation, request.user, { key: `reply/${replies}`, text: text.flatMap((part) => part.split('\n')) });
  };
  const whisperMessage = (request: Request, message: Message): Promise<void> => chat.whisper(request.conversation, request.user, message);
  /** A form where the person's platform has them (and this request can open one); false where the app must answer in words. */
  const openForm = async (request: Request, form: Form): Promise<boolean> => (await chat.openForm?.(request.conversation, request.user, form)) ?? false;

  const runbook = (name: string): Runbook | undefined => config.runbooks.find((candidate) => candidate.name === name);

  /** Decides on the runbook's slot and appends the events with their messages and timers, in one go. */
  const timings = config.runs ?? DEFAULT_RUN_TIMINGS;
  const execute = async (name: string, decision: SlotDecision, extras: EffectExtras = {}): Promise<Outcome> => {
    const decided = await releases.execute(name, decision, (after) => releaseEffects(after, cardContext, { ...extras, timings }));
    return isDomainError(decided) ? decided : undefined;
  };

  // Steps' commands and preflight commands go to the same runners, checked by the same HTTP checks.
  const runDeps = {
    store: deps.store,
    clock: deps.clock,
    logger,
    runners: deps.runners ?? NO_RUNNERS,
    timings,
    ...(deps.checks ? { checks: deps.checks } : {}),
    findRelease: (id: string) => releases.find(config.runbooks, id),
    execute,
  };
  const runs = createReleaseRuns(runDeps);
  const preflightChecks = createPreflightChecks(runDeps);

  const run = async (request: Request, book: Runbook, command: ReleaseCommand): Promise<Outcome> => {
    // Starting or approving an automated step needs its runner there (as the release's environment names it).
    const needsRunner = command.type === 'start_step' || command.type === 'approve_step';
    const release = needsRunner ? await releases.find(config.runbooks, command.release) : undefined;
    const runners = needsRunner ? await runs.presence(release?.steps.find((step) => step.id === command.step)?.run?.runner) : {};
    return execute(book.name, (slot, now) => decide(slot, command, { now, actor: request.user, groups: config.groups, runbook: book, freezes: config.freezes ?? [], runners }));
  };

  const pick = (request: Request, slots: readonly ReleaseSlot[], id: string | undefined, usage: string): Release | DomainError =>
    pickRelease(slots, request.conversation.channel, id, usage);

  const bookOf = (release: Release): Runbook | DomainError =>
    runbook(release.runbook) ?? fail('runbook_gone', `The runbook ${release.runbook} of ${release.id} is no longer configured.`);

  const onRelease = async (
    request: Request,
    slots: readonly ReleaseSlot[],
    id: string | undefined,
    usage: string,
    make: (release: Release) => ReleaseCommand | DomainError,
  ): Promise<Outcome> => {
    const release = pick(request, slots, id, usage);
    if (isDomainError(release)) return release;
    const book = bookOf(release);
    if (isDomainError(book)) return book;
    const command = make(release);
    return isDomainError(command) ? command : run(request, book, command);
  };

  const postmortems = createPostmortems(deps.store, () => config.runbooks.map((book) => book.name), cardContext);
  const windows = createWindows({
    aggregate: deps,
    defaults: config.maintenance ?? DEFAULT_MAINTENANCE,
    card: cardContext,
    logger,
    zoneOf: (request) => directory.zoneOf?.(request.user) ?? config.timezone,
    releasesIn: async (window) => (await releases.slots(config.runbooks)).flatMap((slot) => slot.releases).filter((release) => release.window === window),
    tell: (request, ...text) => whisper(request, ...text),
    openForm,
  });

  const incidents = createIncidents({
    aggregate: deps,
    groups: config.groups,
    runbooks: config.runbooks,
    defaults: config.incidents ?? {},
    card: cardContext,
    logger,
    findRelease: (id) => releases.find(config.runbooks, id),
    windowEnd: async (id) => {
      const window = await windows.find(id);
      return window && isOpenWindow(window) ? window.end : undefined;
    },
    pickRelease: pick,
    runRelease: run,
    tell: (request, text) => whisper(request, text),
    openForm,
    postmortem: (id) => postmortems.draft(id),
  });

  /** `window=<id>` must name a window that is not over: a release is tied to it for the overrun. */
  const windowFor = async (id: string | undefined): Promise<DomainError | undefined> => {
    if (id === undefined) return undefined;
    const window = await windows.find(id);
    if (!window) return fail('unknown_window', `There is no maintenance window ${id}. /maintenance list shows them.`);
    if (window.status === 'completed' || window.status === 'cancelled') return fail('window_ended', `Maintenance window ${id} (${window.title}) is ${window.status}; schedule a new one or leave window= out.`);
    return undefined;
  };

  const unknownRunbook = (name: string): DomainError =>
    fail('unknown_runbook', `There is no runbook ${name}. Runbooks: ${config.runbooks.map((r) => r.name).join(', ') || 'none configured'}.`);

  /** What the runbook and release lists need to know of the asker and the configuration. */
  const lists = (request: Request): ListContext => ({ user: request.user, runbooks: config.runbooks, groups: config.groups, card: cardContext, zone: config.timezone, now: deps.clock.now() });

  const currentStepOf = (release: Release): string | DomainError =>
    currentStep(release)?.id ?? fail('no_step', `${release.id} has no step waiting.`);

  /** `slots`: every runbook's releases as they were when the command arrived (decisions re-read their own). */
  const dispatch = async (request: Request, parsed: ParsedCommand, slots: readonly ReleaseSlot[]): Promise<Outcome> => {
    switch (parsed.kind) {
      case 'release.help':
        await whisper(request, helpText('release'));
        return undefined;
      case 'release.runbooks':
        await whisper(request, ...describeRunbooks(lists(request), slots));
        return undefined;
      case 'release.list':
        await whisper(request, ...describeList(lists(request), slots));
        return undefined;
      case 'release.rehearsals': {
        const book = runbook(parsed.runbook);
        if (!book) return unknownRunbook(parsed.runbook);
        await whisper(request, ...describeRehearsals(lists(request), book, slots.find((slot) => slot.runbook === book.name)));
        return undefined;
      }
      case 'release.drill': {
        const book = runbook(parsed.runbook);
        if (!book) return unknownRunbook(parsed.runbook);
        return run(request, book, {
          type: 'drill',
          ...environmentArguments(book, parsed),
          channel: request.conversation.channel,
          platform: request.platform,
          ...(parsed.confirmer === undefined ? {} : { confirmer: parsed.confirmer }),
        });
      }
      case 'release.status': {
        const picked = pick(request, slots, parsed.release, '/release status <release-id>');
        // Nothing running here: the latest release of this channel is what people ask about.
        const release = isDomainError(picked) && picked.code === 'no_active_release' ? (latestIn(slots, request.conversation.channel) ?? picked) : picked;
        if (isDomainError(release)) return release;
        // With its buttons: after a restart (or in a new chat) this is how people get them back.
        await whisperMessage(request, { ...releaseCard(release, cardContext), key: `${cardKey(release.id)}/status` });
        return undefined;
      }
      case 'release.start': {
        const book = runbook(parsed.runbook);
        if (!book) return unknownRunbook(parsed.runbook);
        const badWindow = await windowFor(parsed.window);
        if (badWindow) return badWindow;
        return run(request, book, {
          type: 'start',
          ...environmentArguments(book, parsed),
          channel: request.conversation.channel,
          platform: request.platform,
          ...(parsed.confirmer === undefined ? {} : { confirmer: parsed.confirmer }),
          ...(parsed.window === undefined ? {} : { window: parsed.window }),
          ...(parsed.override === undefined ? {} : { override: parsed.override }),
        });
      }
      case 'release.abort':
        return onRelease(request, slots, parsed.release, '/release abort <release-id> <reason>', (release) => ({ type: 'abort', release: release.id, reason: parsed.reason }));
      case 'release.rollback':
        return onRelease(request, slots, parsed.release, '/release rollback <release-id> <reason>', (release) => ({ type: 'rollback', release: release.id, reason: parsed.reason }));
      case 'release.check':
        return onRelease(request, slots, parsed.release, '/release check <release-id> <item> <evidence>', (release) => ({
          type: 'check',
          release: release.id,
          item: parsed.item,
          ...(parsed.evidence === undefined ? {} : { evidence: parsed.evidence }),
        }));
      case 'release.reject':
        return onRelease(request, slots, parsed.release, '/release reject <release-id> <reason>', (release) => {
          const step = currentStepOf(release);
          return isDomainError(step) ? step : { type: 'reject_step', release: release.id, step, reason: parsed.reason };
        });
      case 'release.unlock': {
        const book = runbook(parsed.runbook);
        if (!book) return unknownRunbook(parsed.runbook);
        return run(request, book, { type: 'unlock', reason: parsed.reason, ...(parsed.environment === undefined ? {} : { environment: parsed.environment }) });
      }
      case 'incident.help':
        await whisper(request, helpText('incident'));
        return undefined;
      case 'maintenance.help':
        await whisper(request, helpText('maintenance'));
        return undefined;
      case 'form': {
        const drivable = config.runbooks.filter((book) => isEligible(request.user, book.drivers, config.groups));
        const form =
          parsed.form === 'release.start' ? (drivable.length > 0 ? releaseStartForm(drivable) : undefined) : parsed.form === 'maintenance.schedule' ? maintenanceScheduleForm() : incidentDeclareForm();
        if (form && (await openForm(request, form))) return undefined;
        // No form here (the console, or nothing to pick from): the same answer in words.
        if (parsed.form === 'release.start') {
          await whisper(request, ...describeRunbooks(lists(request), slots));
          return undefined;
        }
        return parsed.form === 'incident.declare'
          ? fail('title_missing', 'Say what is wrong: /incident declare <title> [severity=1..4] [timebox=20m] [updates=15m] [stakeholders=#channel]')
          : fail('schedule_what', `Say what, when and for how long: ${MAINTENANCE_USAGE.schedule}`);
      }
      default:
        if (isWindowCommand(parsed)) return windows.dispatch(request, parsed);
        return isIncidentCommand(parsed) ? incidents.dispatch(request, parsed, slots) : fail('unknown_command', 'Plan B does not know that command.');
    }
  };

  const grammarOptions = (request: Request, slots: readonly ReleaseSlot[], incidentIds: ReadonlySet<string>): GrammarOptions => {
    const known = new Set(slots.flatMap((slot) => slot.releases.map((release) => release.id)));
    return { platform: request.platform, isReleaseId: (word) => known.has(word), isIncidentId: (word) => incidentIds.has(word), isWindowId: () => false };
  };

  /** Logs an unexpected failure with an error id, and says sorry in words that name it. */
  const apologise = (error: unknown, request: Request, what: Readonly<Record<string, unknown>>): string => {
    const errorId = deps.ids.next().slice(0, 8);
    logger.error({ err: error, errorId, user: request.user, ...what }, 'command failed');
    return `Sorry, that failed on our side (error id ${errorId}). Nothing was recorded; please try again.`;
  };

  const guard = async (request: Request, what: Readonly<Record<string, unknown>>, work: () => Promise<Outcome>): Promise<void> => {
    try {
      const outcome = await asRequest(request.id, work);
      if (outcome) await whisper(request, outcome.message);
    } catch (error) {
      await whisper(request, apologise(error, request, what)).catch(() => undefined);
    }
  };

  return {
    command: (request, text) =>
      guard(request, { command: text.split(/\s+/, 2).join(' ') }, async () => {
        const [slots, incidentIds] = await Promise.all([releases.slots(config.runbooks), incidents.ids()]);
        const parsed = parseCommand(text, grammarOptions(request, slots, incidentIds));
        if (isGrammarError(parsed)) {
          await whisper(request, parsed.message, `Usage: ${parsed.usage}`);
          return undefined;
        }
        return dispatch(request, parsed, slots);
      }),
    action: (request, actionId, value) =>
      guard(request, { action: actionId }, async () => {
        if (actionId.startsWith('incident_')) return incidents.action(request, actionId, value);
        if (actionId.startsWith('window_')) return windows.action(request, actionId, value);
        const target = decodeTarget(value);
        if (!isActionId(actionId) || !target) return fail('unknown_action', 'That button is not one Plan B knows; it may be from an older version.');
        const name = runbookOfRelease(target.release);
        const book = name === undefined ? undefined : runbook(name);
        const release = book && (await releases.find(config.runbooks, target.release));
        if (!book || !release) return fail('unknown_release', `There is no release ${target.release}.`);
        if (actionId === ACTIONS.trouble) {
          const step = release.steps.find((candidate) => candidate.id === target.step);
          return incidents.trouble(request, release, `Something is wrong${step ? ` at ${step.id} (${step.title})` : ''}`);
        }
        const command = buttonCommand(actionId, release, target, cardContext.name);
        return isDomainError(command) ? command : run(request, book, command);
      }),
    submit: async (request, form, values) => {
      try {
        const [slots, incidentIds] = await Promise.all([releases.slots(config.runbooks), incidents.ids()]);
        const command = formCommand(form, values, grammarOptions(request, slots, incidentIds));
        if (isFieldErrors(command)) return command;
        const outcome = await dispatch(request, command, slots);
        return outcome ? { [fieldOf(form, outcome.code)]: outcome.message } : undefined;
      } catch (error) {
        return { [fieldOf(form, 'failed')]: apologise(error, request, { form }) };
      }
    },
    timer: async (payload) => {
      if ((await incidents.timer(payload)) || (await windows.timer(payload))) return;
      const { kind, release, step, due } = payload;
      const name = release === undefined ? undefined : runbookOfRelease(release);
      if (kind === RELEASE_POSTMORTEM && release !== undefined && name !== undefined) {
        // Rolled back in trouble: the incident's draft, which holds the decision too; else the rollback's own.
        const incident = await incidents.ofRelease(release);
        if (incident) {
          await incidents.timer({ kind: INCIDENT_TIMERS.postmortem, incident: incident.id, why: 'rolled_back' });
          return;
        }
        const draft = await postmortems.releaseDraft(release);
        const outcome = await execute(name, (slot, now) => decideTimer(slot, { type: 'postmortem', release, file: postmortemFileName(release) }, now), { postmortem: draft });
        if (outcome) logger.warn({ ...payload, code: outcome.code }, outcome.message);
        return;
      }
      if (kind === RELEASE_VERIFY && release !== undefined && step !== undefined && name !== undefined && payload['done'] !== undefined) {
        await runs.verify(name, release, step, payload['done']);
        return;
      }
      const item = payload['item'];
      if (kind === PREFLIGHT_CHECK && release !== undefined && item !== undefined) {
        await preflightChecks.http(release, item, Number(payload['attempt']));
        return;
      }
      if (kind === PREFLIGHT_WATCH && release !== undefined && item !== undefined) {
        await preflightChecks.watch(release, item, Number(payload['attempt']), payload['phase'] ?? 'running');
        return;
      }
      if (kind === RUN_WATCH && release !== undefined && step !== undefined) {
        await runs.watch(release, step, Number(payload['attempt']));
        return;
      }
      if (kind !== STEP_OVERDUE || release === undefined || step === undefined || due === undefined || name === undefined) {
        logger.warn({ ...payload }, 'ignored a timer this version does not know');
        return;
      }
      const outcome = await execute(name, (slot, now) => decideTimer(slot, { type: 'step_overdue', release, step, due }, now));
      if (outcome) logger.warn({ ...payload, code: outcome.code }, outcome.message);
    },
    report: async (report) => {
      if (!(await preflightChecks.report(report))) await runs.report(report);
    },
  };
};
