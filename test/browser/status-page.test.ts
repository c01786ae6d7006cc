/**
 * The public status page end to end: `planb serve` acting as Slack (signed requests, the fake Web API, real Redis)
 * with PLANB_STATUS_PAGE=true, and the page read by headless Chromium (Debian's `chromium`, driven by playwright-core)
 * during an incident and during maintenance: what it shows and never shows, accessibility, the reader's time zone,
 * the refresh in place, and screenshots whose banner colour is checked pixel by pixel.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSession } from '../support/slack-session.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const API_TOKEN = 'status-api-token-0123456789';
const SHOTS = resolve('test-results');
const NOTE = 'INTERNAL-NOTE primary db01 is at 97% disk, do not tell customers yet';
const FIRST = 'Some customers cannot check out. Ask <@U0ALICE|alice> if you are a partner.';
const SECOND = 'A fix is being deployed; checkout works again for most customers.';

const { base, command, texts, until } = slackSession(resolve('test/fixtures/status/planb.yaml'), 'xoxb-status-test', { PLANB_STATUS_PAGE: 'true', PLANB_API_TOKEN: API_TOKEN });

interface StatusJson {
  readonly overall: string;
  readonly incidents: readonly { readonly latest: { readonly text: string } }[];
  readonly maintenance: readonly { readonly title: string; readonly status: string }[];
  readonly history: { readonly incidents: readonly { readonly status: string }[] };
}

const fetchText = async (path: string, headers: Record<string, string> = {}): Promise<string> => {
  const response = await fetch(`${base()}${path}`, { headers });
  expect(response.status, path).toBe(200);
  return response.text();
};
const status = async (): Promise<StatusJson> => JSON.parse(await fetchText('/status.json')) as StatusJson;

/** Polls an async condition: the bot works through queues and timers. */
const eventually = async (check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> => {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; posted: ${JSON.stringify(texts())}`);
    await new Promise((wake) => setTimeout(wake, 50));
  }
};

let browser: Browser;
let context: BrowserContext;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  // The flags keep Chromium off the network it would otherwise call home on; the sandbox needs a user namespace CI may lack.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A reader far from the team's zone (Europe/Berlin) and from UTC.
  context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-GB', viewport: { width: 900, height: 900 }, deviceScaleFactor: 1 });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** A page on /status that records every request it makes. */
const open = async (options: { readonly fakeClock?: boolean } = {}): Promise<{ page: Page; requests: string[] }> => {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  if (options.fakeClock) await page.clock.install();
  const response = await page.goto(`${base()}/status`);
  expect(response?.status()).toBe(200);
  return { page, requests };
};

/** The banner's background in a full-page screenshot, a little inside its left edge, where there is no text. */
const bannerColour = async (page: Page, file: string): Promise<readonly number[]> => {
  const box = await page.locator('#overall').boundingBox();
  if (!box) throw new Error('the banner is not rendered');
  const shot = await page.screenshot({ fullPage: true });
  writeFileSync(resolve(SHOTS, file), shot);
  const png = PNG.sync.read(shot);
  const x = Math.round(box.x + 6);
  const y = Math.round(box.y + box.height / 2);
  const at = (y * png.width + x) * 4;
  return [png.data[at] ?? -1, png.data[at + 1] ?? -1, png.data[at + 2] ?? -1];
};

const near = (actual: readonly number[], expected: readonly number[]): boolean => actual.every((value, index) => Math.abs(value - (expected[index] ?? 0)) <= 3);

/**
 * WCAG 2 contrast of every piece of text against the background it is drawn on. Browser code, as text: the project
 * is typed for Node, without the DOM.
 */
const CONTRASTS = `(() => {
  const rgba = (colour) => (colour.match(/[\\d.]+/g) ?? []).map(Number);
  const channel = (value) => { const v = value / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const colour = rgba(getComputedStyle(at).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || !node.textContent.trim() || element.closest('script')) continue;
    const [light, dark] = [luminance(rgba(getComputedStyle(element).color)), luminance(background(element))].sort((a, b) => b - a);
    found.push({ text: node.textContent.trim().slice(0, 40), ratio: (light + 0.05) / (dark + 0.05) });
  }
  return found;
})()`;

const contrasts = async (page: Page): Promise<{ text: string; ratio: number }[]> => {
  const found = await page.evaluate<{ text: string; ratio: number }[]>(CONTRASTS);
  // A check that measured nothing would pass anything.
  expect(found.length).toBeGreaterThan(5);
  return found;
};

/**
 * The Atom feed as the browser's XML parser reads it, against RFC 4287's required elements: the feed's title, id,
 * updated and author; each entry's id, title, updated and content.
 */
const ATOM = `(async () => {
  const xml = new DOMParser().parseFromString(await (await fetch('/status/feed.atom')).text(), 'application/xml');
  const feed = xml.documentElement;
  const child = (element, name) => [...element.children].filter((c) => c.localName === name);
  const entries = child(feed, 'entry');
  return {
    errors: xml.getElementsByTagName('parsererror').length,
    root: feed.localName + ' ' + feed.namespaceURI,
    feed: ['title', 'id', 'updated', 'author'].filter((name) => child(feed, name).length !== 1),
    entries: entries.map((entry) => ['id', 'title', 'updated', 'content'].filter((name) => child(entry, name).length !== 1)),
    updated: [feed, ...entries].map((element) => child(element, 'updated')[0]?.textContent ?? ''),
    titles: entries.map((entry) => child(entry, 'title')[0]?.textContent),
  };
})()`;

/** The focused element's text and its outline style. */
const FOCUSED = '[document.activeElement?.textContent ?? "", getComputedStyle(document.activeElement ?? document.body).outlineStyle]';

describe('the public status page', () => {
  it('says all is well before anything happens', async () => {
    expect(await status()).toMatchObject({ overall: 'operational', incidents: [], maintenance: [] });
    expect(await fetchText('/status')).toContain('All systems operational.');
  });

  it('shows an incident only by what people wrote for stakeholders: never an internal note, the title or an automatic update', async () => {
    expect(await command('U0ALICE', '/incident declare db01 replica lag breaks web-deploy checkout severity=2')).toBe(200);
    await until(() => texts().some((text) => text.includes('opened inc-1')));
    expect(await command('U0BOB', `/incident note inc-1 ${NOTE}`)).toBe(200);
    // Nobody has written for stakeholders yet: the bot posts the state itself, and the page stays neutral.
    await until(() => texts().some((text) => text.includes('Nobody updated the stakeholders')));
    expect((await status()).incidents.map((incident) => incident.latest.text)).toEqual(['We are investigating an issue and will post an update here.']);
    expect(await command('U0ALICE', `/incident update inc-1 ${FIRST}`)).toBe(200);
    await eventually(async () => (await status()).incidents[0]?.latest.text === 'Some customers cannot check out. Ask a team member if you are a partner.', 'the update on the page');

    // The note was recorded: the responders and the private API have it.
    await until(() => texts().some((text) => text.includes(NOTE)));
    expect(await fetchText('/api/v1/incidents/inc-1', { authorization: `Bearer ${API_TOKEN}` })).toContain(NOTE);
    // No public form has it, nor anything else internal.
    for (const path of ['/status', '/status.json', '/status/feed.atom', '/status/calendar.ics']) {
      const body = await fetchText(path);
      for (const internal of [NOTE, 'INTERNAL-NOTE', 'db01', 'web-deploy', 'replica lag', 'Nobody updated', 'U0ALICE', 'alice', 'U0BOB', API_TOKEN]) expect(body, `${path} shows "${internal}"`).not.toContain(internal);
    }
    expect(await fetchText('/status/feed.atom')).toContain('<title>Partial outage</title>');
  });

  it('during the incident, in Chromium: semantic, readable, keyboard-usable, in the reader\'s time zone, requesting nothing else', async () => {
    expect(await command('U0ALICE', `/incident update inc-1 ${SECOND}`)).toBe(200);
    await eventually(async () => (await status()).incidents[0]?.latest.text === SECOND, 'the second update');
    const { page, requests } = await open();
    expect(await page.title()).toBe('Acme status');
    expect(await page.locator('h1').allTextContents()).toEqual(['Acme status']);
    expect(await page.locator('h2').allTextContents()).toEqual(['Current incidents', 'Maintenance', 'Past 14 days']);
    expect(await page.getByRole('status').textContent()).toBe('We are working on an issue.');
    expect(await page.locator('header, main, footer').count()).toBe(3);
    const incident = page.getByRole('article', { name: 'Partial outage' });
    expect(await incident.locator('p').first().textContent()).toBe(SECOND);

    // Every text at least 4.5:1 against its background (WCAG AA).
    const weak = (await contrasts(page)).filter((found) => found.ratio < 4.5);
    expect(weak).toEqual([]);

    // The reader's zone: each <time> shows its instant as Tokyo reads it, not UTC.
    const times = await page.evaluate<string[][]>('[...document.querySelectorAll("time")].map((t) => [t.dateTime, t.textContent])');
    expect(times.length).toBeGreaterThan(3);
    for (const [iso = '', shown] of times) expect(shown).toBe(new Date(iso).toLocaleString('en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' }));

    // The keyboard reaches the earlier updates and every link, with a visible focus ring; Enter opens the details.
    const focused: string[] = [];
    for (let presses = 0; presses < 4; presses += 1) {
      await page.keyboard.press('Tab');
      const [text = '', outline] = await page.evaluate<string[]>(FOCUSED);
      focused.push(text);
      expect(outline, text).not.toBe('none');
    }
    expect(focused).toEqual(['Earlier updates', 'Atom feed', 'JSON', 'maintenance calendar']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await incident.locator('details').getAttribute('open')).toBe('');
    expect(await incident.locator('details li').first().textContent()).toContain('Some customers cannot check out.');

    // The feed is well-formed Atom with what RFC 4287 requires, and no date in it lies in the future.
    const atom = await page.evaluate<{ errors: number; root: string; feed: string[]; entries: string[][]; updated: string[]; titles: string[] }>(ATOM);
    expect(atom).toMatchObject({ errors: 0, root: 'feed http://www.w3.org/2005/Atom', feed: [], entries: [[]], titles: ['Partial outage'] });
    for (const updated of atom.updated) expect(Date.parse(updated)).toBeLessThanOrEqual(Date.now());

    expect(requests.filter((url) => !url.startsWith(`${base()}/status`))).toEqual([]);
    expect(near(await bannerColour(page, 'status-incident.png'), [0xfc, 0xe8, 0xe6])).toBe(true);
    await page.close();
  });

  it('refreshes in place every minute, but not the part the reader is focused in', async () => {
    const { page } = await open({ fakeClock: true });
    await page.evaluate('window.notReloaded = true');
    await page.locator('summary').focus();
    const third = 'Checkout is back for everyone; we are watching it.';
    expect(await command('U0ALICE', `/incident update inc-1 ${third}`)).toBe(200);
    await eventually(async () => (await status()).incidents[0]?.latest.text === third, 'the third update');
    const current = (): Promise<string> => page.locator('#current').innerText();

    const rounds = (): Promise<string | null> => page.locator('body').getAttribute('data-refreshes');
    await page.clock.runFor(61_000);
    // The tick's fetch is real: wait for the round to finish. The section holding the focus is kept as it was.
    await eventually(async () => (await rounds()) === '1', 'the first refresh');
    expect(await current()).toContain(SECOND);
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Earlier updates');

    await page.evaluate('document.activeElement?.blur()');
    await page.clock.runFor(61_000);
    await eventually(async () => (await rounds()) === '2', 'the second refresh');
    expect(await current()).toContain(third);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    // Times in the new part are shown in the reader's zone too.
    expect(await page.locator('#current time').first().textContent()).not.toContain('UTC');
    await page.close();
  });

  it('during maintenance, in Chromium: the window in progress, the resolved incident in the history', async () => {
    expect(await command('U0ALICE', '/incident resolve inc-1 Replica rebuilt')).toBe(200);
    expect(await command('U0ALICE', '/maintenance schedule Database upgrade at in 2s for 1h impact="Checkout may be slow for a few minutes" services=checkout')).toBe(200);
    await eventually(async () => (await status()).overall === 'maintenance', 'the window to start');
    const { page } = await open();
    expect(await page.getByRole('status').textContent()).toBe('Maintenance in progress.');
    const shown = page.getByRole('article', { name: 'Database upgrade' });
    expect(await shown.innerText()).toMatch(/^Database upgrade\n+In progress: .+ to .+\. Checkout may be slow for a few minutes\.\n+Affects checkout\.$/);
    expect(await page.locator('#current').innerText()).toContain('No current incidents.');
    const resolved = page.locator('#history').getByRole('article', { name: 'Partial outage (resolved)' });
    expect(await resolved.locator('p').first().textContent()).toBe('Resolved: Replica rebuilt');
    expect((await contrasts(page)).filter((found) => found.ratio < 4.5)).toEqual([]);
    expect(near(await bannerColour(page, 'status-maintenance.png'), [0xe8, 0xf0, 0xfe])).toBe(true);
    const calendar = await fetchText('/status/calendar.ics');
    expect(calendar).toContain('SUMMARY:Maintenance: Database upgrade');
    const atom = await page.evaluate<{ errors: number; entries: string[][]; updated: string[]; titles: string[] }>(ATOM);
    expect(atom).toMatchObject({ errors: 0, entries: [[], []], titles: ['Maintenance: Database upgrade', 'Partial outage (resolved)'] });
    for (const updated of atom.updated) expect(Date.parse(updated)).toBeLessThanOrEqual(Date.now());
    await page.close();
  });
});
