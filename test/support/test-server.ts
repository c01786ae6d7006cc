/** `planb serve` in this process, on the tests' Redis under a prefix of its own; `env` picks the platform and config. */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { connect, dropPrefix, redisUrl, uniquePrefix } from './redis.js';
import { freePort } from './redis-server.js';

export interface RunningServer {
  /** Where to send requests: `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Stops the server and deletes its Redis keys. */
  readonly stop: () => Promise<void>;
}

/** `name` names the Redis prefix; `config` is the planb.yaml under test/fixtures; `env` may override the rest. */
export const startTestServer = async (name: string, config: string, env: Readonly<Record<string, string>>): Promise<RunningServer> => {
  const prefix = uniquePrefix(name);
  const server = await startServer(
    await loadConfig({
      REDIS_URL: redisUrl(),
      PLANB_REDIS_PREFIX: prefix,
      PLANB_CONFIG: resolve(config),
      PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
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
