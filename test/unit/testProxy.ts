import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { KeyPair } from './certificates';

/** A forward proxy on 127.0.0.1 that reaches loopback hosts only. */
export interface TestProxy {
  /** `http://127.0.0.1:PORT`, or `https://…` with the `tls` option; no user name or password. */
  readonly origin: string;
  readonly port: number;
  /** Plain HTTP requests forwarded to their target. */
  readonly forwarded: number;
  /** CONNECT tunnels opened. */
  readonly tunnels: number;
  /** Requests rejected with HTTP 407 because the Proxy-Authorization header did not match. */
  readonly rejected: number;
  /** Every Proxy-Authorization header received, undefined where the request had none. */
  readonly authorizations: readonly (string | undefined)[];
  /** Targets of forwarded requests and tunnels, as `host:port`. */
  readonly targets: readonly string[];
  /** Stops listening and closes every connection, tunnels included. */
  close(): Promise<void>;
}

export interface TestProxyOptions {
  /** When set, requests without `Proxy-Authorization: Basic` of this pair get HTTP 407. */
  readonly credentials?: { readonly user: string; readonly password: string };
  /** Key and certificate with which the proxy itself is served over TLS. */
  readonly tls?: KeyPair;
}

const LOOPBACK_TARGETS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Starts a proxy that forwards plain HTTP requests and opens CONNECT tunnels, on 127.0.0.1. */
export async function startTestProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const state = {
    forwarded: 0,
    tunnels: 0,
    rejected: 0,
    authorizations: [] as (string | undefined)[],
    targets: [] as string[],
  };
  const expected = options.credentials
    ? 'Basic ' +
      Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')
    : undefined;
  const sockets = new Set<net.Socket>();

  /** Records the header and returns true when the request may pass. */
  const authorize = (request: http.IncomingMessage): boolean => {
    const header = request.headers['proxy-authorization'];
    state.authorizations.push(header);
    if (expected !== undefined && header !== expected) {
      state.rejected++;
      return false;
    }
    return true;
  };

  const forward = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    if (!authorize(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(request.url ?? '');
    if (target.protocol !== 'http:' || !LOOPBACK_TARGETS.has(target.hostname)) {
      response.writeHead(403).end('This test proxy reaches loopback hosts only');
      return;
    }
    state.forwarded++;
    state.targets.push(target.host);
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: target.pathname + target.search,
        method: request.method,
        headers,
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  };

  const tunnel = (request: http.IncomingMessage, client: net.Socket, head: Buffer): void => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    if (!authorize(request)) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\n' +
          'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(request.url ?? '');
    const host = match?.[1]?.replace(/^\[|\]$/g, '');
    if (!match || host === undefined || !LOOPBACK_TARGETS.has(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    state.tunnels++;
    state.targets.push(request.url ?? '');
    const upstream = net.connect(Number(match[2]), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  };

  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, forward)
    : http.createServer(forward);
  server.on('connect', tunnel);
  server.on('connection', (socket: net.Socket) => sockets.add(socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  return {
    origin,
    port,
    get forwarded() {
      return state.forwarded;
    },
    get tunnels() {
      return state.tunnels;
    },
    get rejected() {
      return state.rejected;
    },
    authorizations: state.authorizations,
    targets: state.targets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

/** Returns a loopback port on which nothing listens, by opening and closing a server on it. */
export async function unusedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
