/** Commands typed without arguments open forms where the platform has them; submissions run the same rules. */
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/app.js';
import { releaseStartForm } from '../../src/app/form.js';
import type { App, Request } from '../../src/app/app.js';
import { DirectEffects } from '../../src/adapters/memory/direct-effects.js';
import { InProcessScheduler } from '../../src/adapters/memory/in-process-scheduler.js';
import { MemoryEventStore } from '../../src/adapters/memory/memory-event-store.js';
import { shortName } from '../../src/domain/principal.js';
import { groups, runbook } from '../domain/release/fixtures.js';
import { RecordingChat } from '../support/recording-chat.js';

const NOW = new Date('2026-11-23T14:02:00.000Z');
const as = (name: string): Request => ({ user: `console:${name}`, conversation: { channel: 'C1' }, platform: 'console' });

const setup = (canOpenForms: boolean): { app: App; chat: RecordingChat } => {
  const chat = new RecordingChat();
  chat.canOpenForms = canOpenForms;
  const logger = { error: () => undefined, warn: () => undefined, info: () => undefined };
  // No step starts in these tests, so no timer is ever set.
  const scheduler = new InProcessScheduler({ now: () => NOW }, () => undefined);
  const effects = new DirectEffects(new Map([['console', chat]]), scheduler, logger);
  let id = 0;
  const app = createApp({
    store: new MemoryEventStore((list) => effects.run(list)),
    chat,
    clock: { now: () => NOW },
    ids: { next: () => `id-${(id += 1)}` },
    directory: { displayName: shortName },
    logger,
    config: { groups, runbooks: [runbook], timezone: 'UTC' },
  });
  return { app, chat };
};

describe('forms', () => {
  it('/release start alone opens the start form with the runbooks the person may drive', async () => {
    const { app, chat } = setup(true);
    await app.command(as('alice'), '/release start');
    expect(chat.forms).toHaveLength(1);
    const form = chat.forms[0]?.form;
    expect(form?.id).toBe('release.start');
    expect(form?.fields.map((field) => [field.id, field.kind, field.optional ?? false])).toEqual([
      ['runbook', 'select', false],
      ['params', 'text', true],
      ['confirmer', 'user', false],
    ]);
    expect(form?.fields[0]?.options).toEqual([{ value: 'checkout-deploy', label: 'Checkout release (checkout-deploy)' }]);
    expect(form?.fields[1]?.hint).toBe('checkout-deploy: version=<Version to deploy>');
  });

  it('someone who may drive nothing, or a platform without forms, gets the answer in words', async () => {
    const withForms = setup(true);
    await withForms.app.command(as('dave'), '/release start');
    expect(withForms.chat.forms).toEqual([]);
    expect(withForms.chat.whispersTo('console:dave')).toEqual(['There is no runbook you may drive. Ask to be added to its drivers in planb.yaml.']);
    const console = setup(false);
    await console.app.command(as('alice'), '/release start');
    expect(console.chat.whispersTo('console:alice')[0]).toMatch(/^Runbooks you may drive:\ncheckout-deploy: Checkout release\./);
  });

  it('a submitted start form runs the same rules as the command, each refusal on its field', async () => {
    const { app, chat } = setup(true);
    expect(await app.submit(as('alice'), 'release.start', {})).toEqual({ runbook: 'Pick a runbook.' });
    expect(await app.submit(as('alice'), 'release.start', { runbook: 'checkout-deploy' })).toEqual({ confirmer: 'Pick who confirms each step: someone else than you.' });
    expect(await app.submit(as('alice'), 'release.start', { runbook: 'checkout-deploy', params: 'version=latest', confirmer: 'console:bob' })).toEqual({
      params: 'version=latest does not match ^\\d+\\.\\d+\\.\\d+$ (Version to deploy).',
    });
    expect(await app.submit(as('alice'), 'release.start', { runbook: 'checkout-deploy', params: 'oops', confirmer: 'console:bob' })).toEqual({
      params: 'Unexpected "oops": parameters are key=value, e.g. version=1.2.3.',
    });
    const self = await app.submit(as('alice'), 'release.start', { runbook: 'checkout-deploy', params: 'version=1.2.3', confirmer: 'console:alice' });
    expect(Object.keys(self ?? {})).toEqual(['confirmer']);
    expect(self?.['confirmer']).toMatch(/^You cannot confirm your own release/);
    const notDriver = await app.submit(as('dave'), 'release.start', { runbook: 'checkout-deploy', params: 'version=1.2.3', confirmer: 'console:bob' });
    expect(Object.keys(notDriver ?? {})).toEqual(['runbook']);
    expect(notDriver?.['runbook']).toMatch(/^You may not drive checkout-deploy/);
    expect(chat.posted).toEqual([]);
    expect(await app.submit(as('alice'), 'release.start', { runbook: 'checkout-deploy', params: 'version=1.2.3', confirmer: 'console:bob' })).toBeUndefined();
    expect(chat.latest('release/checkout-deploy-1/card')?.title).toBe('Checkout release 1.2.3 (checkout-deploy-1)');
  });

  it('/incident declare alone opens the declare form; a submission declares the incident', async () => {
    const { app, chat } = setup(true);
    await app.command(as('carol'), '/incident declare');
    expect(chat.forms.map((opened) => [opened.form.id, opened.form.fields.map((field) => field.id)])).toEqual([['incident.declare', ['title', 'severity', 'stakeholders']]]);
    expect(await app.submit(as('carol'), 'incident.declare', { severity: '1' })).toEqual({ title: 'Say what is wrong, in words stakeholders understand.' });
    expect(await app.submit(as('carol'), 'incident.declare', { title: 'Logins fail', severity: '9' })).toEqual({ severity: 'Pick a severity from 1 to 4.' });
    expect(await app.submit(as('carol'), 'incident.declare', { title: 'Logins fail', severity: '1', stakeholders: 'C0STATUS' })).toBeUndefined();
    expect(chat.latest('incident/inc-1/card')?.title).toBe('inc-1: Logins fail');
    const console = setup(false);
    await console.app.command(as('carol'), '/incident declare');
    expect(console.chat.whispersTo('console:carol')).toEqual(['Say what is wrong: /incident declare <title> [severity=1..4] [timebox=20m] [updates=15m] [stakeholders=#channel]']);
  });

  it('the maintenance form asks for what is missing, puts a refusal on its field, and schedules the window', async () => {
    const { app, chat } = setup(true);
    await app.command(as('alice'), '/maintenance schedule');
    expect(chat.forms.map((opened) => [opened.form.id, opened.form.fields.map((field) => field.id)])).toEqual([
      ['maintenance.schedule', ['title', 'start', 'duration', 'channel', 'impact', 'services']],
    ]);
    expect(await app.submit(as('alice'), 'maintenance.schedule', { duration: 'soon' })).toEqual({
      title: 'Give the window a title people will recognise.',
      start: 'Pick when it starts.',
      duration: 'A duration such as 90m, 2h or 1h30m.',
    });
    expect(await app.submit(as('alice'), 'maintenance.schedule', { title: 'DB upgrade', start: '2020-11-24T22:00:00.000Z', duration: '2h' })).toEqual({
      start: '22:00 UTC on 2020-11-24 has passed: pick a start in the future.',
    });
    expect(await app.submit(as('alice'), 'maintenance.schedule', { title: 'DB upgrade', start: '2099-11-24T22:00:00.000Z', duration: '2h', channel: 'C0ANNOUNCE', services: 'db, checkout' })).toBeUndefined();
    const announced = chat.posted.find((post) => post.message.key === 'window/mw-1/announcement');
    expect(announced?.conversation.channel).toBe('C0ANNOUNCE');
    expect(announced?.message.fields).toContainEqual({ label: 'Services', value: 'db, checkout' });
  });
});

describe('the start form of a runbook with environments', () => {
  it('asks for env= with the parameters, naming the environments', () => {
    const staged = { ...runbook, environments: [{ name: 'staging', runners: {}, allowDrills: true }, { name: 'production', runners: {}, allowDrills: false }] };
    const params = releaseStartForm([staged, { ...runbook, name: 'plain', params: {} }]).fields.find((field) => field.id === 'params');
    expect(params?.hint).toBe('checkout-deploy: version=<Version to deploy> env=<staging|production>');
  });
});
