/**
 * Traffic summaries of the rows that match the search: key figures, horizontal bars for the top
 * countries, vendors and causes, and stacked columns of calls per hour. Charts are SVG drawn at
 * the container's width in CSS pixels, each with a hidden data table as its text alternative.
 */
import { formatDuration, singleLine } from '../model/format';
import { formatMicros } from '../model/money';
import {
  mergeBuckets,
  type BreakdownRow,
  type TimeColumn,
  type TrafficSummary,
} from '../model/summary';
import { formatCount, formatPercent, formatQuantity, h, replaceChildren, svg } from './dom';

/** Number of groups in each breakdown chart. */
const TOP_GROUPS = 10;

const BAR_HEIGHT = 14;
const BAR_GAP = 5;
const LABEL_WIDTH = 118;
const VALUE_WIDTH = 78;
const MAX_LABEL_LENGTH = 18;
const COLUMN_CHART_HEIGHT = 150;
const AXIS_HEIGHT = 18;
const AXIS_WIDTH = 34;
/** Narrowest column of the calls-per-hour chart, in CSS pixels. */
const MIN_COLUMN_WIDTH = 3;

interface Figure {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
}

export class SummaryView {
  /** The key figures, a strip meant for the toolbar. */
  readonly figures: HTMLDivElement;
  /** The charts, or a message in their place. */
  readonly charts: HTMLDivElement;
  private readonly chartGrid: HTMLDivElement;
  private readonly message: HTMLParagraphElement;
  private summary: TrafficSummary | null = null;
  private chartsVisible = true;
  /** Width of each chart on screen in CSS pixels, or 0 when the charts are out of date. */
  private drawnWidth = 0;

  constructor() {
    this.figures = h('div', { class: 'figures', role: 'list', 'aria-label': 'Key figures' });
    this.chartGrid = h('div', { class: 'chart-grid' });
    this.message = h('p', { class: 'summary-message', hidden: true });
    this.charts = h('div', { class: 'charts' }, this.message, this.chartGrid);
    new ResizeObserver(() => {
      if (this.drawnWidth !== 0 && Math.abs(this.chartWidth() - this.drawnWidth) > 8) {
        this.drawCharts();
      }
    }).observe(this.chartGrid);
  }

  /** Shows a summary, or `message` in its place when there is none. */
  show(summary: TrafficSummary | null, message: string | null): void {
    this.summary = summary;
    this.message.hidden = message === null;
    this.message.textContent = message ?? '';
    this.figures.classList.remove('stale');
    this.charts.classList.remove('stale');
    replaceChildren(this.figures, ...(summary ? keyFigures(summary).map(figureElement) : []));
    this.drawnWidth = 0;
    this.drawCharts();
  }

  /** Dims the summary while a newer one is being computed. */
  markStale(): void {
    this.figures.classList.add('stale');
    this.charts.classList.add('stale');
  }

  /** Shows or hides the charts. Hidden charts are not drawn until they are shown again. */
  setChartsVisible(visible: boolean): void {
    this.chartsVisible = visible;
    if (visible && this.drawnWidth === 0) {
      this.drawCharts();
    }
  }

  private chartWidth(): number {
    const available = this.chartGrid.clientWidth;
    const columns = Math.max(1, Math.floor(available / 280));
    return Math.max(220, Math.floor(available / columns - 16));
  }

  private drawCharts(): void {
    const summary = this.summary;
    if (summary === null) {
      replaceChildren(this.chartGrid);
      return;
    }
    if (!this.chartsVisible) {
      return;
    }
    const width = this.chartWidth();
    this.drawnWidth = width;
    replaceChildren(
      this.chartGrid,
      barChart('Top countries', 'country', summary.byCountry, width),
      barChart('Top vendors', 'vendor', summary.byVendor, width),
      barChart('Top causes', 'cause', summary.byCause, width),
      columnChart(summary, width),
    );
  }
}

function keyFigures(summary: TrafficSummary): Figure[] {
  return [
    {
      name: 'attempts',
      label: 'Attempts',
      value: formatCount(summary.attempts),
      detail: `${formatCount(summary.answered)} answered, ${formatCount(summary.failed)} failed`,
    },
    { name: 'asr', label: 'ASR', value: formatPercent(summary.asr) },
    {
      name: 'acd',
      label: 'ACD',
      value: summary.acdSeconds === null ? '—' : formatDuration(summary.acdSeconds),
    },
    { name: 'ner', label: 'NER', value: formatPercent(summary.ner) },
    { name: 'minutes', label: 'Minutes', value: formatMinutes(summary.durationSeconds) },
    { name: 'billed', label: 'Billed minutes', value: formatMinutes(summary.billedSeconds) },
    { name: 'cost', label: 'Cost', value: formatMicros(summary.amountMicros) },
  ];
}

function formatMinutes(seconds: number): string {
  return (seconds / 60).toLocaleString('en-US', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
}

function figureElement(figure: Figure): HTMLDivElement {
  return h(
    'div',
    { class: 'figure', role: 'listitem', 'data-figure': figure.name, title: figure.detail },
    h('span', { class: 'figure-label' }, figure.label),
    h('span', { class: 'figure-value' }, figure.value),
    figure.detail === undefined ? null : h('span', { class: 'sr-only' }, `, ${figure.detail}`),
  );
}

/** Cuts a label from the API to one short line for a chart axis. */
function shortLabel(text: string): string {
  const line = singleLine(text);
  return line.length > MAX_LABEL_LENGTH ? `${line.slice(0, MAX_LABEL_LENGTH - 1)}…` : line;
}

function breakdownTooltip(row: BreakdownRow): string {
  return (
    `${singleLine(row.label)}: ${formatQuantity(row.attempts, 'attempt')}, ` +
    `${formatCount(row.answered)} answered, ASR ${formatPercent(row.asr)}`
  );
}

/** Draws horizontal bars of attempts per group, with the answered part over the failed part. */
function barChart(
  title: string,
  kind: string,
  rows: readonly BreakdownRow[],
  width: number,
): HTMLElement {
  const top = rows.slice(0, TOP_GROUPS);
  const figure = h('figure', { class: `chart chart-bars chart-${kind}`, 'data-chart': kind });
  figure.append(h('figcaption', { class: 'chart-title' }, title));
  if (top.length === 0) {
    figure.append(h('p', { class: 'chart-empty' }, 'No calls.'));
    return figure;
  }
  const plotWidth = Math.max(40, width - LABEL_WIDTH - VALUE_WIDTH);
  const height = top.length * (BAR_HEIGHT + BAR_GAP);
  const maximum = Math.max(1, ...top.map((row) => row.attempts));
  const chart = svg('svg', {
    class: 'chart-svg',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    'aria-hidden': 'true',
  });
  top.forEach((row, index) => {
    const y = index * (BAR_HEIGHT + BAR_GAP);
    const attemptsWidth = (row.attempts / maximum) * plotWidth;
    const answeredWidth = (row.answered / maximum) * plotWidth;
    chart.append(
      svg(
        'g',
        { class: 'bar' },
        svg('title', {}, breakdownTooltip(row)),
        svg(
          'text',
          { class: 'bar-label', x: LABEL_WIDTH - 6, y: y + BAR_HEIGHT - 3, 'text-anchor': 'end' },
          shortLabel(row.label),
        ),
        svg('rect', {
          class: 'bar-failed',
          x: LABEL_WIDTH,
          y,
          width: Math.max(1, attemptsWidth),
          height: BAR_HEIGHT,
        }),
        svg('rect', {
          class: 'bar-answered',
          x: LABEL_WIDTH,
          y,
          width: answeredWidth,
          height: BAR_HEIGHT,
        }),
        svg(
          'text',
          { class: 'bar-value', x: LABEL_WIDTH + attemptsWidth + 4, y: y + BAR_HEIGHT - 3 },
          `${formatCount(row.attempts)} · ${formatPercent(row.asr)}`,
        ),
      ),
    );
  });
  figure.append(
    chart,
    dataTable(
      title,
      ['Group', 'Attempts', 'Answered', 'ASR'],
      top.map((row) => [
        singleLine(row.label),
        formatCount(row.attempts),
        formatCount(row.answered),
        formatPercent(row.asr),
      ]),
    ),
  );
  return figure;
}

/** Formats a column's start as `YYYY-MM-DD HH:MM`, or `YYYY-MM-DD` for whole days. */
function columnStart(column: TimeColumn): string {
  const iso = new Date(column.start).toISOString();
  return column.hours % 24 === 0 ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** Measures a span of whole hours: `1 hour`, `6 hours`, `1 day` or `3 days`. */
function spanLength(hours: number): string {
  if (hours % 24 === 0) {
    return hours === 24 ? '1 day' : `${hours / 24} days`;
  }
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function columnTooltip(column: TimeColumn): string {
  const failed = column.attempts - column.answered;
  return (
    `${columnStart(column)} UTC, ${spanLength(column.hours)}: ` +
    `${formatQuantity(column.attempts, 'call')}, ` +
    `${formatCount(column.answered)} answered, ${formatCount(failed)} failed`
  );
}

/** Draws stacked columns per time bucket: answered calls at the bottom, failed calls on top. */
function columnChart(summary: TrafficSummary, width: number): HTMLElement {
  const figure = h('figure', { class: 'chart chart-columns', 'data-chart': 'time' });
  if (summary.perHour.length === 0) {
    figure.append(
      h('figcaption', { class: 'chart-title' }, 'Calls per hour (UTC)'),
      h('p', { class: 'chart-empty' }, 'No calls with a valid time.'),
    );
    return figure;
  }
  // Columns narrower than MIN_COLUMN_WIDTH would be unreadable: 92 days of hourly buckets are
  // far more than a chart can show one by one.
  const maxColumns = Math.floor((width - AXIS_WIDTH) / MIN_COLUMN_WIDTH);
  const columns = mergeBuckets(summary.perHour, summary.bucketHours, maxColumns);
  const title = `Calls per ${spanLength(columns[0].hours).replace(/^1 /, '')} (UTC)`;
  replaceChildren(
    figure,
    h('figcaption', { class: 'chart-title' }, title),
    drawColumns(columns, width),
    chartNotes(summary),
    dataTable(
      title,
      ['Start (UTC)', 'Hours', 'Calls', 'Answered', 'Failed'],
      columns.map((column) => [
        columnStart(column),
        String(column.hours),
        formatCount(column.attempts),
        formatCount(column.answered),
        formatCount(column.attempts - column.answered),
      ]),
    ),
  );
  return figure;
}

/** States which calls the time chart leaves out, or returns null when it shows them all. */
function chartNotes(summary: TrafficSummary): HTMLParagraphElement | null {
  const notes: string[] = [];
  if (summary.outsideChart > 0) {
    const verb = summary.outsideChart === 1 ? 'falls' : 'fall';
    notes.push(
      `${formatQuantity(summary.outsideChart, 'call')} ${verb} outside the charted range.`,
    );
  }
  if (summary.undated > 0) {
    const verb = summary.undated === 1 ? 'has' : 'have';
    notes.push(`${formatQuantity(summary.undated, 'call')} ${verb} no valid time.`);
  }
  return notes.length === 0 ? null : h('p', { class: 'chart-note' }, notes.join(' '));
}

function drawColumns(columns: readonly TimeColumn[], width: number): SVGSVGElement {
  const plotWidth = width - AXIS_WIDTH;
  const plotHeight = COLUMN_CHART_HEIGHT - AXIS_HEIGHT;
  const maximum = Math.max(1, ...columns.map((column) => column.attempts));
  const step = plotWidth / columns.length;
  const columnWidth = Math.max(1, step > 4 ? step - 1 : step);
  const chart = svg('svg', {
    class: 'chart-svg',
    width,
    height: COLUMN_CHART_HEIGHT,
    viewBox: `0 0 ${width} ${COLUMN_CHART_HEIGHT}`,
    'aria-hidden': 'true',
  });
  const axisLabel = (y: number, text: string) =>
    svg('text', { class: 'axis-label', x: AXIS_WIDTH - 4, y, 'text-anchor': 'end' }, text);
  chart.append(
    axisLabel(10, formatCount(maximum)),
    axisLabel(plotHeight, '0'),
    svg('line', { class: 'axis', x1: AXIS_WIDTH, y1: plotHeight, x2: width, y2: plotHeight }),
  );

  columns.forEach((column, index) => {
    const x = AXIS_WIDTH + index * step;
    const answeredHeight = (column.answered / maximum) * plotHeight;
    const failedHeight = ((column.attempts - column.answered) / maximum) * plotHeight;
    const rect = (className: string, y: number, height: number) =>
      svg('rect', { class: className, x, y, width: columnWidth, height });
    chart.append(
      svg(
        'g',
        { class: 'column' },
        svg('title', {}, columnTooltip(column)),
        rect('bar-answered', plotHeight - answeredHeight, answeredHeight),
        rect('bar-failed', plotHeight - answeredHeight - failedHeight, failedHeight),
      ),
    );
  });

  const labelEvery = Math.ceil(columns.length / Math.max(1, Math.floor(plotWidth / 96)));
  for (let index = 0; index < columns.length; index += labelEvery) {
    const x = AXIS_WIDTH + index * step;
    // The year is left out to keep labels short. The tooltip and the data table show it.
    const label = columnStart(columns[index]).slice(5);
    chart.append(
      svg('text', { class: 'axis-label time-label', x, y: COLUMN_CHART_HEIGHT - 4 }, label),
    );
  }
  return chart;
}

/** Builds the legend of every chart. Words name each colour, so colour is never the only cue. */
export function chartLegend(): HTMLParagraphElement {
  return h(
    'p',
    { class: 'chart-legend', 'aria-hidden': 'true' },
    h('span', { class: 'legend-swatch legend-answered' }),
    'Answered',
    h('span', { class: 'legend-swatch legend-failed' }),
    'Failed',
  );
}

/** Builds a visually hidden table that gives screen readers the numbers behind a chart. */
function dataTable(
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): HTMLTableElement {
  return h(
    'table',
    { class: 'sr-only chart-data' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}
