#!/usr/bin/env node
/** The `planb` command: console (the default without a chat platform), serve, runbook lint|schema, manifest slack|teams. */
import { runManifestCommand } from './cli/manifest-command.js';
import { runRunbookCommand } from './cli/runbook-command.js';
import { runWorkerCommand } from './cli/worker-command.js';
import type { Config } from './config.js';
import { ConfigError, loadConfig } from './config.js';
import { startConsole, startServer } from './main.js';
import { StartupError } from './adapters/redis/backbone.js';

const USAGE = [
  'Usage: planb [command]',
  '  console                      the terminal chat on the embedded store (default without a chat platform)',
  '  serve                        the HTTP server: health, JSON API, timers and deliveries (default with a chat platform configured)',
  '  worker --runner <name>       run the automated steps of runner <name> on this host (needs REDIS_URL)',
  '  runbook lint <file|dir>...   check runbooks; exits non-zero on any error',
  '  runbook schema               print the runbook JSON Schema for editors',
  '  manifest slack [--url <url>] [--socket-mode]   print the Slack app manifest (YAML)',
  '  manifest teams [--app-id <guid>] [--out <file.zip>]   write the Teams app package (default planb-teams.zip)',
].join('\n');

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const stopSignal = (): Promise<void> =>
  new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });

/** Runs until SIGTERM or SIGINT, then stops taking requests, finishes what is in flight and closes Redis. */
const serve = async (config: Config): Promise<number> => {
  const server = await startServer(config);
  await stopSignal();
  await server.stop();
  return 0;
};

const main = async (args: readonly string[]): Promise<number> => {
  const [command, ...rest] = args;
  if (command === 'runbook') return runRunbookCommand(rest, { out, err });
  if (command === 'manifest') return runManifestCommand(rest, { out, err });
  if (command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (command === 'worker') return runWorkerCommand(rest, await loadConfig(), { out, err }, stopSignal());
  if (command !== undefined && command !== 'console' && command !== 'serve') {
    err(`Unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  const config = await loadConfig();
  const mode = command ?? (config.platforms.length > 0 ? 'serve' : 'console');
  if (mode === 'console' && config.platforms.length > 0) {
    err('The console runs without a chat platform: unset the SLACK_* and MICROSOFT_APP_*/PLANB_TEAMS_EMULATOR variables, or run planb serve.');
    return 1;
  }
  if (mode === 'serve') return serve(config);
  await startConsole(config, {
    input: process.stdin,
    write: out,
    prompt: (text) => process.stdout.write(text),
    interactive: process.stdin.isTTY === true,
  });
  return 0;
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StartupError) err(error.message);
    else err(`planb failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
