/**
 * The request a decision is made for, so that running the same request again (a replica died half-way through it and
 * another took it over) records nothing twice. Carried through the async calls of one request, not through every
 * signature: only executeAggregate reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface Current {
  readonly id: string;
  /** How many aggregates this request has executed so far: the same code path numbers them the same way again. */
  calls: number;
}

const current = new AsyncLocalStorage<Current>();

/**
 * Runs `work` as request `id` (a platform's id for one command or button press); without an id, as no request.
 * @example await asRequest('slack-command-123.456', () => app.command(request, text))
 */
export const asRequest = <T>(id: string | undefined, work: () => Promise<T>): Promise<T> => (id === undefined ? work() : current.run({ id, calls: 0 }, work));

/** The key of the next append of the current request (`<id>#1`, `<id>#2`…), or undefined outside of one. */
export const nextRequestKey = (): string | undefined => {
  const request = current.getStore();
  if (request === undefined) return undefined;
  request.calls += 1;
  return `${request.id}#${request.calls}`;
};
