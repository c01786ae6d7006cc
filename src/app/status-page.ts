/**
 * The public status page's content (issue 11, first part): what people outside the chat may read about incidents and
 * maintenance, and its HTML, Atom and JSON forms. Pure: incidents and windows in, text out.
 *
 * What an incident says in public comes ONLY from the stakeholder updates people wrote (`auto: false`): titles,
 * decisions, releases, steps and automatic updates are built from internal state, so none of them is shown; while
 * nobody has written one, a neutral sentence stands in. People's names appear only when `names` is configured.
 */
import type { Incident } from '../domain/incident/state.js';
import { isOpen } from '../domain/incident/state.js';
import type { Severity } from '../domain/incident/events.js';
import type { Window } from '../domain/window/state.js';
import { isOpenWindow } from '../domain/window/state.js';

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
}

export interface StatusModel {
  readonly title: string;
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

const publicIncident = (incident: Incident, options: StatusOptions): PublicIncident => {
  const updates = incident.updates.filter((update) => !update.auto).map((update) => ({ at: update.at, text: update.text }));
  const latest = updates.at(-1) ?? { at: incident.declaredAt, text: incident.status === 'resolved' ? 'This issue has been resolved.' : NEUTRAL };
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

const publicWindow = (window: Window): PublicWindow => ({
  id: window.id,
  title: window.title,
  ...(window.impact === undefined ? {} : { impact: window.impact }),
  services: window.services,
  status: WINDOW_STATUS[window.status],
  start: window.start,
  end: window.end,
});

/**
 * @example statusModel(incidents, windows, { now, title: 'Acme status' }).overall // 'incident'
 */
export const statusModel = (incidents: readonly Incident[], windows: readonly Window[], options: StatusOptions): StatusModel => {
  const since = options.now.getTime() - (options.historyDays ?? 14) * DAY_MS;
  const recent = (at: string | undefined): boolean => at !== undefined && Date.parse(at) >= since;
  const open = incidents.filter(isOpen).map((incident) => publicIncident(incident, options));
  const current = windows.filter(isOpenWindow).map(publicWindow);
  const newestFirst = <T extends { readonly start?: string; readonly since?: string }>(a: T, b: T): number => (b.start ?? b.since ?? '').localeCompare(a.start ?? a.since ?? '');
  return {
    title: options.title,
    generatedAt: options.now.toISOString(),
    overall: open.length > 0 ? 'incident' : current.some((window) => window.status === 'in_progress') ? 'maintenance' : 'operational',
    incidents: open.sort(newestFirst),
    maintenance: current.sort((a, b) => a.start.localeCompare(b.start)),
    history: {
      incidents: incidents.filter((incident) => incident.status === 'resolved' && recent(incident.resolvedAt)).map((incident) => publicIncident(incident, options)).sort(newestFirst),
      maintenance: windows.filter((window) => (window.status === 'completed' || window.status === 'cancelled') && recent(window.endedAt ?? window.end)).map(publicWindow).sort(newestFirst),
    },
  };
};

// ---- the three forms ----

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON for machines: the model as it is. */
export const statusJson = (model: StatusModel): string => JSON.stringify(model, null, 2);

/** Atom: an entry per incident and per maintenance window, updated when its latest public news is. */
export const statusAtom = (model: StatusModel, baseUrl: string): string => {
  const incidents = [...model.incidents, ...model.history.incidents].map((incident) => ({
    id: `${baseUrl}/status#${incident.id}`,
    title: `${incident.impact}${incident.status === 'resolved' ? ' (resolved)' : ''}`,
    updated: incident.resolvedAt ?? incident.latest.at,
    text: incident.latest.text,
  }));
  const windows = [...model.maintenance, ...model.history.maintenance].map((window) => ({
    id: `${baseUrl}/status#${window.id}`,
    title: `Maintenance: ${window.title}`,
    updated: window.start,
    text: `${window.status.replace('_', ' ')}: ${window.start} to ${window.end}${window.impact ? `. ${window.impact}` : ''}`,
  }));
  const entries = [...incidents, ...windows].sort((a, b) => b.updated.localeCompare(a.updated));
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <title>${escapeXml(model.title)}</title>`,
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
    `<article id="${escapeXml(incident.id)}" class="incident ${incident.status}">`,
    `<h3>${escapeXml(incident.impact)}${incident.status === 'resolved' ? ' (resolved)' : ''}</h3>`,
    `<p>${escapeXml(incident.latest.text)}</p>`,
    `<p class="meta">Posted ${time(incident.latest.at)}. Since ${time(incident.since)}${incident.resolvedAt ? `, resolved ${time(incident.resolvedAt)}` : ''}${incident.lead ? `. Led by ${escapeXml(incident.lead)}` : ''}.`,
    `${incident.nextUpdateAt ? ` Next update by ${time(incident.nextUpdateAt)}.` : ''}</p>`,
    ...(incident.updates.length > 1 ? ['<details><summary>Earlier updates</summary><ol>', ...incident.updates.slice(1).map((update) => `<li>${time(update.at)}: ${escapeXml(update.text)}</li>`), '</ol></details>'] : []),
    '</article>',
  ].join('\n');

const windowHtml = (window: PublicWindow): string =>
  [
    `<article id="${escapeXml(window.id)}" class="maintenance ${window.status}">`,
    `<h3>${escapeXml(window.title)}</h3>`,
    `<p>${escapeXml(window.status.replace('_', ' '))}: ${time(window.start)} to ${time(window.end)}.${window.impact ? ` ${escapeXml(window.impact)}` : ''}</p>`,
    ...(window.services.length > 0 ? [`<p class="meta">Affects ${escapeXml(window.services.join(', '))}.</p>`] : []),
    '</article>',
  ].join('\n');

const OVERALL: Readonly<Record<StatusModel['overall'], string>> = {
  operational: 'All systems operational.',
  incident: 'We are working on an issue.',
  maintenance: 'Maintenance in progress.',
};

/**
 * The page itself: semantic HTML with no framework; it refreshes every minute, and a few lines of script (the page
 * works without them) show every time in the reader's own zone.
 */
export const statusHtml = (model: StatusModel, links: { readonly atom: string; readonly json: string; readonly calendar?: string }): string => {
  const section = (heading: string, items: readonly string[], empty: string): string =>
    `<section><h2>${heading}</h2>${items.length > 0 ? items.join('\n') : `<p>${empty}</p>`}</section>`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta http-equiv="refresh" content="60">',
    `<title>${escapeXml(model.title)}</title>`,
    `<link rel="alternate" type="application/atom+xml" href="${escapeXml(links.atom)}">`,
    '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}',
    '.banner{padding:.75rem 1rem;border-radius:.25rem;font-weight:600}.operational{background:#e6f4ea;color:#0b3d1a}',
    '.incident{border-left:.25rem solid #b3261e;padding-left:.75rem}.maintenance{border-left:.25rem solid #1a56a8;padding-left:.75rem}',
    '.banner.incident{background:#fce8e6;color:#5c0b07}.banner.maintenance{background:#e8f0fe;color:#0b2a5c}.meta{color:#444}a{color:#0b57d0}</style>',
    '</head>',
    '<body>',
    `<header><h1>${escapeXml(model.title)}</h1><p class="banner ${model.overall}" role="status">${OVERALL[model.overall]}</p></header>`,
    '<main>',
    section('Current incidents', model.incidents.map(incidentHtml), 'No current incidents.'),
    section('Maintenance', model.maintenance.map(windowHtml), 'No maintenance scheduled.'),
    section('Past 14 days', [...model.history.incidents.map(incidentHtml), ...model.history.maintenance.map(windowHtml)], 'Nothing to report.'),
    '</main>',
    `<footer><p>Updated ${time(model.generatedAt)}. Follow: <a href="${escapeXml(links.atom)}">Atom feed</a>, <a href="${escapeXml(links.json)}">JSON</a>${links.calendar ? `, <a href="${escapeXml(links.calendar)}">maintenance calendar</a>` : ''}.</p></footer>`,
    '<script>for(const t of document.querySelectorAll("time[datetime]")){const d=new Date(t.dateTime);if(!isNaN(d))t.textContent=d.toLocaleString([],{dateStyle:"medium",timeStyle:"short"})}</script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
};
