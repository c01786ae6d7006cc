/** Times in domain messages are UTC wall-clock (`14:02 UTC`); renderers show the user's zone. */
export const clockTimeUtc = (iso: string): string => `${iso.slice(11, 16)} UTC`;
