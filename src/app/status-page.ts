/**
 * The public status page: what people outside the chat may read about incidents and maintenance, as HTML, Atom, JSON
 * and a public calendar. Pure: incidents, windows and the time in, text out.
 *
 * What an incident says in public comes ONLY from the stakeholder updates people wrote (`auto: false`): titles,
 * decisions, releases, steps and automatic updates are built from internal state, so none of them is shown; while
 * nobody has written one, a neutral sentence stands in. People's names appear only when `names` is configured.
 */
import { createHash } from 'node:crypto';
import type { Incident } from '../domain/incident/state.js';
import { isOpen } from '../domain/incident/state.js';
import type { Severity } from '../domain/incident/events.js';
import type { Window } from '../domain/window/state.js';
import { isOpenWindow } from '../domain/window/state.js';
import { lastModified, windowsCalendar } from './calendar.js';

export interface StatusOptions {
  readonly now: Date;
  /** How far back the history goes; 14 days by default. */
  readonly historyDays?: number;
  /** Show who leads an incident (display names); off by default. */
  readonly names?: (principal: string) => string;
  /** The page's name: "Acme status". */
  readonly title: string;
}

export interface PublicUpdate {
  readonly at: string;
  readonly text: string;
}

export interface PublicIncident {
  readonly id: string;
  /** Plain words by severity: "Major outage", "Partial outage", "Degraded performance", "Minor issue". */
  readonly impact: string;
  readonly status: 'investigating' | 'resolved';
  readonly since: string;
  readonly resolvedAt?: string;
  /** The latest update people wrote for stakeholders, else a neutral sentence (`at` = when it was declared). */
  readonly latest: PublicUpdate;
  readonly updates: readonly PublicUpdate[];
  readonly nextUpdateAt?: string;
  readonly lead?: string;
}

export interface PublicWindow {
  readonly id: string;
  readonly title: string;
  readonly impact?: string;
  readonly services: readonly string[];
  readonly status: 'upcoming' | 'in_progress' | 'completed' | 'cancelled';
  readonly start: string;
  readonly end: string;
  /** Its last change: scheduled, started, extended, ended. */
  readonly updatedAt: string;
}

export interface StatusModel {
  readonly title: string;
  /** How many days the history covers. */
  readonly historyDays: number;
  readonly generatedAt: string;
  /** `operational` when nothing is open or running. */
  readonly overall: 'operational' | 'incident' | 'maintenance';
  readonly incidents: readonly PublicIncident[];
  readonly maintenance: readonly PublicWindow[];
  readonly history: { readonly incidents: readonly PublicIncident[]; readonly maintenance: readonly PublicWindow[] };
}

const IMPACT: Readonly<Record<Severity, string>> = { 1: 'Major outage', 2: 'Partial outage', 3: 'Degraded performance', 4: 'Minor issue' };
const DAY_MS = 86_400_000;
const NEUTRAL = 'We are investigating an issue and will post an update here.';

const SOMEONE = 'a team member';

/**
 * What people wrote, as readers outside the chat should see it: Slack's markup (`<@U123|alice>`, `<#C1|ops>`,
 * `<!here>`, `<https://x|label>`) and Teams' `<at>Bob</at>` become plain words, and a person becomes "a team member"
 * unless names are configured.
 */
export const publicText = (text: string, names?: (principal: string) => string): string =>
  text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_all, id: string, label?: string) => (names ? (label ?? names(`slack:${id}`)) : SOMEONE))
    .replace(/<at>([^<]*)<\/at>/gi, (_all, name: string) => (names ? name : SOMEONE))
    .replace(/<#[CG][A-Z0-9]+(?:\|([^>]*))?>/g, (_all, name?: string) => (name ? `#${name}` : 'a channel'))
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_all, handle?: string) => (names && handle ? handle : 'the team'))
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, 'everyone')
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:https?|mailto):[^|>\s]+)(?:\|([^>]*))?>/g, (_all, url: string, label?: string) => label ?? url)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const publicIncident = (incident: Incident, options: StatusOptions): PublicIncident => {
  const written = incident.updates.filter((update) => !update.auto).map((update) => ({ at: update.at, text: publicText(update.text, options.names) }));
  // The resolution's summary is written for stakeholders too: they are sent it with the resolution.
  const summary = incident.summary === undefined ? undefined : publicText(incident.summary, options.names);
  const resolution = incident.status === 'resolved' ? [{ at: incident.resolvedAt ?? incident.declaredAt, text: summary ? `Resolved: ${summary}` : 'This issue has been resolved.' }] : [];
  const updates = [...written, ...resolution];
  const latest = updates.at(-1) ?? { at: incident.declaredAt, text: NEUTRAL };
  return {
    id: incident.id,
    impact: IMPACT[incident.severity],
    status: incident.status === 'open' ? 'investigating' : 'resolved',
    since: incident.declaredAt,
    ...(incident.resolvedAt === undefined ? {} : { resolvedAt: incident.resolvedAt }),
    latest,
    updates: [...updates].reverse(),
    ...(incident.status === 'open' && incident.nextUpdateAt !== undefined ? { nextUpdateAt: incident.nextUpdateAt } : {}),
    ...(options.names ? { lead: options.names(incident.lead) } : {}),
  };
};

const WINDOW_STATUS: Readonly<Record<Window['status'], PublicWindow['status']>> = {
  scheduled: 'upcoming',
  running: 'in_progress',
  overrunning: 'in_progress',
  completed: 'completed',
  cancelled: 'cancelled',
};

const publicWindow = (window: Window, options: StatusOptions): PublicWindow => ({
  id: window.id,
  title: publicText(window.title, options.names),
  ...(window.impact === undefined ? {} : { impact: publicText(window.impact, options.names) }),
  services: window.services,
  status: WINDOW_STATUS[window.status],
  start: window.start,
  end: window.end,
  updatedAt: lastModified(window),
});

/**
 * @example statusModel(incidents, windows, { now, title: 'Acme status' }).overall // 'incident'
 */
export const statusModel = (incidents: readonly Incident[], windows: readonly Window[], options: StatusOptions): StatusModel => {
  const historyDays = options.historyDays ?? 14;
  const since = options.now.getTime() - historyDays * DAY_MS;
  const recent = (at: string | undefined): boolean => at !== undefined && Date.parse(at) >= since;
  const open = incidents.filter(isOpen).map((incident) => publicIncident(incident, options));
  const shown = (window: Window): PublicWindow => publicWindow(window, options);
  const current = windows.filter(isOpenWindow).map(shown);
  const newestFirst = <T extends { readonly start?: string; readonly since?: string }>(a: T, b: T): number => (b.start ?? b.since ?? '').localeCompare(a.start ?? a.since ?? '');
  return {
    title: options.title,
    historyDays,
    generatedAt: options.now.toISOString(),
    overall: open.length > 0 ? 'incident' : current.some((window) => window.status === 'in_progress') ? 'maintenance' : 'operational',
    incidents: open.sort(newestFirst),
    maintenance: current.sort((a, b) => a.start.localeCompare(b.start)),
    history: {
      incidents: incidents.filter((incident) => incident.status === 'resolved' && recent(incident.resolvedAt)).map((incident) => publicIncident(incident, options)).sort(newestFirst),
      maintenance: windows.filter((window) => (window.status === 'completed' || window.status === 'cancelled') && recent(window.endedAt ?? window.end)).map(shown).sort(newestFirst),
    },
  };
};

// ---- the three forms ----

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const WINDOW_WORDS: Readonly<Record<PublicWindow['status'], string>> = { upcoming: 'Scheduled', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled' };

/** JSON for machines: the model as it is. */
export const statusJson = (model: StatusModel): string => JSON.stringify(model, null, 2);

/** Atom: an entry per incident and per maintenance window, updated when its latest public news is. */
export const statusAtom = (model: StatusModel, baseUrl: string): string => {
  const incidents = [...model.incidents, ...model.history.incidents].map((incident) => ({
    id: `${baseUrl}/status#${incident.id}`,
    title: `${incident.impact}${incident.status === 'resolved' ? ' (resolved)' : ''}`,
    updated: incident.latest.at,
    text: incident.latest.text,
  }));
  const windows = [...model.maintenance, ...model.history.maintenance].map((window) => ({
    id: `${baseUrl}/status#${window.id}`,
    title: `Maintenance: ${window.title}`,
    updated: window.updatedAt,
    text: `${WINDOW_WORDS[window.status]}: ${window.start} to ${window.end}${window.impact ? `. ${window.impact}` : ''}`,
  }));
  const entries = [...incidents, ...windows].sort((a, b) => b.updated.localeCompare(a.updated));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <title>${escapeXml(model.title)}</title>`,
    `  <author><name>${escapeXml(model.title)}</name></author>`,
    `  <id>${escapeXml(`${baseUrl}/status`)}</id>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(`${baseUrl}/status`)}"/>`,
    `  <link rel="self" href="${escapeXml(`${baseUrl}/status/feed.atom`)}"/>`,
    `  <updated>${entries[0]?.updated ?? model.generatedAt}</updated>`,
    ...entries.map((entry) =>
      [
        '  <entry>',
        `    <id>${escapeXml(entry.id)}</id>`,
        `    <title>${escapeXml(entry.title)}</title>`,
        `    <updated>${entry.updated}</updated>`,
        `    <content type="text">${escapeXml(entry.text)}</content>`,
        '  </entry>',
      ].join('\n'),
    ),
    '</feed>',
    '',
  ].join('\n');
};

const time = (iso: string): string => `<time datetime="${escapeXml(iso)}">${escapeXml(iso.replace('T', ' ').slice(0, 16))} UTC</time>`;

const incidentHtml = (incident: PublicIncident): string =>
  [
    `<article id="${escapeXml(incident.id)}" class="incident ${incident.status}" aria-labelledby="${escapeXml(incident.id)}-h">`,
    `<h3 id="${escapeXml(incident.id)}-h">${escapeXml(incident.impact)}${incident.status === 'resolved' ? ' (resolved)' : ''}</h3>`,
    `<p>${escapeXml(incident.latest.text)}</p>`,
    `<p class="meta">Posted ${time(incident.latest.at)}. Since ${time(incident.since)}${incident.resolvedAt ? `, resolved ${time(incident.resolvedAt)}` : ''}${incident.lead ? `. Led by ${escapeXml(incident.lead)}` : ''}.`,
    `${incident.nextUpdateAt ? ` Next update by ${time(incident.nextUpdateAt)}.` : ''}</p>`,
    ...(incident.updates.length > 1
      ? [`<details id="${escapeXml(incident.id)}-earlier"><summary>Earlier updates</summary><ol>`, ...incident.updates.slice(1).map((update) => `<li>${time(update.at)}: ${escapeXml(update.text)}</li>`), '</ol></details>']
      : []),
    '</article>',
  ].join('\n');

/** Text people wrote, ending as a sentence does. */
const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

const windowHtml = (window: PublicWindow): string =>
  [
    `<article id="${escapeXml(window.id)}" class="maintenance ${window.status}" aria-labelledby="${escapeXml(window.id)}-h">`,
    `<h3 id="${escapeXml(window.id)}-h">${escapeXml(window.title)}</h3>`,
    `<p>${WINDOW_WORDS[window.status]}: ${time(window.start)} to ${time(window.end)}.${window.impact ? ` ${escapeXml(sentence(window.impact))}` : ''}</p>`,
    ...(window.services.length > 0 ? [`<p class="meta">Affects ${escapeXml(window.services.join(', '))}.</p>`] : []),
    '</article>',
  ].join('\n');

const OVERALL: Readonly<Record<StatusModel['overall'], string>> = {
  operational: 'All systems operational.',
  incident: 'We are working on an issue.',
  maintenance: 'Maintenance in progress.',
};

/** How often an open page fetches itself again. */
export const REFRESH_SECONDS = 60;

/**
 * Colours chosen for at least 4.5:1 contrast (WCAG AA) of every text on its background; the browser test measures
 * them. Focus is always visible.
 */
const STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}',
  '.banner{padding:.75rem 1rem;border-radius:.25rem;font-weight:600}.banner.operational{background:#e6f4ea;color:#0b3d1a}',
  '.banner.incident{background:#fce8e6;color:#5c0b07}.banner.maintenance{background:#e8f0fe;color:#0b2a5c}',
  'article.incident{border-left:.25rem solid #b3261e;padding-left:.75rem}article.maintenance{border-left:.25rem solid #1a56a8;padding-left:.75rem}',
  'article.resolved,article.completed,article.cancelled{border-left-color:#5f6368}',
  '.meta{color:#3c4043}a{color:#0b57d0}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}summary{cursor:pointer}',
].join('');

/**
 * Keeps an open page current without reloading it (a reload loses the reader's place and open details): every
 * REFRESH_SECONDS it fetches the page and swaps in the parts that changed, except one holding the keyboard focus;
 * the banner is a live region, so a change of overall state is announced. It also shows every `<time>` in the
 * reader's own zone. The page works without it (times in UTC, a plain refresh).
 */
const SCRIPT = [
  'const show=(root)=>{for(const t of root.querySelectorAll("time[datetime]")){const d=new Date(t.dateTime);if(!isNaN(d))t.textContent=d.toLocaleString([],{dateStyle:"medium",timeStyle:"short"})}};',
  'show(document);',
  'setInterval(async()=>{try{const r=await fetch(location.pathname,{cache:"no-store"});if(!r.ok)return;',
  'const next=new DOMParser().parseFromString(await r.text(),"text/html");',
  'const a=document.getElementById("overall"),b=next.getElementById("overall");if(a&&b&&a.textContent!==b.textContent){a.className=b.className;a.textContent=b.textContent}',
  'for(const id of ["current","maintenance","history","updated"]){const old=document.getElementById(id),fresh=next.getElementById(id);',
  'if(!old||!fresh||old.contains(document.activeElement))continue;',
  'for(const d of old.querySelectorAll("details[open]")){const same=fresh.querySelector("#"+CSS.escape(d.id));if(same)same.open=true}',
  'show(fresh);old.replaceWith(fresh)}',
  // A count of completed rounds, for whoever watches the page (the browser test does).
  'document.body.dataset.refreshes=String((Number(document.body.dataset.refreshes)||0)+1)}catch{}},' + `${REFRESH_SECONDS * 1000});`,
].join('');

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's Content-Security-Policy: its own style and script only, fetches to itself, nothing framed or loaded. */
export const STATUS_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface StatusLinks {
  readonly atom: string;
  readonly json: string;
  readonly calendar?: string;
}

/**
 * The page itself: semantic HTML with no framework, and no request but for itself; see SCRIPT for what the few
 * lines of script add.
 */
export const statusHtml = (model: StatusModel, links: StatusLinks): string => {
  const section = (id: string, heading: string, items: readonly string[], empty: string): string =>
    `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${heading}</h2>${items.length > 0 ? items.join('\n') : `<p>${empty}</p>`}</section>`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<noscript><meta http-equiv="refresh" content="${REFRESH_SECONDS}"></noscript>`,
    `<title>${escapeXml(model.title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<link rel="alternate" type="application/atom+xml" title="${escapeXml(model.title)}" href="${escapeXml(links.atom)}">`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><h1>${escapeXml(model.title)}</h1><p id="overall" class="banner ${model.overall}" role="status">${OVERALL[model.overall]}</p></header>`,
    '<main>',
    section('current', 'Current incidents', model.incidents.map(incidentHtml), 'No current incidents.'),
    section('maintenance', 'Maintenance', model.maintenance.map(windowHtml), 'No maintenance scheduled.'),
    section('history', `Past ${model.historyDays} days`, [...model.history.incidents.map(incidentHtml), ...model.history.maintenance.map(windowHtml)], 'Nothing to report.'),
    '</main>',
    `<footer id="updated"><p>Updated ${time(model.generatedAt)}. Follow: <a href="${escapeXml(links.atom)}">Atom feed</a>, <a href="${escapeXml(links.json)}">JSON</a>${links.calendar ? `, <a href="${escapeXml(links.calendar)}">maintenance calendar</a>` : ''}.</p></footer>`,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
};

// ---- serving ----

/** Where each form is served; the calendar is the public variant of the maintenance feed (no token, nothing internal). */
export const STATUS_PATHS = { html: '/status', atom: '/status/feed.atom', json: '/status.json', calendar: '/status/calendar.ics' } as const;

export type StatusDocument = keyof typeof STATUS_PATHS;

export const STATUS_TYPES: Readonly<Record<StatusDocument, string>> = {
  html: 'text/html; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  calendar: 'text/calendar; charset=utf-8',
};

export interface StatusSource {
  incidents(): Promise<readonly Incident[]>;
  windows(): Promise<readonly Window[]>;
}

export interface StatusSettings {
  readonly title: string;
  readonly historyDays: number;
  /** The team's zone, for the calendar's descriptions. */
  readonly zone: string;
  readonly names?: (principal: string) => string;
}

/**
 * Renders one form of the status page from the current incidents and windows.
 * @example await statusDocuments(source, settings)('html', { now: new Date(), baseUrl: 'https://status.example.com' })
 */
export const statusDocuments =
  (source: StatusSource, settings: StatusSettings) =>
  async (document: StatusDocument, at: { readonly now: Date; readonly baseUrl: string }): Promise<string> => {
    const windows = await source.windows();
    if (document === 'calendar') return windowsCalendar(windows, { name: `${settings.title}: maintenance`, now: at.now, zone: settings.zone, audience: 'public' });
    const model = statusModel(await source.incidents(), windows, {
      now: at.now,
      title: settings.title,
      historyDays: settings.historyDays,
      ...(settings.names ? { names: settings.names } : {}),
    });
    if (document === 'json') return statusJson(model);
    if (document === 'atom') return statusAtom(model, at.baseUrl);
    return statusHtml(model, { atom: STATUS_PATHS.atom, json: STATUS_PATHS.json, calendar: STATUS_PATHS.calendar });
  };
