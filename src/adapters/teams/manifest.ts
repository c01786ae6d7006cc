/** The Teams app manifest (schema v1.25) and the app package Teams uploads: manifest.json and the two icons, zipped. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip } from './zip.js';

/** What manifests/teams/manifest.json holds for the app and bot id: a GUID, as the schema wants, that no bot has. */
export const PLACEHOLDER_APP_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The app's own version (semver). The manifest schema asks for a higher one whenever anything in the package
 * changes (commands, texts, icons): that is how Teams and admins tell an update from the app they have.
 */
export const TEAMS_APP_VERSION = '1.0.1';

/** The package root, whether this runs from src/adapters/teams (tests) or dist/adapters/teams (the bin). */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where the icons live; manifests/teams/manifest.json beside them is teamsManifest(PLACEHOLDER_APP_ID). */
export const TEAMS_MANIFEST_DIR = join(PACKAGE_ROOT, 'manifests', 'teams');

/**
 * The bot's command menu: what follows the mention, in the shared grammar. Teams inserts the title after
 * `@Plan B` when someone picks a command; the description is the hint beside it.
 */
export const TEAMS_COMMANDS = [
  { title: 'release', description: 'Run a release step by step, each step confirmed by a second person: start <runbook> version=1.2.3 confirmer=@name | status | list | help' },
  { title: 'incident', description: 'Declare an incident, decide fix or roll back, update stakeholders: declare <title> | update <text> | note <text> | decide rollback|extend|fixed | help' },
  { title: 'maintenance', description: 'Announce and track maintenance windows: schedule <title> at <time> for <duration> | list | help' },
] as const;

/** The manifest's `developer`: who publishes the app. Teams requires all four; the URLs must be https. */
export interface TeamsDeveloper {
  readonly name: string;
  readonly websiteUrl: string;
  readonly privacyUrl: string;
  readonly termsOfUseUrl: string;
}

export interface TeamsManifestOptions {
  /** The app's and bot's name in Teams, and so what people @mention (at most 30 characters). Default `Plan B`. */
  readonly name?: string;
  readonly developer?: TeamsDeveloper;
}

/** Shown in the app's details; a custom (uploaded) app never goes through store review, so a placeholder will do. */
export const DEFAULT_DEVELOPER: TeamsDeveloper = {
  name: 'Plan B',
  websiteUrl: 'https://planb.example.com',
  privacyUrl: 'https://planb.example.com/privacy',
  termsOfUseUrl: 'https://planb.example.com/terms',
};

const GUID = /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** The schema's pattern for `id` and `botId`: Entra application (client) ids have this shape. */
export const isGuid = (text: string): boolean => GUID.test(text);

/** The app id given cannot be a Teams app's or bot's id. */
export class TeamsAppIdError extends Error {
  override readonly name = 'TeamsAppIdError';
}

/**
 * The v1.25 manifest of a bot-only app whose app id is the bot's Microsoft App ID, as MICROSOFT_APP_ID holds it.
 * Throws TeamsAppIdError when the id is not a GUID.
 *
 * @example teamsManifest('3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f') // bots[0].botId === id === that GUID
 */
export const teamsManifest = (appId: string, options: TeamsManifestOptions = {}): Record<string, unknown> => {
  if (!isGuid(appId)) {
    throw new TeamsAppIdError(`"${appId}" is not a Microsoft App ID: it is a GUID such as 3c2f5e8a-0b1d-4c6e-9f7a-2d4b6c8e0a1f (the bot's Application (client) ID)`);
  }
  const name = options.name ?? 'Plan B';
  const scopes = ['team', 'personal', 'groupChat'];
  return {
    $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.25/MicrosoftTeams.schema.json',
    manifestVersion: '1.25',
    version: TEAMS_APP_VERSION,
    id: appId,
    developer: { ...(options.developer ?? DEFAULT_DEVELOPER) },
    name: { short: name, full: `${name}: calm production changes` },
    description: {
      short: 'Production changes, two people per step, rollback decisions on a timer.',
      full:
        'Runs releases step by step from chat: every step is done by a driver and confirmed by a different, eligible person, ' +
        'and an irreversible step is a marked point of no return with its rollback cost. Incidents get a decision timer ' +
        '(fix or roll back?) and stakeholder updates on a cadence; maintenance windows are announced, with reminders. ' +
        `Mention @${name} followed by "release help", "incident help" or "maintenance help" to start.`,
    },
    icons: { color: 'color.png', outline: 'outline.png' },
    accentColor: '#1F3A5F',
    bots: [
      {
        botId: appId,
        scopes,
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: [{ scopes, commands: TEAMS_COMMANDS.map((command) => ({ ...command })) }],
      },
    ],
    // A bot-only app loads no web content: its messaging endpoint lives in the bot registration, not here.
    validDomains: [],
  };
};

/** The manifest as Teams reads it from the package (and as manifests/teams/manifest.json is written). */
export const manifestJson = (appId: string, options: TeamsManifestOptions = {}): string => `${JSON.stringify(teamsManifest(appId, options), null, 2)}\n`;

/**
 * The app package to upload in Teams: a zip with manifest.json, color.png and outline.png at its root (Teams
 * refuses them in a folder). The icons are read from manifests/teams/. The same inputs give the same bytes.
 */
export const teamsPackage = (appId: string, options: TeamsManifestOptions = {}): Buffer =>
  zip([
    { name: 'manifest.json', data: Buffer.from(manifestJson(appId, options), 'utf8') },
    { name: 'color.png', data: readFileSync(join(TEAMS_MANIFEST_DIR, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(TEAMS_MANIFEST_DIR, 'outline.png')) },
  ]);
