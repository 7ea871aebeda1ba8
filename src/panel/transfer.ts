/**
 * Splits a snapshot of the loaded rows into the parts that the extension sends to the panel. The
 * first part contains the rows that the table shows first, so the panel can draw them while the
 * rest is still on its way. No DOM and no `vscode`, so unit tests and the benchmark use it too.
 */
import { encodeRows } from './columns';
import type { PanelRow, RowColumns, RowTransfer, SortOrder } from './protocol';
import { DEFAULT_SORT, rowComparator } from './table';

/**
 * Rows in the first part: dozens of screens of the table, and few enough that the panel can
 * decode, sort and draw them without a noticeable wait.
 */
export const FIRST_PART_ROWS = 2_000;

/**
 * Rows in each later part. The panel decodes and merges one part per frame at most, so a larger
 * part keeps the table busy longer, and a smaller one adds frames. 100,000 rows take 6 messages.
 * test/bench/panelBench.ts times how long all of them take to arrive.
 */
export const PART_ROWS = 20_000;

/** One message's worth of a snapshot. */
export interface RowPart {
  readonly rows: RowColumns;
  readonly transfer: RowTransfer;
}

export interface SnapshotOptions {
  /** The table's order, which picks the rows of the first part; newest first by default. */
  readonly sort?: SortOrder;
  /** Key of a row to put in the first part wherever it sorts, such as the selected row. */
  readonly include?: string;
  readonly firstRows?: number;
  readonly partRows?: number;
}

/**
 * The rows of one snapshot, which the panel receives part by part: {@link first} at once, and
 * each later part from {@link next} when the panel requests it.
 */
export class OutgoingRows {
  readonly first: RowPart;
  private readonly rest: readonly PanelRow[];
  private readonly partRows: number;
  /** Number of rows of {@link rest} that {@link next} has encoded. */
  private sentCount = 0;

  constructor(
    readonly id: number,
    rows: readonly PanelRow[],
    options: SnapshotOptions = {},
  ) {
    const firstRows = positive(options.firstRows ?? FIRST_PART_ROWS);
    this.partRows = positive(options.partRows ?? PART_ROWS);
    const split = splitFirstRows(rows, firstRows, options.sort ?? DEFAULT_SORT, options.include);
    this.rest = split.rest;
    this.first = {
      rows: encodeRows(split.first),
      transfer: { id, remaining: this.rest.length },
    };
  }

  /** True when every part has been taken. */
  get done(): boolean {
    return this.sentCount >= this.rest.length;
  }

  /** Encodes the next part, or returns undefined after the last. */
  next(): RowPart | undefined {
    if (this.done) {
      return undefined;
    }
    const end = Math.min(this.rest.length, this.sentCount + this.partRows);
    const rows = this.rest.slice(this.sentCount, end);
    this.sentCount = end;
    return {
      rows: encodeRows(rows),
      transfer: { id: this.id, remaining: this.rest.length - end },
    };
  }
}

function positive(count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Invalid part size ${count}: expected a whole number from 1`);
  }
  return count;
}

/**
 * Splits rows in two: the first `count` rows in `sort` order, sorted, and the other rows in their
 * given order. The row whose key is `include` joins the first rows wherever it sorts.
 */
export function splitFirstRows(
  rows: readonly PanelRow[],
  count: number,
  sort: SortOrder,
  include?: string,
): { first: PanelRow[]; rest: PanelRow[] } {
  const compareRows = rowComparator(sort);
  if (rows.length <= count) {
    return { first: [...rows].sort(compareRows), rest: [] };
  }
  const picked = firstInOrder(rows.length, count, (a, b) => compareRows(rows[a], rows[b]));
  if (include !== undefined && !picked.some((index) => rows[index].key === include)) {
    const extra = rows.findIndex((row) => row.key === include);
    if (extra >= 0) {
      picked.push(extra);
    }
  }
  const isPicked = new Uint8Array(rows.length);
  for (const index of picked) {
    isPicked[index] = 1;
  }
  const first = picked.map((index) => rows[index]).sort(compareRows);
  const rest: PanelRow[] = [];
  for (let index = 0; index < rows.length; index++) {
    if (isPicked[index] === 0) {
      rest.push(rows[index]);
    }
  }
  return { first, rest };
}

/**
 * Returns the indexes of the first `count` of `length` entries in the order of `compare`. A heap
 * keeps the entries picked so far with the one that sorts last at its root, so an entry that
 * sorts after it is passed over after one comparison.
 */
function firstInOrder(
  length: number,
  count: number,
  compare: (a: number, b: number) => number,
): number[] {
  const heap: number[] = [];
  for (let index = 0; index < length; index++) {
    if (heap.length < count) {
      heap.push(index);
      siftUp(heap, heap.length - 1, compare);
    } else if (compare(index, heap[0]) < 0) {
      heap[0] = index;
      siftDown(heap, 0, compare);
    }
  }
  return heap;
}

/** Moves the entry at `index` towards the root while it sorts after its parent. */
function siftUp<T>(heap: T[], index: number, compare: (a: T, b: T) => number): void {
  let child = index;
  while (child > 0) {
    const parent = (child - 1) >> 1;
    if (compare(heap[child], heap[parent]) <= 0) {
      return;
    }
    [heap[child], heap[parent]] = [heap[parent], heap[child]];
    child = parent;
  }
}

/** Moves the entry at `index` away from the root while a child sorts after it. */
function siftDown<T>(heap: T[], index: number, compare: (a: T, b: T) => number): void {
  let parent = index;
  for (;;) {
    const left = parent * 2 + 1;
    const right = left + 1;
    let last = parent;
    if (left < heap.length && compare(heap[left], heap[last]) > 0) {
      last = left;
    }
    if (right < heap.length && compare(heap[right], heap[last]) > 0) {
      last = right;
    }
    if (last === parent) {
      return;
    }
    [heap[parent], heap[last]] = [heap[last], heap[parent]];
    parent = last;
  }
}
