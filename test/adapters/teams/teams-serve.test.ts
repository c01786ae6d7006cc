/**
 * Acting as Teams: activities posted into `planb serve`'s /api/messages (emulator mode), the fake Bot Connector
 * underneath. A paired release by mentions and card buttons, an incident with its decision timer, a maintenance
 * window announced in a channel named in planb.yaml; every card checked against the Adaptive Card 1.5 schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorCall } from '../../support/fake-connector.js';
import { FakeConnector } from '../../support/fake-connector.js';
import type { TeamsChannel, TeamsUser } from '../../support/teams-activities.js';
import { execute, installed, message } from '../../support/teams-activities.js';
import { startTeamsServer } from '../../support/teams-server.js';
import { until } from '../../support/until.js';
import { cardProblems } from '../../support/adaptive-card-check.js';
import type { AdaptiveCard } from '../../../src/adapters/teams/adaptive-card.js';

const alice: TeamsUser = { id: '29:alice', name: 'Alice', aadObjectId: 'aad-alice' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob', aadObjectId: 'aad-bob' };
const releases: TeamsChannel = { id: '19:releases@thread.tacv2', name: 'Releases' };
const announcements: TeamsChannel = { id: '19:announce@thread.tacv2', name: 'Announcements' };

const connector = new FakeConnector();
let base = '';
let stop: () => Promise<void> = () => Promise.resolve();


beforeAll(async () => {
  await connector.start();
  // Teams names the people it mentions by their 29: ids; the bot asks the connector for their Entra object ids.
  for (const user of [alice, bob]) connector.members.set(user.id, user);
  const server = await startTeamsServer({});
  base = server.base;
  stop = server.stop;
});

afterAll(async () => {
  await stop();
  await connector.stop();
});

const post = async (activity: Record<string, unknown>): Promise<{ status: number; body: string }> => {
  const response = await fetch(`${base}/api/messages`, { method: 'POST', body: JSON.stringify(activity), headers: { 'Content-Type': 'application/json' } });
  return { status: response.status, body: await response.text() };
};

interface Card {
  readonly body?: readonly Record<string, unknown>[];
  readonly actions?: readonly { type: string; title: string; verb?: string; data?: Record<string, unknown> }[];
}

const cardOf = (call: ConnectorCall): Card | undefined =>
  ((call.activity['attachments'] ?? []) as { contentType: string; content: Card }[]).find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

/** Every text a card shows, in order. */
const textOf = (element: unknown): string[] => {
  if (typeof element !== 'object' || element === null) return [];
  const record = element as Record<string, unknown>;
  const own = typeof record['text'] === 'string' && record['type'] === 'TextBlock' ? [record['text']] : [];
  const facts = Array.isArray(record['facts']) ? (record['facts'] as { title: string; value: string }[]).map((fact) => `${fact.title}: ${fact.value}`) : [];
  const children = ['body', 'items', 'columns'].flatMap((key) => (Array.isArray(record[key]) ? (record[key] as unknown[]).flatMap(textOf) : []));
  return [...own, ...facts, ...children];
};

const cards = (channel: TeamsChannel): { call: ConnectorCall; text: string; card: Card }[] =>
  connector
    .activitiesIn(channel.id)
    .map((call) => ({ call, card: cardOf(call) }))
    .filter((entry): entry is { call: ConnectorCall; card: Card } => entry.card !== undefined)
    .map(({ call, card }) => ({ call, card, text: textOf(card).join('\n') }));

/** Each card as it is now: an update replaces the version posted (or updated) before under the same activity id. */
const current = (channel: TeamsChannel): { call: ConnectorCall; text: string; card: Card }[] => {
  const latest = new Map<string, { call: ConnectorCall; text: string; card: Card }>();
  for (const entry of cards(channel)) latest.set(entry.call.kind === 'update' ? (entry.call.target ?? '') : (entry.call.id ?? ''), entry);
  return [...latest.values()];
};

const seen = (channel: TeamsChannel, fragment: string): boolean => current(channel).some((entry) => entry.text.includes(fragment));
const waitFor = (channel: TeamsChannel, fragment: string): Promise<void> =>
  until(() => seen(channel, fragment), 15_000, () => JSON.stringify(cards(channel).map((entry) => entry.text)));

/** The button titled `title` on the most recently changed card of `channel` that has one. */
const button = (channel: TeamsChannel, title: string): { verb: string; data: Record<string, unknown> } => {
  for (const entry of [...current(channel)].sort((a, b) => b.call.at - a.call.at)) {
    const found = entry.card.actions?.find((action) => action.title === title && action.type === 'Action.Execute');
    if (found?.verb !== undefined) return { verb: found.verb, data: found.data ?? {} };
  }
  throw new Error(`no button ${title}`);
};

const press = async (user: TeamsUser, channel: TeamsChannel, title: string): Promise<string> => {
  const pressed = button(channel, title);
  const response = await post(execute(connector.url, user, channel, pressed.verb, pressed.data));
  expect(response.status).toBe(200);
  return response.body;
};

describe('Teams', () => {
  it('remembers the channels it is added to, and answers in the conversation', async () => {
    expect((await post(installed(connector.url, alice, releases))).status).toBe(200);
    expect((await post(installed(connector.url, alice, announcements))).status).toBe(200);
    expect((await post(message(connector.url, alice, releases, 'release help'))).status).toBe(200);
    const reply = connector.calls.find((call) => call.kind === 'reply' && call.conversation === releases.id);
    expect(reply).toBeDefined();
    expect(textOf(cardOf(reply as ConnectorCall)).join('\n')).toContain('/release start');
  });

  it('runs a paired release from a mention and card buttons, editing the card in place', async () => {
    expect((await post(message(connector.url, alice, releases, 'release start hotfix confirmer=<at>Bob</at>', [bob]))).status).toBe(200);
    await waitFor(releases, '(hotfix-1)');
    const posted = cards(releases).find((entry) => entry.text.includes('(hotfix-1)'));
    expect(posted?.call.kind).toBe('send');
    expect(posted?.text).toContain('Alice drives, Bob confirms.');
    // Only the confirmer may accept: Alice's press is refused in the invoke's answer.
    expect(JSON.parse(await press(alice, releases, 'Accept'))).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'You drive hotfix-1: you cannot accept your own work. aad-bob must.' });
    await press(bob, releases, 'Accept');
    await until(() => cards(releases).some((entry) => entry.call.kind === 'update' && entry.call.target === posted?.call.id && entry.text.includes('to start Apply the patch')));
    await press(alice, releases, 'Start');
    await waitFor(releases, 'is doing Apply the patch');
    await press(alice, releases, 'Done');
    await waitFor(releases, 'Bob to confirm Apply the patch');
    await press(bob, releases, 'Confirm');
    await waitFor(releases, 'to start Check the error rate');
    await press(alice, releases, 'Start');
    await waitFor(releases, 'is doing Check the error rate');
    await press(alice, releases, 'Done');
    await waitFor(releases, 'Bob to confirm Check the error rate');
    await press(bob, releases, 'Confirm');
    await waitFor(releases, 'Hotfix is complete.');
    // The timeline lines go into the card's thread.
    expect(connector.calls.some((call) => call.kind === 'send' && call.conversation === `${releases.id};messageid=${posted?.call.id ?? ''}`)).toBe(true);
  });

  it('opens an incident and runs its decision timer: warning, "fix or roll back?", escalation', async () => {
    await post(message(connector.url, alice, releases, 'release start hotfix confirmer=<at>Bob</at>', [bob]));
    await waitFor(releases, '(hotfix-2)');
    await press(bob, releases, 'Accept');
    await waitFor(releases, 'to start Apply the patch');
    await press(alice, releases, 'Start');
    await waitFor(releases, 'is doing Apply the patch');
    await press(alice, releases, "Something's wrong");
    await waitFor(releases, 'inc-1: Something is wrong at patch');
    await waitFor(releases, 'the decision on inc-1 is due');
    await waitFor(releases, 'time is up on inc-1');
    await waitFor(releases, 'escalating to');
    // Stakeholders hear it in the channel planb.yaml names, found by its name.
    await waitFor(announcements, 'Investigating: Something is wrong at patch');
    await press(bob, releases, 'Roll back');
    await waitFor(releases, 'decided on inc-1: roll back');
  });

  it('announces a maintenance window in the channel named in planb.yaml, starts and completes it on time', async () => {
    await post(message(connector.url, alice, releases, 'maintenance schedule "DB upgrade" at in 2s for 3s impact="Checkout is read-only"'));
    await waitFor(announcements, 'Planned maintenance: DB upgrade');
    await waitFor(announcements, 'has started');
    await waitFor(announcements, 'is complete');
    await waitFor(announcements, 'Maintenance complete: DB upgrade');
    const announcement = cards(announcements).filter((entry) => entry.text.includes('Maintenance complete: DB upgrade'));
    expect(announcement.at(-1)?.call.kind).toBe('update');
    // Times are Adaptive Card date/time functions: each reader sees their own zone.
    expect(cards(announcements).find((entry) => entry.text.includes('Planned maintenance'))?.text).toMatch(/\{\{DATE\([0-9T:-]+Z, SHORT\)\}\}/);
  });

  it('answers a command without arguments with a form card, and its submission runs the command', async () => {
    await post(message(connector.url, bob, announcements, 'incident declare'));
    await until(() => current(announcements).some((entry) => entry.card.actions?.some((action) => action.verb === 'planb_form')));
    const form = current(announcements).find((entry) => entry.card.actions?.some((action) => action.verb === 'planb_form'));
    expect(form?.call.kind).toBe('reply');
    const submit = form?.card.actions?.find((action) => action.verb === 'planb_form');
    // Teams sends the inputs' values merged into the button's data.
    const refused = await post(execute(connector.url, bob, announcements, 'planb_form', { ...submit?.data, title: '', severity: '3' }));
    expect(JSON.parse(refused.body)).toMatchObject({ value: 'Say what is wrong, in words stakeholders understand.' });
    await post(execute(connector.url, bob, announcements, 'planb_form', { ...submit?.data, title: 'Search is slow', severity: '3' }));
    await waitFor(announcements, 'inc-2: Search is slow');
  });

  it('waits out a 429 from the connector with its Retry-After, then delivers once', async () => {
    connector.throttleNext = { seconds: 1, conversation: announcements.id };
    const asked = Date.now();
    await post(message(connector.url, alice, releases, 'maintenance schedule "Cache flush" at in 2h for 30m'));
    await waitFor(announcements, 'Planned maintenance: Cache flush');
    const delivered = cards(announcements).filter((entry) => entry.text.includes('Planned maintenance: Cache flush'));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.call.at ?? 0).toBeGreaterThanOrEqual(asked + 1_000);
    expect(connector.throttleNext).toBeUndefined();
  });

  it('sends only cards that are valid Adaptive Cards 1.5', () => {
    const all = connector.calls.map(cardOf).filter((card): card is Card => card !== undefined);
    expect(all.length).toBeGreaterThan(20);
    for (const card of all) expect(cardProblems(card as unknown as AdaptiveCard), JSON.stringify(card).slice(0, 200)).toEqual([]);
  });
});

describe('Teams with an app id', () => {
  it('refuses an activity without a valid Bot Framework token, and runs none of it', async () => {
    const before = connector.calls.length;
    const secured = await startTeamsServer({ PLANB_TEAMS_EMULATOR: 'false', MICROSOFT_APP_ID: '6f1c2d3e-0000-4000-8000-000000000001', MICROSOFT_APP_PASSWORD: 'not-a-real-secret' });
    try {
      const post = (headers: Record<string, string>): Promise<Response> =>
        fetch(`${secured.base}/api/messages`, { method: 'POST', body: JSON.stringify(message(connector.url, alice, releases, 'release help')), headers: { 'Content-Type': 'application/json', ...headers } });
      expect((await post({})).status).toBe(401);
      expect((await post({ Authorization: 'Bearer forged.token.value' })).status).toBe(401);
      expect(connector.calls.length).toBe(before);
    } finally {
      await secured.stop();
    }
  });
});
