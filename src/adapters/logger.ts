/** pino behind the Logger port; logs go to stderr so the console's stdout stays a clean transcript. */
import { pino } from 'pino';
import type { Logger } from '../app/ports.js';

export const createLogger = (level: string): Logger => {
  const log = pino({
    level,
    // Never log credentials, whatever a caller passes as context.
    redact: { paths: ['token', '*.token', 'secret', '*.secret', 'password', '*.password', 'authorization', '*.authorization'], censor: '[redacted]' },
  }, pino.destination(2));
  return {
    error: (context, message) => log.error(context, message),
    warn: (context, message) => log.warn(context, message),
    info: (context, message) => log.info(context, message),
  };
};
