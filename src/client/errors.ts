/**
 * Typed failures of a TCXC request. Messages name the endpoint and the cause; they never contain
 * the API key, a signature or the request body.
 */
export type TcxcErrorKind =
  | 'auth'
  | 'api'
  | 'rateLimited'
  | 'http'
  | 'notJson'
  | 'badResponse'
  | 'tooLarge'
  | 'timeout'
  | 'cancelled'
  | 'network';

export abstract class TcxcError extends Error {
  abstract readonly kind: TcxcErrorKind;
  /** Requests the client made before it reported this error, retries included. */
  attempts = 1;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * Stores the number of requests made for this error. From 2 on, the message also ends with
   * "Gave up after N attempts.", so the user sees that the client already retried.
   */
  recordAttempts(attempts: number): this {
    this.attempts = attempts;
    if (attempts > 1) {
      const separator = this.message.endsWith('.') ? ' ' : '. ';
      this.message = `${this.message}${separator}Gave up after ${attempts} attempts.`;
    }
    return this;
  }
}

/**
 * The server rejected the login, the API key or the signature ("Wrong signature"). With
 * `clockOffsetSeconds`, the server's `Date` header showed that the local clock is that many
 * seconds behind (positive) or ahead of (negative) the server's clock.
 */
export class AuthenticationError extends TcxcError {
  readonly kind = 'auth';

  constructor(
    readonly serverMessage: string,
    readonly clockOffsetSeconds?: number,
  ) {
    super(
      `Authentication failed: the server answered "${serverMessage}". ` +
        (clockOffsetSeconds === undefined
          ? 'Check the login and API key (TCXC portal, Preferences) and that the system clock ' +
            'is correct.'
          : `This computer's clock is ${describeClockOffset(clockOffsetSeconds)} the server's. ` +
            'Set the clock automatically, then check the login and API key (TCXC portal, ' +
            'Preferences).'),
    );
  }
}

/**
 * The server rejected HTTP Digest credentials with a 401 whose nonce is not stale, so the login
 * or the API key is wrong. The client never retries this error.
 */
export class DigestAuthenticationError extends AuthenticationError {
  constructor() {
    super('HTTP 401');
    this.message =
      'TCXC rejected the login or API key (HTTP Digest). Check the login and API key (TCXC ' +
      'portal, Preferences).';
  }
}

/**
 * A `fail` status in response to an HTTP Digest request: a server that does not check Digest reads
 * the request as one without a signature, so the URL or the method of the account is wrong.
 */
export class DigestNotAcceptedError extends AuthenticationError {
  constructor(serverMessage: string) {
    super(serverMessage);
    this.message =
      `Authentication failed: the server answered "${serverMessage}" to an HTTP Digest request, ` +
      'as a server without HTTP Digest does. Check the URL of the account, or use the signature ' +
      'method.';
  }
}

/** A response of `{"status":"error","message":...}` or another non-success status. */
export class ApiError extends TcxcError {
  readonly kind = 'api';

  constructor(
    readonly serverMessage: string,
    readonly status: string,
  ) {
    super(`The TCXC API returned an error: ${serverMessage}`);
  }
}

/** HTTP 429: the per-second or hourly request limit was exceeded. */
export class RateLimitError extends TcxcError {
  readonly kind = 'rateLimited';

  constructor(readonly retryAfterSeconds: number | undefined) {
    super(
      retryAfterSeconds === undefined
        ? 'Rate limit exceeded (HTTP 429). Wait a moment and try again.'
        : `Rate limit exceeded (HTTP 429). Try again in ${retryAfterSeconds} s.`,
    );
  }
}

/** Any other HTTP status outside 2xx. `retryAfterSeconds` comes from a `Retry-After` header. */
export class HttpError extends TcxcError {
  readonly kind = 'http';

  constructor(
    readonly statusCode: number,
    readonly bodyExcerpt: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      `HTTP ${statusCode} from the TCXC endpoint` +
        (bodyExcerpt ? `: ${bodyExcerpt}` : ' (empty body)') +
        (retryAfterSeconds === undefined ? '' : `. Try again in ${retryAfterSeconds} s.`),
    );
  }
}

/** A body that is not JSON, such as an HTML error page from a proxy. */
export class NotJsonError extends TcxcError {
  readonly kind = 'notJson';

  constructor(
    readonly contentType: string | undefined,
    readonly bodyExcerpt: string,
  ) {
    super(
      `The TCXC endpoint did not return JSON (content type ${contentType ?? 'missing'}): ` +
        (bodyExcerpt || '(empty body)'),
    );
  }
}

/** JSON that does not have the documented shape, for example `cdrs` that is not a list. */
export class BadResponseError extends TcxcError {
  readonly kind = 'badResponse';

  constructor(detail: string) {
    super(`Unexpected response from the TCXC endpoint: ${detail}`);
  }
}

/** A response body above the client's size limit. The client stops reading at the limit. */
export class ResponseTooLargeError extends TcxcError {
  readonly kind = 'tooLarge';

  constructor(
    readonly endpoint: string,
    readonly limitBytes: number,
  ) {
    super(
      `The response from ${endpoint} is larger than ${formatBytes(limitBytes)}, so it was not ` +
        'read. Set a smaller tcxc.pageSize to request fewer CDRs per page.',
    );
  }
}

/**
 * The phase of a request that ran out of time: `connect` (TCP and TLS handshake), `headers`
 * (request sent, no response headers yet) or `body` (headers received, body not complete).
 */
export type TimeoutPhase = 'connect' | 'headers' | 'body';

/** A request phase that did not finish within its time limit. */
export class TimeoutError extends TcxcError {
  readonly kind = 'timeout';

  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
    readonly phase: TimeoutPhase = 'headers',
  ) {
    const limit = formatSeconds(timeoutMs);
    super(
      phase === 'connect'
        ? `Connecting to ${endpoint} timed out after ${limit}.`
        : phase === 'headers'
          ? `No response from ${endpoint} within ${limit}.`
          : `The response from ${endpoint} did not complete within ${limit}.`,
    );
  }
}

/** The caller aborted the request. */
export class CancelledError extends TcxcError {
  readonly kind = 'cancelled';

  constructor() {
    super('The request was cancelled.');
  }
}

/**
 * A transport failure. Without `afterHeaders`, the connection failed before the response headers
 * arrived (DNS, refused, reset, TLS). With `afterHeaders`, it broke while the body was read.
 */
export class NetworkError extends TcxcError {
  readonly kind = 'network';

  constructor(
    readonly endpoint: string,
    readonly causeCode: string | undefined,
    detail: string,
    readonly afterHeaders = false,
  ) {
    const cause = `${detail}${causeCode ? ` (${causeCode})` : ''}`;
    super(
      afterHeaders
        ? `The response from ${endpoint} was cut off: the connection closed before the ` +
            `response was complete. Try again. Cause: ${cause}`
        : `Could not reach ${endpoint}: ${cause}`,
    );
  }
}

/** Formats milliseconds as seconds with at most one decimal, such as `30 s` or `0.3 s`. */
function formatSeconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 100) / 10} s`;
}

/**
 * Describes how far the local clock is from the server's, given the server's time minus the local
 * time in seconds: `5 min 12 s behind` for 312, `40 s ahead of` for -40.
 */
export function describeClockOffset(offsetSeconds: number): string {
  const size = Math.abs(Math.round(offsetSeconds));
  const hours = Math.floor(size / 3600);
  const minutes = Math.floor((size % 3600) / 60);
  const seconds = size % 60;
  const parts = [
    hours > 0 ? `${hours} h` : '',
    minutes > 0 ? `${minutes} min` : '',
    seconds > 0 || size === 0 ? `${seconds} s` : '',
  ];
  const amount = parts.filter((part) => part !== '').join(' ');
  return offsetSeconds >= 0 ? `${amount} behind` : `${amount} ahead of`;
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${bytes} bytes`;
}

export function isTcxcError(value: unknown): value is TcxcError {
  return value instanceof TcxcError;
}
