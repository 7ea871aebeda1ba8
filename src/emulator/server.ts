import { timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DigestAlgorithm } from '../client/digest';
import { CDR_CONTROLLER, signRequest } from '../client/signing';
import { generateCdrs, type RawCdr } from './dataset';
import {
  DEFAULT_DIGEST_NONCE_LIFETIME_MS,
  DEFAULT_DIGEST_REALM,
  DigestAuthority,
  type DigestCheck,
} from './digest';
import { faultReply, type EmulatorFault } from './faults';
import { parseCallHistoryFilter } from './params';
import { RateLimiter, type RateLimitOptions } from './rate-limit';
import { HTML_TYPE, jsonReply, successReply, withHeaders, type Reply } from './reply';
import { CdrStore } from './store';

export type { DigestAlgorithm } from '../client/digest';
export { DEFAULT_DIGEST_ALGORITHMS } from './digest';
export type { EmulatorFault, ServerErrorStatus } from './faults';
export type { RateLimitOptions } from './rate-limit';

/** Login of the emulator's default account. A public demo value, not a real TCXC login. */
export const DEMO_LOGIN = 'demo';
/** API key of the emulator's default account. A public demo value, not a real TCXC key. */
/**
 * API key of the demo account. TCXC_DEMO_API_KEY replaces it, so a test run can use a key that a
 * scan of its logs and files can recognise.
 */
export const DEMO_API_KEY = process.env.TCXC_DEMO_API_KEY || 'demo-api-key';

export const CALL_HISTORY_PATH = '/buyers/callhistory';
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 300;
export const DEFAULT_MAX_PAGE_SIZE = 10_000;
// NOTE: TCXC publishes no rate limits, so this default is a generous guess, not its real limit.
export const DEFAULT_RATE_LIMIT = { perSecond: 20, perHour: 10_000 } as const;
export const MAX_BODY_BYTES = 64 * 1024;
/** Number of most recent requests kept in `RunningEmulator.requests`. */
export const DEFAULT_REQUEST_LOG_LIMIT = 10_000;

export interface EmulatorAccount {
  readonly login: string;
  readonly apiKey: string;
}

/** A generated dataset: `count` calls over the `days` days that end at the emulator's start. */
export interface EmulatorDatasetOptions {
  readonly seed?: number;
  readonly count?: number;
  readonly days?: number;
}

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Default: one account, `DEMO_LOGIN` with `DEMO_API_KEY`. */
  readonly accounts?: readonly EmulatorAccount[];
  /** Records to serve; when given, `dataset` is ignored. */
  readonly cdrs?: readonly RawCdr[];
  /** Default: seed 1, 3000 calls over 7 days. */
  readonly dataset?: EmulatorDatasetOptions;
  /** Clock in milliseconds since the epoch, for `ts` checks, rate limits and the dataset's end. */
  readonly now?: () => number;
  /**
   * Seconds added to `now` for every use of the emulator's clock, the `Date` header included, to
   * play a server whose clock differs from the client's. Default 0.
   */
  readonly clockOffsetSeconds?: number;
  /** Sends a `Date` header from the emulator's clock on every response. Default true. */
  readonly sendDateHeader?: boolean;
  /** Faults for the first requests, one request each, in order. */
  readonly faults?: readonly EmulatorFault[];
  readonly maxClockSkewSeconds?: number;
  /** Default: `DEFAULT_RATE_LIMIT`; a limit of 0 is off. */
  readonly rateLimit?: RateLimitOptions;
  /** Delay in milliseconds added before each response. Default 0. */
  readonly latencyMs?: number;
  readonly maxPageSize?: number;
  readonly requestLogLimit?: number;
  /** Called after each response; the emulator itself prints nothing. */
  readonly onRequest?: (entry: EmulatorRequestLog) => void;
  /** Called with any unexpected error while handling a request, which then gets HTTP 500. */
  readonly onError?: (error: unknown) => void;
  /** PEM private key and certificate chain; when given, the emulator serves HTTPS, not HTTP. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /**
   * HTTP Digest algorithms to offer, one challenge each, in this order, such as
   * `DEFAULT_DIGEST_ALGORITHMS` (SHA-256, then MD5). Default none: HTTP Digest is off, and a
   * request without signature fields gets the `Wrong signature` result instead of a challenge.
   */
  readonly digestAlgorithms?: readonly DigestAlgorithm[];
  /** Time a Digest nonce stays valid after it is issued, in milliseconds. Default 5 minutes. */
  readonly digestNonceLifetimeMs?: number;
  /** Realm of the Digest challenges. Default `TCXC emulator`. */
  readonly digestRealm?: string;
}

/** The result of checking the HTTP Digest credentials of a request. */
export interface DigestLogEntry {
  /**
   * `challenged`: the request had no Digest credentials. `stale`: the response was right but the
   * nonce had expired. `rejected`: any other failure, named by `reason`.
   */
  readonly outcome: 'challenged' | 'accepted' | 'stale' | 'rejected';
  /** The `nc` value, when it was 8 hex digits. */
  readonly nonceCount?: number;
  readonly reason?: string;
}

/** One handled request. `params` has every request parameter except `signature`. */
export interface EmulatorRequestLog {
  /** Emulator clock, in milliseconds since the epoch, when the request arrived. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  /** HTTP status code of the response, or 0 when no response was sent. */
  readonly status: number;
  /** The fault played instead of the normal response, if any. */
  readonly fault?: EmulatorFault['type'];
  /** The `status` field of the JSON body; undefined for bodies without one, such as a 404. */
  readonly result?: 'success' | 'fail' | 'error';
  /** Records returned. */
  readonly count: number;
  /** Present for requests checked by HTTP Digest rather than by signature. */
  readonly digest?: DigestLogEntry;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT` with the `tls` option */
  readonly origin: string;
  /** `origin` + `/buyers/callhistory` */
  readonly endpoint: string;
  readonly port: number;
  /** The most recent requests, oldest first, up to `requestLogLimit`. */
  readonly requests: readonly EmulatorRequestLog[];
  /** Requests received since the start, faulted ones included. Unlike `requests`, never trimmed. */
  readonly requestCount: number;
  /** Number of faults queued for the next requests. */
  readonly pendingFaults: number;
  /** Queues `fault` for the next `count` requests, after the faults already queued. */
  injectFaults(fault: EmulatorFault, count?: number): void;
  /** Drops every queued fault. */
  clearFaults(): void;
  /** Changes `clockOffsetSeconds` for the requests that follow. */
  setClockOffset(seconds: number): void;
  /** Every served record, in the order it was added. */
  readonly cdrs: readonly RawCdr[];
  /** Appends records, for example new calls arriving while a client pages. */
  addCdrs(records: readonly RawCdr[]): void;
  /** Stops listening and closes every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

/** The parts of an HTTP request that decide the reply. */
interface ReceivedRequest {
  /** Emulator clock when the request arrived, in milliseconds since the epoch. */
  readonly arrival: number;
  readonly method: string;
  readonly path: string;
  /** The request target as received, which HTTP Digest credentials must name. */
  readonly target: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly bodyTooLarge: boolean;
  readonly params: ReadonlyMap<string, string>;
}

/**
 * The result of checking a request's credentials: the signed login (undefined when the signature
 * is wrong), or the Digest check (undefined when the request has no Digest credentials).
 */
type Authentication =
  | { readonly method: 'signature'; readonly login: string | undefined }
  | { readonly method: 'digest'; readonly check: DigestCheck | undefined };

const FORM_TYPE = 'application/x-www-form-urlencoded';
const DAY_MS = 86_400_000;
/** Form fields that mark a request as signed, so HTTP Digest does not apply to it. */
const SIGNATURE_FIELDS = ['ts', 'api_login', 'signature'];

/** Starts a local emulator of the TCXC buyer call-history API on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

class Emulator implements RunningEmulator {
  private readonly server: Server | HttpsServer;
  private readonly store: CdrStore;
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly accounts: readonly EmulatorAccount[];
  private readonly log: EmulatorRequestLog[] = [];
  private readonly faults: EmulatorFault[];
  private readonly digest: DigestAuthority | undefined;
  /** Each request's credentials are checked once, because a Digest nonce count counts once. */
  private readonly authentications = new WeakMap<ReceivedRequest, Authentication>();
  private receivedCount = 0;
  private clockOffsetMs = 0;
  private readonly pendingReplies = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;
  private listeningPort = 0;

  constructor(private readonly options: EmulatorOptions) {
    const clock = options.now ?? Date.now;
    this.setClockOffset(options.clockOffsetSeconds ?? 0);
    this.now = () => clock() + this.clockOffsetMs;
    this.faults = [...(options.faults ?? [])];
    this.accounts = options.accounts ?? [{ login: DEMO_LOGIN, apiKey: DEMO_API_KEY }];
    this.store = new CdrStore(options.cdrs ?? generateDataset(this.now(), options.dataset));
    const digestAlgorithms = options.digestAlgorithms ?? [];
    this.digest =
      digestAlgorithms.length === 0
        ? undefined
        : new DigestAuthority({
            realm: options.digestRealm ?? DEFAULT_DIGEST_REALM,
            algorithms: digestAlgorithms,
            nonceLifetimeMs: options.digestNonceLifetimeMs ?? DEFAULT_DIGEST_NONCE_LIFETIME_MS,
            now: this.now,
          });
    const rateLimit = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
    this.limiter = new RateLimiter(rateLimit.perSecond, rateLimit.perHour);
    const listener = (request: IncomingMessage, response: ServerResponse): void => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, error));
    };
    this.server = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
  }

  get port(): number {
    return this.listeningPort;
  }

  get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get endpoint(): string {
    return this.origin + CALL_HISTORY_PATH;
  }

  get requests(): readonly EmulatorRequestLog[] {
    return this.log;
  }

  get cdrs(): readonly RawCdr[] {
    return this.store.all;
  }

  get requestCount(): number {
    return this.receivedCount;
  }

  get pendingFaults(): number {
    return this.faults.length;
  }

  injectFaults(fault: EmulatorFault, count = 1): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`Invalid fault count ${count}: expected a whole number from 0`);
    }
    for (let index = 0; index < count; index++) {
      this.faults.push(fault);
    }
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  setClockOffset(seconds: number): void {
    if (!Number.isFinite(seconds)) {
      throw new RangeError(`Invalid clock offset ${seconds}: expected a finite number of seconds`);
    }
    this.clockOffsetMs = seconds * 1000;
  }

  addCdrs(records: readonly RawCdr[]): void {
    this.store.add(records);
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.listeningPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve, reject) => {
      for (const timer of this.pendingReplies) {
        clearTimeout(timer);
      }
      this.pendingReplies.clear();
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    const received: ReceivedRequest = {
      arrival: this.now(),
      method,
      path: url.pathname,
      target: request.url ?? '/',
      authorization: request.headers.authorization,
      contentType: request.headers['content-type'],
      bodyTooLarge: body.tooLarge,
      params: collectParams(url, body.text, method),
    };
    this.receivedCount++;
    const fault = this.faults.shift();
    if (fault !== undefined) {
      // A faulted request gets no normal response, but its credentials are checked so that the
      // secret scan learns its signature or Digest response, and its nonce count is used up.
      this.authenticationOf(received);
      this.playFault(fault, received, request, response);
      return;
    }
    const reply = this.route(received);
    this.record(received, reply);
    this.send(response, reply);
  }

  /** Responds to a request with `fault` instead of the normal response. */
  private playFault(
    fault: EmulatorFault,
    received: ReceivedRequest,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const noReply: Reply = { status: 0, headers: {}, body: '', count: 0 };
    switch (fault.type) {
      case 'noResponse':
        // The response stays pending until close() ends its connection.
        this.record(received, noReply, fault.type);
        return;
      case 'connectionReset':
        this.record(received, noReply, fault.type);
        resetConnection(request);
        return;
      case 'truncatedBody': {
        const reply = this.route(received);
        this.record(received, reply, fault.type);
        this.send(response, reply, true);
        return;
      }
      default: {
        const reply = faultReply(fault, () => this.route(received));
        this.record(received, reply, fault.type);
        this.send(response, reply);
      }
    }
  }

  private route(request: ReceivedRequest): Reply {
    const { method, path, contentType } = request;
    if (path !== CALL_HISTORY_PATH && path !== `${CALL_HISTORY_PATH}/`) {
      return notFoundReply(path);
    }
    if (method !== 'GET' && method !== 'POST') {
      return methodNotAllowedReply(method);
    }
    if (request.bodyTooLarge) {
      const message = `Request body too large: the limit is ${MAX_BODY_BYTES} bytes`;
      return jsonReply(413, 'error', message);
    }
    if (method === 'POST' && contentType !== undefined && !isFormType(contentType)) {
      const message = `Unsupported Content-Type ${contentType}: send parameters as ${FORM_TYPE}`;
      return jsonReply(200, 'error', message);
    }
    return this.answerCallHistory(request);
  }

  private answerCallHistory(request: ReceivedRequest): Reply {
    const { params, arrival } = request;
    const authentication = this.authenticationOf(request);
    let login: string | undefined;
    if (authentication.method === 'signature') {
      login = authentication.login;
      if (login === undefined) {
        return jsonReply(200, 'fail', 'Wrong signature');
      }
    } else {
      const check = authentication.check;
      if (check?.outcome !== 'accepted') {
        return this.digestChallengeReply(check);
      }
      login = check.login;
    }
    // Only authenticated requests count, so a stranger cannot use up an account's limits.
    const retryAfter = this.limiter.take(login, arrival);
    if (retryAfter !== undefined) {
      const reply = jsonReply(429, 'error', 'Rate limit exceeded');
      return withHeaders(reply, { 'Retry-After': String(retryAfter) });
    }
    const parsed = parseCallHistoryFilter(
      params,
      this.options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE,
    );
    if (!parsed.ok) {
      return jsonReply(200, 'error', parsed.message);
    }
    return successReply(this.store.query(parsed.filter));
  }

  /**
   * Returns the HTTP 401 reply with a new challenge. Its JSON body gives the reason: no
   * credentials, an expired nonce, or rejected credentials.
   */
  private digestChallengeReply(check: DigestCheck | undefined): Reply {
    const digest = this.digest as DigestAuthority;
    const stale = check?.outcome === 'stale';
    const message =
      check === undefined
        ? 'Authentication required'
        : stale
          ? 'Nonce expired'
          : 'Wrong login or API key';
    return withHeaders(jsonReply(401, 'fail', message), {
      'WWW-Authenticate': digest.challenge(stale),
    });
  }

  /**
   * Checks the credentials of `request` on the first call and returns the same result after.
   * `Authorization: Digest` credentials are checked by HTTP Digest. A request without them and
   * without signature fields gets a Digest challenge, unless HTTP Digest is off. Any other
   * request is checked by signature.
   */
  private authenticationOf(request: ReceivedRequest): Authentication {
    const known = this.authentications.get(request);
    if (known !== undefined) {
      return known;
    }
    let authentication: Authentication;
    const digestCredentials = /^digest(?:[ \t]|$)/i.test(request.authorization?.trimStart() ?? '');
    if (this.digest !== undefined && digestCredentials) {
      const check = this.digest.verify(
        request.authorization as string,
        request.method,
        request.target,
        (login) => this.accounts.find((account) => account.login === login)?.apiKey,
      );
      if (check.outcome === 'accepted') {
        recordSignatureForScan(check.response);
      }
      authentication = { method: 'digest', check };
    } else if (
      this.digest !== undefined &&
      SIGNATURE_FIELDS.every((name) => !request.params.has(name))
    ) {
      authentication = { method: 'digest', check: undefined };
    } else {
      authentication = { method: 'signature', login: this.checkSignature(request) };
    }
    this.authentications.set(request, authentication);
    return authentication;
  }

  /**
   * Returns the login when the request is signed with that account's key and `ts` is whole unix
   * seconds within the allowed clock skew. Every failure returns the same `Wrong signature` result.
   */
  private checkSignature({ params, arrival }: ReceivedRequest): string | undefined {
    const login = params.get('api_login') ?? '';
    const ts = params.get('ts') ?? '';
    const signature = params.get('signature') ?? '';
    const account = this.accounts.find((candidate) => candidate.login === login);
    if (account === undefined || !/^\d{1,15}$/.test(ts)) {
      return undefined;
    }
    const skew = this.options.maxClockSkewSeconds ?? DEFAULT_MAX_CLOCK_SKEW_SECONDS;
    if (Math.abs(Number(ts) - Math.floor(arrival / 1000)) > skew) {
      return undefined;
    }
    const expected = signRequest(CDR_CONTROLLER, account.apiKey, login, Number(ts));
    if (!equalInConstantTime(signature, expected)) {
      return undefined;
    }
    recordSignatureForScan(signature);
    return login;
  }

  private record(request: ReceivedRequest, reply: Reply, fault?: EmulatorFault['type']): void {
    const logEntry: EmulatorRequestLog = {
      time: request.arrival,
      method: request.method,
      path: request.path,
      params: this.redact(request.params),
      status: reply.status,
      result: reply.result,
      count: reply.count,
      ...(fault === undefined ? {} : { fault }),
      ...digestLogEntry(this.authentications.get(request)),
    };
    this.log.push(logEntry);
    const limit = this.options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT;
    if (this.log.length > limit) {
      this.log.splice(0, this.log.length - limit);
    }
    this.options.onRequest?.(logEntry);
  }

  /** Drops the signature, and masks any value equal to an API key a client sent by mistake. */
  private redact(params: ReadonlyMap<string, string>): Record<string, string> {
    const keys = new Set(this.accounts.map((account) => account.apiKey));
    const logged: Record<string, string> = {};
    for (const [name, value] of params) {
      if (name !== 'signature') {
        logged[name] = keys.has(value) ? '[redacted]' : value;
      }
    }
    return logged;
  }

  /**
   * Sends `reply` after the configured latency, with a `Date` header from the emulator's clock.
   * With `cutOff`, only the first half of the body is sent and the connection is then destroyed.
   */
  private send(response: ServerResponse, reply: Reply, cutOff = false): void {
    const write = (): void => {
      const body = Buffer.from(reply.body, 'utf8');
      const headers: Record<string, string> = { ...reply.headers };
      if (this.options.sendDateHeader === false) {
        response.sendDate = false;
      } else {
        headers.Date = new Date(this.now()).toUTCString();
      }
      headers['Content-Length'] = String(body.length);
      response.writeHead(reply.status, headers);
      if (cutOff) {
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
      } else {
        response.end(body);
      }
    };
    const latency = this.options.latencyMs ?? 0;
    if (latency <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      this.pendingReplies.delete(timer);
      write();
    }, latency);
    this.pendingReplies.add(timer);
  }

  private fail(response: ServerResponse, error: unknown): void {
    this.options.onError?.(error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    this.send(response, jsonReply(500, 'error', 'Internal emulator error'));
  }
}

/** Returns the `digest` field of a request log entry, or nothing for a signed request. */
function digestLogEntry(
  authentication: Authentication | undefined,
): { digest: DigestLogEntry } | Record<string, never> {
  if (authentication?.method !== 'digest') {
    return {};
  }
  const check = authentication.check;
  if (check === undefined) {
    return { digest: { outcome: 'challenged' } };
  }
  const digest: DigestLogEntry = {
    outcome: check.outcome,
    ...(check.nonceCount === undefined ? {} : { nonceCount: check.nonceCount }),
    ...(check.outcome === 'rejected' ? { reason: check.reason } : {}),
  };
  return { digest };
}

function generateDataset(nowMs: number, dataset: EmulatorDatasetOptions = {}): RawCdr[] {
  const days = dataset.days ?? 7;
  if (!(days > 0)) {
    throw new RangeError(`Invalid dataset days ${days}: expected a number above 0`);
  }
  return generateCdrs({
    seed: dataset.seed ?? 1,
    count: dataset.count ?? 3000,
    start: new Date(nowMs - days * DAY_MS),
    end: new Date(nowMs),
  });
}

/** Reads the body as UTF-8 text; past `MAX_BODY_BYTES` it keeps draining but stores nothing. */
async function readBody(request: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) {
      chunks.push(chunk as Buffer);
    }
  }
  const tooLarge = size > MAX_BODY_BYTES;
  return { text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge };
}

/**
 * Merges query-string and form-body parameters. A later value replaces an earlier one, so body
 * fields win over query fields of the same name.
 */
function collectParams(url: URL, body: string, method: string): Map<string, string> {
  const params = new Map<string, string>(url.searchParams);
  if (method === 'POST') {
    for (const [name, value] of new URLSearchParams(body)) {
      params.set(name, value);
    }
  }
  return params;
}

function isFormType(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === FORM_TYPE;
}

function equalInConstantTime(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Closes the connection of `request` with a TCP reset (RST), or plainly when it has no TCP handle. */
function resetConnection(request: IncomingMessage): void {
  try {
    request.socket.resetAndDestroy();
  } catch {
    // Node resets only a socket with its own TCP handle, which a TLS socket does not have.
    request.socket.destroy();
  }
}

function methodNotAllowedReply(method: string): Reply {
  const reply = jsonReply(405, 'error', `Method ${method} not allowed: use GET or POST`);
  return withHeaders(reply, { Allow: 'GET, POST' });
}

function notFoundReply(path: string): Reply {
  const escaped = path.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const body =
    '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>' +
    `<h1>Not Found</h1><p>The requested URL ${escaped} was not found on this server.</p>` +
    '</body></html>\n';
  return { status: 404, headers: { 'Content-Type': HTML_TYPE }, body, count: 0 };
}

/**
 * Appends a valid signature or Digest response to the file named by TCXC_SIGNATURE_LOG, so the
 * secret scan at the end of a test run can look for every one that was sent. Without the variable
 * it does nothing.
 */
function recordSignatureForScan(signature: string): void {
  const file = process.env.TCXC_SIGNATURE_LOG;
  if (file) {
    fs.appendFileSync(file, `${signature}\n`);
  }
}
