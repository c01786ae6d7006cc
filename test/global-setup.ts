/** Builds dist/ once, so end-to-end tests run the real `planb` bin as users do; starts the tests' own redis-server. */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import type { RedisServer } from './support/redis-server.js';
import { startRedisServer } from './support/redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A Redis the tests may write to under their own key prefixes. */
    redisUrl: string;
  }
}

let server: RedisServer | undefined;

export const setup = async (project: TestProject): Promise<void> => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const given = process.env['REDIS_URL'];
  if (given) {
    project.provide('redisUrl', given);
    return;
  }
  server = await startRedisServer();
  project.provide('redisUrl', server.url);
};

export const teardown = async (): Promise<void> => {
  await server?.stop();
};
