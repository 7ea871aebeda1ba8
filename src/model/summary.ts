/**
 * Traffic summaries over a set of calls: ASR, ACD, NER, minutes, exact cost, and breakdowns.
 * No `vscode` and no DOM, so the panel script and unit tests share it.
 */

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
  /** Contiguous buckets from the first call to the last, empty ones included. */
  readonly perHour: readonly TimeBucket[];
  /** 1 for hourly buckets; 24 when the calls span too long for one bucket per hour. */
  readonly bucketHours: 1 | 24;
  /** Calls without a valid time, left out of {@link perHour}. */
  readonly undated: number;
}

/** Label of a breakdown group whose country, vendor or cause is empty. */
export const UNKNOWN_LABEL = '(unknown)';

/** Q.850 causes that count towards NER: user busy, no user responding, no answer, call rejected. */
export const NER_CAUSES: ReadonlySet<number> = new Set([17, 18, 19, 21]);

/** Maximum number of hourly buckets (92 days). A longer span gets one bucket per day. */
export const MAX_HOUR_BUCKETS = 24 * 92;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

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

    if (call.time === null || !Number.isFinite(call.time)) {
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

  const bucketHours = lastHour - firstHour + 1 > MAX_HOUR_BUCKETS ? 24 : 1;
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
    perHour: toBuckets(hours, firstHour, lastHour, bucketHours),
    bucketHours,
    undated,
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

function textKey(text: string): string {
  return text.trim() || UNKNOWN_LABEL;
}

/**
 * Groups causes by code when there is one, so two spellings of one code's reason share a row.
 * Without a code, the trimmed reason is the key. The text key cannot equal a numeric key.
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
  const trimmed = reason.trim();
  return trimmed === '' ? '' : `${code} ${trimmed}`;
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

/**
 * Lists buckets of `bucketHours` hours from the bucket of `firstHour` to that of `lastHour`,
 * empty ones included. Hours count from the unix epoch, so day buckets start at 00:00 UTC.
 */
function toBuckets(
  hours: ReadonlyMap<number, HourCount>,
  firstHour: number,
  lastHour: number,
  bucketHours: 1 | 24,
): TimeBucket[] {
  if (firstHour > lastHour) {
    return [];
  }
  const first = Math.floor(firstHour / bucketHours);
  const last = Math.floor(lastHour / bucketHours);
  // NOTE: the number of day buckets has no maximum, so calls years apart give thousands of them.
  const attempts = new Array<number>(last - first + 1).fill(0);
  const answered = new Array<number>(last - first + 1).fill(0);
  for (const [hour, count] of hours) {
    const index = Math.floor(hour / bucketHours) - first;
    attempts[index] += count.attempts;
    answered[index] += count.answered;
  }
  const bucketMs = bucketHours === 24 ? DAY_MS : HOUR_MS;
  return attempts.map((count, index) => ({
    start: (first + index) * bucketMs,
    attempts: count,
    answered: answered[index],
  }));
}
