/** `planb serve` with Slack, in this process, on the tests' Redis under a prefix of its own and a fake Web API. */
import { resolve } from 'node:path';
import type { FakeSlack } from './fake-slack.js';
import { redisUrl } from './redis.js';
import { SIGNING_SECRET } from './slack-requests.js';
import type { RunningServer } from './test-server.js';
import { startTestServer } from './test-server.js';

export type RunningSlackServer = RunningServer;

/** `env` adds the Slack variables (tokens, secret) and may override the rest. */
export const startSlackServer = (slack: FakeSlack, env: Readonly<Record<string, string>>): Promise<RunningSlackServer> =>
  startTestServer('slack', 'test/fixtures/slack/planb.yaml', { SLACK_API_URL: slack.apiUrl, ...env });

/** The environment of a `planb serve` child process with Slack on the fake Web API and the tests' Redis under `prefix`. */
export const slackProcessEnv = (slack: FakeSlack, options: { readonly token: string; readonly prefix: string; readonly port: number; readonly logLevel: string }): Record<string, string> => ({
  PATH: process.env['PATH'] ?? '',
  SLACK_BOT_TOKEN: options.token,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.apiUrl,
  REDIS_URL: redisUrl(),
  PLANB_REDIS_PREFIX: options.prefix,
  PLANB_CONFIG: resolve('test/fixtures/slack/planb.yaml'),
  PORT: String(options.port),
  LOG_LEVEL: options.logLevel,
});
