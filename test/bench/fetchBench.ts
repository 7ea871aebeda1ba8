/**
 * Fetch benchmark: every page of 100,000 CDRs from the emulator with 20 ms added to each
 * response. The baseline requests one page at a time, each with a new client and so a new
 * connection. The measured run uses fetchAllConcurrently with 4 requests in flight. The emulator
 * runs on a worker thread, as a real server runs elsewhere: in this thread, its filtering and JSON
 * writing for each page would be counted as the client's time.
 */
import { FixedQuery, TcxcClient } from '../../src/client/client';
import { fetchAllConcurrently } from '../../src/client/concurrentPaging';
import { DEMO_API_KEY, DEMO_LOGIN } from '../../src/emulator/server';
import { Cdr, toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';
import { busyShare, startEmulatorThread } from './emulatorThread';
import { Figure, formatMs, formatNumber, median } from './stats';

const RECORD_COUNT = 100_000;
const DAYS = 30;
const PAGE_SIZE = 1_000;
const LATENCY_MS = 20;
const CONCURRENCY = 4;
const ROUNDS = 3;
const GOAL_SPEEDUP = 3;
const DAY_MS = 86_400_000;

const credentials = { login: DEMO_LOGIN, apiKey: DEMO_API_KEY };

/** Fetches page after page, each with a client of its own that is disposed after the page. */
async function fetchWithNewClientPerPage(endpoint: string, query: FixedQuery): Promise<Cdr[]> {
  const collection = new CdrCollection();
  const records: Cdr[] = [];
  for (let offset = 0; ; offset += PAGE_SIZE) {
    const client = new TcxcClient({ endpoint, credentials });
    try {
      const page = await client.fetchPage(query, { offset, pageSize: PAGE_SIZE });
      records.push(...collection.add(page.records.map(toCdr)).added);
      if (page.records.length < PAGE_SIZE) {
        return records;
      }
    } finally {
      await client.dispose();
    }
  }
}

/** Describes how `records` compare with the emulator's `i_cdr` values; empty text when equal. */
function compareWithDataset(records: readonly Cdr[], expectedIds: ReadonlySet<string>): string {
  const ids = new Set(records.map((cdr) => cdr.iCdr ?? ''));
  const repeated = records.length - ids.size;
  const missing = [...expectedIds].filter((id) => !ids.has(id)).length;
  const unexpected = [...ids].filter((id) => !expectedIds.has(id)).length;
  if (repeated === 0 && missing === 0 && unexpected === 0) {
    return '';
  }
  return `${repeated} repeated, ${missing} missing, ${unexpected} unexpected`;
}

export async function runFetchBench(): Promise<Figure> {
  const emulator = await startEmulatorThread({
    latencyMs: LATENCY_MS,
    dataset: { seed: 11, count: RECORD_COUNT, days: DAYS },
    // 100 pages in a few seconds exceed the default limits, which would time the 429 waits.
    rateLimit: { perSecond: 0, perHour: 0 },
    requestLogLimit: 1_000,
  });
  try {
    const expectedIds = new Set(emulator.ids);
    const query: FixedQuery = {
      show: 'all',
      dateFrom: new Date(Date.now() - (DAYS + 1) * DAY_MS),
      dateTo: new Date(),
    };
    const baselineRuns: number[] = [];
    const measuredRuns: number[] = [];
    const checks: string[] = [];
    const emulatorBusy: number[] = [];
    let concurrencyUsed: number | undefined;
    let pages: number | undefined;
    // One unmeasured round first, then rounds that alternate the two ways of fetching.
    for (let round = 0; round <= ROUNDS; round++) {
      let started = performance.now();
      const baselineRecords = await fetchWithNewClientPerPage(emulator.endpoint, query);
      const baselineMs = performance.now() - started;
      const baselineCheck = compareWithDataset(baselineRecords, expectedIds);
      if (baselineCheck !== '') {
        checks.push(`baseline round ${round}: ${baselineCheck}`);
      }
      if (round > 0) {
        baselineRuns.push(baselineMs);
      }
      const client = new TcxcClient({ endpoint: emulator.endpoint, credentials });
      try {
        const loopBefore = await emulator.loopTime();
        started = performance.now();
        const result = await fetchAllConcurrently(client, query, PAGE_SIZE, {
          concurrency: CONCURRENCY,
        });
        const measuredMs = performance.now() - started;
        const loopAfter = await emulator.loopTime();
        const check = compareWithDataset(result.records, expectedIds);
        if (check !== '') {
          checks.push(`concurrent round ${round}: ${check}`);
        }
        concurrencyUsed = result.concurrencyUsed;
        pages = result.pages;
        if (round > 0) {
          measuredRuns.push(measuredMs);
          emulatorBusy.push(busyShare(loopBefore, loopAfter));
        }
      } finally {
        await client.dispose();
      }
    }
    const baseline = median(baselineRuns);
    const measured = median(measuredRuns);
    const complete = checks.length === 0;
    const notes = [
      `${formatNumber(RECORD_COUNT)} CDRs over ${DAYS} days, pages of ${formatNumber(PAGE_SIZE)}, ` +
        `${LATENCY_MS} ms added to each response, emulator on a worker thread; median of ` +
        `${ROUNDS} rounds after 1 warm-up round`,
      `runs: baseline ${baselineRuns.map(formatMs).join(', ')}` +
        `; concurrent ${measuredRuns.map(formatMs).join(', ')}`,
      complete
        ? `check: all ${formatNumber(expectedIds.size)} records present exactly once in every run`
        : `check FAILED: ${checks.join('; ')}`,
    ];
    notes.push(
      `pages: ${pages ?? '?'}, concurrency at the end: ${concurrencyUsed ?? '?'}; the emulator ` +
        `thread was busy ${emulatorBusy.map((share) => `${Math.round(share * 100)} %`).join(', ')} ` +
        'of each concurrent run',
    );
    return {
      name: 'fetch all',
      measuredLabel: `fetchAllConcurrently, concurrency ${CONCURRENCY}`,
      measured,
      baselineLabel: 'one page at a time, new client per page',
      baseline,
      unit: 'ms',
      goal: `at least ${GOAL_SPEEDUP}× faster, every record once`,
      met: baseline / measured >= GOAL_SPEEDUP && complete,
      notes,
    };
  } finally {
    await emulator.close();
  }
}
