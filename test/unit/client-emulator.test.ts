import assert from 'node:assert/strict';
import { FixedQuery, TcxcClient } from '../../src/client/client';
import { AuthenticationError, RateLimitError } from '../../src/client/errors';
import { CdrPager, fetchAllCdrs } from '../../src/client/paging';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { Cdr } from '../../src/model/cdr';

/** Fixed clock shared by the emulator and the clients: 2024-06-15 12:00:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const PAGE_SIZE = 60;

/** The last two of the dataset's three days, in the API's UTC text form. */
const RANGE_FROM = '2024-06-13 12:00:00';
const RANGE_TO = '2024-06-15 12:00:00';

const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 5, 13, 12, 0, 0)),
  dateTo: new Date(NOW),
};

type RawRecord = RunningEmulator['cdrs'][number];

/** Returns the sorted i_cdr values of the records in range that match the prefix and show. */
function expectedIds(emulator: RunningEmulator, prefix: string, show: 'all' | 'bad'): string[] {
  return emulator.cdrs
    .filter((record: RawRecord) => record.connect_time >= RANGE_FROM)
    .filter((record) => record.connect_time <= RANGE_TO)
    .filter((record) => record.CLD.startsWith(prefix))
    .filter((record) => show === 'all' || record.disconnect_code !== '16')
    .map((record) => record.i_cdr)
    .sort(byNumber);
}

function byNumber(a: string | undefined, b: string | undefined): number {
  return Number(a) - Number(b);
}

function idsOf(cdrs: readonly Cdr[]): (string | undefined)[] {
  return cdrs.map((cdr) => cdr.iCdr);
}

function sortedIds(cdrs: readonly Cdr[]): (string | undefined)[] {
  return idsOf(cdrs).sort(byNumber);
}

async function loadAllPages(pager: CdrPager): Promise<Cdr[]> {
  const cdrs: Cdr[] = [];
  for await (const page of pager.loadRemainingPages()) {
    cdrs.push(...page.added);
  }
  return cdrs;
}

describe('TcxcClient against emulator', () => {
  let emulator: RunningEmulator;
  const clients: TcxcClient[] = [];

  function newClient(apiKey = DEMO_API_KEY, login = DEMO_LOGIN, clock = NOW): TcxcClient {
    const client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login, apiKey },
      now: () => clock,
    });
    clients.push(client);
    return client;
  }

  before(async () => {
    emulator = await startEmulator({
      dataset: { seed: 7, count: 500, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      await client.dispose();
    }
  });

  after(async () => {
    await emulator.close();
  });

  it('pages the full matching set', async () => {
    const pager = new CdrPager(newClient(), QUERY, PAGE_SIZE);
    const cdrs = await loadAllPages(pager);
    const expected = expectedIds(emulator, '', 'all');

    assert.ok(expected.length > 2 * PAGE_SIZE, `only ${expected.length} records in range`);
    assert.ok(expected.length < emulator.cdrs.length, 'the range selects every record');
    assert.deepEqual(sortedIds(cdrs), expected);
    assert.equal(pager.pageCount, Math.floor(expected.length / PAGE_SIZE) + 1);
  });

  it('pages in unpaged order', async () => {
    const client = newClient();
    const paged = await loadAllPages(new CdrPager(client, QUERY, PAGE_SIZE));
    const unpaged = await client.fetchPage(QUERY);

    assert.deepEqual(
      idsOf(paged),
      unpaged.records.map((record) => (record as RawRecord).i_cdr),
    );
  });

  it('sends advancing offsets', async () => {
    const before = emulator.requests.length;
    await loadAllPages(new CdrPager(newClient(), QUERY, PAGE_SIZE));
    const windows = emulator.requests
      .slice(before)
      .map((request) => `${request.params.pager}@${request.params.off}`);

    assert.deepEqual(windows.slice(0, 3), ['60@0', '60@60', '60@120']);
  });

  it('fetches all with fetchAllCdrs', async () => {
    const cdrs = await fetchAllCdrs(newClient(), QUERY, PAGE_SIZE);

    assert.deepEqual(sortedIds(cdrs), expectedIds(emulator, '', 'all'));
  });

  it('filters by prefix', async () => {
    const prefix = emulator.cdrs[0].CLD.slice(0, 2);
    const query = { ...QUERY, prefix };
    const cdrs = await loadAllPages(new CdrPager(newClient(), query, PAGE_SIZE));
    const expected = expectedIds(emulator, prefix, 'all');

    assert.ok(expected.length > 0, `no record with prefix ${prefix}`);
    assert.ok(expected.length < expectedIds(emulator, '', 'all').length, 'prefix selects all');
    assert.deepEqual(sortedIds(cdrs), expected);
    assert.ok(
      cdrs.every((cdr) => cdr.cld.startsWith(prefix)),
      `a record does not start with ${prefix}`,
    );
  });

  it('filters failed calls with bad', async () => {
    const query = { ...QUERY, show: 'bad' as const };
    const cdrs = await loadAllPages(new CdrPager(newClient(), query, PAGE_SIZE));
    const expected = expectedIds(emulator, '', 'bad');

    assert.ok(expected.length > 0, 'no failed calls in range');
    assert.ok(expected.length < expectedIds(emulator, '', 'all').length, 'every call failed');
    assert.deepEqual(sortedIds(cdrs), expected);
    assert.ok(
      cdrs.every((cdr) => cdr.disconnectCode !== 16),
      'a normally cleared call was returned',
    );
  });

  it('parses emulator records cleanly', async () => {
    const cdrs = await fetchAllCdrs(newClient(), QUERY, PAGE_SIZE);
    const problems = cdrs.filter((cdr) => cdr.problems.length > 0);

    assert.deepEqual(
      problems.map((cdr) => `${cdr.key}: ${cdr.problems.join(', ')}`),
      [],
    );
  });

  it('rejects wrong key', async () => {
    const client = newClient('not-the-demo-key');

    await assert.rejects(client.fetchPage(QUERY, { offset: 0, pageSize: 10 }), AuthenticationError);
  });

  it('rejects unknown login', async () => {
    const client = newClient(DEMO_API_KEY, 'someone-else');

    await assert.rejects(client.fetchPage(QUERY), AuthenticationError);
  });

  it('corrects skewed clock from Date', async () => {
    // The emulator accepts ts within 300 s of its own clock, and its Date header shows the offset.
    const client = newClient(DEMO_API_KEY, DEMO_LOGIN, NOW - 600_000);
    const before = emulator.requestCount;
    const page = await client.fetchPage(QUERY);

    assert.ok(page.records.length > 0, 'no records');
    assert.equal(emulator.requestCount - before, 2);
  });
});

describe('TcxcClient emulator rate limit', () => {
  let emulator: RunningEmulator;
  let client: TcxcClient;

  before(async () => {
    emulator = await startEmulator({
      dataset: { seed: 7, count: 20, days: 1 },
      now: () => NOW,
      rateLimit: { perSecond: 1, perHour: 0 },
    });
    client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
      // The emulator's clock is fixed, so its rate-limit window never ends.
      retry: { maxRetries: 0 },
    });
  });

  after(async () => {
    await client.dispose();
    await emulator.close();
  });

  it('maps 429 to RateLimitError', async () => {
    await client.fetchPage(QUERY);

    await assert.rejects(client.fetchPage(QUERY), RateLimitError);
  });
});
