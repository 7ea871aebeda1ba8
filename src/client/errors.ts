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

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server rejected the login, the API key or the signature ("Wrong signature"). */
export class AuthenticationError extends TcxcError {
  readonly kind = 'auth';

  constructor(readonly serverMessage: string) {
    super(
      `Authentication failed: the server answered "${serverMessage}". ` +
        'Check the login and API key (TCXC portal, Preferences) and that the system clock is correct.',
    );
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

/** Any other HTTP status outside 2xx. */
export class HttpError extends TcxcError {
  readonly kind = 'http';

  constructor(
    readonly statusCode: number,
    readonly bodyExcerpt: string,
  ) {
    super(
      `HTTP ${statusCode} from the TCXC endpoint` +
        (bodyExcerpt ? `: ${bodyExcerpt}` : ' (empty body)'),
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

/** No complete response within the configured time. */
export class TimeoutError extends TcxcError {
  readonly kind = 'timeout';

  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    super(`The request to ${endpoint} timed out after ${timeoutMs / 1000} s.`);
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

function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${bytes} bytes`;
}

export function isTcxcError(value: unknown): value is TcxcError {
  return value instanceof TcxcError;
}
