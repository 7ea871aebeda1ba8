import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
  createServer,
} from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import {
  DEFAULT_ENDPOINT,
  FixedQuery,
  MAX_RESPONSE_BYTES,
  TcxcClient,
  validateEndpoint,
} from '../../src/client/client';
import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  CancelledError,
  HttpError,
  NetworkError,
  NotJsonError,
  RateLimitError,
  ResponseTooLargeError,
  TcxcError,
  TimeoutError,
} from '../../src/client/errors';
import { signRequest } from '../../src/client/signing';
import { RecordingLogger, failureOf } from './clientTestKit';

const API_KEY = 'KEY-SECRET-1234567890';
const LOGIN = 'buyer-01';
const PATH = '/buyers/callhistory';

const QUERY: FixedQuery = {
  prefix: '44',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 0, 1, 0, 0, 0)),
  dateTo: new Date(Date.UTC(2024, 0, 2, 0, 0, 0)),
};

const WINDOW = { offset: 20, pageSize: 10 };

/** Turns automatic retries off, for tests of how a single response maps to an error. */
const NO_RETRY = { maxRetries: 0 };

/** One request as the test server received it. */
interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

/** A node:http server on 127.0.0.1 that records every request and its body. */
class TestServer {
  readonly requests: ReceivedRequest[] = [];
  readonly sockets = new Set<Socket>();
  connectionCount = 0;
  private readonly server: Server;

  constructor(private readonly handler: Handler) {
    this.server = createServer((request, response) => {
      void this.receive(request, response);
    });
    this.server.on('connection', (socket: Socket) => {
      this.connectionCount++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${PATH}`;
  }

  async listen(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async close(): Promise<void> {
    if (!this.server.listening) {
      return;
    }
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }
    const received = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(received);
    this.handler(received, response);
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

/** Sends JSON headers and the first half of a success body, then leaves the response open. */
function sendHalfJson(response: ServerResponse, headers: Record<string, string> = {}): void {
  const json = JSON.stringify({ status: 'success', cdrs: [{ i_cdr: '1' }, { i_cdr: '2' }] });
  response.writeHead(200, { 'content-type': 'application/json', ...headers });
  response.write(json.slice(0, json.length / 2));
}

/**
 * Streams up to `totalBytes` of JSON string content in 1 MiB chunks, waiting for 'drain', and
 * stops when the client closes the connection. Resolves with the number of bytes written.
 */
async function streamJson(response: ServerResponse, totalBytes: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"status":"success","cdrs":[],"padding":"');
  let written = 0;
  while (written < totalBytes && !response.destroyed) {
    written += chunk.length;
    if (!response.write(chunk)) {
      await drainOrClose(response);
    }
  }
  response.end('"}');
  return written;
}

/** Resolves at the next 'drain' or 'close' event, and removes both listeners. */
function drainOrClose(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const settle = (): void => {
      response.off('drain', settle);
      response.off('close', settle);
      resolve();
    };
    response.on('drain', settle);
    response.on('close', settle);
  });
}

/** Resolves after `ms` milliseconds. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Returns every text through which an error can reach a user or a log. */
function renderingsOf(error: Error): string[] {
  return [error.message, error.stack ?? '', String(error), inspect(error), JSON.stringify(error)];
}

describe('TcxcClient requests', () => {
  let server: TestServer;
  let client: TcxcClient;
  let logger: RecordingLogger;

  beforeEach(async () => {
    server = await new TestServer((_request, response) =>
      sendJson(response, 200, { status: 'success', cdrs: [{ i_cdr: '1' }, { i_cdr: '2' }] }),
    ).listen();
    logger = new RecordingLogger();
    client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      logger,
    });
  });

  afterEach(async () => {
    await client.dispose();
    await server.close();
  });

  it('returns records of success', async () => {
    const page = await client.fetchPage(QUERY, WINDOW);

    assert.deepEqual(page.records, [{ i_cdr: '1' }, { i_cdr: '2' }]);
    assert.deepEqual(page.window, WINDOW);
  });

  it('sends a form POST', async () => {
    await client.fetchPage(QUERY, WINDOW);
    const [request] = server.requests;

    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(request.headers.accept, 'application/json');
  });

  it('sends nothing in the URL', async () => {
    await client.fetchPage(QUERY, WINDOW);

    assert.equal(server.requests[0].url, PATH);
  });

  it('sends ts close to now', async () => {
    const before = Math.floor(Date.now() / 1000);
    await client.fetchPage(QUERY, WINDOW);
    const after = Math.floor(Date.now() / 1000);
    const ts = new URLSearchParams(server.requests[0].body).get('ts') ?? '';

    assert.match(ts, /^\d+$/);
    assert.ok(Number(ts) >= before, `ts ${ts} is before ${before}`);
    assert.ok(Number(ts) <= after, `ts ${ts} is after ${after}`);
  });

  it('signs with login and key', async () => {
    await client.fetchPage(QUERY, WINDOW);
    const form = new URLSearchParams(server.requests[0].body);
    const ts = Number(form.get('ts'));

    assert.equal(form.get('api_login'), LOGIN);
    assert.equal(form.get('signature'), signRequest('c_cdrs', API_KEY, LOGIN, ts));
  });

  it('sends filters and window', async () => {
    await client.fetchPage(QUERY, WINDOW);
    const form = new URLSearchParams(server.requests[0].body);

    assert.equal(form.get('prefix'), '44');
    assert.equal(form.get('show'), 'all');
    assert.equal(form.get('date_from'), '2024-01-01 00:00:00');
    assert.equal(form.get('date_to'), '2024-01-02 00:00:00');
    assert.equal(form.get('pager'), '10');
    assert.equal(form.get('off'), '20');
  });

  it('omits window when not given', async () => {
    await client.fetchPage(QUERY);
    const form = new URLSearchParams(server.requests[0].body);

    assert.equal(form.has('pager'), false);
    assert.equal(form.has('off'), false);
  });

  it('never sends the API key', async () => {
    await client.fetchPage(QUERY, WINDOW);
    const [request] = server.requests;

    assert.equal(request.body.includes(API_KEY), false, request.body);
    assert.equal(JSON.stringify(request.headers).includes(API_KEY), false);
  });

  it('signs the injected clock', async () => {
    const clocked = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      now: () => 1700000123456,
    });
    try {
      await clocked.fetchPage(QUERY, WINDOW);
    } finally {
      await clocked.dispose();
    }
    const form = new URLSearchParams(server.requests[0].body);

    assert.equal(form.get('ts'), '1700000123');
    // printf '%s' 'c_cdrsKEY-SECRET-1234567890buyer-011700000123' | sha256sum
    assert.equal(
      form.get('signature'),
      '8480f2d0226a789977d68100e8da46b1b76e3756d309c6c5604558471b659caf',
    );
  });

  it('logs one line per success', async () => {
    await client.fetchPage(QUERY, WINDOW);

    assert.equal(logger.lines.length, 1);
    assert.match(logger.lines[0], /^info: c_cdrs prefix=44 .* HTTP 200 in \d+ ms, 2 records$/);
  });
});

describe('TcxcClient failure shapes', () => {
  let server: TestServer | undefined;
  let client: TcxcClient | undefined;

  afterEach(async () => {
    await client?.dispose();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  async function failWith(handler: Handler): Promise<Error> {
    server = await new TestServer(handler).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      retry: NO_RETRY,
    });
    client = current;
    return failureOf(() => current.fetchPage(QUERY, WINDOW));
  }

  it('maps wrong signature to AuthenticationError', async () => {
    const error = await failWith((_request, response) =>
      sendJson(response, 200, { status: 'fail', error: 'Wrong signature' }),
    );

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'Wrong signature');
  });

  it('maps status error to ApiError', async () => {
    const error = await failWith((_request, response) =>
      sendJson(response, 200, { status: 'error', message: 'Invalid date_from' }),
    );

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.serverMessage, 'Invalid date_from');
  });

  it('maps 429 to RateLimitError', async () => {
    const error = await failWith((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      response.end('{"status":"error","message":"Rate limit exceeded"}');
    });

    assert.ok(error instanceof RateLimitError, error.message);
    assert.equal(error.retryAfterSeconds, 7);
  });

  it('maps 502 page to HttpError', async () => {
    const error = await failWith((_request, response) =>
      sendHtml(
        response,
        502,
        '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      ),
    );

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 502);
    assert.equal(error.bodyExcerpt, '502 Bad Gateway');
  });

  it('maps JSON fail 401 to AuthenticationError', async () => {
    const error = await failWith((_request, response) =>
      sendJson(response, 401, { status: 'fail', error: 'Wrong signature' }),
    );

    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.serverMessage, 'Wrong signature');
  });

  it('maps HTML 401 to HttpError', async () => {
    const error = await failWith((_request, response) =>
      sendHtml(response, 401, '<html><head><title>401 Unauthorized</title></head></html>'),
    );

    assert.ok(error instanceof HttpError, `${error.name}: ${error.message}`);
    assert.equal(error.statusCode, 401);
    assert.equal(error.bodyExcerpt, '401 Unauthorized');
  });

  it('maps HTML 200 to NotJsonError', async () => {
    const error = await failWith((_request, response) =>
      sendHtml(response, 200, '<html><head><title>Sign in</title></head></html>'),
    );

    assert.ok(error instanceof NotJsonError, error.message);
    assert.equal(error.contentType, 'text/html; charset=utf-8');
  });

  it('maps bad cdrs to BadResponseError', async () => {
    const error = await failWith((_request, response) =>
      sendJson(response, 200, { status: 'success', cdrs: 'none' }),
    );

    assert.ok(error instanceof BadResponseError, error.message);
  });

  it('times out a silent server', async () => {
    server = await new TestServer(() => undefined).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      timeoutMs: 300,
    });
    client = current;
    const started = Date.now();
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));
    const elapsed = Date.now() - started;

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.endpoint, server.endpoint);
    assert.ok(error.message.includes(server.endpoint), error.message);
    assert.ok(elapsed >= 250, `failed early, after ${elapsed} ms`);
    assert.ok(elapsed < 5000, `failed late, after ${elapsed} ms`);
  });

  it('maps abort to CancelledError', async () => {
    server = await new TestServer(() => undefined).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    client = current;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW, controller.signal));

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
  });

  it('maps early abort to CancelledError', async () => {
    server = await new TestServer(() => undefined).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    client = current;
    const error = await failureOf(() =>
      current.fetchPage(QUERY, WINDOW, AbortSignal.abort(new Error('user closed the view'))),
    );

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
  });

  it('maps abort during body to CancelledError', async () => {
    server = await new TestServer((_request, response) => sendHalfJson(response)).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    client = current;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW, controller.signal));

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
  });

  it('times out a stalled body', async () => {
    server = await new TestServer((_request, response) => sendHalfJson(response)).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      timeoutMs: 300,
    });
    client = current;
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
  });

  const cutOffBodies: [string, Record<string, string>][] = [
    ['chunked', {}],
    ['Content-Length', { 'content-length': '1000' }],
  ];
  for (const [framing, headers] of cutOffBodies) {
    it(`reports ${framing} body cut off`, async () => {
      const error = await failWith((_request, response) => {
        sendHalfJson(response, headers);
        setTimeout(() => response.socket?.destroy(), 50);
      });
      const endpoint = server?.endpoint ?? '';

      assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
      assert.equal(error.afterHeaders, true);
      assert.equal(error.endpoint, endpoint);
      assert.ok(
        error.message.startsWith(`The response from ${endpoint} was cut off`),
        error.message,
      );
      assert.ok(error.message.includes('before the response was complete'), error.message);
      assert.equal(error.message.includes('Could not reach'), false, error.message);
    });
  }

  it('rejects oversized streamed body', async () => {
    let written: Promise<number> | undefined;
    const started = Date.now();
    const error = await failWith((_request, response) => {
      written = streamJson(response, 4 * MAX_RESPONSE_BYTES);
    });
    const elapsed = Date.now() - started;
    const bytesWritten = await written;

    assert.ok(error instanceof ResponseTooLargeError, `${error.name}: ${error.message}`);
    assert.equal(error.kind, 'tooLarge');
    assert.equal(error.limitBytes, 64 * 1024 * 1024);
    assert.ok(error.message.includes('larger than 64 MiB'), error.message);
    assert.ok(error.message.includes('tcxc.pageSize'), error.message);
    assert.ok(elapsed < 10_000, `failed late, after ${elapsed} ms`);
    // The client closed the connection, so the server stopped well before the end.
    assert.ok((bytesWritten ?? 0) < 2 * MAX_RESPONSE_BYTES, `server wrote ${bytesWritten} bytes`);
  });

  it('rejects oversized Content-Length early', async () => {
    server = await new TestServer((_request, response) =>
      sendHalfJson(response, { 'content-length': String(MAX_RESPONSE_BYTES + 1) }),
    ).listen();
    const current = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      timeoutMs: 5000,
    });
    client = current;
    const started = Date.now();
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));
    const elapsed = Date.now() - started;

    assert.ok(error instanceof ResponseTooLargeError, `${error.name}: ${error.message}`);
    assert.ok(elapsed < 2000, `failed late, after ${elapsed} ms`);
  });

  it('maps refused connection to NetworkError', async () => {
    const closed = await new TestServer(() => undefined).listen();
    const endpoint = closed.endpoint;
    await closed.close();
    const current = new TcxcClient({
      endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      retry: NO_RETRY,
    });
    client = current;
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
    assert.equal(error.causeCode, 'ECONNREFUSED');
    assert.equal(error.endpoint, endpoint);
    assert.equal(error.afterHeaders, false);
    assert.ok(error.message.startsWith(`Could not reach ${endpoint}`), error.message);
  });
});

describe('TcxcClient body decoding', () => {
  let server: TestServer;
  let client: TcxcClient;

  afterEach(async () => {
    await client.dispose();
    await server.close();
  });

  it('keeps character split across chunks', async () => {
    // The euro sign is 3 bytes in UTF-8, and the first chunk ends after its first byte.
    const json = Buffer.from('{"status":"success","cdrs":[{"description":"5 €"}]}', 'utf8');
    const split = json.indexOf(0xe2) + 1;
    server = await new TestServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(json.subarray(0, split));
      void delay(50).then(() => response.end(json.subarray(split)));
    }).listen();
    client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    const page = await client.fetchPage(QUERY, WINDOW);

    assert.deepEqual(page.records, [{ description: '5 €' }]);
  });

  it('reads body of many chunks', async () => {
    const records = Array.from({ length: 2000 }, (_, index) => ({ i_cdr: String(index) }));
    server = await new TestServer((_request, response) =>
      sendJson(response, 200, { status: 'success', cdrs: records }),
    ).listen();
    client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    const page = await client.fetchPage(QUERY, WINDOW);

    assert.deepEqual(page.records, records);
  });
});

describe('TcxcClient secrets', () => {
  let server: TestServer;
  let logger: RecordingLogger;
  const clients: TcxcClient[] = [];

  /** Echo pages that put the whole request body, with its signature, into the response. */
  const ECHOES: Record<string, Handler> = {
    'html-500': (request, response) =>
      sendHtml(response, 500, `<html><body><pre>${request.body}</pre></body></html>`),
    'json-error': (request, response) =>
      sendJson(response, 200, { status: 'error', message: request.body }),
    'json-fail': (request, response) =>
      sendJson(response, 200, { status: 'fail', error: request.body }),
    'json-fail-401': (request, response) =>
      sendJson(response, 401, { status: 'fail', error: request.body }),
    'html-200': (request, response) => sendHtml(response, 200, `<p>${request.body}</p>`),
    'unknown-status': (request, response) => sendJson(response, 200, { status: request.body }),
    // The signature starts at character 115 of the text, so the 160-character excerpt cuts it.
    'long-html-500': (request, response) =>
      sendHtml(
        response,
        500,
        `<html><body><p>${'The request could not be processed. '.repeat(2)}</p>` +
          `<p>${request.body}</p></body></html>`,
      ),
  };

  beforeEach(async () => {
    server = await new TestServer((request, response) => {
      const echo = ECHOES[request.url.slice(PATH.length + 1)];
      echo(request, response);
    }).listen();
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      await client.dispose();
    }
    await server.close();
  });

  function newClient(endpoint: string, timeoutMs?: number): TcxcClient {
    const client = new TcxcClient({
      endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
      logger,
      timeoutMs,
      retry: NO_RETRY,
    });
    clients.push(client);
    return client;
  }

  function lastSignature(): string {
    const signature = new URLSearchParams(server.requests.at(-1)?.body).get('signature');
    assert.ok(signature, 'the server received no signature');
    return signature;
  }

  for (const name of Object.keys(ECHOES)) {
    it(`hides secrets in ${name} echo`, async () => {
      const client = newClient(`${server.endpoint}/${name}`);
      const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));
      const signature = lastSignature();
      const texts = [...renderingsOf(error), ...logger.lines];

      assert.ok(error instanceof TcxcError, `${error.name}: ${error.message}`);
      assert.equal(logger.lines.length, 1);
      for (const text of texts) {
        assert.equal(text.includes(API_KEY), false, text);
        assert.equal(text.includes(signature), false, text);
        // A cut-off signature is still part of the secret.
        assert.equal(text.includes(signature.slice(0, 8)), false, text);
      }
    });
  }

  // A key with characters that each encoding changes: "/", "€", "&", "+", "%" and a space.
  const ODD_KEY = 'ab/cd€ef&g+h%i j';
  const ENCODINGS: Record<string, (secret: string) => string> = {
    'JSON with escaped slashes': (secret) => JSON.stringify(secret).replace(/\//g, '\\/'),
    'JSON with \\u escapes': (secret) =>
      JSON.stringify(secret).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`),
    'percent-encoded': (secret) => encodeURIComponent(secret),
    'form-encoded': (secret) => new URLSearchParams({ k: secret }).toString().slice(2),
    'HTML-escaped': (secret) => secret.replace(/&/g, '&amp;'),
    'upper case': (secret) => secret.toUpperCase(),
  };
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    it(`hides a ${name} echo`, async () => {
      const echo = await new TestServer((request, response) => {
        const signature = new URLSearchParams(request.body).get('signature') ?? '';
        sendHtml(response, 400, `<p>${encode(ODD_KEY)} ${encode(signature)}</p>`);
      }).listen();
      try {
        const client = new TcxcClient({
          endpoint: echo.endpoint,
          credentials: { login: LOGIN, apiKey: ODD_KEY },
          logger,
          retry: NO_RETRY,
        });
        clients.push(client);
        const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));
        const signature = new URLSearchParams(echo.requests[0]?.body).get('signature') ?? '';
        for (const text of [...renderingsOf(error), ...logger.lines]) {
          assert.equal(text.includes(encode(ODD_KEY)), false, text);
          assert.equal(text.includes(encode(signature)), false, text);
        }
      } finally {
        await echo.close();
      }
    });
  }

  it('hides secrets on timeout', async () => {
    const silent = await new TestServer(() => undefined).listen();
    try {
      const client = newClient(silent.endpoint, 300);
      const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));
      const signature = new URLSearchParams(silent.requests[0]?.body).get('signature') ?? '';

      assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
      assert.equal(signature.length, 64);
      for (const text of [...renderingsOf(error), ...logger.lines]) {
        assert.equal(text.includes(API_KEY), false, text);
        assert.equal(text.includes(signature), false, text);
      }
    } finally {
      await silent.close();
    }
  });

  it('hides secrets on refused connection', async () => {
    const closed = await new TestServer(() => undefined).listen();
    const endpoint = closed.endpoint;
    await closed.close();
    const client = newClient(endpoint);
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
    for (const text of [...renderingsOf(error), ...logger.lines]) {
      assert.equal(text.includes(API_KEY), false, text);
    }
  });

  it('hides key from JSON.stringify', () => {
    const client = newClient(server.endpoint);
    const text = JSON.stringify(client);

    assert.equal(text.includes(API_KEY), false, text);
    assert.ok(text.includes(LOGIN), text);
  });

  it('hides key from util.inspect', () => {
    const client = newClient(server.endpoint);
    const text = inspect(client, { depth: Infinity, showHidden: true, getters: true });

    assert.equal(text.includes(API_KEY), false);
  });

  it('hides key from own properties', () => {
    const client = newClient(server.endpoint);
    const values = Reflect.ownKeys(client).map((key) =>
      String((client as unknown as Record<PropertyKey, unknown>)[key]),
    );

    assert.equal(
      values.some((value) => value.includes(API_KEY)),
      false,
    );
  });
});

describe('TcxcClient dispose', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await new TestServer((_request, response) =>
      sendJson(response, 200, { status: 'success', cdrs: [] }),
    ).listen();
  });

  afterEach(async () => {
    await server.close();
  });

  it('closes keep-alive connections', async () => {
    const client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    await client.fetchPage(QUERY, WINDOW);
    assert.equal(server.sockets.size, 1);
    const closing = [...server.sockets].map((socket) => once(socket, 'close'));

    await client.dispose();
    await Promise.all(closing);

    assert.equal(server.sockets.size, 0);
  });

  it('reuses one connection', async () => {
    const client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    try {
      await client.fetchPage(QUERY, WINDOW);
      // undici 7 returns the connection to its pool one event-loop turn after the body ends.
      await new Promise((resolve) => setImmediate(resolve));
      await client.fetchPage(QUERY, WINDOW);
    } finally {
      await client.dispose();
    }

    assert.equal(server.requests.length, 2);
    assert.equal(server.connectionCount, 1);
  });

  it('rejects requests after dispose', async () => {
    const client = new TcxcClient({
      endpoint: server.endpoint,
      credentials: { login: LOGIN, apiKey: API_KEY },
    });
    await client.dispose();
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TcxcError, `${error.name}: ${error.message}`);
    assert.equal(server.requests.length, 0);
  });
});

describe('validateEndpoint', () => {
  // Each test sets the variable it needs, whatever the environment of the test run.
  const savedLoopbackOnly = process.env.TCXC_LOOPBACK_ONLY;

  beforeEach(() => {
    delete process.env.TCXC_LOOPBACK_ONLY;
  });

  after(() => {
    if (savedLoopbackOnly === undefined) {
      delete process.env.TCXC_LOOPBACK_ONLY;
    } else {
      process.env.TCXC_LOOPBACK_ONLY = savedLoopbackOnly;
    }
  });

  const accepted: [string, string][] = [
    ['https://api.example.com/buyers/callhistory', 'https://api.example.com/buyers/callhistory'],
    [' https://api.example.com/x ', 'https://api.example.com/x'],
    ['http://127.0.0.1:8080/buyers/callhistory', 'http://127.0.0.1:8080/buyers/callhistory'],
    ['http://127.0.0.2/', 'http://127.0.0.2/'],
    ['http://localhost:3000/', 'http://localhost:3000/'],
    ['http://[::1]:3000/', 'http://[::1]:3000/'],
  ];
  for (const [endpoint, expected] of accepted) {
    it(`accepts ${endpoint.trim()}`, () => {
      assert.equal(validateEndpoint(endpoint), expected);
    });
  }

  const rejected = [
    'http://api.example.com/buyers/callhistory',
    'http://10.0.0.1/buyers/callhistory',
    'http://[::2]/',
    'http://127.example.com/',
    'http://127.0.0.1.example.com/',
    'ftp://127.0.0.1/',
    'file:///etc/passwd',
    'not a url',
    '',
    '/buyers/callhistory',
  ];
  for (const endpoint of rejected) {
    it(`rejects ${JSON.stringify(endpoint)}`, () => {
      assert.throws(() => validateEndpoint(endpoint), RangeError);
    });
  }

  it('rejects credentials in URL', () => {
    assert.throws(() => validateEndpoint('https://buyer:hunter2@api.example.com/'), RangeError);
  });

  it('rejects user name in URL', () => {
    assert.throws(() => validateEndpoint('https://buyer@api.example.com/'), RangeError);
  });

  it('omits password from message', () => {
    assert.throws(
      () => validateEndpoint('https://buyer:hunter2@api.example.com/'),
      (error: Error) => !error.message.includes('hunter2'),
    );
  });

  it('rejects client with plain HTTP', () => {
    assert.throws(
      () =>
        new TcxcClient({
          endpoint: 'http://api.example.com/buyers/callhistory',
          credentials: { login: LOGIN, apiKey: API_KEY },
        }),
      RangeError,
    );
  });

  const loopbackEndpoints = [
    'http://127.0.0.1:1/',
    'https://localhost/',
    'http://[::1]:8080/buyers/callhistory',
    'http://127.1.2.3/',
  ];
  for (const endpoint of loopbackEndpoints) {
    it(`loopback-only accepts ${endpoint}`, () => {
      process.env.TCXC_LOOPBACK_ONLY = '1';

      assert.equal(validateEndpoint(endpoint), endpoint);
    });
  }

  const remoteEndpoints = [
    'https://example.invalid/',
    DEFAULT_ENDPOINT,
    'https://10.0.0.1/',
    'https://[::2]/',
    'https://127.0.0.1.example.com/',
  ];
  for (const endpoint of remoteEndpoints) {
    it(`loopback-only rejects ${endpoint}`, () => {
      process.env.TCXC_LOOPBACK_ONLY = '1';

      assert.throws(() => validateEndpoint(endpoint), RangeError);
    });
  }

  it('names loopback-only in message', () => {
    process.env.TCXC_LOOPBACK_ONLY = '1';

    assert.throws(() => validateEndpoint('https://example.invalid/buyers/callhistory'), {
      name: 'RangeError',
      message:
        'Invalid endpoint "https://example.invalid": TCXC_LOOPBACK_ONLY=1 allows only loopback hosts',
    });
  });

  it('accepts remote host without loopback-only', () => {
    for (const value of [undefined, '0', '', 'true']) {
      if (value === undefined) {
        delete process.env.TCXC_LOOPBACK_ONLY;
      } else {
        process.env.TCXC_LOOPBACK_ONLY = value;
      }

      assert.equal(validateEndpoint('https://example.invalid/'), 'https://example.invalid/', value);
    }
  });

  it('reads loopback-only at each call', () => {
    process.env.TCXC_LOOPBACK_ONLY = '1';

    assert.throws(() => validateEndpoint('https://example.invalid/'), RangeError);

    process.env.TCXC_LOOPBACK_ONLY = '0';

    assert.equal(validateEndpoint('https://example.invalid/'), 'https://example.invalid/');
  });

  it('omits password under loopback-only', () => {
    process.env.TCXC_LOOPBACK_ONLY = '1';

    assert.throws(
      () => validateEndpoint('https://buyer:hunter2@example.invalid/'),
      (error: Error) => error instanceof RangeError && !error.message.includes('hunter2'),
    );
  });

  it('rejects client under loopback-only', () => {
    process.env.TCXC_LOOPBACK_ONLY = '1';

    assert.throws(
      () =>
        new TcxcClient({
          endpoint: DEFAULT_ENDPOINT,
          credentials: { login: LOGIN, apiKey: API_KEY },
        }),
      /TCXC_LOOPBACK_ONLY=1 allows only loopback hosts/,
    );
  });
});
