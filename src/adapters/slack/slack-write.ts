/**
 * The two Web API methods every delivery calls, chat.postMessage and chat.update, as one JSON POST each over Node's
 * HTTP client (kept-alive connections, a deadline, no retry). The SDK's WebClient does the same call through a
 * queue, a retry wrapper, fetch, and a redacted JSON copy of every body and answer for its debug log (built even when
 * it does not log): a fifth of all a burst of 1,000 updates allocated (docs/BENCHMARKS.md). Errors come out in the
 * delivery vocabulary, as `translateSlackError` gives them for the SDK's.
 */
import { exchangeJson } from '../http/post-json.js';
import { PermanentDeliveryError, RateLimitedError } from '../../app/ports.js';

/** Slack's own transient failures: worth another try. Any other platform error will fail the same way again. */
export const TRANSIENT_ERRORS: ReadonlySet<string> = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

export const SLACK_API_URL = 'https://slack.com/api/';

/** The Web API's base URL with its trailing slash (what the SDK's `slackApiUrl` and our calls append methods to). */
export const apiBase = (apiUrl: string | undefined): string => (apiUrl === undefined ? SLACK_API_URL : apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);

/** As long as a delivery waits for Slack's answer. */
const TIMEOUT_MS = 10_000;

export type SlackWrite = (method: 'chat.postMessage' | 'chat.update', args: Readonly<Record<string, unknown>>) => Promise<Record<string, unknown>>;

const retryAfterMs = (header: string | string[] | undefined): number => {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1_000;
};

/**
 * Calls `method` with `args` as JSON, the bot token in the Authorization header; resolves with Slack's answer when it
 * is `ok`. A 429 becomes RateLimitedError, a refusal Slack would repeat PermanentDeliveryError, anything else
 * (5xx, a transient error, no answer) a plain Error for the queue to retry.
 */
export const slackWrite = (apiUrl: string | undefined, token: string): SlackWrite => {
  const base = apiBase(apiUrl);
  return async (method, args) => {
    const answer = await exchangeJson(`${base}${method}`, args, TIMEOUT_MS, { Authorization: `Bearer ${token}` });
    if (answer.status === 429) throw new RateLimitedError(retryAfterMs(answer.headers['retry-after']));
    if (answer.status !== 200) throw new Error(`${method} answered HTTP ${answer.status}`);
    const result = JSON.parse(answer.body) as Record<string, unknown>;
    if (result['ok'] === true) return result;
    const error = typeof result['error'] === 'string' ? result['error'] : 'unknown_error';
    if (error === 'ratelimited') throw new RateLimitedError(retryAfterMs(answer.headers['retry-after']));
    if (TRANSIENT_ERRORS.has(error)) throw new Error(`${method} failed: ${error}`);
    throw new PermanentDeliveryError(`Slack refused the message: ${error}`);
  };
};
