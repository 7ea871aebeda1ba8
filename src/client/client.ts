import { Agent, errors as undiciErrors, request } from 'undici';
import { CancelledError, NetworkError, TcxcError, TimeoutError, isTcxcError } from './errors';
import { PageWindow, buildCdrForm, describeQuery } from './form';
import { CdrQuery } from './query';
import { parseCdrResponse } from './response';
import { CDR_CONTROLLER, signRequest, toUnixSeconds } from './signing';

/** The documented production endpoint of the buyer call-history API. */
export const DEFAULT_ENDPOINT = 'https://api.telecomsxchange.com/buyers/callhistory';
export const DEFAULT_TIMEOUT_MS = 30_000;

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
      const response = await this.post(form.toString(), signal);
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

  private async post(body: string, signal: AbortSignal | undefined) {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const response = await request(this.endpoint, {
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
    const text = await response.body.text();
    return {
      statusCode: response.statusCode,
      contentType: headerText(response.headers['content-type']),
      retryAfter: headerText(response.headers['retry-after']),
      body: text,
    };
  }

  private toTcxcError(
    error: unknown,
    signal: AbortSignal | undefined,
    redact: (text: string) => string,
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
    return new NetworkError(this.endpoint, code, redact(detail));
  }
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
 * Returns the endpoint as a URL string, or throws when it is not an absolute HTTPS URL. Plain HTTP
 * is accepted only on loopback, where the local emulator runs.
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
  const loopback =
    LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new RangeError(
      `Invalid endpoint "${url.origin}": only https:// is allowed, or http:// on loopback`,
    );
  }
  return url.toString();
}
