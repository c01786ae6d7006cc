/** The maintenance window use cases: scheduling and changing windows, their notices and timers, running over. */
import type { DomainError } from '../domain/errors.js';
import { fail, isDomainError } from '../domain/errors.js';
import { formatDuration } from '../domain/duration.js';
import type { Release } from '../domain/release/state.js';
import { isActive } from '../domain/release/state.js';
import type { WindowCommand, WindowTimer } from '../domain/window/decide.js';
import { decide, decideTimer } from '../domain/window/decide.js';
import type { WindowEvent } from '../domain/window/events.js';
import type { MaintenanceDefaults } from '../domain/window/policy.js';
import type { Window, WindowBook } from '../domain/window/state.js';
import { emptyWindows, evolve, fold, isOpenWindow } from '../domain/window/state.js';
import { valueField } from './actions.js';
import type { AggregateDeps, Executed, Fold } from './aggregate.js';
import { executeAggregate, loadAggregate } from './aggregate.js';
import type { Request } from './app.js';
import type { Form } from './form.js';
import { maintenanceExtendForm } from './form.js';
import type { ParsedCommand } from './grammar/index.js';
import type { Logger } from './ports.js';
import type { CardContext } from './release-card.js';
import { parseWhen } from './time-parse.js';
import { WINDOW_TIMERS, windowEffects } from './window-effects.js';
import type { WindowContext } from './window-messages.js';
import { WINDOW_ACTIONS, windowLine } from './window-messages.js';
import { showDateTime } from './time-format.js';

/** Every window is on this one stream, numbered in scheduling order (`mw-1`, `mw-2`, …). */
export const WINDOWS_STREAM = 'windows';
export const windowFold: Fold<WindowBook, WindowEvent> = { initial: emptyWindows, evolve, all: fold };

type Outcome = DomainError | undefined;
type WindowParsed = Exclude<Extract<ParsedCommand, { kind: `maintenance.${string}` }>, { kind: 'maintenance.help' }>;

export const isWindowCommand = (parsed: ParsedCommand): parsed is WindowParsed => parsed.kind.startsWith('maintenance.') && parsed.kind !== 'maintenance.help';

export interface WindowDeps {
  readonly aggregate: AggregateDeps;
  readonly defaults: MaintenanceDefaults;
  readonly card: CardContext;
  readonly logger: Logger;
  /** The zone a person's times are typed in: theirs where the platform says, else the team's. */
  readonly zoneOf: (request: Request) => string;
  /** Every release started with `window=<id>`, as it is now. */
  readonly releasesIn: (window: string) => Promise<readonly Release[]>;
  /** Tells the person who asked. */
  readonly tell: (request: Request, ...text: string[]) => Promise<void>;
  /** Opens a form where the person's platform can; false elsewhere. */
  readonly openForm: (request: Request, form: Form) => Promise<boolean>;
}

export interface Windows {
  /** The window with this id, as it is now. */
  find(id: string): Promise<Window | undefined>;
  dispatch(request: Request, parsed: WindowParsed): Promise<Outcome>;
  action(request: Request, actionId: string, value: string): Promise<Outcome>;
  /** A fired window timer; false when the payload is not one. */
  timer(payload: Readonly<Record<string, string>>): Promise<boolean>;
}

export const createWindows = (deps: WindowDeps): Windows => {
  const load = async (): Promise<WindowBook> => (await loadAggregate(deps.aggregate, WINDOWS_STREAM, windowFold)).state;

  /** Runs a decision with the window's releases at hand, for the overrun and the driver's prompt. */
  const execute = async (window: string | undefined, decision: (book: WindowBook, now: Date) => WindowEvent[] | DomainError): Promise<Executed<WindowBook> | DomainError> => {
    const releases = window === undefined ? [] : await deps.releasesIn(window);
    const ctx: WindowContext = { ...deps.card, release: (id) => releases.find((release) => release.id === id) };
    return executeAggregate(deps.aggregate, WINDOWS_STREAM, windowFold, decision, (done) => windowEffects(done, ctx));
  };

  const run = (request: Request, make: WindowCommand): Promise<Executed<WindowBook> | DomainError> =>
    execute(make.type === 'schedule' ? undefined : make.window, (book, now) => decide(book, make, { now, actor: request.user }));

  const command = async (request: Request, make: WindowCommand): Promise<Outcome> => {
    const executed = await run(request, make);
    return isDomainError(executed) ? executed : undefined;
  };

  const when = (request: Request, text: string): string | DomainError => {
    const at = parseWhen(text, deps.zoneOf(request), deps.aggregate.clock.now());
    return isDomainError(at) ? at : at.toISOString();
  };

  const schedule = async (request: Request, parsed: Extract<WindowParsed, { kind: 'maintenance.schedule' }>): Promise<Outcome> => {
    const start = when(request, parsed.at);
    if (isDomainError(start)) return start;
    const executed = await run(request, {
      type: 'schedule',
      title: parsed.title,
      start,
      durationMs: parsed.durationMs,
      channel: parsed.channel ?? deps.defaults.channel ?? request.conversation.channel,
      platform: request.platform,
      ...(parsed.impact === undefined ? {} : { impact: parsed.impact }),
      services: parsed.services ?? [],
      remindMs: parsed.remindMs ?? deps.defaults.remindMs,
      endingSoonMs: deps.defaults.endingSoonMs,
    });
    if (isDomainError(executed)) return executed;
    const id = (executed.events[0]?.data as { window?: string } | undefined)?.window;
    const window = executed.state.windows.find((candidate) => candidate.id === id);
    if (window) await deps.tell(request, ...scheduledReply(window, executed.state));
    return undefined;
  };

  /** What the person who scheduled hears: the id to use later, and any overlap to sort out. */
  const scheduledReply = (window: Window, book: WindowBook): string[] => {
    const overlaps = window.conflicts
      .map((id) => book.windows.find((other) => other.id === id))
      .filter((other): other is Window => other !== undefined)
      .map((other) => `It overlaps ${other.id} (${other.title}, ${showDateTime(other.start, deps.card.zone)}) on ${other.services.filter((service) => window.services.includes(service)).join(', ')}.`);
    const now = deps.aggregate.clock.now().getTime();
    const reminders = window.remindMs.filter((ms) => Date.parse(window.start) - ms > now).map(formatDuration);
    return [
      `Scheduled ${window.id}, announced in ${window.channel}. ${reminders.length > 0 ? `Reminders ${reminders.join(', ')} before the start.` : 'No reminder is left before the start.'}`,
      ...overlaps,
      `Changes: /maintenance reschedule ${window.id} at <time>, /maintenance extend ${window.id} <duration> <reason>, /maintenance cancel ${window.id} <reason>`,
    ];
  };

  const list = async (request: Request): Promise<Outcome> => {
    const { windows } = await load();
    const ctx: WindowContext = { ...deps.card, release: () => undefined };
    const open = windows.filter(isOpenWindow).sort((a, b) => a.start.localeCompare(b.start));
    const recent = windows.filter((window) => !isOpenWindow(window)).sort((a, b) => (b.endedAt ?? '').localeCompare(a.endedAt ?? '')).slice(0, 5);
    if (windows.length === 0) {
      await deps.tell(request, 'No maintenance windows yet. /maintenance schedule <title> at <time> for <duration>');
      return undefined;
    }
    await deps.tell(
      request,
      ...(open.length > 0 ? ['Upcoming and under way:', ...open.map((window) => windowLine(window, ctx))] : ['No window is planned or under way.']),
      ...(recent.length > 0 ? ['Recent:', ...recent.map((window) => windowLine(window, ctx))] : []),
    );
    return undefined;
  };

  const running = async (window: string): Promise<string[]> => (await deps.releasesIn(window)).filter(isActive).map((release) => release.id);

  return {
    find: async (id) => (await load()).windows.find((window) => window.id === id),

    dispatch: async (request, parsed) => {
      switch (parsed.kind) {
        case 'maintenance.schedule':
          return schedule(request, parsed);
        case 'maintenance.list':
          return list(request);
        case 'maintenance.cancel':
          return command(request, { type: 'cancel', window: parsed.window, reason: parsed.reason });
        case 'maintenance.extend':
          return command(request, { type: 'extend', window: parsed.window, durationMs: parsed.durationMs, reason: parsed.reason });
        case 'maintenance.start':
          return command(request, { type: 'start', window: parsed.window });
        case 'maintenance.complete':
          return command(request, { type: 'complete', window: parsed.window });
        case 'maintenance.reschedule': {
          const start = when(request, parsed.at);
          return isDomainError(start) ? start : command(request, { type: 'reschedule', window: parsed.window, start });
        }
      }
    },

    action: async (request, actionId, value) => {
      const id = valueField(value, 'window');
      const window = id === undefined ? undefined : (await load()).windows.find((candidate) => candidate.id === id);
      if (!window) return fail('unknown_window', 'That button belongs to no maintenance window Plan B knows.');
      if (actionId !== WINDOW_ACTIONS.extend) return fail('unknown_action', 'That button is not one Plan B knows; it may be from an older version.');
      if (isOpenWindow(window) && (await deps.openForm(request, maintenanceExtendForm(window.id, window.title)))) return undefined;
      return isOpenWindow(window) ? fail('reason_needed', `Say how long and why: /maintenance extend ${window.id} 30m <reason>`) : fail('window_ended', `${window.id} is over.`);
    },

    timer: async (payload) => {
      const { kind, window, start, end, before } = payload;
      if (window === undefined || !Object.values(WINDOW_TIMERS).some((known) => known === kind)) return false;
      let timer: WindowTimer | undefined;
      if (kind === WINDOW_TIMERS.remind && start !== undefined && before !== undefined) timer = { type: 'remind', window, start, beforeMs: Number(before) };
      else if (kind === WINDOW_TIMERS.start && start !== undefined) timer = { type: 'start', window, start };
      else if (kind === WINDOW_TIMERS.ending && end !== undefined) timer = { type: 'ending_soon', window, end };
      else if (kind === WINDOW_TIMERS.end && end !== undefined) timer = { type: 'end', window, end, running: await running(window) };
      else if (kind === WINDOW_TIMERS.check) timer = { type: 'check', window, running: await running(window) };
      if (!timer) return false;
      const fired = timer;
      const executed = await execute(window, (book, now) => decideTimer(book, fired, now));
      // A timer's rules never refuse; losing every race ("busy") is worth another try by the queue, not a lost timer.
      if (isDomainError(executed)) throw new Error(`${kind} timer of ${window} not recorded: ${executed.message}`);
      // A release that ended while the end was being recorded scheduled its check too early to see the overrun.
      else if (executed.events.some((event) => event.type === 'window.overran') && (await running(window)).length === 0) {
        await execute(window, (book, now) => decideTimer(book, { type: 'check', window, running: [] }, now));
      }
      return true;
    },
  };
};
