/**
 * Panel benchmark in headless chromium with 100,000 rows in the CDR panel's script. It times three
 * steps: from the extension starting a snapshot to the first table rows after a frame, from a
 * search keystroke to the repaint, and from a click on a column header to the repaint. The
 * baseline draws the same rows as one full HTML table built with DOM calls, in the same page.
 *
 * The snapshot goes as the extension sends it (src/ui/cdrPanel.ts with src/panel/transfer.ts):
 * `init` with the first part of the rows, and each later part in a `moreRows` message once the
 * panel requests it with `nextRows`. Each message travels the way VS Code carries it into a
 * webview (see `installHostStandIn` in test/harness/panelPage.ts): JSON text with the typed
 * arrays beside it as binary data, then two structured clones. VS Code does the JSON work in the
 * extension host and the workbench, and the clones in two more frames. Here all of it runs in the
 * panel's page before the panel's listener, so the times include it.
 *
 * NOTE: a `nextRows` request reaches the page's stand-in host at once. In VS Code it crosses to
 * the extension host and back, which this benchmark does not time, so in VS Code each later part
 * arrives that much later.
 *
 * Each time ends inside a requestAnimationFrame callback, after reading `offsetHeight`, so it
 * includes style and layout of the new rows but not the painting of pixels.
 */
import { generateCdrs } from '../../src/emulator/dataset';
import { Cdr, toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';
import type { PanelRow, PanelStatus, ToPanel } from '../../src/panel/protocol';
import { toPanelRow } from '../../src/panel/rows';
import { DEFAULT_SORT } from '../../src/panel/table';
import { FIRST_PART_ROWS, OutgoingRows, PART_ROWS } from '../../src/panel/transfer';
import { launchLoopbackBrowser } from '../harness/browser';
import { type HostRecord, PanelPage, startPanelServer } from '../harness/panelPage';
import { Figure, collectGarbage, formatMs, formatNumber, median } from './stats';

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
  /** The messages of one snapshot, the `init` first. */
  __benchMessages?: ToPanel[];
  __panelHost?: HostRecord;
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

/** Runs in the page: keeps the rows for the baseline. */
function keepRowsInPage(rows: PanelRow[]): number {
  (globalThis as unknown as BenchGlobals).__benchRows = rows;
  return rows.length;
}

/** Runs in the page: keeps the messages of a snapshot for {@link timeInitInPage}. */
function keepMessagesInPage(messages: ToPanel[]): number {
  (globalThis as unknown as BenchGlobals).__benchMessages = messages;
  return messages.length;
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

/** What {@link timeInitInPage} returns: the first paint, and the end of the snapshot. */
interface SnapshotTiming extends PageTiming {
  /** Milliseconds from the start to the frame after the panel handled the last part. */
  readonly allRowsMs: number;
  /** The panel's "N of M CDRs" text after the last part. */
  readonly finalCount: string;
}

/**
 * Runs in the page: delivers the kept `init` and queues the later parts for the panel's
 * `nextRows` requests, as the extension sends them. Returns the time until the frame after the
 * panel handled `init`, once the last part has arrived too. Marks: `posted` when the delivery of
 * `init` has cloned it into the page's message queue, and `received` when the probe listener has
 * read the copy. `handled` is when a listener added after the panel's runs, because window
 * listeners run in the order they were added.
 */
function timeInitInPage(): Promise<SnapshotTiming> {
  const page = globalThis as unknown as BenchGlobals;
  const host = page.__panelHost;
  const [init, ...later] = page.__benchMessages ?? [];
  if (host === undefined || init === undefined) {
    throw new Error('The host stand-in or the snapshot is not in the page');
  }
  return new Promise((resolve) => {
    const marks: Record<string, number> = {};
    let firstPaint: PageTiming | undefined;
    const start = page.performance.now();
    const afterFrame = (then: (ms: number) => void) =>
      page.requestAnimationFrame(() => {
        void page.document.body.offsetHeight;
        then(page.performance.now() - start);
      });
    const count = () => page.document.querySelector('.search-count')?.textContent ?? '';
    const finish = () => {
      afterFrame((ms) => {
        const first = firstPaint ?? { ms: Number.NaN, drawnRows: 0, count: '' };
        resolve({ ...first, marks, allRowsMs: ms, finalCount: count() });
      });
    };
    const listener = (event: { data?: unknown }) => {
      const message = event.data as { type?: unknown; transfer?: { remaining?: unknown } };
      if (message?.type === 'init') {
        marks.received = (page.__benchReceivedAt ?? Number.NaN) - start;
        marks.handled = page.performance.now() - start;
        afterFrame((ms) => {
          firstPaint = {
            ms,
            drawnRows: page.document.querySelectorAll('.grid-body .grid-row').length,
            count: count(),
          };
        });
      }
      const last = message?.type === 'init' ? later.length === 0 : message?.type === 'moreRows';
      if (last && message.transfer?.remaining === 0) {
        page.removeEventListener('message', listener);
        finish();
      }
    };
    page.addEventListener('message', listener);
    host.queue.splice(0, host.queue.length, ...later);
    host.deliver(init);
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

/** The loaded CDRs, and their rows, kept as the extension keeps them. */
interface Loaded {
  readonly collection: CdrCollection;
  readonly rowCache: WeakMap<Cdr, PanelRow>;
}

function loadCdrs(): Loaded {
  const end = Date.UTC(2026, 2, 31, 23, 59, 59);
  const records = generateCdrs({
    seed: 20260302,
    count: ROW_COUNT,
    start: new Date(end - DAYS * 86_400_000),
    end: new Date(end),
  });
  const collection = new CdrCollection();
  collection.add(records.map(toCdr));
  const rowCache = new WeakMap<Cdr, PanelRow>();
  for (const cdr of collection.all()) {
    rowCache.set(cdr, toPanelRow(cdr));
  }
  return { collection, rowCache };
}

/** Every loaded row, newest first, as the extension's `allRows` returns them from its cache. */
function allRows({ collection, rowCache }: Loaded): PanelRow[] {
  return collection.all().map((cdr) => rowCache.get(cdr) ?? toPanelRow(cdr));
}

/** The messages of one snapshot, and the milliseconds the extension takes before `init`. */
interface Snapshot {
  readonly messages: ToPanel[];
  readonly extensionMs: number;
}

/**
 * Builds a snapshot as the extension does on `ready`, with the same code. The time of building
 * `init` counts towards first paint. The extension host builds the later parts while the panel
 * draws, so their time does not count.
 */
function buildSnapshot(loaded: Loaded, id: number): Snapshot {
  const started = performance.now();
  const outgoing = new OutgoingRows(id, allRows(loaded), { sort: DEFAULT_SORT });
  const init: ToPanel = {
    type: 'init',
    filters: null,
    rows: outgoing.first.rows,
    transfer: outgoing.first.transfer,
    status: panelStatus(),
    selected: null,
  };
  const extensionMs = performance.now() - started;
  const messages: ToPanel[] = [init];
  for (let part = outgoing.next(); part !== undefined; part = outgoing.next()) {
    messages.push({ type: 'moreRows', rows: part.rows, transfer: part.transfer });
  }
  return { messages, extensionMs };
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

export interface PanelBenchOptions {
  /** False to skip the full-table baseline, which takes minutes; true by default. */
  readonly baseline?: boolean;
}

/**
 * Runs the panel's steps `RUNS` times after one warm-up round, and the baseline's likewise. Each
 * round builds and sends a snapshot as when the panel is shown again. The messages go to the page
 * once, before the rounds, because the test driver takes seconds to carry them.
 */
export async function runPanelBench(options: PanelBenchOptions = {}): Promise<Figure[]> {
  const browser = await launchLoopbackBrowser({ viewport: { width: 1400, height: 900 } });
  const server = await startPanelServer();
  try {
    await browser.context.addInitScript(installReceiveProbe);
    const panel = await PanelPage.open(browser.context, server);
    const page = panel.page;
    const loaded = loadCdrs();
    const rows = allRows(loaded);
    const init: SnapshotTiming[] = [];
    const search: PageTiming[] = [];
    const sort: PageTiming[] = [];
    const messageCount = await page.evaluate(keepMessagesInPage, buildSnapshot(loaded, 1).messages);
    for (let round = 0; round <= RUNS; round++) {
      // The garbage of earlier rounds is collected before the extension's part is timed, and the
      // pause lets the collector's background threads finish.
      collectGarbage();
      await page.evaluate(settleInPage, 300);
      const snapshot = buildSnapshot(loaded, 1);
      const pageTiming = await page.evaluate(timeInitInPage);
      if (
        pageTiming.finalCount !== `${formatNumber(ROW_COUNT)} of ${formatNumber(ROW_COUNT)} CDRs`
      ) {
        throw new Error(`The panel shows "${pageTiming.finalCount}" after the last part`);
      }
      // First paint counts from the extension starting the snapshot.
      const extensionMs = snapshot.extensionMs;
      const shifted = Object.fromEntries(
        Object.entries(pageTiming.marks ?? {}).map(([name, ms]) => [name, extensionMs + ms]),
      );
      const initTiming: SnapshotTiming = {
        ...pageTiming,
        ms: extensionMs + pageTiming.ms,
        allRowsMs: extensionMs + pageTiming.allRowsMs,
        marks: { extension: extensionMs, ...shifted },
      };
      // The summary of 100,000 rows runs in a task after the last part; let it finish.
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

    const fullInit: PageTiming[] = [];
    const fullSearch: PageTiming[] = [];
    const fullSort: PageTiming[] = [];
    const baselinePage = await browser.context.newPage();
    await baselinePage.goto('about:blank');
    const rowCount = await baselinePage.evaluate(keepRowsInPage, rows);
    // A full table takes seconds, so a warm-up round would change little and take long.
    const baselineRuns = options.baseline === false ? 0 : BASELINE_RUNS;
    for (let round = 1; round <= baselineRuns; round++) {
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
      `${formatNumber(rowCount)} rows from emulator records over ${DAYS} days, ` +
        `in headless chromium ${chromiumVersion}, ` +
        `1400×900 viewport; median of ${RUNS} runs after 1 warm-up (baseline: ${baselineRuns} runs)`,
    ];
    if (violations.length > 0) {
      common.push(`content security policy violations: ${violations.length}`);
    }
    return [
      panelFigure('panel first paint', init, fullInit, FIRST_PAINT_GOAL_MS, [
        ...common,
        `snapshot in ${messageCount} messages: the first with ${formatNumber(FIRST_PART_ROWS)} rows, ` +
          `then up to ${formatNumber(PART_ROWS)} rows each when the panel asks; messages go as ` +
          'VS Code carries them: JSON with the typed arrays as binary data, two structured clones',
        `panel at first paint: ${init[0].count}, ${init[0].drawnRows} rows in the DOM; ` +
          `runs ${init.map((timing) => formatMs(timing.ms)).join(', ')}`,
        `first paint, medians from the extension starting the snapshot: ${describeMarks(init)}`,
        `all rows arrived (${init[0].finalCount}) at the frame after the last part: ` +
          `median ${formatMs(median(init.map((timing) => timing.allRowsMs)))}; runs ` +
          init.map((timing) => formatMs(timing.allRowsMs)).join(', '),
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
  const baseline =
    baselineTimings.length === 0 ? undefined : median(baselineTimings.map((timing) => timing.ms));
  const baselineNote =
    baselineTimings.length === 0
      ? 'baseline not run'
      : `baseline runs ${baselineTimings.map((timing) => formatMs(timing.ms)).join(', ')} ` +
        `(${formatNumber(baselineTimings[0].drawnRows)} rows)`;
  return {
    name,
    measuredLabel: 'panel script (virtual table)',
    measured,
    baselineLabel: 'full HTML table built with DOM calls',
    baseline,
    unit: 'ms',
    goal: goalMs === undefined ? '' : `under ${goalMs} ms`,
    met: goalMs === undefined ? undefined : measured < goalMs,
    notes: [...notes, baselineNote],
  };
}
