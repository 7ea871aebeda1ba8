import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Server, createServer as createHttpServer } from 'node:http';
import {
  AddressInfo,
  Server as NetServer,
  Socket,
  createServer as createNetServer,
} from 'node:net';
import { ClientOptions, FixedQuery, RetryNotice, TcxcClient } from '../../src/client/client';
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
import {
  CLOCK_OFFSET_THRESHOLD_MS,
  DEFAULT_RETRY_POLICY,
  MAX_RETRIES,
  MAX_RETRY_AFTER_MS,
  MAX_TIMEOUT_RETRIES,
  RETRY_BACKOFF_FACTOR,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
  backoffCeilingMs,
  backoffDelayMs,
  describeFailure,
  planRetry,
  resolveRetryPolicy,
  sleep,
  waitBeforeRetry,
} from '../../src/client/retry';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  EmulatorOptions,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { RecordingLogger, failureOf } from './clientTestKit';

/** Fixed clock of the emulator and, unless a test shifts it, the client: 2024-06-15 12:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const NOW_SECONDS = NOW / 1000;
const DAY_MS = 86_400_000;

const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(NOW - 3 * DAY_MS),
  dateTo: new Date(NOW),
};
const WINDOW = { offset: 0, pageSize: 10 };

const EMULATOR_OPTIONS: EmulatorOptions = {
  now: () => NOW,
  dataset: { seed: 4, count: 100, days: 3 },
  rateLimit: { perSecond: 0, perHour: 0 },
};

/** Returns numbers in [0, 1) from a fixed linear congruential sequence. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('retry backoff', () => {
  it('keeps documented defaults', () => {
    assert.equal(RETRY_BASE_DELAY_MS, 500);
    assert.equal(RETRY_BACKOFF_FACTOR, 2);
    assert.equal(RETRY_MAX_DELAY_MS, 8000);
    assert.equal(MAX_RETRIES, 4);
    assert.equal(MAX_TIMEOUT_RETRIES, 1);
    assert.equal(MAX_RETRY_AFTER_MS, 60_000);
    assert.equal(CLOCK_OFFSET_THRESHOLD_MS, 60_000);
  });

  it('grows ceiling exponentially to cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffCeilingMs(retry));

    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('applies policy overrides', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, backoffFactor: 3, maxDelayMs: 1000 });
    const ceilings = [1, 2, 3, 4].map((retry) => backoffCeilingMs(retry, policy));

    assert.deepEqual(ceilings, [100, 300, 900, 1000]);
  });

  it('jitters fully within the ceiling', () => {
    const random = seededRandom(42);
    for (let retry = 1; retry <= 6; retry++) {
      const ceiling = backoffCeilingMs(retry);
      const delays = Array.from({ length: 200 }, () =>
        backoffDelayMs(retry, DEFAULT_RETRY_POLICY, random),
      );

      assert.ok(Math.min(...delays) >= 0, `retry ${retry}: ${Math.min(...delays)} ms`);
      assert.ok(Math.max(...delays) <= ceiling, `retry ${retry}: ${Math.max(...delays)} ms`);
      // Full jitter spreads the waits over the whole range, not only near the ceiling.
      assert.ok(Math.min(...delays) < ceiling / 4, `retry ${retry}: ${Math.min(...delays)} ms`);
      assert.ok(Math.max(...delays) > (ceiling * 3) / 4, `retry ${retry}: ${Math.max(...delays)}`);
    }
  });

  it('maps random ends to 0 and ceiling', () => {
    // Retry 3 has a ceiling of 2000 ms.
    const delayAt = (fraction: number): number =>
      backoffDelayMs(3, DEFAULT_RETRY_POLICY, () => fraction);

    assert.equal(delayAt(0), 0);
    assert.equal(delayAt(0.9999999), 2000);
    assert.equal(delayAt(-1), 0);
    assert.equal(delayAt(7), 2000);
  });

  it('rejects invalid policy values', () => {
    assert.throws(() => resolveRetryPolicy({ maxRetries: -1 }), RangeError);
    assert.throws(() => resolveRetryPolicy({ maxRetries: 1.5 }), RangeError);
    assert.throws(() => resolveRetryPolicy({ baseDelayMs: Number.NaN }), RangeError);
    assert.throws(() => resolveRetryPolicy({ maxDelayMs: Infinity }), RangeError);
    assert.deepEqual(resolveRetryPolicy({ maxRetries: 0 }), {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: 0,
    });
  });
});

describe('retry planRetry', () => {
  const half = (): number => 0.5;

  const retried: [string, TcxcError, number][] = [
    ['429 without Retry-After', new RateLimitError(undefined), 250],
    ['429 with Retry-After 7', new RateLimitError(7), 7000],
    ['429 with Retry-After 60', new RateLimitError(60), 60_000],
    ['429 with Retry-After 0', new RateLimitError(0), 500],
    ['HTTP 500', new HttpError(500, ''), 250],
    ['HTTP 502', new HttpError(502, ''), 250],
    ['HTTP 503', new HttpError(503, ''), 250],
    ['HTTP 503 with Retry-After 5', new HttpError(503, '', 5), 5000],
    ['HTTP 504', new HttpError(504, ''), 250],
    ['ECONNREFUSED', new NetworkError('https://h/', 'ECONNREFUSED', 'refused'), 250],
    ['ECONNRESET', new NetworkError('https://h/', 'ECONNRESET', 'reset'), 250],
    ['socket closed', new NetworkError('https://h/', 'UND_ERR_SOCKET', 'other side closed'), 250],
    ['body cut off', new NetworkError('https://h/', 'UND_ERR_SOCKET', 'closed', true), 250],
    ['first timeout', new TimeoutError('https://h/', 30_000), 250],
  ];
  for (const [name, error, delayMs] of retried) {
    it(`retries ${name}`, () => {
      const plan = planRetry(error, 1, 0, DEFAULT_RETRY_POLICY, half);

      assert.equal(plan?.delayMs, delayMs);
      assert.equal(plan?.reason, describeFailure(error));
    });
  }

  const reported: [string, TcxcError][] = [
    ['429 over the cap', new RateLimitError(61)],
    ['HTTP 503 over the cap', new HttpError(503, '', 3600)],
    ['HTTP 400', new HttpError(400, '')],
    ['HTTP 401', new HttpError(401, '')],
    ['HTTP 404', new HttpError(404, '')],
    ['HTTP 501', new HttpError(501, '')],
    ['ENOTFOUND', new NetworkError('https://h/', 'ENOTFOUND', 'not found')],
    ['certificate error', new NetworkError('https://h/', 'CERT_HAS_EXPIRED', 'expired')],
    ['closed client', new NetworkError('https://h/', 'UND_ERR_CLOSED', 'closed')],
    ['error without code', new NetworkError('https://h/', undefined, 'failed')],
    ['wrong signature', new AuthenticationError('Wrong signature')],
    ['status error', new ApiError('Invalid date_from', 'error')],
    ['HTML body', new NotJsonError('text/html', 'Sign in')],
    ['bad cdrs', new BadResponseError('"cdrs" is null, expected a list')],
    ['oversized body', new ResponseTooLargeError('https://h/', 64)],
    ['cancellation', new CancelledError()],
  ];
  for (const [name, error] of reported) {
    it(`reports ${name} at once`, () => {
      assert.equal(planRetry(error, 1, 0, DEFAULT_RETRY_POLICY, half), undefined);
    });
  }

  it('retries a timeout only once', () => {
    const timeout = new TimeoutError('https://h/', 30_000, 'connect');

    assert.equal(planRetry(timeout, 2, 1, DEFAULT_RETRY_POLICY, half), undefined);
  });

  it('stops after the last retry', () => {
    const error = new HttpError(503, '');

    assert.equal(planRetry(error, 4, 0, DEFAULT_RETRY_POLICY, half)?.delayMs, 2000);
    assert.equal(planRetry(error, 5, 0, DEFAULT_RETRY_POLICY, half), undefined);
  });

  it('describes failures briefly', () => {
    assert.equal(describeFailure(new RateLimitError(7)), 'HTTP 429, Retry-After 7 s');
    assert.equal(describeFailure(new HttpError(502, '<html>')), 'HTTP 502');
    assert.equal(
      describeFailure(new NetworkError('https://h/', 'ECONNREFUSED', 'x')),
      'connection failed (ECONNREFUSED)',
    );
    assert.equal(
      describeFailure(new NetworkError('https://h/', 'X', 'x', true)),
      'response cut off',
    );
    assert.equal(
      describeFailure(new TimeoutError('https://h/', 1, 'connect')),
      'connect timed out',
    );
    assert.equal(describeFailure(new TimeoutError('https://h/', 1, 'body')), 'response timed out');
  });
});

describe('retry sleep', () => {
  it('ends a real wait at once on abort', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    const error = await failureOf(() => sleep(60_000, controller.signal));
    const elapsed = Math.round(performance.now() - started);

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
    console.log(`      a 60 s wait ended ${elapsed} ms after its start (abort at 20 ms)`);
  });

  it('rejects when already aborted', async () => {
    const error = await failureOf(() => sleep(60_000, AbortSignal.abort()));

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
  });

  it('ends a sleep that ignores abort', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const stuck = (ms: number): Promise<void> => {
      calls.push(ms);
      return new Promise(() => undefined);
    };
    const waiting = waitBeforeRetry(stuck, 1234, controller.signal);
    controller.abort();
    const error = await failureOf(() => waiting);

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
    assert.deepEqual(calls, [1234]);
  });

  it('waits without a signal', async () => {
    const calls: number[] = [];
    await waitBeforeRetry(
      (ms) => {
        calls.push(ms);
        return Promise.resolve();
      },
      250,
      undefined,
    );

    assert.deepEqual(calls, [250]);
  });
});

describe('TcxcClient retries', () => {
  let emulator: RunningEmulator;
  let logger: RecordingLogger;
  let waits: number[];
  const clients: TcxcClient[] = [];

  beforeEach(async () => {
    emulator = await startEmulator(EMULATOR_OPTIONS);
    logger = new RecordingLogger();
    waits = [];
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      await client.dispose();
    }
    await emulator.close();
  });

  /** Returns a client of the emulator that records its waits instead of sitting them out. */
  function newClient(options: Partial<ClientOptions> = {}): TcxcClient {
    const client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      logger,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
      ...options,
    });
    clients.push(client);
    return client;
  }

  it('makes five attempts by default', async () => {
    emulator.injectFaults({ type: 'serverError', status: 503 }, 10);
    const error = await failureOf(() => newClient({ random: () => 0.25 }).fetchPage(QUERY));

    assert.ok(error instanceof HttpError, `${error.name}: ${error.message}`);
    assert.equal(emulator.requestCount, 5);
    assert.deepEqual(waits, [125, 250, 500, 1000]);
    assert.equal(error.attempts, 5);
    assert.ok(error.message.endsWith('. Gave up after 5 attempts.'), error.message);
  });

  it('grows waits up to the cap', async () => {
    emulator.injectFaults({ type: 'serverError', status: 502 }, 10);
    const client = newClient({ random: () => 0.9999999, retry: { maxRetries: 6 } });
    await failureOf(() => client.fetchPage(QUERY));

    assert.equal(emulator.requestCount, 7);
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000, 8000]);
  });

  it('honours Retry-After at the cap', async () => {
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 60 });
    const page = await newClient().fetchPage(QUERY, WINDOW);

    assert.equal(page.records.length, 10);
    assert.equal(emulator.requestCount, 2);
    assert.deepEqual(waits, [60_000]);
  });

  it('announces each retry before its wait', async () => {
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 30 });
    emulator.injectFaults({ type: 'serverError', status: 503 });
    const notices: RetryNotice[] = [];
    const client = newClient({ onRetry: (notice) => notices.push(notice) });

    await client.fetchPage(QUERY, WINDOW);

    assert.deepEqual(
      notices.map(({ attempt, maxAttempts, delayMs }) => ({ attempt, maxAttempts, delayMs })),
      [
        { attempt: 1, maxAttempts: 5, delayMs: 30_000 },
        { attempt: 2, maxAttempts: 5, delayMs: waits[1] },
      ],
    );
    assert.match(notices[0].reason, /HTTP 429/);
    assert.match(notices[1].reason, /HTTP 503/);
  });

  it('reports Retry-After over the cap', async () => {
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 61 }, 5);
    const error = await failureOf(() => newClient().fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof RateLimitError, `${error.name}: ${error.message}`);
    assert.equal(error.retryAfterSeconds, 61);
    assert.equal(error.message, 'Rate limit exceeded (HTTP 429). Try again in 61 s.');
    assert.equal(emulator.requestCount, 1);
    assert.deepEqual(waits, []);
  });

  it('measures Retry-After dates from Date', async () => {
    // The client's clock is 100 s behind, but the wait still follows the server's clock.
    emulator.injectFaults({ type: 'rateLimit', retryAfter: new Date(NOW + 20_000).toUTCString() });
    await newClient({ now: () => NOW - 100_000 }).fetchPage(QUERY, WINDOW);

    assert.deepEqual(waits, [20_000]);
  });

  it('turns retries off with maxRetries 0', async () => {
    emulator.injectFaults({ type: 'serverError', status: 503 }, 5);
    const error = await failureOf(() =>
      newClient({ retry: { maxRetries: 0 } }).fetchPage(QUERY, WINDOW),
    );

    assert.ok(error instanceof HttpError, `${error.name}: ${error.message}`);
    assert.equal(emulator.requestCount, 1);
    assert.equal(error.message.includes('Gave up'), false, error.message);
  });

  it('signs each retry with a fresh ts', async () => {
    // The injected wait moves the client's clock on, as a real wait would.
    let clock = NOW;
    const client = newClient({
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    });
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 3 }, 2);
    const page = await client.fetchPage(QUERY, WINDOW);
    const sent = emulator.requests.map((entry) => Number(entry.params.ts));

    assert.equal(page.records.length, 10);
    assert.deepEqual(sent, [NOW_SECONDS, NOW_SECONDS + 3, NOW_SECONDS + 6]);
    // The emulator accepted the last request, so its signature matched its own ts.
    assert.equal(emulator.requests.at(-1)?.result, 'success');
  });

  it('logs each attempt without secrets', async () => {
    emulator.injectFaults({ type: 'serverError', status: 503 }, 2);
    await newClient().fetchPage(QUERY, WINDOW);
    const prefix = 'c_cdrs prefix=(all) show=all from=2024-06-12 12:00:00 to=2024-06-15 12:00:00';
    const window = 'pager=10 off=0';

    assert.equal(logger.lines.length, 3);
    assert.equal(
      logger.lines[0],
      `warn: ${prefix} ${window}: attempt 1 of 5 failed (HTTP 503), retrying in 0.25 s`,
    );
    assert.equal(
      logger.lines[1],
      `warn: ${prefix} ${window}: attempt 2 of 5 failed (HTTP 503), retrying in 0.5 s`,
    );
    assert.match(logger.lines[2], /: HTTP 200 in \d+ ms, 10 records at attempt 3 of 5$/);
    for (const line of logger.lines) {
      assert.equal(line.includes(DEMO_API_KEY), false, line);
      assert.equal(line.includes('signature'), false, line);
    }
  });

  it('logs the final failure once', async () => {
    emulator.injectFaults({ type: 'apiStatus', status: 'error', message: 'Invalid prefix' });
    await failureOf(() => newClient().fetchPage(QUERY, WINDOW));

    assert.equal(logger.lines.length, 1);
    assert.match(
      logger.lines[0],
      /^warn: c_cdrs .*: failed after \d+ ms: The TCXC API returned an error: Invalid prefix$/,
    );
  });

  it('cancels during a backoff wait', async () => {
    const controller = new AbortController();
    const client = newClient({
      sleep: (ms) => {
        waits.push(ms);
        controller.abort();
        return new Promise(() => undefined);
      },
    });
    emulator.injectFaults({ type: 'serverError', status: 503 }, 5);
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW, controller.signal));

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
    assert.equal(error.message, 'The request was cancelled.');
    assert.deepEqual(waits, [250]);
    assert.equal(emulator.requestCount, 1);
    assert.equal(emulator.pendingFaults, 4);
  });

  it('cancels a real Retry-After wait at once', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const client = newClient({
      sleep,
      logger: {
        info: () => undefined,
        warn: (message) => {
          if (message.includes('retrying in 50 s')) {
            setTimeout(() => {
              abortedAt = performance.now();
              controller.abort();
            }, 20);
          }
        },
      },
    });
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 50 }, 5);
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW, controller.signal));
    const afterAbort = Math.round(performance.now() - abortedAt);

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
    assert.equal(emulator.requestCount, 1);
    console.log(`      a 50 s Retry-After wait ended ${afterAbort} ms after the abort`);
  });

  it('retries refused connections', async () => {
    const closed = await startEmulator(EMULATOR_OPTIONS);
    const endpoint = closed.endpoint;
    await closed.close();
    const error = await failureOf(() => newClient({ endpoint }).fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
    assert.equal(error.causeCode, 'ECONNREFUSED');
    assert.deepEqual(waits, [250, 500, 1000, 2000]);
    assert.ok(error.message.startsWith(`Could not reach ${endpoint}`), error.message);
    assert.ok(error.message.endsWith('Gave up after 5 attempts.'), error.message);
  });

  it('retries one cut-off body, then succeeds', async () => {
    emulator.injectFaults({ type: 'truncatedBody' });
    const page = await newClient().fetchPage(QUERY, WINDOW);

    assert.equal(page.records.length, 10);
    assert.equal(emulator.requestCount, 2);
  });
});

describe('TcxcClient time limits', () => {
  const closers: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) {
      await close();
    }
  });

  function newClient(endpoint: string, options: Partial<ClientOptions> = {}): TcxcClient {
    const client = new TcxcClient({
      endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      sleep: () => Promise.resolve(),
      ...options,
    });
    closers.push(() => client.dispose());
    return client;
  }

  async function emulatorWith(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = await startEmulator({ ...EMULATOR_OPTIONS, ...options });
    closers.push(() => emulator.close());
    return emulator;
  }

  /** Starts a TCP server that accepts connections and never responds, so a TLS handshake never ends. */
  async function silentTcpServer(): Promise<{ server: NetServer; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(async () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
      await once(server, 'close');
    });
    return { server, sockets };
  }

  it('times out a stalled connect', async () => {
    const { server, sockets } = await silentTcpServer();
    const { port } = server.address() as AddressInfo;
    const endpoint = `https://127.0.0.1:${port}/buyers/callhistory`;
    // The agent gives up its own connect attempts after the response limit, so a short one lets
    // dispose() finish soon.
    const client = newClient(endpoint, { connectTimeoutMs: 200, responseTimeoutMs: 400 });
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.phase, 'connect');
    assert.equal(error.timeoutMs, 200);
    assert.equal(
      error.message,
      `Connecting to ${endpoint} timed out after 0.2 s. Gave up after 2 attempts.`,
    );
    assert.equal(sockets.length, 2);
  });

  it('cancels a stalled connect at once', async () => {
    const { server, sockets } = await silentTcpServer();
    const { port } = server.address() as AddressInfo;
    // Both limits are far longer than the test's own timeout, so only the abort can end it.
    const client = newClient(`https://127.0.0.1:${port}/buyers/callhistory`, {
      connectTimeoutMs: 60_000,
      responseTimeoutMs: 60_000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW, controller.signal));
    const elapsed = Math.round(performance.now() - started);
    // Ending the handshake lets dispose() close the connection attempt.
    sockets.forEach((socket) => socket.destroy());

    assert.ok(error instanceof CancelledError, `${error.name}: ${error.message}`);
    assert.equal(sockets.length, 1);
    console.log(
      `      a stalled connect was cancelled ${elapsed} ms after its start (abort at 50 ms)`,
    );
  });

  it('ends the connect limit once connected', async () => {
    // Each response takes longer than the connect limit but stays within the response limit.
    const emulator = await emulatorWith({ latencyMs: 150 });
    const client = newClient(emulator.endpoint, { connectTimeoutMs: 50, responseTimeoutMs: 5000 });
    const page = await client.fetchPage(QUERY, WINDOW);

    assert.equal(page.records.length, 10);
    assert.equal(emulator.requestCount, 1);
  });

  it('times out missing headers', async () => {
    const emulator = await emulatorWith({ faults: [{ type: 'noResponse' }] });
    const client = newClient(emulator.endpoint, {
      responseTimeoutMs: 300,
      retry: { maxRetries: 0 },
    });
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.phase, 'headers');
    assert.equal(error.message, `No response from ${emulator.endpoint} within 0.3 s.`);
  });

  it('times out a stalled body', async () => {
    const server: Server = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"status":"success","cdrs":[');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = `http://127.0.0.1:${port}/buyers/callhistory`;
    const client = newClient(endpoint, { responseTimeoutMs: 200, retry: { maxRetries: 0 } });
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.phase, 'body');
    assert.equal(error.message, `The response from ${endpoint} did not complete within 0.2 s.`);
  });

  it('reads timeoutMs as the response limit', async () => {
    const emulator = await emulatorWith({ faults: [{ type: 'noResponse' }] });
    const client = newClient(emulator.endpoint, { timeoutMs: 300, retry: { maxRetries: 0 } });
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.timeoutMs, 300);
  });

  it('prefers responseTimeoutMs to timeoutMs', async () => {
    const emulator = await emulatorWith({ faults: [{ type: 'noResponse' }] });
    const client = newClient(emulator.endpoint, {
      timeoutMs: 60_000,
      responseTimeoutMs: 200,
      retry: { maxRetries: 0 },
    });
    const error = await failureOf(() => client.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
    assert.equal(error.timeoutMs, 200);
  });

  it('rejects invalid time limits', () => {
    const endpoint = 'http://127.0.0.1:9/buyers/callhistory';
    const credentials = { login: DEMO_LOGIN, apiKey: DEMO_API_KEY };

    assert.throws(() => new TcxcClient({ endpoint, credentials, connectTimeoutMs: 0 }), RangeError);
    assert.throws(
      () => new TcxcClient({ endpoint, credentials, responseTimeoutMs: -1 }),
      RangeError,
    );
    assert.throws(
      () => new TcxcClient({ endpoint, credentials, timeoutMs: Number.NaN }),
      RangeError,
    );
  });
});

describe('TcxcClient clock offset', () => {
  let emulator: RunningEmulator | undefined;
  let client: TcxcClient | undefined;
  let logger: RecordingLogger;

  afterEach(async () => {
    await client?.dispose();
    await emulator?.close();
    client = undefined;
    emulator = undefined;
  });

  /** Starts an emulator with its clock `offsetSeconds` ahead, and a client with the base clock. */
  async function setUp(
    offsetSeconds: number,
    options: { apiKey?: string; sendDateHeader?: boolean; maxRetries?: number } = {},
  ): Promise<{ emulator: RunningEmulator; client: TcxcClient }> {
    emulator = await startEmulator({
      ...EMULATOR_OPTIONS,
      clockOffsetSeconds: offsetSeconds,
      sendDateHeader: options.sendDateHeader,
    });
    logger = new RecordingLogger();
    client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: options.apiKey ?? DEMO_API_KEY },
      now: () => NOW,
      logger,
      sleep: () => Promise.resolve(),
      retry: { maxRetries: options.maxRetries ?? MAX_RETRIES },
    });
    return { emulator, client };
  }

  function sentTs(running: RunningEmulator): number[] {
    return running.requests.map((entry) => Number(entry.params.ts));
  }

  function clockWarnings(): string[] {
    return logger.lines.filter((line) => line.includes('The system clock is'));
  }

  const recovered: [string, number, string][] = [
    ['server ahead 5 min 12 s', 312, '5 min 12 s behind'],
    ['server behind 5 min 12 s', -312, '5 min 12 s ahead of'],
  ];
  for (const [name, offsetSeconds, description] of recovered) {
    it(`recovers once when ${name}`, async () => {
      const { emulator: running, client: current } = await setUp(offsetSeconds);
      const first = await current.fetchPage(QUERY, WINDOW);

      assert.equal(first.records.length, 10);
      assert.equal(running.requestCount, 2);
      assert.deepEqual(sentTs(running), [NOW_SECONDS, NOW_SECONDS + offsetSeconds]);
      assert.deepEqual(clockWarnings(), [
        `warn: The system clock is ${description} the TCXC server's clock (from the server's ` +
          "Date header), so requests are now signed with the server's time. Set the clock " +
          'automatically.',
      ]);

      const second = await current.fetchPage(QUERY, { offset: 10, pageSize: 10 });

      assert.equal(second.records.length, 10);
      assert.equal(running.requestCount, 3);
      assert.equal(sentTs(running)[2], NOW_SECONDS + offsetSeconds);
      assert.equal(clockWarnings().length, 1);
    });
  }

  it('needs no retry within tolerance', async () => {
    const { emulator: running, client: current } = await setUp(30);
    const page = await current.fetchPage(QUERY, WINDOW);

    assert.equal(page.records.length, 10);
    assert.equal(running.requestCount, 1);
    assert.deepEqual(sentTs(running), [NOW_SECONDS]);
    assert.deepEqual(clockWarnings(), []);
  });

  it('does not retry without Date', async () => {
    const { emulator: running, client: current } = await setUp(312, { sendDateHeader: false });
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.clockOffsetSeconds, undefined);
    assert.equal(running.requestCount, 1);
    assert.ok(error.message.includes('that the system clock is correct'), error.message);
  });

  it('names the offset when the retry fails', async () => {
    const { emulator: running, client: current } = await setUp(312, { apiKey: 'wrong-key' });
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.clockOffsetSeconds, 312);
    assert.equal(running.requestCount, 2);
    assert.equal(
      error.message,
      'Authentication failed: the server answered "Wrong signature". This computer\'s clock ' +
        "is 5 min 12 s behind the server's. Set the clock automatically, then check the login " +
        'and API key (TCXC portal, Preferences). Gave up after 2 attempts.',
    );
    assert.deepEqual(clockWarnings(), []);
  });

  it('names the offset without retries', async () => {
    const { emulator: running, client: current } = await setUp(-312, { maxRetries: 0 });
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.clockOffsetSeconds, -312);
    assert.equal(running.requestCount, 1);
    assert.ok(error.message.includes("clock is 5 min 12 s ahead of the server's"), error.message);
  });

  it('keeps the plain message for a small offset', async () => {
    const { emulator: running, client: current } = await setUp(30, { apiKey: 'wrong-key' });
    const error = await failureOf(() => current.fetchPage(QUERY, WINDOW));

    assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
    assert.equal(error.clockOffsetSeconds, undefined);
    assert.equal(running.requestCount, 1);
    assert.ok(error.message.includes('that the system clock is correct'), error.message);
  });
});
