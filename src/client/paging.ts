import { Cdr, toCdr } from '../model/cdr';
import { CdrCollection, CollectionChange } from '../model/grouping';
import { FixedQuery, PageSource } from './client';
import { BadResponseError } from './errors';
import { CdrQuery } from './query';

/** The result of loading one page into a {@link CdrPager}. */
export interface PageResult extends CollectionChange {
  /** Zero-based number of the page just loaded. */
  readonly pageIndex: number;
  readonly received: number;
  /** True when this page was shorter than the page size, so no page follows. */
  readonly lastPage: boolean;
}

/**
 * Walks the pages of one query by offset. The end of the range is fixed when the first page is
 * requested, so calls made later cannot shift the offsets of later pages. Records are
 * de-duplicated by `i_cdr` across pages.
 */
export class CdrPager {
  readonly collection = new CdrCollection();
  private fixedQuery: FixedQuery | undefined;
  private nextOffset = 0;
  private pagesLoaded = 0;
  private finished = false;

  constructor(
    private readonly source: PageSource,
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

  /** The query as sent, with its end fixed; undefined until the first page is requested. */
  get sentQuery(): FixedQuery | undefined {
    return this.fixedQuery;
  }

  /**
   * Loads the next page; throws when the pager is done or the request fails. A full page that
   * adds no record ends paging with a {@link BadResponseError}, because a server that ignores the
   * offset would return that page forever. The records loaded before it stay in the collection.
   */
  async loadNextPage(signal?: AbortSignal): Promise<PageResult> {
    if (this.finished) {
      throw new Error('No more pages: the last page has already been loaded');
    }
    this.fixedQuery ??= { ...this.query, dateTo: this.query.dateTo ?? new Date(this.now()) };
    const window = { offset: this.nextOffset, pageSize: this.pageSize };
    const page = await this.source.fetchPage(this.fixedQuery, window, signal);
    const change = this.collection.add(page.records.map(toCdr));
    const pageIndex = this.pagesLoaded;
    this.pagesLoaded++;
    this.nextOffset += page.records.length;
    this.finished = page.records.length < this.pageSize;
    if (!this.finished && change.added.length === 0) {
      this.finished = true;
      throw new BadResponseError(
        `page ${pageIndex + 1} (offset ${window.offset}) repeated only records already loaded, ` +
          'so the server may be ignoring the offset ("off"). Paging stopped, and the records ' +
          'loaded so far are kept.',
      );
    }
    return { ...change, pageIndex, received: page.records.length, lastPage: this.finished };
  }

  /** Loads pages until the last one; yields each page's result as it arrives. */
  async *loadRemainingPages(signal?: AbortSignal): AsyncGenerator<PageResult> {
    while (!this.finished) {
      yield await this.loadNextPage(signal);
    }
  }
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
