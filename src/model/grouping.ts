import { Cdr, UNKNOWN_DATE } from './cdr';

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
  private readonly byKey = new Map<string, Cdr>();
  private readonly byDate = new Map<string, Cdr[]>();
  private readonly totalsCache = new Map<string, CallTotals>();

  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): Cdr | undefined {
    return this.byKey.get(key);
  }

  add(cdrs: Iterable<Cdr>): CollectionChange {
    const added: Cdr[] = [];
    const newDates = new Set<string>();
    const changedDates = new Set<string>();
    let duplicates = 0;
    for (const cdr of cdrs) {
      if (this.byKey.has(cdr.key)) {
        duplicates++;
        continue;
      }
      this.byKey.set(cdr.key, cdr);
      added.push(cdr);
      const group = this.byDate.get(cdr.utcDate);
      if (group) {
        group.push(cdr);
        if (!newDates.has(cdr.utcDate)) {
          changedDates.add(cdr.utcDate);
        }
      } else {
        this.byDate.set(cdr.utcDate, [cdr]);
        newDates.add(cdr.utcDate);
      }
    }
    for (const date of [...newDates, ...changedDates]) {
      this.byDate.get(date)?.sort(newestFirst);
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
    this.byKey.clear();
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

function newestFirst(a: Cdr, b: Cdr): number {
  const timeA = (a.connectTime ?? a.setupTime)?.getTime() ?? 0;
  const timeB = (b.connectTime ?? b.setupTime)?.getTime() ?? 0;
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
