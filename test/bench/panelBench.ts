/**
 * Panel benchmark in headless chromium with 100,000 rows in the CDR panel's script. It times three
 * steps: from the `init` message to the first table rows after a frame, from a search keystroke
 * to the repaint, and from a click on a column header to the repaint. The baseline draws the same
 * rows as one full HTML table built with DOM calls, in the same page.
 *
 * Each time ends inside a requestAnimationFrame callback, after reading `offsetHeight`, so it
 * includes style and layout of the new rows but not the painting of pixels.
 */
import { generateCdrs } from '../../src/emulator/dataset';
import { toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';
import type { PanelRow, PanelStatus } from '../../src/panel/protocol';
import { toPanelRow } from '../../src/panel/rows';
import { launchLoopbackBrowser } from '../harness/browser';
import { PanelPage, startPanelServer } from '../harness/panelPage';
import { Figure, formatMs, formatNumber, median } from './stats';

const ROW_COUNT = 100_000;
const DAYS = 30;
const SEARCH_TEXT = 'telia';
const RUNS = 5;
const BASELINE_RUNS = 3;
const FIRST_PAINT_GOAL_MS = 200;
const SEARCH_GOAL_MS = 100;

/** The few browser globals that the page functions use; this program has no DOM library. */
interface BenchElement {
  value: string;
  textContent: string | null;
  readonly offsetHeight: number;
  click(): void;
  remove(): void;
  append(...nodes: BenchElement[]): void;
  appendChild(node: BenchElement): BenchElement;
  setAttribute(name: string, value: string): void;
  dispatchEvent(event: unknown): boolean;
}

interface BenchGlobals {
  performance: { now(): number };
  Event: new (type: string, init?: { bubbles?: boolean }) => unknown;
  MutationObserver: new (callback: () => void) => {
    observe(target: BenchElement, options: Record<string, boolean>): void;
    disconnect(): void;
  };
  requestAnimationFrame(callback: () => void): number;
  setTimeout(callback: () => void, ms: number): number;
  postMessage(message: unknown, targetOrigin: string): void;
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  removeEventListener(type: string, listener: (event: { data?: unknown }) => void): void;
  document: {
    body: BenchElement;
    createElement(tag: string): BenchElement;
    querySelector(selector: string): BenchElement | null;
    querySelectorAll(selector: string): { readonly length: number };
  };
  __benchRows?: PanelRow[];
  /** `performance.now()` when the probe listener had read the last `init` message. */
  __benchReceivedAt?: number;
}

/**
 * Runs in the page before its scripts: adds a message listener ahead of the panel's, which reads
 * each `init` message and so takes the cost of copying its rows into the page.
 */
function installReceiveProbe(): void {
  const page = globalThis as unknown as BenchGlobals;
  page.addEventListener('message', (event) => {
    if ((event.data as { type?: unknown } | undefined)?.type === 'init') {
      page.__benchReceivedAt = page.performance.now();
    }
  });
}

/** What one timed step returns from the page. */
interface PageTiming {
  readonly ms: number;
  /** Table rows in the DOM when the time was taken. */
  readonly drawnRows: number;
  /** The panel's "N of M CDRs" text, or the baseline's row count. */
  readonly count: string;
  /** Milliseconds from the start to each named point, such as `posted`. */
  readonly marks?: Readonly<Record<string, number>>;
}

/** Runs in the page: keeps the rows for the steps below. */
function keepRowsInPage(rows: PanelRow[]): number {
  (globalThis as unknown as BenchGlobals).__benchRows = rows;
  return rows.length;
}

/** Runs in the page: waits for two frames and a quiet moment, so earlier work has finished. */
function settleInPage(ms: number): Promise<void> {
  const page = globalThis as unknown as BenchGlobals;
  return new Promise((resolve) => {
    page.requestAnimationFrame(() =>
      page.requestAnimationFrame(() => page.setTimeout(() => resolve(), ms)),
    );
  });
}

/**
 * Runs in the page: posts `init` with the kept rows and returns the time until the next frame
 * after the panel handled it. Marks: `posted` when postMessage has copied the rows, `received`
 * when the probe listener has read the copy, and `handled` when a listener added after the
 * panel's runs. Window listeners run in the order they were added.
 */
function timeInitInPage(status: PanelStatus): Promise<PageTiming> {
  const page = globalThis as unknown as BenchGlobals;
  const rows = page.__benchRows ?? [];
  const message = { type: 'init', filters: null, rows, status, selected: null };
  return new Promise((resolve) => {
    const marks: Record<string, number> = {};
    const start = page.performance.now();
    const handled = (event: { data?: unknown }) => {
      if ((event.data as { type?: unknown } | undefined)?.type !== 'init') {
        return;
      }
      marks.received = (page.__benchReceivedAt ?? Number.NaN) - start;
      marks.handled = page.performance.now() - start;
      page.removeEventListener('message', handled);
      page.requestAnimationFrame(() => {
        void page.document.body.offsetHeight;
        const ms = page.performance.now() - start;
        resolve({
          ms,
          drawnRows: page.document.querySelectorAll('.grid-body .grid-row').length,
          count: page.document.querySelector('.search-count')?.textContent ?? '',
          marks,
        });
      });
    };
    page.addEventListener('message', handled);
    page.postMessage(message, '*');
    marks.posted = page.performance.now() - start;
  });
}

/**
 * Runs in the page: types `text` into the search box as one input event and returns the time
 * until the frame after the panel rewrote its count of matching rows.
 */
function timeSearchInPage(text: string): Promise<PageTiming> {
  const page = globalThis as unknown as BenchGlobals;
  const input = page.document.querySelector('#search');
  const counter = page.document.querySelector('.search-count');
  if (input === null || counter === null) {
    throw new Error('The search box or its count is not in the page');
  }
  return new Promise((resolve) => {
    let start = 0;
    const observer = new page.MutationObserver(() => {
      observer.disconnect();
      page.requestAnimationFrame(() => {
        void page.document.body.offsetHeight;
        const ms = page.performance.now() - start;
        resolve({
          ms,
          drawnRows: page.document.querySelectorAll('.grid-body .grid-row').length,
          count: counter.textContent ?? '',
        });
      });
    });
    observer.observe(counter, { childList: true, characterData: true, subtree: true });
    input.value = text;
    start = page.performance.now();
    input.dispatchEvent(new page.Event('input', { bubbles: true }));
  });
}

/** Runs in the page: clicks a column header's sort button and times the next frame. */
function timeSortInPage(column: string): Promise<PageTiming> {
  const page = globalThis as unknown as BenchGlobals;
  const button = page.document.querySelector(`[data-column="${column}"] button`);
  if (button === null) {
    throw new Error(`No sort button for column ${column}`);
  }
  return new Promise((resolve) => {
    const start = page.performance.now();
    button.click();
    page.requestAnimationFrame(() => {
      void page.document.body.offsetHeight;
      const ms = page.performance.now() - start;
      const first = page.document.querySelector('.grid-body .grid-row[aria-rowindex="2"]');
      resolve({
        ms,
        drawnRows: page.document.querySelectorAll('.grid-body .grid-row').length,
        count: first?.textContent ?? '',
      });
    });
  });
}

/**
 * Runs in the page: draws the kept rows as one full `<table>` with DOM calls, in place of any
 * table it drew before, and times the next frame. The rows are first filtered by `search` and,
 * with `sortByAmount`, sorted by amount, largest first. Cells contain plain text: times as ISO
 * text and amounts in micro-units.
 */
function timeFullTableInPage(spec: { search: string; sortByAmount: boolean }): Promise<PageTiming> {
  const page = globalThis as unknown as BenchGlobals;
  const document = page.document;
  const start = page.performance.now();

  let rows = page.__benchRows ?? [];
  if (spec.search !== '') {
    const term = spec.search.toLowerCase();
    rows = rows.filter((row) =>
      [row.cli, row.cld, row.callId, row.country, row.vendor, String(row.code ?? ''), row.reason]
        .join('\n')
        .toLowerCase()
        .includes(term),
    );
  }
  if (spec.sortByAmount) {
    rows = [...rows].sort((a, b) => (b.amountMicros ?? -1) - (a.amountMicros ?? -1));
  }

  document.querySelector('#bench-full-table')?.remove();
  const table = document.createElement('table');
  table.setAttribute('id', 'bench-full-table');
  const head = document.createElement('tr');
  for (const label of ['Time', 'CLI', 'CLD', 'Country', 'Vendor', 'Duration', 'Amount', 'Cause']) {
    const cell = document.createElement('th');
    cell.textContent = label;
    head.appendChild(cell);
  }
  table.appendChild(head);

  for (const row of rows) {
    const line = document.createElement('tr');
    const cells = [
      row.time === null ? '' : new Date(row.time).toISOString(),
      row.cli,
      row.cld,
      row.country,
      row.vendor,
      String(row.duration ?? ''),
      String(row.amountMicros ?? ''),
      `${row.code ?? ''} ${row.reason}`,
    ];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      line.appendChild(cell);
    }
    table.appendChild(line);
  }
  document.body.appendChild(table);

  return new Promise((resolve) => {
    page.requestAnimationFrame(() => {
      void document.body.offsetHeight;
      resolve({
        ms: page.performance.now() - start,
        drawnRows: rows.length,
        count: `${rows.length} rows`,
      });
    });
  });
}

function removeFullTableInPage(): void {
  (globalThis as unknown as BenchGlobals).document.querySelector('#bench-full-table')?.remove();
}

/** Rows as the extension sends them in `init`: every loaded CDR, newest first. */
function buildRows(): PanelRow[] {
  const end = Date.UTC(2026, 2, 31, 23, 59, 59);
  const records = generateCdrs({
    seed: 20260302,
    count: ROW_COUNT,
    start: new Date(end - DAYS * 86_400_000),
    end: new Date(end),
  });
  const collection = new CdrCollection();
  collection.add(records.map(toCdr));
  return collection.all().map(toPanelRow);
}

function panelStatus(): PanelStatus {
  return {
    loading: 'idle',
    description: 'Benchmark · all destinations · all calls',
    loaded: ROW_COUNT,
    pages: 100,
    hasMore: false,
    error: null,
    hasCredentials: true,
  };
}

/** Runs the panel's steps `RUNS` times after one warm-up round, and the baseline's likewise. */
export async function runPanelBench(): Promise<Figure[]> {
  const browser = await launchLoopbackBrowser({ viewport: { width: 1400, height: 900 } });
  const server = await startPanelServer();
  try {
    await browser.context.addInitScript(installReceiveProbe);
    const panel = await PanelPage.open(browser.context, server);
    const page = panel.page;
    const rows = buildRows();
    const rowCount = await page.evaluate(keepRowsInPage, rows);
    const init: PageTiming[] = [];
    const search: PageTiming[] = [];
    const sort: PageTiming[] = [];
    for (let round = 0; round <= RUNS; round++) {
      await page.evaluate(settleInPage, 300);
      const initTiming = await page.evaluate(timeInitInPage, panelStatus());
      // The summary of 100,000 rows runs in a task after the first frame; let it finish.
      await page.evaluate(settleInPage, 1_000);
      const searchTiming = await page.evaluate(timeSearchInPage, SEARCH_TEXT);
      await page.evaluate(settleInPage, 500);
      await page.evaluate(timeSearchInPage, '');
      await page.evaluate(settleInPage, 500);
      const sortTiming = await page.evaluate(timeSortInPage, 'amount');
      await page.evaluate(settleInPage, 500);
      // Back to the default order, newest first, for the next round's init.
      await page.evaluate(timeSortInPage, 'time');
      if (round > 0) {
        init.push(initTiming);
        search.push(searchTiming);
        sort.push(sortTiming);
      }
    }
    const violations = await panel.violations();
    const userAgent = await page.evaluate(
      () => (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
    );
    const chromiumVersion = /Chrome\/([\d.]+)/.exec(userAgent)?.[1] ?? 'unknown version';
    await panel.close();

    const baselinePage = await browser.context.newPage();
    await baselinePage.goto('about:blank');
    await baselinePage.evaluate(keepRowsInPage, rows);
    const fullInit: PageTiming[] = [];
    const fullSearch: PageTiming[] = [];
    const fullSort: PageTiming[] = [];
    // A full table takes seconds, so a warm-up round would change little and take long.
    for (let round = 1; round <= BASELINE_RUNS; round++) {
      const steps: [PageTiming[], { search: string; sortByAmount: boolean }][] = [
        [fullInit, { search: '', sortByAmount: false }],
        [fullSearch, { search: SEARCH_TEXT, sortByAmount: false }],
        [fullSort, { search: '', sortByAmount: true }],
      ];
      for (const [list, spec] of steps) {
        await baselinePage.evaluate(removeFullTableInPage);
        await baselinePage.evaluate(settleInPage, 300);
        const timing = await baselinePage.evaluate(timeFullTableInPage, spec);
        if (round > 0) {
          list.push(timing);
        }
      }
    }
    await baselinePage.close();

    const common = [
      `${formatNumber(rowCount)} rows from emulator records over ${DAYS} days, newest first as ` +
        `the extension sends them, in headless chromium ${chromiumVersion}, ` +
        `1400×900 viewport; median of ${RUNS} runs after 1 warm-up (baseline: ${BASELINE_RUNS} runs)`,
    ];
    if (violations.length > 0) {
      common.push(`content security policy violations: ${violations.length}`);
    }
    return [
      panelFigure('panel first paint', init, fullInit, FIRST_PAINT_GOAL_MS, [
        ...common,
        `panel: ${init[0].count}, ${init[0].drawnRows} rows in the DOM; ` +
          `runs ${init.map((timing) => formatMs(timing.ms)).join(', ')}`,
        `first paint, medians from the start: ${describeMarks(init)}`,
      ]),
      panelFigure('panel search', search, fullSearch, SEARCH_GOAL_MS, [
        `search "${SEARCH_TEXT}" typed as one keystroke after a pause: ${search[0].count}; ` +
          `runs ${search.map((timing) => formatMs(timing.ms)).join(', ')}`,
      ]),
      panelFigure('panel sort', sort, fullSort, undefined, [
        `sort by amount; runs ${sort.map((timing) => formatMs(timing.ms)).join(', ')}`,
      ]),
    ];
  } finally {
    await server.close();
    await browser.close();
  }
}

/** Describes the median of each mark, such as "posted 95 ms, received 190 ms". */
function describeMarks(timings: readonly PageTiming[]): string {
  const names = Object.keys(timings[0].marks ?? {});
  const parts = names.map((name) => {
    const values = timings.map((timing) => timing.marks?.[name] ?? Number.NaN);
    return `${name} ${formatMs(median(values))}`;
  });
  return [...parts, `frame ${formatMs(median(timings.map((timing) => timing.ms)))}`].join(', ');
}

function panelFigure(
  name: string,
  measuredTimings: readonly PageTiming[],
  baselineTimings: readonly PageTiming[],
  goalMs: number | undefined,
  notes: string[],
): Figure {
  const measured = median(measuredTimings.map((timing) => timing.ms));
  const baseline = median(baselineTimings.map((timing) => timing.ms));
  return {
    name,
    measuredLabel: 'panel script (virtual table)',
    measured,
    baselineLabel: 'full HTML table built with DOM calls',
    baseline,
    unit: 'ms',
    goal: goalMs === undefined ? '' : `under ${goalMs} ms`,
    met: goalMs === undefined ? undefined : measured < goalMs,
    notes: [
      ...notes,
      `baseline runs ${baselineTimings.map((timing) => formatMs(timing.ms)).join(', ')} ` +
        `(${formatNumber(baselineTimings[0].drawnRows)} rows)`,
    ],
  };
}
