/** What release events make happen: a line each in the release's channel, the card as it is now, step timers. */
import type { StoredEvent } from '../domain/event.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release } from '../domain/release/state.js';
import type { Effect } from './effects.js';
import type { Message } from './message.js';
import type { Conversation } from './ports.js';
import type { CardContext } from './release-card.js';
import { cardKey, releaseCard, timelineLine } from './release-card.js';
import type { Decided } from './release-store.js';
import { preflightEffects } from './preflight-checks.js';
import { finishedOutputMessage, liveOutputMessage, runLogMessage } from './run-messages.js';
import type { RunTimings } from './runs.js';
import { DEFAULT_RUN_TIMINGS } from './runs.js';

/** The payload of the timer that checks a step done by hand against its `verify`. */
export const RELEASE_VERIFY = 'release.verify';

/** The payload of the timer that watches an attempt of an automated step: taken in time, runner still there. */
export const RUN_WATCH = 'release.run_watch';

export const runWatchTimerId = (release: string, step: string, attempt: number): string => `release-${release}-${step}-run-${attempt}-watch`;

export const runWatchPayload = (release: string, step: string, attempt: number): Record<string, string> => ({ kind: RUN_WATCH, release, step, attempt: String(attempt) });

/** What the events' effects may need besides the events: texts built from other streams, a runner's log. */
export interface EffectExtras {
  /** The post-mortem draft of a rollback, for `release.postmortem_drafted`. */
  readonly postmortem?: string;
  /** The full output of a finished run, for `release.step_run_finished`. */
  readonly runLog?: string;
  readonly timings?: RunTimings;
}

/** The payload a step-overdue timer carries back to the app when it fires. */
export const STEP_OVERDUE = 'release.step_overdue';

/** Deterministic, so scheduling it again moves it; no `:` (BullMQ job ids may not have one). */
export const stepTimerId = (release: string, step: string): string => `release-${release}-${step}-overdue`;

const conversationOf = (release: Release): Conversation => ({ channel: release.channel });

const releaseOf = (decided: Decided, event: StoredEvent): Release | undefined => {
  const id = (event.data as { release?: string }).release;
  return decided.slot.releases.find((candidate) => candidate.id === id) ?? decided.slot.releases[decided.slot.releases.length - 1];
};

/** The payload of the timer that shares the draft of a rollback (the incident's, if the release had one). */
export const RELEASE_POSTMORTEM = 'release.postmortem';

/** The payload that tells a maintenance window one of its releases has ended (so a window running over can complete). */
export const WINDOW_CHECK = 'window.check';

/** Due at once: a timer, so the window hears of it through the outbox even if the process dies right after. */
const windowCheck = (release: Release, at: string): Effect[] =>
  release.window === undefined ? [] : [{ kind: 'schedule', timer: `window-${release.window}-check-${release.id}`, at, payload: { kind: WINDOW_CHECK, window: release.window } }];

/** A started (or sent back) step gets a timer for its `expect`; a step that is over, or a release that stops, loses it. */
const timers = (release: Release, event: StoredEvent & ReleaseEvent, timings: RunTimings): Effect[] => {
  switch (event.type) {
    case 'release.step_approved': {
      const { step, attempt, runner, argv } = event.data;
      const startBy = new Date(Date.parse(event.at) + timings.pickupMs).toISOString();
      return [
        {
          kind: 'run',
          runner,
          job: { release: release.id, runbook: release.runbook, step, attempt, params: release.params, argv, startBy, ...(release.environment === undefined ? {} : { environment: release.environment }) },
        },
        { kind: 'schedule', timer: runWatchTimerId(release.id, step, attempt), at: startBy, payload: runWatchPayload(release.id, step, attempt) },
      ];
    }
    case 'release.step_run_started': {
      const { step, attempt } = event.data;
      const at = new Date(Date.parse(event.at) + timings.offlineAfterMs).toISOString();
      return [{ kind: 'schedule', timer: runWatchTimerId(release.id, step, attempt), at, payload: runWatchPayload(release.id, step, attempt) }];
    }
    case 'release.step_run_finished':
      return [{ kind: 'cancel', timer: runWatchTimerId(release.id, event.data.step, event.data.attempt) }];
    case 'release.rolled_back':
      // Due at once, as a timer: the draft is shared even if this process dies right after the rollback.
      return [...windowCheck(release, event.at), { kind: 'schedule', timer: `release-${release.id}-postmortem`, at: event.at, payload: { kind: RELEASE_POSTMORTEM, release: release.id } }];
    case 'release.completed':
    case 'release.confirmer_declined':
      return windowCheck(release, event.at);
    case 'release.step_started':
    case 'release.step_rejected': {
      const step = release.steps.find((candidate) => candidate.id === event.data.step);
      if (!step?.dueAt) return [];
      return [{ kind: 'schedule', timer: stepTimerId(release.id, step.id), at: step.dueAt, payload: { kind: STEP_OVERDUE, release: release.id, step: step.id, due: step.dueAt } }];
    }
    case 'release.step_done': {
      const step = release.steps.find((candidate) => candidate.id === event.data.step);
      // A step done by hand with a `verify` is checked by the bot at once, for the confirmer to see (a run's own runner checks its step).
      const check: Effect[] =
        step?.verify && !step.run && event.actor
          ? [{ kind: 'schedule', timer: `release-${release.id}-${step.id}-verify`, at: event.at, payload: { kind: RELEASE_VERIFY, release: release.id, step: step.id, done: event.at } }]
          : [];
      return [{ kind: 'cancel', timer: stepTimerId(release.id, event.data.step) }, ...check];
    }
    case 'release.aborted':
      return [...windowCheck(release, event.at), ...release.steps.filter((step) => step.status === 'started' && step.dueAt).map((step): Effect => ({ kind: 'cancel', timer: stepTimerId(release.id, step.id) }))];
    case 'release.rollback_started':
      return release.steps.filter((step) => step.status === 'started' && step.dueAt).map((step) => ({ kind: 'cancel', timer: stepTimerId(release.id, step.id) }));
    default:
      return [];
  }
};

const toThread = (release: Release): Omit<Effect & { kind: 'deliver' }, 'message'> => ({
  kind: 'deliver',
  platform: release.platform,
  conversation: conversationOf(release),
  thread: cardKey(release.id),
});

/** An attempt's output message, posted when the runner starts it and edited to its outcome; the full log as a file. */
const runMessages = (release: Release, event: StoredEvent & ReleaseEvent, log: string | undefined): Message[] => {
  if (event.type !== 'release.step_run_started' && event.type !== 'release.step_run_finished') return [];
  const step = release.steps.find((candidate) => candidate.id === event.data.step);
  const run = step?.runs.find((candidate) => candidate.attempt === event.data.attempt);
  if (!step || !run) return [];
  if (event.type === 'release.step_run_started') return [liveOutputMessage(release, step, run, [])];
  // A run that never started had no output message, and the outcome's line says all there is.
  const ran = run.startedAt !== undefined;
  return [
    ...(ran ? [finishedOutputMessage(release, step, event.data)] : []),
    ...(log !== undefined && log !== '' ? [runLogMessage(release, step, event.data, log)] : []),
  ];
};

/**
 * Every effect of the appended events, in order: per event its timeline line and timers, then the card of
 * each release they touched.
 * @example releaseEffects(decided, { zone: 'Europe/Berlin', name: shortName })
 */
export const releaseEffects = (decided: Decided, ctx: CardContext, extras: EffectExtras = {}): Effect[] => {
  const { postmortem } = extras;
  const effects: Effect[] = [];
  const touched: Release[] = [];
  for (const event of decided.events) {
    const release = releaseOf(decided, event);
    if (!release) continue;
    if (!touched.includes(release)) touched.push(release);
    const line = timelineLine(release, event, ctx);
    if (line) {
      const message = { key: `release/${release.id}/event/${event.id}`, text: [line] };
      // Step-by-step detail goes to the card's thread; the first line, before any card, is the channel's heads-up.
      effects.push({ kind: 'deliver', platform: release.platform, conversation: conversationOf(release), message, thread: cardKey(release.id) });
    }
    effects.push(...timers(release, event as StoredEvent & ReleaseEvent, extras.timings ?? DEFAULT_RUN_TIMINGS));
    effects.push(...preflightEffects(release, event as StoredEvent & ReleaseEvent, extras.timings ?? DEFAULT_RUN_TIMINGS));
    effects.push(...runMessages(release, event as StoredEvent & ReleaseEvent, extras.runLog).map((message) => ({ ...toThread(release), message })));
    if (event.type === 'release.postmortem_drafted' && postmortem !== undefined) {
      const { file } = event.data as { file: string };
      effects.push({
        kind: 'deliver',
        platform: release.platform,
        conversation: conversationOf(release),
        thread: cardKey(release.id),
        message: {
          key: `release/${release.id}/postmortem/${event.id}`,
          text: [`The post-mortem draft for the rollback of ${release.id}, built from the recorded timeline: fill in root cause, trigger and owners, then share it.`],
          file: { name: file, title: `Post-mortem draft: rollback of ${release.title} (${release.id})`, content: postmortem },
        },
      });
    }
  }
  for (const release of touched) {
    effects.push({ kind: 'deliver', platform: release.platform, conversation: conversationOf(release), message: releaseCard(release, ctx) });
  }
  return effects;
};
