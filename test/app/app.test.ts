/** The use cases on the embedded store: commands and buttons in, events and messages out. */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/app.js';
import { plainText, timeMark } from '../../src/app/message.js';
import type { App, Request } from '../../src/app/app.js';
import type { EventStore, Logger } from '../../src/app/ports.js';
import { DirectEffects } from '../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import { shortName } from '../../src/domain/principal.js';
import { groups, runbook } from '../domain/release/fixtures.js';
import { RecordingChat } from '../support/recording-chat.js';

const as = (name: string): Request => ({ user: `console:${name}`, conversation: { channel: 'C1' }, platform: 'console' });

const NOW = new Date('2026-11-23T14:02:00.000Z');
const schedulers: InProcessScheduler[] = [];
afterEach(() => {
  for (const scheduler of schedulers.splice(0)) scheduler.stop();
});

interface Setup {
  app: App;
  chat: RecordingChat;
  store: EventStore;
  scheduler: InProcessScheduler;
  logged: unknown[];
}

/** The app on the embedded store, its effects run in process as the console runs them; `store` replaces the store. */
const setup = (store?: EventStore): Setup => {
  const chat = new RecordingChat();
  const logged: unknown[] = [];
  const logger: Logger = { error: (context) => logged.push(context), warn: () => undefined, info: () => undefined };
  const scheduler = new InProcessScheduler({ now: () => NOW }, (error) => logged.push(error));
  schedulers.push(scheduler);
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  store ??= new MemoryEventStore((list) => effects.run(list));
  let id = 0;
  const app = createApp({
    store,
    chat,
    clock: { now: () => NOW },
    ids: {
      next: () => {
        id += 1;
        return `id-${String(id).padStart(8, '0')}`;
      },
    },
    directory: { displayName: shortName },
    logger,
    config: { groups, runbooks: [runbook], timezone: 'Europe/Berlin' },
  });
  return { app, chat, store, scheduler, logged };
};

const buttonValue = (chat: RecordingChat, actionId: string): string => {
  const button = chat.latest('release/checkout-deploy-1/card')?.buttons?.find((candidate) => candidate.actionId === actionId);
  if (!button) throw new Error(`no ${actionId} button on the card`);
  return button.value;
};

const acceptedAndChecked = async (app: App): Promise<void> => {
  await app.command(as('alice'), '/release start checkout-deploy version=1.2.3 confirmer=@bob');
  await app.command(as('bob'), '/release status');
  await app.action(as('bob'), 'release_accept', JSON.stringify({ release: 'checkout-deploy-1' }));
  await app.command(as('alice'), '/release check backup snapshot 881');
  await app.command(as('bob'), '/release check rehearsal');
};

describe('the app', () => {
  it('posts the card in the runbook channel (or where started) and edits it under one key', async () => {
    const { app, chat } = setup();
    await acceptedAndChecked(app);
    const cards = chat.posted.filter((post) => post.message.key === 'release/checkout-deploy-1/card');
    expect(cards.length).toBe(4);
    expect(cards.every((post) => post.conversation.channel === 'C1')).toBe(true);
    expect(cards.at(-1)?.message.text[0]).toBe('alice drives, bob confirms. Step 1 of 3: alice to start Drain traffic.');
  });

  it('shows times in the configured zone', async () => {
    const { app, chat } = setup();
    await acceptedAndChecked(app);
    await app.action(as('alice'), 'release_step_start', buttonValue(chat, 'release_step_start'));
    // The instant travels with its fallback in the team's zone; each platform shows it to each reader in theirs.
    expect(chat.latest('release/checkout-deploy-1/card')?.steps?.[0]?.text).toBe(`drain: Drain traffic (~2m), in progress since ${timeMark('2026-11-23T14:02:00.000Z', 'time', '15:02')}`);
  });

  it('a started step gets a timer for its expected duration: when it fires the channel hears it once, and done cancels it', async () => {
    const { app, chat, scheduler } = setup();
    await acceptedAndChecked(app);
    await app.action(as('alice'), 'release_step_start', buttonValue(chat, 'release_step_start'));
    const due = '2026-11-23T14:04:00.000Z';
    expect(scheduler.pending()).toEqual([
      { id: 'release-checkout-deploy-1-drain-overdue', at: new Date(due), payload: { kind: 'release.step_overdue', release: 'checkout-deploy-1', step: 'drain', due } },
    ]);
    const payload = scheduler.pending()[0]?.payload ?? {};
    await app.timer(payload);
    const overdue = 'drain (Drain traffic) has run past its expected 2m (since 15:02). If it is stuck, roll back: /release rollback checkout-deploy-1 <reason>';
    expect(chat.posted.filter((post) => plainText(post.message.text[0] ?? '') === overdue)).toHaveLength(1);
    const step = chat.latest('release/checkout-deploy-1/card')?.steps?.[0];
    expect({ mark: step?.mark, text: plainText(step?.text ?? '') }).toEqual({ mark: 'warning', text: 'drain: Drain traffic (~2m), in progress since 15:02, past its expected 2m' });
    // Fired again (a retry after a crash): nothing new is said.
    const posts = chat.posted.length;
    await app.timer(payload);
    expect(chat.posted).toHaveLength(posts);
    await app.action(as('alice'), 'release_step_done', buttonValue(chat, 'release_step_done'));
    expect(scheduler.pending()).toEqual([]);
  });

  it('ignores a timer payload it does not know, and says so in the log', async () => {
    const warned: unknown[] = [];
    const chat = new RecordingChat();
    const app = createApp({
      store: new MemoryEventStore(),
      chat,
      clock: { now: () => NOW },
      ids: { next: () => 'x' },
      directory: { displayName: shortName },
      logger: { error: () => undefined, warn: (context, message) => warned.push(message), info: () => undefined },
      config: { groups, runbooks: [runbook], timezone: 'UTC' },
    });
    await app.timer({ kind: 'window.reminder', window: 'w1' });
    expect(warned).toEqual(['ignored a timer this version does not know']);
    expect(chat.posted).toEqual([]);
  });

  it('two confirmations pressed at once produce one', async () => {
    const { app, chat, store } = setup();
    await acceptedAndChecked(app);
    await app.action(as('alice'), 'release_step_start', buttonValue(chat, 'release_step_start'));
    await app.action(as('alice'), 'release_step_done', buttonValue(chat, 'release_step_done'));
    const confirm = buttonValue(chat, 'release_step_confirm');
    await Promise.all([app.action(as('bob'), 'release_step_confirm', confirm), app.action(as('bob'), 'release_step_confirm', confirm)]);
    const events = (await store.read('runbook/checkout-deploy')).events;
    expect(events.filter((event) => event.type === 'release.step_confirmed')).toHaveLength(1);
    expect(chat.whispersTo('console:bob').at(-1)).toMatch(/^Step drain was already confirmed by bob at 14:02 UTC\.$/);
  });

  it('answers mistakes to the person only, and records nothing', async () => {
    const { app, chat, store } = setup();
    await app.command(as('alice'), '/release start checkout-deploy version=latest confirmer=@bob');
    await app.command(as('alice'), '/release start nope');
    await app.command(as('alice'), '/release frobnicate');
    expect(chat.posted.every((post) => post.kind === 'whisper' && post.user === 'console:alice')).toBe(true);
    expect(chat.whispersTo('console:alice')).toEqual([
      'version=latest does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).',
      'There is no runbook nope. Runbooks: checkout-deploy.',
      expect.stringMatching(/^\/release has no subcommand "frobnicate"\.\nUsage: \/release help\n/) as unknown as string,
    ]);
    expect(await store.readAll()).toEqual([]);
  });

  it('asks to name a release when none or several run in the channel', async () => {
    const { app, chat } = setup();
    await app.command(as('alice'), '/release abort changed my mind');
    expect(chat.whispersTo('console:alice')).toEqual(['No release is running in this channel. Name one: /release abort <release-id> <reason>']);
  });

  it('buttons that need words answer with the command that takes them', async () => {
    const { app, chat } = setup();
    await acceptedAndChecked(app);
    await app.action(as('alice'), 'release_rollback', buttonValue(chat, 'release_step_start'));
    expect(chat.whispersTo('console:alice').at(-1)).toBe('Say why you roll back: /release rollback checkout-deploy-1 <reason>');
    await app.action(as('alice'), 'release_forged', '{"release":"checkout-deploy-1"}');
    await app.action(as('alice'), 'release_accept', 'not json');
    expect(chat.whispersTo('console:alice').slice(-2)).toEqual([
      'That button is not one Plan B knows; it may be from an older version.',
      'That button is not one Plan B knows; it may be from an older version.',
    ]);
  });

  it('an unexpected failure is logged with an error id and the user gets a short apology', async () => {
    const broken: EventStore = { ...new MemoryEventStore(), read: () => Promise.reject(new Error('connection reset')), append: () => Promise.resolve(), readAll: () => Promise.resolve([]), publish: () => Promise.resolve() };
    const { app, chat, logged } = setup(broken);
    await app.command(as('alice'), '/release list');
    const apology = chat.whispersTo('console:alice')[0] ?? '';
    expect(apology).toMatch(/^Sorry, that failed on our side \(error id id-00000\)\. Nothing was recorded; please try again\.$/);
    expect(logged).toEqual([expect.objectContaining({ errorId: 'id-00000', user: 'console:alice', command: '/release list' })]);
  });

  it('lists runbooks the user may drive, and none for others', async () => {
    const { app, chat } = setup();
    await app.command(as('alice'), '/release runbooks');
    await app.command(as('dave'), '/release runbooks');
    expect(chat.whispersTo('console:alice')).toEqual(['Runbooks you may drive:\ncheckout-deploy: Checkout release. /release start checkout-deploy version=<Version to deploy> confirmer=@name']);
    expect(chat.whispersTo('console:dave')).toEqual(['There is no runbook you may drive. Ask to be added to its drivers in planb.yaml.']);
  });
});
