import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { Agent, Dispatcher, Pool, ProxyAgent, buildConnector } from 'undici';

/** Proxy settings as VS Code names them: `http.proxy`, `http.proxyStrictSSL` and `http.noProxy`. */
export interface ProxyConfig {
  /** Proxy URL from `http.proxy`. When missing or empty, the proxy environment variables apply. */
  readonly url?: string;
  /**
   * Whether the certificate of an `https://` proxy is verified. It never relaxes the check of the
   * TCXC endpoint's certificate, and it has no effect on an `http://` proxy.
   */
  readonly strictSSL: boolean;
  /** Hosts that bypass the proxy, in addition to those in `NO_PROXY`. */
  readonly noProxy: readonly string[];
}

export interface TransportOptions {
  /** The validated endpoint URL. The dispatcher decides once, for this URL, whether to proxy. */
  readonly endpoint: string;
  /** Limit for opening a connection, TLS handshake and proxy tunnel included, in milliseconds. */
  readonly connectTimeoutMs: number;
  /**
   * Proxy settings. Without them, requests connect directly and the proxy environment variables
   * are ignored, so a library caller or a test never sends loopback traffic to a proxy by accident.
   */
  readonly proxy?: ProxyConfig;
  /** Extra PEM certificate authorities, trusted in addition to Node's default ones. */
  readonly trustedCertificates?: readonly string[];
  /** Environment that the proxy variables are read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives one line naming the proxy, or the no-proxy entry that bypasses it. */
  readonly logger?: { info(message: string): void };
}

/** The proxy-related settings that {@link resolveProxy} reads. */
export interface ProxySettings {
  /** The `http.proxy` setting. */
  readonly httpProxy?: string;
  /** The `http.noProxy` setting. */
  readonly noProxy?: readonly string[];
}

const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_MAX_TIMEOUT_MS = 60_000;

/**
 * Creates the dispatcher for one endpoint: a keep-alive `Agent`, or a `ProxyAgent` when a proxy
 * applies to the endpoint. An http:// proxy forwards plain HTTP requests; HTTPS requests, and
 * every request through an https:// proxy, go through a CONNECT tunnel. Proxy and certificate
 * failures reach the caller as a {@link TransportError}. Throws a RangeError for an invalid proxy
 * URL or trusted certificate.
 */
export function createDispatcher(options: TransportOptions): Dispatcher {
  const endpoint = new URL(options.endpoint);
  const authorities = certificateAuthorities(options.trustedCertificates);
  // The endpoint's certificate is always verified. The explicit `rejectUnauthorized` also
  // overrides NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment.
  const endpointTls = {
    timeout: options.connectTimeoutMs,
    rejectUnauthorized: true,
    ...(authorities && { ca: authorities }),
  };
  const proxy =
    options.proxy &&
    chooseProxy(endpoint, options.proxy.url, options.proxy.noProxy, options.env ?? process.env);

  if (proxy?.bypassedBy !== undefined) {
    options.logger?.info(
      `Requests to ${endpoint.origin} bypass the proxy ${redactProxyUrl(proxy.url)} ` +
        `(from ${proxy.source}) because "${proxy.bypassedBy}" is in the no-proxy list.`,
    );
  }
  if (proxy === undefined || proxy.bypassedBy !== undefined) {
    const agent = new Agent({
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MAX_TIMEOUT_MS,
      connect: endpointTls,
    });
    return agent.compose(describeFailures(undefined));
  }

  const proxyUrl = parseProxyUrl(proxy.url);
  const proxyOrigin = proxyUrl.origin;
  if (process.env.TCXC_LOOPBACK_ONLY === '1' && !isLoopbackHost(proxyUrl.hostname)) {
    throw new RangeError(
      `Proxy ${proxyOrigin} rejected: TCXC_LOOPBACK_ONLY=1 allows only proxies on loopback`,
    );
  }
  options.logger?.info(
    `Requests to ${endpoint.origin} go through the proxy ${proxyOrigin} (from ${proxy.source}).`,
  );
  const proxyTls = {
    timeout: options.connectTimeoutMs,
    rejectUnauthorized: options.proxy?.strictSSL !== false,
    ...(authorities && { ca: authorities }),
  };
  // Failures of the connection to the proxy are remembered, so that their message names the
  // proxy rather than the endpoint.
  const proxyFailures = new WeakSet<Error>();
  const connectToProxy = proxyConnector(buildConnector(proxyTls), proxyFailures);
  const agent = new ProxyAgent({
    // The URL without its user name and password, which go only into the Proxy-Authorization
    // header, so no undici message or field can contain them.
    uri: proxyOrigin,
    token: basicAuthorization(proxyUrl),
    proxyTunnel: false,
    requestTls: endpointTls,
    proxyTls,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MAX_TIMEOUT_MS,
    // The client that sends CONNECT requests to the proxy.
    clientFactory: (origin) => new Pool(origin, { connect: connectToProxy }),
    // Called with the proxy's origin when plain HTTP is forwarded, and otherwise with the
    // endpoint's origin, whose connections are tunnels.
    factory: (origin, poolOptions) =>
      new URL(origin).origin === proxyOrigin
        ? new Pool(origin, { ...poolOptions, connect: connectToProxy })
        : new Pool(origin, poolOptions),
  });
  return agent.compose(
    describeFailures({ origin: proxyOrigin, proxyUrl, failures: proxyFailures }),
  );
}

/**
 * Returns the proxy URL for `endpoint`, or undefined for a direct connection. The `http.proxy`
 * setting wins. Otherwise `https_proxy` or `HTTPS_PROXY` applies to an https endpoint and
 * `http_proxy` or `HTTP_PROXY` to an http one, the lower-case name first. A match in `no_proxy`
 * or `NO_PROXY` or in the `http.noProxy` setting means a direct connection; see
 * {@link findNoProxyMatch} for the rules. Loopback hosts are proxied unless a list names them.
 */
export function resolveProxy(
  endpoint: string,
  settings: ProxySettings,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const proxy = chooseProxy(new URL(endpoint), settings.httpProxy, settings.noProxy ?? [], env);
  return proxy && proxy.bypassedBy === undefined ? proxy.url : undefined;
}

/** A configured proxy URL, where it came from, and the no-proxy entry that bypasses it, if any. */
interface ProxyChoice {
  readonly url: string;
  readonly source: string;
  readonly bypassedBy: string | undefined;
}

function chooseProxy(
  endpoint: URL,
  httpProxy: string | undefined,
  noProxy: readonly string[],
  env: NodeJS.ProcessEnv,
): ProxyChoice | undefined {
  const configured = configuredProxy(endpoint, httpProxy, env);
  if (!configured) {
    return undefined;
  }
  const entries = splitList(firstValue(env, ['no_proxy', 'NO_PROXY'])?.value);
  for (const item of noProxy) {
    entries.push(...splitList(item));
  }
  return { ...configured, bypassedBy: findNoProxyMatch(endpoint, entries) };
}

function configuredProxy(
  endpoint: URL,
  httpProxy: string | undefined,
  env: NodeJS.ProcessEnv,
): { url: string; source: string } | undefined {
  const setting = httpProxy?.trim();
  if (setting) {
    return { url: setting, source: 'the http.proxy setting' };
  }
  const names =
    endpoint.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const variable = firstValue(env, names);
  return variable && { url: variable.value, source: variable.name };
}

/** Returns the first variable of `names` that is set and not blank, with its trimmed value. */
function firstValue(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) {
      return { name, value };
    }
  }
  return undefined;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/**
 * Returns the first no-proxy entry that matches the endpoint, or undefined. Matching ignores case.
 * `*` matches every host. `example.com` matches only that host, while `.example.com` and
 * `*.example.com` match `example.com` and every host under it. An entry with a port, such as
 * `example.com:8443` or `[::1]:8080`, matches only that port. An endpoint without a port has 443
 * for https and 80 for http. IP addresses match exactly, and address ranges (CIDR) are not
 * supported.
 */
export function findNoProxyMatch(endpoint: URL, entries: readonly string[]): string | undefined {
  const host = unbracket(endpoint.hostname.toLowerCase());
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80');
  return entries.find((entry) => noProxyEntryMatches(entry, host, port));
}

function noProxyEntryMatches(entry: string, host: string, port: string): boolean {
  let text = entry.trim().toLowerCase();
  if (text === '*') {
    return true;
  }
  let suffix = false;
  if (text.startsWith('*.')) {
    text = text.slice(2);
    suffix = true;
  } else if (text.startsWith('.')) {
    text = text.slice(1);
    suffix = true;
  }
  const { host: entryHost, port: entryPort } = splitHostPort(text);
  if (!entryHost || (entryPort !== undefined && entryPort !== port)) {
    return false;
  }
  const normalized = normalizeIpv6(entryHost);
  return host === normalized || (suffix && host.endsWith(`.${normalized}`));
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
function splitHostPort(text: string): { host: string; port: string | undefined } {
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    return { host: bracketed[1] ?? '', port: bracketed[2] };
  }
  const colon = text.indexOf(':');
  // More than one colon without brackets is an IPv6 address without a port.
  if (colon === -1 || text.indexOf(':', colon + 1) !== -1) {
    return { host: text, port: undefined };
  }
  const port = text.slice(colon + 1);
  return /^\d+$/.test(port) ? { host: text.slice(0, colon), port } : { host: '', port: undefined };
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Writes an IPv6 address the way `URL` does, so `0:0:0:0:0:0:0:1` matches `::1`. */
function normalizeIpv6(host: string): string {
  if (!host.includes(':')) {
    return host;
  }
  try {
    return unbracket(new URL(`http://[${host}]/`).hostname);
  } catch {
    return host;
  }
}

/**
 * Parses a proxy URL. A value without a scheme, such as `proxy.example:3128`, means `http://`.
 * Throws a RangeError, whose message contains no user name or password, for anything else than
 * an http:// or https:// URL.
 */
export function parseProxyUrl(raw: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(
      `Invalid proxy URL "${redactProxyUrl(raw)}": expected http://HOST:PORT or https://HOST:PORT`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RangeError(
      `Unsupported proxy URL "${redactProxyUrl(raw)}": only http:// and https:// proxies are ` +
        'supported',
    );
  }
  // An unencoded "/" in a password ends the host early, so "user:pa/ss@host" would name the
  // user as the proxy host and send the rest of the password there.
  if (url.pathname.includes('@') || url.search.includes('@') || url.hash.includes('@')) {
    throw new RangeError(
      `Invalid proxy URL "${redactProxyUrl(raw)}": percent-encode "/", "?", "#" and "@" in ` +
        'the user name and password (for example %2F for "/")',
    );
  }
  return url;
}

/**
 * Returns a proxy URL, as written in a setting or variable, with everything between the scheme
 * and the last "@" replaced by `[redacted]`. It works on text that is not a valid URL, such as a
 * password with an unencoded "/" or space.
 */
export function redactProxyUrl(value: string): string {
  const at = value.lastIndexOf('@');
  if (at === -1) {
    return value;
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  return `${scheme}[redacted]${value.slice(at)}`;
}

/** Removes the proxy's user name and password, decoded or not, from an error message. */
function withoutProxyCredentials(message: string, proxyUrl: URL): string {
  const secrets = [proxyUrl.username, proxyUrl.password]
    .flatMap((part) => [part, safeDecode(part)])
    .filter((secret) => secret.length > 0);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), message);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function basicAuthorization(url: URL): string | undefined {
  if (!url.username && !url.password) {
    return undefined;
  }
  const userInfo = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
  return `Basic ${Buffer.from(userInfo).toString('base64')}`;
}

/**
 * Wraps the connector of the proxy connection so that it adds each failure to `failures`. It also
 * drops a server name that is an IP address, which undici's tunnel passes for a proxy given by IP
 * and which Node warns about because RFC 6066 allows only host names in it.
 */
function proxyConnector(
  connect: buildConnector.connector,
  failures: WeakSet<Error>,
): buildConnector.connector {
  return (options, callback) => {
    const servername = isIP(options.servername ?? '') ? undefined : options.servername;
    connect({ ...options, servername }, (...result) => {
      if (result[0]) {
        failures.add(result[0]);
      }
      callback(...result);
    });
  };
}

/**
 * Returns the certificate authorities for `ca`, or undefined to keep Node's default store. The
 * extra ones are appended to the defaults, because a `ca` option replaces the defaults.
 */
export function certificateAuthorities(
  trusted: readonly string[] | undefined,
): string[] | undefined {
  if (!trusted || trusted.length === 0) {
    return undefined;
  }
  trusted.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw new RangeError(
        `Invalid trusted certificate ${index + 1}: expected a PEM certificate ` +
          '("-----BEGIN CERTIFICATE-----")',
      );
    }
  });
  return [...defaultCertificateAuthorities(), ...trusted];
}

function defaultCertificateAuthorities(): readonly string[] {
  const { getCACertificates } = tls as { getCACertificates?: (kind: 'default') => string[] };
  // NOTE: Node before 22.15 has no getCACertificates, and its rootCertificates lacks the
  // certificates of NODE_EXTRA_CA_CERTS, so those are not trusted when trustedCertificates is set.
  return getCACertificates ? getCACertificates('default') : tls.rootCertificates;
}

/** The proxy details that a failure description uses. */
interface ProxyContext {
  /** The proxy's origin, which never contains a user name or password. */
  readonly origin: string;
  readonly proxyUrl: URL;
  readonly failures: WeakSet<Error>;
}

/** A connection failure described in words. `code` and `cause` come from the original error. */
export class TransportError extends Error {
  readonly code: string | undefined;

  constructor(message: string, cause: Error, code: string | undefined) {
    super(message, { cause });
    this.name = 'TransportError';
    this.code = code;
  }
}

function describeFailures(
  proxy: ProxyContext | undefined,
): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) =>
    dispatch(options, new FailureDescribingHandler(handler, (error) => describe(error, proxy)));
}

/**
 * Passes every event on unchanged, except an error before the response started, which it
 * replaces with a described one.
 */
class FailureDescribingHandler implements Dispatcher.DispatchHandler {
  private responseStarted = false;

  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly describe: (error: Error) => Error,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    this.responseStarted = true;
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onResponseError?.(controller, this.responseStarted ? error : this.describe(error));
  }
}

/** Undici's message for a CONNECT response other than 200 (undici 7, dispatcher/proxy-agent.js). */
const TUNNEL_STATUS = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/;
/** Undici's message for a 407 response to a forwarded request, in undici 7. */
const FORWARD_407 = /^Proxy Authentication Required \(407\)$/;

/** Returns a described error for a proxy or certificate failure, or `error` itself otherwise. */
function describe(error: Error, proxy: ProxyContext | undefined): Error {
  const chain = causeChain(error);
  const certificateCode = chain.map(codeOf).find((code) => code && isCertificateCode(code));
  const fromProxy =
    proxy !== undefined &&
    (chain.some((item) => proxy.failures.has(item)) ||
      TUNNEL_STATUS.test(error.message) ||
      FORWARD_407.test(error.message));

  if (fromProxy && isTimeoutError(error)) {
    // The client reports timeouts by their own type, so a timeout stays undici's error.
    return error;
  }
  if (fromProxy) {
    return new TransportError(
      describeProxyFailure(error, proxy, certificateCode),
      error,
      codeOf(error) ?? certificateCode,
    );
  }
  if (certificateCode) {
    const message = describeCertificateFailure('the server', certificateCode, error, false);
    return new TransportError(message, error, certificateCode);
  }
  return error;
}

function describeProxyFailure(
  error: Error,
  proxy: ProxyContext,
  certificateCode: string | undefined,
): string {
  const status =
    TUNNEL_STATUS.exec(error.message)?.[1] ?? (FORWARD_407.test(error.message) ? '407' : undefined);
  if (status === '407') {
    const credentials = proxy.proxyUrl.username || proxy.proxyUrl.password;
    return (
      `the proxy ${proxy.origin} requires authentication (HTTP 407). ` +
      (credentials
        ? 'Check the user name and password in the proxy URL'
        : 'Add a user name and password to the proxy URL: http://USER:PASSWORD@HOST:PORT')
    );
  }
  if (status !== undefined) {
    return (
      `the proxy ${proxy.origin} did not open a tunnel to the endpoint: it responded to the ` +
      `CONNECT request with HTTP ${status}`
    );
  }
  if (certificateCode) {
    return describeCertificateFailure(`the proxy ${proxy.origin}`, certificateCode, error, true);
  }
  const detail = withoutProxyCredentials(error.message.trim(), proxy.proxyUrl);
  if (codeOf(error) === 'ERR_SSL_WRONG_VERSION_NUMBER' && proxy.proxyUrl.protocol === 'https:') {
    return (
      `the proxy ${proxy.origin} did not respond with TLS. If it is a plain HTTP proxy, write its ` +
      `URL with http://. Cause: ${detail}`
    );
  }
  return `the connection to the proxy ${proxy.origin} failed: ${detail}`;
}

/**
 * Builds the message for a rejected certificate: what was rejected, that checks stay on, what to
 * do, and the reason last, so that the code the client appends follows the reason.
 */
function describeCertificateFailure(
  owner: string,
  code: string,
  error: Error,
  isProxy: boolean,
): string {
  const reason =
    CERTIFICATE_REASONS[code] ?? `the certificate is invalid: ${innermostMessage(error)}`;
  const setting = isProxy ? 'http.proxy' : 'tcxc.endpoint';
  let advice: string;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    advice = "Check that this computer's clock is correct, or have the certificate renewed.";
  } else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    advice = `Use a host name that the certificate lists in ${setting}.`;
  } else {
    advice =
      "If a private certificate authority issued it, add that authority's PEM certificate to the " +
      'file named by the NODE_EXTRA_CA_CERTS environment variable and restart VS Code.';
  }
  if (isProxy) {
    advice += ' Setting http.proxyStrictSSL to false skips this check for the proxy only.';
  }
  return (
    `the TLS certificate of ${owner} was rejected, and certificate checks stay on. ${advice} ` +
    `Cause: ${reason}`
  );
}

const UNTRUSTED_AUTHORITY =
  'the certificate is signed by a certificate authority that this computer does not trust';

/** Reasons for the certificate codes of Node's tls module ("X509 certificate error codes"). */
const CERTIFICATE_REASONS: Readonly<Record<string, string>> = {
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_AUTHORITY,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_AUTHORITY,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    UNTRUSTED_AUTHORITY + ', or the server did not send its intermediate certificates',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'the certificate is self-signed, and this computer does not trust it',
  CERT_UNTRUSTED: 'the certificate is not trusted for this purpose',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  CERT_REVOKED: 'the certificate has been revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not issued for this host name or IP address',
  HOSTNAME_MISMATCH: 'the certificate is not issued for this host name or IP address',
};

/** Node's X509 verification codes, other than those in CERTIFICATE_REASONS. */
const OTHER_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_REJECTED',
]);

function isCertificateCode(code: string): boolean {
  return code in CERTIFICATE_REASONS || OTHER_CERTIFICATE_CODES.has(code);
}

function isTimeoutError(error: Error): boolean {
  return causeChain(error).some((item) => codeOf(item) === 'UND_ERR_CONNECT_TIMEOUT');
}

/** Returns `error` and its causes, outermost first, at most four deep. */
function causeChain(error: Error): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 4) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function innermostMessage(error: Error): string {
  const chain = causeChain(error);
  return chain[chain.length - 1]?.message ?? error.message;
}

function isLoopbackHost(hostname: string): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(hostname.toLowerCase());
}
