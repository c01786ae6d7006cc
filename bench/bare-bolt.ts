/**
 * The floor for the ack bench: a Bolt app that only acks, received the way `planb serve` receives Slack (HTTPReceiver
 * at /slack/events, signatures checked, processBeforeResponse false), with a local `authorize` and no Slack calls.
 * Run as its own process: `node --import tsx bench/bare-bolt.ts` with PORT and SLACK_SIGNING_SECRET; it prints
 * `listening <port>` on stdout once it accepts requests.
 */
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Logger } from '@slack/bolt';

const port = Number(process.env['PORT']);
const signingSecret = process.env['SLACK_SIGNING_SECRET'];
if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be a port number');
if (!signingSecret) throw new Error('SLACK_SIGNING_SECRET is required');

/** Warnings and errors only, as `planb serve` logs Bolt at LOG_LEVEL=warn. */
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...messages: unknown[]) => console.error('warn', ...messages),
  error: (...messages: unknown[]) => console.error('error', ...messages),
  setLevel: () => undefined,
  getLevel: () => LogLevel.WARN,
  setName: () => undefined,
};

const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', logger, processBeforeResponse: false });
// What our authorize answers once its auth.test is cached, without the call.
const authorize = () => Promise.resolve({ botToken: 'xoxb-bare-bolt', botId: 'B0BARE', botUserId: 'U0BARE', teamId: 'T0TEST' });
const app = new App({ receiver, authorize, logger });
app.command(/.*/, async ({ ack }) => ack());
app.action(/.*/, async ({ ack }) => ack());

await app.start({ port, host: '127.0.0.1' });
console.log(`listening ${port}`);

const stop = (): void => void app.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
