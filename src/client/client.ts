import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request } from 'undici';
import {
  CancelledError,
  NetworkError,
  ResponseTooLargeError,
  TcxcError,
  TimeoutError,
  isTcxcError,
} from './errors';
import { PageWindow, buildCdrForm, describeQuery } from './form';
import { CdrQuery } from './query';
import { RawResponse, parseCdrResponse } from './response';
import { CDR_CONTROLLER, signRequest, toUnixSeconds } from './signing';

/** The documented production endpoint of the buyer call-history API. */
export const DEFAULT_ENDPOINT = 'https://api.telecomsxchange.com/buyers/callhistory';
export const DEFAULT_TIMEOUT_MS = 30_000;

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

export interface ClientOptions {
  readonly endpoint: string;
  readonly credentials: TcxcCredentials;
  /** Limit for one whole request, connection to last body byte, in milliseconds. */
  readonly timeoutMs?: number;
  readonly logger?: ClientLogger;
  /** Clock in milliseconds; tests set it to simulate clock offsets. */
  readonly now?: () => number;
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

/**
 * The only code that talks to the TCXC API. Each request is a signed POST form sent through a
 * keep-alive agent that belongs to this client, so undici's global dispatcher stays untouched.
 */
export class TcxcClient implements PageSource {
  readonly endpoint: string;
  readonly login: string;
  private readonly timeoutMs: number;
  private readonly logger: ClientLogger | undefined;
  private readonly now: () => number;
  private readonly agent: Agent;
  // The key lives only in this closure, so inspecting or serializing the client cannot reveal it.
  private readonly sign: (ts: number) => string;
  private readonly redactKey: (text: string) => string;

  constructor(options: ClientOptions) {
    this.endpoint = validateEndpoint(options.endpoint);
    this.login = options.credentials.login;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    const { apiKey, login } = options.credentials;
    this.sign = (ts) => signRequest(CDR_CONTROLLER, apiKey, login, ts);
    this.redactKey = (text) => (apiKey ? text.split(apiKey).join('[redacted]') : text);
    this.agent = new Agent({
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: this.timeoutMs },
    });
  }

  /** Fetches one page of `query`; without a window the server returns every matching record. */
  async fetchPage(query: FixedQuery, window?: PageWindow, signal?: AbortSignal): Promise<RawPage> {
    const started = performance.now();
    const ts = toUnixSeconds(this.now());
    const signature = this.sign(ts);
    const redact = (text: string): string =>
      this.redactKey(text).split(signature).join('[redacted]');
    const form = buildCdrForm(query, { ts, login: this.login, signature }, window);
    const description = `${CDR_CONTROLLER} ${describeQuery(query, window)}`;
    try {
      const response = await this.post(form.toString(), signal, redact);
      const records = parseCdrResponse(response, redact, this.now());
      const elapsedMs = Math.round(performance.now() - started);
      this.logger?.info(
        `${description}: HTTP ${response.statusCode} in ${elapsedMs} ms, ${records.length} records`,
      );
      return { records, window, elapsedMs };
    } catch (error) {
      const failure = this.toTcxcError(error, signal, redact);
      const elapsedMs = Math.round(performance.now() - started);
      this.logger?.warn(`${description}: failed after ${elapsedMs} ms: ${failure.message}`);
      throw failure;
    }
  }

  /** Closes the keep-alive connections. */
  async dispose(): Promise<void> {
    await this.agent.close();
  }

  private async post(
    body: string,
    signal: AbortSignal | undefined,
    redact: (text: string) => string,
  ): Promise<RawResponse> {
    const response = await this.send(body, signal);
    let text: string;
    try {
      const contentLength = headerText(response.headers['content-length']);
      text = await readBodyText(response.body, contentLength, this.endpoint);
    } catch (error) {
      // The server was reached, so a failure here must not read as "Could not reach".
      throw this.toTcxcError(error, signal, redact, true);
    }
    return {
      statusCode: response.statusCode,
      contentType: headerText(response.headers['content-type']),
      retryAfter: headerText(response.headers['retry-after']),
      body: text,
    };
  }

  /** Sends the form and resolves when the response headers have arrived. */
  private send(body: string, signal: AbortSignal | undefined) {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    return request(this.endpoint, {
      dispatcher: this.agent,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body,
      signal: combined,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  private toTcxcError(
    error: unknown,
    signal: AbortSignal | undefined,
    redact: (text: string) => string,
    afterHeaders = false,
  ): TcxcError {
    if (isTcxcError(error)) {
      return error;
    }
    if (signal?.aborted) {
      return new CancelledError();
    }
    if (isTimeout(error)) {
      return new TimeoutError(this.endpoint, this.timeoutMs);
    }
    const code = errorCode(error);
    const detail = error instanceof Error ? error.message : String(error);
    return new NetworkError(this.endpoint, code, redact(detail), afterHeaders);
  }
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
