/** The incident use cases: trouble on a release, declaring, leading, deciding, updating, resolving, and their timers. */
import type { DomainError } from '../domain/errors.js';
import { fail, isDomainError } from '../domain/errors.js';
import type { IncidentCommand, IncidentTimer } from '../domain/incident/decide.js';
import { decide, decideTimer } from '../domain/incident/decide.js';
import type { IncidentEvent } from '../domain/incident/events.js';
import type { IncidentDefaults } from '../domain/incident/policy.js';
import { DEFAULT_SEVERITY, incidentPolicy } from '../domain/incident/policy.js';
import type { Incident, IncidentBook } from '../domain/incident/state.js';
import { emptyBook, evolve, fold, isOpen } from '../domain/incident/state.js';
import { membersOf } from '../domain/principal.js';
import type { ReleaseCommand } from '../domain/release/decide.js';
import type { Release, ReleaseSlot } from '../domain/release/state.js';
import type { Runbook } from '../domain/runbook.js';
import type { AggregateDeps, Fold } from './aggregate.js';
import { executeAggregate, loadAggregate } from './aggregate.js';
import { INCIDENT_TIMERS, incidentEffects } from './incident-effects.js';
import type { IncidentContext } from './incident-messages.js';
import { INCIDENT_ACTIONS, stateInWords } from './incident-messages.js';
import type { ParsedCommand } from './grammar/index.js';
import type { CardContext } from './release-card.js';
import type { Request } from './app.js';
import type { Groups } from '../domain/principal.js';
import type { Logger } from './ports.js';
import type { Form } from './form.js';
import { incidentExtendForm } from './form.js';
import { postmortemFileName } from './postmortem.js';
import { valueField } from './actions.js';

export const INCIDENTS_STREAM = 'incidents';
const incidentFold: Fold<IncidentBook, IncidentEvent> = { initial: emptyBook, evolve, all: fold };

type Outcome = DomainError | undefined;
/** The commands this module carries out (`/incident help` is the app's, like every family's help). */
type IncidentParsed = Exclude<Extract<ParsedCommand, { kind: `incident.${string}` } | { kind: 'release.trouble' }>, { kind: 'incident.help' }>;

export interface IncidentDeps {
  readonly aggregate: AggregateDeps;
  readonly groups: Groups;
  readonly runbooks: readonly Runbook[];
  /** planb.yaml's `incidents:`: below the runbook's settings, above DESIGN's defaults. */
  readonly defaults: IncidentDefaults;
  readonly card: CardContext;
  readonly logger: Logger;
  /** The release with this id, as it is now. */
  readonly findRelease: (id: string) => Promise<Release | undefined>;
  /** The end of the maintenance window with this id while it is not over, for the last safe moment to roll back. */
  readonly windowEnd: (id: string) => Promise<string | undefined>;
  /** The release a command names or the one active in this channel (see the app's `pick`). */
  readonly pickRelease: (request: Request, slots: readonly ReleaseSlot[], id: string | undefined, usage: string) => Release | DomainError;
  /** Runs a release command as `request`'s user. */
  readonly runRelease: (request: Request, runbook: Runbook, command: ReleaseCommand) => Promise<Outcome>;
  /** Tells the person who asked. */
  readonly tell: (request: Request, text: string) => Promise<void>;
  /** Opens a form where the person's platform can; false elsewhere. */
  readonly openForm: (request: Request, form: Form) => Promise<boolean>;
  /** The post-mortem draft of this incident as of now. */
  readonly postmortem: (incident: string) => Promise<string | undefined>;
}

export interface Incidents {
  /** Ids of every incident, for the grammar's optional leading id. */
  ids(): Promise<ReadonlySet<string>>;
  dispatch(request: Request, parsed: IncidentParsed, slots: readonly ReleaseSlot[]): Promise<Outcome>;
  action(request: Request, actionId: string, value: string): Promise<Outcome>;
  /** "Something's wrong" pressed on a release card. */
  trouble(request: Request, release: Release, text: string): Promise<Outcome>;
  /** A fired incident timer; false when the payload is not one. */
  timer(payload: Readonly<Record<string, string>>): Promise<boolean>;
  /** The latest incident opened on this release, if any. */
  ofRelease(release: string): Promise<Incident | undefined>;
}

export const isIncidentCommand = (parsed: ParsedCommand): parsed is IncidentParsed =>
  (parsed.kind.startsWith('incident.') && parsed.kind !== 'incident.help') || parsed.kind === 'release.trouble';

export const createIncidents = (deps: IncidentDeps): Incidents => {
  const load = async (): Promise<IncidentBook> => (await loadAggregate(deps.aggregate, INCIDENTS_STREAM, incidentFold)).state;

  const contextFor = (release: Release | undefined, windowEnd?: string, postmortem?: string) => (): IncidentContext => ({
    ...deps.card,
    now: deps.aggregate.clock.now(),
    ...(release ? { release } : {}),
    ...(postmortem === undefined ? {} : { postmortem }),
    ...(release?.window !== undefined && windowEnd !== undefined ? { window: { id: release.window, end: windowEnd } } : {}),
    members: (group) => membersOf(group, deps.groups),
  });

  /** Runs a decision with the incident's release (its rollback cost) and its window (the last safe moment) at hand. */
  const execute = async (release: Release | undefined, decision: (book: IncidentBook, now: Date) => IncidentEvent[] | DomainError, postmortem?: string): Promise<Outcome> => {
    const context = contextFor(release, release?.window === undefined ? undefined : await deps.windowEnd(release.window), postmortem);
    const executed = await executeAggregate(deps.aggregate, INCIDENTS_STREAM, incidentFold, decision, (done) => incidentEffects(done, context));
    return isDomainError(executed) ? executed : undefined;
  };

  const releaseOf = async (incident: Incident | undefined): Promise<Release | undefined> =>
    incident?.release === undefined ? undefined : deps.findRelease(incident.release);

  /** The incident a command names, or the one open in this channel (asking which when several are). */
  const pick = (request: Request, book: IncidentBook, id: string | undefined, usage: string): Incident | DomainError => {
    if (id !== undefined) return book.incidents.find((incident) => incident.id === id) ?? fail('unknown_incident', `There is no incident ${id}.`);
    const here = book.incidents.filter((incident) => isOpen(incident) && incident.channel === request.conversation.channel);
    const [only, ...others] = here;
    if (!only) return fail('no_open_incident', `No incident is open in this channel. Name one: ${usage}`);
    if (others.length > 0) return fail('which_incident', `Several incidents are open here: ${here.map((incident) => incident.id).join(', ')}. Name one: ${usage}`);
    return only;
  };

  const command = (request: Request, incident: Incident, make: IncidentCommand): Promise<Outcome> =>
    releaseOf(incident).then((release) => execute(release, (book, now) => decide(book, make, { now, actor: request.user })));

  /** Roll back: the decision is recorded, then the release's rollback starts under its pair. */
  const decided = async (request: Request, incident: Incident, decision: 'rollback' | 'fixed', reason?: string): Promise<Outcome> => {
    const outcome = await command(request, incident, { type: 'decide', incident: incident.id, decision, ...(reason === undefined ? {} : { reason }) });
    if (outcome || decision !== 'rollback' || incident.release === undefined) return outcome;
    const release = await deps.findRelease(incident.release);
    const runbook = deps.runbooks.find((book) => book.name === release?.runbook);
    if (!release || !runbook) return undefined;
    const started = await deps.runRelease(request, runbook, { type: 'rollback', release: release.id, reason: `${incident.id}: ${reason ?? incident.title}` });
    if (started) await deps.tell(request, `The decision is recorded, but the rollback of ${release.id} did not start: ${started.message}`);
    return undefined;
  };

  /** Trouble on a release: an incident tied to it, with the runbook's timebox, cadence and stakeholders. */
  const trouble = async (request: Request, release: Release, text: string, timeboxMs?: number): Promise<Outcome> => {
    const runbook = deps.runbooks.find((book) => book.name === release.runbook);
    const policy = incidentPolicy(DEFAULT_SEVERITY, timeboxMs === undefined ? {} : { timeboxMs }, [runbook, deps.defaults]);
    const stakeholders = release.stakeholders ?? deps.defaults.stakeholders;
    const declare: IncidentCommand = {
      type: 'declare',
      title: text,
      severity: DEFAULT_SEVERITY,
      release: release.id,
      channel: release.channel,
      platform: release.platform,
      policy,
      ...(stakeholders === undefined ? {} : { stakeholders }),
      ...(deps.defaults.escalation === undefined ? {} : { escalation: deps.defaults.escalation }),
    };
    return execute(release, (book, now) => decide(book, declare, { now, actor: request.user }));
  };

  const USAGE = {
    lead: '/incident lead <incident-id> @user',
    update: '/incident update <incident-id> <text>',
    note: '/incident note <incident-id> <text>',
    decide: '/incident decide <incident-id> rollback | extend <duration> <reason> | fixed',
    resolve: '/incident resolve <incident-id> [summary]',
  };

  return {
    trouble: (request, release, text) => trouble(request, release, text),

    ids: async () => new Set((await load()).incidents.map((incident) => incident.id)),

    ofRelease: async (release) => (await load()).incidents.filter((incident) => incident.release === release).at(-1),

    dispatch: async (request, parsed, slots) => {
      if (parsed.kind === 'release.trouble') {
        const release = deps.pickRelease(request, slots, parsed.release, '/release trouble <release-id> <what is wrong>');
        return isDomainError(release) ? release : trouble(request, release, parsed.text, parsed.timeboxMs);
      }
      if (parsed.kind === 'incident.postmortem') {
        const book = await load();
        // Usually asked after the end: the latest incident of this channel, open or not.
        const here = book.incidents.filter((incident) => incident.channel === request.conversation.channel).at(-1);
        const incident = parsed.incident === undefined ? here : book.incidents.find((candidate) => candidate.id === parsed.incident);
        if (!incident) return fail(parsed.incident === undefined ? 'no_incident_here' : 'unknown_incident', parsed.incident === undefined ? 'No incident was declared in this channel. Name one: /incident postmortem <incident-id>' : `There is no incident ${parsed.incident}.`);
        const draft = await deps.postmortem(incident.id);
        const made: IncidentCommand = { type: 'share_postmortem', incident: incident.id, file: postmortemFileName(incident.id) };
        return execute(await releaseOf(incident), (current, now) => decide(current, made, { now, actor: request.user }), draft);
      }
      if (parsed.kind === 'incident.declare') {
        const severity = parsed.severity ?? DEFAULT_SEVERITY;
        const stakeholders = parsed.stakeholders ?? deps.defaults.stakeholders;
        const args = { ...(parsed.timeboxMs === undefined ? {} : { timeboxMs: parsed.timeboxMs }), ...(parsed.updatesMs === undefined ? {} : { updatesMs: parsed.updatesMs }) };
        const declare: IncidentCommand = {
          type: 'declare',
          title: parsed.title,
          severity,
          channel: request.conversation.channel,
          platform: request.platform,
          policy: incidentPolicy(severity, args, [deps.defaults]),
          ...(stakeholders === undefined ? {} : { stakeholders }),
          ...(deps.defaults.escalation === undefined ? {} : { escalation: deps.defaults.escalation }),
        };
        return execute(undefined, (book, now) => decide(book, declare, { now, actor: request.user }));
      }
      const book = await load();
      const sub = parsed.kind.slice('incident.'.length) as keyof typeof USAGE;
      const incident = pick(request, book, parsed.incident, USAGE[sub]);
      if (isDomainError(incident)) return incident;
      switch (parsed.kind) {
        case 'incident.lead':
          return command(request, incident, { type: 'lead', incident: incident.id, lead: parsed.lead });
        case 'incident.update':
          return command(request, incident, { type: 'update', incident: incident.id, text: parsed.text });
        case 'incident.note':
          return command(request, incident, { type: 'note', incident: incident.id, text: parsed.text });
        case 'incident.resolve':
          return command(request, incident, { type: 'resolve', incident: incident.id, ...(parsed.summary === undefined ? {} : { summary: parsed.summary }) });
        case 'incident.decide':
          return parsed.decision === 'extend'
            ? command(request, incident, { type: 'extend', incident: incident.id, extendMs: parsed.extendMs, reason: parsed.reason })
            : decided(request, incident, parsed.decision, parsed.reason);
      }
    },

    action: async (request, actionId, value) => {
      const id = valueField(value, 'incident');
      const incident = id === undefined ? undefined : (await load()).incidents.find((candidate) => candidate.id === id);
      if (!incident) return fail('unknown_incident', 'That button belongs to no incident Plan B knows.');
      switch (actionId) {
        case INCIDENT_ACTIONS.rollback:
          return decided(request, incident, 'rollback');
        case INCIDENT_ACTIONS.fixed:
          return decided(request, incident, 'fixed');
        case INCIDENT_ACTIONS.resolve:
          return command(request, incident, { type: 'resolve', incident: incident.id });
        case INCIDENT_ACTIONS.extend:
          if (isOpen(incident) && !incident.decision && (await deps.openForm(request, incidentExtendForm(incident.id, incident.title)))) return undefined;
          return fail('reason_needed', `Say how long and why: /incident decide ${incident.id} extend 10m <reason>`);
        default:
          return fail('unknown_action', 'That button is not one Plan B knows; it may be from an older version.');
      }
    },

    timer: async (payload) => {
      const { kind, incident: id, deadline, due } = payload;
      if (id === undefined || !Object.values(INCIDENT_TIMERS).some((known) => known === kind)) return false;
      const book = await load();
      const incident = book.incidents.find((candidate) => candidate.id === id);
      const release = await releaseOf(incident);
      let timer: IncidentTimer | undefined;
      if ((kind === INCIDENT_TIMERS.warn || kind === INCIDENT_TIMERS.expire || kind === INCIDENT_TIMERS.escalate) && deadline !== undefined) {
        timer = { type: kind === INCIDENT_TIMERS.warn ? 'warn' : kind === INCIDENT_TIMERS.expire ? 'expire' : 'escalate', incident: id, deadline };
      } else if (kind === INCIDENT_TIMERS.nudge && due !== undefined) {
        timer = { type: 'nudge', incident: id, due };
      } else if (kind === INCIDENT_TIMERS.update && due !== undefined && incident) {
        timer = { type: 'update_due', incident: id, due, text: stateInWords(incident, contextFor(release)()) };
      } else if (kind === INCIDENT_TIMERS.postmortem) {
        timer = { type: 'postmortem', incident: id, file: postmortemFileName(id), why: payload['why'] === 'rolled_back' ? 'rolled_back' : 'resolved' };
      }
      if (!timer) return false;
      const fired = timer;
      const draft = fired.type === 'postmortem' ? await deps.postmortem(id) : undefined;
      const outcome = await execute(release, (current, now) => decideTimer(current, fired, now), draft);
      // A timer's rules never refuse; losing every race ("busy") is worth another try by the queue, not a lost timer.
      if (outcome) throw new Error(`${kind} timer of ${id} not recorded: ${outcome.message}`);
      return true;
    },
  };
};
