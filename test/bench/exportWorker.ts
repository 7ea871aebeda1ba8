/**
 * Child process of the export benchmark: loads every record of a query from an emulator that runs
 * in another process, samples its own memory every 50 ms, and prints one JSON line of results.
 *
 * CLI: node --expose-gc out/test/bench/exportWorker.js MODE ENDPOINT FILE PAGE_SIZE FROM TO
 *   MODE       `stream` writes a CSV file with exportCdrs. `memory` keeps every record in memory
 *              with fetchAllCdrs, as a load into the extension does, and writes no file.
 *   FROM, TO   the query's range as ISO 8601 times
 */
import { FixedQuery, TcxcClient } from '../../src/client/client';
import { fetchAllCdrs } from '../../src/client/paging';
import { DEMO_API_KEY, DEMO_LOGIN } from '../../src/emulator/server';
import { exportCdrs } from '../../src/export/exporter';

const SAMPLE_INTERVAL_MS = 50;

/** What the worker prints, as one JSON line on standard output. */
export interface ExportWorkerResult {
  readonly mode: 'stream' | 'memory';
  readonly records: number;
  readonly pages: number;
  readonly elapsedMs: number;
  /** Memory in bytes after loading and a full garbage collection, before the first request. */
  readonly startRss: number;
  readonly startHeapUsed: number;
  /** Largest values seen by the samples and by a last reading at the end. */
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  readonly samples: number;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

async function main(args: readonly string[]): Promise<void> {
  const [mode, endpoint, file, pageSizeText, fromText, toText] = args;
  if ((mode !== 'stream' && mode !== 'memory') || args.length !== 6) {
    throw new Error(
      'Usage: exportWorker.js stream|memory ENDPOINT FILE PAGE_SIZE FROM TO (ISO 8601 times)',
    );
  }
  const pageSize = Number(pageSizeText);
  const query: FixedQuery = { show: 'all', dateFrom: new Date(fromText), dateTo: new Date(toText) };
  const client = new TcxcClient({
    endpoint,
    credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
  });
  collectGarbage();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeapUsed = start.heapUsed;
  let samples = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
    samples++;
  };
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  const started = performance.now();
  let records = 0;
  let pages = 0;
  try {
    if (mode === 'stream') {
      const result = await exportCdrs({ source: client, query, pageSize, format: 'csv', file });
      records = result.records;
      pages = result.pages;
    } else {
      const all = await fetchAllCdrs(client, query, pageSize);
      sample();
      records = all.length;
      // Every page but the last is full, and the last one is short, possibly empty.
      pages = Math.floor(records / pageSize) + 1;
    }
  } finally {
    clearInterval(timer);
    await client.dispose();
  }
  const elapsedMs = performance.now() - started;
  sample();
  const result: ExportWorkerResult = {
    mode,
    records,
    pages,
    elapsedMs,
    startRss: start.rss,
    startHeapUsed: start.heapUsed,
    peakRss,
    peakHeapUsed,
    samples,
  };
  console.log(JSON.stringify(result));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  });
}
