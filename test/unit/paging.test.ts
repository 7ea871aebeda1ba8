import assert from 'node:assert/strict';
import { FixedQuery, PageSource, RawPage } from '../../src/client/client';
import { PageWindow } from '../../src/client/form';
import { CdrQuery } from '../../src/client/query';
import { BadResponseError } from '../../src/client/errors';
import { CdrPager, fetchAllCdrs } from '../../src/client/paging';

/** One request that the fake source received. */
interface LoggedRequest {
  readonly offset: number;
  readonly pageSize: number;
  readonly dateTo: string;
  readonly signal: AbortSignal | undefined;
}

/**
 * In-memory page source: serves `records` by offset, or the pages of `script` in order when
 * one is given, and logs every window it is asked for.
 */
class FakeSource implements PageSource {
  readonly log: LoggedRequest[] = [];
  failNext: Error | undefined;

  constructor(
    private readonly records: unknown[],
    private readonly script?: unknown[][],
  ) {}

  fetchPage(query: FixedQuery, window: PageWindow, signal?: AbortSignal): Promise<RawPage> {
    this.log.push({
      offset: window.offset,
      pageSize: window.pageSize,
      dateTo: query.dateTo.toISOString(),
      signal,
    });
    if (this.failNext) {
      const failure = this.failNext;
      this.failNext = undefined;
      return Promise.reject(failure);
    }
    const records = this.script
      ? (this.script[this.log.length - 1] ?? [])
      : this.records.slice(window.offset, window.offset + window.pageSize);
    return Promise.resolve({ records, window, elapsedMs: 1 });
  }

  offsets(): number[] {
    return this.log.map((entry) => entry.offset);
  }
}

function record(iCdr: number): Record<string, unknown> {
  const second = String(iCdr % 60).padStart(2, '0');
  return {
    i_cdr: String(iCdr),
    connect_time: `2024-01-01 10:00:${second}`,
    setup_time: `2024-01-01 10:00:${second}`,
    duration: '1',
  };
}

function records(count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => record(index + 1));
}

const QUERY: CdrQuery = {
  prefix: '44',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 0, 1)),
};

const FIXED_QUERY: CdrQuery = { ...QUERY, dateTo: new Date(Date.UTC(2024, 0, 2)) };

const START = Date.UTC(2024, 0, 1, 12, 0, 0);

/**
 * A source that ignores the offset and returns the same records for every window. It fails
 * after `maxRequests` requests, so a pager that never stops ends the test instead of hanging it.
 */
class RepeatingSource implements PageSource {
  requests = 0;

  constructor(
    private readonly page: unknown[],
    private readonly maxRequests = 10,
  ) {}

  fetchPage(_query: FixedQuery, window: PageWindow): Promise<RawPage> {
    this.requests++;
    if (this.requests > this.maxRequests) {
      return Promise.reject(new Error(`requested ${this.requests} pages`));
    }
    return Promise.resolve({ records: this.page, window, elapsedMs: 1 });
  }
}

async function loadAll(pager: CdrPager): Promise<void> {
  while (!pager.done) {
    await pager.loadNextPage();
  }
}

describe('CdrPager stop rule', () => {
  it('stops after a short page', async () => {
    const source = new FakeSource(records(5));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    const lastPages: boolean[] = [];
    while (!pager.done) {
      lastPages.push((await pager.loadNextPage()).lastPage);
    }

    assert.deepEqual(source.offsets(), [0, 2, 4]);
    assert.deepEqual(lastPages, [false, false, true]);
  });

  it('stops after full then empty page', async () => {
    const source = new FakeSource(records(4));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();
    await pager.loadNextPage();

    assert.equal(pager.done, false);

    const last = await pager.loadNextPage();

    assert.equal(last.received, 0);
    assert.equal(last.lastPage, true);
    assert.equal(pager.done, true);
    assert.deepEqual(source.offsets(), [0, 2, 4]);
  });

  it('stops after empty first page', async () => {
    const source = new FakeSource([]);
    const pager = new CdrPager(source, QUERY, 10, () => START);
    const page = await pager.loadNextPage();

    assert.equal(page.lastPage, true);
    assert.equal(pager.collection.size, 0);
  });

  it('sends page size in every window', async () => {
    const source = new FakeSource(records(7));
    await loadAll(new CdrPager(source, QUERY, 3, () => START));

    assert.deepEqual(
      source.log.map((entry) => entry.pageSize),
      [3, 3, 3],
    );
  });

  it('throws after last page', async () => {
    const source = new FakeSource(records(1));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();

    await assert.rejects(pager.loadNextPage(), /No more pages/);
    assert.equal(source.log.length, 1);
  });

  it('counts pages and indexes', async () => {
    const source = new FakeSource(records(5));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    const indexes: number[] = [];
    for await (const page of pager.loadRemainingPages()) {
      indexes.push(page.pageIndex);
    }

    assert.deepEqual(indexes, [0, 1, 2]);
    assert.equal(pager.pageCount, 3);
  });

  it('rejects invalid page size', () => {
    for (const pageSize of [0, -5, 1.5, Number.NaN]) {
      assert.throws(() => new CdrPager(new FakeSource([]), QUERY, pageSize), RangeError);
    }
  });
});

describe('CdrPager offsets', () => {
  it('advances by received count', async () => {
    // The server ignores the page size and returns 3, then 1 record.
    const source = new FakeSource([], [records(3), [record(4)]]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await loadAll(pager);

    assert.deepEqual(source.offsets(), [0, 3]);
  });

  it('counts duplicates in received', async () => {
    const source = new FakeSource([], [[record(1), record(2)], [record(2), record(3)], []]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await loadAll(pager);

    // The repeated record means one record arrived early in the range, so the range is read
    // again from the start after the last page.
    assert.deepEqual(source.offsets(), [0, 2, 4, 0]);
  });

  it('finds a record that arrived during paging', async () => {
    // The server lists newest first. After page 1, a call from inside the range is written at
    // position 3, which pushes every later record one place on.
    const list = records(200).reverse();
    const source: PageSource = {
      fetchPage: (_query, window) => {
        if (window.offset === 50 && !list.some((item) => item.i_cdr === '999')) {
          list.splice(3, 0, record(999));
        }
        const page = list.slice(window.offset, window.offset + window.pageSize);
        return Promise.resolve({ records: page, window, elapsedMs: 1 });
      },
    };
    const pager = new CdrPager(source, QUERY, 50, () => START);
    await loadAll(pager);

    assert.equal(pager.collection.size, 201);
    assert.ok(pager.collection.get('i_cdr:999') !== undefined, 'the late record is missing');
    assert.equal(pager.needsCatchUp, false);
  });

  it('goes past a whole page of late records', async () => {
    const list = records(200).reverse();
    const late = Array.from({ length: 20 }, (_, index) => record(1000 + index));
    let inserted = false;
    const source: PageSource = {
      fetchPage: (_query, window) => {
        if (window.offset === 20 && !inserted) {
          list.splice(0, 0, ...late);
          inserted = true;
        }
        const page = list.slice(window.offset, window.offset + window.pageSize);
        return Promise.resolve({ records: page, window, elapsedMs: 1 });
      },
    };
    const pager = new CdrPager(source, QUERY, 20, () => START);
    await loadAll(pager);

    assert.equal(pager.collection.size, 220);
    assert.equal(pager.done, true);
  });

  it('retries failed page at same offset', async () => {
    const source = new FakeSource(records(3));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();
    source.failNext = new Error('connection reset');

    await assert.rejects(pager.loadNextPage(), /connection reset/);

    await pager.loadNextPage();

    assert.deepEqual(source.offsets(), [0, 2, 2]);
    assert.equal(pager.pageCount, 2);
    assert.equal(pager.collection.size, 3);
  });

  it('passes signal to source', async () => {
    const source = new FakeSource(records(1));
    const controller = new AbortController();
    await new CdrPager(source, QUERY, 2, () => START).loadNextPage(controller.signal);

    assert.equal(source.log[0].signal, controller.signal);
  });
});

describe('CdrPager dateTo', () => {
  it('fixes dateTo at first page', async () => {
    let clock = START;
    const source = new FakeSource(records(5));
    const pager = new CdrPager(source, QUERY, 2, () => clock);
    await pager.loadNextPage();
    clock += 3_600_000;
    await pager.loadNextPage();
    clock += 3_600_000;
    await pager.loadNextPage();

    assert.deepEqual(
      source.log.map((entry) => entry.dateTo),
      ['2024-01-01T12:00:00.000Z', '2024-01-01T12:00:00.000Z', '2024-01-01T12:00:00.000Z'],
    );
  });

  it('reads the clock at first page', async () => {
    let clock = START;
    const source = new FakeSource(records(1));
    const pager = new CdrPager(source, QUERY, 2, () => clock);
    clock += 60_000;
    await pager.loadNextPage();

    assert.equal(source.log[0].dateTo, '2024-01-01T12:01:00.000Z');
  });

  it('keeps given dateTo', async () => {
    const source = new FakeSource(records(1));
    const pager = new CdrPager(source, FIXED_QUERY, 2, () => START);
    await pager.loadNextPage();

    assert.equal(source.log[0].dateTo, '2024-01-02T00:00:00.000Z');
  });

  it('reports sent query', async () => {
    const pager = new CdrPager(new FakeSource(records(1)), QUERY, 2, () => START);
    const before = pager.sentQuery;
    await pager.loadNextPage();
    const after = pager.sentQuery;

    assert.equal(before, undefined);
    assert.equal(after?.dateTo.getTime(), START);
    assert.equal(after?.prefix, '44');
  });
});

describe('CdrPager de-duplication', () => {
  it('drops record repeated across pages', async () => {
    // A new call shifted the server's order, so page two repeats the last record of page one.
    const source = new FakeSource([], [[record(1), record(2)], [record(2), record(3)], []]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();
    const second = await pager.loadNextPage();

    assert.equal(second.received, 2);
    assert.equal(second.duplicates, 1);
    assert.deepEqual(
      second.added.map((cdr) => cdr.iCdr),
      ['3'],
    );
    assert.equal(pager.collection.size, 3);
  });

  it('reports new and changed dates', async () => {
    const nextDay = { ...record(9), connect_time: '2024-01-02 00:00:00' };
    const source = new FakeSource([], [[record(1), record(2)], [record(3), nextDay], []]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    const first = await pager.loadNextPage();
    const second = await pager.loadNextPage();

    assert.deepEqual(first.newDates, ['2024-01-01']);
    assert.deepEqual(second.newDates, ['2024-01-02']);
    assert.deepEqual(second.changedDates, ['2024-01-01']);
  });
});

describe('CdrPager repeated pages', () => {
  it('stops when server ignores offset', async () => {
    const source = new RepeatingSource(records(2));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();
    // One repeat may be a whole page of records that arrived during paging; a second is not.
    await pager.loadNextPage();

    await assert.rejects(pager.loadNextPage(), (error: Error) => {
      assert.ok(error instanceof BadResponseError, `${error.name}: ${error.message}`);
      assert.match(error.message, /page 3 \(offset 4\) repeated only records already loaded/);
      assert.match(error.message, /ignoring the offset/);
      return true;
    });
    assert.equal(pager.done, true);
    assert.equal(source.requests, 3);
  });

  it('keeps records loaded before repeat', async () => {
    const source = new RepeatingSource(records(3));
    const pager = new CdrPager(source, QUERY, 3, () => START);
    await pager.loadNextPage();
    await pager.loadNextPage();
    await assert.rejects(pager.loadNextPage(), BadResponseError);

    assert.equal(pager.collection.size, 3);
    assert.equal(pager.pageCount, 3);
  });

  it('ends loadRemainingPages on repeat', async () => {
    const source = new RepeatingSource(records(2));
    const pager = new CdrPager(source, QUERY, 2, () => START);
    const pages: number[] = [];
    const loading = (async () => {
      for await (const page of pager.loadRemainingPages()) {
        pages.push(page.pageIndex);
      }
    })();

    await assert.rejects(loading, BadResponseError);
    assert.deepEqual(pages, [0, 1]);
    assert.equal(source.requests, 3);
  });

  it('ends fetchAllCdrs on repeat', async () => {
    const source = new RepeatingSource(records(2));

    await assert.rejects(fetchAllCdrs(source, FIXED_QUERY, 2), BadResponseError);
    assert.equal(source.requests, 3);
  });

  it('stops on oversized repeated page', async () => {
    // The server ignores both the offset and the page size.
    const source = new RepeatingSource(records(5));

    await assert.rejects(fetchAllCdrs(source, FIXED_QUERY, 2), BadResponseError);
    assert.equal(source.requests, 3);
  });

  it('ends on short page of duplicates', async () => {
    const source = new FakeSource([], [[record(1), record(2)], [record(2)]]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await pager.loadNextPage();
    const last = await pager.loadNextPage();

    assert.equal(last.lastPage, true);
    assert.equal(last.duplicates, 1);
    assert.equal(pager.done, true);
  });

  it('continues after partly new full page', async () => {
    const source = new FakeSource([], [[record(1), record(2)], [record(2), record(3)], []]);
    const pager = new CdrPager(source, QUERY, 2, () => START);
    await loadAll(pager);

    assert.equal(pager.collection.size, 3);
    assert.equal(pager.pageCount, 3);
  });
});

describe('fetchAllCdrs', () => {
  it('returns every record in order', async () => {
    const source = new FakeSource(records(7));
    const cdrs = await fetchAllCdrs(source, FIXED_QUERY, 3);

    assert.deepEqual(
      cdrs.map((cdr) => cdr.iCdr),
      ['1', '2', '3', '4', '5', '6', '7'],
    );
    assert.deepEqual(source.offsets(), [0, 3, 6]);
  });

  it('drops duplicates across pages', async () => {
    const source = new FakeSource([], [[record(1), record(2)], [record(2), record(3)], []]);
    const cdrs = await fetchAllCdrs(source, FIXED_QUERY, 2);

    assert.deepEqual(
      cdrs.map((cdr) => cdr.iCdr),
      ['1', '2', '3'],
    );
  });

  it('propagates source failure', async () => {
    const source = new FakeSource(records(3));
    source.failNext = new Error('HTTP 502');

    await assert.rejects(fetchAllCdrs(source, FIXED_QUERY, 2), /HTTP 502/);
  });
});
