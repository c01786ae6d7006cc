/** The API's read side: given stored release events, the summaries and details it shows. */
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/event.js';
import type { ReleaseEvent } from '../../src/domain/release/events.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import { createReleaseQueries } from '../../src/app/release-queries.js';
import { alice, bob, continueWith, history, R, running, runbook, start, when } from '../domain/release/fixtures.js';
import { apiDeploy, drilled, onProduction, onStaging, Story } from '../support/rehearsal-story.js';

const search: Runbook = { ...runbook, name: 'search-deploy', title: 'Search release' };

/** Appends the events to the runbook's stream with ids `<prefix>1`, `<prefix>2`, … */
const given = async (store: MemoryEventStore, name: string, events: readonly ReleaseEvent[], prefix = 'e'): Promise<StoredEvent[]> => {
  const stored = events.map((event, index) => ({ ...event, id: `${prefix}${index + 1}` }));
  await store.append(`runbook/${name}`, 0, stored);
  return stored;
};

const must = (result: ReturnType<typeof when>): ReleaseEvent[] => {
  if (!Array.isArray(result)) throw new Error(result.message);
  return result;
};

/** Release 1 rolled back, cut short (which locks the runbook), the runbook unlocked, release 2 started. */
const secondAfterUnlock = (): ReleaseEvent[] =>
  continueWith(
    running(),
    [{ type: 'start_step', release: R, step: 'drain' }, alice],
    [{ type: 'rollback', release: R, reason: 'errors up' }, alice],
    [{ type: 'abort', release: R, reason: 'done by hand' }, alice],
    [{ type: 'unlock', reason: 'pool fixed' }, alice],
    [start, alice],
  );

describe('release queries', () => {
  it('lists every release of the configured runbooks, newest first', async () => {
    const store = new MemoryEventStore();
    await given(store, runbook.name, secondAfterUnlock());
    await given(store, search.name, must(when([], start, alice, 0, search)));
    await given(store, 'unconfigured', history([start, alice]));
    const queries = createReleaseQueries(store, () => [runbook.name, search.name]);
    expect(await queries.list()).toEqual([
      { id: 'checkout-deploy-2', runbook: 'checkout-deploy', title: 'Checkout release 1.2.3', status: 'awaiting_confirmer', driver: alice, confirmer: bob, channel: 'C1', startedAt: '2026-11-23T14:06:00.000Z' },
      // Started in the same minute: ties go by id, descending.
      { id: 'search-deploy-1', runbook: 'search-deploy', title: 'Search release 1.2.3', status: 'awaiting_confirmer', driver: alice, confirmer: bob, channel: 'C1', startedAt: '2026-11-23T14:02:00.000Z' },
      {
        id: 'checkout-deploy-1',
        runbook: 'checkout-deploy',
        title: 'Checkout release 1.2.3',
        status: 'aborted',
        driver: alice,
        confirmer: bob,
        channel: 'C1',
        startedAt: '2026-11-23T14:02:00.000Z',
        endedAt: '2026-11-23T14:04:00.000Z',
      },
    ]);
  });

  it('names the current step only while the release runs', async () => {
    const store = new MemoryEventStore();
    await given(store, runbook.name, continueWith(running(), [{ type: 'start_step', release: R, step: 'drain' }, alice]));
    const [summary] = await createReleaseQueries(store, () => [runbook.name]).list();
    expect(summary?.currentStep).toBe('drain');
  });

  it('breaks ties on the start time by release number, not by text', async () => {
    const store = new MemoryEventStore();
    const events: ReleaseEvent[] = [];
    for (let n = 1; n <= 10; n += 1) {
      events.push(...must(when(events, start, alice, 0)));
      if (n < 10) events.push(...must(when(events, { type: 'abort', release: `checkout-deploy-${n}`, reason: 'again' }, alice, 0)));
    }
    await given(store, runbook.name, events);
    const ids = (await createReleaseQueries(store, () => [runbook.name]).list()).map((release) => release.id);
    expect(ids.slice(0, 3)).toEqual(['checkout-deploy-10', 'checkout-deploy-9', 'checkout-deploy-8']);
    expect(ids).toHaveLength(10);
  });

  it('details one release with only its own events, in order, in the public shape', async () => {
    const store = new MemoryEventStore();
    const stored = await given(store, runbook.name, secondAfterUnlock());
    const queries = createReleaseQueries(store, () => [runbook.name]);

    const first = await queries.get('checkout-deploy-1');
    expect(first?.status).toBe('aborted');
    expect(first?.reason).toBe('done by hand');
    expect(first?.rollback?.steps.map((step) => step.step)).toEqual(['drain']);
    expect(first?.events.map((event) => event.type)).toEqual([
      'release.started',
      'release.confirmer_accepted',
      'release.preflight_checked',
      'release.preflight_checked',
      'release.step_started',
      'release.rollback_started',
      'release.aborted',
      'release.locked',
    ]);
    expect(first?.events.map((event) => event.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8']);
    expect(first?.events[2]).toEqual({ id: 'e3', type: 'release.preflight_checked', at: '2026-11-23T14:04:00.000Z', actor: alice, data: { release: R, item: 'backup', evidence: 'snapshot 881' } });
    expect(first?.events.every((event) => Object.keys(event).join() === 'id,type,at,actor,data')).toBe(true);

    const second = await queries.get('checkout-deploy-2');
    expect(second?.events).toEqual([{ id: 'e10', type: 'release.started', at: '2026-11-23T14:06:00.000Z', actor: alice, data: stored[9]?.data }]);
    expect(stored[8]?.type).toBe('release.unlocked');
  });

  it('knows no release of an unknown id, an unconfigured runbook or a malformed id', async () => {
    const store = new MemoryEventStore();
    await given(store, runbook.name, history([start, alice]));
    await given(store, search.name, must(when([], start, alice, 0, search)));
    const queries = createReleaseQueries(store, () => [runbook.name]);
    expect(await queries.get('checkout-deploy-2')).toBeUndefined();
    expect(await queries.get('search-deploy-1')).toBeUndefined();
    expect(await queries.get('checkout-deploy')).toBeUndefined();
    expect(await queries.get('')).toBeUndefined();
    expect((await queries.get('checkout-deploy-1'))?.id).toBe('checkout-deploy-1');
  });

  it('copes with no releases at all', async () => {
    expect(await createReleaseQueries(new MemoryEventStore(), () => [runbook.name]).list()).toEqual([]);
  });

  it('names the environment of each release and marks drills', async () => {
    const store = new MemoryEventStore();
    const story = onProduction(onStaging(drilled(new Story(apiDeploy, '2026-11-02T09:00:00.000Z')), 'api-deploy-2'), '2026-11-13T09:00:00.000Z', '1.2.3');
    await given(store, apiDeploy.name, story.events);
    const queries = createReleaseQueries(store, () => [apiDeploy.name]);
    const summaries = await queries.list();
    expect(summaries.map(({ id, title, status, environment, drill }) => ({ id, title, status, environment, drill }))).toEqual([
      { id: 'api-deploy-3', title: 'API release 1.2.3', status: 'awaiting_confirmer', environment: 'production', drill: undefined },
      { id: 'api-deploy-2', title: 'API release 1.2.3', status: 'completed', environment: 'staging', drill: undefined },
      { id: 'api-deploy-1', title: 'Rollback drill: API release 1.2.2', status: 'completed', environment: 'staging', drill: true },
    ]);
    // Absent, not false, for what a release is not: older clients see the shape they know.
    expect(summaries.filter((summary) => 'drill' in summary).map((summary) => summary.id)).toEqual(['api-deploy-1']);
    const detail = await queries.get('api-deploy-3');
    expect(detail?.rehearsal).toEqual({ release: 'api-deploy-2', environment: 'staging', at: '2026-11-12T10:14:00.000Z', driver: alice, confirmer: bob });
  });
});
