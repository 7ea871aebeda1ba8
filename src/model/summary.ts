/**
 * Traffic summaries over a set of calls: ASR, ACD, NER, minutes, exact cost, and breakdowns.
 * No `vscode` and no DOM, so the panel script and unit tests share it.
 */
import { stripUnsafe } from './format';

/** The fields of one call that the summaries read. */
export interface SummaryCall {
  /** Connect time, or setup time when the call has none, in unix milliseconds. */
  readonly time: number | null;
  /** True when the call lasted more than zero seconds. */
  readonly answered: boolean;
  /** Call length in seconds. */
  readonly duration: number | null;
  /** Billed seconds. */
  readonly billed: number | null;
  /** Charge in whole micro-units (millionths); a safe integer. */
  readonly amountMicros: number | null;
  /** Q.850 release cause. */
  readonly code: number | null;
  readonly reason: string;
  readonly country: string;
  readonly vendor: string;
}

/** Totals of one group of calls in a breakdown. */
export interface BreakdownRow {
  /** The group's label, such as a country name or `17 User busy`; `(unknown)` when empty. */
  readonly label: string;
  readonly attempts: number;
  readonly answered: number;
  /** answered / attempts, from 0 to 1. */
  readonly asr: number;
  readonly durationSeconds: number;
  readonly amountMicros: bigint;
}

/** Calls that started in one bucket of time. */
export interface TimeBucket {
  /** Start of the bucket in unix milliseconds, on a whole UTC hour (or day). */
  readonly start: number;
  readonly attempts: number;
  readonly answered: number;
}

export interface TrafficSummary {
  readonly attempts: number;
  readonly answered: number;
  readonly failed: number;
  /** Calls that count towards NER: answered, user busy, no answer and call rejected. */
  readonly effective: number;
  /** Answer-seizure ratio, answered / attempts; null without attempts. */
  readonly asr: number | null;
  /** Network effectiveness ratio (ITU-T E.425), effective / attempts; null without attempts. */
  readonly ner: number | null;
  /** Average call duration of answered calls in seconds; null without answered calls. */
  readonly acdSeconds: number | null;
  readonly durationSeconds: number;
  readonly billedSeconds: number;
  /** Exact sum of the charges. */
  readonly amountMicros: bigint;
  /** Sorted by attempts, most first, then by label. */
  readonly byCountry: readonly BreakdownRow[];
  readonly byVendor: readonly BreakdownRow[];
  readonly byCause: readonly BreakdownRow[];
  /**
   * Contiguous buckets from the first charted call to the last, empty ones included. There are
   * at most {@link MAX_HOUR_BUCKETS} hourly or {@link MAX_DAY_BUCKETS} daily buckets.
   */
  readonly perHour: readonly TimeBucket[];
  /** 1 for hourly buckets; 24 when the calls span too long for one bucket per hour. */
  readonly bucketHours: 1 | 24;
  /** Calls without a valid time, left out of {@link perHour}. */
  readonly undated: number;
  /**
   * Dated calls left out of {@link perHour} because the calls span more than
   * {@link MAX_DAY_BUCKETS} days. The chart then covers the span of at most that many days that
   * contains the most calls.
   */
  readonly outsideChart: number;
}

/** Label of a breakdown group whose country, vendor or cause is empty. */
export const UNKNOWN_LABEL = '(unknown)';

/** Q.850 causes that count towards NER: user busy, no user responding, no answer, call rejected. */
export const NER_CAUSES: ReadonlySet<number> = new Set([17, 18, 19, 21]);

/** Maximum number of hourly buckets (92 days). A longer span gets one bucket per day. */
export const MAX_HOUR_BUCKETS = 24 * 92;

/**
 * Maximum number of daily buckets, about ten years. Calls spanning longer, such as records
 * dated 0000-01-01 or 9999-12-31 among recent ones, are charted in part.
 */
export const MAX_DAY_BUCKETS = 3660;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Largest distance of a valid JavaScript `Date` from the unix epoch, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

/**
 * Computes the traffic summary of `calls` in one pass. Money is summed exactly in bigint.
 * Throws a RangeError when an `amountMicros` is not a whole number, which breaks its contract.
 */
export function summarize(calls: Iterable<SummaryCall>): TrafficSummary {
  const countries = new Map<string, GroupTotals>();
  const vendors = new Map<string, GroupTotals>();
  const causes = new Map<string | number, GroupTotals>();
  const hours = new Map<number, HourCount>();
  let attempts = 0;
  let answered = 0;
  let effective = 0;
  let answeredDuration = 0;
  let durationSeconds = 0;
  let billedSeconds = 0;
  let amountMicros = 0n;
  let undated = 0;
  let firstHour = Infinity;
  let lastHour = -Infinity;

  for (const call of calls) {
    const duration = finiteOrZero(call.duration);
    const amount = call.amountMicros === null ? 0n : BigInt(call.amountMicros);
    attempts++;
    if (call.answered) {
      answered++;
      effective++;
      answeredDuration += duration;
    } else if (call.code !== null && NER_CAUSES.has(call.code)) {
      effective++;
    }
    durationSeconds += duration;
    billedSeconds += finiteOrZero(call.billed);
    amountMicros += amount;

    addToGroup(countries, textKey(call.country), call, duration, amount);
    addToGroup(vendors, textKey(call.vendor), call, duration, amount);
    addToGroup(causes, causeKey(call), call, duration, amount);

    if (call.time === null || !Number.isFinite(call.time) || Math.abs(call.time) > MAX_DATE_MS) {
      undated++;
      continue;
    }
    const hour = Math.floor(call.time / HOUR_MS);
    firstHour = Math.min(firstHour, hour);
    lastHour = Math.max(lastHour, hour);
    let count = hours.get(hour);
    if (count === undefined) {
      count = { attempts: 0, answered: 0 };
      hours.set(hour, count);
    }
    count.attempts++;
    if (call.answered) {
      count.answered++;
    }
  }

  const range = chartRange(hours, firstHour, lastHour);
  const { buckets, outside } = toBuckets(hours, range);
  return {
    attempts,
    answered,
    failed: attempts - answered,
    effective,
    asr: ratio(answered, attempts),
    ner: ratio(effective, attempts),
    acdSeconds: ratio(answeredDuration, answered),
    durationSeconds,
    billedSeconds,
    amountMicros,
    byCountry: toRows(countries),
    byVendor: toRows(vendors),
    byCause: toRows(causes),
    perHour: buckets,
    bucketHours: range.bucketHours,
    undated,
    outsideChart: outside,
  };
}

/** Running totals of one breakdown group. */
interface GroupTotals {
  label: string;
  attempts: number;
  answered: number;
  durationSeconds: number;
  amountMicros: bigint;
}

interface HourCount {
  attempts: number;
  answered: number;
}

function finiteOrZero(value: number | null): number {
  return value !== null && Number.isFinite(value) ? value : 0;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Groups text as it is shown: without control or bidirectional characters, trimmed. */
function textKey(text: string): string {
  return stripUnsafe(text) || UNKNOWN_LABEL;
}

/**
 * Groups causes by code when there is one, so two spellings of one code's reason share a row.
 * Without a code, the reason as {@link textKey} shows it is the key. The text key cannot equal
 * a numeric key.
 */
function causeKey(call: SummaryCall): string | number {
  if (call.code !== null && Number.isFinite(call.code)) {
    return call.code;
  }
  return textKey(call.reason);
}

function addToGroup<K>(
  groups: Map<K, GroupTotals>,
  key: K,
  call: SummaryCall,
  duration: number,
  amount: bigint,
): void {
  let group = groups.get(key);
  if (group === undefined) {
    group = { label: '', attempts: 0, answered: 0, durationSeconds: 0, amountMicros: 0n };
    groups.set(key, group);
  }
  if (group.label === '') {
    group.label = typeof key === 'number' ? causeLabel(key, call.reason) : String(key);
  }
  group.attempts++;
  if (call.answered) {
    group.answered++;
  }
  group.durationSeconds += duration;
  group.amountMicros += amount;
}

/**
 * Labels a cause group as `CODE REASON` with the first non-empty reason seen for the code. While
 * every reason of the code is empty, the label is the code alone and stays open for a later reason.
 */
function causeLabel(code: number, reason: string): string {
  const shown = stripUnsafe(reason);
  return shown === '' ? '' : `${code} ${shown}`;
}

function toRows<K>(groups: Map<K, GroupTotals>): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  for (const [key, group] of groups) {
    rows.push({
      label: group.label || String(key),
      attempts: group.attempts,
      answered: group.answered,
      asr: group.answered / group.attempts,
      durationSeconds: group.durationSeconds,
      amountMicros: group.amountMicros,
    });
  }
  return rows.sort((a, b) => b.attempts - a.attempts || compareText(a.label, b.label));
}

/** Compares in UTF-16 code-unit order, so the order does not depend on the runtime's locale. */
function compareText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

/** The hours that the time chart covers, both included, and the size of its buckets. */
interface ChartRange {
  readonly firstHour: number;
  readonly lastHour: number;
  readonly bucketHours: 1 | 24;
}

/**
 * Chooses the hours to chart: all of them when they fit in {@link MAX_HOUR_BUCKETS} hourly or
 * {@link MAX_DAY_BUCKETS} daily buckets. Otherwise it charts the span of at most
 * {@link MAX_DAY_BUCKETS} days with the most calls, the most recent of equal ones. Hours count
 * from the unix epoch, and an empty range has `firstHour > lastHour`.
 */
function chartRange(
  hours: ReadonlyMap<number, HourCount>,
  firstHour: number,
  lastHour: number,
): ChartRange {
  if (firstHour > lastHour || lastHour - firstHour + 1 <= MAX_HOUR_BUCKETS) {
    return { firstHour, lastHour, bucketHours: 1 };
  }
  if (Math.floor(lastHour / 24) - Math.floor(firstHour / 24) + 1 <= MAX_DAY_BUCKETS) {
    return { firstHour, lastHour, bucketHours: 24 };
  }
  const [firstDay, lastDay] = densestDays(hours);
  let first = Infinity;
  let last = -Infinity;
  for (const hour of hours.keys()) {
    const day = Math.floor(hour / 24);
    if (day >= firstDay && day <= lastDay) {
      first = Math.min(first, hour);
      last = Math.max(last, hour);
    }
  }
  const bucketHours = last - first + 1 <= MAX_HOUR_BUCKETS ? 1 : 24;
  return { firstHour: first, lastHour: last, bucketHours };
}

/**
 * Finds the span of at most {@link MAX_DAY_BUCKETS} days that contains the most calls, the most
 * recent of equal ones, and returns its first and last day with calls. Days count from the unix
 * epoch.
 */
function densestDays(hours: ReadonlyMap<number, HourCount>): [number, number] {
  const callsByDay = new Map<number, number>();
  for (const [hour, count] of hours) {
    const day = Math.floor(hour / 24);
    callsByDay.set(day, (callsByDay.get(day) ?? 0) + count.attempts);
  }
  const days = [...callsByDay.keys()].sort((a, b) => a - b);
  let best: [number, number] = [days[0], days[0]];
  let bestCalls = -1;
  let start = 0;
  let calls = 0;
  for (const day of days) {
    calls += callsByDay.get(day) ?? 0;
    while (day - days[start] + 1 > MAX_DAY_BUCKETS) {
      calls -= callsByDay.get(days[start]) ?? 0;
      start++;
    }
    if (calls >= bestCalls) {
      bestCalls = calls;
      best = [days[start], day];
    }
  }
  return best;
}

/**
 * Lists the buckets of `range` from the bucket of its first hour to that of its last, empty ones
 * included, and counts the calls outside it. Hours count from the unix epoch, so day buckets
 * start at 00:00 UTC.
 */
function toBuckets(
  hours: ReadonlyMap<number, HourCount>,
  range: ChartRange,
): { buckets: TimeBucket[]; outside: number } {
  const { firstHour, lastHour, bucketHours } = range;
  if (firstHour > lastHour) {
    return { buckets: [], outside: 0 };
  }
  const first = Math.floor(firstHour / bucketHours);
  const last = Math.floor(lastHour / bucketHours);
  const attempts = new Array<number>(last - first + 1).fill(0);
  const answered = new Array<number>(last - first + 1).fill(0);
  let outside = 0;
  for (const [hour, count] of hours) {
    if (hour < firstHour || hour > lastHour) {
      outside += count.attempts;
      continue;
    }
    const index = Math.floor(hour / bucketHours) - first;
    attempts[index] += count.attempts;
    answered[index] += count.answered;
  }
  const bucketMs = bucketHours === 24 ? DAY_MS : HOUR_MS;
  const buckets = attempts.map((count, index) => ({
    start: (first + index) * bucketMs,
    attempts: count,
    answered: answered[index],
  }));
  return { buckets, outside };
}

/** Calls in one column of the time chart. */
export interface TimeColumn {
  /** Start in unix milliseconds: a whole multiple of the column's span since the unix epoch. */
  readonly start: number;
  /** Span in whole hours, the same for every column of a chart. */
  readonly hours: number;
  readonly attempts: number;
  readonly answered: number;
}

/** Column spans shorter than a day, in hours. Each divides 24, so no column crosses 00:00 UTC. */
const SUB_DAY_SPANS: readonly number[] = [1, 2, 3, 4, 6, 12];

/**
 * Chooses the shortest span in hours, not below `bucketHours`, whose columns cover the hours
 * from `firstHour` to `lastHour` (both counted from the unix epoch) in at most `maxColumns`
 * columns. Columns start at whole multiples of their span, so the span is a divisor of 24 or a
 * whole number of days.
 */
export function columnSpanHours(
  firstHour: number,
  lastHour: number,
  bucketHours: number,
  maxColumns: number,
): number {
  const columnCount = (span: number) =>
    Math.floor(lastHour / span) - Math.floor(firstHour / span) + 1;
  for (const span of SUB_DAY_SPANS) {
    if (span >= bucketHours && columnCount(span) <= maxColumns) {
      return span;
    }
  }
  // A span of `maxDays` days or more leaves at most two columns, so the loop stops there.
  const maxDays = Math.floor(lastHour / 24) - Math.floor(firstHour / 24) + 1;
  let days = 1;
  while (days < maxDays && columnCount(days * 24) > maxColumns) {
    days++;
  }
  return days * 24;
}

/**
 * Merges contiguous buckets of `bucketHours` hours (1 or 24) into columns of the span that
 * {@link columnSpanHours} chooses: at most `maxColumns` of them, or 2 when `maxColumns` is
 * smaller. Columns are aligned to their span in UTC, so the first can start before the first
 * bucket and the last can end after the last bucket.
 */
export function mergeBuckets(
  buckets: readonly TimeBucket[],
  bucketHours: number,
  maxColumns: number,
): TimeColumn[] {
  if (buckets.length === 0) {
    return [];
  }
  const firstHour = Math.floor(buckets[0].start / HOUR_MS);
  const lastHour = Math.floor(buckets[buckets.length - 1].start / HOUR_MS) + bucketHours - 1;
  const span = columnSpanHours(firstHour, lastHour, bucketHours, maxColumns);
  const firstColumn = Math.floor(firstHour / span);
  const count = Math.floor(lastHour / span) - firstColumn + 1;
  const columns = Array.from({ length: count }, (_, index) => ({
    start: (firstColumn + index) * span * HOUR_MS,
    hours: span,
    attempts: 0,
    answered: 0,
  }));
  for (const bucket of buckets) {
    const column = columns[Math.floor(bucket.start / HOUR_MS / span) - firstColumn];
    column.attempts += bucket.attempts;
    column.answered += bucket.answered;
  }
  return columns;
}
