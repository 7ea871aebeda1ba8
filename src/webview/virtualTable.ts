/**
 * The CDR table. Rows have a fixed height, and only the rows in view plus a few on each side
 * exist in the DOM, so the DOM stays small however many rows are loaded. The grid element is the
 * single tab stop and points at the selected row with `aria-activedescendant`.
 */
import type { ColumnId, PanelRow, SortOrder } from '../panel/protocol';
import { COLUMNS, cellText, visibleRange } from '../panel/table';
import { h, srOnly, toggleAttribute } from './dom';

/** Row height in CSS pixels. The stylesheet reads it from `--row-height`. */
export const ROW_HEIGHT = 24;

/** Rows drawn above and below the viewport so fast scrolling shows no gaps. */
const OVERSCAN = 8;

export interface VirtualTableEvents {
  /** The user selected a row with the mouse or the keyboard. */
  onSelect(row: PanelRow): void;
  /** The user clicked a column header. */
  onSort(sort: SortOrder): void;
}

interface HeaderCell {
  readonly cell: HTMLDivElement;
  readonly indicator: HTMLSpanElement;
}

/** Columns whose first click sorts largest or newest first. */
const DESCENDING_FIRST = new Set<ColumnId>(['time', 'duration', 'amount']);

export class VirtualTable {
  readonly element: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  private readonly head: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly emptyMessage: HTMLDivElement;
  private readonly headers = new Map<ColumnId, HeaderCell>();
  /** Drawn row elements by their index in {@link rows}. */
  private readonly drawn = new Map<number, HTMLDivElement>();
  private rows: readonly PanelRow[] = [];
  /** Index in {@link rows} by key, built on the first lookup after the rows change. */
  private indexByKey: Map<string, number> | null = null;
  private selectedKey: string | null = null;
  private sort: SortOrder;
  private frame: number | null = null;

  constructor(
    sort: SortOrder,
    private readonly events: VirtualTableEvents,
  ) {
    this.sort = sort;
    this.head = h(
      'div',
      { class: 'grid-head', role: 'rowgroup' },
      h(
        'div',
        { class: 'grid-row grid-header-row', role: 'row', 'aria-rowindex': 1 },
        ...COLUMNS.map((column) => this.headerCell(column.id, column.label, column.numeric)),
      ),
    );
    this.body = h('div', { class: 'grid-body', role: 'rowgroup' });
    this.grid = h(
      'div',
      {
        class: 'grid',
        role: 'grid',
        tabindex: 0,
        'aria-label': 'CDRs',
        'aria-rowcount': 1,
        'aria-colcount': COLUMNS.length,
        'aria-multiselectable': 'false',
      },
      this.head,
      this.body,
    );
    this.grid.style.setProperty('--row-height', `${ROW_HEIGHT}px`);
    this.emptyMessage = h('div', { class: 'grid-empty', hidden: true });
    this.element = h('div', { class: 'grid-wrap' }, this.grid, this.emptyMessage);

    this.grid.addEventListener('scroll', () => this.scheduleDraw());
    this.grid.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.body.addEventListener('click', (event) => this.onClick(event));
    new ResizeObserver(() => this.scheduleDraw()).observe(this.grid);
    this.updateSortHeaders();
  }

  /** Replaces the shown rows and keeps the scroll position where it still fits. */
  setRows(rows: readonly PanelRow[]): void {
    this.rows = rows;
    this.indexByKey = null;
    this.grid.setAttribute('aria-rowcount', String(rows.length + 1));
    this.body.style.setProperty('height', `${rows.length * ROW_HEIGHT}px`);
    for (const element of this.drawn.values()) {
      element.remove();
    }
    this.drawn.clear();
    this.draw();
  }

  setSort(sort: SortOrder): void {
    this.sort = sort;
    this.updateSortHeaders();
  }

  /** Marks the table as busy while rows are still arriving, for assistive technology. */
  setBusy(busy: boolean): void {
    this.grid.setAttribute('aria-busy', String(busy));
  }

  /** True when the row with `key` is drawn and at least partly inside the viewport. */
  isInView(key: string): boolean {
    const top = this.grid.scrollTop;
    const bottom = top + this.rowViewportHeight();
    for (const index of this.drawn.keys()) {
      if (this.rows[index]?.key === key) {
        const rowTop = index * ROW_HEIGHT;
        return rowTop + ROW_HEIGHT > top && rowTop < bottom;
      }
    }
    return false;
  }

  /** Shows `text` over an empty table, or hides the message for null. */
  setEmptyText(text: string | null): void {
    this.emptyMessage.hidden = text === null;
    this.emptyMessage.textContent = text ?? '';
  }

  /** Marks the row with `key` as selected, and scrolls it into view when `reveal` is set. */
  setSelectedKey(key: string | null, reveal: boolean): void {
    this.selectedKey = key;
    const index = this.indexOfKey(key);
    if (reveal && index !== undefined) {
      this.scrollToIndex(index);
    }
    this.draw();
  }

  /**
   * Returns the index of the row with `key` in the shown rows. The index map is built only when a
   * key is looked up, so showing 100,000 rows without a selection does not build it.
   */
  private indexOfKey(key: string | null): number | undefined {
    if (key === null) {
      return undefined;
    }
    if (this.indexByKey === null) {
      this.indexByKey = new Map<string, number>();
      for (let index = 0; index < this.rows.length; index++) {
        this.indexByKey.set(this.rows[index].key, index);
      }
    }
    return this.indexByKey.get(key);
  }

  private headerCell(id: ColumnId, label: string, numeric: boolean): HTMLDivElement {
    const indicator = h('span', { class: 'sort-indicator', 'aria-hidden': 'true' });
    const button = h('button', { type: 'button', class: 'sort-button' }, label, indicator);
    button.addEventListener('click', () => {
      const descending = this.sort.column === id ? !this.sort.descending : DESCENDING_FIRST.has(id);
      this.events.onSort({ column: id, descending });
    });
    const cell = h(
      'div',
      {
        class: `grid-cell grid-header col-${id}${numeric ? ' numeric' : ''}`,
        role: 'columnheader',
        'data-column': id,
      },
      button,
    );
    this.headers.set(id, { cell, indicator });
    return cell;
  }

  private updateSortHeaders(): void {
    for (const [id, { cell, indicator }] of this.headers) {
      const active = this.sort.column === id;
      const direction = this.sort.descending ? 'descending' : 'ascending';
      cell.setAttribute('aria-sort', active ? direction : 'none');
      let arrow = '';
      if (active) {
        arrow = this.sort.descending ? '▼' : '▲';
      }
      indicator.textContent = arrow;
    }
  }

  private scheduleDraw(): void {
    if (this.frame === null) {
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.draw();
      });
    }
  }

  /** Viewport height available to rows, under the sticky header. */
  private rowViewportHeight(): number {
    return Math.max(0, this.grid.clientHeight - this.head.offsetHeight);
  }

  private draw(): void {
    const { start, end } = visibleRange(
      this.grid.scrollTop,
      this.rowViewportHeight(),
      ROW_HEIGHT,
      this.rows.length,
      OVERSCAN,
    );
    for (const [index, element] of this.drawn) {
      if (index < start || index >= end) {
        element.remove();
        this.drawn.delete(index);
      }
    }
    for (let index = start; index < end; index++) {
      let element = this.drawn.get(index);
      if (element === undefined) {
        element = this.buildRow(this.rows[index], index);
        this.drawn.set(index, element);
        this.body.appendChild(element);
      }
      const selected = this.rows[index].key === this.selectedKey;
      element.classList.toggle('selected', selected);
      element.setAttribute('aria-selected', String(selected));
    }
    const index = this.indexOfKey(this.selectedKey);
    const active = index === undefined ? undefined : this.drawn.get(index);
    toggleAttribute(this.grid, 'aria-activedescendant', active ? active.id : null);
  }

  private buildRow(row: PanelRow, index: number): HTMLDivElement {
    const classes = ['grid-row'];
    if (!row.answered) {
      classes.push('failed');
    }
    if (row.problems > 0) {
      classes.push('malformed');
    }
    if (row.charge === 'mismatch') {
      classes.push('mismatch');
    }
    const element = h(
      'div',
      {
        class: classes.join(' '),
        role: 'row',
        id: `cdr-row-${index}`,
        'aria-rowindex': index + 2,
        'data-index': index,
      },
      ...COLUMNS.map((column) => this.buildCell(row, column.id, column.numeric)),
    );
    element.style.setProperty('transform', `translateY(${index * ROW_HEIGHT}px)`);
    return element;
  }

  private buildCell(row: PanelRow, column: ColumnId, numeric: boolean): HTMLDivElement {
    const text = cellText(row, column);
    const cell = h('div', {
      class: `grid-cell col-${column}${numeric ? ' numeric' : ''}`,
      role: 'gridcell',
      title: text,
    });
    const marker = cellMarker(row, column);
    if (marker !== null) {
      cell.append(marker);
    }
    cell.append(h('span', { class: 'value' }, text));
    return cell;
  }

  private onClick(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target : null;
    const rowElement = target?.closest<HTMLElement>('.grid-row[data-index]');
    if (!rowElement) {
      return;
    }
    const index = Number(rowElement.dataset.index);
    if (Number.isInteger(index) && index >= 0 && index < this.rows.length) {
      this.selectIndex(index);
    }
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.target !== this.grid || this.rows.length === 0) {
      return;
    }
    const current = this.indexOfKey(this.selectedKey);
    const page = Math.max(1, Math.floor(this.rowViewportHeight() / ROW_HEIGHT) - 1);
    const last = this.rows.length - 1;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = current === undefined ? 0 : current + 1;
        break;
      case 'ArrowUp':
        next = current === undefined ? 0 : current - 1;
        break;
      case 'PageDown':
        next = current === undefined ? 0 : current + page;
        break;
      case 'PageUp':
        next = current === undefined ? 0 : current - page;
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      default:
        return;
    }
    event.preventDefault();
    next = Math.min(last, Math.max(0, next));
    if (next === current) {
      // Already selected, perhaps scrolled out of view: bring it back without a new request.
      this.setSelectedKey(this.rows[next].key, true);
    } else {
      this.selectIndex(next);
    }
  }

  private selectIndex(index: number): void {
    const row = this.rows[index];
    this.setSelectedKey(row.key, true);
    this.events.onSelect(row);
  }

  private scrollToIndex(index: number): void {
    const top = index * ROW_HEIGHT;
    const viewport = this.rowViewportHeight();
    if (top < this.grid.scrollTop) {
      this.grid.scrollTop = top;
    } else if (top + ROW_HEIGHT > this.grid.scrollTop + viewport) {
      this.grid.scrollTop = top + ROW_HEIGHT - viewport;
    }
  }
}

/** Builds the marker of a failed call, a malformed record or a charge mismatch, or returns null. */
function cellMarker(row: PanelRow, column: ColumnId): HTMLSpanElement | null {
  if (column === 'time' && row.problems > 0) {
    const fields = `${row.problems} ${row.problems === 1 ? 'field' : 'fields'}`;
    return marker('marker-malformed', '⚠', `Malformed record: ${fields} could not be read`);
  }
  if (column === 'amount' && row.charge === 'mismatch') {
    return marker('marker-mismatch', '≠', 'Amount differs from the billing fields');
  }
  if (column === 'cause' && !row.answered) {
    return marker('marker-failed', '✕', 'Failed call');
  }
  return null;
}

function marker(className: string, glyph: string, label: string): HTMLSpanElement {
  return h(
    'span',
    { class: `marker ${className}`, title: label },
    h('span', { 'aria-hidden': 'true' }, glyph),
    srOnly(`${label}: `),
  );
}
