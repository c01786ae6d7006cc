/** Maintenance windows through the app on the embedded store: the heads-up, its clock, changes, running over, freezes. */
import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/app/message.js';
import type { Runbook } from '../../src/domain/runbook.js';
import { runbook } from '../domain/release/fixtures.js';
import type { World } from '../support/app-world.js';
import { appWorld, as } from '../support/app-world.js';

/** Monday 23 Nov 2026, 14:00 UTC (15:00 in Berlin). */
const T0 = Date.parse('2026-11-23T14:00:00.000Z');
const MIN = 60_000;
const groups = { 'release-managers': ['console:alice'], sre: ['console:bob'] };
const book: Runbook = { ...runbook, service: 'checkout', preflight: [] };
const frozen: Runbook = { ...book, name: 'frozen-deploy', service: 'payments' };
const zones: Record<string, string> = { 'console:alice': 'Europe/Berlin', 'console:nina': 'America/New_York' };

const world = (): World =>
  appWorld(
    T0,
    {
      groups,
      runbooks: [book, frozen],
      timezone: 'UTC',
      maintenance: { channel: 'C-ANNOUNCE', remindMs: [24 * 60 * MIN, 60 * MIN, 10 * MIN], endingSoonMs: 15 * MIN },
      freezes: [{ from: '2026-11-20T00:00:00.000Z', until: '2026-11-30T00:00:00.000Z', services: ['payments'], reason: 'Black Friday' }],
    },
    (principal) => zones[principal],
  );

const announcement = (w: World, id = 'mw-1'): string => {
  const message = w.chat.latest(`window/${id}/announcement`);
  return plainText([message?.title ?? '', ...(message?.text ?? []), ...(message?.fields ?? []).map((field) => `${field.label}: ${field.value}`)].join('\n'));
};
const pending = (w: World): string[][] => w.scheduler.pending().map((timer) => [timer.id, timer.at.toISOString()]);
const whisper = (w: World, name: string): string => plainText(w.chat.whispersTo(`console:${name}`).at(-1) ?? '');

/** The release of `book` started in window mw-1, accepted and at its first step. */
const releaseInWindow = async (w: World): Promise<void> => {
  await w.app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob window=mw-1');
  const accept = w.chat.latest('release/checkout-deploy-1/card')?.buttons?.[0];
  await w.app.action(as('bob'), accept?.actionId ?? '', accept?.value ?? '');
  const start = w.chat.latest('release/checkout-deploy-1/card')?.buttons?.[0];
  await w.app.action(as('alice'), start?.actionId ?? '', start?.value ?? '');
};

describe('scheduling', () => {
  it("reads the time in the person's own zone, announces it with everything people need, and sets the reminders still ahead", async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "DB upgrade" at tomorrow 22:00 for 2h impact="Checkout is read-only" services=checkout,db');
    // 22:00 in Berlin (CET, UTC+1) is 21:00 UTC.
    expect(announcement(w)).toBe(
      [
        'Planned maintenance: DB upgrade',
        'Tue 24 Nov 21:00 UTC to 23:00 (2h)',
        'Impact: Checkout is read-only',
        'Services: checkout, db',
        'Contact: alice',
        'Window: mw-1',
      ].join('\n'),
    );
    // Every instant is a platform time token, so each reader sees it in their own zone.
    expect(w.chat.latest('window/mw-1/announcement')?.text[0]).toContain('\uE0002026-11-24T21:00:00.000Z|datetime|');
    expect(w.chat.posted.find((post) => post.message.key === 'window/mw-1/announcement')?.conversation.channel).toBe('C-ANNOUNCE');
    expect(whisper(w, 'alice')).toContain('Scheduled mw-1, announced in C-ANNOUNCE. Reminders 1d, 1h, 10m before the start.');
    expect(pending(w)).toEqual([
      ['window-mw-1-remind-86400000', '2026-11-23T21:00:00.000Z'],
      ['window-mw-1-remind-3600000', '2026-11-24T20:00:00.000Z'],
      ['window-mw-1-remind-600000', '2026-11-24T20:50:00.000Z'],
      ['window-mw-1-start', '2026-11-24T21:00:00.000Z'],
      ['window-mw-1-ending', '2026-11-24T22:45:00.000Z'],
      ['window-mw-1-end', '2026-11-24T23:00:00.000Z'],
    ]);
  });

  it('skips reminders already in the past, and reads New York times in New York', async () => {
    const w = world();
    // 10:00 in New York (EST, UTC-5) is 15:00 UTC: 1h from now, so T-24h and T-1h have passed.
    await w.app.command(as('nina'), '/maintenance schedule Reindex at today 10:00 for 30m');
    expect(pending(w).map(([id]) => id)).toEqual(['window-mw-1-remind-600000', 'window-mw-1-start', 'window-mw-1-ending', 'window-mw-1-end']);
    expect(w.scheduler.pending().find((timer) => timer.id === 'window-mw-1-start')?.at.toISOString()).toBe('2026-11-23T15:00:00.000Z');
  });

  it('flags an overlap on a shared service to the scheduler and in the announcement', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "DB upgrade" at 2026-11-24T22:00 for 2h services=checkout');
    // alice's 22:00 is Berlin's (21:00 UTC); bob's zone is the team's (UTC).
    await w.app.command(as('bob'), '/maintenance schedule "Cache flush" at 2026-11-24T22:30 for 1h services=search,checkout');
    expect(whisper(w, 'bob')).toContain('It overlaps mw-1 (DB upgrade, Tue 24 Nov 21:00 UTC) on checkout.');
    expect(announcement(w, 'mw-2')).toContain("Overlaps mw-1 on a shared service: check they do not get in each other's way.");
  });

  it('answers a time it cannot read, a skipped hour and a past start in words, and records nothing', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule Upgrade at whenever you like for 2h');
    expect(whisper(w, 'alice')).toBe('"whenever you like" is not a time I can read: try 2026-11-25T22:00, tomorrow 22:00 or in 2h.');
    await w.app.command(as('alice'), '/maintenance schedule Upgrade at 2027-03-28T02:30 for 2h');
    expect(whisper(w, 'alice')).toMatch(/^02:30 does not exist on 28 Mar 2027 in Europe\/Berlin: the clocks go forward/);
    await w.app.command(as('alice'), '/maintenance schedule Upgrade at 2026-11-23T10:00Z for 2h');
    expect(whisper(w, 'alice')).toBe('10:00 UTC on 2026-11-23 has passed: pick a start in the future.');
    await w.app.command(as('alice'), '/maintenance list');
    expect(whisper(w, 'alice')).toBe('No maintenance windows yet. /maintenance schedule <title> at <time> for <duration>');
    expect(w.chat.posted.filter((post) => post.kind === 'publish')).toEqual([]);
  });
});

describe('its clock', () => {
  it('reminds, starts, warns before the end and completes, editing the announcement each time', async () => {
    const w = world();
    await w.app.command(as('bob'), '/maintenance schedule "DB upgrade" at 2026-11-24T22:00 for 2h impact="Checkout is read-only"');
    for (const timer of ['remind-86400000', 'remind-3600000', 'remind-600000', 'start', 'ending', 'end']) await w.fire(`window-mw-1-${timer}`);
    expect(w.lines('C-ANNOUNCE')).toEqual([
      'Reminder: maintenance "DB upgrade" (mw-1) starts at Tue 24 Nov 22:00 UTC, in 1d. Impact: Checkout is read-only',
      'Reminder: maintenance "DB upgrade" (mw-1) starts at Tue 24 Nov 22:00 UTC, in 1h. Impact: Checkout is read-only',
      'Reminder: maintenance "DB upgrade" (mw-1) starts at Tue 24 Nov 22:00 UTC, in 10m. Impact: Checkout is read-only',
      'Maintenance "DB upgrade" (mw-1) has started; due to end at 00:00 (Nov 25). Impact: Checkout is read-only',
      'Maintenance "DB upgrade" (mw-1) is due to end at 00:00 (Nov 25), in 15m.',
      'Maintenance "DB upgrade" (mw-1) is complete.',
    ]);
    expect(announcement(w).split('\n').slice(0, 3)).toEqual(['Maintenance complete: DB upgrade', 'Tue 24 Nov 22:00 UTC to 00:00 (Nov 25) (2h)', 'Completed at 00:00 (Nov 25).']);
    // Posted, then edited at the start and the end; reminders and "ends soon" change nothing it shows.
    expect(w.chat.posted.filter((post) => post.message.key === 'window/mw-1/announcement').map((post) => post.message.title)).toEqual([
      'Planned maintenance: DB upgrade',
      'Maintenance in progress: DB upgrade',
      'Maintenance complete: DB upgrade',
    ]);
    expect(pending(w)).toEqual([]);
  });

  it('moves every timer with a reschedule and announces the change; a cancellation stops them all', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "DB upgrade" at 2026-11-24T22:00 for 2h');
    await w.app.command(as('alice'), '/maintenance reschedule mw-1 at 2026-11-23T15:30');
    expect(w.lines('C-ANNOUNCE')).toEqual(['Maintenance "DB upgrade" (mw-1) moved by alice: now Mon 23 Nov 14:30 UTC to 16:30 (2h), was Tue 24 Nov 21:00 UTC.']);
    expect(pending(w)).toEqual([
      ['window-mw-1-remind-600000', '2026-11-23T14:20:00.000Z'],
      ['window-mw-1-start', '2026-11-23T14:30:00.000Z'],
      ['window-mw-1-ending', '2026-11-23T16:15:00.000Z'],
      ['window-mw-1-end', '2026-11-23T16:30:00.000Z'],
    ]);
    await w.app.command(as('bob'), '/maintenance cancel mw-1 Vendor postponed the patch');
    expect(w.lines('C-ANNOUNCE').at(-1)).toBe('Maintenance "DB upgrade" (mw-1), planned for Mon 23 Nov 14:30 UTC, is cancelled by bob: Vendor postponed the patch');
    expect(announcement(w).split('\n').slice(0, 3)).toEqual(['Maintenance cancelled: DB upgrade', 'Mon 23 Nov 14:30 UTC to 16:30 (2h)', 'Cancelled by bob: Vendor postponed the patch']);
    expect(pending(w)).toEqual([]);
  });
});

describe('running over', () => {
  it('overruns while a release in the window runs, asks its driver to extend or roll back, announces the extension, completes when the release ends', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "Checkout deploy" at in 30m for 1h services=checkout');
    await w.fire('window-mw-1-start');
    await releaseInWindow(w);
    await w.fire('window-mw-1-end');
    expect(w.lines('C-ANNOUNCE').at(-1)).toBe(
      'Maintenance "Checkout deploy" (mw-1) is running over: it was due to end at 15:30 and Checkout release 1.2.3 is still in progress. We will say here when it is extended or done.',
    );
    expect(announcement(w)).toContain('Maintenance running over: Checkout deploy');
    const prompt = w.chat.posted.find((post) => post.message.key.startsWith('window/mw-1/overrun/') && post.conversation.channel === 'C1')?.message;
    expect(prompt?.text[0]).toContain('\uE000console:alice|person|alice\uE001');
    expect(plainText(prompt?.text[0] ?? '')).toBe(
      'alice: the maintenance window "Checkout deploy" (mw-1) ended at 15:30 and checkout-deploy-1 is still running. Extend the window (the reason is announced) or roll back: /maintenance extend mw-1 30m <reason> or /release rollback checkout-deploy-1 <reason>',
    );
    expect(prompt?.buttons?.map((button) => button.label)).toEqual(['Extend', 'Roll back']);
    // The console has no forms: the Extend button answers with the command.
    const extend = prompt?.buttons?.[0];
    await w.app.action(as('alice'), extend?.actionId ?? '', extend?.value ?? '');
    expect(whisper(w, 'alice')).toBe('Say how long and why: /maintenance extend mw-1 30m <reason>');
    // Where there are forms, it opens one; its submission is the extension.
    w.chat.canOpenForms = true;
    await w.app.action(as('alice'), extend?.actionId ?? '', extend?.value ?? '');
    expect(w.chat.forms.at(-1)?.form).toMatchObject({ id: 'maintenance.extend', subject: 'mw-1' });
    expect(await w.app.submit(as('alice'), 'maintenance.extend', { subject: 'mw-1', duration: '20m', reason: ' ' })).toEqual({ reason: 'Say why it needs longer: everyone waiting on the window reads it.' });
    w.at(95);
    expect(await w.app.submit(as('alice'), 'maintenance.extend', { subject: 'mw-1', duration: '20m', reason: 'Cache warm-up is slower than planned' })).toBeUndefined();
    expect(w.lines('C-ANNOUNCE').at(-1)).toBe('Maintenance "Checkout deploy" (mw-1) is extended to 15:55 by alice: Cache warm-up is slower than planned');
    expect(announcement(w)).toContain('Extended to 15:55 by alice: Cache warm-up is slower than planned');
    await w.app.command(as('alice'), '/release abort checkout-deploy-1 Rolled forward by hand');
    await w.fire('window-mw-1-check-checkout-deploy-1');
    // Extended, it runs to its new end; the release is over by then, so it completes instead of overrunning again.
    expect(announcement(w)).toContain('Maintenance in progress: Checkout deploy');
    await w.fire('window-mw-1-ending');
    await w.fire('window-mw-1-end');
    expect(w.lines('C-ANNOUNCE').slice(-2)).toEqual(['Maintenance "Checkout deploy" (mw-1) is due to end at 15:55, in 15m.', 'Maintenance "Checkout deploy" (mw-1) is complete.']);
    expect(announcement(w)).toContain('Completed at 15:55, 25m after the end first announced.');
    expect(w.scheduler.pending().map((timer) => timer.id)).toEqual([]);
  });

  it('completes at its end when no release in it runs any more', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "Checkout deploy" at in 30m for 1h');
    await w.fire('window-mw-1-start');
    await releaseInWindow(w);
    await w.app.command(as('alice'), '/release abort checkout-deploy-1 Not today');
    await w.fire('window-mw-1-check-checkout-deploy-1');
    expect(w.lines('C-ANNOUNCE').at(-1)).toBe('Maintenance "Checkout deploy" (mw-1) has started; due to end at 15:30.');
    await w.fire('window-mw-1-end');
    expect(w.lines('C-ANNOUNCE').at(-1)).toBe('Maintenance "Checkout deploy" (mw-1) is complete.');
  });

  it('refuses a release in a window that does not exist or is over', async () => {
    const w = world();
    await w.app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob window=mw-7');
    expect(whisper(w, 'alice')).toBe('There is no maintenance window mw-7. /maintenance list shows them.');
    await w.app.command(as('alice'), '/maintenance schedule Upgrade at in 1h for 1h');
    await w.app.command(as('alice'), '/maintenance cancel mw-1 Not needed');
    await w.app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob window=mw-1');
    expect(whisper(w, 'alice')).toBe('Maintenance window mw-1 (Upgrade) is cancelled; schedule a new one or leave window= out.');
  });
});

describe('freezes', () => {
  it('refuse a start without an override; with one, the card asks the confirmer to approve it by accepting', async () => {
    const w = world();
    await w.app.command(as('alice'), '/release start frozen-deploy version=1.2.3 confirmer=@bob');
    expect(whisper(w, 'alice')).toBe(
      'frozen-deploy is in a change freeze until 00:00 UTC on 2026-11-30 (Black Friday). If it cannot wait, start it with override="<why it cannot wait>": bob approves the override by accepting.',
    );
    await w.app.command(as('alice'), '/release start frozen-deploy version=1.2.3 confirmer=@bob override="Fixes the payment outage"');
    const card = w.chat.latest('release/frozen-deploy-1/card');
    expect(plainText(card?.text.join('\n') ?? '')).toContain('Change freeze until 00:00 (Nov 30) (Black Friday). Override: Fixes the payment outage. Accepting also approves the override.');
    const accept = card?.buttons?.[0];
    await w.app.action(as('bob'), accept?.actionId ?? '', accept?.value ?? '');
    expect(w.lines().at(-1)).toBe('bob accepted to confirm every step and approved the freeze override.');
  });
});

describe('trouble in a window', () => {
  it('says by when to start rolling back so the rollback ends inside the window, and what it means once that has passed', async () => {
    const w = world();
    await w.app.command(as('alice'), '/maintenance schedule "Checkout deploy" at in 10m for 1h');
    await w.fire('window-mw-1-start');
    await releaseInWindow(w);
    // drain is under way: rolling back means putting the pool back, about 1m; the window ends at 15:10.
    await w.app.command(as('bob'), '/release trouble checkout-deploy-1 payments time out');
    expect(plainText(w.chat.latest('incident/inc-1/card')?.text.join('\n') ?? '')).toContain('To be rolled back within mw-1 (ends 15:10), start the rollback by 15:09.');
    w.at(70);
    await w.app.command(as('bob'), '/incident update still looking');
    expect(plainText(w.chat.latest('incident/inc-1/card')?.text.join('\n') ?? '')).toContain(
      'A rollback started now (about 1m) ends after mw-1 (15:10): extend the window with a reason, /maintenance extend mw-1 <duration> <reason>',
    );
  });
});
