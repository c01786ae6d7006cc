/** Post-mortem drafts from recorded incidents, against golden files: a long one with a release in a window, and an empty-ish one. */
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../../src/domain/runbook.js';
import { runbook } from '../domain/release/fixtures.js';
import type { World } from '../support/app-world.js';
import { appWorld, as } from '../support/app-world.js';

const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const groups = { 'release-managers': ['console:alice'], sre: ['console:bob', 'console:carol'], oncall: ['console:erin'] };
const book: Runbook = { ...runbook, service: 'checkout', stakeholders: 'C-STATUS', decision: { timeboxMs: 10 * 60_000, escalateAfterMs: 5 * 60_000, maxExtensions: 1 } };

const world = (): World =>
  appWorld(T0, {
    groups,
    runbooks: [book],
    timezone: 'Europe/Berlin',
    incidents: { escalation: 'oncall' },
    maintenance: { channel: 'C-ANNOUNCE', remindMs: [], endingSoonMs: 15 * 60_000 },
  });

const press = async (w: World, name: string, label: string): Promise<void> => {
  const button = [...w.chat.posted].reverse().flatMap((post) => post.message.buttons ?? []).find((candidate) => candidate.label === label);
  if (!button) throw new Error(`no button ${label}`);
  await w.app.action(as(name), button.actionId, button.value);
};

/** checkout-deploy-1 started (in `window=` if given), accepted and through preflight; its first step started at `minute`. */
const startRelease = async (w: World, minute: number, window = ''): Promise<void> => {
  await w.app.command(as('alice'), `/release start checkout-deploy version=1.2.3 confirmer=@bob${window ? ` window=${window}` : ''}`);
  await press(w, 'bob', 'Accept');
  await w.app.command(as('alice'), '/release check backup snapshot 881');
  await w.app.command(as('bob'), '/release check rehearsal');
  w.at(minute);
  await press(w, 'alice', 'Start');
};

/** The draft shared in the incident's thread. */
const shared = (w: World): { name: string; content: string; thread?: string } => {
  const post = w.chat.posted.filter((candidate) => candidate.message.file !== undefined).at(-1);
  if (!post?.message.file) throw new Error('no draft shared');
  return { name: post.message.file.name, content: post.message.file.content };
};

describe('the post-mortem draft', () => {
  it('is shared when an incident resolves, with the release, decisions, updates and timeline (golden: long)', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "Checkout deploy" at 2026-11-23T15:05 for 45m services=checkout');
    await w.fire('window-mw-1-start');
    await startRelease(w, 8, 'mw-1');
    w.at(9);
    await press(w, 'alice', 'Done');
    w.at(12);
    await press(w, 'bob', 'Confirm');
    w.at(13);
    await press(w, 'alice', 'Accept point of no return');
    await press(w, 'bob', 'Accept point of no return');
    w.at(14);
    await w.app.command(as('bob'), '/release trouble checkout-deploy-1 payments time out after the migration');
    await w.fire('incident-inc-1-warn');
    w.at(18);
    await w.app.command(as('bob'), '/incident decide extend 10m the index rebuild finishes at 14:25');
    await w.app.command(as('carol'), '/incident update Payments are slow; we are deciding whether to roll back.');
    await w.fire('incident-inc-1-expire');
    w.at(30);
    await w.app.command(as('bob'), '/incident decide rollback timeouts keep rising');
    w.at(41);
    await press(w, 'alice', 'Done');
    w.at(43);
    await press(w, 'bob', 'Confirm');
    // Rolled back: the incident's draft so far is shared at once, in the incident's thread.
    await w.fire('release-checkout-deploy-1-postmortem');
    expect(w.chat.posted.filter((post) => post.message.file).map((post) => [post.message.file?.name, post.conversation.channel])).toEqual([['postmortem-inc-1.md', 'C1']]);
    w.at(50);
    await w.app.command(as('bob'), '/incident resolve payments back to normal');
    await w.fire('incident-inc-1-postmortem');
    const draft = shared(w);
    expect(draft.name).toBe('postmortem-inc-1.md');
    await expect(draft.content).toMatchFileSnapshot('../fixtures/postmortem/long.md');
    // Shared once by the bot: a timer firing again shares nothing more.
    const count = w.chat.posted.filter((post) => post.message.file).length;
    await w.app.timer({ kind: 'incident.postmortem', incident: 'inc-1' });
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(count);
    // On request, again, by the latest incident of the channel.
    await w.app.command(as('carol'), '/incident postmortem');
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(count + 1);
  });

  it('is shared for a rollback without an incident, in the release thread, once (golden: rollback)', async () => {
    const w = world();
    await startRelease(w, 3);
    w.at(6);
    await w.app.command(as('alice'), '/release rollback checkout-deploy-1 drain left errors in the logs');
    w.at(8);
    await press(w, 'alice', 'Done');
    await press(w, 'bob', 'Confirm');
    await w.fire('release-checkout-deploy-1-postmortem');
    const draft = shared(w);
    expect(draft.name).toBe('postmortem-checkout-deploy-1.md');
    await expect(draft.content).toMatchFileSnapshot('../fixtures/postmortem/rollback.md');
    await w.app.timer({ kind: 'release.postmortem', release: 'checkout-deploy-1' });
    expect(w.chat.posted.filter((post) => post.message.file).length).toBe(1);
  });

  it('drafts an incident with nothing but a declaration and a resolution (golden: empty-ish)', async () => {
    const w = world();
    await w.app.command(as('erin'), '/incident declare "Status page shows stale data" severity=4');
    w.at(7);
    await w.app.command(as('erin'), '/incident resolve');
    await w.fire('incident-inc-1-postmortem');
    await expect(shared(w).content).toMatchFileSnapshot('../fixtures/postmortem/empty.md');
    await w.app.command(as('erin'), '/incident postmortem inc-9');
    expect(w.chat.whispersTo('console:erin').at(-1)).toMatch(/^There is no incident inc-9\./);
  });
});
