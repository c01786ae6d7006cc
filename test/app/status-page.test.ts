/** The public status content: only what people wrote for stakeholders, plain words, nothing internal, no names unless asked. */
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident/state.js';
import type { Window } from '../../src/domain/window/state.js';
import type { IncidentCommand } from '../../src/domain/incident/decide.js';
import { decide } from '../../src/domain/incident/decide.js';
import type { IncidentEvent } from '../../src/domain/incident/events.js';
import { fold } from '../../src/domain/incident/state.js';
import { publicText, statusAtom, statusDocuments, statusHtml, statusJson, statusModel } from '../../src/app/status-page.js';

const NOW = new Date('2026-11-24T10:00:00.000Z');
const ago = (hours: number): string => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

const incident = (change: Partial<Incident>): Incident => ({
  id: 'inc-1',
  title: 'Something is wrong at migrate (Migrate the schema) on web-deploy-7',
  severity: 2,
  lead: 'slack:U0ALICE',
  declaredBy: 'slack:U0ALICE',
  declaredAt: ago(1),
  release: 'web-deploy-7',
  channel: 'C0INC',
  platform: 'slack',
  policy: { timeboxMs: 1_200_000, warnBeforeMs: 300_000, maxExtensions: 2, escalateAfterMs: 600_000, updatesEveryMs: 1_800_000, nudgeBeforeMs: 300_000 },
  status: 'open',
  extensions: [{ at: ago(0.5), by: 'slack:U0ALICE', reason: 'INTERNAL: the replica is still catching up', deadline: ago(0) }],
  nudged: false,
  updates: [],
  drafts: [],
  ...change,
});

const window = (change: Partial<Window>): Window => ({
  id: 'mw-1',
  title: 'Database upgrade',
  start: new Date(NOW.getTime() + 3_600_000).toISOString(),
  end: new Date(NOW.getTime() + 7_200_000).toISOString(),
  plannedEnd: new Date(NOW.getTime() + 7_200_000).toISOString(),
  channel: 'C0ANNOUNCE',
  platform: 'slack',
  impact: 'Checkout may be slow for a few minutes.',
  services: ['checkout'],
  remindMs: [],
  endingSoonMs: 900_000,
  conflicts: [],
  contact: 'slack:U0BOB',
  scheduledAt: ago(48),
  status: 'scheduled',
  reminded: [],
  overruns: [],
  extensions: [],
  reschedules: 0,
  ...change,
});

const written = incident({
  updates: [
    { at: ago(0.9), by: null, text: 'Investigating: Something is wrong at migrate (Migrate the schema) (inc-1), rollback of web-deploy-7 in 20m', auto: true },
    { at: ago(0.8), by: 'slack:U0ALICE', text: 'Some customers cannot check out. We are on it.', auto: false },
    { at: ago(0.3), by: 'slack:U0ALICE', text: 'A fix is being deployed; checkout works for most customers again.', auto: false },
  ],
  nextUpdateAt: new Date(NOW.getTime() + 1_800_000).toISOString(),
});

describe('the status page content', () => {
  it('shows an incident by the updates people wrote, newest first, in plain words', () => {
    const model = statusModel([written], [window({})], { now: NOW, title: 'Acme status' });
    expect(model.overall).toBe('incident');
    expect(model.incidents).toEqual([
      expect.objectContaining({
        impact: 'Partial outage',
        status: 'investigating',
        latest: { at: ago(0.3), text: 'A fix is being deployed; checkout works for most customers again.' },
        nextUpdateAt: written.nextUpdateAt,
      }),
    ]);
    expect(model.incidents[0]?.updates.map((update) => update.text)).toEqual([
      'A fix is being deployed; checkout works for most customers again.',
      'Some customers cannot check out. We are on it.',
    ]);
    expect(model.maintenance).toEqual([expect.objectContaining({ title: 'Database upgrade', status: 'upcoming', impact: 'Checkout may be slow for a few minutes.' })]);
  });

  it('never shows the title, the release, steps, automatic updates, extensions or names: in no form', () => {
    const model = statusModel([written, incident({ id: 'inc-2', updates: [] })], [], { now: NOW, title: 'Acme status' });
    const forms = [statusJson(model), statusAtom(model, 'https://status.example'), statusHtml(model, { atom: '/status/feed.atom', json: '/status.json' })];
    for (const text of forms) {
      for (const internal of ['migrate', 'Migrate the schema', 'web-deploy-7', 'INTERNAL', 'U0ALICE', 'alice', 'rollback']) expect(text).not.toContain(internal);
    }
    expect(model.incidents.find((shown) => shown.id === 'inc-2')?.latest.text).toBe('We are investigating an issue and will post an update here.');
  });

  it('names the lead only when configured', () => {
    const model = statusModel([written], [], { now: NOW, title: 'Acme status', names: (principal) => (principal === 'slack:U0ALICE' ? 'Alice Smith' : principal) });
    expect(model.incidents[0]?.lead).toBe('Alice Smith');
  });

  it('keeps 14 days of history, and says all is well when nothing is open or running', () => {
    const old = incident({ id: 'inc-0', status: 'resolved', resolvedAt: ago(24 * 15) });
    const recent = incident({ id: 'inc-3', status: 'resolved', resolvedAt: ago(24 * 2) });
    const done = window({ id: 'mw-2', status: 'completed', start: ago(30), end: ago(29), endedAt: ago(29) });
    const model = statusModel([old, recent], [done], { now: NOW, title: 'Acme status' });
    expect(model.overall).toBe('operational');
    expect(model.history.incidents.map((shown) => shown.id)).toEqual(['inc-3']);
    expect(model.history.maintenance.map((shown) => shown.id)).toEqual(['mw-2']);
    expect(model.history.incidents[0]?.latest.text).toBe('This issue has been resolved.');
  });

  it('says maintenance is in progress while a window runs', () => {
    expect(statusModel([], [window({ status: 'running', start: ago(0.5) })], { now: NOW, title: 'Acme status' }).overall).toBe('maintenance');
  });

  it('escapes what people wrote in HTML and Atom, and gives times as machine-readable <time> elements', () => {
    const hostile = incident({ updates: [{ at: ago(0.1), by: 'slack:U0ALICE', text: '<script>alert(1)</script> & <a href="https://evil.example">click</a>', auto: false }] });
    const model = statusModel([hostile], [], { now: NOW, title: 'Acme <status>' });
    const html = statusHtml(model, { atom: '/status/feed.atom', json: '/status.json' });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<a href="https://evil.example"');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;');
    expect(html).toContain(`<time datetime="${ago(0.1)}">`);
    expect(html).toContain('<title>Acme &lt;status&gt;</title>');
    expect(html).toContain('<meta http-equiv="refresh" content="60">');
    const atom = statusAtom(model, 'https://status.example');
    expect(atom).toContain('<content type="text">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href=&quot;https://evil.example&quot;&gt;click&lt;/a&gt;</content>');
    expect(atom.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">')).toBe(true);
  });

  it('turns chat markup into plain words, and people into "a team member" unless names are configured', () => {
    const text = 'Ask <@U0ALICE|alice> or <at>Bob Jones</at> in <#C0OPS|ops>, <!here>: see <https://status.example/x|the notes> &amp; retry &lt;soon&gt;';
    expect(publicText(text)).toBe('Ask a team member or a team member in #ops, everyone: see the notes & retry <soon>');
    expect(publicText(text, (principal) => principal)).toBe('Ask alice or Bob Jones in #ops, everyone: see the notes & retry <soon>');
    expect(publicText('ping <@U0BOB> and <!subteam^S0SRE|@sre>')).toBe('ping a team member and the team');
    expect(publicText('ping <@U0BOB>', (principal) => `name of ${principal}`)).toBe('ping name of slack:U0BOB');
    const shown = statusModel([incident({ updates: [{ at: ago(0.1), by: 'slack:U0ALICE', text, auto: false }] })], [], { now: NOW, title: 'Acme' });
    expect(shown.incidents[0]?.latest.text).toBe('Ask a team member or a team member in #ops, everyone: see the notes & retry <soon>');
    expect(statusHtml(shown, { atom: '/a', json: '/j' })).toContain('retry &lt;soon&gt;');
    const announced = statusModel([], [window({ title: 'DB upgrade with <@U0BOB|bob>', impact: 'Ask <#C0OPS|ops>' })], { now: NOW, title: 'Acme' });
    expect(announced.maintenance[0]).toMatchObject({ title: 'DB upgrade with a team member', impact: 'Ask #ops' });
  });

  it('serves every form from the current incidents and windows; the public calendar leaves out what the team wrote for itself', async () => {
    const extended = window({
      status: 'overrunning',
      start: ago(2),
      end: ago(-1),
      overrun: { at: ago(1), releases: ['web-deploy-7'] },
      extensions: [{ at: ago(1), by: 'slack:U0BOB', until: ago(-1), reason: 'INTERNAL: replica rebuild is slow' }],
    });
    const cancelled = window({ id: 'mw-2', status: 'cancelled', cancelReason: 'INTERNAL: vendor not ready', endedAt: ago(3) });
    const read = statusDocuments({ incidents: () => Promise.resolve([written]), windows: () => Promise.resolve([extended, cancelled]) }, { title: 'Acme status', historyDays: 7, zone: 'Europe/Berlin' });
    const at = { now: NOW, baseUrl: 'https://status.example' };
    const calendar = await read('calendar', at);
    expect(calendar).toContain('X-WR-CALNAME:Acme status: maintenance');
    expect(calendar).toContain('Impact: Checkout may be slow for a few minutes.');
    for (const internal of ['INTERNAL', 'web-deploy-7', 'U0BOB']) expect(calendar).not.toContain(internal);
    expect(JSON.parse(await read('json', at))).toMatchObject({ title: 'Acme status', historyDays: 7, overall: 'incident' });
    expect(await read('atom', at)).toContain('<link rel="self" href="https://status.example/status/feed.atom"/>');
    const html = await read('html', at);
    expect(html).toContain('<h2 id="history-h">Past 7 days</h2>');
    expect(html).toContain('<a href="/status/calendar.ics">maintenance calendar</a>');
    expect(html).not.toContain('token');
  });

  it('never shows an internal responder note, decided through the real incident rules', () => {
    const policy = written.policy;
    const note = 'INTERNAL-NOTE db01 disk at 97%';
    const steps: Array<[string, IncidentCommand]> = [
      ['slack:U0ALICE', { type: 'declare', title: 'db01 replica lag', severity: 2, channel: 'C0INC', platform: 'slack', policy }],
      ['slack:U0BOB', { type: 'note', incident: 'inc-1', text: note }],
      ['slack:U0ALICE', { type: 'update', incident: 'inc-1', text: 'Some customers cannot check out.' }],
      ['slack:U0BOB', { type: 'note', incident: 'inc-1', text: `${note} (still)` }],
    ];
    let events: IncidentEvent[] = [];
    for (const [actor, command] of steps) {
      const decided = decide(fold(events), command, { now: NOW, actor });
      if (!Array.isArray(decided)) throw new Error(decided.message);
      events = [...events, ...decided];
    }
    expect(events.filter((event) => event.type === 'incident.note_added')).toHaveLength(2);
    const model = statusModel(fold(events).incidents, [], { now: NOW, title: 'Acme status', names: (principal) => principal });
    expect(model.incidents[0]?.latest.text).toBe('Some customers cannot check out.');
    for (const text of [statusJson(model), statusAtom(model, 'https://status.example'), statusHtml(model, { atom: '/a', json: '/j' })]) expect(text).not.toContain('INTERNAL-NOTE');
  });
});
