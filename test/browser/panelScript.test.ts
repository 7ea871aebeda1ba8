/**
 * Drives the CDR panel's script (dist/webview/panel.js) in headless Chromium, with the real
 * HTML, content security policy and stylesheet, and rows built from emulator records the way the
 * extension builds them. Expected values are computed here from the data, not by the panel's
 * own helpers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateCdrs, type RawCdr } from '../../src/emulator/dataset';
import { toCdr, type Cdr } from '../../src/model/cdr';
import type {
  CdrDetails,
  ColumnId,
  FromPanel,
  PanelFilters,
  PanelRow,
  PanelState,
  PanelStatus,
  ToPanel,
} from '../../src/panel/protocol';
import { encodeRows } from '../../src/panel/columns';
import { DEFAULT_FILTERS } from '../../src/panel/filters';
import { cdrDetails, toPanelRow } from '../../src/panel/rows';
import { OutgoingRows } from '../../src/panel/transfer';
import { LoopbackBrowser, launchLoopbackBrowser } from '../harness/browser';
import { resultsDir } from '../harness/codeServer';
import {
  PanelPage,
  PanelServer,
  THEMES,
  ShownRow,
  startPanelServer,
  waitUntil,
} from '../harness/panelPage';

const ROW_COUNT = 2000;
const MISMATCH_INDEX = 5;
const MALFORMED_INDEX = 7;

/** Emulator records, with one wrong amount and one unreadable duration among the oldest. */
function buildRecords(): RawCdr[] {
  const records = generateCdrs({
    seed: 20260302,
    count: ROW_COUNT,
    start: new Date('2026-03-02T00:00:00Z'),
    end: new Date('2026-03-04T23:59:59Z'),
  });
  records[MISMATCH_INDEX] = { ...records[MISMATCH_INDEX], customer_amount: '9.999999' };
  records[MALFORMED_INDEX] = { ...records[MALFORMED_INDEX], duration: 'n/a' };
  return records;
}

const cdrs: Cdr[] = buildRecords().map((record) => toCdr(record));
const rows: PanelRow[] = cdrs.map((cdr) => toPanelRow(cdr));

function detailsOf(key: string): CdrDetails {
  const cdr = cdrs.find((candidate) => candidate.key === key);
  assert.ok(cdr, `no CDR with key ${key}`);
  return cdrDetails(cdr);
}

function status(overrides: Partial<PanelStatus> = {}): PanelStatus {
  return {
    loading: 'idle',
    description: 'Last 7 days · all destinations · all calls',
    loaded: ROW_COUNT,
    pages: 20,
    hasMore: true,
    error: null,
    hasCredentials: true,
    ...overrides,
  };
}

/** Number of the last snapshot built below; each gets a new one, as from the extension. */
let transferCount = 0;

/** An `init` that carries all of `initRows` in one part. */
function init(
  initRows: readonly PanelRow[],
  options: { selected?: CdrDetails | null; filters?: PanelFilters | null } = {},
): ToPanel {
  return {
    type: 'init',
    filters: options.filters ?? null,
    rows: encodeRows(initRows),
    transfer: { id: ++transferCount, remaining: 0 },
    status: status({ loaded: initRows.length }),
    selected: options.selected ?? null,
  };
}

/**
 * Builds the messages of a snapshot of `snapshot`, split as the extension splits it: an `init`
 * with the first part, and a `moreRows` for each later part.
 */
function initInParts(
  snapshot: readonly PanelRow[],
  sizes: { firstRows: number; partRows: number },
  options: { selected?: CdrDetails | null; include?: string } = {},
): [ToPanel, ...ToPanel[]] {
  const outgoing = new OutgoingRows(++transferCount, snapshot, {
    ...sizes,
    include: options.include,
  });
  const later: ToPanel[] = [];
  for (let part = outgoing.next(); part !== undefined; part = outgoing.next()) {
    later.push({ type: 'moreRows', rows: part.rows, transfer: part.transfer });
  }
  const first: ToPanel = {
    type: 'init',
    filters: null,
    rows: outgoing.first.rows,
    transfer: outgoing.first.transfer,
    status: status({ loaded: snapshot.length }),
    selected: options.selected ?? null,
  };
  return [first, ...later];
}

/** Returns the transfer number of each `nextRows` request that the panel posted. */
function nextRowsRequests(messages: readonly FromPanel[]): number[] {
  return messages.flatMap((message) => (message.type === 'nextRows' ? [message.transfer] : []));
}

// Independent expectations

/** `i_cdr` as a number: the emulator's ids are whole numbers. */
function idOf(row: PanelRow): number {
  return Number(row.id);
}

/** Sorts by one numeric field, missing values last, ties by `i_cdr` in the same direction. */
function sortedBy(field: (row: PanelRow) => number | null, descending: boolean): PanelRow[] {
  const sign = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = field(a);
    const y = field(b);
    if (x === null || y === null) {
      if (x === null && y === null) {
        return sign * (idOf(a) - idOf(b));
      }
      return x === null ? 1 : -1;
    }
    return sign * (x - y) || sign * (idOf(a) - idOf(b));
  });
}

const newestFirst = sortedBy((row) => row.time, true);

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Formats unix milliseconds as `YYYY-MM-DD HH:MM:SS` in UTC. */
function utc(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

/** The texts the table should show for a row. */
function expectedCells(row: PanelRow): Record<ColumnId, string> {
  const number = (text: string) => (/^\d+$/.test(text) ? `+${text}` : text || '—');
  let duration = '—';
  if (row.duration !== null) {
    const hours = Math.floor(row.duration / 3600);
    const minutes = Math.floor((row.duration % 3600) / 60);
    const seconds = pad(row.duration % 60);
    duration = hours > 0 ? `${hours}:${pad(minutes)}:${seconds}` : `${minutes}:${seconds}`;
  }
  const micros = row.amountMicros;
  const amount =
    micros === null
      ? '—'
      : `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  return {
    time: row.time === null ? '—' : utc(row.time),
    cli: number(row.cli),
    cld: number(row.cld),
    country: row.country || '—',
    vendor: row.vendor || '—',
    duration,
    amount,
    cause: `${row.code} ${row.reason}`,
  };
}

/** Rows that the search should keep: each term occurs in one of the searched fields. */
function searchExpected(query: string): PanelRow[] {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .map((term) => term.replace(/^\+(?=\d+$)/, ''));
  return rows.filter((row) => {
    const fields = [row.cli, row.cld, row.callId, row.country, row.vendor, String(row.code)];
    fields.push(row.reason);
    return terms.every((term) => fields.some((field) => field.toLowerCase().includes(term)));
  });
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** Sums `customer_amount` texts exactly, as whole micro-units. */
function totalCost(selected: readonly Cdr[]): string {
  let total = 0n;
  for (const cdr of selected) {
    const text = String(cdr.raw.customer_amount);
    const [whole, fraction = ''] = text.split('.');
    total += BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
  }
  return `${total / 1_000_000n}.${String(total % 1_000_000n).padStart(6, '0')}`;
}

function selectKeys(messages: readonly FromPanel[]): string[] {
  return messages.flatMap((message) => (message.type === 'select' ? [message.key] : []));
}

// Page helpers

async function waitForCount(panel: PanelPage, text: string): Promise<void> {
  await waitUntil(
    () => panel.page.locator('.search-count').textContent(),
    (shown) => shown === text,
    `the count "${text}"`,
  );
}

async function rowAt(panel: PanelPage, rowIndex: number): Promise<ShownRow> {
  const shown = await waitUntil(
    () => panel.shownRows(),
    (list) => list.some((row) => row.rowIndex === rowIndex),
    `row ${rowIndex} to be drawn`,
  );
  return shown.find((row) => row.rowIndex === rowIndex) as ShownRow;
}

async function figure(panel: PanelPage, name: string): Promise<string> {
  return (await panel.page.locator(`[data-figure="${name}"] .figure-value`).textContent()) ?? '';
}

async function lastSelectKey(panel: PanelPage): Promise<string | undefined> {
  return selectKeys(await panel.posted()).at(-1);
}

describe('CDR panel script in a real browser', function () {
  this.timeout(120_000);
  let server: PanelServer;
  let browser: LoopbackBrowser;
  let panel: PanelPage;

  before(async () => {
    server = await startPanelServer();
    browser = await launchLoopbackBrowser({ viewport: { width: 1200, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    panel = await PanelPage.open(browser.context, server);
  });

  afterEach(async () => {
    const violations = await panel.violations();
    await panel.close();
    assert.deepEqual(violations, [], 'the page reported content security policy violations');
    assert.equal(
      browser.blockedRequestCount(),
      0,
      `requests left loopback: ${browser.blockedUrls().join(', ')}`,
    );
  });

  it('renders 2,000 rows virtually', async () => {
    await panel.deliver(init(rows));
    await waitForCount(panel, '2,000 of 2,000 CDRs');

    const shown = await panel.shownRows();
    assert.ok(shown.length > 10, `only ${shown.length} rows are drawn`);
    assert.ok(shown.length < 100, `${shown.length} row elements are in the DOM`);
    for (const row of shown.slice(0, 15)) {
      assert.deepEqual(row.cells, expectedCells(newestFirst[row.rowIndex - 2]));
    }
    const grid = panel.page.locator('.grid');
    assert.equal(await grid.getAttribute('role'), 'grid');
    assert.equal(await grid.getAttribute('aria-rowcount'), String(ROW_COUNT + 1));
    const header = panel.page.locator('[role="columnheader"][data-column="time"]');
    assert.equal(await header.textContent(), 'Time (UTC)▼');

    await panel.scrollTable('end');
    const last = await rowAt(panel, ROW_COUNT + 1);
    assert.deepEqual(last.cells, expectedCells(newestFirst[ROW_COUNT - 1]));
    assert.ok((await panel.shownRows()).length < 100);

    // The edited records are among the oldest, so they are drawn now, with their markers.
    const mismatch = newestFirst.findIndex((row) => row.key === rows[MISMATCH_INDEX].key);
    const malformed = newestFirst.findIndex((row) => row.key === rows[MALFORMED_INDEX].key);
    assert.ok((await rowAt(panel, mismatch + 2)).classes.includes('mismatch'));
    assert.ok((await rowAt(panel, malformed + 2)).classes.includes('malformed'));
    const markers = panel.page.locator(`#cdr-row-${malformed} .marker`);
    assert.ok((await markers.count()) >= 1);
    assert.match((await markers.first().textContent()) ?? '', /Malformed record/);

    const failed = newestFirst.findIndex((row) => !row.answered);
    await panel.scrollTable(0);
    const failedRow = await rowAt(panel, failed + 2);
    assert.ok(failedRow.classes.includes('failed'));
    const failedMarker = panel.page.locator(`#cdr-row-${failed} .col-cause .marker`);
    assert.match((await failedMarker.textContent()) ?? '', /✕Failed call/);
  });

  for (const column of ['duration', 'amount'] as const) {
    it(`sorts by ${column} both ways`, async () => {
      await panel.deliver(init(rows));
      await waitForCount(panel, '2,000 of 2,000 CDRs');
      const header = panel.page.locator(`[role="columnheader"][data-column="${column}"]`);
      const timeHeader = panel.page.locator('[role="columnheader"][data-column="time"]');
      const field = (row: PanelRow) => (column === 'duration' ? row.duration : row.amountMicros);
      const seen = new Set<string>();

      for (let click = 0; click < 2; click++) {
        await header.locator('button').click();
        const direction = await header.getAttribute('aria-sort');
        assert.ok(
          direction === 'ascending' || direction === 'descending',
          `aria-sort ${direction}`,
        );
        seen.add(direction);
        assert.equal(await timeHeader.getAttribute('aria-sort'), 'none');
        const sorts = (await panel.posted()).filter((message) => message.type === 'sort');
        assert.deepEqual(sorts.at(-1), {
          type: 'sort',
          sort: { column, descending: direction === 'descending' },
        });
        const expected = sortedBy(field, direction === 'descending');

        // Sorting keeps the selected row in view, so go back to the top first.
        await panel.scrollTable(0);
        await rowAt(panel, 2);
        const shown = await panel.shownRows();
        assert.equal(shown[0].rowIndex, 2);
        for (const row of shown.slice(0, 20)) {
          assert.deepEqual(row.cells, expectedCells(expected[row.rowIndex - 2]));
        }
        await panel.page.locator('.grid').focus();
        await panel.page.keyboard.press('End');
        await waitUntil(
          () => lastSelectKey(panel),
          (key) => key === expected.at(-1)?.key,
          'End',
        );
        const last = await rowAt(panel, ROW_COUNT + 1);
        assert.deepEqual(last.cells, expectedCells(expected[ROW_COUNT - 1]));
        await panel.page.keyboard.press('Home');
        await waitUntil(
          () => lastSelectKey(panel),
          (key) => key === expected[0].key,
          'Home',
        );
      }
      assert.deepEqual([...seen].sort(), ['ascending', 'descending']);
    });
  }

  it('narrows rows by search', async () => {
    await panel.deliver(init(rows));
    await waitForCount(panel, '2,000 of 2,000 CDRs');
    const search = panel.page.locator('#search');
    const sample = rows[100];
    const queries = [
      'Telia',
      sample.cld.slice(3, 9),
      `+${sample.cld.slice(0, 7)}`,
      'busy',
      'telia busy',
      sample.callId.toUpperCase(),
    ];
    for (const query of queries) {
      const expected = searchExpected(query);
      assert.ok(expected.length > 0, `the test data has no match for "${query}"`);
      await search.fill(query);
      await waitForCount(panel, `${count(expected.length)} of 2,000 CDRs`);
      const shown = await panel.shownRows();
      const firstExpected = expected
        .sort((a, b) => (b.time ?? 0) - (a.time ?? 0) || idOf(b) - idOf(a))
        .slice(0, shown.length)
        .map((row) => expectedCells(row));
      assert.deepEqual(
        shown.map((row) => row.cells),
        firstExpected,
        `rows shown for "${query}"`,
      );
    }

    await search.fill('no-such-cdr');
    await waitForCount(panel, '0 of 2,000 CDRs');
    assert.equal((await panel.shownRows()).length, 0);
    assert.equal(
      await panel.page.locator('.grid-empty').textContent(),
      'No loaded CDR matches “no-such-cdr”.',
    );
  });

  it('rejects invalid filters without posting', async () => {
    await panel.deliver(init(rows));
    const page = panel.page;
    const applies = async () =>
      (await panel.posted()).filter((message) => message.type === 'apply');
    const expectError = async (field: string, pattern: RegExp) => {
      const error = page.locator(`.field-${field} .field-error`);
      assert.ok(await error.isVisible(), `no error shown next to ${field}`);
      assert.match((await error.textContent()) ?? '', pattern);
      const control = page.locator(`#filter-${field}`);
      assert.equal(await control.getAttribute('aria-invalid'), 'true');
      assert.equal(await control.getAttribute('aria-describedby'), `filter-${field}-error`);
    };

    assert.equal(await page.locator('#filter-from').isVisible(), false);
    await page.selectOption('#filter-window', 'custom');
    assert.equal(await page.locator('#filter-from').isVisible(), true);
    assert.equal(
      await page.locator('#filter-from').getAttribute('placeholder'),
      'YYYY-MM-DD HH:MM:SS',
    );
    await page.fill('#filter-from', '2026-03-04 10:00:00');
    await page.fill('#filter-to', '2026-03-03 10:00:00');
    await page.fill('#filter-prefix', '44ab');
    await page.fill('#filter-pageSize', '0');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectError('to', /end is before the start/);
    await expectError('prefix', /digits only/);
    await expectError('pageSize', /whole number from 1 to 5000/);
    assert.equal(await page.locator('.field-from .field-error').isVisible(), false);
    assert.equal(await page.locator('#filter-from').getAttribute('aria-invalid'), null);

    await page.fill('#filter-pageSize', '6000');
    await page.locator('#filter-pageSize').press('Enter');
    await expectError('pageSize', /whole number from 1 to 5000/);
    assert.deepEqual(await applies(), []);

    await page.fill('#filter-to', '2026-03-04 12:00:00');
    await page.fill('#filter-prefix', '44');
    await page.selectOption('#filter-show', 'bad');
    await page.fill('#filter-pageSize', '250');
    await page.locator('#filter-pageSize').press('Enter');
    const posted = await waitUntil(applies, (list) => list.length > 0, 'the apply message');
    assert.deepEqual(posted, [
      {
        type: 'apply',
        filters: {
          window: 'custom',
          from: '2026-03-04 10:00:00',
          to: '2026-03-04 12:00:00',
          prefix: '44',
          show: 'bad',
          pageSize: '250',
        },
      },
    ]);
    assert.equal(await page.locator('.field-error:visible').count(), 0);
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);

    // Errors found by the extension show the same way.
    await panel.deliver({
      type: 'filterErrors',
      errors: { prefix: 'Use digits only, such as 44' },
    });
    await expectError('prefix', /such as 44/);
    assert.equal((await applies()).length, 1);
  });

  it('moves the selection with the keyboard', async () => {
    await panel.deliver(init(rows));
    await waitForCount(panel, '2,000 of 2,000 CDRs');
    const page = panel.page;
    const grid = page.locator('.grid');
    await grid.focus();
    const selectedRow = async () => {
      const shown = await panel.shownRows();
      const selected = shown.filter((row) => row.selected);
      assert.equal(selected.length, 1, 'exactly one row is selected');
      return selected[0];
    };

    for (let press = 0; press < 3; press++) {
      await page.keyboard.press('ArrowDown');
    }
    let selected = await selectedRow();
    assert.equal(selected.rowIndex, 4);
    assert.deepEqual(selected.cells, expectedCells(newestFirst[2]));
    assert.equal(await grid.getAttribute('aria-activedescendant'), selected.id);
    assert.deepEqual(
      selectKeys(await panel.posted()),
      newestFirst.slice(0, 3).map((row) => row.key),
    );

    await page.keyboard.press('End');
    selected = await selectedRow();
    assert.equal(selected.rowIndex, ROW_COUNT + 1);
    assert.equal(await lastSelectKey(panel), newestFirst[ROW_COUNT - 1].key);
    assert.equal(await grid.getAttribute('aria-activedescendant'), selected.id);

    await page.keyboard.press('Home');
    selected = await selectedRow();
    assert.equal(selected.rowIndex, 2);
    assert.equal(await lastSelectKey(panel), newestFirst[0].key);

    await page.keyboard.press('PageDown');
    selected = await selectedRow();
    assert.ok(selected.rowIndex > 10, `PageDown moved to row ${selected.rowIndex}`);
    assert.equal(await lastSelectKey(panel), newestFirst[selected.rowIndex - 2].key);
    await page.keyboard.press('ArrowUp');
    assert.equal((await selectedRow()).rowIndex, selected.rowIndex - 1);

    // Details of an earlier move that arrive late are dropped, so the selection stays put.
    const current = (await selectedRow()).rowIndex - 2;
    await panel.deliver({ type: 'details', details: detailsOf(newestFirst[current + 1].key) });
    assert.equal((await selectedRow()).rowIndex, current + 2);
    assert.equal(await page.locator('.details-title').count(), 0);
    await panel.deliver({ type: 'details', details: detailsOf(newestFirst[current].key) });
    assert.equal(
      await page.locator('.details-title').textContent(),
      `CDR ${newestFirst[current].id}`,
    );

    // Details of a CDR selected elsewhere, such as in the tree, move the selection to it.
    const other = newestFirst[40];
    await panel.deliver({ type: 'details', details: detailsOf(other.key) });
    assert.equal((await selectedRow()).rowIndex, 42);
    assert.equal(await page.locator('.details-title').textContent(), `CDR ${other.id}`);
  });

  it('shows the details of a CDR', async () => {
    const row = newestFirst[3];
    const details = detailsOf(row.key);
    await panel.deliver(init(rows));
    await panel.page.locator('#cdr-row-3').click();
    assert.equal(await lastSelectKey(panel), row.key);
    await panel.deliver({ type: 'details', details });

    const pane = panel.page.locator('.details');
    assert.equal(await pane.locator('.details-title').textContent(), `CDR ${row.id}`);
    const names = await pane.locator('.details-fields dt').allTextContents();
    assert.deepEqual(
      names,
      details.fields.map((field) => field.name),
    );
    const values = await pane.locator('.details-fields dd').allTextContents();
    assert.deepEqual(
      values,
      details.fields.map((field) => (field.value === '' ? 'empty' : field.value)),
    );
    assert.equal(await pane.locator('.cause-text').textContent(), `${row.code} ${row.reason}`);
    assert.equal(await pane.locator('.cause-meaning').textContent(), details.cause.meaning);
    const badge = await pane.locator('.details-cause .badge').textContent();
    assert.equal(badge, row.answered ? '✓ Answered' : '✕ Failed');
    const summary = pane.locator('.details-charge .charge-summary');
    assert.equal(await summary.textContent(), details.charge.summary);
    const steps = await pane.locator('.charge-steps li').allTextContents();
    assert.deepEqual(steps, details.charge.steps);
    const timeline = (await pane.locator('.details-timeline').textContent()) ?? '';
    for (const time of [details.timeline.setup, details.timeline.connect]) {
      assert.ok(time !== null);
      const text = `${utc(time)} UTC`;
      assert.ok(timeline.includes(text), `the timeline lacks ${text}`);
    }

    for (const [label, type] of [
      ['Open as JSON', 'openJson'],
      ['Copy call ID', 'copyCallId'],
      ['Copy record', 'copyRecord'],
    ] as const) {
      await panel.clearPosted();
      await pane.getByRole('button', { name: label }).click();
      assert.deepEqual(await panel.posted(), [{ type, key: row.key }]);
    }

    await panel.deliver({ type: 'details', details: null });
    assert.equal(await pane.locator('.details-title').count(), 0);
    assert.match((await pane.textContent()) ?? '', /Select a CDR/);
  });

  it('says when the memory limit stopped loading', async () => {
    await panel.deliver(init(newestFirst.slice(0, 50)));
    await panel.deliver({
      type: 'status',
      status: status({ loaded: 1000, pages: 10, hasMore: true, capped: { limit: 1000 } }),
    });
    const page = panel.page;
    assert.match(
      (await page.locator('.status-summary').textContent()) ?? '',
      /stopped at the limit of 1,000 CDRs in memory; export to get them all/,
    );
    assert.equal(await page.getByRole('button', { name: 'Load next page' }).isEnabled(), false);
    assert.equal(await page.getByRole('button', { name: 'Load all pages' }).isEnabled(), false);
  });

  it('follows paging status and appended rows', async () => {
    const firstPage = newestFirst.slice(0, 500);
    await panel.deliver(init(firstPage));
    await panel.deliver({
      type: 'status',
      status: status({ loaded: 500, pages: 5, hasMore: true }),
    });
    const page = panel.page;
    const loadMore = page.getByRole('button', { name: 'Load next page' });
    const loadAll = page.getByRole('button', { name: 'Load all pages' });
    const cancel = page.getByRole('button', { name: 'Cancel' });
    assert.equal(await loadMore.isEnabled(), true);
    assert.equal(await cancel.isVisible(), false);
    assert.match(
      (await page.locator('.status-summary').textContent()) ?? '',
      /500 CDRs loaded in 5 pages · more available/,
    );

    await panel.clearPosted();
    await loadMore.click();
    await panel.deliver({
      type: 'status',
      status: status({ loaded: 500, pages: 5, loading: 'page' }),
    });
    assert.equal(await loadMore.isEnabled(), false);
    assert.equal(await loadAll.isEnabled(), false);
    assert.equal(await cancel.isVisible(), true);
    assert.match(
      (await page.locator('.status-progress').textContent()) ?? '',
      /Loading the next page/,
    );
    await cancel.click();
    assert.deepEqual(await panel.posted(), [{ type: 'loadMore' }, { type: 'cancel' }]);

    await panel.deliver({
      type: 'rows',
      reset: false,
      rows: encodeRows(newestFirst.slice(500, 900)),
    });
    await waitForCount(panel, '900 of 900 CDRs');
    const first = await rowAt(panel, 2);
    assert.deepEqual(first.cells, expectedCells(newestFirst[0]));

    await panel.deliver({
      type: 'status',
      status: status({ loaded: 900, pages: 9, hasMore: false, error: 'Page 10 failed: HTTP 503' }),
    });
    assert.equal(await page.locator('.status-error').textContent(), 'Page 10 failed: HTTP 503');
    assert.equal(await loadAll.isEnabled(), false);
    await panel.deliver({ type: 'status', status: status({ hasCredentials: false }) });
    assert.equal(await page.locator('.status-hint').isVisible(), true);

    await panel.deliver({
      type: 'rows',
      reset: true,
      rows: encodeRows(newestFirst.slice(0, 10)),
      transfer: { id: ++transferCount, remaining: 0 },
    });
    await waitForCount(panel, '10 of 10 CDRs');
    assert.equal((await panel.shownRows()).length, 10);
  });

  /** Waits until the panel has posted `count` requests for a next part, and returns them. */
  async function waitForRequests(count: number): Promise<number[]> {
    return waitUntil(
      async () => nextRowsRequests(await panel.posted()),
      (list) => list.length >= count,
      `${count} requests for the next part`,
    );
  }

  it('shows the first part, then the rest', async () => {
    const page = panel.page;
    const snapshot = rows.slice(0, 1800);
    const loadedPage = rows.slice(1800);
    const messages = initInParts(snapshot, { firstRows: 300, partRows: 700 });
    const [first, ...later] = messages;
    assert.equal(later.length, 3);
    assert.ok(first.type === 'init');
    const transfer = first.transfer.id;
    // Expected parts: the 300 newest rows first, then the others in the snapshot's order.
    const firstPart = newestFirst.filter((row) => snapshot.includes(row)).slice(0, 300);
    const rest = snapshot.filter((row) => !firstPart.includes(row));

    await panel.deliver(first);
    await waitForCount(panel, '300 of 300 CDRs');
    for (const row of (await panel.shownRows()).slice(0, 15)) {
      assert.deepEqual(row.cells, expectedCells(firstPart[row.rowIndex - 2]));
    }
    const receiving = page.locator('.receiving');
    assert.equal(await receiving.textContent(), 'Receiving 1,500 more CDRs…');
    assert.equal(await receiving.isVisible(), true);
    assert.equal(await page.locator('.grid').getAttribute('aria-busy'), 'true');
    assert.equal(
      await page.locator('.summary-message').textContent(),
      'The charts are drawn when all CDRs have arrived.',
    );
    assert.deepEqual(await waitForRequests(1), [transfer]);

    // A search typed between parts applies to the rows that arrive after it.
    await page.locator('#search').fill('Telia');
    const telia = searchExpected('Telia');
    const matching = (list: readonly PanelRow[]) => list.filter((row) => telia.includes(row));
    await waitForCount(panel, `${count(matching(firstPart).length)} of 300 CDRs`);
    await panel.deliver(later[0]);
    const received = [...firstPart, ...rest.slice(0, 700)];
    await waitForCount(panel, `${count(matching(received).length)} of 1,000 CDRs`);
    assert.equal(await receiving.textContent(), 'Receiving 800 more CDRs…');

    // A page loaded meanwhile is added as usual and does not count as a part.
    await panel.deliver({ type: 'rows', reset: false, rows: encodeRows(loadedPage) });
    received.push(...loadedPage);
    await waitForCount(panel, `${count(matching(received).length)} of 1,200 CDRs`);
    assert.deepEqual(await waitForRequests(2), [transfer, transfer]);
    await panel.deliver(later[1]);
    assert.deepEqual(await waitForRequests(3), [transfer, transfer, transfer]);
    await panel.deliver(later[2]);

    await waitForCount(panel, `${count(telia.length)} of 2,000 CDRs`);
    assert.equal(await receiving.isVisible(), false);
    assert.equal(await page.locator('.grid').getAttribute('aria-busy'), 'false');
    const expected = telia
      .sort((a, b) => (b.time ?? 0) - (a.time ?? 0) || idOf(b) - idOf(a))
      .map((row) => expectedCells(row));
    const shown = await panel.shownRows();
    assert.deepEqual(
      shown.map((row) => row.cells),
      expected.slice(0, shown.length),
    );
    await waitUntil(
      () => figure(panel, 'attempts'),
      (text) => text === count(telia.length),
      'the summary of all matching rows',
    );
    // After the last part, the panel requests nothing more.
    assert.equal(nextRowsRequests(await panel.posted()).length, 3);
  });

  it('sorts rows that arrive after a sort', async () => {
    const [first, ...later] = initInParts(rows, { firstRows: 200, partRows: 900 });
    await panel.deliver(first);
    await waitForCount(panel, '200 of 200 CDRs');
    const header = panel.page.locator('[role="columnheader"][data-column="amount"]');
    await header.locator('button').click();
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    for (const [index, part] of later.entries()) {
      await waitForRequests(index + 1);
      await panel.deliver(part);
    }
    await waitForCount(panel, '2,000 of 2,000 CDRs');

    const expected = sortedBy((row) => row.amountMicros, true);
    await panel.scrollTable(0);
    await rowAt(panel, 2);
    for (const row of (await panel.shownRows()).slice(0, 20)) {
      assert.deepEqual(row.cells, expectedCells(expected[row.rowIndex - 2]));
    }
    await panel.scrollTable('end');
    const last = await rowAt(panel, ROW_COUNT + 1);
    assert.deepEqual(last.cells, expectedCells(expected[ROW_COUNT - 1]));
  });

  it('drops the parts of an older snapshot', async () => {
    const [first, second] = initInParts(rows, { firstRows: 100, partRows: 5000 });
    await panel.deliver(first);
    await waitForCount(panel, '100 of 100 CDRs');
    await waitForRequests(1);
    // A new query's rows replace the snapshot before its next part arrives.
    await panel.deliver({
      type: 'rows',
      reset: true,
      rows: encodeRows(newestFirst.slice(0, 10)),
      transfer: { id: ++transferCount, remaining: 0 },
    });
    await waitForCount(panel, '10 of 10 CDRs');
    await panel.deliver(second);
    await waitForCount(panel, '10 of 10 CDRs');
    assert.equal(await panel.page.locator('.receiving').isVisible(), false);
    assert.equal(nextRowsRequests(await panel.posted()).length, 1);
  });

  it('restores a selection from a later part', async () => {
    const oldest = newestFirst[ROW_COUNT - 1];
    await panel.setSavedState({
      filters: DEFAULT_FILTERS,
      formEdited: false,
      search: '',
      sort: { column: 'time', descending: true },
      selectedKey: oldest.key,
    });
    await panel.reload();
    // The panel sends its order, so the first part can contain the rows that it shows first.
    const ready = (await panel.posted()).find((message) => message.type === 'ready');
    assert.deepEqual(ready, { type: 'ready', sort: { column: 'time', descending: true } });

    const [first, ...later] = initInParts(rows, { firstRows: 100, partRows: 600 });
    await panel.deliver(first);
    await waitForCount(panel, '100 of 100 CDRs');
    assert.deepEqual(selectKeys(await panel.posted()), []);
    for (const [index, part] of later.entries()) {
      await waitForRequests(index + 1);
      await panel.deliver(part);
    }
    await waitForCount(panel, '2,000 of 2,000 CDRs');
    assert.deepEqual(selectKeys(await panel.posted()), [oldest.key]);
    const selected = (await panel.shownRows()).filter((row) => row.selected);
    assert.equal(selected.length, 1);
    assert.equal(selected[0].rowIndex, ROW_COUNT + 1);
  });

  it('summarizes rows matching the search', async () => {
    await panel.deliver(init(rows));
    const answered = rows.filter((row) => row.answered).length;
    const asr = `${((answered / ROW_COUNT) * 100).toFixed(1)}%`;
    await waitUntil(
      () => figure(panel, 'attempts'),
      (text) => text === '2,000',
      'attempts',
    );
    assert.equal(await figure(panel, 'asr'), asr);
    assert.equal(await figure(panel, 'cost'), totalCost(cdrs));

    const charts = panel.page.locator('.chart-grid');
    const countries = new Set(rows.map((row) => row.country)).size;
    const vendors = new Set(rows.map((row) => row.vendor)).size;
    const causes = new Set(rows.map((row) => row.code)).size;
    assert.equal(
      await charts.locator('[data-chart="country"] svg g.bar').count(),
      Math.min(10, countries),
    );
    assert.equal(
      await charts.locator('[data-chart="vendor"] svg g.bar').count(),
      Math.min(10, vendors),
    );
    assert.equal(
      await charts.locator('[data-chart="cause"] svg g.bar').count(),
      Math.min(10, causes),
    );
    assert.ok((await charts.locator('[data-chart="time"] svg g.column').count()) > 24);
    const byVendor = new Map<string, number>();
    for (const row of rows) {
      byVendor.set(row.vendor, (byVendor.get(row.vendor) ?? 0) + 1);
    }
    const [topVendor, topAttempts] = [...byVendor].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
    )[0];
    const tooltip = await charts.locator('[data-chart="vendor"] g.bar title').first().textContent();
    assert.match(tooltip ?? '', new RegExp(`^${topVendor}: ${count(topAttempts)} attempts`));
    assert.equal(
      await charts.locator('[data-chart="vendor"] table.chart-data tbody tr').count(),
      vendors,
    );

    await panel.page.locator('#search').fill('Telia');
    const telia = cdrs.filter((cdr) => cdr.vendorName === 'Telia');
    const teliaAnswered = telia.filter((cdr) => cdr.answered).length;
    await waitUntil(
      () => figure(panel, 'attempts'),
      (text) => text === count(telia.length),
      'attempts of the Telia rows',
    );
    assert.equal(
      await figure(panel, 'asr'),
      `${((teliaAnswered / telia.length) * 100).toFixed(1)}%`,
    );
    assert.equal(await figure(panel, 'cost'), totalCost(telia));
    assert.equal(await charts.locator('[data-chart="vendor"] svg g.bar').count(), 1);
  });

  for (const [days, viewportWidth] of [
    [88, 1000],
    [88, 1600],
    [5, 1000],
    [5, 1600],
  ]) {
    it(`aligns time columns of ${days} days at ${viewportWidth} px`, async () => {
      // 2,000 calls from 2026-01-05 13:00:00 UTC to 12:00:00 UTC `days` days later.
      const first = Date.UTC(2026, 0, 5, 13);
      const step = (days * 24 - 1) / (ROW_COUNT - 1);
      const spread = rows.map((row, index) => ({
        ...row,
        time: first + Math.round(index * step * 3_600_000),
      }));
      const last = spread[ROW_COUNT - 1].time;
      assert.equal(last, Date.UTC(2026, 0, 5 + days, 12));
      await panel.page.setViewportSize({ width: viewportWidth, height: 800 });
      await panel.deliver(init(spread));
      const chart = panel.page.locator('[data-chart="time"]');
      await waitUntil(
        () => chart.locator('g.column').count(),
        (columns) => columns > 0,
        'the time chart',
      );

      const tooltips = await chart.locator('g.column title').allTextContents();
      const columns = tooltips.map((tooltip) => {
        const match =
          /^(\d{4}-\d{2}-\d{2})( \d{2}:\d{2})? UTC, (\d+) (hours?|days?): ([\d,]+) calls?,/.exec(
            tooltip,
          );
        assert.ok(match, `unexpected tooltip "${tooltip}"`);
        const unit = match[4].startsWith('day') ? 24 : 1;
        return {
          start: Date.parse(`${match[1]}T${match[2]?.trim() ?? '00:00'}:00Z`),
          hasTime: match[2] !== undefined,
          hours: Number(match[3]) * unit,
          calls: Number(match[5].replace(/,/g, '')),
        };
      });
      const span = columns[0].hours;
      const spanMs = span * 3_600_000;
      const title = await chart.locator('.chart-title').textContent();
      console.log(
        `      figure: ${days} days at ${viewportWidth} px give ${columns.length} columns ` +
          `of ${span} hours`,
      );

      assert.ok([1, 2, 3, 4, 6, 12].includes(span) || span % 24 === 0, `span of ${span} hours`);
      let unitText = `${span} hours`;
      if (span === 1) {
        unitText = 'hour';
      } else if (span === 24) {
        unitText = 'day';
      } else if (span % 24 === 0) {
        unitText = `${span / 24} days`;
      }
      assert.equal(title, `Calls per ${unitText} (UTC)`);
      for (const [index, column] of columns.entries()) {
        assert.equal(column.hours, span, `column ${index} spans ${column.hours} hours`);
        assert.equal(column.start % spanMs, 0, `column ${index} is not aligned to its span`);
        assert.equal(column.hasTime, span % 24 !== 0, `label of column ${index}`);
        if (index > 0) {
          assert.equal(column.start, columns[index - 1].start + spanMs);
        }
        const inside = spread.filter(
          (row) => row.time >= column.start && row.time < column.start + spanMs,
        ).length;
        assert.equal(column.calls, inside, `calls in column ${index}`);
      }
      assert.ok(columns[0].start <= first);
      assert.ok(first < columns[0].start + spanMs);
      const lastColumn = columns[columns.length - 1];
      assert.ok(lastColumn.start <= last);
      assert.ok(last < lastColumn.start + spanMs);

      // Each axis label names the start of the column drawn at its position, without the year.
      const svgColumns: number[] = [];
      for (const rect of await chart.locator('g.column rect.bar-answered').all()) {
        svgColumns.push(Number(await rect.getAttribute('x')));
      }
      const labels: { x: number; text: string | null }[] = [];
      for (const text of await chart.locator('text.time-label').all()) {
        labels.push({ x: Number(await text.getAttribute('x')), text: await text.textContent() });
      }
      assert.ok(labels.length >= 2, `${labels.length} axis labels`);
      for (const label of labels) {
        const index = svgColumns.findIndex((x) => Math.abs(x - label.x) < 0.01);
        assert.ok(index >= 0, `no column at the label "${label.text}"`);
        const iso = new Date(columns[index].start).toISOString();
        const expected =
          span % 24 === 0 ? iso.slice(5, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
        assert.equal(label.text, expected);
      }
      const hoursCells = await chart
        .locator('table.chart-data tbody tr td:nth-child(2)')
        .allTextContents();
      assert.deepEqual(
        hoursCells,
        columns.map(() => String(span)),
      );
    });
  }

  it('notes calls outside the chart', async () => {
    const farDated = [
      { ...rows[0], key: 'far-past', time: Date.parse('0000-01-01T00:00:00Z') },
      { ...rows[1], key: 'far-future', time: Date.parse('9999-12-31T00:00:00Z') },
      { ...rows[2], key: 'undated', time: null },
    ];
    await panel.deliver(init([...rows.slice(3), ...farDated]));
    const note = panel.page.locator('[data-chart="time"] .chart-note');
    await waitUntil(
      () => note.count(),
      (count) => count === 1,
      'the note under the time chart',
    );
    assert.equal(
      await note.textContent(),
      '2 calls fall outside the charted range. 1 call has no valid time.',
    );
    const calls = (await panel.page.locator('[data-chart="time"] g.column title').allTextContents())
      .map((tooltip) => Number(/: ([\d,]+) calls?,/.exec(tooltip)?.[1].replace(/,/g, '')))
      .reduce((sum, count) => sum + count, 0);
    assert.equal(calls, ROW_COUNT - 3);
  });

  it('uses the singular for one CDR', async () => {
    const page = panel.page;
    const [one, other] = rows;
    await panel.deliver(init([one]));
    await panel.deliver({
      type: 'status',
      status: status({ description: 'Last hour', loaded: 1, pages: 1, hasMore: false }),
    });
    await waitForCount(panel, '1 of 1 CDR');
    assert.equal(
      await page.locator('.status-summary').textContent(),
      'Last hour · 1 CDR loaded in 1 page · all pages loaded',
    );
    await waitUntil(
      () => page.locator('.summary-title').textContent(),
      (text) => text === 'Charts of 1 CDR',
      'the summary title',
    );
    await waitUntil(
      () => page.locator('[data-chart="vendor"] g.bar title').count(),
      (count) => count === 1,
      'the vendor chart',
    );
    const vendorTooltip = await page.locator('[data-chart="vendor"] g.bar title').textContent();
    assert.match(vendorTooltip ?? '', /: 1 attempt, /);
    const columnTooltip = await page.locator('[data-chart="time"] g.column title').textContent();
    assert.match(columnTooltip ?? '', /: 1 call, /);

    await panel.deliver({ type: 'rows', reset: false, rows: encodeRows([other]) });
    await page.locator('#search').fill(other.callId);
    await waitForCount(panel, '1 of 2 CDRs');
    await waitUntil(
      () => page.locator('.summary-title').textContent(),
      (text) => text === 'Charts of the 1 CDR matching the search',
      'the summary title of the search',
    );
    await panel.deliver({
      type: 'status',
      status: status({ description: '', loaded: 2, pages: 2, hasMore: true }),
    });
    assert.equal(
      await page.locator('.status-summary').textContent(),
      '2 CDRs loaded in 2 pages · more available',
    );
  });

  it('shows hostile data as plain text', async () => {
    const long = 'A'.repeat(10_000);
    const payloads = {
      CLI: '<img src=x onerror="window.__pwned=1">',
      CLD: '"><svg onload=window.__pwned=1>',
      disconnect_reason: '<script>window.__pwned=1</script>',
      country_name: 'javascript:window.__pwned=1 \u202Egnp.exe',
      vendor_name: `\u202E${long}`,
      call_id: '<iframe srcdoc="<script>parent.__pwned=1</script>">',
      description: '<style>body{display:none}</style>',
    };
    const base = buildRecords()[42];
    const raw = {
      ...base,
      ...payloads,
      '<b onmouseover="window.__pwned=1">field</b>': '<img src=x onerror="window.__pwned=1">',
    };
    const hostile = toCdr(raw);
    const row = toPanelRow(hostile);
    const baseDetails = cdrDetails(hostile);
    const details: CdrDetails = {
      ...baseDetails,
      problems: ['<img src=x onerror="window.__pwned=1">'],
      cause: { ...baseDetails.cause, meaning: '<script>window.__pwned=1</script>' },
      charge: {
        ...baseDetails.charge,
        summary: '"><svg onload=window.__pwned=1>',
        steps: ['<img src=x onerror="window.__pwned=1">', long],
      },
    };
    await panel.deliver(init([row], { selected: details }));
    await panel.deliver({
      type: 'status',
      status: status({
        description: '<img src=x onerror="window.__pwned=1">',
        error: '<script>window.__pwned=1</script>',
        loaded: 1,
      }),
    });
    await panel.deliver({
      type: 'filters',
      filters: { ...DEFAULT_FILTERS, prefix: '"><img src=x onerror="window.__pwned=1">' },
    });
    await panel.deliver({
      type: 'filterErrors',
      errors: { prefix: '<img src=x onerror="window.__pwned=1">' },
    });
    await waitForCount(panel, '1 of 1 CDR');

    const [shown] = await panel.shownRows();
    assert.equal(shown.cells.cli, payloads.CLI);
    assert.equal(shown.cells.cld, payloads.CLD);
    // The table drops the right-to-left overrides; the details spell them out.
    assert.equal(shown.cells.country, 'javascript:window.__pwned=1 gnp.exe');
    assert.equal(shown.cells.vendor, long);
    assert.equal(shown.cells.cause, `${row.code} ${payloads.disconnect_reason}`);
    const values = await panel.page.locator('.details-fields dd').allTextContents();
    assert.ok(values.includes(payloads.call_id));
    assert.ok(values.includes(`⟨U+202E⟩${long}`));
    const names = await panel.page.locator('.details-fields dt').allTextContents();
    assert.ok(names.includes('<b onmouseover="window.__pwned=1">field</b>'));
    assert.equal(await panel.page.locator('.cause-meaning').textContent(), details.cause.meaning);
    assert.equal(
      await panel.page.locator('.status-error').textContent(),
      '<script>window.__pwned=1</script>',
    );
    assert.equal(
      await panel.page.locator('#filter-prefix').inputValue(),
      '"><img src=x onerror="window.__pwned=1">',
    );

    await panel.page.locator('#search').fill('"><svg onload=window.__pwned=2> no-such-cdr');
    await waitForCount(panel, '0 of 1 CDR');
    const empty = await panel.page.locator('.grid-empty').textContent();
    assert.equal(empty, 'No loaded CDR matches “"><svg onload=window.__pwned=2> no-such-cdr”.');
    await panel.page.locator('#search').fill('');
    await waitForCount(panel, '1 of 1 CDR');
    await waitUntil(
      () => panel.page.locator('[data-chart="vendor"] g.bar').count(),
      (bars) => bars === 1,
      'the vendor chart',
    );
    await panel.page.waitForTimeout(500);

    const pwned = await panel.page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
    assert.equal(pwned, undefined);
    assert.equal(await panel.page.locator('img').count(), 0);
    assert.equal(await panel.page.locator('iframe').count(), 0);
    assert.equal(await panel.page.locator('style').count(), 0);
    assert.equal(await panel.page.locator('script').count(), 1);
    assert.equal(
      await panel.page.locator('[onload], [onerror], [onmouseover], [srcdoc]').count(),
      0,
    );
    assert.equal(await panel.page.locator('a[href]').count(), 0);
    assert.equal(await panel.page.locator('body').isVisible(), true);
  });

  it('neutralises bidirectional overrides', async () => {
    const base = buildRecords()[42];
    const spoofed = toCdr({
      ...base,
      CLD: '\u202E4470001234',
      CLI: '4470005678\u202C',
      country_name: 'United\u2028Kingdom\u200F',
      vendor_name: '\u2067Telia\u2069',
      disconnect_reason: 'User\u0007 busy\u202E',
      description: 'line 1\nline 2\u202E\r\n',
    });
    const row = toPanelRow(spoofed);
    const baseDetails = cdrDetails(spoofed);
    const details: CdrDetails = {
      ...baseDetails,
      fields: baseDetails.fields.map((field) =>
        field.name === 'i_cdr' ? { ...field, value: '\u202E98765' } : field,
      ),
      problems: ['duration \u202Eis missing'],
      cause: { ...baseDetails.cause, meaning: 'The user is \u202Ebusy' },
    };
    await panel.deliver(init([row], { selected: details }));
    await panel.deliver({
      type: 'status',
      status: status({
        description: 'Last 24 hours · prefix \u202E4470 · failed calls',
        error: 'Page 2 failed: \u202EHTTP 503\u0007',
        loaded: 1,
        pages: 1,
      }),
    });
    await waitForCount(panel, '1 of 1 CDR');
    await waitUntil(
      () => panel.page.locator('[data-chart="vendor"] g.bar').count(),
      (bars) => bars === 1,
      'the vendor chart',
    );

    const [shown] = await panel.shownRows();
    assert.equal(shown.cells.cld, '+4470001234');
    assert.equal(shown.cells.cli, '+4470005678');
    assert.equal(shown.cells.country, 'United Kingdom');
    assert.equal(shown.cells.vendor, 'Telia');
    assert.equal(shown.cells.cause, `${row.code} User busy`);
    const page = panel.page;
    assert.equal(await page.locator('.grid-body .col-cld').getAttribute('title'), '+4470001234');

    // The digits are drawn left to right, in the order they are stored.
    const cellDigits = (await panel.characterBoxes('.grid-body .col-cld .value')).filter((box) =>
      /\d/.test(box.character),
    );
    assert.equal(cellDigits.map((box) => box.character).join(''), '4470001234');
    for (let index = 1; index < cellDigits.length; index++) {
      assert.ok(
        cellDigits[index].left > cellDigits[index - 1].left,
        `digit ${index} of the cell is drawn left of digit ${index - 1}`,
      );
    }

    assert.equal(await page.locator('.details-title').textContent(), 'CDR 98765');
    assert.equal(await page.locator('.cause-text').textContent(), `${row.code} User busy`);
    assert.equal(await page.locator('.cause-meaning').textContent(), 'The user is busy');
    assert.equal(await page.locator('.details-problems li').textContent(), 'duration is missing');
    const fieldValue = (name: string) =>
      page.locator('.details-fields dt', { hasText: new RegExp(`^${name}$`) }).locator('+ dd');
    const cld = fieldValue('CLD');
    assert.equal(await cld.textContent(), '⟨U+202E⟩4470001234');
    assert.equal(await cld.locator('.unsafe-character').textContent(), '⟨U+202E⟩');
    const cldIndex = details.fields.findIndex((field) => field.name === 'CLD');
    const cldSelector = `.details-fields dd:nth-of-type(${cldIndex + 1})`;
    const valueDigits = (await panel.characterBoxes(cldSelector)).filter((box) =>
      /\d/.test(box.character),
    );
    assert.equal(valueDigits.map((box) => box.character).join(''), '4470001234');
    for (let index = 1; index < valueDigits.length; index++) {
      assert.ok(
        valueDigits[index].left > valueDigits[index - 1].left,
        `digit ${index} of the CLD value is drawn left of digit ${index - 1}`,
      );
    }
    assert.equal(await fieldValue('CLI').textContent(), '4470005678⟨U+202C⟩');
    assert.equal(await fieldValue('vendor_name').textContent(), '⟨U+2067⟩Telia⟨U+2069⟩');
    assert.equal(await fieldValue('description').textContent(), 'line 1\nline 2⟨U+202E⟩⟨U+000D⟩\n');
    assert.equal(await fieldValue('i_cdr').textContent(), '⟨U+202E⟩98765');

    const summary = (await page.locator('.status-summary').textContent()) ?? '';
    assert.ok(summary.startsWith('Last 24 hours · prefix 4470 · failed calls · '), summary);
    assert.equal(await page.locator('.status-error').textContent(), 'Page 2 failed: HTTP 503');
    const bar = page.locator('[data-chart="vendor"] g.bar');
    assert.equal(await bar.locator('.bar-label').textContent(), 'Telia');
    assert.match((await bar.locator('title').textContent()) ?? '', /^Telia: 1 attempt,/);

    // No control or bidirectional character is left anywhere in the page's text or
    // attributes. Line feeds are allowed: the field values show them as line breaks.
    const unsafe =
      // eslint-disable-next-line no-control-regex -- matching control characters is the point.
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
    const texts = await page.evaluate(() => {
      type Found = { textContent: string | null; attributes: ArrayLike<{ value: string }> };
      const document = (
        globalThis as unknown as {
          document: { body: Found; querySelectorAll(selector: string): ArrayLike<Found> };
        }
      ).document;
      const attributes = Array.from(document.querySelectorAll('*')).flatMap((element) =>
        Array.from(element.attributes).map((attribute) => attribute.value),
      );
      return [document.body.textContent ?? '', ...attributes];
    });
    for (const text of texts) {
      assert.doesNotMatch(text, unsafe);
    }
  });

  it('restores state after a reload', async () => {
    await panel.deliver(init(rows));
    const page = panel.page;
    await page.locator('#search').fill('IDT');
    const idt = searchExpected('IDT');
    await waitForCount(panel, `${count(idt.length)} of 2,000 CDRs`);
    await page.locator('[data-column="amount"] button').click();
    await page.selectOption('#filter-window', 'last7Days');
    await page.fill('#filter-prefix', '49');
    await page.locator('#cdr-row-2').click();
    const key = await lastSelectKey(panel);
    assert.ok(key !== undefined);
    const expected = sortedBy((row) => row.amountMicros, true).filter((row) => idt.includes(row));
    assert.equal(key, expected[2].key);

    await page.reload();
    await panel.waitForPosted((message) => message.type === 'ready', 'ready after the reload');
    assert.equal(await page.locator('#search').inputValue(), 'IDT');
    assert.equal(await page.locator('#filter-window').inputValue(), 'last7Days');
    assert.equal(await page.locator('#filter-prefix').inputValue(), '49');
    assert.equal(
      await page.locator('[data-column="amount"]').getAttribute('aria-sort'),
      'descending',
    );

    // Filters typed but not applied win over the extension's, and the saved selection is asked
    // for again.
    const extensionFilters: PanelFilters = { ...DEFAULT_FILTERS, prefix: '33' };
    await panel.deliver(init(rows, { filters: extensionFilters }));
    await waitForCount(panel, `${count(idt.length)} of 2,000 CDRs`);
    assert.equal(await page.locator('#filter-prefix').inputValue(), '49');
    const selected = (await panel.shownRows()).filter((row) => row.selected);
    assert.equal(selected.length, 1);
    assert.equal(selected[0].rowIndex, 4);
    assert.deepEqual(selectKeys(await panel.posted()), [key]);
  });

  it('shows the filters of a newer query', async () => {
    const page = panel.page;
    const lastWeek: PanelFilters = { ...DEFAULT_FILTERS, window: 'last7Days' };
    await panel.deliver(init(rows.slice(0, 10)));
    await page.selectOption('#filter-window', 'last7Days');
    await page.getByRole('button', { name: 'Apply' }).click();
    await panel.waitForPosted((message) => message.type === 'apply', 'the apply message');
    await panel.deliver({ type: 'filters', filters: lastWeek });

    // The panel is hidden, a query runs from the command palette, and the panel is shown again.
    await panel.reload();
    assert.equal(await page.locator('#filter-window').inputValue(), 'last7Days');
    const palette: PanelFilters = {
      ...DEFAULT_FILTERS,
      window: 'last24Hours',
      prefix: '4470',
      show: 'bad',
    };
    await panel.deliver(init(rows.slice(0, 10), { filters: palette }));
    assert.equal(await page.locator('#filter-window').inputValue(), 'last24Hours');
    assert.equal(await page.locator('#filter-prefix').inputValue(), '4470');
    assert.equal(await page.locator('#filter-show').inputValue(), 'bad');

    // Apply now runs the query that the rows show.
    await panel.clearPosted();
    await page.getByRole('button', { name: 'Apply' }).click();
    const apply = await panel.waitForPosted((message) => message.type === 'apply', 'apply');
    assert.deepEqual(apply, { type: 'apply', filters: palette });
  });

  it('keeps applied filters without a query', async () => {
    const page = panel.page;
    await panel.deliver(init(rows.slice(0, 10)));
    await page.selectOption('#filter-window', 'last7Days');
    await page.fill('#filter-prefix', '4470');
    await page.getByRole('button', { name: 'Apply' }).click();
    await panel.waitForPosted((message) => message.type === 'apply', 'the apply message');

    // After a window reload the extension has no query and sends its suggested filters.
    await panel.reload();
    await panel.deliver({
      type: 'init',
      filters: { ...DEFAULT_FILTERS, pageSize: '250' },
      rows: encodeRows([]),
      transfer: { id: ++transferCount, remaining: 0 },
      status: status({ description: 'Nothing fetched yet', loaded: 0, pages: 0, hasMore: false }),
      selected: null,
    });
    assert.equal(await page.locator('#filter-window').inputValue(), 'last7Days');
    assert.equal(await page.locator('#filter-prefix').inputValue(), '4470');
    assert.equal(await page.locator('#filter-pageSize').inputValue(), DEFAULT_FILTERS.pageSize);
  });

  it('keeps edited filters over a newer query', async () => {
    const page = panel.page;
    await panel.deliver(init(rows.slice(0, 10)));
    await page.fill('#filter-prefix', '49');
    const saved = (await panel.savedState()) as PanelState | undefined;
    assert.equal(saved?.formEdited, true);

    await panel.reload();
    const palette: PanelFilters = { ...DEFAULT_FILTERS, window: 'last7Days', prefix: '4470' };
    await panel.deliver(init(rows.slice(0, 10), { filters: palette }));
    assert.equal(await page.locator('#filter-prefix').inputValue(), '49');
    assert.equal(await page.locator('#filter-window').inputValue(), DEFAULT_FILTERS.window);

    // A second reload keeps the edit too, because the init above did not apply it.
    await panel.reload();
    await panel.deliver(init(rows.slice(0, 10), { filters: palette }));
    assert.equal(await page.locator('#filter-prefix').inputValue(), '49');
  });

  it('keeps rejected filters over init', async () => {
    const page = panel.page;
    await panel.deliver(init(rows.slice(0, 10)));
    await page.fill('#filter-prefix', '44');
    await page.getByRole('button', { name: 'Apply' }).click();
    await panel.waitForPosted((message) => message.type === 'apply', 'the apply message');
    await panel.deliver({ type: 'filterErrors', errors: { prefix: 'No route for prefix 44' } });

    await panel.reload();
    await panel.deliver(init(rows.slice(0, 10), { filters: DEFAULT_FILTERS }));
    assert.equal(await page.locator('#filter-prefix').inputValue(), '44');
  });

  it('loads state saved without formEdited', async () => {
    const page = panel.page;
    await panel.setSavedState({
      filters: { ...DEFAULT_FILTERS, prefix: '33' },
      search: 'Telia',
      sort: { column: 'amount', descending: true },
      selectedKey: null,
    });
    await panel.reload();
    assert.equal(await page.locator('#search').inputValue(), 'Telia');
    assert.equal(await page.locator('#filter-prefix').inputValue(), '33');
    assert.equal(
      await page.locator('[data-column="amount"]').getAttribute('aria-sort'),
      'descending',
    );

    const current: PanelFilters = { ...DEFAULT_FILTERS, prefix: '4470' };
    await panel.deliver(init(rows.slice(0, 10), { filters: current }));
    assert.equal(await page.locator('#filter-prefix').inputValue(), '4470');
  });

  it('uses init filters without saved state', async () => {
    const filters: PanelFilters = { ...DEFAULT_FILTERS, window: 'today', prefix: '33' };
    await panel.deliver(init(rows.slice(0, 10), { filters }));
    assert.equal(await panel.page.locator('#filter-window').inputValue(), 'today');
    assert.equal(await panel.page.locator('#filter-prefix').inputValue(), '33');
  });

  it('draws only the visible rows of 100,000', async () => {
    const copies = 50;
    const total = ROW_COUNT * copies;
    const snapshot: PanelRow[] = [];
    for (let copy = 0; copy < copies; copy++) {
      for (const row of rows) {
        snapshot.push({ ...row, key: `${row.key}#${copy}`, id: `${row.id}-${copy}` });
      }
    }
    // The extension's own part sizes.
    const outgoing = new OutgoingRows(++transferCount, snapshot);
    const later: ToPanel[] = [];
    for (let part = outgoing.next(); part !== undefined; part = outgoing.next()) {
      later.push({ type: 'moreRows', rows: part.rows, transfer: part.transfer });
    }
    assert.ok(later.length > 1, `${later.length} later parts`);
    const handled = await panel.deliverParts(
      {
        type: 'init',
        filters: null,
        rows: outgoing.first.rows,
        transfer: outgoing.first.transfer,
        status: status({ loaded: total }),
        selected: null,
      },
      later,
    );
    await waitForCount(panel, '100,000 of 100,000 CDRs');
    assert.equal(await panel.queuedParts(), 0);
    // Timings are printed as figures to watch, not asserted: they depend on the machine.
    console.log(
      `      figure: init with the first part of ${total} rows handled in ${Math.round(handled)} ms`,
    );
    assert.ok((await panel.shownRows()).length < 100);
    await waitUntil(
      () => figure(panel, 'attempts'),
      (text) => text === '100,000',
      'attempts',
    );

    const keystroke = await panel.timeInput('#search', 'telia');
    console.log(`      figure: search input handler ran for ${keystroke.toFixed(1)} ms`);
    const telia = searchExpected('telia').length * copies;
    await waitForCount(panel, `${count(telia)} of 100,000 CDRs`);
    await waitUntil(
      () => figure(panel, 'attempts'),
      (text) => text === count(telia),
      'attempts',
    );

    const started = Date.now();
    await panel.page.locator('[data-column="amount"] button').click();
    await rowAt(panel, 2);
    console.log(`      figure: sort by amount repainted in ${Date.now() - started} ms`);
    await panel.scrollTable('end');
    await rowAt(panel, telia + 1);
    assert.ok((await panel.shownRows()).length < 100);
  });

  it('saves light and dark screenshots', async () => {
    const page = panel.page;
    await page.setViewportSize({ width: 1200, height: 800 });
    await panel.deliver(init(rows));
    await waitForCount(panel, '2,000 of 2,000 CDRs');
    const index = newestFirst.findIndex((row) => row.answered && (row.duration ?? 0) > 60);
    await page.locator('.grid').focus();
    for (let press = 0; press <= index; press++) {
      await page.keyboard.press('ArrowDown');
    }
    const key = newestFirst[index].key;
    await panel.deliver({ type: 'details', details: detailsOf(key) });
    await waitUntil(
      () => page.locator('[data-chart="time"] g.column').count(),
      (columns) => columns > 0,
      'the charts',
    );
    fs.mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: path.join(resultsDir, 'panel-light.png') });
    await panel.setTheme(THEMES.dark);
    await page.screenshot({ path: path.join(resultsDir, 'panel-dark.png') });

    // The panel fits the viewport: the page itself does not scroll.
    const overflow = await page.evaluate(() => {
      type Root = { scrollHeight: number; clientHeight: number };
      const page = globalThis as unknown as { document: { documentElement: Root } };
      return (
        page.document.documentElement.scrollHeight - page.document.documentElement.clientHeight
      );
    });
    assert.equal(overflow, 0);
  });
});
