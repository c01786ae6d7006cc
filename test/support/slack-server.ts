/** `planb serve` with Slack, in this process, on the tests' Redis under a prefix of its own and a fake Web API. */
import type { FakeSlack } from './fake-slack.js';
import type { RunningServer } from './test-server.js';
import { startTestServer } from './test-server.js';

export type RunningSlackServer = RunningServer;

/** `env` adds the Slack variables (tokens, secret) and may override the rest. */
export const startSlackServer = (slack: FakeSlack, env: Readonly<Record<string, string>>): Promise<RunningSlackServer> =>
  startTestServer('slack', 'test/fixtures/slack/planb.yaml', { SLACK_API_URL: slack.apiUrl, ...env });
