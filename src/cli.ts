#!/usr/bin/env node
/** The `planb` command: console (the default without a chat platform), serve, runbook lint|schema. */
import { runRunbookCommand } from './cli/runbook-command.js';
import { ConfigError, loadConfig } from './config.js';
import { startConsole } from './main.js';

const USAGE = [
  'Usage: planb [command]',
  '  console                      the terminal chat on the embedded store (default without a chat platform)',
  '  serve                        the HTTP server for Slack and Teams (default with a chat platform configured)',
  '  runbook lint <file|dir>...   check runbooks; exits non-zero on any error',
  '  runbook schema               print the runbook JSON Schema for editors',
].join('\n');

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const main = async (args: readonly string[]): Promise<number> => {
  const [command, ...rest] = args;
  if (command === 'runbook') return runRunbookCommand(rest, { out, err });
  if (command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (command !== undefined && command !== 'console' && command !== 'serve') {
    err(`Unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  const config = await loadConfig();
  const mode = command ?? (config.platforms.length > 0 ? 'serve' : 'console');
  if (mode === 'serve') {
    err(
      config.platforms.length === 0
        ? 'planb serve needs a chat platform: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.'
        : `This version runs only the console; ${config.platforms.join(' and ')} support is not built yet. Unset the platform variables to use the console.`,
    );
    return 1;
  }
  if (config.store === 'redis') {
    err('REDIS_URL is set, but this version runs only the embedded store. Unset REDIS_URL (or set PLANB_STORE=memory) to use the console.');
    return 1;
  }
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
    if (error instanceof ConfigError) err(error.message);
    else err(`planb failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
