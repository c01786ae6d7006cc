/**
 * `planb manifest slack [--url <public https url>] [--socket-mode]`: the app manifest to paste into Slack.
 * `planb manifest teams [--app-id <guid>] [--out <file.zip>]`: the app package to upload in Teams.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ManifestUrlError, manifestYaml, PLACEHOLDER_URL } from '../adapters/slack/manifest.js';
import type { SlackManifestOptions } from '../adapters/slack/manifest.js';
import { PLACEHOLDER_APP_ID, TeamsAppIdError, teamsPackage } from '../adapters/teams/manifest.js';
import { ConfigError, loadConfig } from '../config.js';
import type { CliIo } from './runbook-command.js';

const USAGE = [
  'Usage: planb manifest slack [--url <public https url>] [--socket-mode]   print the Slack app manifest (YAML)',
  '       planb manifest teams [--app-id <guid>] [--out <file.zip>]        write the Teams app package (default planb-teams.zip;',
  '                                                                        the app id defaults to MICROSOFT_APP_ID)',
].join('\n');

/** The package's file name when --out is not given, in the current directory. */
export const DEFAULT_TEAMS_PACKAGE = 'planb-teams.zip';

export interface ManifestDeps {
  /** MICROSOFT_APP_ID as the configuration holds it; throws ConfigError when the configuration is not valid. */
  readonly configuredAppId: () => Promise<string | undefined>;
}

// config.ts is the only reader of the environment, so the app id comes with the whole, validated configuration.
const DEFAULT_DEPS: ManifestDeps = { configuredAppId: async () => (await loadConfig()).teams?.appId };

type Parsed<T> = { readonly options: T } | { readonly problem: string };

/** `--name value` or `--name=value`; undefined when `arg` is another option. */
const optionValue = (args: readonly string[], i: number, name: string): { value: string | undefined; next: number } | undefined => {
  const arg = args[i] ?? '';
  if (arg === name) return { value: args[i + 1], next: i + 1 };
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), next: i };
  return undefined;
};

const missing = (value: string | undefined): value is undefined => value === undefined || value === '' || value.startsWith('--');

const parseSlackArgs = (args: readonly string[]): Parsed<SlackManifestOptions> => {
  let url: string | undefined;
  let socketMode = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const given = optionValue(args, i, '--url');
    if (arg === '--socket-mode') socketMode = true;
    else if (given) {
      if (missing(given.value)) return { problem: '--url needs a value: the public https URL of planb serve' };
      url = given.value;
      i = given.next;
    } else return { problem: `Unknown option "${arg}".` };
  }
  return { options: { ...(url === undefined ? {} : { url }), socketMode } };
};

interface TeamsArgs {
  readonly appId?: string;
  readonly out: string;
}

const parseTeamsArgs = (args: readonly string[]): Parsed<TeamsArgs> => {
  let appId: string | undefined;
  let out = DEFAULT_TEAMS_PACKAGE;
  for (let i = 0; i < args.length; i += 1) {
    const id = optionValue(args, i, '--app-id');
    const file = optionValue(args, i, '--out');
    if (id) {
      if (missing(id.value)) return { problem: "--app-id needs a value: the bot's Microsoft App ID (a GUID)" };
      appId = id.value;
      i = id.next;
    } else if (file) {
      if (missing(file.value)) return { problem: '--out needs a value: the zip file to write' };
      out = file.value;
      i = file.next;
    } else return { problem: `Unknown option "${args[i] ?? ''}".` };
  }
  return { options: { ...(appId === undefined ? {} : { appId }), out } };
};

const slackCommand = (args: readonly string[], io: CliIo): number => {
  const parsed = parseSlackArgs(args);
  if ('problem' in parsed) {
    io.err(`${parsed.problem}\n${USAGE}`);
    return 2;
  }
  let yaml: string;
  try {
    yaml = manifestYaml(parsed.options);
  } catch (error) {
    if (!(error instanceof ManifestUrlError)) throw error;
    io.err(error.message);
    return 2;
  }
  io.out(yaml.trimEnd());
  // The placeholder manifest is valid, so Slack would accept it and then send every command nowhere.
  if (parsed.options.url === undefined && parsed.options.socketMode !== true) {
    io.err(`Note: this manifest points Slack at the placeholder ${PLACEHOLDER_URL}; pass --url <public https url> (or --socket-mode).`);
  }
  return 0;
};

/** The app id from --app-id, else from the configuration, with where it came from for the messages. */
const teamsAppId = async (given: string | undefined, io: CliIo, deps: ManifestDeps): Promise<{ appId: string; source: string } | number> => {
  if (given !== undefined) return { appId: given, source: '--app-id' };
  let configured: string | undefined;
  try {
    configured = await deps.configuredAppId();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${error.message}\nMICROSOFT_APP_ID is read together with the rest of the configuration, which has the problems above; or pass --app-id <guid>.`);
    return 1;
  }
  if (configured === undefined) {
    io.err(`No app id: pass --app-id <guid> or set MICROSOFT_APP_ID (the bot's Microsoft App ID, from its Azure Bot resource or the Teams Developer Portal).\n${USAGE}`);
    return 2;
  }
  return { appId: configured, source: 'MICROSOFT_APP_ID' };
};

const teamsCommand = async (args: readonly string[], io: CliIo, deps: ManifestDeps): Promise<number> => {
  const parsed = parseTeamsArgs(args);
  if ('problem' in parsed) {
    io.err(`${parsed.problem}\n${USAGE}`);
    return 2;
  }
  const id = await teamsAppId(parsed.options.appId, io, deps);
  if (typeof id === 'number') return id;
  const { appId, source } = id;
  // Valid to the schema, so Teams would take the package, but no bot has this id: nothing would ever answer.
  if (appId === PLACEHOLDER_APP_ID) {
    io.err(`${source}: ${PLACEHOLDER_APP_ID} is the placeholder of manifests/teams/manifest.json, not a bot: pass the bot's Microsoft App ID.`);
    return 2;
  }
  let zip: Buffer;
  try {
    zip = teamsPackage(appId);
  } catch (error) {
    if (!(error instanceof TeamsAppIdError)) throw error;
    io.err(`${source}: ${error.message}`);
    return 2;
  }
  const file = resolve(parsed.options.out);
  try {
    await writeFile(file, zip);
  } catch (error) {
    io.err(`Cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  io.out(`Wrote ${file}: the Teams app package for app id ${appId}.`);
  io.out('Upload it in Teams: Apps → Manage your apps → Upload an app → Upload a custom app.');
  return 0;
};

/**
 * Returns the exit code: 0 done; 1 the configuration is broken or the package cannot be written; 2 usage, a URL
 * Slack cannot use or an app id that is not a bot's.
 */
export const runManifestCommand = async (args: readonly string[], io: CliIo, deps: ManifestDeps = DEFAULT_DEPS): Promise<number> => {
  const [platform, ...rest] = args;
  if (platform === 'slack') return slackCommand(rest, io);
  if (platform === 'teams') return teamsCommand(rest, io, deps);
  io.err(USAGE);
  return 2;
};
