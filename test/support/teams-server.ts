/** `planb serve` with Teams (emulator mode unless `env` says otherwise), in this process, on the tests' Redis. */
import type { RunningServer } from './test-server.js';
import { startTestServer } from './test-server.js';

export const startTeamsServer = (env: Readonly<Record<string, string>>): Promise<RunningServer> =>
  startTestServer('teams', 'test/fixtures/teams/planb.yaml', { PLANB_TEAMS_EMULATOR: 'true', ...env });
