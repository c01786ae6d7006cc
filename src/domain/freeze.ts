/** Change freezes (planb.yaml `freezes:`): times when releases need an override that their confirmer approves. */

export interface Freeze {
  /** ISO 8601 instants; the freeze holds from `from` up to, not including, `until`. */
  readonly from: string;
  readonly until: string;
  /** The services it freezes; none means every release. */
  readonly services?: readonly string[];
  readonly reason?: string;
}

/**
 * The freeze holding at `now` for a runbook of `service`, if any.
 * @example activeFreeze(freezes, 'checkout', now)
 */
export const activeFreeze = (freezes: readonly Freeze[], service: string | undefined, now: Date): Freeze | undefined =>
  freezes.find(
    (freeze) =>
      Date.parse(freeze.from) <= now.getTime() &&
      now.getTime() < Date.parse(freeze.until) &&
      (freeze.services === undefined || (service !== undefined && freeze.services.includes(service))),
  );
