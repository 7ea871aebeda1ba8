/**
 * Search, sort, virtual scrolling and cell text of the CDR panel's table, and the panel's counts
 * and unsafe-character markers. No DOM and no `vscode`, so the panel script and unit tests share
 * it.
 */
import { UNSAFE_CHARACTER, formatDuration, formatNumber, stripUnsafe } from '../model/format';
import { formatMicros } from '../model/money';
import type { ColumnId, PanelRow, SortOrder } from './protocol';

/** A column of the table, in display order. */
export interface ColumnSpec {
  readonly id: ColumnId;
  readonly label: string;
  /** Numbers are right-aligned and drawn in the editor font. */
  readonly numeric: boolean;
}

export const COLUMNS: readonly ColumnSpec[] = [
  { id: 'time', label: 'Time (UTC)', numeric: false },
  { id: 'cli', label: 'CLI', numeric: false },
  { id: 'cld', label: 'CLD', numeric: false },
  { id: 'country', label: 'Country', numeric: false },
  { id: 'vendor', label: 'Vendor', numeric: false },
  { id: 'duration', label: 'Duration', numeric: true },
  { id: 'amount', label: 'Amount', numeric: true },
  { id: 'cause', label: 'Cause', numeric: false },
];

/** Newest calls first, the order in which the API returns them. */
export const DEFAULT_SORT: SortOrder = { column: 'time', descending: true };

const COLUMN_IDS = new Set<string>(COLUMNS.map((column) => column.id));

/** True for one of the table's column ids. */
export function isColumnId(value: unknown): value is ColumnId {
  return typeof value === 'string' && COLUMN_IDS.has(value);
}

// Search

/** Splits a search query into lower-case terms. A `+` before a number is dropped. */
export function searchTerms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((term) => term !== '')
    .map((term) => (/^\+\d+$/.test(term) ? term.slice(1) : term));
}

// Each row's searchable fields, lower-cased and joined by a line break. Terms never contain
// whitespace, so a term found in this text is found inside one field.
const haystacks = new WeakMap<PanelRow, string>();

function haystackOf(row: PanelRow): string {
  let text = haystacks.get(row);
  if (text === undefined) {
    const code = row.code === null ? '' : String(row.code);
    text = [row.cli, row.cld, row.callId, row.country, row.vendor, code, row.reason]
      .join('\n')
      .toLowerCase();
    haystacks.set(row, text);
  }
  return text;
}

/** True when every term occurs in the row's CLI, CLD, call ID, country, vendor or cause. */
export function matchesTerms(row: PanelRow, terms: readonly string[]): boolean {
  if (terms.length === 0) {
    return true;
  }
  const text = haystackOf(row);
  return terms.every((term) => text.includes(term));
}

/**
 * True when every whitespace-separated term of `query` occurs, ignoring case, in one of the row's
 * CLI, CLD, call ID, country, vendor, cause code or cause reason. An empty query matches all rows.
 */
export function matchesSearch(row: PanelRow, query: string): boolean {
  return matchesTerms(row, searchTerms(query));
}

// Sort

type RowComparator = (a: PanelRow, b: PanelRow) => number;

const textCollator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Compares two values where null, and empty text, sort after every value in both directions. */
function compareNullable<T>(
  a: T | null,
  b: T | null,
  descending: boolean,
  compare: (x: T, y: T) => number,
): number {
  const aMissing = a === null || a === '';
  const bMissing = b === null || b === '';
  if (aMissing && bMissing) {
    return 0;
  }
  if (aMissing) {
    return 1;
  }
  if (bMissing) {
    return -1;
  }
  const order = compare(a, b);
  return descending ? -order : order;
}

const compareNumbers = (x: number, y: number): number => x - y;
const compareText = (x: string, y: string): number => textCollator.compare(x, y);

/**
 * Orders keys shorter first, then by UTF-16 code unit. Numeric `i_cdr:` keys thus sort in
 * numeric order, and the order is total, so equal rows keep one fixed order.
 */
function compareKeys(a: string, b: string): number {
  if (a.length !== b.length) {
    return a.length - b.length;
  }
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function compareColumn(a: PanelRow, b: PanelRow, sort: SortOrder): number {
  const { descending } = sort;
  switch (sort.column) {
    case 'time':
      return compareNullable(a.time, b.time, descending, compareNumbers);
    case 'cli':
      return compareNullable(a.cli, b.cli, descending, compareText);
    case 'cld':
      return compareNullable(a.cld, b.cld, descending, compareText);
    case 'country':
      return compareNullable(a.country, b.country, descending, compareText);
    case 'vendor':
      return compareNullable(a.vendor, b.vendor, descending, compareText);
    case 'duration':
      return compareNullable(a.duration, b.duration, descending, compareNumbers);
    case 'amount':
      return compareNullable(a.amountMicros, b.amountMicros, descending, compareNumbers);
    case 'cause':
      return (
        compareNullable(a.code, b.code, descending, compareNumbers) ||
        compareNullable(a.reason, b.reason, descending, compareText)
      );
  }
}

/**
 * Returns a comparator for `sort`. Missing values (null or empty text) come last in both
 * directions. Rows that tie are ordered by key in the sort direction, so reversing a column
 * without missing values reverses the list exactly.
 */
export function rowComparator(sort: SortOrder): RowComparator {
  return (a, b) => {
    const order = compareColumn(a, b, sort);
    if (order !== 0) {
      return order;
    }
    const byKey = compareKeys(a.key, b.key);
    return sort.descending ? -byKey : byKey;
  };
}

/** Compares two rows for `sort` with the rules of {@link rowComparator}. */
export function compareRows(a: PanelRow, b: PanelRow, sort: SortOrder): number {
  return rowComparator(sort)(a, b);
}

/** Merges two lists that are each sorted by `compare` into one sorted list. */
export function mergeSorted<T>(
  left: readonly T[],
  right: readonly T[],
  compare: (a: T, b: T) => number,
): T[] {
  const merged = new Array<T>(left.length + right.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < left.length && j < right.length) {
    merged[k++] = compare(left[i], right[j]) <= 0 ? left[i++] : right[j++];
  }
  while (i < left.length) {
    merged[k++] = left[i++];
  }
  while (j < right.length) {
    merged[k++] = right[j++];
  }
  return merged;
}

// Virtual scrolling

/** Rows to draw: indexes from `start` (included) to `end` (excluded). */
export interface RowRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Returns the rows that intersect the viewport, plus `overscan` rows on each side, for a list of
 * `rowCount` rows of `rowHeight` pixels scrolled to `scrollTop`.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan: number,
): RowRange {
  if (!(rowHeight > 0)) {
    throw new RangeError(`Invalid row height ${rowHeight}: expected a positive number of pixels`);
  }
  const count = Math.max(0, Math.floor(rowCount));
  const extra = Math.max(0, Math.floor(overscan));
  const top = Math.max(0, scrollTop);
  const height = Math.max(0, viewportHeight);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + height) / rowHeight);
  const start = Math.min(count, Math.max(0, first - extra));
  const end = Math.min(count, last + extra);
  return { start, end: Math.max(start, end) };
}

// Cell text

/** Text for a missing value. */
export const MISSING = '—';

/** Formats unix milliseconds as `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatRowTime(time: number | null): string {
  if (time === null || !Number.isFinite(time)) {
    return MISSING;
  }
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? MISSING : date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Formats whole micro-units with six decimals. */
export function formatRowAmount(amountMicros: number | null): string {
  if (amountMicros === null || !Number.isSafeInteger(amountMicros)) {
    return MISSING;
  }
  return formatMicros(BigInt(amountMicros));
}

/** Formats seconds as `m:ss`, or `h:mm:ss` from one hour. */
export function formatRowDuration(seconds: number | null): string {
  return seconds === null || !Number.isFinite(seconds) ? MISSING : formatDuration(seconds);
}

/** Formats a release cause as `17 User busy`, without control or bidirectional characters. */
export function formatRowCause(row: Pick<PanelRow, 'code' | 'reason'>): string {
  const code = row.code === null ? '' : String(row.code);
  return [code, stripUnsafe(row.reason)].filter((part) => part !== '').join(' ') || MISSING;
}

/** Formats a caller or destination number, with a `+` when it has digits only. */
function formatRowNumber(number: string): string {
  const text = stripUnsafe(number);
  return text === '' ? MISSING : formatNumber(text);
}

/**
 * Returns the text of one cell. Text from the API loses its control and bidirectional
 * characters, so a right-to-left override cannot make a number read backwards.
 */
export function cellText(row: PanelRow, column: ColumnId): string {
  switch (column) {
    case 'time':
      return formatRowTime(row.time);
    case 'cli':
      return formatRowNumber(row.cli);
    case 'cld':
      return formatRowNumber(row.cld);
    case 'country':
      return stripUnsafe(row.country) || MISSING;
    case 'vendor':
      return stripUnsafe(row.vendor) || MISSING;
    case 'duration':
      return formatRowDuration(row.duration);
    case 'amount':
      return formatRowAmount(row.amountMicros);
    case 'cause':
      return formatRowCause(row);
  }
}

/** Formats an integer with thousands separators, such as `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Formats a count with its noun in the singular for exactly 1: `1 CDR`, `0 CDRs`, `2,000 CDRs`. */
export function formatQuantity(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

// Unsafe characters shown in full

/** A run of text to show as it is, or a marker that spells out one unsafe character. */
export interface TextPart {
  readonly text: string;
  /** True for a marker such as `⟨U+202E⟩`. */
  readonly marker: boolean;
}

const EACH_UNSAFE_CHARACTER = new RegExp(UNSAFE_CHARACTER.source, 'g');

/** Spells out one character by its code point, such as `⟨U+202E⟩`. */
export function characterMarker(character: string): string {
  const code = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `⟨U+${code}⟩`;
}

/**
 * Splits text into runs to show as they are and a marker for each unsafe character, so a long
 * value stays whole while a bidirectional override or a control character cannot take effect.
 * A line feed stays in its run as a line break. Every other unsafe character becomes a marker,
 * a carriage return and a tab included.
 */
export function revealUnsafe(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let runStart = 0;
  for (const match of text.matchAll(EACH_UNSAFE_CHARACTER)) {
    if (match[0] === '\n') {
      continue;
    }
    if (match.index > runStart) {
      parts.push({ text: text.slice(runStart, match.index), marker: false });
    }
    parts.push({ text: characterMarker(match[0]), marker: true });
    runStart = match.index + match[0].length;
  }
  if (runStart < text.length) {
    parts.push({ text: text.slice(runStart), marker: false });
  }
  return parts;
}

/** Returns `text` with each unsafe character except a line feed replaced by its marker. */
export function revealUnsafeText(text: string): string {
  return revealUnsafe(text)
    .map((part) => part.text)
    .join('');
}
