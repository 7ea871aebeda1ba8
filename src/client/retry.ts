import {
  CancelledError,
  HttpError,
  NetworkError,
  RateLimitError,
  TcxcError,
  TimeoutError,
} from './errors';

/*
 * Automatic retries of the TCXC client. A call-history request only reads, so sending it again
 * changes nothing on the server, and each retry is signed again with a fresh `ts`.
 *
 * Retried: HTTP 429, HTTP 500, 502, 503 and 504, a connection that fails before any response byte
 * (see RETRYABLE_NETWORK_CODES), and a response cut off after its headers. A timeout is retried at
 * most MAX_TIMEOUT_RETRIES times, because each one already cost a whole time limit.
 *
 * Never retried: an API error status, any other HTTP status, a body that is not JSON or has the
 * wrong shape, a body over the size limit, and a cancelled request. An authentication failure is
 * not retried either, except for the one clock correction in client.ts.
 */

/** Backoff ceiling of the first retry, in milliseconds. */
export const RETRY_BASE_DELAY_MS = 500;
/** Factor by which the backoff ceiling grows with each further retry. */
export const RETRY_BACKOFF_FACTOR = 2;
/** Largest backoff ceiling, in milliseconds: 500, 1000, 2000, 4000, then 8000 ms. */
export const RETRY_MAX_DELAY_MS = 8_000;
/** Retries after the first attempt, so one page takes at most 5 requests. */
export const MAX_RETRIES = 4;
/** Retries after a timeout, counted within MAX_RETRIES. */
export const MAX_TIMEOUT_RETRIES = 1;
/**
 * Longest `Retry-After` wait that the client sits out, in milliseconds. When a server requests a
 * longer wait, the client reports the rate limit at once with the server's wait.
 */
export const MAX_RETRY_AFTER_MS = 60_000;
/**
 * A difference between the local clock and the server's `Date` header above this, in
 * milliseconds, makes the client retry a rejected signature once with the server's time.
 */
export const CLOCK_OFFSET_THRESHOLD_MS = 60_000;

/** HTTP statuses of an overloaded or failing server or proxy, which are retried. */
export const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/**
 * Error codes of connection failures that may pass on their own. Failures such as ENOTFOUND, a
 * certificate error or a closed client are not retried, because a second try usually fails the same way.
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  // undici's SocketError: the server closed the connection before it sent a response.
  'UND_ERR_SOCKET',
]);

/** Limits of the automatic retries. */
export interface RetryPolicy {
  /** Retries after the first attempt. 0 turns automatic retries off, clock correction included. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly backoffFactor: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly maxTimeoutRetries: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: MAX_RETRIES,
  baseDelayMs: RETRY_BASE_DELAY_MS,
  backoffFactor: RETRY_BACKOFF_FACTOR,
  maxDelayMs: RETRY_MAX_DELAY_MS,
  maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  maxTimeoutRetries: MAX_TIMEOUT_RETRIES,
};

/**
 * Merges `overrides` into DEFAULT_RETRY_POLICY. Throws RangeError for a value that is negative, not
 * finite, or a fraction where a count is expected.
 */
export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      throw new RangeError(`Invalid retry ${name} ${String(value)}: expected a number from 0`);
    }
  }
  for (const name of ['maxRetries', 'maxTimeoutRetries'] as const) {
    if (!Number.isSafeInteger(policy[name])) {
      throw new RangeError(`Invalid retry ${name} ${policy[name]}: expected a whole number`);
    }
  }
  return policy;
}

/** Waits `ms` milliseconds. Tests pass their own to record the waits instead of waiting. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits with a timer that `signal` clears, rejecting with CancelledError on abort. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Waits `ms` with `wait`, and rejects with CancelledError as soon as `signal` aborts, even when
 * `wait` itself ignores the signal.
 */
export async function waitBeforeRetry(
  wait: Sleep,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal === undefined) {
    await wait(ms);
    return;
  }
  if (signal.aborted) {
    throw new CancelledError();
  }
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([wait(ms, signal), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Returns the backoff ceiling before retry number `retry` (1 for the first retry), in ms. */
export function backoffCeilingMs(
  retry: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): number {
  const exponential = policy.baseDelayMs * policy.backoffFactor ** Math.max(0, retry - 1);
  return Math.min(policy.maxDelayMs, exponential);
}

/**
 * Returns the wait before retry number `retry` with full jitter: uniform in [0, ceiling], so
 * clients that failed together do not retry together. `random` returns a number in [0, 1).
 */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number {
  const fraction = Math.min(1, Math.max(0, random()));
  return Math.round(fraction * backoffCeilingMs(retry, policy));
}

/** A retry the client makes: the wait before it, and the failure that caused it, for the log. */
export interface PlannedRetry {
  readonly delayMs: number;
  readonly reason: string;
}

/**
 * Decides whether failed attempt number `attempt` (1 for the first request) is retried, and after
 * how long. `timeoutRetries` counts the retries already made after a timeout. Returns undefined
 * when the error is reported as it is.
 */
export function planRetry(
  error: TcxcError,
  attempt: number,
  timeoutRetries: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): PlannedRetry | undefined {
  if (attempt > policy.maxRetries) {
    return undefined;
  }
  const reason = describeFailure(error);
  const backoff = (): PlannedRetry => ({
    delayMs: backoffDelayMs(attempt, policy, random),
    reason,
  });
  if (
    error instanceof RateLimitError ||
    (error instanceof HttpError && RETRYABLE_STATUS_CODES.has(error.statusCode))
  ) {
    if (error.retryAfterSeconds === undefined) {
      return backoff();
    }
    const delayMs = error.retryAfterSeconds * 1000;
    if (delayMs > policy.maxRetryAfterMs) {
      return undefined;
    }
    // A Retry-After of 0, or a date already past, would retry at once every time, so the wait
    // is at least the backoff's lower ceiling.
    return { delayMs: Math.max(delayMs, Math.min(policy.baseDelayMs, policy.maxDelayMs)), reason };
  }
  if (error instanceof NetworkError) {
    const transient = error.afterHeaders || RETRYABLE_NETWORK_CODES.has(error.causeCode ?? '');
    return transient ? backoff() : undefined;
  }
  if (error instanceof TimeoutError) {
    return timeoutRetries < policy.maxTimeoutRetries ? backoff() : undefined;
  }
  return undefined;
}

/** Names a failure in a few words for the retry log, without any body text. */
export function describeFailure(error: TcxcError): string {
  if (error instanceof RateLimitError) {
    const wait = error.retryAfterSeconds;
    return wait === undefined ? 'HTTP 429' : `HTTP 429, Retry-After ${wait} s`;
  }
  if (error instanceof HttpError) {
    const wait = error.retryAfterSeconds;
    const status = `HTTP ${error.statusCode}`;
    return wait === undefined ? status : `${status}, Retry-After ${wait} s`;
  }
  if (error instanceof NetworkError) {
    return error.afterHeaders
      ? 'response cut off'
      : `connection failed (${error.causeCode ?? 'no error code'})`;
  }
  if (error instanceof TimeoutError) {
    return error.phase === 'connect' ? 'connect timed out' : 'response timed out';
  }
  return error.kind;
}
