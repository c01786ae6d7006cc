/** Polling for tests that wait on other processes, queues or timers: never a fixed sleep. */

/**
 * Resolves once `check` holds; after `ms`, fails with `what()` (what was seen instead) in the message.
 * @example await until(() => chat.posted.length === 3, 8_000, () => JSON.stringify(chat.posted))
 */
export const until = async (check: () => boolean, ms = 10_000, what: () => string = () => ''): Promise<void> => {
  for (const deadline = Date.now() + ms; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting${what() ? `; ${what()}` : ''}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
};
