import { Readable } from 'node:stream';
import { type Dispatcher, errors as undiciErrors, request } from 'undici';
import {
  AuthHeaderSyntaxError,
  DigestAuthorization,
  DigestChallengeError,
  DigestSession,
  selectDigestChallenge,
} from './digest';
import {
  AuthenticationError,
  BadResponseError,
  CancelledError,
  DigestAuthenticationError,
  DigestNotAcceptedError,
  NetworkError,
  ResponseTooLargeError,
  TcxcError,
  TimeoutError,
  TimeoutPhase,
  describeClockOffset,
  isTcxcError,
} from './errors';
import { PageWindow, buildCdrForm, describeQuery } from './form';
import { CdrQuery } from './query';
import { RawResponse, excerpt, parseCdrResponse, parseHttpDate } from './response';
import {
  CLOCK_OFFSET_THRESHOLD_MS,
  PlannedRetry,
  RetryPolicy,
  Sleep,
  planRetry,
  resolveRetryPolicy,
  sleep,
  waitBeforeRetry,
} from './retry';
import { CDR_CONTROLLER, signRequest, toUnixSeconds } from './signing';
import { ProxyConfig, createDispatcher } from './transport';

/** The documented production endpoint of the buyer call-history API. */
export const DEFAULT_ENDPOINT = 'https://api.telecomsxchange.com/buyers/callhistory';
/**
 * Endpoint of the buyer call-history API on TCXC's second API host, for HTTP Digest requests.
 * NOTE: TCXC's API authentication page documents Digest (user name = login, password = API key)
 * without naming a host, so this host is unconfirmed. Check it before making it a default.
 */
export const DEFAULT_DIGEST_ENDPOINT = 'https://apiv2.telecomsxchange.com/buyers/callhistory/';
/** Default time limit for the response to one request, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default time limit for opening a connection, in milliseconds, the same as undici's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Maximum size of one response body in bytes. The sample record of the API documentation, as
 * copied in test/unit/cdr.test.ts, is 740 bytes of JSON, so 5000 such records (the largest
 * tcxc.pageSize) take under 4 MB.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A buyer login and its API key, as generated in the TCXC portal under Preferences. */
export interface TcxcCredentials {
  readonly login: string;
  readonly apiKey: string;
}

/** Destination of one log line per request and per failure; no line contains a secret. */
export interface ClientLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** A failed attempt that the client is about to retry. */
export interface RetryNotice {
  /** Number of the attempt that failed, from 1. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Reason of the failure, as the log states it, such as `HTTP 429`. */
  readonly reason: string;
  /** Wait before the next attempt, in milliseconds. */
  readonly delayMs: number;
}

/**
 * The authentication method of requests: `signature` adds `ts`, `api_login` and a SHA-256
 * `signature` to each form, and `digest` uses HTTP Digest authentication (RFC 7616) with the
 * login as user name and the API key as password.
 */
export type AuthMethod = 'signature' | 'digest';

export const AUTH_METHODS: readonly AuthMethod[] = ['signature', 'digest'];

export interface ClientOptions {
  readonly endpoint: string;
  readonly credentials: TcxcCredentials;
  /** Default `signature`. Use `digest` with an endpoint that accepts HTTP Digest. */
  readonly authMethod?: AuthMethod;
  /** Time limit for opening a connection (TCP and TLS handshake), in milliseconds. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /**
   * Time limit from a ready connection to the last byte of the response, in milliseconds. Default
   * 30 s. Each attempt of a request has its own limit, and so has the HTTP Digest challenge
   * round trip within an attempt.
   */
  readonly responseTimeoutMs?: number;
  /** Older name of `responseTimeoutMs`, used when that is not set. */
  readonly timeoutMs?: number;
  readonly logger?: ClientLogger;
  /** Called before each wait for a retry, so a UI can show why a request takes longer. */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Clock in milliseconds; tests set it to simulate clock offsets. */
  readonly now?: () => number;
  /** Changes to the retry limits of retry.ts. `{ maxRetries: 0 }` turns automatic retries off. */
  readonly retry?: Partial<RetryPolicy>;
  /** Waits before a retry; tests pass one that records the delays. Default: a real timer. */
  readonly sleep?: Sleep;
  /** Random number in [0, 1) for the backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Proxy settings. Without them, requests connect directly even when proxy variables are set. */
  readonly proxy?: ProxyConfig;
  /** Extra PEM certificate authorities, trusted in addition to Node's default ones. */
  readonly trustedCertificates?: readonly string[];
}

/** A query whose end is fixed, as every request sends `date_to`. */
export type FixedQuery = CdrQuery & { readonly dateTo: Date };

/** One page of raw records as the server sent them. */
export interface RawPage {
  readonly records: unknown[];
  readonly window: PageWindow | undefined;
  readonly elapsedMs: number;
}

/** Anything that can fetch one page; the pager depends on this rather than on HTTP. */
export interface PageSource {
  fetchPage(query: FixedQuery, window: PageWindow, signal?: AbortSignal): Promise<RawPage>;
}

/** The result of one attempt: the records, or the error with the server's clock if it sent one. */
type AttemptOutcome =
  | { readonly records: unknown[]; readonly statusCode: number }
  | { readonly error: TcxcError; readonly serverClockOffsetMs?: number };

/** A whole response and the local clock, uncorrected, when its headers arrived. */
interface Exchange {
  readonly response: RawResponse;
  readonly receivedAt: number;
  /** Every `WWW-Authenticate` field of the response, in order. */
  readonly challenges: readonly string[];
}

/** Stale HTTP Digest nonces that one attempt renews before it gives up. */
const MAX_STALE_RENEWALS = 1;

/**
 * The only code that talks to the TCXC API. Each request is a POST form, signed or sent with HTTP
 * Digest credentials, through a keep-alive agent that belongs to this client, so undici's global
 * dispatcher stays untouched. Failed requests are retried as retry.ts describes.
 */
export class TcxcClient implements PageSource {
  readonly endpoint: string;
  readonly login: string;
  readonly authMethod: AuthMethod;
  /** Response time limit in milliseconds, from a ready connection to the last body byte. */
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly logger: ClientLogger | undefined;
  private readonly onRetry: ((notice: RetryNotice) => void) | undefined;
  private readonly now: () => number;
  private readonly retryPolicy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  /**
   * The server's clock minus the local clock in milliseconds, added to `ts`. It stays 0 until a
   * signature that the server rejected succeeds with the time from the server's `Date` header.
   */
  private clockOffsetMs = 0;
  private readonly agent: Dispatcher;
  // The key lives only in this closure, so inspecting or serializing the client cannot reveal it.
  private readonly sign: (ts: number) => string;
  private readonly redactKey: (text: string) => string;
  /** The nonce state of HTTP Digest requests; undefined with signature authentication. */
  private readonly digest: DigestSession | undefined;
  /** The request target that Digest credentials cover: the endpoint's path and query. */
  private readonly requestUri: string;

  constructor(options: ClientOptions) {
    this.onRetry = options.onRetry;
    this.endpoint = validateEndpoint(options.endpoint);
    this.login = options.credentials.login;
    this.authMethod = validAuthMethod(options.authMethod ?? 'signature');
    this.timeoutMs = validTimeout(
      'responseTimeoutMs',
      options.responseTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    this.connectTimeoutMs = validTimeout(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    const { apiKey, login } = options.credentials;
    this.sign = (ts) => signRequest(CDR_CONTROLLER, apiKey, login, ts);
    const keyForms = secretForms(apiKey);
    this.redactKey = (text) => redactAll(text, keyForms);
    const url = new URL(this.endpoint);
    this.requestUri = url.pathname + url.search;
    this.digest = this.authMethod === 'digest' ? new DigestSession(login, apiKey) : undefined;
    this.agent = createDispatcher({
      endpoint: this.endpoint,
      connectTimeoutMs: this.connectTimeoutMs,
      proxy: options.proxy,
      trustedCertificates: options.trustedCertificates,
      logger: this.logger,
    });
  }

  /**
   * Fetches one page of `query`; without a window the server returns every matching record.
   * Retries transient failures as retry.ts describes, and throws the last error with the number
   * of attempts made.
   */
  async fetchPage(query: FixedQuery, window?: PageWindow, signal?: AbortSignal): Promise<RawPage> {
    const started = performance.now();
    const description = `${CDR_CONTROLLER} ${describeQuery(query, window)}`;
    const maxAttempts = this.retryPolicy.maxRetries + 1;
    let clockOffsetMs = this.clockOffsetMs;
    let clockCorrected = false;
    let timeoutRetries = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(query, window, signal, clockOffsetMs);
      const elapsedMs = Math.round(performance.now() - started);
      if ('records' in outcome) {
        this.adoptClockOffset(clockOffsetMs);
        const attempts = attempt > 1 ? ` at attempt ${attempt} of ${maxAttempts}` : '';
        this.logger?.info(
          `${description}: HTTP ${outcome.statusCode} in ${elapsedMs} ms, ` +
            `${outcome.records.length} records${attempts}`,
        );
        return { records: outcome.records, window, elapsedMs };
      }
      let failure = outcome.error;
      let retry: PlannedRetry | undefined;
      const measuredOffsetMs = outcome.serverClockOffsetMs;
      if (
        this.authMethod === 'digest' &&
        failure instanceof AuthenticationError &&
        !(failure instanceof DigestAuthenticationError)
      ) {
        // The clock plays no part in Digest, so a `fail` status means the server ignored it.
        failure = new DigestNotAcceptedError(failure.serverMessage);
      } else if (failure instanceof AuthenticationError && measuredOffsetMs !== undefined) {
        const offBy = Math.abs(measuredOffsetMs - clockOffsetMs) > CLOCK_OFFSET_THRESHOLD_MS;
        if (offBy && !clockCorrected && attempt <= this.retryPolicy.maxRetries) {
          clockCorrected = true;
          clockOffsetMs = measuredOffsetMs;
          const offset = describeClockOffset(measuredOffsetMs / 1000);
          retry = { delayMs: 0, reason: `${failure.serverMessage}, clock ${offset} the server's` };
        } else if (Math.abs(measuredOffsetMs) > CLOCK_OFFSET_THRESHOLD_MS) {
          failure = new AuthenticationError(failure.serverMessage, measuredOffsetMs / 1000);
        }
      } else {
        retry = planRetry(failure, attempt, timeoutRetries, this.retryPolicy, this.random);
        if (retry && failure instanceof TimeoutError) {
          timeoutRetries++;
        }
      }
      if (retry === undefined) {
        throw this.reportFailure(failure, description, attempt, maxAttempts, elapsedMs);
      }
      this.logger?.warn(
        `${description}: attempt ${attempt} of ${maxAttempts} failed (${retry.reason}), ` +
          `retrying in ${formatSeconds(retry.delayMs)}`,
      );
      this.onRetry?.({ attempt, maxAttempts, reason: retry.reason, delayMs: retry.delayMs });
      try {
        await waitBeforeRetry(this.sleep, retry.delayMs, signal);
      } catch (error) {
        const cancelled = isTcxcError(error) ? error : new CancelledError();
        const waitedMs = Math.round(performance.now() - started);
        throw this.reportFailure(cancelled, description, attempt, maxAttempts, waitedMs);
      }
    }
  }

  /** Closes the keep-alive connections. */
  async dispose(): Promise<void> {
    await this.agent.close();
  }

  /** Logs the final failure of a request and returns its error with the number of attempts. */
  private reportFailure(
    failure: TcxcError,
    description: string,
    attempt: number,
    maxAttempts: number,
    elapsedMs: number,
  ): TcxcError {
    // A cancellation is the user's choice, so its message does not count attempts.
    if (failure.kind === 'cancelled') {
      failure.attempts = attempt;
    } else {
      failure.recordAttempts(attempt);
    }
    const attempts = attempt > 1 ? ` at attempt ${attempt} of ${maxAttempts}` : '';
    this.logger?.warn(
      `${description}: failed after ${elapsedMs} ms${attempts}: ${failure.message}`,
    );
    return failure;
  }

  /** Keeps a clock offset that just made a request succeed, and warns once when it changes. */
  private adoptClockOffset(offsetMs: number): void {
    if (offsetMs === this.clockOffsetMs) {
      return;
    }
    this.clockOffsetMs = offsetMs;
    this.logger?.warn(
      `The system clock is ${describeClockOffset(offsetMs / 1000)} the TCXC server's clock ` +
        "(from the server's Date header), so requests are now signed with the server's time. " +
        'Set the clock automatically.',
    );
  }

  /** Sends one request and returns its records or its error. */
  private attempt(
    query: FixedQuery,
    window: PageWindow | undefined,
    signal: AbortSignal | undefined,
    clockOffsetMs: number,
  ): Promise<AttemptOutcome> {
    return this.digest === undefined
      ? this.attemptSigned(query, window, signal, clockOffsetMs)
      : this.attemptDigest(query, window, signal, this.digest);
  }

  /** Sends one request, signed at this moment, and returns its records or its error. */
  private async attemptSigned(
    query: FixedQuery,
    window: PageWindow | undefined,
    signal: AbortSignal | undefined,
    clockOffsetMs: number,
  ): Promise<AttemptOutcome> {
    const ts = toUnixSeconds(this.now() + clockOffsetMs);
    const signature = this.sign(ts);
    const signatureForms = secretForms(signature);
    const redact = (text: string): string => redactAll(this.redactKey(text), signatureForms);
    const form = buildCdrForm(query, { ts, login: this.login, signature }, window);
    let exchange: Exchange;
    try {
      exchange = await this.exchange(form.toString(), signal, redact);
    } catch (error) {
      return { error: this.toTcxcError(error, signal, redact) };
    }
    const { response, receivedAt } = exchange;
    try {
      const records = parseCdrResponse(response, redact, receivedAt + clockOffsetMs);
      return { records, statusCode: response.statusCode };
    } catch (error) {
      const serverTime = parseHttpDate(response.date);
      return {
        error: this.toTcxcError(error, signal, redact),
        serverClockOffsetMs: serverTime === undefined ? undefined : serverTime - receivedAt,
      };
    }
  }

  /**
   * Sends one request with HTTP Digest credentials and returns its records or its error. Before
   * the first challenge, and after the server marks the nonce stale, the request is sent again
   * with the new challenge's nonce, within the same attempt. A 401 to credentials with a nonce
   * that is not stale becomes a {@link DigestAuthenticationError}.
   */
  private async attemptDigest(
    query: FixedQuery,
    window: PageWindow | undefined,
    signal: AbortSignal | undefined,
    session: DigestSession,
  ): Promise<AttemptOutcome> {
    // NOTE: The TCXC pages checked list the form parameters only with the signature method. The
    // Digest form sends the same query fields without ts, api_login and signature, because the
    // Authorization header proves the account instead.
    const body = buildCdrForm(query, undefined, window).toString();
    const responseForms: string[] = [];
    const redact = (text: string): string => redactAll(this.redactKey(text), responseForms);
    let staleRenewals = 0;
    try {
      for (;;) {
        const authorization = session.authorize('POST', this.requestUri);
        if (authorization !== undefined) {
          responseForms.push(...secretForms(authorization.response));
          responseForms.sort((a, b) => b.length - a.length);
        }
        const {
          response,
          receivedAt,
          challenges: fields,
        } = await this.exchange(body, signal, redact, authorization?.header);
        if (response.statusCode !== 401) {
          const records = parseCdrResponse(response, redact, receivedAt);
          return { records, statusCode: response.statusCode };
        }
        this.renewDigestNonce(session, authorization, fields, staleRenewals, redact);
        if (authorization !== undefined) {
          staleRenewals++;
        }
      }
    } catch (error) {
      return { error: this.toTcxcError(error, signal, redact) };
    }
  }

  /**
   * Handles a 401 to a Digest request: takes its challenge for the next request, or throws when
   * the request is not to be sent again. `staleRenewals` counts the stale nonces that this
   * attempt already renewed, which is at most {@link MAX_STALE_RENEWALS}.
   */
  private renewDigestNonce(
    session: DigestSession,
    authorization: DigestAuthorization | undefined,
    fields: readonly string[],
    staleRenewals: number,
    redact: (text: string) => string,
  ): void {
    if (authorization !== undefined && fields.length === 0) {
      // A 401 without a new challenge after credentials were sent rejects them.
      throw new DigestAuthenticationError();
    }
    let challenge;
    try {
      challenge = selectDigestChallenge(fields);
    } catch (error) {
      if (error instanceof AuthHeaderSyntaxError || error instanceof DigestChallengeError) {
        throw new BadResponseError(excerpt(redact(error.message)));
      }
      throw error;
    }
    if (authorization !== undefined && !challenge.stale) {
      throw new DigestAuthenticationError();
    }
    if (authorization !== undefined) {
      if (staleRenewals >= MAX_STALE_RENEWALS) {
        throw new BadResponseError(
          'the server marked the renewed HTTP Digest nonce stale as well. Try again later.',
        );
      }
      this.logger?.info(
        'The HTTP Digest nonce expired, so the request is sent again with a new one',
      );
    }
    session.adopt(challenge, authorization?.nonce);
  }

  /**
   * Sends the form and reads the whole response. The connect limit runs until undici writes the
   * request to a connected socket, and the response limit runs from then to the last body byte.
   */
  private async exchange(
    body: string,
    signal: AbortSignal | undefined,
    redact: (text: string) => string,
    authorization?: string,
  ): Promise<Exchange> {
    const timer = new AttemptTimer(this.connectTimeoutMs, this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
    let receivedAt: number | undefined;
    try {
      const sent = request(this.endpoint, {
        dispatcher: this.agent.compose(onRequestStart(() => timer.startResponsePhase())),
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...(authorization === undefined ? {} : { authorization }),
        },
        body,
        signal: combined,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const response = await untilAborted(sent, combined, (late) => discard(late.body));
      receivedAt = this.now();
      const contentLength = headerText(response.headers['content-length']);
      const text = await readBodyText(response.body, contentLength, this.endpoint);
      return {
        response: {
          statusCode: response.statusCode,
          contentType: headerText(response.headers['content-type']),
          retryAfter: headerText(response.headers['retry-after']),
          date: headerText(response.headers.date),
          body: text,
        },
        receivedAt,
        challenges: headerList(response.headers['www-authenticate']),
      };
    } catch (error) {
      // After the headers, the server was reached, so a failure must not read as "Could not reach".
      throw this.toTcxcError(error, signal, redact, timer, receivedAt !== undefined);
    } finally {
      timer.clear();
    }
  }

  private toTcxcError(
    error: unknown,
    signal: AbortSignal | undefined,
    redact: (text: string) => string,
    timer?: AttemptTimer,
    afterHeaders = false,
  ): TcxcError {
    if (isTcxcError(error)) {
      return error;
    }
    if (signal?.aborted) {
      return new CancelledError();
    }
    const bodyOrHeaders: TimeoutPhase = afterHeaders ? 'body' : 'headers';
    if (timer?.expiredPhase === 'connect') {
      return new TimeoutError(this.endpoint, this.connectTimeoutMs, 'connect');
    }
    if (timer?.expiredPhase === 'response') {
      return new TimeoutError(this.endpoint, this.timeoutMs, bodyOrHeaders);
    }
    if (error instanceof undiciErrors.ConnectTimeoutError) {
      // The agent's own connect limit may differ from connectTimeoutMs, so report the time taken.
      return new TimeoutError(this.endpoint, timer?.elapsedMs ?? this.connectTimeoutMs, 'connect');
    }
    if (isTimeout(error)) {
      return new TimeoutError(this.endpoint, this.timeoutMs, bodyOrHeaders);
    }
    const code = errorCode(error);
    const detail = error instanceof Error ? error.message : String(error);
    return new NetworkError(this.endpoint, code, redact(detail), afterHeaders);
  }
}

/**
 * The two time limits of one attempt as one abort signal: the connect limit until
 * {@link startResponsePhase}, then the response limit.
 */
class AttemptTimer {
  private readonly controller = new AbortController();
  private readonly started = performance.now();
  private phase: 'connect' | 'response' = 'connect';
  private timer: NodeJS.Timeout;
  /** The phase whose limit ran out, if one did. */
  expiredPhase: 'connect' | 'response' | undefined;

  constructor(
    connectTimeoutMs: number,
    private readonly responseTimeoutMs: number,
  ) {
    this.timer = setTimeout(() => this.expire('connect'), connectTimeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }

  /** Ends the connect limit and starts the response limit. Later calls do nothing. */
  startResponsePhase(): void {
    if (this.phase !== 'connect' || this.expiredPhase !== undefined) {
      return;
    }
    this.phase = 'response';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.expire('response'), this.responseTimeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  private expire(phase: 'connect' | 'response'): void {
    this.expiredPhase = phase;
    this.controller.abort(new Error(`The ${phase} time limit ran out`));
  }
}

/**
 * Settles as `promise` does, but rejects with the reason of `signal` as soon as it aborts. undici
 * notices an abort only once a queued request gets a connection, so without this race a stalled
 * connect would outlast both the connect limit and a cancellation. A response that arrives after
 * the abort is passed to `discardLate`.
 */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  discardLate: (value: T) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      promise.then(discardLate, () => undefined);
      reject(asError(signal.reason));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(error));
      },
    );
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Returns an undici interceptor that calls `listener` when undici is about to write the request
 * to a connected socket, which is when the connect phase ends.
 */
function onRequestStart(listener: () => void): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(options, {
      onRequestStart: (controller, context) => {
        listener();
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) =>
        handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) =>
        handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
}

function validTimeout(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`Invalid ${name} ${value}: expected a number of milliseconds above 0`);
  }
  return value;
}

/** Formats milliseconds for the log, such as `0 s`, `0.42 s` or `8 s`. */
function formatSeconds(milliseconds: number): string {
  return `${Math.round(milliseconds / 10) / 100} s`;
}

/**
 * Reads a response body of at most {@link MAX_RESPONSE_BYTES} and decodes it as UTF-8. A larger
 * body is not read to the end: the stream is destroyed, which closes the connection.
 */
async function readBodyText(
  body: Readable,
  contentLength: string | undefined,
  endpoint: string,
): Promise<string> {
  if (Number(contentLength) > MAX_RESPONSE_BYTES) {
    discard(body);
    throw new ResponseTooLargeError(endpoint, MAX_RESPONSE_BYTES);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_RESPONSE_BYTES) {
      discard(body);
      throw new ResponseTooLargeError(endpoint, MAX_RESPONSE_BYTES);
    }
    chunks.push(bytes);
  }
  // Decoding once at the end keeps a multi-byte character that is split across chunks intact.
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Destroys a body that is not read to the end, which aborts the request and its connection. */
function discard(body: Readable): void {
  // undici's body emits RequestAbortedError when it is destroyed, and without a listener that
  // error would be an uncaught exception.
  body.on('error', () => undefined);
  body.destroy();
}

function isTimeout(error: unknown): boolean {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return true;
  }
  const name = error instanceof Error ? error.name : '';
  return name === 'TimeoutError' || (name === 'AbortError' && isTimeout((error as Error).cause));
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    current = current.cause;
  }
  return undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerList(value: string | string[] | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function validAuthMethod(method: string): AuthMethod {
  if (!(AUTH_METHODS as readonly string[]).includes(method)) {
    throw new RangeError(`Invalid authMethod "${method}": expected signature or digest`);
  }
  return method as AuthMethod;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Environment variable that, when set to `1`, makes {@link validateEndpoint} reject every host
 * that is not loopback. It is meant for tests, benchmarks and the demo, so that they cannot reach
 * a real TCXC host, even with a default endpoint or before a setting has loaded.
 */
export const LOOPBACK_ONLY_VARIABLE = 'TCXC_LOOPBACK_ONLY';

/**
 * Returns the endpoint as a URL string, or throws when it is not an absolute HTTPS URL. Plain HTTP
 * is accepted only on loopback, where the local emulator runs. With `TCXC_LOOPBACK_ONLY=1` in the
 * environment, read at each call, only loopback hosts are accepted.
 */
export function validateEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new RangeError('Invalid endpoint: expected an absolute https:// URL');
  }
  if (url.username || url.password) {
    throw new RangeError('Invalid endpoint: it must not contain a user name or password');
  }
  const loopback = isLoopbackHost(url.hostname);
  if (process.env[LOOPBACK_ONLY_VARIABLE] === '1' && !loopback) {
    throw new RangeError(
      `Invalid endpoint "${url.origin}": ${LOOPBACK_ONLY_VARIABLE}=1 allows only loopback hosts`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new RangeError(
      `Invalid endpoint "${url.origin}": only https:// is allowed, or http:// on loopback`,
    );
  }
  return url.toString();
}

/** True for `localhost`, `[::1]` and four-part 127.x.x.x addresses, as `URL` normalizes them. */
function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Lists the forms in which a server could echo a secret back: as sent, upper case (hex
 * signatures), JSON-escaped, percent-encoded, form-encoded and HTML-escaped.
 */
export function secretForms(secret: string): string[] {
  if (secret === '') {
    return [];
  }
  const forms = [
    secret,
    secret.toUpperCase(),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(secret).slice(1, -1).replace(/\//g, '\\/'),
    asciiJson(secret),
    asciiJson(secret).replace(/\//g, '\\/'),
    encodeURIComponent(secret),
    new URLSearchParams({ value: secret }).toString().slice('value='.length),
    secret
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;'),
  ];
  // Sorted by length, longest first, so a longer encoding is replaced before a form it contains.
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** Writes text as a JSON string body with every character outside ASCII as a `\\u` escape. */
function asciiJson(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[^\x20-\x7e]/g, (character) => {
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
}

/** Replaces every occurrence of each form, compared without regular expressions. */
function redactAll(text: string, forms: readonly string[]): string {
  let result = text;
  for (const form of forms) {
    if (result.includes(form)) {
      result = result.split(form).join('[redacted]');
    }
  }
  return result;
}
