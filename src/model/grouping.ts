import { Cdr, UNKNOWN_DATE } from './cdr';
import { RecordKeySet } from './keySet';

/** Totals of a set of calls. */
export interface CallTotals {
  readonly calls: number;
  readonly answered: number;
  readonly failed: number;
  readonly durationSeconds: number;
  readonly amountMicros: bigint;
}

/** The calls of one UTC calendar date. */
export interface DateGroup {
  /** `YYYY-MM-DD`, or {@link UNKNOWN_DATE} for records without a valid time. */
  readonly date: string;
  /** Newest call first. */
  readonly cdrs: readonly Cdr[];
  readonly totals: CallTotals;
}

/** The changes made by one {@link CdrCollection.add} call. */
export interface CollectionChange {
  readonly added: readonly Cdr[];
  readonly duplicates: number;
  /** Dates that did not exist before this change. */
  readonly newDates: readonly string[];
  /** Dates that existed before and gained records. */
  readonly changedDates: readonly string[];
}

export function totalsOf(cdrs: Iterable<Cdr>): CallTotals {
  let calls = 0;
  let answered = 0;
  let durationSeconds = 0;
  let amountMicros = 0n;
  for (const cdr of cdrs) {
    calls++;
    if (cdr.answered) {
      answered++;
    }
    durationSeconds += cdr.durationSeconds ?? 0;
    amountMicros += cdr.amountMicros ?? 0n;
  }
  return { calls, answered, failed: calls - answered, durationSeconds, amountMicros };
}

/**
 * The records of a query, de-duplicated by key and grouped by UTC date. Records are added page by
 * page; each addition reports which dates it created or changed, so a view can refresh only those.
 */
export class CdrCollection {
  private readonly keys = new RecordKeySet();
  private readonly byDate = new Map<string, Cdr[]>();
  private readonly totalsCache = new Map<string, CallTotals>();

  get size(): number {
    return this.keys.size;
  }

  /**
   * Finds a record by key. It looks through every record, which takes one to two milliseconds per
   * 100,000: a view requests one record per user action, and no index has to be kept up to date on every
   * page added.
   */
  get(key: string): Cdr | undefined {
    for (const cdrs of this.byDate.values()) {
      for (const cdr of cdrs) {
        if (cdr.key === key) {
          return cdr;
        }
      }
    }
    return undefined;
  }

  /** Returns whether a record with the key of `cdr` is loaded. */
  includes(cdr: Cdr): boolean {
    return this.keys.has(cdr);
  }

  /**
   * Adds the records whose key is not loaded yet. Each date's new records are sorted on their own
   * and merged into the date, so a page costs time in proportion to its size plus the dates it
   * touches, and a page older than everything loaded is appended.
   */
  add(cdrs: Iterable<Cdr>): CollectionChange {
    const added: Cdr[] = [];
    const newDates = new Set<string>();
    const changedDates = new Set<string>();
    const addedByDate = new Map<string, Cdr[]>();
    let duplicates = 0;
    for (const cdr of cdrs) {
      if (!this.keys.add(cdr)) {
        duplicates++;
        continue;
      }
      added.push(cdr);
      const batch = addedByDate.get(cdr.utcDate);
      if (batch) {
        batch.push(cdr);
      } else {
        addedByDate.set(cdr.utcDate, [cdr]);
        (this.byDate.has(cdr.utcDate) ? changedDates : newDates).add(cdr.utcDate);
      }
    }
    for (const [date, batch] of addedByDate) {
      batch.sort(newestFirst);
      const group = this.byDate.get(date);
      if (group) {
        mergeNewestFirst(group, batch);
      } else {
        this.byDate.set(date, batch);
      }
      this.totalsCache.delete(date);
    }
    return { added, duplicates, newDates: [...newDates], changedDates: [...changedDates] };
  }

  /** Dates newest first; the group of records without a valid time comes last. */
  dates(): string[] {
    return [...this.byDate.keys()].sort(compareDatesNewestFirst);
  }

  group(date: string): DateGroup | undefined {
    const cdrs = this.byDate.get(date);
    if (!cdrs) {
      return undefined;
    }
    let totals = this.totalsCache.get(date);
    if (!totals) {
      totals = totalsOf(cdrs);
      this.totalsCache.set(date, totals);
    }
    return { date, cdrs, totals };
  }

  groups(): DateGroup[] {
    return this.dates().map((date) => this.group(date) as DateGroup);
  }

  /** Returns every record, newest date first. */
  all(): Cdr[] {
    return this.dates().flatMap((date) => this.byDate.get(date) ?? []);
  }

  clear(): void {
    this.keys.clear();
    this.byDate.clear();
    this.totalsCache.clear();
  }
}

function compareDatesNewestFirst(a: string, b: string): number {
  if (a === UNKNOWN_DATE || b === UNKNOWN_DATE) {
    return Number(a === UNKNOWN_DATE) - Number(b === UNKNOWN_DATE);
  }
  return compareTextDescending(a, b);
}

/**
 * Merges `batch` into `group`, both sorted newest first, in place, so that a `cdrs` array that a
 * caller already holds shows the new records as it did when whole dates were sorted again. A batch
 * older than the whole group is appended; otherwise the merge fills the array from its end.
 */
function mergeNewestFirst(group: Cdr[], batch: readonly Cdr[]): void {
  let i = group.length - 1;
  let j = batch.length - 1;
  if (newestFirst(group[i], batch[0]) < 0) {
    for (const cdr of batch) {
      group.push(cdr);
    }
    return;
  }
  group.length += batch.length;
  let k = group.length - 1;
  while (j >= 0) {
    if (i >= 0 && newestFirst(group[i], batch[j]) > 0) {
      group[k--] = group[i--];
    } else {
      group[k--] = batch[j--];
    }
  }
}

function newestFirst(a: Cdr, b: Cdr): number {
  const timeA = a.callTime ?? 0;
  const timeB = b.callTime ?? 0;
  if (timeA !== timeB) {
    return timeB - timeA;
  }
  return compareTextDescending(a.key, b.key);
}

function compareTextDescending(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? 1 : -1;
}
