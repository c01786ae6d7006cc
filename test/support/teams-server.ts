/** `planb serve` with Teams (emulator mode: no authentication), in this process, on the tests' Redis under a prefix of its own. */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from './redis.js';
import { freePort } from './redis-server.js';

export interface RunningTeamsServer {
  readonly base: string;
  readonly stop: () => Promise<void>;
}

export const startTeamsServer = async (env: Readonly<Record<string, string>>): Promise<RunningTeamsServer> => {
  const prefix = uniquePrefix('teams');
  const config = await loadConfig({
    PLANB_TEAMS_EMULATOR: 'true',
    REDIS_URL: redisUrl(),
    PLANB_REDIS_PREFIX: prefix,
    PLANB_CONFIG: resolve('test/fixtures/teams/planb.yaml'),
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
