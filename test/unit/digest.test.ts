import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { FixedQuery, TcxcClient } from '../../src/client/client';
import { fetchAllConcurrently } from '../../src/client/concurrentPaging';
import {
  AuthHeaderSyntaxError,
  DigestChallenge,
  DigestChallengeError,
  DigestSession,
  computeDigestResponse,
  formatNonceCount,
  parseAuthChallenges,
  quoteString,
  readDigestUsername,
  selectDigestChallenge,
} from '../../src/client/digest';
import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  DigestAuthenticationError,
  DigestNotAcceptedError,
  HttpError,
} from '../../src/client/errors';
import { fetchAllCdrs } from '../../src/client/paging';
import { DigestAuthority } from '../../src/emulator/digest';
import {
  DEFAULT_DIGEST_ALGORITHMS,
  DEMO_API_KEY,
  DEMO_LOGIN,
  EmulatorOptions,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { FIXED_NOW, RecordingLogger, WHOLE_DATASET_QUERY, failureOf } from './clientTestKit';
import { startTestProxy } from './testProxy';

/** The inputs of the worked examples of RFC 7616, section 3.9.1. */
const RFC_EXAMPLE = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nonceCount: '00000001',
  method: 'GET',
  uri: '/dir/index.html',
};

const API_KEY = 'digest-KEY-0123456789';
const LOGIN = 'digest-buyer';
const DAY_MS = 86_400_000;

const NO_WAIT = (): Promise<void> => Promise.resolve();

function hex(algorithm: string, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

function challengeOf(overrides: Partial<DigestChallenge> = {}): DigestChallenge {
  return {
    realm: 'r',
    nonce: 'nonce-1',
    opaque: 'opaque-1',
    algorithm: 'SHA-256',
    stale: false,
    ...overrides,
  };
}

/** Returns the parameters of an Authorization field that the session built. */
function paramsOf(header: string): ReadonlyMap<string, string> {
  const [credentials] = parseAuthChallenges(header);
  assert.equal(credentials.scheme, 'digest');
  return credentials.params;
}

describe('computeDigestResponse', () => {
  it('matches RFC 7616 MD5 example', () => {
    // RFC 7616, section 3.9.1, prints this response for algorithm MD5.
    const response = computeDigestResponse({ ...RFC_EXAMPLE, algorithm: 'MD5' });
    assert.equal(response, '8ca523f5e9506fed4657c9700eebdbec');
  });

  it('matches RFC 7616 SHA-256 example', () => {
    // RFC 7616, section 3.9.1, prints this response for algorithm SHA-256.
    const response = computeDigestResponse({ ...RFC_EXAMPLE, algorithm: 'SHA-256' });
    assert.equal(response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it('folds nonces into A1 for -sess', () => {
    const { username, realm, password, nonce, cnonce, nonceCount, method, uri } = RFC_EXAMPLE;
    for (const [algorithm, hash] of [
      ['MD5-sess', 'md5'],
      ['SHA-256-sess', 'sha256'],
      ['SHA-512-256-sess', 'sha512-256'],
    ] as const) {
      const a1 = hex(hash, `${hex(hash, `${username}:${realm}:${password}`)}:${nonce}:${cnonce}`);
      const a2 = hex(hash, `${method}:${uri}`);
      const expected = hex(hash, `${a1}:${nonce}:${nonceCount}:${cnonce}:auth:${a2}`);
      assert.equal(computeDigestResponse({ ...RFC_EXAMPLE, algorithm }), expected, algorithm);
    }
  });

  it('formats nonce counts as 8 hex digits', () => {
    assert.equal(formatNonceCount(1), '00000001');
    assert.equal(formatNonceCount(255), '000000ff');
    assert.equal(formatNonceCount(0xffffffff), 'ffffffff');
    assert.throws(() => formatNonceCount(0), RangeError);
    assert.throws(() => formatNonceCount(0x100000000), RangeError);
    assert.throws(() => formatNonceCount(1.5), RangeError);
  });
});

describe('parseAuthChallenges', () => {
  it('unescapes quoted strings', () => {
    const [challenge] = parseAuthChallenges(
      'Digest realm="a \\"quoted\\" \\\\ realm, with comma", nonce=abc',
    );
    assert.equal(challenge.params.get('realm'), 'a "quoted" \\ realm, with comma');
    assert.equal(challenge.params.get('nonce'), 'abc');
  });

  it('splits several challenges in one field', () => {
    const challenges = parseAuthChallenges(
      'Basic realm="basic", Digest realm="one", nonce="n1", qop="auth, auth-int", ' +
        'Digest realm="two", nonce="n2"',
    );
    assert.deepEqual(
      challenges.map((challenge) => challenge.scheme),
      ['basic', 'digest', 'digest'],
    );
    assert.equal(challenges[0].params.get('realm'), 'basic');
    assert.equal(challenges[1].params.get('qop'), 'auth, auth-int');
    assert.equal(challenges[2].params.get('nonce'), 'n2');
  });

  it('reads token68 challenges', () => {
    const challenges = parseAuthChallenges('Negotiate abc/+==, Digest realm="r"');
    assert.equal(challenges.length, 2);
    assert.equal(challenges[0].scheme, 'negotiate');
    assert.equal(challenges[0].token68, 'abc/+==');
    assert.equal(challenges[1].params.get('realm'), 'r');
  });

  it('reads schemes without parameters', () => {
    const challenges = parseAuthChallenges('Negotiate, NTLM, Digest realm="r"');
    assert.deepEqual(
      challenges.map((challenge) => challenge.scheme),
      ['negotiate', 'ntlm', 'digest'],
    );
  });

  it('ignores case of names', () => {
    const [challenge] = parseAuthChallenges('DIGEST Realm="R", NONCE="N", Stale=TRUE');
    assert.equal(challenge.scheme, 'digest');
    assert.equal(challenge.params.get('realm'), 'R');
    assert.equal(challenge.params.get('nonce'), 'N');
    assert.equal(challenge.params.get('stale'), 'TRUE');
  });

  it('skips empty elements and whitespace', () => {
    const [challenge] = parseAuthChallenges(' , Digest  realm = "r" ,, nonce\t=\t"n" , ');
    assert.equal(challenge.params.get('realm'), 'r');
    assert.equal(challenge.params.get('nonce'), 'n');
  });

  it('accepts parameters without commas', () => {
    const [challenge] = parseAuthChallenges('Digest realm="r" nonce="n"');
    assert.equal(challenge.params.get('nonce'), 'n');
  });

  it('rejects malformed fields', () => {
    const cases: [string, string][] = [
      ['unterminated quote', 'Digest realm="r, nonce="n'],
      ['escape at end', 'Digest realm="r\\'],
      ['duplicate parameter', 'Digest realm="a", realm="b"'],
      ['parameter first', 'realm="r", Digest nonce="n"'],
      ['missing value', 'Digest realm=, nonce="n"'],
      ['junk after quote', 'Digest realm="r"x, nonce="n"'],
      ['parameter after token68', 'Basic abc=, realm="r"'],
      ['bad character', 'Digest realm="r", @'],
    ];
    for (const [name, field] of cases) {
      assert.throws(() => parseAuthChallenges(field), AuthHeaderSyntaxError, name);
    }
  });

  it('returns nothing for an empty field', () => {
    assert.deepEqual(parseAuthChallenges(''), []);
    assert.deepEqual(parseAuthChallenges(' , '), []);
  });
});

describe('selectDigestChallenge', () => {
  const base = 'realm="r", qop="auth", nonce="n", opaque="o"';

  it('prefers SHA-256 to MD5', () => {
    const inOneField = selectDigestChallenge([
      `Digest ${base}, algorithm=MD5, Digest ${base}, algorithm=SHA-256`,
    ]);
    assert.equal(inOneField.algorithm, 'SHA-256');
    const inTwoFields = selectDigestChallenge([
      `Digest ${base}, algorithm=MD5`,
      `Digest ${base}, algorithm=SHA-256`,
    ]);
    assert.equal(inTwoFields.algorithm, 'SHA-256');
  });

  it('defaults to MD5 without algorithm', () => {
    const challenge = selectDigestChallenge([`Digest ${base}`]);
    assert.deepEqual(challenge, {
      realm: 'r',
      nonce: 'n',
      opaque: 'o',
      algorithm: 'MD5',
      stale: false,
    });
  });

  it('ignores unknown parameters', () => {
    const challenge = selectDigestChallenge([
      `Digest ${base}, domain="/a /b", charset=UTF-8, userhash=false, future="x, y", x=1`,
    ]);
    assert.equal(challenge.nonce, 'n');
    assert.equal(challenge.algorithm, 'MD5');
  });

  it('reads stale without regard to case', () => {
    assert.equal(selectDigestChallenge([`Digest ${base}, stale=TRUE`]).stale, true);
    assert.equal(selectDigestChallenge([`Digest ${base}, stale="true"`]).stale, true);
    assert.equal(selectDigestChallenge([`Digest ${base}, stale=false`]).stale, false);
  });

  it('skips unsupported challenges', () => {
    const challenge = selectDigestChallenge([
      'Basic realm="x"',
      `Digest ${base}, algorithm=SHA-3000`,
      `Digest realm="r", nonce="n2"`,
      `Digest ${base}, algorithm=md5-sess`,
    ]);
    assert.equal(challenge.algorithm, 'MD5-sess');
  });

  it('accepts auth among several qop', () => {
    const challenge = selectDigestChallenge(['Digest realm="r", nonce="n", qop="auth-int, auth"']);
    assert.equal(challenge.nonce, 'n');
  });

  it('explains unusable challenges', () => {
    const cases: [string, string[], RegExp][] = [
      ['no qop', ['Digest realm="r", nonce="n"'], /no qop \(RFC 2069 mode\)/],
      ['auth-int only', ['Digest realm="r", nonce="n", qop="auth-int"'], /only qop auth/],
      ['unknown algorithm', [`Digest ${base}, algorithm=SHA-1`], /algorithm SHA-1/],
      ['no nonce', ['Digest realm="r", qop="auth"'], /no realm or no nonce/],
      ['only Basic', ['Basic realm="x"', 'Bearer'], /offers basic, bearer/],
      ['no field', [], /without a WWW-Authenticate challenge/],
    ];
    for (const [name, fields, message] of cases) {
      assert.throws(() => selectDigestChallenge(fields), DigestChallengeError, name);
      assert.throws(() => selectDigestChallenge(fields), message, name);
    }
  });
});

describe('DigestSession', () => {
  it('waits for a challenge', () => {
    const session = new DigestSession('user', 'password');
    assert.equal(session.authorize('POST', '/path'), undefined);
  });

  it('increments the nonce count', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf(), undefined);
    const counts = [1, 2, 3].map(() => paramsOf(session.authorize('POST', '/p')!.header).get('nc'));
    assert.deepEqual(counts, ['00000001', '00000002', '00000003']);
  });

  it('builds an RFC 7616 Authorization field', () => {
    let cnonces = 0;
    const session = new DigestSession('us"er', 'password', () => `cnonce-${++cnonces}`);
    session.adopt(challengeOf({ realm: 'a "realm"' }), undefined);
    const authorization = session.authorize('POST', '/buyers/callhistory')!;
    const { header } = authorization;
    assert.ok(header.startsWith('Digest '), header);
    // RFC 7616 forbids quoting algorithm, qop and nc.
    assert.match(header, /, algorithm=SHA-256,/);
    assert.match(header, /, qop=auth,/);
    assert.match(header, /, nc=00000001,/);
    const params = paramsOf(header);
    assert.equal(params.get('username'), 'us"er');
    assert.equal(params.get('realm'), 'a "realm"');
    assert.equal(params.get('uri'), '/buyers/callhistory');
    assert.equal(params.get('nonce'), 'nonce-1');
    assert.equal(params.get('cnonce'), 'cnonce-1');
    assert.equal(params.get('opaque'), 'opaque-1');
    const expected = computeDigestResponse({
      algorithm: 'SHA-256',
      username: 'us"er',
      password: 'password',
      realm: 'a "realm"',
      nonce: 'nonce-1',
      cnonce: 'cnonce-1',
      nonceCount: '00000001',
      method: 'POST',
      uri: '/buyers/callhistory',
    });
    assert.equal(params.get('response'), expected);
    assert.equal(authorization.response, expected);
    assert.equal(authorization.nonceCount, 1);
  });

  it('leaves out a missing opaque', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf({ opaque: undefined }), undefined);
    assert.equal(paramsOf(session.authorize('POST', '/p')!.header).has('opaque'), false);
  });

  it('uses a new random cnonce each time', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf(), undefined);
    const first = paramsOf(session.authorize('POST', '/p')!.header).get('cnonce');
    const second = paramsOf(session.authorize('POST', '/p')!.header).get('cnonce');
    assert.match(first ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(first, second);
  });

  it('restarts the count for a new nonce', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf({ nonce: 'first' }), undefined);
    const used = session.authorize('POST', '/p')!;
    session.authorize('POST', '/p');
    session.adopt(challengeOf({ nonce: 'second', stale: true }), used.nonce);
    const next = session.authorize('POST', '/p')!;
    assert.equal(next.nonce, 'second');
    assert.equal(next.nonceCount, 1);
  });

  it('keeps the count for the same nonce', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf(), undefined);
    const used = session.authorize('POST', '/p')!;
    session.adopt(challengeOf(), used.nonce);
    assert.equal(session.authorize('POST', '/p')!.nonceCount, 2);
  });

  it('keeps a newer nonce', () => {
    const session = new DigestSession('user', 'password');
    session.adopt(challengeOf({ nonce: 'first' }), undefined);
    const old = session.authorize('POST', '/p')!;
    session.adopt(challengeOf({ nonce: 'second' }), old.nonce);
    // A late 401 to the request with the first nonce, or to one without credentials.
    session.adopt(challengeOf({ nonce: 'third' }), old.nonce);
    session.adopt(challengeOf({ nonce: 'fourth' }), undefined);
    assert.equal(session.authorize('POST', '/p')!.nonce, 'second');
  });

  it('encodes a non-ASCII user name', () => {
    const session = new DigestSession('Jäsøn Doe', 'password');
    session.adopt(challengeOf(), undefined);
    const header = session.authorize('POST', '/p')!.header;
    assert.match(header, /^Digest username\*=UTF-8''J%C3%A4s%C3%B8n%20Doe, /);
    assert.equal(readDigestUsername(paramsOf(header)), 'Jäsøn Doe');
  });

  it('hides the password from inspection', () => {
    const session = new DigestSession('user', 'hidden-password-123');
    session.adopt(challengeOf(), undefined);
    assert.ok(!inspect(session, { depth: 5, showHidden: true }).includes('hidden-password-123'));
    assert.ok(!JSON.stringify(session).includes('hidden-password-123'));
  });
});

describe('DigestAuthority', () => {
  let clock = FIXED_NOW;
  const keys = new Map([['alice', 'alice-key']]);
  const lookup = (login: string): string | undefined => keys.get(login);

  function authority(algorithms: DigestChallenge['algorithm'][] = ['SHA-256', 'MD5']) {
    return new DigestAuthority({
      realm: 'emulator realm',
      algorithms,
      nonceLifetimeMs: 60_000,
      now: () => clock,
    });
  }

  /** Returns a session that took a challenge of `digest`, with `change` applied to it. */
  function sessionFor(
    digest: DigestAuthority,
    password = 'alice-key',
    change: Partial<DigestChallenge> = {},
  ): DigestSession {
    const session = new DigestSession('alice', password);
    session.adopt({ ...selectDigestChallenge([digest.challenge(false)]), ...change }, undefined);
    return session;
  }

  beforeEach(() => {
    clock = FIXED_NOW;
  });

  it('offers one challenge per algorithm', () => {
    const challenges = parseAuthChallenges(authority().challenge(false));
    assert.deepEqual(
      challenges.map((challenge) => challenge.params.get('algorithm')),
      ['SHA-256', 'MD5'],
    );
    assert.equal(challenges[0].params.get('nonce'), challenges[1].params.get('nonce'));
    assert.equal(challenges[0].params.get('qop'), 'auth');
    assert.equal(challenges[0].params.get('stale'), undefined);
    assert.equal(parseAuthChallenges(authority().challenge(true))[0].params.get('stale'), 'true');
  });

  it('accepts each nonce count once', () => {
    const digest = authority();
    const session = sessionFor(digest);
    const first = session.authorize('POST', '/buyers/callhistory')!;
    const second = session.authorize('POST', '/buyers/callhistory')!;
    // The second request may arrive first, because requests run in parallel.
    const later = digest.verify(second.header, 'POST', '/buyers/callhistory', lookup);
    const earlier = digest.verify(first.header, 'POST', '/buyers/callhistory', lookup);
    const replay = digest.verify(first.header, 'POST', '/buyers/callhistory', lookup);
    assert.equal(later.outcome, 'accepted');
    assert.equal(earlier.outcome, 'accepted');
    assert.deepEqual(replay, {
      outcome: 'rejected',
      reason: 'nonce count 00000001 was already used',
      nonceCount: 1,
    });
  });

  it('marks an expired nonce stale', () => {
    const digest = authority();
    const session = sessionFor(digest);
    clock += 60_000;
    const check = digest.verify(session.authorize('POST', '/x')!.header, 'POST', '/x', lookup);
    assert.equal(check.outcome, 'stale');
  });

  it('rejects a wrong password even when stale', () => {
    const digest = authority();
    const session = sessionFor(digest, 'wrong-key');
    const fresh = digest.verify(session.authorize('POST', '/x')!.header, 'POST', '/x', lookup);
    clock += 60_000;
    const expired = digest.verify(session.authorize('POST', '/x')!.header, 'POST', '/x', lookup);
    assert.equal(fresh.outcome, 'rejected');
    assert.equal(expired.outcome, 'rejected');
  });

  it('rejects wrong fields', () => {
    const digest = authority(['SHA-256']);
    const cases: [string, DigestSession, string, string][] = [
      ['realm', sessionFor(digest, 'alice-key', { realm: 'other' }), '/x', 'wrong realm'],
      ['opaque', sessionFor(digest, 'alice-key', { opaque: 'x' }), '/x', 'wrong or missing opaque'],
      ['algorithm', sessionFor(digest, 'alice-key', { algorithm: 'MD5' }), '/x', 'not offered'],
      ['nonce', sessionFor(digest, 'alice-key', { nonce: 'forged' }), '/x', 'stale'],
      ['uri', sessionFor(digest), '/other', 'uri does not match the request target'],
    ];
    for (const [name, session, target, expected] of cases) {
      const check = digest.verify(session.authorize('POST', '/x')!.header, 'POST', target, lookup);
      const outcome = check.outcome === 'rejected' ? check.reason : check.outcome;
      assert.ok(outcome.includes(expected), `${name}: ${outcome}`);
    }
  });

  it('rejects malformed credentials', () => {
    const digest = authority();
    const cases = ['Digest realm="unterminated', 'Basic YWxpY2U6a2V5', 'Digest username="alice"'];
    for (const field of cases) {
      assert.equal(digest.verify(field, 'POST', '/x', lookup).outcome, 'rejected', field);
    }
  });
});

describe('TcxcClient with HTTP Digest against emulator', () => {
  const running: RunningEmulator[] = [];
  const clients: TcxcClient[] = [];

  async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = await startEmulator({
      dataset: { seed: 5, count: 300, days: 3 },
      now: () => FIXED_NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
      accounts: [{ login: LOGIN, apiKey: API_KEY }],
      digestAlgorithms: DEFAULT_DIGEST_ALGORITHMS,
      ...options,
    });
    running.push(emulator);
    return emulator;
  }

  function digestClient(
    emulator: RunningEmulator,
    options: {
      apiKey?: string;
      logger?: RecordingLogger;
      delays?: number[];
      extra?: Partial<ConstructorParameters<typeof TcxcClient>[0]>;
    } = {},
  ): TcxcClient {
    const client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: LOGIN, apiKey: options.apiKey ?? API_KEY },
      authMethod: 'digest',
      now: () => FIXED_NOW,
      logger: options.logger,
      sleep: (ms) => {
        options.delays?.push(ms);
        return Promise.resolve();
      },
      ...options.extra,
    });
    clients.push(client);
    return client;
  }

  function digestOutcomes(emulator: RunningEmulator): string[] {
    return emulator.requests.map((entry) => {
      const digest = entry.digest;
      const count = digest?.nonceCount === undefined ? '' : ` ${digest.nonceCount}`;
      return `${entry.status} ${digest?.outcome ?? 'signature'}${count}`;
    });
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  it('fetches with SHA-256', async () => {
    const emulator = await start();
    const logger = new RecordingLogger();
    const page = await digestClient(emulator, { logger }).fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
    assert.deepEqual(digestOutcomes(emulator), ['401 challenged', '200 accepted 1']);
    assert.deepEqual(Object.keys(emulator.requests[1].params).sort(), [
      'date_from',
      'date_to',
      'prefix',
      'show',
    ]);
    assert.equal(logger.lines.length, 1, logger.lines.join('\n'));
  });

  it('fetches with MD5', async () => {
    const emulator = await start({ digestAlgorithms: ['MD5'] });
    const page = await digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
    assert.deepEqual(digestOutcomes(emulator), ['401 challenged', '200 accepted 1']);
  });

  it('fetches with session algorithms', async () => {
    for (const algorithm of ['MD5-sess', 'SHA-256-sess', 'SHA-512-256'] as const) {
      const emulator = await start({ digestAlgorithms: [algorithm] });
      const page = await digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY);
      assert.equal(page.records.length, 300, algorithm);
    }
  });

  it('answers a realm with quotes', async () => {
    const emulator = await start({ digestRealm: 'TCXC "quoted" \\ realm, with comma' });
    const page = await digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
  });

  it('reuses the nonce with increasing nc', async () => {
    const emulator = await start();
    const client = digestClient(emulator);
    for (let index = 0; index < 4; index++) {
      await client.fetchPage(WHOLE_DATASET_QUERY, { offset: index * 10, pageSize: 10 });
    }
    assert.deepEqual(digestOutcomes(emulator), [
      '401 challenged',
      '200 accepted 1',
      '200 accepted 2',
      '200 accepted 3',
      '200 accepted 4',
    ]);
  });

  it('explains a server without Digest', async () => {
    const emulator = await start({ digestAlgorithms: [] });

    const error = await failureOf(() => digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY));

    assert.ok(error instanceof DigestNotAcceptedError, String(error));
    assert.match(error.message, /as a server without HTTP Digest does/);
    assert.doesNotMatch(error.message, /clock/);
    assert.equal(emulator.requestCount, 1);
  });

  it('fails once on wrong password', async () => {
    const emulator = await start();
    const delays: number[] = [];
    const client = digestClient(emulator, { apiKey: 'wrong-key-0000000', delays });
    const error = await failureOf(() => client.fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof DigestAuthenticationError, String(error));
    assert.ok(error instanceof AuthenticationError);
    assert.equal(
      error.message,
      'TCXC rejected the login or API key (HTTP Digest). Check the login and API key (TCXC ' +
        'portal, Preferences).',
    );
    assert.equal(error.attempts, 1);
    assert.deepEqual(delays, []);
    assert.deepEqual(digestOutcomes(emulator), ['401 challenged', '401 rejected 1']);
    const again = await failureOf(() => client.fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(again instanceof DigestAuthenticationError);
    assert.equal(emulator.requestCount, 3);
  });

  it('fails on an unknown login', async () => {
    const emulator = await start({ accounts: [{ login: 'someone-else', apiKey: API_KEY }] });
    const error = await failureOf(() => digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof DigestAuthenticationError, String(error));
    assert.equal(emulator.requestCount, 2);
  });

  it('renews a stale nonce', async () => {
    let clock = FIXED_NOW;
    const emulator = await start({ now: () => clock, digestNonceLifetimeMs: 60_000 });
    const logger = new RecordingLogger();
    const client = digestClient(emulator, { logger });
    await client.fetchPage(WHOLE_DATASET_QUERY);
    clock += 60_000;
    const page = await client.fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
    assert.deepEqual(digestOutcomes(emulator), [
      '401 challenged',
      '200 accepted 1',
      '401 stale 2',
      '200 accepted 1',
    ]);
    assert.ok(
      logger.lines.includes(
        'info: The HTTP Digest nonce expired, so the request is sent again with a new one',
      ),
      logger.lines.join('\n'),
    );
    assert.ok(!logger.lines.some((line) => line.startsWith('warn:')), logger.lines.join('\n'));
  });

  it('gives up on a second stale nonce', async () => {
    let clock = FIXED_NOW;
    // Each reading of the clock moves it past the nonce lifetime, so every nonce is stale.
    const emulator = await start({ now: () => (clock += 10), digestNonceLifetimeMs: 1 });
    const error = await failureOf(() => digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof BadResponseError, String(error));
    assert.match(error.message, /renewed HTTP Digest nonce stale as well/);
    assert.equal(error.attempts, 1);
    assert.deepEqual(digestOutcomes(emulator), ['401 challenged', '401 stale 1', '401 stale 1']);
  });

  it('fetches pages concurrently', async () => {
    const emulator = await start({ dataset: { seed: 9, count: 900, days: 3 } });
    const client = digestClient(emulator);
    const result = await fetchAllConcurrently(client, WHOLE_DATASET_QUERY, 50, {
      concurrency: 4,
    });
    assert.equal(result.records.length, 900);
    assert.equal(new Set(result.records.map((record) => record.key)).size, 900);
    const entries = emulator.requests;
    assert.equal(entries.filter((entry) => entry.digest?.outcome === 'challenged').length, 1);
    const accepted = entries.filter((entry) => entry.digest?.outcome === 'accepted');
    // Pages requested ahead past the last one are sent too, so there may be more than `pages`.
    assert.ok(accepted.length >= result.pages, `${accepted.length} < ${result.pages}`);
    const counts = accepted.map((entry) => entry.digest?.nonceCount);
    assert.equal(new Set(counts).size, counts.length, `repeated nc: ${counts.join(',')}`);
    assert.equal(entries.length, accepted.length + 1);
  });

  it('starts parallel requests without a nonce', async () => {
    const emulator = await start();
    const client = digestClient(emulator);
    const pages = await Promise.all(
      [0, 1, 2, 3, 4].map((index) =>
        client.fetchPage(WHOLE_DATASET_QUERY, { offset: index * 20, pageSize: 20 }),
      ),
    );
    assert.deepEqual(
      pages.map((page) => page.records.length),
      [20, 20, 20, 20, 20],
    );
    const accepted = emulator.requests.filter((entry) => entry.digest?.outcome === 'accepted');
    assert.equal(accepted.length, 5);
    const counts = accepted.map((entry) => entry.digest?.nonceCount).sort();
    assert.deepEqual(counts, [1, 2, 3, 4, 5]);
  });

  it('applies faults to digest requests', async () => {
    const emulator = await start();
    const delays: number[] = [];
    const client = digestClient(emulator, { delays });
    emulator.injectFaults({ type: 'serverError', status: 503 });
    await client.fetchPage(WHOLE_DATASET_QUERY);
    emulator.injectFaults({ type: 'connectionReset' });
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 2 });
    const page = await client.fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
    assert.deepEqual(
      emulator.requests.map((entry) => entry.fault ?? '-'),
      ['serverError', '-', '-', 'connectionReset', 'rateLimit', '-'],
    );
    assert.deepEqual(digestOutcomes(emulator).slice(1), [
      '401 challenged',
      '200 accepted 1',
      '0 accepted 2',
      '429 accepted 3',
      '200 accepted 4',
    ]);
    assert.equal(delays.length, 3);
    assert.equal(delays[2], 2000);
  });

  it('retries a timed-out request', async () => {
    const emulator = await start();
    const client = digestClient(emulator, { extra: { responseTimeoutMs: 300 } });
    await client.fetchPage(WHOLE_DATASET_QUERY);
    emulator.injectFaults({ type: 'noResponse' });
    const page = await client.fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(page.records.length, 300);
    assert.deepEqual(digestOutcomes(emulator), [
      '401 challenged',
      '200 accepted 1',
      '0 accepted 2',
      '200 accepted 3',
    ]);
  });

  it('fetches through an HTTP proxy', async () => {
    const emulator = await start();
    const proxy = await startTestProxy();
    try {
      const client = digestClient(emulator, {
        extra: { proxy: { url: proxy.origin, strictSSL: true, noProxy: [] } },
      });
      const page = await client.fetchPage(WHOLE_DATASET_QUERY);
      assert.equal(page.records.length, 300);
      assert.equal(proxy.forwarded, 2);
      assert.deepEqual(digestOutcomes(emulator), ['401 challenged', '200 accepted 1']);
    } finally {
      await Promise.all(clients.splice(0).map((client) => client.dispose()));
      await proxy.close();
    }
  });

  it('serves signed clients alongside', async () => {
    const emulator = await start();
    const signed = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      now: () => FIXED_NOW,
    });
    clients.push(signed);
    await signed.fetchPage(WHOLE_DATASET_QUERY);
    await digestClient(emulator).fetchPage(WHOLE_DATASET_QUERY);
    assert.deepEqual(digestOutcomes(emulator), [
      '200 signature',
      '401 challenged',
      '200 accepted 1',
    ]);
  });

  it('fetches all pages with fetchAllCdrs', async () => {
    const emulator = await start();
    const query: FixedQuery = {
      ...WHOLE_DATASET_QUERY,
      dateFrom: new Date(FIXED_NOW - DAY_MS),
    };
    const cdrs = await fetchAllCdrs(digestClient(emulator), query, 25);
    const expected = emulator.cdrs.filter(
      (record) => record.connect_time >= '2024-06-14 12:00:00',
    ).length;
    assert.equal(cdrs.length, expected);
  });
});

describe('emulator HTTP Digest responses', () => {
  const running: RunningEmulator[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  async function post(
    emulator: RunningEmulator,
    body: URLSearchParams,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: body.toString(),
    });
  }

  const FILTER = new URLSearchParams({
    show: 'all',
    date_from: '2024-06-12 12:00:00',
    date_to: '2024-06-15 12:00:00',
  });

  it('challenges a request without credentials', async () => {
    const emulator = await startEmulator({ now: () => FIXED_NOW, digestAlgorithms: ['SHA-256'] });
    running.push(emulator);
    const response = await post(emulator, FILTER, { authorization: 'Basic ZGVtbzpkZW1v' });
    assert.equal(response.status, 401);
    const challenge = selectDigestChallenge([response.headers.get('www-authenticate') ?? '']);
    assert.equal(challenge.algorithm, 'SHA-256');
    assert.equal(challenge.stale, false);
    assert.deepEqual(await response.json(), { status: 'fail', error: 'Authentication required' });
  });

  it('answers a replayed request with 401', async () => {
    const emulator = await startEmulator({ now: () => FIXED_NOW, digestAlgorithms: ['MD5'] });
    running.push(emulator);
    const first = await post(emulator, FILTER);
    const session = new DigestSession(DEMO_LOGIN, DEMO_API_KEY);
    session.adopt(selectDigestChallenge([first.headers.get('www-authenticate') ?? '']), undefined);
    const { header } = session.authorize('POST', '/buyers/callhistory')!;
    const accepted = await post(emulator, FILTER, { authorization: header });
    const replayed = await post(emulator, FILTER, { authorization: header });
    assert.equal(accepted.status, 200);
    assert.equal(replayed.status, 401);
    const renewed = selectDigestChallenge([replayed.headers.get('www-authenticate') ?? '']);
    assert.equal(renewed.stale, false);
    assert.equal(emulator.requests[2].digest?.reason, 'nonce count 00000001 was already used');
  });

  it('keeps Wrong signature by default', async () => {
    const emulator = await startEmulator({ now: () => FIXED_NOW });
    running.push(emulator);
    const response = await post(emulator, FILTER);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('www-authenticate'), null);
    assert.deepEqual(await response.json(), { status: 'fail', error: 'Wrong signature' });
  });

  it('checks signature fields by signature', async () => {
    const emulator = await startEmulator({ now: () => FIXED_NOW, digestAlgorithms: ['MD5'] });
    running.push(emulator);
    const unsigned = new URLSearchParams(FILTER);
    unsigned.set('api_login', DEMO_LOGIN);
    const response = await post(emulator, unsigned);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'fail', error: 'Wrong signature' });
  });
});

/**
 * A node:http server for the Digest cases the emulator does not play. Its handler receives each
 * request with its Authorization field and the authority that checks it.
 */
class DigestTestServer {
  readonly authorizations: string[] = [];
  readonly authority = new DigestAuthority({
    realm: 'test realm',
    algorithms: ['MD5', 'SHA-256'],
    nonceLifetimeMs: 60_000,
    now: () => FIXED_NOW,
  });
  private readonly server: Server;

  constructor(
    private readonly handler: (
      request: IncomingMessage,
      response: ServerResponse,
      server: DigestTestServer,
    ) => void,
  ) {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (request.headers.authorization !== undefined) {
          this.authorizations.push(request.headers.authorization);
        }
        this.handler(request, response, this);
      });
    });
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/buyers/callhistory`;
  }

  async listen(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  /** Checks the request's credentials against the test account; undefined without credentials. */
  check(request: IncomingMessage): string | undefined {
    const field = request.headers.authorization;
    if (field === undefined) {
      return undefined;
    }
    const lookup = (login: string): string | undefined => (login === LOGIN ? API_KEY : undefined);
    return this.authority.verify(field, request.method ?? '', request.url ?? '', lookup).outcome;
  }

  /** Returns the `response` values of every Authorization field received. */
  responses(): string[] {
    return this.authorizations.map((field) => paramsOf(field).get('response') ?? '');
  }
}

/** Returns the `response` value of the request's Authorization field. */
function responseOf(request: IncomingMessage): string {
  return paramsOf(request.headers.authorization ?? '').get('response') ?? '';
}

function sendChallenge(response: ServerResponse, fields: string[], body = ''): void {
  response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': fields });
  response.end(body);
}

/** Splits the authority's challenge into one field per challenge, as separate header lines. */
function separateFields(field: string): string[] {
  return parseAuthChallenges(field).map((challenge) => {
    const params = [...challenge.params].map(([name, value]) =>
      name === 'algorithm' ? `${name}=${value}` : `${name}=${quoteString(value)}`,
    );
    return `Digest ${params.join(', ')}`;
  });
}

describe('TcxcClient with HTTP Digest against test server', () => {
  const servers: DigestTestServer[] = [];
  const clients: TcxcClient[] = [];

  async function serve(
    handler: (request: IncomingMessage, response: ServerResponse, server: DigestTestServer) => void,
  ): Promise<DigestTestServer> {
    const server = await new DigestTestServer(handler).listen();
    servers.push(server);
    return server;
  }

  function clientFor(server: DigestTestServer, logger?: RecordingLogger): TcxcClient {
    const client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      authMethod: 'digest',
      logger,
      retry: { maxRetries: 0 },
      sleep: NO_WAIT,
    });
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('reads challenges from several fields', async () => {
    const server = await serve((request, response, self) => {
      const outcome = self.check(request);
      if (outcome === 'accepted') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"status":"success","cdrs":[]}');
        return;
      }
      sendChallenge(response, [
        'Basic realm="test realm"',
        ...separateFields(self.authority.challenge(false)),
      ]);
    });
    await clientFor(server).fetchPage(WHOLE_DATASET_QUERY);
    assert.equal(server.authorizations.length, 1);
    assert.equal(paramsOf(server.authorizations[0]).get('algorithm'), 'SHA-256');
  });

  it('redacts the key and responses', async () => {
    let echo: (request: IncomingMessage, response: ServerResponse) => void = () => undefined;
    const server = await serve((request, response, self) => {
      if (self.check(request) === undefined) {
        sendChallenge(response, [self.authority.challenge(false)]);
        return;
      }
      echo(request, response);
    });
    const logger = new RecordingLogger();
    const client = clientFor(server, logger);
    const echoes: [string, (request: IncomingMessage, response: ServerResponse) => void][] = [
      [
        'API error',
        (request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          const message = `key=${API_KEY} response=${responseOf(request)}`;
          response.end(JSON.stringify({ status: 'error', message }));
        },
      ],
      [
        'HTML page',
        (request, response) => {
          response.writeHead(500, { 'content-type': 'text/html' });
          response.end(`<p>${API_KEY} ${responseOf(request).toUpperCase()}</p>`);
        },
      ],
      [
        'rejection',
        (request, response) => {
          const body = `${request.headers.authorization} ${API_KEY}`;
          sendChallenge(response, [server.authority.challenge(false)], body);
        },
      ],
    ];
    const errors: Error[] = [];
    for (const [, reply] of echoes) {
      echo = reply;
      errors.push(await failureOf(() => client.fetchPage(WHOLE_DATASET_QUERY)));
    }
    assert.ok(errors[0] instanceof ApiError, String(errors[0]));
    assert.ok(errors[1] instanceof HttpError, String(errors[1]));
    assert.ok(errors[2] instanceof DigestAuthenticationError, String(errors[2]));
    assert.equal(
      errors[0].message,
      'The TCXC API returned an error: key=[redacted] response=[redacted]',
    );
    assert.equal(errors[1].message, 'HTTP 500 from the TCXC endpoint: [redacted] [redacted]');
    const responses = server.responses();
    assert.equal(responses.length, 3);
    const secrets = [API_KEY, ...responses, ...responses.map((value) => value.toUpperCase())];
    const texts = [
      ...errors.map((error) => error.message),
      ...logger.lines,
      inspect(client, { depth: 6, showHidden: true }),
    ];
    for (const secret of secrets) {
      for (const text of texts) {
        assert.ok(!text.includes(secret), `secret found in: ${text}`);
      }
    }
  });

  it('rejects credentials answered without a challenge', async () => {
    const server = await serve((request, response, self) => {
      if (self.check(request) === undefined) {
        sendChallenge(response, [self.authority.challenge(false)]);
        return;
      }
      response.writeHead(401, { 'content-type': 'text/plain' });
      response.end('denied');
    });
    const error = await failureOf(() => clientFor(server).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof DigestAuthenticationError, String(error));
    assert.equal(server.authorizations.length, 1);
  });

  it('rejects RFC 2069 challenges', async () => {
    const server = await serve((_request, response) => {
      sendChallenge(response, ['Digest realm="old", nonce="abc"']);
    });
    const error = await failureOf(() => clientFor(server).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof BadResponseError, String(error));
    assert.match(error.message, /no qop \(RFC 2069 mode\), which this client does not support/);
    assert.equal(server.authorizations.length, 0);
  });

  it('explains a server without Digest', async () => {
    const server = await serve((_request, response) => {
      sendChallenge(response, ['Basic realm="x"', 'Bearer realm="y"']);
    });
    const error = await failureOf(() => clientFor(server).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof BadResponseError, String(error));
    assert.match(
      error.message,
      /without a Digest challenge \(WWW-Authenticate offers basic, bearer\)/,
    );
  });

  it('explains a malformed challenge', async () => {
    const server = await serve((_request, response) => {
      sendChallenge(response, ['Digest qop="auth", realm="unterminated']);
    });
    const error = await failureOf(() => clientFor(server).fetchPage(WHOLE_DATASET_QUERY));
    assert.ok(error instanceof BadResponseError, String(error));
    assert.match(error.message, /unterminated quoted string/);
  });

  it('rejects an unknown authMethod', () => {
    assert.throws(
      () =>
        new TcxcClient({
          endpoint: 'http://127.0.0.1:9/buyers/callhistory',
          credentials: { login: LOGIN, apiKey: API_KEY },
          authMethod: 'basic' as 'digest',
        }),
      /Invalid authMethod "basic": expected signature or digest/,
    );
  });
});
