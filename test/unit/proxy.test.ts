import assert from 'node:assert/strict';
import { TcxcClient } from '../../src/client/client';
import { NetworkError } from '../../src/client/errors';
import {
  ProxyConfig,
  createDispatcher,
  findNoProxyMatch,
  parseProxyUrl,
  redactProxyUrl,
  resolveProxy,
} from '../../src/client/transport';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { TestProxy, startTestProxy, unusedLoopbackPort } from './testProxy';
import { FIXED_NOW, WHOLE_DATASET_QUERY } from './clientTestKit';

const NOW = FIXED_NOW;
const QUERY = WHOLE_DATASET_QUERY;

/** A proxy user name and a password with characters that a URL must percent-encode. */
const PROXY_USER = 'tcxc user';
const PROXY_PASSWORD = 'pa@ss:w/rd%7';
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY'];
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'];

/** Returns `origin` with the test user name and password, percent-encoded. */
function withCredentials(origin: string, password = PROXY_PASSWORD): string {
  const url = new URL(origin);
  url.username = encodeURIComponent(PROXY_USER);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** Returns every form in which the test password could leak into a message. */
function passwordForms(password = PROXY_PASSWORD): string[] {
  const token = Buffer.from(`${PROXY_USER}:${password}`).toString('base64');
  return [password, encodeURIComponent(password), token];
}

function assertNoPassword(text: string, password = PROXY_PASSWORD): void {
  for (const form of passwordForms(password)) {
    assert.ok(!text.includes(form), `"${form}" appears in: ${text}`);
  }
}

function sortedIds(records: readonly unknown[]): string[] {
  return records.map((record) => String((record as { i_cdr: unknown }).i_cdr)).sort();
}

describe('resolveProxy', () => {
  const HTTPS_ENDPOINT = 'https://api.example.test/buyers/callhistory';
  const HTTP_ENDPOINT = 'http://127.0.0.1:8080/buyers/callhistory';

  it('setting wins over environment', () => {
    const env = { HTTPS_PROXY: 'http://env-proxy.test:3128' };
    const proxy = resolveProxy(HTTPS_ENDPOINT, { httpProxy: 'http://setting.test:8080' }, env);
    assert.equal(proxy, 'http://setting.test:8080');
  });

  it('https endpoint reads HTTPS_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://secure.test:3128', HTTP_PROXY: 'http://plain.test:3128' };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, {}, env), 'http://secure.test:3128');
  });

  it('http endpoint reads HTTP_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://secure.test:3128', HTTP_PROXY: 'http://plain.test:3128' };
    assert.equal(resolveProxy(HTTP_ENDPOINT, {}, env), 'http://plain.test:3128');
  });

  it('https endpoint ignores HTTP_PROXY', () => {
    assert.equal(
      resolveProxy(HTTPS_ENDPOINT, {}, { HTTP_PROXY: 'http://plain.test:3128' }),
      undefined,
    );
  });

  it('reads lower-case variable names', () => {
    assert.equal(
      resolveProxy(HTTPS_ENDPOINT, {}, { https_proxy: 'http://lower.test:1' }),
      'http://lower.test:1',
    );
    assert.equal(
      resolveProxy(HTTP_ENDPOINT, {}, { http_proxy: 'http://lower.test:2' }),
      'http://lower.test:2',
    );
  });

  it('lower-case name wins over upper-case', () => {
    const env = { https_proxy: 'http://lower.test:1', HTTPS_PROXY: 'http://upper.test:1' };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, {}, env), 'http://lower.test:1');
  });

  it('blank values count as unset', () => {
    const env = { https_proxy: '  ', HTTPS_PROXY: 'http://upper.test:1' };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, { httpProxy: ' ' }, env), 'http://upper.test:1');
    assert.equal(resolveProxy(HTTPS_ENDPOINT, { httpProxy: '' }, {}), undefined);
  });

  it('no proxy configured returns undefined', () => {
    assert.equal(resolveProxy(HTTPS_ENDPOINT, {}, {}), undefined);
  });

  it('no-proxy setting bypasses setting proxy', () => {
    const settings = { httpProxy: 'http://setting.test:8080', noProxy: ['api.example.test'] };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, settings, {}), undefined);
  });

  it('NO_PROXY bypasses environment proxy', () => {
    for (const name of NO_PROXY_VARIABLES) {
      const env = { HTTPS_PROXY: 'http://env.test:3128', [name]: 'other.test, api.example.test' };
      assert.equal(resolveProxy(HTTPS_ENDPOINT, {}, env), undefined, name);
    }
  });

  it('lower-case no_proxy wins over NO_PROXY', () => {
    const env = {
      HTTPS_PROXY: 'http://env.test:3128',
      no_proxy: 'other.test',
      NO_PROXY: 'api.example.test',
    };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, {}, env), 'http://env.test:3128');
  });

  it('setting and variable lists combine', () => {
    const env = { HTTPS_PROXY: 'http://env.test:3128', NO_PROXY: 'other.test' };
    const settings = { noProxy: ['api.example.test'] };
    assert.equal(resolveProxy(HTTPS_ENDPOINT, settings, env), undefined);
    assert.equal(
      resolveProxy('https://other.test/', settings, env),
      undefined,
      'the variable list still applies',
    );
  });

  it('loopback is proxied unless listed', () => {
    const env = { HTTP_PROXY: 'http://env.test:3128' };
    assert.equal(resolveProxy(HTTP_ENDPOINT, {}, env), 'http://env.test:3128');
    assert.equal(resolveProxy('http://localhost:8080/', {}, env), 'http://env.test:3128');
    assert.equal(resolveProxy('http://[::1]:8080/', {}, env), 'http://env.test:3128');
  });
});

describe('findNoProxyMatch', () => {
  /** [endpoint, no-proxy entry, whether the entry matches]. */
  const cases: readonly [string, string, boolean][] = [
    ['https://api.example.test/', 'api.example.test', true],
    ['https://API.Example.TEST/', 'api.example.TEST', true],
    ['https://www.api.example.test/', 'api.example.test', false],
    ['https://badexample.test/', 'example.test', false],
    ['https://api.example.test/', '.example.test', true],
    ['https://deep.api.example.test/', '.example.test', true],
    ['https://example.test/', '.example.test', true],
    ['https://badexample.test/', '.example.test', false],
    ['https://api.example.test/', '*.example.test', true],
    ['https://example.test/', '*.example.test', true],
    ['https://badexample.test/', '*.example.test', false],
    ['https://api.example.test:8443/', 'api.example.test:8443', true],
    ['https://api.example.test/', 'api.example.test:8443', false],
    ['https://api.example.test/', 'api.example.test:443', true],
    ['http://api.example.test/', 'api.example.test:80', true],
    ['http://api.example.test/', 'api.example.test:443', false],
    ['https://api.example.test:8443/', '.example.test:8443', true],
    ['https://api.example.test:8443/', '.example.test:9443', false],
    ['https://api.example.test/', '*', true],
    ['http://127.0.0.1:8080/', '*', true],
    ['http://127.0.0.1:8080/', '127.0.0.1', true],
    ['http://127.0.0.1:8080/', '127.0.0.1:8080', true],
    ['http://127.0.0.1:8080/', '127.0.0.1:8081', false],
    ['http://127.0.0.1:8080/', '127.0.0.2', false],
    ['http://127.0.0.1:8080/', 'localhost', false],
    ['http://localhost:8080/', '127.0.0.1', false],
    ['http://localhost:8080/', 'localhost', true],
    ['http://[::1]:8080/', '[::1]', true],
    ['http://[::1]:8080/', '::1', true],
    ['http://[::1]:8080/', '[::1]:8080', true],
    ['http://[::1]:8080/', '[::1]:9090', false],
    ['http://[::1]:8080/', '0:0:0:0:0:0:0:1', true],
    ['http://[::1]:8080/', '127.0.0.1', false],
    ['http://127.0.0.1:8080/', 'example.test:http', false],
    ['http://127.0.0.1:8080/', '', false],
  ];

  for (const [endpoint, entry, expected] of cases) {
    it(`${expected ? 'matches' : 'skips'} ${endpoint} for "${entry}"`, () => {
      const match = findNoProxyMatch(new URL(endpoint), [entry]);
      assert.equal(match, expected ? entry : undefined);
    });
  }

  it('returns first matching entry', () => {
    const entries = ['other.test', '.example.test', 'api.example.test'];
    assert.equal(findNoProxyMatch(new URL('https://api.example.test/'), entries), '.example.test');
  });

  it('splits lists at commas and spaces', () => {
    const env = { HTTPS_PROXY: 'http://env.test:3128', NO_PROXY: 'a.test,b.test  c.test' };
    for (const host of ['a.test', 'b.test', 'c.test']) {
      assert.equal(resolveProxy(`https://${host}/`, {}, env), undefined, host);
    }
    const settings = { httpProxy: 'http://setting.test:1', noProxy: ['d.test, e.test'] };
    assert.equal(resolveProxy('https://e.test/', settings, {}), undefined);
  });
});

describe('proxy URL checks', () => {
  it('scheme-less proxy means http', () => {
    assert.equal(
      parseProxyUrl('proxy.example.test:3128').toString(),
      'http://proxy.example.test:3128/',
    );
  });

  it('rejects a password with an unencoded slash', () => {
    assert.throws(
      () => parseProxyUrl('http://proxuser:1234/x@127.0.0.1:3128'),
      (error: Error) =>
        /percent-encode/.test(error.message) &&
        !error.message.includes('proxuser') &&
        !error.message.includes('1234'),
    );
  });

  it('refuses a proxy off loopback when loopback only', () => {
    assert.equal(process.env.TCXC_LOOPBACK_ONLY, '1');
    assert.throws(
      () =>
        new TcxcClient({
          endpoint: 'http://127.0.0.1:9/buyers/callhistory',
          credentials: { login: 'demo', apiKey: 'key-for-proxy-check' },
          proxy: { url: 'http://proxy.example.invalid:3128', strictSSL: true, noProxy: [] },
        }),
      /rejected: TCXC_LOOPBACK_ONLY=1/,
    );
  });

  it('accepts http and https proxies', () => {
    assert.equal(parseProxyUrl('https://proxy.example.test:8443').protocol, 'https:');
    assert.equal(parseProxyUrl('http://proxy.example.test:3128').protocol, 'http:');
  });

  it('unsupported scheme hides credentials', () => {
    assert.throws(
      () => parseProxyUrl(withCredentials('socks5://proxy.example.test:1080')),
      (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, /^Unsupported proxy URL "socks5:\/\/\[redacted\]@proxy/);
        assert.match(error.message, /only http:\/\/ and https:\/\/ proxies/);
        assertNoPassword(error.message);
        return true;
      },
    );
  });

  it('invalid proxy URL hides credentials', () => {
    assert.throws(
      () => parseProxyUrl(`http://user:${PROXY_PASSWORD}@proxy example:3128`),
      (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.match(
          error.message,
          /^Invalid proxy URL "http:\/\/\[redacted\]@proxy example:3128"/,
        );
        assertNoPassword(error.message);
        return true;
      },
    );
  });

  it('client rejects unsupported proxy', () => {
    assert.throws(
      () =>
        new TcxcClient({
          endpoint: 'http://127.0.0.1:9/buyers/callhistory',
          credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
          proxy: { url: 'ftp://127.0.0.1:21', strictSSL: true, noProxy: [] },
        }),
      /Unsupported proxy URL "ftp:\/\/127\.0\.0\.1:21"/,
    );
  });

  it('redactProxyUrl hides userinfo', () => {
    assert.equal(redactProxyUrl('http://u:p@host:1/'), 'http://[redacted]@host:1/');
    assert.equal(redactProxyUrl('http://u:p@ss@host:1/'), 'http://[redacted]@host:1/');
    assert.equal(redactProxyUrl('u:p@host:1'), '[redacted]@host:1');
    assert.equal(redactProxyUrl('http://u:p/w rd@host:1'), 'http://[redacted]@host:1');
    assert.equal(redactProxyUrl('https://u@host:1'), 'https://[redacted]@host:1');
    assert.equal(redactProxyUrl('http://host:1'), 'http://host:1');
  });
});

describe('TcxcClient through a proxy', () => {
  let emulator: RunningEmulator;
  let expectedIds: string[];
  const clients: TcxcClient[] = [];
  const proxies: TestProxy[] = [];
  const savedVariables = new Map<string, string | undefined>();
  let logLines: string[] = [];

  function newClient(proxy: ProxyConfig | undefined, endpoint = emulator.endpoint): TcxcClient {
    const client = new TcxcClient({
      endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      proxy,
      retry: { maxRetries: 0 },
      logger: {
        info: (message) => logLines.push(message),
        warn: (message) => logLines.push(message),
      },
    });
    clients.push(client);
    return client;
  }

  async function newProxy(credentials = false): Promise<TestProxy> {
    const proxy = await startTestProxy(
      credentials ? { credentials: { user: PROXY_USER, password: PROXY_PASSWORD } } : {},
    );
    proxies.push(proxy);
    return proxy;
  }

  /** Sets a variable for one test; afterEach restores the value it had before. */
  function setVariable(name: string, value: string): void {
    if (!savedVariables.has(name)) {
      savedVariables.set(name, process.env[name]);
    }
    process.env[name] = value;
  }

  async function fetchFailure(client: TcxcClient): Promise<NetworkError> {
    const error: unknown = await client.fetchPage(QUERY).then(
      () => assert.fail('the request succeeded'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof NetworkError, `expected a NetworkError, got ${String(error)}`);
    return error;
  }

  before(async () => {
    emulator = await startEmulator({
      dataset: { seed: 11, count: 200, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    expectedIds = sortedIds(emulator.cdrs);
  });

  beforeEach(() => {
    logLines = [];
    // Variables from the machine running the tests must not pick a proxy for these tests.
    for (const name of [...PROXY_VARIABLES, ...NO_PROXY_VARIABLES]) {
      savedVariables.set(name, process.env[name]);
      delete process.env[name];
    }
  });

  afterEach(async () => {
    for (const [name, value] of savedVariables) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    savedVariables.clear();
    for (const client of clients.splice(0)) {
      await client.dispose();
    }
    for (const proxy of proxies.splice(0)) {
      await proxy.close();
    }
  });

  after(async () => {
    await emulator.close();
  });

  it('http.proxy setting routes requests', async () => {
    const proxy = await newProxy();
    const client = newClient({ url: proxy.origin, strictSSL: true, noProxy: [] });

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 1);
    assert.equal(proxy.tunnels, 0);
    assert.deepEqual(proxy.targets, [`127.0.0.1:${emulator.port}`]);
    assert.ok(expectedIds.length > 50, `only ${expectedIds.length} records`);
    assert.deepEqual(sortedIds(page.records), expectedIds);
  });

  it('HTTP_PROXY variable routes requests', async () => {
    const proxy = await newProxy();
    setVariable('HTTP_PROXY', proxy.origin);
    const client = newClient({ strictSSL: true, noProxy: [] });

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 1);
    assert.deepEqual(sortedIds(page.records), expectedIds);
  });

  it('http_proxy variable routes requests', async () => {
    const proxy = await newProxy();
    setVariable('http_proxy', proxy.origin);
    const client = newClient({ strictSSL: true, noProxy: [] });

    await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 1);
  });

  it('keeps using the proxy', async () => {
    const proxy = await newProxy();
    const client = newClient({ url: proxy.origin, strictSSL: true, noProxy: [] });

    await client.fetchPage(QUERY);
    await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 2);
  });

  it('variables ignored without proxy option', async () => {
    const proxy = await newProxy();
    setVariable('HTTP_PROXY', proxy.origin);
    const client = newClient(undefined);

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 0);
    assert.deepEqual(sortedIds(page.records), expectedIds);
  });

  it('no-proxy setting bypasses proxy', async () => {
    const proxy = await newProxy();
    const client = newClient({ url: proxy.origin, strictSSL: true, noProxy: ['127.0.0.1'] });

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 0);
    assert.deepEqual(sortedIds(page.records), expectedIds);
    assert.ok(
      logLines.some((line) => line.includes('"127.0.0.1" is in the no-proxy list')),
      logLines.join('\n'),
    );
  });

  it('NO_PROXY variable bypasses proxy', async () => {
    const proxy = await newProxy();
    setVariable('HTTP_PROXY', proxy.origin);
    setVariable('NO_PROXY', `example.test,127.0.0.1:${emulator.port}`);
    const client = newClient({ strictSSL: true, noProxy: [] });

    await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 0);
  });

  it('no_proxy variable bypasses proxy', async () => {
    const proxy = await newProxy();
    setVariable('http_proxy', proxy.origin);
    setVariable('no_proxy', '127.0.0.1');
    const client = newClient({ strictSSL: true, noProxy: [] });

    await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 0);
  });

  it('other port entry keeps proxy', async () => {
    const proxy = await newProxy();
    const otherPort = await unusedLoopbackPort();
    const noProxy = [`127.0.0.1:${otherPort}`];
    const client = newClient({ url: proxy.origin, strictSSL: true, noProxy });

    await client.fetchPage(QUERY);

    assert.equal(proxy.forwarded, 1);
  });

  it('localhost entry bypasses localhost only', async () => {
    const proxy = await newProxy();
    const settings = { url: proxy.origin, strictSSL: true, noProxy: ['localhost'] };
    const byAddress = newClient(settings);
    const byName = newClient(settings, `http://localhost:${emulator.port}/buyers/callhistory`);

    await byName.fetchPage(QUERY);
    assert.equal(proxy.forwarded, 0, 'the localhost endpoint went through the proxy');
    await byAddress.fetchPage(QUERY);
    assert.equal(proxy.forwarded, 1, 'the 127.0.0.1 endpoint bypassed the proxy');
  });

  it('sends proxy credentials', async () => {
    const proxy = await newProxy(true);
    const client = newClient({ url: withCredentials(proxy.origin), strictSSL: true, noProxy: [] });

    const page = await client.fetchPage(QUERY);

    const token = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
    assert.deepEqual(proxy.authorizations, [`Basic ${token}`]);
    assert.equal(proxy.rejected, 0);
    assert.deepEqual(sortedIds(page.records), expectedIds);
  });

  it('logs proxy without credentials', async () => {
    const proxy = await newProxy(true);
    const client = newClient({ url: withCredentials(proxy.origin), strictSSL: true, noProxy: [] });

    await client.fetchPage(QUERY);

    const expected = `go through the proxy ${proxy.origin} (from the http.proxy setting)`;
    assert.ok(
      logLines.some((line) => line.includes(expected)),
      logLines.join('\n'),
    );
    for (const line of logLines) {
      assertNoPassword(line);
    }
  });

  it('logs variable name as source', async () => {
    const proxy = await newProxy();
    setVariable('HTTP_PROXY', proxy.origin);
    newClient({ strictSSL: true, noProxy: [] });

    assert.ok(
      logLines.some((line) => line.includes(`${proxy.origin} (from HTTP_PROXY)`)),
      logLines.join('\n'),
    );
  });

  it('wrong proxy password explained', async () => {
    const proxy = await newProxy(true);
    const wrongPassword = 'wr0ng:pa@ss';
    const url = withCredentials(proxy.origin, wrongPassword);
    const client = newClient({ url, strictSSL: true, noProxy: [] });

    const error = await fetchFailure(client);

    assert.equal(proxy.rejected, 1);
    assert.match(
      error.message,
      /^Could not reach http:\/\/127\.0\.0\.1:\d+\/buyers\/callhistory: /,
    );
    assert.ok(
      error.message.includes(`the proxy ${proxy.origin} requires authentication (HTTP 407)`),
      error.message,
    );
    assert.match(error.message, /Check the user name and password in the proxy URL/);
    assertNoPassword(error.message, wrongPassword);
    for (const line of logLines) {
      assertNoPassword(line, wrongPassword);
    }
  });

  it('missing proxy credentials explained', async () => {
    const proxy = await newProxy(true);
    const client = newClient({ url: proxy.origin, strictSSL: true, noProxy: [] });

    const error = await fetchFailure(client);

    assert.equal(proxy.rejected, 1);
    assert.ok(error.message.includes(`the proxy ${proxy.origin} requires authentication`));
    assert.match(error.message, /Add a user name and password to the proxy URL/);
  });

  it('refused proxy is named without credentials', async () => {
    const port = await unusedLoopbackPort();
    const origin = `http://127.0.0.1:${port}`;
    const client = newClient({ url: withCredentials(origin), strictSSL: true, noProxy: [] });

    const error = await fetchFailure(client);

    assert.equal(error.causeCode, 'ECONNREFUSED');
    assert.equal(error.afterHeaders, false);
    assert.ok(
      error.message.includes(`the connection to the proxy ${origin} failed`),
      error.message,
    );
    assert.match(error.message, /ECONNREFUSED/);
    assertNoPassword(error.message);
    assert.ok(!error.message.includes(encodeURIComponent(PROXY_USER)), error.message);
    for (const line of logLines) {
      assertNoPassword(line);
    }
  });

  it('refused direct connection unchanged', async () => {
    const port = await unusedLoopbackPort();
    const endpoint = `http://127.0.0.1:${port}/buyers/callhistory`;
    const client = newClient({ strictSSL: true, noProxy: [] }, endpoint);

    const error = await fetchFailure(client);

    assert.equal(error.causeCode, 'ECONNREFUSED');
    assert.ok(!error.message.includes('proxy'), error.message);
  });

  it('dispatcher without proxy ignores variables', async () => {
    const proxy = await newProxy();
    const dispatcher = createDispatcher({
      endpoint: emulator.endpoint,
      connectTimeoutMs: 5000,
      env: { HTTP_PROXY: proxy.origin },
    });
    try {
      const response = await dispatcher.request({
        origin: emulator.origin,
        path: '/buyers/callhistory',
        method: 'GET',
      });
      await response.body.text();
      assert.equal(response.statusCode, 200);
      assert.equal(proxy.forwarded, 0);
    } finally {
      await dispatcher.close();
    }
  });

  it('dispatcher reads its env option', async () => {
    const proxy = await newProxy();
    const dispatcher = createDispatcher({
      endpoint: emulator.endpoint,
      connectTimeoutMs: 5000,
      proxy: { strictSSL: true, noProxy: [] },
      env: { HTTP_PROXY: proxy.origin },
    });
    try {
      const response = await dispatcher.request({
        origin: emulator.origin,
        path: '/buyers/callhistory',
        method: 'GET',
      });
      await response.body.text();
      assert.equal(response.statusCode, 200);
      assert.equal(proxy.forwarded, 1);
    } finally {
      await dispatcher.close();
    }
  });
});
