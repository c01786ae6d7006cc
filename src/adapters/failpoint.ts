/** Test-only fault injection (PLANB_FAILPOINT): the process SIGKILLs itself the Nth time it reaches a named point. */

/** Called with a named point after each step that matters for crash safety (tests kill the process there). */
export type Failpoint = (point: string) => void;

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
