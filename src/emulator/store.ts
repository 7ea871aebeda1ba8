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

/** Call records served by the emulator, in arrival order, with a cached newest-first view. */
export class CdrStore {
  private readonly records: RawCdr[];
  private sorted: RawCdr[] | undefined;

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
  }

  /** Returns the records that match `filter`, newest first, cut to the requested page. */
  query(filter: CallHistoryFilter): RawCdr[] {
    const matches = this.newestFirst().filter((record) => matchesFilter(record, filter));
    if (filter.page === undefined) {
      return matches;
    }
    return matches.slice(filter.page.offset, filter.page.offset + filter.page.size);
  }

  private newestFirst(): readonly RawCdr[] {
    this.sorted ??= [...this.records].sort(compareNewestFirst);
    return this.sorted;
  }
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
