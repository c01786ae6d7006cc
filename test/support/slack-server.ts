/** `planb serve` with Slack, in this process, on the tests' Redis under a prefix of its own and a fake Web API. */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import type { FakeSlack } from './fake-slack.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from './redis.js';
import { freePort } from './redis-server.js';

export interface RunningSlackServer {
  /** Where to send requests: `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Stops the server and deletes its Redis keys. */
  readonly stop: () => Promise<void>;
}

/** `env` adds the Slack variables (tokens, secret) and may override the rest. */
export const startSlackServer = async (slack: FakeSlack, env: Readonly<Record<string, string>>): Promise<RunningSlackServer> => {
  const prefix = uniquePrefix('slack');
  const config = await loadConfig({
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: redisUrl(),
    PLANB_REDIS_PREFIX: prefix,
    PLANB_CONFIG: resolve('test/fixtures/slack/planb.yaml'),
    PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer(config);
  return {
    base: server.url.replace('0.0.0.0', '127.0.0.1'),
    stop: async () => {
      await server.stop();
      const redis = connect();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
};
