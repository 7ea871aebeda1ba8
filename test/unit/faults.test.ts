import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { FixedQuery, TcxcClient } from '../../src/client/client';
import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  HttpError,
  NetworkError,
  RateLimitError,
  TcxcError,
  TimeoutError,
} from '../../src/client/errors';
import { CdrPager } from '../../src/client/paging';
import { signRequest } from '../../src/client/signing';
import { DEFAULT_LONG_TEXT_BYTES } from '../../src/emulator/faults';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  EmulatorFault,
  EmulatorOptions,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { RecordingLogger, failureOf } from './clientTestKit';

/** Fixed clock shared by the emulator and the client: 2024-06-15 12:00:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const DAY_MS = 86_400_000;
const PAGE_SIZE = 20;
/** Response time limit of the test client, short so that the silent fault ends quickly. */
const RESPONSE_TIMEOUT_MS = 200;
/** Jitter fraction of the test client: each backoff wait is half its ceiling. */
const JITTER = 0.5;
/** Waits before retries 1 and 2 with {@link JITTER}: half of 500 ms and of 1000 ms. */
const BACKOFF_WAITS = [250, 500];

const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(NOW - 3 * DAY_MS),
  dateTo: new Date(NOW),
};

const EMULATOR_OPTIONS: EmulatorOptions = {
  now: () => NOW,
  dataset: { seed: 9, count: 200, days: 3 },
  rateLimit: { perSecond: 0, perHour: 0 },
};

function keysOf(pager: CdrPager): string[] {
  return pager.collection.all().map((cdr) => cdr.key);
}

/** A fault that the client retries, and what it reports once the retries run out. */
interface RetriedFault {
  readonly name: string;
  readonly fault: EmulatorFault;
  /** Faults the client can retry past before it gives up. */
  readonly retriesAllowed: number;
  /** Waits expected before the retries of a fault that happens twice (once for timeouts). */
  readonly waits: readonly number[];
  readonly check: (error: Error, endpoint: string) => void;
}

/** A fault that the client reports at once. */
interface ReportedFault {
  readonly name: string;
  readonly fault: EmulatorFault;
  readonly check: (error: Error, endpoint: string) => void;
}

function checkRateLimit(retryAfterSeconds: number | undefined): (error: Error) => void {
  return (error) => {
    assert.ok(error instanceof RateLimitError, `${error.name}: ${error.message}`);
    assert.equal(error.retryAfterSeconds, retryAfterSeconds);
    assert.match(error.message, /^Rate limit exceeded \(HTTP 429\)\./);
  };
}

function checkServerError(statusCode: number, title: string): (error: Error) => void {
  return (error) => {
    assert.ok(error instanceof HttpError, `${error.name}: ${error.message}`);
    assert.equal(error.statusCode, statusCode);
    assert.equal(error.bodyExcerpt, title);
    assert.ok(error.message.startsWith(`HTTP ${statusCode} from the TCXC endpoint: ${title}`));
  };
}

const RETRIED_FAULTS: readonly RetriedFault[] = [
  {
    name: '429 with Retry-After',
    fault: { type: 'rateLimit', retryAfter: 3 },
    retriesAllowed: 4,
    waits: [3000, 3000],
    check: checkRateLimit(3),
  },
  {
    name: '429 without Retry-After',
    fault: { type: 'rateLimit' },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: checkRateLimit(undefined),
  },
  {
    name: '429 with Retry-After date',
    fault: { type: 'rateLimit', retryAfter: new Date(NOW + 20_000).toUTCString() },
    retriesAllowed: 4,
    waits: [20_000, 20_000],
    check: checkRateLimit(20),
  },
  {
    name: '500 HTML page',
    fault: { type: 'serverError', status: 500 },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: checkServerError(500, '500 Internal Server Error'),
  },
  {
    name: '502 HTML page',
    fault: { type: 'serverError', status: 502 },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: checkServerError(502, '502 Bad Gateway'),
  },
  {
    name: '503 HTML page',
    fault: { type: 'serverError', status: 503 },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: checkServerError(503, '503 Service Unavailable'),
  },
  {
    name: '503 with Retry-After',
    fault: { type: 'serverError', status: 503, retryAfter: 2 },
    retriesAllowed: 4,
    waits: [2000, 2000],
    check: (error) => {
      checkServerError(503, '503 Service Unavailable')(error);
      assert.equal((error as HttpError).retryAfterSeconds, 2);
      assert.ok(error.message.includes('. Try again in 2 s.'), error.message);
    },
  },
  {
    name: '504 HTML page',
    fault: { type: 'serverError', status: 504 },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: checkServerError(504, '504 Gateway Timeout'),
  },
  {
    name: 'silent server',
    fault: { type: 'noResponse' },
    retriesAllowed: 1,
    waits: [250],
    check: (error, endpoint) => {
      assert.ok(error instanceof TimeoutError, `${error.name}: ${error.message}`);
      assert.equal(error.phase, 'headers');
      assert.equal(error.endpoint, endpoint);
      assert.ok(error.message.startsWith(`No response from ${endpoint} within 0.2 s.`));
    },
  },
  {
    name: 'connection reset',
    fault: { type: 'connectionReset' },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: (error, endpoint) => {
      assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
      assert.equal(error.afterHeaders, false);
      assert.equal(error.causeCode, 'ECONNRESET');
      assert.ok(error.message.startsWith(`Could not reach ${endpoint}`), error.message);
    },
  },
  {
    name: 'body cut off',
    fault: { type: 'truncatedBody' },
    retriesAllowed: 4,
    waits: BACKOFF_WAITS,
    check: (error, endpoint) => {
      assert.ok(error instanceof NetworkError, `${error.name}: ${error.message}`);
      assert.equal(error.afterHeaders, true);
      assert.ok(error.message.startsWith(`The response from ${endpoint} was cut off`));
    },
  },
];

const REPORTED_FAULTS: readonly ReportedFault[] = [
  {
    name: '429 over the wait cap',
    fault: { type: 'rateLimit', retryAfter: 120 },
    check: (error) => {
      checkRateLimit(120)(error);
      assert.equal(error.message, 'Rate limit exceeded (HTTP 429). Try again in 120 s.');
    },
  },
  {
    name: 'status error',
    fault: { type: 'apiStatus', status: 'error', message: 'Database maintenance' },
    check: (error) => {
      assert.ok(error instanceof ApiError, `${error.name}: ${error.message}`);
      assert.equal(error.serverMessage, 'Database maintenance');
      assert.equal(error.message, 'The TCXC API returned an error: Database maintenance');
    },
  },
  {
    name: 'status fail',
    fault: { type: 'apiStatus', status: 'fail', message: 'Account suspended' },
    check: (error) => {
      assert.ok(error instanceof AuthenticationError, `${error.name}: ${error.message}`);
      assert.equal(error.serverMessage, 'Account suspended');
      assert.equal(error.clockOffsetSeconds, undefined);
      assert.ok(error.message.includes('Check the login and API key'), error.message);
    },
  },
  {
    name: 'unknown status',
    fault: { type: 'apiStatus', status: 'pending' },
    check: (error) => {
      assert.ok(error instanceof ApiError, `${error.name}: ${error.message}`);
      assert.equal(error.status, 'pending');
      assert.ok(error.message.includes('unknown status "pending"'), error.message);
    },
  },
  {
    name: 'missing status',
    fault: { type: 'apiStatus' },
    check: (error) => {
      assert.ok(error instanceof BadResponseError, `${error.name}: ${error.message}`);
      assert.ok(error.message.endsWith('the "status" field is missing'), error.message);
    },
  },
  {
    name: 'cdrs object',
    fault: { type: 'cdrsNotList', cdrs: { 0: { i_cdr: '1' } } },
    check: (error) => {
      assert.ok(error instanceof BadResponseError, `${error.name}: ${error.message}`);
      assert.ok(error.message.endsWith('"cdrs" is an object, expected a list'), error.message);
    },
  },
  {
    name: 'cdrs string',
    fault: { type: 'cdrsNotList', cdrs: 'none' },
    check: (error) => {
      assert.ok(error instanceof BadResponseError, `${error.name}: ${error.message}`);
      assert.ok(error.message.endsWith('"cdrs" is a string, expected a list'), error.message);
    },
  },
  {
    name: 'cdrs null',
    fault: { type: 'cdrsNotList', cdrs: null },
    check: (error) => {
      assert.ok(error instanceof BadResponseError, `${error.name}: ${error.message}`);
      assert.ok(error.message.endsWith('"cdrs" is null, expected a list'), error.message);
    },
  },
];

describe('TcxcClient emulator faults', () => {
  let emulator: RunningEmulator;
  let client: TcxcClient;
  let logger: RecordingLogger;
  let waits: number[];

  beforeEach(async () => {
    emulator = await startEmulator(EMULATOR_OPTIONS);
    logger = new RecordingLogger();
    waits = [];
    client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      responseTimeoutMs: RESPONSE_TIMEOUT_MS,
      logger,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
      random: () => JITTER,
    });
  });

  afterEach(async () => {
    await client.dispose();
    await emulator.close();
  });

  /** Returns a pager with page 1 loaded, and the keys it loaded. */
  async function pagerAfterFirstPage(): Promise<{ pager: CdrPager; firstKeys: string[] }> {
    const pager = new CdrPager(client, QUERY, PAGE_SIZE);
    await pager.loadNextPage();
    const firstKeys = keysOf(pager);
    assert.equal(firstKeys.length, PAGE_SIZE);
    return { pager, firstKeys };
  }

  /** Loads page 2 without faults and checks that it adds a full page and no duplicate. */
  async function resumeWithoutDuplicates(pager: CdrPager, firstKeys: string[]): Promise<void> {
    const before = emulator.requestCount;
    const page = await pager.loadNextPage();
    const keys = keysOf(pager);

    assert.equal(emulator.requestCount - before, 1);
    assert.equal(page.pageIndex, 1);
    assert.equal(page.duplicates, 0);
    assert.equal(keys.length, 2 * PAGE_SIZE);
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(keys.slice(0, PAGE_SIZE).sort(), [...firstKeys].sort());
  }

  for (const { name, fault, retriesAllowed, waits: expectedWaits, check } of RETRIED_FAULTS) {
    const faultCount = Math.min(2, retriesAllowed);

    it(`${name}: page 2 loads after retries`, async () => {
      const { pager, firstKeys } = await pagerAfterFirstPage();
      emulator.injectFaults(fault, faultCount);
      const before = emulator.requestCount;
      const page = await pager.loadNextPage();
      const keys = keysOf(pager);

      assert.equal(emulator.requestCount - before, faultCount + 1);
      assert.deepEqual(waits, expectedWaits);
      assert.equal(page.received, PAGE_SIZE);
      assert.equal(keys.length, 2 * PAGE_SIZE);
      assert.equal(new Set(keys).size, keys.length);
      assert.deepEqual(keys.slice(0, PAGE_SIZE).sort(), [...firstKeys].sort());
      assert.ok(
        logger.lines.at(-1)?.endsWith(`at attempt ${faultCount + 1} of 5`),
        logger.lines.at(-1),
      );
    });

    it(`${name}: reports after the retries`, async () => {
      const { pager, firstKeys } = await pagerAfterFirstPage();
      const attempts = retriesAllowed + 1;
      emulator.injectFaults(fault, attempts);
      const before = emulator.requestCount;
      const error = await failureOf(() => pager.loadNextPage());

      check(error, emulator.endpoint);
      assert.equal(emulator.requestCount - before, attempts);
      assert.equal(waits.length, retriesAllowed);
      assert.equal((error as TcxcError).attempts, attempts);
      assert.ok(error.message.endsWith(`Gave up after ${attempts} attempts.`), error.message);
      assert.deepEqual(keysOf(pager), firstKeys);
      assert.equal(pager.pageCount, 1);
      assert.equal(emulator.pendingFaults, 0);

      await resumeWithoutDuplicates(pager, firstKeys);
    });
  }

  for (const { name, fault, check } of REPORTED_FAULTS) {
    it(`${name}: page 2 fails at once`, async () => {
      const { pager, firstKeys } = await pagerAfterFirstPage();
      emulator.injectFaults(fault, 5);
      const before = emulator.requestCount;
      const error = await failureOf(() => pager.loadNextPage());

      check(error, emulator.endpoint);
      assert.equal(emulator.requestCount - before, 1);
      assert.deepEqual(waits, []);
      assert.equal((error as TcxcError).attempts, 1);
      assert.equal(error.message.includes('Gave up'), false, error.message);
      assert.deepEqual(keysOf(pager), firstKeys);
      assert.equal(pager.pageCount, 1);

      emulator.clearFaults();
      await resumeWithoutDuplicates(pager, firstKeys);
    });
  }

  it('clock offset: page 2 loads after correction', async () => {
    const { pager, firstKeys } = await pagerAfterFirstPage();
    emulator.setClockOffset(312);
    const before = emulator.requestCount;
    await pager.loadNextPage();
    const keys = keysOf(pager);

    assert.equal(emulator.requestCount - before, 2);
    assert.deepEqual(waits, [0]);
    assert.equal(keys.length, 2 * PAGE_SIZE);
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(keys.slice(0, PAGE_SIZE).sort(), [...firstKeys].sort());

    const third = await pager.loadNextPage();

    assert.equal(third.added.length, PAGE_SIZE);
    assert.equal(emulator.requestCount - before, 3);
  });

  it('byte order mark: page 2 loads', async () => {
    const expected = await client.fetchPage(QUERY, { offset: PAGE_SIZE, pageSize: PAGE_SIZE });
    const { pager, firstKeys } = await pagerAfterFirstPage();
    emulator.injectFaults({ type: 'byteOrderMark' });
    const before = emulator.requestCount;
    const page = await pager.loadNextPage();

    assert.equal(emulator.requestCount - before, 1);
    assert.deepEqual(waits, []);
    assert.deepEqual(
      page.added.map((cdr) => cdr.raw),
      expected.records,
    );
    assert.deepEqual(
      page.added.filter((cdr) => cdr.problems.length > 0),
      [],
    );
    assert.deepEqual(keysOf(pager).slice(0, PAGE_SIZE).sort(), [...firstKeys].sort());
  });

  it('malformed records: page 2 loads flagged', async () => {
    const { pager, firstKeys } = await pagerAfterFirstPage();
    emulator.injectFaults({ type: 'malformedRecords' });
    const before = emulator.requestCount;
    const page = await pager.loadNextPage();
    const [missing, mistyped, long, ...rest] = page.added;

    assert.equal(emulator.requestCount - before, 1);
    assert.deepEqual(waits, []);
    assert.equal(page.added.length, PAGE_SIZE);
    assert.equal(pager.collection.size, 2 * PAGE_SIZE);
    assert.deepEqual(keysOf(pager).slice(0, PAGE_SIZE).sort(), [...firstKeys].sort());
    assert.deepEqual(missing.problems, [
      'connect_time is missing',
      'duration is missing',
      'CLD is missing',
    ]);
    assert.equal(missing.cld, '');
    assert.deepEqual(mistyped.problems, [
      'connect_time is not a UTC time',
      'duration is not a whole number',
      'CLD is not text',
      'billing_price_1 is not an amount',
      'disconnect_code is not a whole number',
    ]);
    assert.equal(long.cli.length, DEFAULT_LONG_TEXT_BYTES);
    assert.deepEqual(long.problems, []);
    assert.deepEqual(
      rest.filter((cdr) => cdr.problems.length > 0),
      [],
    );
  });
});

/** One raw HTTP exchange with the emulator. */
interface RawExchange {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** True when the connection closed before the body was complete. */
  readonly cutOff: boolean;
}

/** Posts a signed request with node:http and reads whatever arrives, even a cut-off body. */
function postRaw(endpoint: string, clockMs: number): Promise<RawExchange> {
  const ts = Math.floor(clockMs / 1000);
  const form = new URLSearchParams({
    ts: String(ts),
    api_login: DEMO_LOGIN,
    signature: signRequest('c_cdrs', DEMO_API_KEY, DEMO_LOGIN, ts),
    prefix: '',
    show: 'all',
    date_from: '2024-06-12 12:00:00',
    date_to: '2024-06-15 12:00:00',
    pager: '5',
    off: '0',
  }).toString();
  return new Promise((resolve, reject) => {
    const request = httpRequest(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      const finish = (cutOff: boolean): void =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          cutOff,
        });
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish(false));
      response.on('error', () => finish(true));
      response.on('aborted', () => finish(true));
    });
    request.end(form);
  });
}

describe('emulator fault API', () => {
  const running: RunningEmulator[] = [];

  async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = await startEmulator({ ...EMULATOR_OPTIONS, ...options });
    running.push(emulator);
    return emulator;
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  it('plays queued faults in order', async () => {
    const emulator = await start({ faults: [{ type: 'serverError', status: 502 }] });
    emulator.injectFaults({ type: 'rateLimit', retryAfter: 4 }, 2);
    assert.equal(emulator.pendingFaults, 3);
    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) {
      statuses.push((await postRaw(emulator.endpoint, NOW)).status);
    }

    assert.deepEqual(statuses, [502, 429, 429, 200]);
    assert.equal(emulator.requestCount, 4);
    assert.equal(emulator.pendingFaults, 0);
    assert.deepEqual(
      emulator.requests.map((entry) => entry.fault),
      ['serverError', 'rateLimit', 'rateLimit', undefined],
    );
  });

  it('sends fault headers and bodies', async () => {
    const emulator = await start();
    emulator.injectFaults({ type: 'serverError', status: 503, retryAfter: 9 });
    emulator.injectFaults({ type: 'rateLimit' });
    const unavailable = await postRaw(emulator.endpoint, NOW);
    const limited = await postRaw(emulator.endpoint, NOW);

    assert.equal(unavailable.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(unavailable.headers['retry-after'], '9');
    assert.match(unavailable.body.toString(), /<title>503 Service Unavailable<\/title>/);
    assert.equal(limited.headers['retry-after'], undefined);
    assert.deepEqual(JSON.parse(limited.body.toString()), {
      status: 'error',
      message: 'Rate limit exceeded',
    });
  });

  it('cuts a body off mid-JSON', async () => {
    const emulator = await start();
    emulator.injectFaults({ type: 'truncatedBody' });
    const exchange = await postRaw(emulator.endpoint, NOW);
    const length = Number(exchange.headers['content-length']);

    assert.equal(exchange.status, 200);
    assert.equal(exchange.cutOff, true);
    assert.ok(length > 100, `Content-Length ${length}`);
    assert.equal(exchange.body.length, Math.floor(length / 2));
  });

  it('prefixes a byte order mark', async () => {
    const emulator = await start();
    emulator.injectFaults({ type: 'byteOrderMark' });
    const exchange = await postRaw(emulator.endpoint, NOW);

    assert.deepEqual([...exchange.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(Number(exchange.headers['content-length']), exchange.body.length);
    assert.equal(
      (JSON.parse(exchange.body.subarray(3).toString()) as { status: string }).status,
      'success',
    );
  });

  it('logs silent and reset requests', async () => {
    const emulator = await start();
    emulator.injectFaults({ type: 'connectionReset' });
    await assert.rejects(postRaw(emulator.endpoint, NOW), { code: 'ECONNRESET' });
    emulator.injectFaults({ type: 'noResponse' });
    void postRaw(emulator.endpoint, NOW).catch(() => undefined);
    while (emulator.requestCount < 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    assert.deepEqual(
      emulator.requests.map((entry) => [entry.fault, entry.status]),
      [
        ['connectionReset', 0],
        ['noResponse', 0],
      ],
    );
  });

  it('rejects a negative fault count', async () => {
    const emulator = await start();

    assert.throws(() => emulator.injectFaults({ type: 'noResponse' }, -1), RangeError);
    assert.throws(() => emulator.injectFaults({ type: 'noResponse' }, 1.5), RangeError);
    assert.equal(emulator.pendingFaults, 0);
  });

  it('clears queued faults', async () => {
    const emulator = await start();
    emulator.injectFaults({ type: 'noResponse' }, 3);
    emulator.clearFaults();

    assert.equal(emulator.pendingFaults, 0);
    assert.equal((await postRaw(emulator.endpoint, NOW)).status, 200);
  });

  it('sends Date from its clock', async () => {
    const emulator = await start();
    const exchange = await postRaw(emulator.endpoint, NOW);

    assert.equal(exchange.headers.date, 'Sat, 15 Jun 2024 12:00:00 GMT');
  });

  it('shifts Date by the clock offset', async () => {
    const emulator = await start({ clockOffsetSeconds: 312 });
    emulator.injectFaults({ type: 'serverError', status: 500 });
    const fault = await postRaw(emulator.endpoint, NOW);
    const rejected = await postRaw(emulator.endpoint, NOW);
    const accepted = await postRaw(emulator.endpoint, NOW + 312_000);

    assert.equal(fault.headers.date, 'Sat, 15 Jun 2024 12:05:12 GMT');
    assert.equal(rejected.headers.date, 'Sat, 15 Jun 2024 12:05:12 GMT');
    assert.deepEqual(JSON.parse(rejected.body.toString()), {
      status: 'fail',
      error: 'Wrong signature',
    });
    assert.equal((JSON.parse(accepted.body.toString()) as { status: string }).status, 'success');
  });

  it('omits Date when asked', async () => {
    const emulator = await start({ sendDateHeader: false });
    const exchange = await postRaw(emulator.endpoint, NOW);

    assert.equal(exchange.status, 200);
    assert.equal(exchange.headers.date, undefined);
  });

  it('changes the clock offset later', async () => {
    const emulator = await start();
    emulator.setClockOffset(-60);
    const exchange = await postRaw(emulator.endpoint, NOW);

    assert.equal(exchange.headers.date, 'Sat, 15 Jun 2024 11:59:00 GMT');
    assert.equal(exchange.status, 200);
  });

  it('rejects an infinite clock offset', async () => {
    await assert.rejects(start({ clockOffsetSeconds: Infinity }), RangeError);
    const emulator = await start();

    assert.throws(() => emulator.setClockOffset(Number.NaN), RangeError);
  });
});
