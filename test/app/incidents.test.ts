/** Incidents through the app on the embedded store: trouble on a release, the decision timer, updates, resolution. */
import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/app/message.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { runbook } from '../domain/release/fixtures.js';
import type { World } from '../support/app-world.js';
import { appWorld, as } from '../support/app-world.js';

const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const groups = { 'release-managers': ['console:alice'], sre: ['console:bob', 'console:carol'], oncall: ['console:erin'] };
const book: Runbook = { ...runbook, stakeholders: 'C-STATUS', decision: { timeboxMs: 10 * 60_000, escalateAfterMs: 5 * 60_000 } };

const world = (): World => appWorld(T0, { groups, runbooks: [book], timezone: 'UTC', incidents: { escalation: 'oncall' } });

/** A running release with its first step started, and trouble declared on it at minute 1. */
const inTrouble = async (w: World): Promise<void> => {
  await w.app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob');
  await w.app.command(as('bob'), '/release status');
  const accept = w.chat.latest('release/checkout-deploy-1/card')?.buttons?.[0];
  await w.app.action(as('bob'), accept?.actionId ?? '', accept?.value ?? '');
  await w.app.command(as('alice'), '/release check backup snapshot 881');
  await w.app.command(as('bob'), '/release check rehearsal');
  const start = w.chat.latest('release/checkout-deploy-1/card')?.buttons?.[0];
  await w.app.action(as('alice'), start?.actionId ?? '', start?.value ?? '');
  w.at(1);
  await w.app.command(as('bob'), '/release trouble checkout-deploy-1 payments time out');
};

describe('incidents', () => {
  it('trouble opens an incident on the release with its runbook timebox, heads-up to stakeholders, and all its timers', async () => {
    const w = world();
    await inTrouble(w);
    expect(w.lines()).toContain('bob opened inc-1 (severity 2): payments time out. bob leads; decide by 14:11.');
    expect(w.lines('C-STATUS')).toEqual(['We are working on it (inc-1). Next update at 14:31.']);
    expect(w.scheduler.pending().map((timer) => [timer.id, timer.at.toISOString()])).toEqual([
      ['release-checkout-deploy-1-drain-overdue', '2026-11-23T14:02:00.000Z'],
      ['incident-inc-1-warn', '2026-11-23T14:06:00.000Z'],
      ['incident-inc-1-expire', '2026-11-23T14:11:00.000Z'],
      ['incident-inc-1-escalate', '2026-11-23T14:16:00.000Z'],
      ['incident-inc-1-nudge', '2026-11-23T14:29:00.000Z'],
      ['incident-inc-1-update', '2026-11-23T14:31:00.000Z'],
    ]);
    const card = w.chat.latest('incident/inc-1/card');
    expect(card?.buttons?.map((button) => button.label)).toEqual(['Roll back', 'Extend', 'Fixed', 'Resolve']);
    expect(plainText(card?.text.join('\n') ?? '')).toContain('Rolling back checkout-deploy-1 means Put the pool back: about 1m.');
    await w.app.command(as('carol'), '/release trouble checkout-deploy-1 again');
    expect(w.chat.whispersTo('console:carol').at(-1)).toMatch(/^inc-1 is already open for checkout-deploy-1/);
  });

  it('warns, asks "fix or roll back?" at the deadline with the cost, and escalates to the escalation group', async () => {
    const w = world();
    await inTrouble(w);
    await w.fire('incident-inc-1-warn');
    expect(w.lines().at(-1)).toBe('bob: in 5m the decision on inc-1 is due: fix or roll back?');
    await w.fire('incident-inc-1-expire');
    expect(w.lines().at(-1)).toBe('bob: time is up on inc-1. Fix or roll back? Rolling back checkout-deploy-1 means Put the pool back: about 1m.');
    await w.fire('incident-inc-1-escalate');
    expect(w.lines().at(-1)).toBe('No decision on inc-1 5m after the deadline: escalating to erin.');
    // The mention is a real one where the platform has them.
    const raw = w.chat.posted.filter((post) => post.message.text.join(' ').includes('escalating to')).at(-1)?.message.text[0] ?? '';
    expect(raw).toContain('\uE000console:erin|person|erin\uE001');
  });

  it('an extension needs a reason, moves every decision timer, and is refused past the limit', async () => {
    const w = world();
    await inTrouble(w);
    w.at(8);
    await w.app.command(as('bob'), '/incident decide extend 10m');
    expect(w.chat.whispersTo('console:bob').at(-1)).toBe('An extension needs a reason: what will be different in that time?\nUsage: /incident decide [<incident-id>] rollback [reason] | extend <duration> <reason> | fixed [reason]');
    await w.app.command(as('bob'), '/incident decide extend 10m hotfix is building');
    expect(w.lines().at(-1)).toBe('bob extended inc-1 to 14:21 (extension 1 of 2): hotfix is building');
    expect(w.scheduler.pending().filter((timer) => timer.id.startsWith('incident-inc-1-') && !timer.id.endsWith('nudge') && !timer.id.endsWith('update')).map((timer) => [timer.id, timer.at.toISOString()])).toEqual([
      ['incident-inc-1-warn', '2026-11-23T14:16:00.000Z'],
      ['incident-inc-1-expire', '2026-11-23T14:21:00.000Z'],
      ['incident-inc-1-escalate', '2026-11-23T14:26:00.000Z'],
    ]);
    await w.app.command(as('bob'), '/incident decide extend 5m still building');
    await w.app.command(as('bob'), '/incident decide extend 5m nearly');
    expect(w.chat.whispersTo('console:bob').at(-1)).toBe('No more extensions: 2 of 2 used. Decide now: /incident decide inc-1 rollback | fixed');
  });

  it('deciding to roll back records who and why and starts the release rollback under its pair', async () => {
    const w = world();
    await inTrouble(w);
    w.at(9);
    await w.app.command(as('bob'), '/incident decide rollback timeouts keep rising');
    expect(w.lines()).toContain('bob decided on inc-1: roll back (timeouts keep rising).');
    expect(w.lines()).toContain('bob started the rollback (inc-1: timeouts keep rising): undo drain.');
    expect(w.scheduler.pending().map((timer) => timer.id).filter((id) => /warn|expire|escalate/.test(id))).toEqual([]);
    expect(w.chat.latest('incident/inc-1/card')?.buttons?.map((button) => button.label)).toEqual(['Resolve']);
  });

  it('nudges the lead before an update is due, posts the state itself when nobody updated, and stops everything on resolve', async () => {
    const w = world();
    await inTrouble(w);
    await w.fire('incident-inc-1-nudge');
    expect(w.lines().at(-1)).toBe('bob: the next stakeholder update on inc-1 is due at 14:31: /incident update inc-1 <what changed>');
    await w.fire('incident-inc-1-update');
    expect(w.lines('C-STATUS').at(-1)).toBe('Still working on it (open for 30m, led by bob). A decision on fixing or rolling back is due at 14:11. Next update at 15:01.');
    expect(w.lines().at(-1)).toBe(
      'Nobody updated the stakeholders, so Plan B posted the state. Conditions: open 30m, severity 2, checkout-deploy-1 running. Actions: no decision yet. Needs: a decision by 14:11.',
    );
    w.at(40);
    await w.app.command(as('bob'), '/incident update Payments recovered after the pool was put back');
    expect(w.lines('C-STATUS').at(-1)).toBe('Payments recovered after the pool was put back. Next update at 15:10.');
    w.at(45);
    await w.app.command(as('bob'), '/incident resolve pool restored, timeouts gone');
    expect(w.lines('C-STATUS').at(-1)).toBe('Resolved after 44m. pool restored, timeouts gone');
    // Every timer stops; only the post-mortem draft is due, at once.
    expect(w.scheduler.pending().map((timer) => timer.id).filter((id) => id.startsWith('incident-'))).toEqual(['incident-inc-1-postmortem']);
    await w.app.command(as('bob'), '/incident update one more thing');
    expect(w.chat.whispersTo('console:bob').at(-1)).toBe('No incident is open in this channel. Name one: /incident update <incident-id> <text>');
    await w.app.command(as('bob'), '/incident update inc-1 one more thing');
    expect(w.chat.whispersTo('console:bob').at(-1)).toBe('inc-1 was resolved at 14:45 UTC.');
  });

  it('a note reaches the responders and the post-mortem, never the stakeholders, not even in the automatic update', async () => {
    const w = world();
    await inTrouble(w);
    const note = 'pool 3 drained, suspect the payments DNS';
    const mentionsNote = (text: string): boolean => text.includes('payments DNS');
    w.at(5);
    await w.app.command(as('bob'), `/incident note ${note}`);
    expect(w.lines().at(-1)).toBe(`bob noted on inc-1 (internal): ${note}`);
    // Whatever it posts, in any channel, the note is only ever that one line in the responders' thread.
    expect(w.chat.posted.filter((post) => mentionsNote(post.message.text.join(' '))).map((post) => [post.conversation.channel, post.message.key])).toEqual([['C1', expect.stringMatching(/^incident\/inc-1\/event\//)]]);
    expect(w.lines('C-STATUS')).toEqual(['We are working on it (inc-1). Next update at 14:31.']);
    // Nobody updated the stakeholders: the note does not count as an update, so Plan B posts the state, without it.
    expect(w.scheduler.pending().find((timer) => timer.id === 'incident-inc-1-update')?.at.toISOString()).toBe('2026-11-23T14:31:00.000Z');
    await w.fire('incident-inc-1-update');
    expect(w.lines('C-STATUS')).toEqual(['We are working on it (inc-1). Next update at 14:31.', 'Still working on it (open for 30m, led by bob). A decision on fixing or rolling back is due at 14:11. Next update at 15:01.']);
    expect(w.chat.posted.filter((post) => post.conversation.channel !== 'C1').some((post) => mentionsNote(post.message.text.join(' ')))).toBe(false);
    await w.app.command(as('bob'), '/incident postmortem');
    const draft = w.chat.posted.filter((post) => post.message.file !== undefined).at(-1)?.message.file?.content ?? '';
    expect(draft).toContain(`- 2026-11-23 14:05:00 bob noted: ${note}\n`);
    expect(mentionsNote(draft.slice(draft.indexOf('## Stakeholder updates'), draft.indexOf('## Timeline')))).toBe(false);
  });

  it("the Something's wrong button on the card opens trouble on the release, at the step in hand", async () => {
    const w = world();
    await inTrouble(w);
    await w.app.command(as('bob'), '/incident resolve false alarm');
    const button = w.chat.latest('release/checkout-deploy-1/card')?.buttons?.find((candidate) => candidate.label === "Something's wrong");
    expect(button?.actionId).toBe('release_trouble');
    await w.app.action(as('alice'), button?.actionId ?? '', button?.value ?? '');
    expect(w.lines()).toContain('alice opened inc-2 (severity 2): Something is wrong at drain (Drain traffic). alice leads; decide by 14:11.');
  });

  it('declares an incident without a release, with the severity cadence, and hands the lead over', async () => {
    const w = world();
    await w.app.command(as('carol'), '/incident declare "Login errors" severity=1 stakeholders=#status');
    expect(w.lines()).toEqual(['carol opened inc-1 (severity 1): Login errors. carol leads; decide by 14:20.']);
    expect(w.lines('#status')).toEqual(['We are working on it (inc-1). Next update at 14:15.']);
    await w.app.command(as('carol'), '/incident lead @erin');
    expect(w.lines().at(-1)).toBe('carol handed inc-1 to erin.');
    expect(plainText(w.chat.latest('incident/inc-1/card')?.text[0] ?? '')).toBe('Severity 1, led by erin.');
  });
});
