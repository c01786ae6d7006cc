/** Test-only fault injection (PLANB_FAILPOINT): the process SIGKILLs itself the Nth time it reaches a named point. */
import type { Failpoint } from './redis/redis-event-store.js';

export const failpointFrom = (spec: { readonly point: string; readonly hit: number } | undefined): Failpoint => {
  if (!spec) return () => undefined;
  let hits = 0;
  return (point) => {
    if (point !== spec.point) return;
    hits += 1;
    // SIGKILL, not an exception: nothing may run after this point, as when the machine dies.
    if (hits === spec.hit) process.kill(process.pid, 'SIGKILL');
  };
};
