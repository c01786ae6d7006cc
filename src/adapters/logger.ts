/** pino behind the Logger port; logs go to stderr so the console's stdout stays a clean transcript. */
import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import type { Logger } from '../app/ports.js';

/** Field names that hold credentials, wherever they appear (top level, or up to two objects deep). */
const SECRET_FIELDS = [
  'token',
  'secret',
  'password',
  'authorization',
  'botToken',
  'appToken',
  'signingSecret',
  'appPassword',
  'apiToken',
  'calendarToken',
  'client_secret',
  'x-slack-signature',
];

/** pino's redact paths for those fields: `token`, `*.token`, `*.*.token` (`req.headers.authorization`). */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const join = (prefix: string): string => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*')];
});

/**
 * @example createLogger('info').warn({ release: 'web-deploy-3' }, 'runner report failed')
 * `destination`: where the JSON lines go (stderr unless a test captures them).
 */
export const createLogger = (level: string, destination: DestinationStream = pino.destination(2)): Logger => {
  const log = pino(
    {
      level,
      // Never log credentials, whatever a caller passes as context.
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
  return {
    error: (context, message) => log.error(context, message),
    warn: (context, message) => log.warn(context, message),
    info: (context, message) => log.info(context, message),
  };
};
