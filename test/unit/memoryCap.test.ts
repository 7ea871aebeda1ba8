import assert from 'node:assert/strict';
import { FixedQuery, PageSource, RawPage } from '../../src/client/client';
import { loadRemainingPagesConcurrently } from '../../src/client/concurrentPaging';
import { PageWindow } from '../../src/client/form';
import { CdrPager, PageResult } from '../../src/client/paging';

const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 0, 1)),
  dateTo: new Date(Date.UTC(2024, 0, 2)),
};

function record(id: number): Record<string, unknown> {
  const second = String(id % 60).padStart(2, '0');
  return { i_cdr: String(id), connect_time: `2024-01-01 10:00:${second}`, duration: '1' };
}

function records(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => record(index + 1));
}

function keysOf(list: readonly Record<string, unknown>[]): string[] {
  return list.map((raw) => `i_cdr:${String(raw.i_cdr)}`);
}

/** Returns the keys that `results` added, in the order they were added. */
function addedKeys(results: readonly PageResult[]): string[] {
  return results.flatMap((result) => result.added.map((cdr) => cdr.key));
}

/** Serves `list` by offset, or the pages of `script` in order, and logs each offset. */
class ArraySource implements PageSource {
  readonly offsets: number[] = [];

  constructor(
    private readonly list: readonly Record<string, unknown>[],
    private readonly script?: readonly Record<string, unknown>[][],
  ) {}

  fetchPage(_query: FixedQuery, window: PageWindow): Promise<RawPage> {
    this.offsets.push(window.offset);
    const page = this.script
      ? (this.script[this.offsets.length - 1] ?? [])
      : this.list.slice(window.offset, window.offset + window.pageSize);
    return Promise.resolve({ records: page, window, elapsedMs: 0 });
  }
}

async function loadSequentially(pager: CdrPager): Promise<PageResult[]> {
  const results: PageResult[] = [];
  for await (const result of pager.loadRemainingPages()) {
    results.push(result);
  }
  return results;
}

async function loadConcurrently(pager: CdrPager, concurrency: number): Promise<PageResult[]> {
  const results: PageResult[] = [];
  for await (const result of loadRemainingPagesConcurrently(pager, { concurrency })) {
    results.push(result);
  }
  return results;
}

describe('CdrPager record limit', () => {
  it('stops at the limit mid-page', async () => {
    const all = records(1000);
    const pager = new CdrPager(new ArraySource(all), QUERY, 300);
    pager.maxRecords = 700;
    const results = await loadSequentially(pager);
    const last = results.at(-1);

    assert.equal(results.length, 3);
    assert.equal(pager.collection.size, 700);
    assert.deepEqual(addedKeys(results), keysOf(all.slice(0, 700)));
    assert.equal(last?.received, 300);
    assert.equal(last?.added.length, 100);
    assert.equal(last?.capReached, true);
    assert.equal(last?.lastPage, false);
    assert.equal(pager.capReached, true);
    assert.equal(pager.done, false);
    assert.equal(pager.nextOffset, 700);
  });

  it('rejects Load more at the limit', async () => {
    const source = new ArraySource(records(1000));
    const pager = new CdrPager(source, QUERY, 300);
    pager.maxRecords = 700;
    await loadSequentially(pager);

    await assert.rejects(pager.loadNextPage(), /limit of 700 CDRs in memory/);
    await assert.rejects(loadConcurrently(pager, 2), /limit of 700 CDRs in memory/);
    assert.equal(source.offsets.length, 3);
  });

  it('resumes after raising the limit', async () => {
    const all = records(1000);
    const source = new ArraySource(all);
    const pager = new CdrPager(source, QUERY, 300);
    pager.maxRecords = 700;
    const first = await loadSequentially(pager);
    pager.maxRecords = 5000;
    const rest = await loadSequentially(pager);

    assert.equal(source.offsets[3], 700);
    assert.deepEqual([...addedKeys(first), ...addedKeys(rest)], keysOf(all));
    assert.equal(pager.capReached, false);
    assert.equal(pager.done, true);
  });

  it('reports an exact fit as capped', async () => {
    const pager = new CdrPager(new ArraySource(records(1000)), QUERY, 300);
    pager.maxRecords = 600;
    const results = await loadSequentially(pager);

    assert.equal(results.length, 2);
    assert.equal(results[1].added.length, 300);
    assert.equal(results[1].capReached, true);
    assert.equal(pager.capReached, true);
  });

  it('ends uncapped when the query fits', async () => {
    const pager = new CdrPager(new ArraySource(records(500)), QUERY, 300);
    pager.maxRecords = 500;
    const results = await loadSequentially(pager);

    assert.equal(pager.collection.size, 500);
    assert.equal(results.at(-1)?.lastPage, true);
    assert.equal(results.at(-1)?.capReached, false);
    assert.equal(pager.capReached, false);
    assert.equal(pager.done, true);
  });

  it('counts no duplicates against the limit', async () => {
    // Page 2 repeats the last two records of page 1, as after a new call shifted the order.
    const script = [
      [record(1), record(2), record(3), record(4)],
      [record(3), record(4), record(5), record(6)],
      [record(7), record(8), record(9), record(10)],
    ];
    const pager = new CdrPager(new ArraySource([], script), QUERY, 4);
    pager.maxRecords = 7;
    const results = await loadSequentially(pager);

    assert.equal(pager.collection.size, 7);
    assert.deepEqual(addedKeys(results), keysOf(records(7)));
    assert.equal(results[1].duplicates, 2);
    assert.equal(pager.nextOffset, 8 + 1);
  });

  it('caps the first page', async () => {
    const pager = new CdrPager(new ArraySource(records(5000)), QUERY, 5000);
    pager.maxRecords = 1000;
    const first = await pager.loadNextPage();

    assert.equal(first.added.length, 1000);
    assert.equal(first.capReached, true);
    assert.equal(pager.pageCount, 1);
  });

  it('keeps records above a lowered limit', async () => {
    const pager = new CdrPager(new ArraySource(records(1000)), QUERY, 300);
    await pager.loadNextPage();
    await pager.loadNextPage();
    pager.maxRecords = 100;

    assert.equal(pager.collection.size, 600);
    assert.equal(pager.capReached, true);
  });

  it('rejects an invalid limit', () => {
    const pager = new CdrPager(new ArraySource([]), QUERY, 10);
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => {
          pager.maxRecords = limit;
        },
        RangeError,
        `limit ${limit}`,
      );
    }
    assert.equal(pager.maxRecords, Number.POSITIVE_INFINITY);
  });
});

describe('concurrent load record limit', () => {
  it('stops at the limit', async () => {
    const all = records(2000);
    const source = new ArraySource(all);
    const pager = new CdrPager(source, QUERY, 100);
    pager.maxRecords = 750;
    const results = await loadConcurrently(pager, 4);

    assert.equal(pager.collection.size, 750);
    assert.deepEqual(addedKeys(results), keysOf(all.slice(0, 750)));
    assert.equal(results.at(-1)?.capReached, true);
    assert.equal(pager.capReached, true);
    assert.equal(pager.nextOffset, 750);
  });

  it('requests no page past the limit', async () => {
    const source = new ArraySource(records(2000));
    const pager = new CdrPager(source, QUERY, 100);
    pager.maxRecords = 700;
    await loadConcurrently(pager, 4);

    assert.deepEqual(source.offsets, [0, 100, 200, 300, 400, 500, 600]);
    assert.equal(pager.capReached, true);
  });

  it('matches the sequential result', async () => {
    const all = records(1234);
    for (const limit of [1000, 1100, 1234, 5000]) {
      const sequential = new CdrPager(new ArraySource(all), QUERY, 100);
      const concurrent = new CdrPager(new ArraySource(all), QUERY, 100);
      sequential.maxRecords = limit;
      concurrent.maxRecords = limit;
      const expected = addedKeys(await loadSequentially(sequential));
      const keys = addedKeys(await loadConcurrently(concurrent, 3));

      assert.deepEqual(keys, expected, `limit ${limit}`);
      assert.equal(concurrent.capReached, sequential.capReached, `limit ${limit}`);
    }
  });
});
