import assert from 'node:assert/strict';
import { FixedQuery, PageSource, RawPage, TcxcClient } from '../../src/client/client';
import {
  ConcurrentLoadOptions,
  fetchAllConcurrently,
  loadRemainingPagesConcurrently,
} from '../../src/client/concurrentPaging';
import {
  BadResponseError,
  CancelledError,
  HttpError,
  RateLimitError,
} from '../../src/client/errors';
import { PageWindow } from '../../src/client/form';
import { CdrPager, PageResult, fetchAllCdrs } from '../../src/client/paging';
import { CdrQuery } from '../../src/client/query';
import { generateCdrs, type RawCdr } from '../../src/emulator/dataset';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { Cdr } from '../../src/model/cdr';

/** Fixed clock of the emulator and the clients: 2024-06-15 12:00:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const DAY_MS = 86_400_000;

/** The range of the generated records: the three days before NOW. */
const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(NOW - 3 * DAY_MS),
  dateTo: new Date(NOW),
};

function dataset(count: number, seed = 11): RawCdr[] {
  return generateCdrs({ seed, count, start: new Date(NOW - 3 * DAY_MS), end: new Date(NOW) });
}

function keysOf(cdrs: readonly Cdr[]): string[] {
  return cdrs.map((cdr) => cdr.key);
}

function collectionKeys(pager: CdrPager): string[] {
  return keysOf(pager.collection.all());
}

/** Returns a promise that settles with the error `promise` rejects with, or fails the test. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection, but the promise resolved');
}

function newClient(emulator: RunningEmulator, options: { retriesOff?: boolean } = {}): TcxcClient {
  return new TcxcClient({
    endpoint: emulator.endpoint,
    credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
    now: () => NOW,
    ...(options.retriesOff ? { retry: { maxRetries: 0 } } : {}),
  });
}

/** Loads every remaining page of `pager` concurrently and returns the results in yield order. */
async function drain(
  pager: CdrPager,
  options: number | ConcurrentLoadOptions,
): Promise<PageResult[]> {
  const results: PageResult[] = [];
  const loadOptions = typeof options === 'number' ? { concurrency: options } : options;
  for await (const result of loadRemainingPagesConcurrently(pager, loadOptions)) {
    results.push(result);
  }
  return results;
}

/** Formats epoch milliseconds as the API's `YYYY-MM-DD HH:MM:SS` UTC text. */
function apiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Builds a record for the in-memory sources below, with `i_cdr` `id`, one second per id. */
function record(id: number): Record<string, unknown> {
  return { i_cdr: String(id), connect_time: apiTime(NOW - 3 * DAY_MS + id * 1000), duration: '1' };
}

/** `count` records, newest first, as the API orders them. */
function newestFirst(count: number, firstId = 1): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => record(firstId + count - 1 - index));
}

/** One request that a {@link ScriptedSource} received. */
interface SourceRequest {
  readonly offset: number;
  readonly signal: AbortSignal | undefined;
  /** Requests in flight, this one included, when it was received. */
  readonly inFlight: number;
}

/**
 * In-memory source over `records` that responds to each request after `delayOf(offset)` ms, so
 * pages can arrive out of order. `failures` maps an offset to the error its next request gets.
 */
class ScriptedSource implements PageSource {
  readonly requests: SourceRequest[] = [];
  readonly failures = new Map<number, Error>();
  private inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly records: readonly Record<string, unknown>[],
    private readonly delayOf: (offset: number) => number = () => 0,
  ) {}

  async fetchPage(_query: FixedQuery, window: PageWindow, signal?: AbortSignal): Promise<RawPage> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.requests.push({ offset: window.offset, signal, inFlight: this.inFlight });
    try {
      await abortableDelay(this.delayOf(window.offset), signal);
      const failure = this.failures.get(window.offset);
      if (failure) {
        this.failures.delete(window.offset);
        throw failure;
      }
      const records = this.records.slice(window.offset, window.offset + window.pageSize);
      return { records, window, elapsedMs: 0 };
    } finally {
      this.inFlight--;
    }
  }

  offsets(): number[] {
    return this.requests.map((request) => request.offset);
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

describe('fetchAllConcurrently against emulator', () => {
  const COUNT = 600;
  let emulator: RunningEmulator;
  let client: TcxcClient;

  before(async () => {
    emulator = await startEmulator({
      cdrs: dataset(COUNT),
      now: () => NOW,
      latencyMs: 5,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    client = newClient(emulator);
  });

  after(async () => {
    await client.dispose();
    await emulator.close();
  });

  afterEach(() => emulator.clearFaults());

  // 600 records: multiples of the page size (60, 100, 600), other sizes (7, 250), one short page.
  for (const pageSize of [7, 60, 100, 250, 600, 1000]) {
    it(`matches sequential order, page size ${pageSize}`, async () => {
      const sequential = await fetchAllCdrs(client, QUERY, pageSize);
      const concurrent = await fetchAllConcurrently(client, QUERY, pageSize, { concurrency: 4 });
      const keys = keysOf(concurrent.records);

      assert.equal(keys.length, COUNT);
      assert.equal(new Set(keys).size, COUNT);
      assert.deepEqual(keys, keysOf(sequential));
      assert.equal(concurrent.pages, Math.floor(COUNT / pageSize) + 1);
      assert.equal(concurrent.concurrencyUsed, 4);
    });
  }

  it('returns no records for empty result', async () => {
    const before = emulator.requestCount;
    const result = await fetchAllConcurrently(client, { ...QUERY, prefix: '999999' }, 100, {
      concurrency: 4,
    });

    assert.deepEqual(result.records, []);
    assert.equal(result.pages, 1);
    assert.equal(emulator.requestCount - before, 1);
  });

  it('sends one request for one short page', async () => {
    const before = emulator.requestCount;
    const result = await fetchAllConcurrently(client, QUERY, 1000, { concurrency: 8 });

    assert.equal(result.records.length, COUNT);
    assert.equal(result.pages, 1);
    assert.equal(emulator.requestCount - before, 1);
  });

  it('reports progress per page', async () => {
    const progress: { pagesLoaded: number; records: number }[] = [];
    await fetchAllConcurrently(client, QUERY, 250, {
      concurrency: 3,
      onPage: (entry) => progress.push(entry),
    });

    assert.deepEqual(progress, [
      { pagesLoaded: 1, records: 250 },
      { pagesLoaded: 2, records: 500 },
      { pagesLoaded: 3, records: 600 },
    ]);
  });

  it('fixes the end at first page', async () => {
    const before = emulator.requests.length;
    const open: CdrQuery = { prefix: '', show: 'all', dateFrom: QUERY.dateFrom };
    let clock = NOW;
    const result = await fetchAllConcurrently(client, open, 100, {
      concurrency: 4,
      now: () => clock++,
    });
    const dateTos = new Set(emulator.requests.slice(before).map((entry) => entry.params.date_to));

    assert.equal(result.records.length, COUNT);
    assert.deepEqual([...dateTos], ['2024-06-15 12:00:00']);
  });

  it('429 lowers concurrency and loses nothing', async () => {
    const retriesOff = newClient(emulator, { retriesOff: true });
    try {
      const expected = keysOf(await fetchAllCdrs(client, QUERY, 50));
      const before = emulator.requests.length;
      const result = await fetchAllConcurrently(retriesOff, QUERY, 50, {
        concurrency: 4,
        onPage: ({ pagesLoaded }) => {
          // Page 1 was loaded alone, so the next requests are the first concurrent ones.
          if (pagesLoaded === 1) {
            emulator.injectFaults({ type: 'rateLimit', retryAfter: 0 }, 3);
          }
        },
      });
      const limited = emulator.requests.slice(before).filter((entry) => entry.status === 429);

      assert.equal(limited.length, 3);
      assert.deepEqual(keysOf(result.records), expected);
      assert.equal(result.concurrencyUsed, 2);
    } finally {
      await retriesOff.dispose();
    }
  });

  it('client retries absorb a 429', async () => {
    const waits: number[] = [];
    const retrying = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    try {
      const expected = keysOf(await fetchAllCdrs(client, QUERY, 50));
      const result = await fetchAllConcurrently(retrying, QUERY, 50, {
        concurrency: 4,
        onPage: ({ pagesLoaded }) => {
          if (pagesLoaded === 1) {
            emulator.injectFaults({ type: 'rateLimit', retryAfter: 1 }, 2);
          }
        },
      });

      assert.deepEqual(waits, [1000, 1000]);
      assert.deepEqual(keysOf(result.records), expected);
      assert.equal(result.concurrencyUsed, 4);
    } finally {
      await retrying.dispose();
    }
  });

  it('new calls during paging change nothing', async () => {
    const expected = keysOf(await fetchAllCdrs(client, QUERY, 40));
    let added = 0;
    const result = await fetchAllConcurrently(client, QUERY, 40, {
      concurrency: 4,
      onPage: () => {
        // Calls made after the fixed end of the range, which sorts them before every page.
        const late = generateCdrs({
          seed: 100 + added,
          count: 25,
          start: new Date(NOW + 1000),
          end: new Date(NOW + 60_000),
          firstId: 1_000_000 + added * 25,
        });
        emulator.addCdrs(late);
        added++;
      },
    });

    assert.ok(added > 1, `only ${added} batch(es) of new calls were added`);
    assert.deepEqual(keysOf(result.records), expected);
  });

  it('cancel aborts pending requests', async () => {
    const controller = new AbortController();
    let injected = false;
    const fetching = fetchAllConcurrently(client, QUERY, 50, {
      concurrency: 4,
      signal: controller.signal,
      onPage: ({ pagesLoaded }) => {
        if (pagesLoaded === 1) {
          emulator.injectFaults({ type: 'noResponse' }, 4);
          injected = true;
        }
      },
    });
    while (!injected || emulator.pendingFaults > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    controller.abort();
    const error = await rejectionOf(fetching);

    // The four requests get no response, so only the abort can settle the fetch.
    assert.ok(error instanceof CancelledError, String(error));
  });
});

describe('fetchAllConcurrently with rate limiter', () => {
  it('lowers concurrency under rate limit', async function () {
    this.timeout(30_000);
    // A real clock, because the emulator's limiter counts requests per calendar second.
    const records = dataset(1000, 12);
    const unlimited = await startEmulator({ cdrs: records, rateLimit: { perSecond: 0 } });
    // At 150 ms per request, one request at a time stays below 10 per second, and four do not.
    const limited = await startEmulator({
      cdrs: records,
      latencyMs: 150,
      rateLimit: { perSecond: 10, perHour: 0 },
    });
    const clientOf = (emulator: RunningEmulator): TcxcClient =>
      new TcxcClient({
        endpoint: emulator.endpoint,
        credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
        retry: { maxRetries: 0 },
      });
    const reference = clientOf(unlimited);
    const client = clientOf(limited);
    try {
      const expected = keysOf(await fetchAllCdrs(reference, QUERY, 50));
      const result = await fetchAllConcurrently(client, QUERY, 50, { concurrency: 4 });
      const rejected = limited.requests.filter((entry) => entry.status === 429).length;

      assert.equal(expected.length, 1000);
      assert.deepEqual(keysOf(result.records), expected);
      assert.ok(rejected > 0, 'the rate limiter rejected no request');
      assert.ok(result.concurrencyUsed < 4, `concurrency stayed at ${result.concurrencyUsed}`);
      console.log(
        `      rate limit 10/s: ${rejected} requests rejected with HTTP 429, ` +
          `concurrency 4 lowered to ${result.concurrencyUsed}`,
      );
    } finally {
      await reference.dispose();
      await client.dispose();
      await unlimited.close();
      await limited.close();
    }
  });
});

describe('loadRemainingPagesConcurrently', () => {
  it('keeps at most concurrency in flight', async () => {
    for (const concurrency of [1, 2, 4]) {
      const source = new ScriptedSource(newestFirst(1000), (offset) => (offset / 100) % 3);
      const pager = new CdrPager(source, QUERY, 100);
      await drain(pager, concurrency);

      assert.equal(source.maxInFlight, concurrency, `concurrency ${concurrency}`);
      assert.equal(pager.collection.size, 1000);
    }
  });

  it('loads page 1 alone', async () => {
    const source = new ScriptedSource(newestFirst(1000));
    await drain(new CdrPager(source, QUERY, 100), 4);

    assert.equal(source.requests[0].inFlight, 1);
    assert.equal(source.requests[1].offset, 100);
    assert.equal(source.requests[1].inFlight, 1);
    assert.equal(source.requests[4].inFlight, 4);
  });

  it('keeps page order when pages arrive reversed', async () => {
    // Later pages respond sooner, so every page but the first arrives before the one before it.
    const source = new ScriptedSource(newestFirst(950), (offset) => 40 - offset / 25);
    const pager = new CdrPager(source, QUERY, 100);
    const results = await drain(pager, 4);

    assert.deepEqual(
      results.map((result) => result.pageIndex),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.deepEqual(
      collectionKeys(pager),
      newestFirst(950).map((raw) => `i_cdr:${String(raw.i_cdr)}`),
    );
    assert.equal(results.at(-1)?.lastPage, true);
  });

  it('continues a started pager', async () => {
    const source = new ScriptedSource(newestFirst(500));
    const pager = new CdrPager(source, QUERY, 100);
    await pager.loadNextPage();
    await pager.loadNextPage();
    const results = await drain(pager, 3);

    assert.deepEqual(
      results.map((result) => result.pageIndex),
      [2, 3, 4, 5],
    );
    assert.equal(pager.collection.size, 500);
    assert.equal(source.offsets().filter((offset) => offset < 200).length, 2);
  });

  it('requests nothing past the short page', async () => {
    // The page at offset 200 has 50 records, so it is the last. Pages after it are slow, so they
    // are still in flight when it arrives.
    const source = new ScriptedSource(newestFirst(250), (offset) => (offset > 200 ? 50 : 0));
    const pager = new CdrPager(source, QUERY, 100);
    const results = await drain(pager, 4);
    const late = source.requests.filter((request) => request.offset > 200);

    assert.equal(results.length, 3);
    assert.equal(pager.collection.size, 250);
    assert.ok(late.length <= 3, `${late.length} requests past the last page`);
    assert.ok(
      late.every((request) => request.signal?.aborted === true),
      'a request past the last page was not aborted',
    );
  });

  it('stops on repeated full page', async () => {
    const page = newestFirst(100);
    const repeating: PageSource = {
      fetchPage: (_query, window) => Promise.resolve({ records: page, window, elapsedMs: 0 }),
    };
    const pager = new CdrPager(repeating, QUERY, 100);
    const error = await rejectionOf(drain(pager, 4));

    assert.ok(error instanceof BadResponseError, String(error));
    assert.equal(pager.collection.size, 100);
    assert.equal(pager.done, true);
  });

  it('rejects invalid concurrency', async () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      const pager = new CdrPager(new ScriptedSource([]), QUERY, 10);
      const error = await rejectionOf(drain(pager, concurrency));

      assert.ok(error instanceof RangeError, `concurrency ${concurrency}: ${String(error)}`);
    }
  });

  it('rejects a finished pager', async () => {
    const pager = new CdrPager(new ScriptedSource(newestFirst(5)), QUERY, 10);
    await pager.loadNextPage();

    await assert.rejects(drain(pager, 2), /No more pages/);
  });
});

describe('loadRemainingPagesConcurrently failures', () => {
  it('keeps pages before failed page', async () => {
    const source = new ScriptedSource(newestFirst(1000), (offset) => (offset === 400 ? 30 : 0));
    source.failures.set(400, new HttpError(502, 'Bad Gateway'));
    const pager = new CdrPager(source, QUERY, 100);
    const results: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const result of loadRemainingPagesConcurrently(pager, { concurrency: 4 })) {
          results.push(result.pageIndex);
        }
      })(),
    );

    assert.ok(error instanceof HttpError, String(error));
    assert.deepEqual(results, [0, 1, 2, 3]);
    assert.equal(pager.pageCount, 4);
    assert.equal(pager.nextOffset, 400);
    assert.deepEqual(collectionKeys(pager), keysOfRecords(newestFirst(1000).slice(0, 400)));
  });

  it('waits for slower earlier pages', async () => {
    // The page at offset 700 fails at once while the pages at 500 and 600 still load, and those
    // two are kept.
    const source = new ScriptedSource(newestFirst(1000), (offset) =>
      offset === 500 || offset === 600 ? 40 : 0,
    );
    source.failures.set(700, new HttpError(503, 'Service Unavailable'));
    const pager = new CdrPager(source, QUERY, 100);
    const error = await rejectionOf(drain(pager, 4));

    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.statusCode, 503);
    assert.equal(pager.pageCount, 7);
    assert.deepEqual(collectionKeys(pager), keysOfRecords(newestFirst(1000).slice(0, 700)));
  });

  it('resumes at failed page', async () => {
    const all = newestFirst(1000);
    const source = new ScriptedSource(all, (offset) => (offset / 100) % 4);
    source.failures.set(500, new HttpError(500, 'Internal Server Error'));
    const pager = new CdrPager(source, QUERY, 100);
    await assert.rejects(drain(pager, 4), HttpError);
    const requestsBefore = source.requests.length;
    await drain(pager, 4);
    const resumed = source.offsets().slice(requestsBefore);

    assert.equal(resumed[0], 500);
    assert.ok(
      resumed.every((offset) => offset >= 500),
      `resumed at ${resumed.join(', ')}`,
    );
    assert.deepEqual(collectionKeys(pager), keysOfRecords(all));
    assert.equal(pager.done, true);
  });

  it('resumes with Load more', async () => {
    const all = newestFirst(450);
    const source = new ScriptedSource(all);
    source.failures.set(200, new HttpError(502, 'Bad Gateway'));
    const pager = new CdrPager(source, QUERY, 100);
    await assert.rejects(drain(pager, 2), HttpError);
    const next = await pager.loadNextPage();

    assert.equal(next.pageIndex, 2);
    assert.equal(source.offsets().at(-1), 200);
    while (!pager.done) {
      await pager.loadNextPage();
    }
    assert.deepEqual(collectionKeys(pager), keysOfRecords(all));
  });

  it('requeues a rate-limited page', async () => {
    const all = newestFirst(800);
    const source = new ScriptedSource(all, (offset) => (offset === 300 ? 0 : 5));
    source.failures.set(300, new RateLimitError(0));
    const pager = new CdrPager(source, QUERY, 100);
    const changes: number[] = [];
    await drain(pager, {
      concurrency: 4,
      onConcurrencyChange: (concurrency) => changes.push(concurrency),
    });

    assert.deepEqual(changes, [2]);
    assert.equal(source.offsets().filter((offset) => offset === 300).length, 2);
    assert.deepEqual(collectionKeys(pager), keysOfRecords(all));
  });

  it('fails on 429 at concurrency 1', async () => {
    const source = new ScriptedSource(newestFirst(500));
    source.failures.set(200, new RateLimitError(0));
    const pager = new CdrPager(source, QUERY, 100);
    const error = await rejectionOf(drain(pager, 1));

    assert.ok(error instanceof RateLimitError, String(error));
    assert.equal(pager.pageCount, 2);
    assert.equal(source.offsets().filter((offset) => offset === 200).length, 1);
  });

  it('fails on long Retry-After', async () => {
    const source = new ScriptedSource(newestFirst(500));
    source.failures.set(200, new RateLimitError(3600));
    const pager = new CdrPager(source, QUERY, 100);
    const error = await rejectionOf(drain(pager, 4));

    assert.ok(error instanceof RateLimitError, String(error));
    assert.equal(error.retryAfterSeconds, 3600);
    assert.equal(pager.pageCount, 2);
  });

  it('cancel aborts every request at once', async () => {
    // Every page after the first waits for its abort, and never responds otherwise.
    const source = new ScriptedSource(newestFirst(1000), (offset) => (offset === 0 ? 0 : 1e9));
    const controller = new AbortController();
    const pager = new CdrPager(source, QUERY, 100);
    const loading = drain(pager, { concurrency: 4, signal: controller.signal });
    while (source.requests.length < 5) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    controller.abort();
    const error = await rejectionOf(loading);
    const pending = source.requests.slice(1);

    assert.ok(error instanceof CancelledError, String(error));
    assert.equal(pending.length, 4);
    assert.ok(
      pending.every((request) => request.signal?.aborted === true),
      'a request in flight was not aborted',
    );
    assert.equal(pager.pageCount, 1);
  });
});

describe('loadRemainingPagesConcurrently new calls', () => {
  /**
   * A source over a newest-first list that grows by `perRequest` new calls before each request,
   * and honours the fixed end of the range as the API does.
   */
  class GrowingSource implements PageSource {
    readonly records: Record<string, unknown>[];
    private nextId: number;

    constructor(
      initial: number,
      private readonly perRequest: number,
    ) {
      this.records = newestFirst(initial);
      this.nextId = initial + 1;
    }

    async fetchPage(query: FixedQuery, window: PageWindow): Promise<RawPage> {
      const arrived = Array.from({ length: this.perRequest }, () => {
        const id = this.nextId++;
        // A call made now, after every earlier call and after the fixed end of the range.
        return { ...record(id), connect_time: apiTime(NOW + id * 1000) };
      });
      this.records.unshift(...arrived.reverse());
      await abortableDelay((window.offset * 7) % 13, undefined);
      const end = apiTime(query.dateTo.getTime());
      const inRange = this.records.filter((raw) => String(raw.connect_time) <= end);
      return {
        records: inRange.slice(window.offset, window.offset + window.pageSize),
        window,
        elapsedMs: 0,
      };
    }
  }

  it('neither drops nor duplicates records', async () => {
    const source = new GrowingSource(1234, 3);
    const snapshot = keysOfRecords(source.records);
    const result = await fetchAllConcurrently(source, QUERY, 100, { concurrency: 4 });
    const keys = keysOf(result.records);

    assert.ok(source.records.length > 1234, 'no call was added');
    assert.equal(new Set(keys).size, keys.length);
    assert.deepEqual(keys, snapshot);
  });
});

describe('fetchAllConcurrently timing', () => {
  it('prints sequential and concurrent times', async function () {
    this.timeout(120_000);
    const emulator = await startEmulator({
      cdrs: dataset(20_000, 13),
      now: () => NOW,
      latencyMs: 20,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    const client = newClient(emulator);
    try {
      const sequentialStart = performance.now();
      const sequential = await fetchAllCdrs(client, QUERY, 500);
      const sequentialMs = performance.now() - sequentialStart;
      const figures = [`sequential ${Math.round(sequentialMs)} ms`];
      for (const concurrency of [2, 4]) {
        const start = performance.now();
        const concurrent = await fetchAllConcurrently(client, QUERY, 500, { concurrency });
        const elapsedMs = performance.now() - start;

        assert.deepEqual(
          keysOf(concurrent.records),
          keysOf(sequential),
          `concurrency ${concurrency}`,
        );
        figures.push(`concurrency ${concurrency} ${Math.round(elapsedMs)} ms`);
      }
      console.log(`      20,000 CDRs, page size 500, latency 20 ms: ${figures.join(', ')}`);
    } finally {
      await client.dispose();
      await emulator.close();
    }
  });
});

function keysOfRecords(records: readonly Record<string, unknown>[]): string[] {
  return records.map((raw) => `i_cdr:${String(raw.i_cdr)}`);
}
