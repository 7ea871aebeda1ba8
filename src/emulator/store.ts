import type { RawCdr } from './dataset';
import { NORMAL_CLEARING } from './tables';
import type { CallHistoryFilter } from './params';

/** Orders records newest first: connect_time descending, then numeric i_cdr descending. */
function compareNewestFirst(a: RawCdr, b: RawCdr): number {
  if (a.connect_time !== b.connect_time) {
    // `YYYY-MM-DD HH:MM:SS` sorts in time order as plain text.
    return a.connect_time < b.connect_time ? 1 : -1;
  }
  return Number(b.i_cdr) - Number(a.i_cdr);
}

/**
 * Queries whose matches a store keeps. Each entry is an array of references to stored records,
 * 8 bytes per match on 64-bit Node, so the cache takes at most 4 × 8 bytes per stored record.
 */
const MAX_CACHED_QUERIES = 4;

/**
 * Call records served by the emulator, in arrival order. The newest-first order and the matches
 * of the last few queries are cached, so paging through one query filters the records once
 * instead of once per page. Adding records clears both caches.
 */
export class CdrStore {
  private readonly records: RawCdr[];
  private sorted: RawCdr[] | undefined;
  /** Matches by query key, least recently used first. */
  private readonly matchesByQuery = new Map<string, readonly RawCdr[]>();

  constructor(records: readonly RawCdr[]) {
    this.records = [...records];
  }

  get all(): readonly RawCdr[] {
    return this.records;
  }

  add(records: readonly RawCdr[]): void {
    for (const record of records) {
      this.records.push(record);
    }
    this.sorted = undefined;
    this.matchesByQuery.clear();
  }

  /**
   * Returns the records that match `filter`, newest first, cut to the requested page. Without a
   * page, the array returned is the cached one, which callers must not change.
   */
  query(filter: CallHistoryFilter): readonly RawCdr[] {
    const matches = this.matchesOf(filter);
    if (filter.page === undefined) {
      return matches;
    }
    return matches.slice(filter.page.offset, filter.page.offset + filter.page.size);
  }

  /** Returns every record that matches `filter`, newest first, from the cache when it can. */
  private matchesOf(filter: CallHistoryFilter): readonly RawCdr[] {
    const key = queryKey(filter);
    let matches = this.matchesByQuery.get(key);
    if (matches === undefined) {
      matches = this.newestFirst().filter((record) => matchesFilter(record, filter));
      if (this.matchesByQuery.size >= MAX_CACHED_QUERIES) {
        const leastRecent = this.matchesByQuery.keys().next();
        if (leastRecent.done !== true) {
          this.matchesByQuery.delete(leastRecent.value);
        }
      }
    } else {
      // Deleting and setting again moves the entry to the end, the most recently used.
      this.matchesByQuery.delete(key);
    }
    this.matchesByQuery.set(key, matches);
    return matches;
  }

  private newestFirst(): readonly RawCdr[] {
    this.sorted ??= [...this.records].sort(compareNewestFirst);
    return this.sorted;
  }
}

/** Returns the cache key of a filter: every field except the page. */
function queryKey(filter: CallHistoryFilter): string {
  return JSON.stringify([filter.prefix, filter.show, filter.dateFrom, filter.dateTo]);
}

/** Tests `record` against `filter`. A `bad` call is any call not ended by normal clearing. */
function matchesFilter(record: RawCdr, filter: CallHistoryFilter): boolean {
  return (
    record.connect_time >= filter.dateFrom &&
    record.connect_time <= filter.dateTo &&
    record.CLD.startsWith(filter.prefix) &&
    (filter.show === 'all' || record.disconnect_code !== NORMAL_CLEARING)
  );
}
