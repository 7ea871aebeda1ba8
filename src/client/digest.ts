import { createHash, randomBytes } from 'node:crypto';

/*
 * HTTP Digest access authentication (RFC 7616) for the TCXC client and the emulator: parsing of
 * WWW-Authenticate and Authorization fields, the response computation, and the client's nonce
 * state. Only qop=auth is implemented. A challenge without qop (the RFC 2069 compatibility mode)
 * is rejected, because that mode has no client nonce and no nonce count.
 */

/** Digest algorithms in the client's order of preference, strongest first. */
export const DIGEST_ALGORITHMS = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
] as const;

export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** Largest nonce count: `nc` is 8 hex digits. */
export const MAX_NONCE_COUNT = 0xffff_ffff;

const HASH_NAMES: Readonly<Record<string, string>> = {
  'SHA-512-256': 'sha512-256',
  'SHA-256': 'sha256',
  MD5: 'md5',
};

/** One challenge of a WWW-Authenticate field, or the credentials of an Authorization field. */
export interface AuthChallenge {
  /** Scheme in lower case, such as `digest` or `basic`. */
  readonly scheme: string;
  /** Parameters by lower-case name, with quoted strings unescaped. */
  readonly params: ReadonlyMap<string, string>;
  /** The token68 form, such as the credentials of `Basic`, when the scheme uses it. */
  readonly token68?: string;
}

/** A WWW-Authenticate or Authorization field that does not follow the RFC 9110 grammar. */
export class AuthHeaderSyntaxError extends Error {}

/** A 401 response whose challenges contain no Digest challenge this client can respond to. */
export class DigestChallengeError extends Error {}

const TOKEN_CHARACTER = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
/** token68 after a scheme, when it is the whole rest of the challenge. */
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(?:,|$))/y;

/**
 * Parses a WWW-Authenticate or Authorization field value into its challenges, in order. Several
 * challenges may share one field, separated by commas, as RFC 9110 section 11.6.1 allows. Empty
 * list elements are skipped, and a parameter may follow the previous one without a comma. Throws
 * AuthHeaderSyntaxError for an unterminated quoted string, a parameter without a value or a
 * scheme, a parameter that occurs twice in one challenge, or any other character out of place.
 */
export function parseAuthChallenges(field: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let current: { params: Map<string, string>; acceptsParams: boolean } | undefined;
  let position = 0;
  for (;;) {
    position = skipWhile(field, position, /[ \t,]/);
    if (position >= field.length) {
      return challenges;
    }
    const name = readToken(field, position);
    if (name === '') {
      throw syntaxError(position, 'expected a scheme or a parameter name');
    }
    const afterName = skipWhile(field, position + name.length, /[ \t]/);
    if (field[afterName] !== '=') {
      const params = new Map<string, string>();
      TOKEN68.lastIndex = afterName;
      const token68 = TOKEN68.exec(field)?.[0];
      challenges.push({ scheme: name.toLowerCase(), params, ...(token68 ? { token68 } : {}) });
      current = { params, acceptsParams: token68 === undefined };
      position = token68 ? afterName + token68.length : afterName;
      continue;
    }
    if (current === undefined || !current.acceptsParams) {
      throw syntaxError(position, `parameter ${name} does not follow a scheme`);
    }
    const key = name.toLowerCase();
    if (current.params.has(key)) {
      throw syntaxError(position, `parameter ${name} occurs twice in one challenge`);
    }
    const value = readParamValue(field, skipWhile(field, afterName + 1, /[ \t]/));
    current.params.set(key, value.text);
    position = value.end;
    const next = skipWhile(field, position, /[ \t]/);
    if (next < field.length && field[next] !== ',' && next === position) {
      throw syntaxError(position, `unexpected character after the value of ${name}`);
    }
  }
}

function skipWhile(text: string, position: number, pattern: RegExp): number {
  let index = position;
  while (index < text.length && pattern.test(text[index])) {
    index++;
  }
  return index;
}

function readToken(text: string, position: number): string {
  return text.slice(position, skipWhile(text, position, TOKEN_CHARACTER));
}

/** Reads a token or a quoted string at `position`, replacing each `\` escape by its character. */
function readParamValue(text: string, position: number): { text: string; end: number } {
  if (text[position] !== '"') {
    const token = readToken(text, position);
    if (token === '') {
      throw syntaxError(position, 'expected a token or a quoted string after =');
    }
    return { text: token, end: position + token.length };
  }
  let value = '';
  for (let index = position + 1; index < text.length; index++) {
    const character = text[index];
    if (character === '"') {
      return { text: value, end: index + 1 };
    }
    if (character === '\\') {
      index++;
      if (index >= text.length) {
        break;
      }
    }
    value += text[index];
  }
  throw syntaxError(position, 'unterminated quoted string');
}

function syntaxError(position: number, reason: string): AuthHeaderSyntaxError {
  return new AuthHeaderSyntaxError(
    `Invalid authentication field at character ${position}: ${reason}`,
  );
}

/** The parts of a Digest challenge that the client uses. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  readonly algorithm: DigestAlgorithm;
  /** True when the server rejected the previous request only because its nonce had expired. */
  readonly stale: boolean;
}

/**
 * Parses every WWW-Authenticate field of a 401 response and returns the Digest challenge to
 * respond to: the one with the strongest algorithm of {@link DIGEST_ALGORITHMS}, the first one
 * among equals. Parameters that the client does not use (domain, charset, userhash and unknown
 * ones) are ignored. Throws AuthHeaderSyntaxError for a malformed field, and DigestChallengeError
 * when no challenge is usable, with the reason of the first Digest challenge found.
 */
export function selectDigestChallenge(fields: readonly string[]): DigestChallenge {
  const challenges = fields.flatMap((field) => parseAuthChallenges(field));
  const digests = challenges.filter((challenge) => challenge.scheme === 'digest');
  if (digests.length === 0) {
    const schemes = challenges.map((challenge) => challenge.scheme);
    throw new DigestChallengeError(
      schemes.length === 0
        ? 'HTTP 401 without a WWW-Authenticate challenge'
        : `HTTP 401 without a Digest challenge (WWW-Authenticate offers ${schemes.join(', ')})`,
    );
  }
  const candidates = digests.map(readDigestChallenge);
  const usable = candidates.filter((candidate) => typeof candidate !== 'string');
  if (usable.length === 0) {
    throw new DigestChallengeError(candidates[0] as string);
  }
  const rank = (challenge: DigestChallenge): number =>
    DIGEST_ALGORITHMS.indexOf(challenge.algorithm);
  return usable.reduce((best, challenge) => (rank(challenge) < rank(best) ? challenge : best));
}

/** Returns the usable parts of one Digest challenge, or the reason the client cannot use it. */
function readDigestChallenge(challenge: AuthChallenge): DigestChallenge | string {
  const { params } = challenge;
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || nonce === undefined || nonce === '') {
    return 'the Digest challenge has no realm or no nonce';
  }
  const qop = params.get('qop');
  if (qop === undefined) {
    return 'the Digest challenge has no qop (RFC 2069 mode), which this client does not support';
  }
  const qops = qop.split(',').map((option) => option.trim().toLowerCase());
  if (!qops.includes('auth')) {
    return `the Digest challenge offers qop ${qop} but this client supports only qop auth`;
  }
  const algorithm = parseDigestAlgorithm(params.get('algorithm') ?? 'MD5');
  if (algorithm === undefined) {
    return `the Digest challenge uses algorithm ${params.get('algorithm')}, which is not supported`;
  }
  return {
    realm,
    nonce,
    opaque: params.get('opaque'),
    algorithm,
    stale: params.get('stale')?.toLowerCase() === 'true',
  };
}

/** Returns the algorithm named by `name`, compared without regard to case, or undefined. */
export function parseDigestAlgorithm(name: string): DigestAlgorithm | undefined {
  const upper = name.toUpperCase();
  return DIGEST_ALGORITHMS.find((algorithm) => algorithm.toUpperCase() === upper);
}

/** The inputs of the Digest `response` value for qop=auth. */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly cnonce: string;
  /** `nc` as sent: 8 lowercase hex digits. */
  readonly nonceCount: string;
  readonly method: string;
  readonly uri: string;
}

/**
 * Computes the `response` value of RFC 7616 section 3.4.1 for qop=auth, in lowercase hex. For a
 * `-sess` algorithm, the first hash also covers the nonce and the client nonce (section 3.4.2).
 */
export function computeDigestResponse(input: DigestResponseInput): string {
  const session = input.algorithm.endsWith('-sess');
  const hash = hasher(input.algorithm);
  const userHash = hash(`${input.username}:${input.realm}:${input.password}`);
  const a1Hash = session ? hash(`${userHash}:${input.nonce}:${input.cnonce}`) : userHash;
  const a2Hash = hash(`${input.method}:${input.uri}`);
  return hash(`${a1Hash}:${input.nonce}:${input.nonceCount}:${input.cnonce}:auth:${a2Hash}`);
}

function hasher(algorithm: DigestAlgorithm): (text: string) => string {
  const name = HASH_NAMES[algorithm.replace(/-sess$/, '')];
  return (text) => createHash(name).update(text, 'utf8').digest('hex');
}

/** Formats a nonce count as `nc` sends it: 8 lowercase hex digits, such as `00000001`. */
export function formatNonceCount(count: number): string {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_NONCE_COUNT) {
    throw new RangeError(`Invalid nonce count ${count}: expected 1 to ${MAX_NONCE_COUNT}`);
  }
  return count.toString(16).padStart(8, '0');
}

/** Writes `value` as an RFC 9110 quoted string, escaping `"` and `\`. */
export function quoteString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Returns the username parameter: `username="..."` when the name is printable ASCII, otherwise
 * `username*=UTF-8''...` in the RFC 8187 encoding that RFC 7616 section 3.4.4 prescribes.
 */
function usernameParam(username: string): string {
  if (/^[\x20-\x7e]*$/.test(username)) {
    return `username=${quoteString(username)}`;
  }
  const encoded = encodeURIComponent(username).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `username*=UTF-8''${encoded}`;
}

/**
 * Returns the user name of Digest credentials from `username`, or from `username*` in the RFC 8187
 * `UTF-8''` form. Returns undefined when neither is present or `username*` is malformed.
 */
export function readDigestUsername(params: ReadonlyMap<string, string>): string | undefined {
  const extended = params.get('username*');
  if (extended === undefined) {
    return params.get('username');
  }
  const match = /^UTF-8'[^']*'(.*)$/i.exec(extended);
  if (match === null) {
    return undefined;
  }
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** The Authorization field of one request and the secret it contains. */
export interface DigestAuthorization {
  /** The whole field value, starting with `Digest`. */
  readonly header: string;
  /** The `response` value, which must be redacted like the password. */
  readonly response: string;
  /** The nonce of the challenge that the field responds to. */
  readonly nonce: string;
  readonly nonceCount: number;
}

/**
 * The client's Digest state for one user: the challenge in use and its nonce count. A nonce is
 * reused for every later request, each with the next `nc`, until the server sends a new one.
 * `authorize` increments the count synchronously, so requests that run at the same time still
 * get distinct, increasing counts for the same nonce.
 */
export class DigestSession {
  private challenge: DigestChallenge | undefined;
  private nonceCount = 0;
  // The password lives only in this closure, so inspecting the session cannot reveal it.
  private readonly respond: (input: Omit<DigestResponseInput, 'password'>) => string;

  constructor(
    private readonly username: string,
    password: string,
    private readonly createCnonce: () => string = () => randomBytes(16).toString('hex'),
  ) {
    this.respond = (input) => computeDigestResponse({ ...input, password });
  }

  /**
   * Builds the Authorization field of the next request with the next nonce count. Returns
   * undefined before the first challenge, and after the nonce count of the current nonce ran out,
   * so that the request fetches a new challenge.
   */
  authorize(method: string, uri: string): DigestAuthorization | undefined {
    const challenge = this.challenge;
    if (challenge === undefined || this.nonceCount >= MAX_NONCE_COUNT) {
      this.challenge = undefined;
      return undefined;
    }
    this.nonceCount++;
    const nonceCount = formatNonceCount(this.nonceCount);
    const cnonce = this.createCnonce();
    const { algorithm, realm, nonce } = challenge;
    const response = this.respond({
      algorithm,
      username: this.username,
      realm,
      nonce,
      cnonce,
      nonceCount,
      method,
      uri,
    });
    const params = [
      usernameParam(this.username),
      `realm=${quoteString(realm)}`,
      `uri=${quoteString(uri)}`,
      `algorithm=${algorithm}`,
      `nonce=${quoteString(nonce)}`,
      `nc=${nonceCount}`,
      `cnonce=${quoteString(cnonce)}`,
      'qop=auth',
      `response=${quoteString(response)}`,
      ...(challenge.opaque === undefined ? [] : [`opaque=${quoteString(challenge.opaque)}`]),
    ];
    return { header: `Digest ${params.join(', ')}`, response, nonce, nonceCount: this.nonceCount };
  }

  /**
   * Takes the challenge of a 401 response for later requests. `rejectedNonce` is the nonce that
   * the rejected request used, or undefined when it sent no credentials. When the session has
   * moved on to another nonce since that request was sent, the newer nonce in use is kept.
   * The nonce count restarts at 1 only when the nonce changes.
   */
  adopt(challenge: DigestChallenge, rejectedNonce: string | undefined): void {
    if (this.challenge?.nonce !== rejectedNonce) {
      return;
    }
    if (this.challenge?.nonce !== challenge.nonce) {
      this.nonceCount = 0;
    }
    this.challenge = challenge;
  }
}
