import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  AuthHeaderSyntaxError,
  DigestAlgorithm,
  MAX_NONCE_COUNT,
  computeDigestResponse,
  parseAuthChallenges,
  parseDigestAlgorithm,
  quoteString,
  readDigestUsername,
} from '../client/digest';

/** Realm of the emulator's Digest challenges. */
export const DEFAULT_DIGEST_REALM = 'TCXC emulator';
/** Time a Digest nonce stays valid after the emulator issued it, in milliseconds. */
export const DEFAULT_DIGEST_NONCE_LIFETIME_MS = 300_000;
/** Algorithms that the command-line emulator offers by default, one challenge each, in order. */
export const DEFAULT_DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];
/** Maximum number of nonces stored at once. Issuing one more drops the oldest. */
const MAX_LIVE_NONCES = 10_000;

export interface DigestAuthorityOptions {
  readonly realm: string;
  /** Algorithms to offer, one challenge each; at least one. */
  readonly algorithms: readonly DigestAlgorithm[];
  readonly nonceLifetimeMs: number;
  /** Clock in milliseconds since the epoch. */
  readonly now: () => number;
}

/**
 * The outcome of checking an `Authorization: Digest` field. `stale` means the response is right
 * for its nonce but the nonce expired or is unknown, so the client may respond to a new challenge
 * without asking the user again. `rejected` names the reason for the request log.
 */
export type DigestCheck =
  | {
      readonly outcome: 'accepted';
      readonly login: string;
      readonly nonceCount: number;
      readonly response: string;
    }
  | { readonly outcome: 'stale'; readonly login: string; readonly nonceCount: number }
  | { readonly outcome: 'rejected'; readonly reason: string; readonly nonceCount?: number };

interface NonceRecord {
  readonly issuedAt: number;
  /** Nonce counts already accepted. Any order is accepted, because requests run in parallel. */
  readonly usedCounts: Set<number>;
}

/**
 * The server side of HTTP Digest (RFC 7616, qop=auth) for the emulator: it issues challenges and
 * checks credentials. Nonces expire after `nonceLifetimeMs`, and each nonce count of a nonce is
 * accepted once, so a replayed request is rejected.
 */
export class DigestAuthority {
  private readonly nonces = new Map<string, NonceRecord>();
  /** Sent unchanged in every challenge; the client must return it. */
  private readonly opaque = randomBytes(16).toString('base64');

  constructor(private readonly options: DigestAuthorityOptions) {
    if (options.algorithms.length === 0) {
      throw new RangeError('Invalid Digest algorithms: expected at least one');
    }
    if (!(options.nonceLifetimeMs > 0)) {
      throw new RangeError(
        `Invalid Digest nonce lifetime ${options.nonceLifetimeMs}: expected milliseconds above 0`,
      );
    }
  }

  /**
   * Issues a new nonce and returns the WWW-Authenticate field value: one challenge per offered
   * algorithm, separated by commas, all with the same nonce. With `stale`, each challenge contains
   * `stale=true`.
   */
  challenge(stale: boolean): string {
    const nonce = this.issueNonce();
    return this.options.algorithms
      .map((algorithm) =>
        [
          `Digest realm=${quoteString(this.options.realm)}`,
          'qop="auth"',
          `algorithm=${algorithm}`,
          `nonce=${quoteString(nonce)}`,
          `opaque=${quoteString(this.opaque)}`,
          ...(stale ? ['stale=true'] : []),
        ].join(', '),
      )
      .join(', ');
  }

  /**
   * Checks the value of an Authorization field that starts with `Digest`. `target` is the
   * request target as received, `lookupKey` returns the API key of a login. Marks the nonce
   * count as used when the response is right, so each request can be accepted only once.
   */
  verify(
    field: string,
    method: string,
    target: string,
    lookupKey: (login: string) => string | undefined,
  ): DigestCheck {
    let params: ReadonlyMap<string, string>;
    try {
      const credentials = parseAuthChallenges(field);
      if (credentials.length !== 1 || credentials[0].scheme !== 'digest') {
        return { outcome: 'rejected', reason: 'not a single set of Digest credentials' };
      }
      params = credentials[0].params;
    } catch (error) {
      if (error instanceof AuthHeaderSyntaxError) {
        return { outcome: 'rejected', reason: error.message };
      }
      throw error;
    }
    const nonceCountText = params.get('nc') ?? '';
    const nonceCount = /^[0-9a-f]{8}$/i.test(nonceCountText)
      ? parseInt(nonceCountText, 16)
      : undefined;
    const problem = this.findFieldProblem(params, target, nonceCount);
    if (problem !== undefined) {
      return { outcome: 'rejected', reason: problem, nonceCount };
    }
    const count = nonceCount as number;
    const login = readDigestUsername(params) as string;
    const key = lookupKey(login);
    const received = params.get('response') as string;
    const expected =
      key === undefined
        ? undefined
        : computeDigestResponse({
            algorithm: parseDigestAlgorithm(params.get('algorithm') ?? 'MD5') as DigestAlgorithm,
            username: login,
            password: key,
            realm: this.options.realm,
            nonce: params.get('nonce') as string,
            cnonce: params.get('cnonce') as string,
            nonceCount: nonceCountText,
            method,
            uri: params.get('uri') as string,
          });
    if (expected === undefined || !equalInConstantTime(received.toLowerCase(), expected)) {
      return { outcome: 'rejected', reason: 'wrong user name or password', nonceCount: count };
    }
    const record = this.liveNonce(params.get('nonce') as string);
    if (record === undefined) {
      return { outcome: 'stale', login, nonceCount: count };
    }
    if (record.usedCounts.has(count)) {
      return {
        outcome: 'rejected',
        reason: `nonce count ${nonceCountText} was already used`,
        nonceCount: count,
      };
    }
    record.usedCounts.add(count);
    return { outcome: 'accepted', login, nonceCount: count, response: expected };
  }

  /** Returns why the credential fields cannot be accepted, or undefined when they can. */
  private findFieldProblem(
    params: ReadonlyMap<string, string>,
    target: string,
    nonceCount: number | undefined,
  ): string | undefined {
    for (const name of ['realm', 'nonce', 'uri', 'response', 'qop', 'cnonce']) {
      if (!params.get(name)) {
        return `missing ${name}`;
      }
    }
    if (readDigestUsername(params) === undefined) {
      return 'missing or invalid username';
    }
    if (nonceCount === undefined || nonceCount < 1 || nonceCount > MAX_NONCE_COUNT) {
      return 'nc is not 8 hex digits from 00000001';
    }
    if (params.get('realm') !== this.options.realm) {
      return 'wrong realm';
    }
    if (params.get('opaque') !== this.opaque) {
      return 'wrong or missing opaque';
    }
    if (params.get('qop') !== 'auth') {
      return 'qop is not auth';
    }
    const algorithm = parseDigestAlgorithm(params.get('algorithm') ?? 'MD5');
    if (algorithm === undefined || !this.options.algorithms.includes(algorithm)) {
      return 'algorithm not offered';
    }
    if (!sameTarget(params.get('uri') as string, target)) {
      return 'uri does not match the request target';
    }
    return undefined;
  }

  private issueNonce(): string {
    const now = this.options.now();
    for (const [nonce, record] of this.nonces) {
      // Map iteration follows insertion order, so the oldest nonces come first.
      if (
        this.nonces.size < MAX_LIVE_NONCES &&
        now - record.issuedAt < this.options.nonceLifetimeMs
      ) {
        break;
      }
      this.nonces.delete(nonce);
    }
    const nonce = randomBytes(24).toString('base64');
    this.nonces.set(nonce, { issuedAt: now, usedCounts: new Set() });
    return nonce;
  }

  /** Returns the record of a nonce this emulator issued and that has not expired. */
  private liveNonce(nonce: string): NonceRecord | undefined {
    const record = this.nonces.get(nonce);
    if (record === undefined) {
      return undefined;
    }
    if (this.options.now() - record.issuedAt >= this.options.nonceLifetimeMs) {
      this.nonces.delete(nonce);
      return undefined;
    }
    return record;
  }
}

/**
 * True when the `uri` of the credentials names the request target: the same text, or the
 * absolute form's path and query that a proxy may have sent instead.
 */
function sameTarget(uri: string, target: string): boolean {
  if (uri === target) {
    return true;
  }
  try {
    const absolute = new URL(target);
    return uri === absolute.pathname + absolute.search;
  } catch {
    return false;
  }
}

function equalInConstantTime(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
