/** Timing helpers and the figure rows that every benchmark returns. */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** One line of the summary: a measured figure, its baseline from the same run, and the goal. */
export interface Figure {
  readonly name: string;
  /** What was measured, such as "fetchAllConcurrently, concurrency 4". */
  readonly measuredLabel: string;
  readonly measured: number | undefined;
  readonly baselineLabel: string;
  readonly baseline: number | undefined;
  readonly unit: string;
  /** The goal in words, such as "at least 3× faster", or empty text when there is none. */
  readonly goal: string;
  /** Whether the goal is met; undefined when it has none or the figure is not available. */
  readonly met: boolean | undefined;
  /** Checks and context printed under the line, such as "100,000 records, each once". */
  readonly notes: readonly string[];
}

/** Returns the median of `values`; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError('Invalid sample: expected at least one value');
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection, so that a timed run does not pay for the garbage of the one
 * before it. Node exposes `gc` only with --expose-gc, which is set here at run time.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Runs `task` `warmups` times unmeasured, then `runs` times after a full garbage collection each,
 * and returns each run's milliseconds.
 */
export async function timeRuns(
  task: () => unknown,
  options: { readonly warmups: number; readonly runs: number },
): Promise<number[]> {
  for (let run = 0; run < options.warmups; run++) {
    await task();
  }
  const times: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    collectGarbage();
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  return times;
}

/** Formats a number with thousands separators and at most `decimals` decimals. */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Formats milliseconds with one decimal below 100 ms and none above. */
export function formatMs(ms: number): string {
  return `${formatNumber(ms, ms < 100 ? 1 : 0)} ms`;
}

/** Formats a byte count in decimal kilobytes (1,000 bytes) or megabytes (1,000,000 bytes). */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1_000_000) {
    return `${formatNumber(bytes / 1_000_000, 1)} MB`;
  }
  return `${formatNumber(bytes / 1_000, 1)} kB`;
}
