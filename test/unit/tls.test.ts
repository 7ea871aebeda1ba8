import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { TcxcClient } from '../../src/client/client';
import { NetworkError } from '../../src/client/errors';
import { ProxyConfig, certificateAuthorities } from '../../src/client/transport';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { KeyPair, TestCertificates, createTestCertificates } from './certificates';
import { TestProxy, startTestProxy } from './testProxy';
import { FIXED_NOW, WHOLE_DATASET_QUERY } from './clientTestKit';

const NOW = FIXED_NOW;
const QUERY = WHOLE_DATASET_QUERY;

const PROXY_USER = 'tcxc';
const PROXY_PASSWORD = 'tunnel-secret';

const UNTRUSTED_WORDS =
  'the certificate is signed by a certificate authority that this computer does not trust';

function sortedIds(records: readonly unknown[]): string[] {
  return records.map((record) => String((record as { i_cdr: unknown }).i_cdr)).sort();
}

describe('TcxcClient over HTTPS', function () {
  // Creating the certificates runs openssl eight times.
  this.timeout(60_000);

  let certificates: TestCertificates;
  const emulators: RunningEmulator[] = [];
  const clients: TcxcClient[] = [];
  const proxies: TestProxy[] = [];

  async function newEmulator(pair: KeyPair, chain = pair.cert): Promise<RunningEmulator> {
    const emulator = await startEmulator({
      dataset: { seed: 5, count: 120, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
      tls: { key: pair.key, cert: chain },
    });
    emulators.push(emulator);
    return emulator;
  }

  function newClient(
    emulator: RunningEmulator,
    options: { trusted?: readonly string[]; proxy?: ProxyConfig } = {},
  ): TcxcClient {
    const client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      retry: { maxRetries: 0 },
      trustedCertificates: options.trusted,
      proxy: options.proxy,
    });
    clients.push(client);
    return client;
  }

  async function newProxy(options: Parameters<typeof startTestProxy>[0] = {}): Promise<TestProxy> {
    const proxy = await startTestProxy(options);
    proxies.push(proxy);
    return proxy;
  }

  async function fetchFailure(client: TcxcClient): Promise<NetworkError> {
    const error: unknown = await client.fetchPage(QUERY).then(
      () => assert.fail('the request succeeded'),
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof NetworkError, `expected a NetworkError, got ${String(error)}`);
    return error;
  }

  before(() => {
    certificates = createTestCertificates();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      await client.dispose();
    }
    for (const proxy of proxies.splice(0)) {
      await proxy.close();
    }
    for (const emulator of emulators.splice(0)) {
      await emulator.close();
    }
  });

  after(() => {
    certificates.remove();
  });

  it('emulator serves HTTPS with tls', async () => {
    const emulator = await newEmulator(certificates.server);

    assert.match(emulator.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emulator.endpoint, `${emulator.origin}/buyers/callhistory`);
  });

  it('untrusted authority is rejected', async () => {
    const emulator = await newEmulator(certificates.server);

    const error = await fetchFailure(newClient(emulator));

    assert.equal(error.causeCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.ok(error.message.startsWith(`Could not reach ${emulator.endpoint}: `), error.message);
    assert.ok(error.message.includes('the TLS certificate of the server was rejected'));
    assert.ok(error.message.includes('certificate checks stay on'), error.message);
    assert.ok(error.message.includes(UNTRUSTED_WORDS), error.message);
    assert.ok(error.message.includes('NODE_EXTRA_CA_CERTS'), error.message);
    assert.ok(error.message.endsWith('(UNABLE_TO_VERIFY_LEAF_SIGNATURE)'), error.message);
    assert.equal(emulator.requests.length, 0);
  });

  it('untrusted root in chain is rejected', async () => {
    const chain = certificates.server.cert + certificates.authority.cert;
    const emulator = await newEmulator(certificates.server, chain);

    const error = await fetchFailure(newClient(emulator));

    assert.equal(error.causeCode, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.ok(error.message.includes(UNTRUSTED_WORDS), error.message);
    assert.ok(error.message.endsWith('(SELF_SIGNED_CERT_IN_CHAIN)'), error.message);
  });

  it('trusted authority fetches records', async () => {
    const emulator = await newEmulator(certificates.server);
    const client = newClient(emulator, { trusted: [certificates.authority.cert] });

    const page = await client.fetchPage(QUERY);

    assert.ok(page.records.length > 20, `only ${page.records.length} records`);
    assert.deepEqual(sortedIds(page.records), sortedIds(emulator.cdrs));
    assert.equal(emulator.requests.length, 1);
  });

  it('ignores NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    const emulator = await newEmulator(certificates.selfSigned);
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const error = await fetchFailure(newClient(emulator));

      assert.equal(error.causeCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      if (saved === undefined) {
        delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      } else {
        process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      }
    }
  });

  it('self-signed certificate is rejected', async () => {
    const emulator = await newEmulator(certificates.selfSigned);

    const error = await fetchFailure(newClient(emulator));

    assert.equal(error.causeCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.ok(error.message.includes('the certificate is self-signed'), error.message);
    assert.ok(error.message.includes('certificate checks stay on'), error.message);
  });

  it('trusted authority does not trust others', async () => {
    const emulator = await newEmulator(certificates.selfSigned);
    const client = newClient(emulator, { trusted: [certificates.authority.cert] });

    const error = await fetchFailure(client);

    assert.equal(error.causeCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('host name mismatch is rejected', async () => {
    const emulator = await newEmulator(certificates.localhostOnly);
    const client = newClient(emulator, { trusted: [certificates.authority.cert] });

    const error = await fetchFailure(client);

    assert.equal(error.causeCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.ok(
      error.message.includes('the certificate is not issued for this host name or IP address'),
      error.message,
    );
    assert.ok(error.message.includes('tcxc.endpoint'), error.message);
  });

  it('matching host name is accepted', async () => {
    const emulator = await newEmulator(certificates.localhostOnly);
    const endpoint = `https://localhost:${emulator.port}/buyers/callhistory`;
    const client = new TcxcClient({
      endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      retry: { maxRetries: 0 },
      trustedCertificates: [certificates.authority.cert],
    });
    clients.push(client);

    const page = await client.fetchPage(QUERY);

    assert.deepEqual(sortedIds(page.records), sortedIds(emulator.cdrs));
  });

  it('extra authorities keep default roots', () => {
    const authorities = certificateAuthorities([certificates.authority.cert]) ?? [];

    assert.ok(tls.rootCertificates.length > 50, 'Node has no bundled root certificates');
    for (const root of tls.rootCertificates) {
      assert.ok(authorities.includes(root), 'a bundled root certificate is missing');
    }
    assert.equal(authorities[authorities.length - 1], certificates.authority.cert);
  });

  it('no extra authorities keeps store', () => {
    assert.equal(certificateAuthorities(undefined), undefined);
    assert.equal(certificateAuthorities([]), undefined);
  });

  it('invalid trusted certificate is rejected', () => {
    assert.throws(
      () => certificateAuthorities([certificates.authority.cert, 'not a certificate']),
      /^RangeError: Invalid trusted certificate 2: expected a PEM certificate/,
    );
  });

  it('CONNECT tunnel reaches HTTPS emulator', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy();
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url: proxy.origin, strictSSL: true, noProxy: [] },
    });

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.tunnels, 1);
    assert.equal(proxy.forwarded, 0);
    assert.deepEqual(proxy.targets, [`127.0.0.1:${emulator.port}`]);
    assert.deepEqual(sortedIds(page.records), sortedIds(emulator.cdrs));
  });

  it('tunnel sends proxy credentials', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    const url = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`;
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url, strictSSL: true, noProxy: [] },
    });

    await client.fetchPage(QUERY);

    const token = Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64');
    assert.deepEqual(proxy.authorizations, [`Basic ${token}`]);
    assert.equal(proxy.tunnels, 1);
  });

  it('tunnel 407 names proxy only', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy({ credentials: { user: PROXY_USER, password: PROXY_PASSWORD } });
    const url = `http://${PROXY_USER}:wrong-${PROXY_PASSWORD}@127.0.0.1:${proxy.port}`;
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url, strictSSL: true, noProxy: [] },
    });

    const error = await fetchFailure(client);

    assert.equal(proxy.rejected, 1);
    assert.equal(proxy.tunnels, 0);
    assert.ok(
      error.message.includes(`the proxy ${proxy.origin} requires authentication (HTTP 407)`),
      error.message,
    );
    assert.ok(!error.message.includes(PROXY_PASSWORD), error.message);
  });

  it('proxyStrictSSL false keeps endpoint check', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy();
    const client = newClient(emulator, {
      proxy: { url: proxy.origin, strictSSL: false, noProxy: [] },
    });

    const error = await fetchFailure(client);

    assert.equal(proxy.tunnels, 1);
    assert.equal(error.causeCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.ok(error.message.includes('the TLS certificate of the server was rejected'));
    assert.ok(!error.message.includes('the proxy'), error.message);
    assert.equal(emulator.requests.length, 0);
  });

  it('HTTPS proxy certificate is checked', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy({ tls: certificates.selfSigned });
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url: proxy.origin, strictSSL: true, noProxy: [] },
    });

    const error = await fetchFailure(client);

    assert.equal(proxy.tunnels, 0);
    assert.equal(error.causeCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.ok(
      error.message.includes(`the TLS certificate of the proxy ${proxy.origin} was rejected`),
      error.message,
    );
    assert.ok(error.message.includes('http.proxyStrictSSL'), error.message);
  });

  it('proxyStrictSSL false accepts proxy', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy({ tls: certificates.selfSigned });
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url: proxy.origin, strictSSL: false, noProxy: [] },
    });

    const page = await client.fetchPage(QUERY);

    assert.equal(proxy.tunnels, 1);
    assert.deepEqual(sortedIds(page.records), sortedIds(emulator.cdrs));
  });

  it('https URL for plain proxy explained', async () => {
    const emulator = await newEmulator(certificates.server);
    const proxy = await newProxy();
    const url = `https://127.0.0.1:${proxy.port}`;
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url, strictSSL: true, noProxy: [] },
    });

    const error = await fetchFailure(client);

    assert.equal(error.causeCode, 'ERR_SSL_WRONG_VERSION_NUMBER');
    assert.ok(error.message.includes(`the proxy ${url} did not respond with TLS`), error.message);
    assert.ok(error.message.includes('write its URL with http://'), error.message);
  });

  it('trusted HTTPS proxy tunnels HTTP', async () => {
    const emulator = await startEmulator({
      dataset: { seed: 5, count: 120, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    emulators.push(emulator);
    const proxy = await newProxy({ tls: certificates.server });
    const client = newClient(emulator, {
      trusted: [certificates.authority.cert],
      proxy: { url: proxy.origin, strictSSL: true, noProxy: [] },
    });

    const page = await client.fetchPage(QUERY);

    // undici forwards plain HTTP only through an http:// proxy and tunnels it through https://.
    assert.equal(proxy.tunnels, 1);
    assert.equal(proxy.forwarded, 0);
    assert.deepEqual(sortedIds(page.records), sortedIds(emulator.cdrs));
  });
});
