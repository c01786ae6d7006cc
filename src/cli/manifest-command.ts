/** `planb manifest slack [--url <public https url>] [--socket-mode]`: the app manifest to paste into Slack. */
import { ManifestUrlError, manifestYaml, PLACEHOLDER_URL } from '../adapters/slack/manifest.js';
import type { SlackManifestOptions } from '../adapters/slack/manifest.js';
import type { CliIo } from './runbook-command.js';

const USAGE = 'Usage: planb manifest slack [--url <public https url>] [--socket-mode]   print the Slack app manifest (YAML)\n       planb manifest teams                                           the Teams app manifest (not yet)';

type Parsed = { readonly options: SlackManifestOptions } | { readonly problem: string };

const parseSlackArgs = (args: readonly string[]): Parsed => {
  let url: string | undefined;
  let socketMode = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--socket-mode') socketMode = true;
    else if (arg === '--url' || arg.startsWith('--url=')) {
      const value = arg === '--url' ? args[(i += 1)] : arg.slice('--url='.length);
      if (value === undefined || value === '' || value.startsWith('--')) return { problem: '--url needs a value: the public https URL of planb serve' };
      url = value;
    } else return { problem: `Unknown option "${arg}".` };
  }
  return { options: { ...(url === undefined ? {} : { url }), socketMode } };
};

const manifestCommand = (args: readonly string[], io: CliIo): number => {
  const [platform, ...rest] = args;
  if (platform === 'teams') {
    io.err('The Teams manifest comes with the Teams adapter.');
    return 2;
  }
  if (platform !== 'slack') {
    io.err(USAGE);
    return 2;
  }
  const parsed = parseSlackArgs(rest);
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

/** Returns the exit code: 0 printed, 2 usage or a URL Slack cannot use. Async like the other subcommands, for the dispatcher. */
export const runManifestCommand = (args: readonly string[], io: CliIo): Promise<number> => Promise.resolve(manifestCommand(args, io));
