/** A step's `verify: { http, status, within }`, checked by the runner after the step's command succeeded. */
import { setTimeout as delay } from 'node:timers/promises';
import type { RunVerification } from '../../domain/release/events.js';

export type { RunVerification };

export interface HttpCheck {
  readonly url: string;
  /** The status that counts as healthy; any other, a redirect included, means "not yet". */
  readonly status: number;
  /** How long the service may take to become healthy; one request is made even when this is 0. */
  readonly withinMs: number;
}

export interface VerifyDeps {
  /** globalThis.fetch unless given. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Between attempts; by default a tenth of `withinMs`, kept between 250 ms and 5 s. */
  readonly intervalMs?: number;
  /** For one request; 5 s by default, cut short at the `within` deadline but never below 250 ms. */
  readonly requestTimeoutMs?: number;
}

const MIN_WAIT_MS = 250;
const MAX_INTERVAL_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
const UNSUPPORTED_URL = 'only http and https URLs are checked';

type Answer = { readonly status: number } | { readonly error: string };

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** `5s`, `2.5s`, `200ms`: for the reason shown in the thread. */
const spoken = (ms: number): string => (ms >= 1_000 ? `${Number((ms / 1_000).toFixed(1))}s` : `${Math.round(ms)}ms`);

/** undici rejects with `TypeError: fetch failed` and puts the system error in `cause`; several addresses tried give an AggregateError there. */
const systemError = (error: unknown): { code?: unknown; message?: unknown } | undefined => {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: unknown } } | undefined)?.cause;
  if (cause?.code === undefined && Array.isArray(cause?.errors)) return cause.errors[0] as { code?: unknown; message?: unknown } | undefined;
  return cause;
};

/** A short reason a person understands, in place of undici's `fetch failed`. */
const reasonFor = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${spoken(timeoutMs)}`;
  const cause = systemError(error);
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
};

/** One GET: its status, or why there was none. The body is never read: a health page may be large or never end. */
const ask = async (fetcher: typeof fetch, url: string, timeoutMs: number): Promise<Answer> => {
  try {
    // redirect: 'manual' so a 302 to a login page is reported as 302, not as the login page's 200.
    const response = await fetcher(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    return { error: reasonFor(error, timeoutMs) };
  }
};

const isWebUrl = (url: string): boolean => {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * Requests `check.url` until it answers with `check.status` or `check.withinMs` has passed; resolves with
 * what was seen and never rejects. Only http and https URLs are requested: a runbook must not make the
 * runner read its own files.
 *
 * @example
 * const verification = await verifyHttp({ url: 'https://checkout.internal/health', status: 200, withinMs: 120_000 });
 * if (!verification.ok) report(verification.error ?? `status ${verification.status}`);
 */
export const verifyHttp = async (check: HttpCheck, deps: VerifyDeps = {}): Promise<RunVerification> => {
  const started = performance.now();
  const base = { url: check.url, expected: check.status };
  if (!isWebUrl(check.url)) return { ...base, ok: false, error: UNSUPPORTED_URL, attempts: 0, durationMs: Math.round(performance.now() - started) };

  const fetcher = deps.fetch ?? globalThis.fetch;
  const sleep = deps.sleep ?? ((ms: number) => delay(ms));
  const intervalMs = deps.intervalMs ?? clamp(check.withinMs / 10, MIN_WAIT_MS, MAX_INTERVAL_MS);
  const requestTimeoutMs = deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const deadline = started + Math.max(0, check.withinMs);
  const left = (): number => deadline - performance.now();

  let attempts = 0;
  let ok = false;
  let status: number | undefined;
  let error: string | undefined;
  for (;;) {
    // AbortSignal.timeout throws on a fractional delay, and left() is fractional.
    const answer = await ask(fetcher, check.url, Math.round(Math.min(requestTimeoutMs, Math.max(MIN_WAIT_MS, left()))));
    attempts += 1;
    if ('status' in answer) {
      status = answer.status;
      error = undefined;
      ok = answer.status === check.status;
    } else {
      error = answer.error;
    }
    if (ok || left() <= 0) break;
    // The last wait is cut to the deadline, so one more request is made right at it.
    await sleep(Math.min(intervalMs, left()));
  }
  return {
    ...base,
    ok,
    ...(status === undefined ? {} : { status }),
    ...(error === undefined ? {} : { error }),
    attempts,
    durationMs: Math.round(performance.now() - started),
  };
};
