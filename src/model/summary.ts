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

// TODO: replace this placeholder with the computation.
export function summarize(calls: Iterable<SummaryCall>): TrafficSummary {
  void calls;
  throw new Error('summarize is not written yet');
}
