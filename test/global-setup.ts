/** Builds dist/ once, so end-to-end tests run the real `planb` bin as users do. */
import { execFileSync } from 'node:child_process';

export const setup = (): void => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
};
