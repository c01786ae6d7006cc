/** What release events make happen: a line each in the release's channel, the card as it is now, step timers. */
import type { StoredEvent } from '../domain/event.js';
import type { ReleaseEvent } from '../domain/release/events.js';
import type { Release } from '../domain/release/state.js';
import type { Effect } from './effects.js';
import type { Conversation } from './ports.js';
import type { CardContext } from './release-card.js';
import { cardKey, releaseCard, timelineLine } from './release-card.js';
import type { Decided } from './release-store.js';

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
const timers = (release: Release, event: StoredEvent & ReleaseEvent): Effect[] => {
  switch (event.type) {
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
    case 'release.step_done':
      return [{ kind: 'cancel', timer: stepTimerId(release.id, event.data.step) }];
    case 'release.aborted':
      return [...windowCheck(release, event.at), ...release.steps.filter((step) => step.status === 'started' && step.dueAt).map((step): Effect => ({ kind: 'cancel', timer: stepTimerId(release.id, step.id) }))];
    case 'release.rollback_started':
      return release.steps.filter((step) => step.status === 'started' && step.dueAt).map((step) => ({ kind: 'cancel', timer: stepTimerId(release.id, step.id) }));
    default:
      return [];
  }
};

/**
 * Every effect of the appended events, in order: per event its timeline line and timers, then the card of
 * each release they touched.
 * @example releaseEffects(decided, { zone: 'Europe/Berlin', name: shortName })
 */
export const releaseEffects = (decided: Decided, ctx: CardContext, postmortem?: string): Effect[] => {
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
    effects.push(...timers(release, event as StoredEvent & ReleaseEvent));
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
