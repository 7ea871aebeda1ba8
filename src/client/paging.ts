import { Cdr, toCdr } from '../model/cdr';
import { CdrCollection, CollectionChange } from '../model/grouping';
import { FixedQuery, PageSource } from './client';
import { BadResponseError } from './errors';
import { PageWindow } from './form';
import { CdrQuery } from './query';

/** The result of loading one page into a {@link CdrPager}. */
export interface PageResult extends CollectionChange {
  /** Zero-based number of the page just loaded. */
  readonly pageIndex: number;
  readonly received: number;
  /** True when this page was shorter than the page size, so no page follows. */
  readonly lastPage: boolean;
  /**
   * True when the collection reached the pager's {@link CdrPager.maxRecords} with this page, so
   * paging stops although the server may have more. Records past the limit were not added.
   */
  readonly capReached: boolean;
}

/**
 * Walks the pages of one query by offset. The end of the range is fixed when the first page is
 * requested, so calls made later cannot shift the offsets of later pages. Records are
 * de-duplicated by `i_cdr` across pages. concurrentPaging.ts loads the remaining pages of a pager
 * with several requests in flight.
 */
export class CdrPager {
  readonly collection = new CdrCollection();
  private fixedQuery: FixedQuery | undefined;
  private offset = 0;
  private pagesLoaded = 0;
  private finished = false;
  private recordLimit = Number.POSITIVE_INFINITY;
  /**
   * Records received again at a later offset. Each one means a record arrived inside the range
   * while paging (a call that connected before the end of the range but was written later), which
   * pushed the records after it one place on, into pages not loaded yet.
   */
  private lateRecords = 0;
  private previousPageKeys: readonly string[] = [];
  /** Full pages in a row that repeated the page before them. */
  private repeatedPages = 0;

  constructor(
    readonly source: PageSource,
    readonly query: CdrQuery,
    readonly pageSize: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new RangeError(`Invalid page size ${pageSize}: expected a whole number above 0`);
    }
  }

  /**
   * True once a page shorter than the page size has arrived, or a full page that contained only
   * records already loaded.
   */
  get done(): boolean {
    return this.finished;
  }

  get pageCount(): number {
    return this.pagesLoaded;
  }

  /** Offset of the next page to request: the first record not received yet. */
  get nextOffset(): number {
    return this.offset;
  }

  /**
   * Maximum number of records the collection may hold; unlimited by default. The page that would
   * cross it is added up to the limit, in server order, and paging stops there until the limit
   * is raised. Lowering it below the records already loaded removes none of them.
   */
  get maxRecords(): number {
    return this.recordLimit;
  }

  set maxRecords(limit: number) {
    if (!(limit === Number.POSITIVE_INFINITY || (Number.isSafeInteger(limit) && limit >= 1))) {
      throw new RangeError(`Invalid record limit ${limit}: expected a whole number above 0`);
    }
    this.recordLimit = limit;
  }

  /** True when more pages may follow but the collection already contains {@link maxRecords}. */
  get capReached(): boolean {
    return !this.finished && this.collection.size >= this.recordLimit;
  }

  /** The query as sent, with its end fixed; undefined until the first page is requested. */
  get sentQuery(): FixedQuery | undefined {
    return this.fixedQuery;
  }

  /**
   * Loads the next page; throws when the pager is done, when {@link capReached} is true, or when
   * the request fails. A full page that adds no record ends paging with a
   * {@link BadResponseError}, because a server that ignores the offset would return that page
   * forever. The records loaded before it stay in the collection.
   */
  async loadNextPage(signal?: AbortSignal): Promise<PageResult> {
    this.checkCanLoad();
    const query = this.fixQuery();
    const window = { offset: this.offset, pageSize: this.pageSize };
    const page = await this.source.fetchPage(query, window, signal);
    const result = this.acceptPage(window, page.records);
    return this.needsCatchUp ? mergeResults(result, await this.catchUp(signal)) : result;
  }

  /** True after the last page when records arrived inside the range during paging. */
  get needsCatchUp(): boolean {
    return this.finished && this.lateRecords > 0;
  }

  /**
   * Reads the range again from its first page until it has found as many new records as arrived
   * during paging, or reached the last page, so a record written while paging is not missed.
   */
  async catchUp(signal?: AbortSignal): Promise<PageResult> {
    const query = this.fixQuery();
    let missing = this.lateRecords;
    this.lateRecords = 0;
    let result: PageResult | undefined;
    for (let offset = 0; missing > 0;) {
      const page = await this.source.fetchPage(query, { offset, pageSize: this.pageSize }, signal);
      const change = this.collection.add(page.records.map(toCdr));
      const pageResult: PageResult = {
        ...change,
        pageIndex: this.pagesLoaded - 1,
        received: page.records.length,
        lastPage: true,
        capReached: false,
      };
      result = result ? mergeResults(result, pageResult) : pageResult;
      missing -= change.added.length;
      offset += page.records.length;
      if (page.records.length < this.pageSize) {
        break;
      }
    }
    return result ?? emptyResult(this.pagesLoaded - 1);
  }

  /** Loads pages until the last one or the record limit; yields each page's result as it arrives. */
  async *loadRemainingPages(signal?: AbortSignal): AsyncGenerator<PageResult> {
    while (!this.finished && !this.capReached) {
      yield await this.loadNextPage(signal);
    }
  }

  /**
   * Returns the query with its end fixed, fixing the end from the clock on the first call. Every
   * page of this pager must be requested with this query.
   */
  fixQuery(): FixedQuery {
    this.fixedQuery ??= { ...this.query, dateTo: this.query.dateTo ?? new Date(this.now()) };
    return this.fixedQuery;
  }

  /** Throws when no further page may be loaded: after the last page, or at the record limit. */
  checkCanLoad(): void {
    if (this.finished) {
      throw new Error('No more pages: the last page has already been loaded');
    }
    if (this.capReached) {
      throw new Error(
        `No more pages: the limit of ${this.recordLimit} CDRs in memory has been reached`,
      );
    }
  }

  /**
   * Adds the records of the next page, fetched by the caller with the query from
   * {@link fixQuery} and `window`, and advances the pager past them. Pages must be passed in
   * order. Throws like {@link loadNextPage} after the last page, at the record limit, and for a
   * full page of records already loaded.
   */
  acceptPage(window: PageWindow, records: readonly unknown[]): PageResult {
    this.checkCanLoad();
    const cdrs = records.map(toCdr);
    const keys = cdrs.map((cdr) => cdr.key);
    const room = this.recordLimit - this.collection.size;
    const acceptedCount = countWithinLimit(this.collection, cdrs, room);
    const cut = acceptedCount < cdrs.length;
    const change = this.collection.add(cut ? cdrs.slice(0, acceptedCount) : cdrs);
    const pageIndex = this.pagesLoaded;
    this.pagesLoaded++;
    this.offset = window.offset + acceptedCount;
    this.finished = !cut && records.length < this.pageSize;
    this.lateRecords += change.duplicates;
    const repeated = !this.finished && !cut && sameKeys(keys, this.previousPageKeys);
    this.repeatedPages = repeated ? this.repeatedPages + 1 : 0;
    this.previousPageKeys = keys;
    // A full page equal to the one before is a whole page of late records pushing the range on,
    // which paging goes past, or a server that ignores the offset. Only the server returns the
    // same page a third time.
    if (!this.finished && !cut && change.added.length === 0 && this.repeatedPages >= 2) {
      this.finished = true;
      this.lateRecords = 0;
      throw new BadResponseError(
        `page ${pageIndex + 1} (offset ${window.offset}) repeated only records already loaded, ` +
          'so the server may be ignoring the offset ("off"). Paging stopped, and the records ' +
          'loaded so far are kept.',
      );
    }
    return {
      ...change,
      pageIndex,
      received: records.length,
      lastPage: this.finished,
      capReached: this.capReached,
    };
  }
}

/**
 * Returns how many leading records of `cdrs` can be added to `collection` without adding more
 * than `room` new keys. Records already loaded, or repeated within `cdrs`, take no room.
 */
function countWithinLimit(collection: CdrCollection, cdrs: readonly Cdr[], room: number): number {
  if (cdrs.length <= room) {
    return cdrs.length;
  }
  const keys = new Set<string>();
  for (let index = 0; index < cdrs.length; index++) {
    const key = cdrs[index].key;
    if (collection.includes(cdrs[index]) || keys.has(key)) {
      continue;
    }
    if (keys.size === room) {
      return index;
    }
    keys.add(key);
  }
  return cdrs.length;
}

/** Fetches every page of a query and returns its records, de-duplicated, in server order. */
export async function fetchAllCdrs(
  source: PageSource,
  query: CdrQuery,
  pageSize: number,
  signal?: AbortSignal,
): Promise<Cdr[]> {
  const pager = new CdrPager(source, query, pageSize);
  const records: Cdr[] = [];
  for await (const page of pager.loadRemainingPages(signal)) {
    records.push(...page.added);
  }
  return records;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, index) => key === b[index]);
}

function emptyResult(pageIndex: number): PageResult {
  return {
    added: [],
    duplicates: 0,
    newDates: [],
    changedDates: [],
    pageIndex,
    received: 0,
    lastPage: true,
    capReached: false,
  };
}

/** Combines two results of one pager, the later one second, into one change. */
export function mergeResults(first: PageResult, second: PageResult): PageResult {
  const newDates = new Set([...first.newDates, ...second.newDates]);
  const changedDates = [...new Set([...first.changedDates, ...second.changedDates])].filter(
    (date) => !newDates.has(date),
  );
  return {
    added: [...first.added, ...second.added],
    duplicates: first.duplicates + second.duplicates,
    newDates: [...newDates],
    changedDates,
    pageIndex: second.pageIndex,
    received: first.received + second.received,
    lastPage: second.lastPage,
    capReached: second.capReached,
  };
}
