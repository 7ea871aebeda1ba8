import { Cdr } from '../model/cdr';
import { FixedQuery, PageSource } from './client';
import { CancelledError, RateLimitError } from './errors';
import { PageWindow } from './form';
import { CdrPager, PageResult } from './paging';
import { CdrQuery } from './query';
import { MAX_RETRY_AFTER_MS, backoffCeilingMs } from './retry';

/** Options of {@link loadRemainingPagesConcurrently}. */
export interface ConcurrentLoadOptions {
  /** Maximum number of page requests in flight, a whole number from 1. */
  readonly concurrency: number;
  /** Aborts every request in flight at once; the load then throws CancelledError. */
  readonly signal?: AbortSignal;
  /** Called when an HTTP 429 lowers the concurrency, with the new maximum and the error. */
  readonly onConcurrencyChange?: (concurrency: number, cause: RateLimitError) => void;
}

/** Progress of {@link fetchAllConcurrently} after each page. */
export interface ConcurrentFetchProgress {
  readonly pagesLoaded: number;
  /** Records collected so far, duplicates excluded. */
  readonly records: number;
}

export interface ConcurrentFetchOptions {
  /** Maximum number of page requests in flight, a whole number from 1. */
  readonly concurrency: number;
  readonly signal?: AbortSignal;
  readonly onPage?: (progress: ConcurrentFetchProgress) => void;
  /** Clock in milliseconds that fixes the end of a query without `dateTo`. Default `Date.now`. */
  readonly now?: () => number;
}

export interface ConcurrentFetchResult {
  /** Every record in server order (page order, then record order), de-duplicated by key. */
  readonly records: Cdr[];
  /** Pages loaded, the closing empty or short page included. */
  readonly pages: number;
  /** Concurrency at the end of the run: the requested one, or lower after HTTP 429 responses. */
  readonly concurrencyUsed: number;
}

/**
 * Fetches every page of a query with up to `options.concurrency` requests in flight, and returns
 * the same records in the same order as a sequential fetch. See
 * {@link loadRemainingPagesConcurrently} for the rules. Throws the first failure in page order,
 * or CancelledError when `options.signal` aborts.
 */
export async function fetchAllConcurrently(
  source: PageSource,
  query: CdrQuery,
  pageSize: number,
  options: ConcurrentFetchOptions,
): Promise<ConcurrentFetchResult> {
  const pager = new CdrPager(source, query, pageSize, options.now);
  let concurrencyUsed = options.concurrency;
  const records: Cdr[] = [];
  const pages = loadRemainingPagesConcurrently(pager, {
    concurrency: options.concurrency,
    signal: options.signal,
    onConcurrencyChange: (concurrency) => {
      concurrencyUsed = concurrency;
    },
  });
  for await (const page of pages) {
    records.push(...page.added);
    options.onPage?.({ pagesLoaded: pager.pageCount, records: records.length });
  }
  return { records, pages: pager.pageCount, concurrencyUsed };
}

/**
 * Loads the remaining pages of `pager` with up to `options.concurrency` requests in flight over
 * the pager's source, and adds them to its collection in page order. Yields each page's result in
 * that order, and ends at the last page or at the pager's record limit.
 *
 * - A pager without pages first loads page 1 alone, because it fixes the end of the range and
 *   shows whether more pages exist. Later pages are requested ahead at offsets that follow the
 *   pager's next offset in steps of the page size.
 * - No page after the first short page is requested. Pages after it that are already in flight
 *   are aborted, and their records are discarded.
 * - A RateLimitError (HTTP 429 after the client's own retries) halves the concurrency for the
 *   rest of the load when the page was sent while more than one request was allowed. New requests
 *   then wait for the server's `Retry-After` (or 500 ms without one), and the page is requested
 *   again. A page sent with a concurrency of 1, or a `Retry-After` above 60 s, fails the load.
 * - Any other failure stops new requests and aborts the pages after the failed one. The pages
 *   before it are still added in order, then the failure is thrown, so the pager's `pageCount`
 *   is the failed page, and the next load of the pager continues there.
 *
 * NOTE: the fixed end of the range keeps calls made during the load out of its pages. A record
 * that appears inside the range during the load, such as a long call written when it ends, shifts
 * the offsets of later pages. A sequential load then repeats one record, which is de-duplicated.
 * A concurrent load can in addition miss one record at a page boundary, when the page after the
 * boundary was served before the shift and the page before it after the shift.
 */
export async function* loadRemainingPagesConcurrently(
  pager: CdrPager,
  options: ConcurrentLoadOptions,
): AsyncGenerator<PageResult> {
  const { concurrency } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Invalid concurrency ${concurrency}: expected a whole number above 0`);
  }
  pager.checkCanLoad();
  yield* new PageScheduler(pager, options).pages();
  if (pager.needsCatchUp) {
    yield await pager.catchUp(options.signal);
  }
}

/** A request for one page, with the concurrency allowed when it was sent. */
interface SentPage {
  readonly controller: AbortController;
  readonly concurrency: number;
}

type PageOutcome = { readonly records: readonly unknown[] } | { readonly error: unknown };

/** The state of one concurrent load. Page indexes count from the pager's first page. */
class PageScheduler {
  private readonly query: FixedQuery;
  private readonly firstIndex: number;
  private readonly firstOffset: number;
  private concurrency: number;
  /** Index of the next page never requested. */
  private nextIndex: number;
  /** Pages to request again after HTTP 429, lowest index first. */
  private readonly retryQueue: number[] = [];
  private readonly inFlight = new Map<number, SentPage>();
  /** Pages that arrived or failed and wait for the pages before them. */
  private readonly outcomes = new Map<number, PageOutcome>();
  /** Index of the first short page, the last page of the query. */
  private lastIndex = Number.POSITIVE_INFINITY;
  /** Index of the first failed page. */
  private failedIndex = Number.POSITIVE_INFINITY;
  /** `performance.now()` before which no request is sent, after HTTP 429. */
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly pager: CdrPager,
    private readonly options: ConcurrentLoadOptions,
  ) {
    this.query = pager.fixQuery();
    this.firstIndex = pager.pageCount;
    this.firstOffset = pager.nextOffset;
    this.nextIndex = this.firstIndex;
    this.concurrency = options.concurrency;
  }

  async *pages(): AsyncGenerator<PageResult> {
    const { signal } = this.options;
    const onAbort = (): void => this.wake();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!this.pager.done && !this.pager.capReached) {
        if (signal?.aborted) {
          throw new CancelledError();
        }
        this.sendPages();
        const index = this.pager.pageCount;
        const outcome = this.outcomes.get(index);
        if (outcome === undefined) {
          await this.nextChange();
          continue;
        }
        this.outcomes.delete(index);
        if ('error' in outcome) {
          throw outcome.error;
        }
        yield this.pager.acceptPage(this.windowOf(index), outcome.records);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      for (const sent of this.inFlight.values()) {
        sent.controller.abort();
      }
      this.inFlight.clear();
      clearTimeout(this.pauseTimer);
    }
  }

  private windowOf(index: number): PageWindow {
    const { pageSize } = this.pager;
    return { offset: this.firstOffset + (index - this.firstIndex) * pageSize, pageSize };
  }

  /** Sends pages until the concurrency is reached, unless an HTTP 429 pause is running. */
  private sendPages(): void {
    const pauseLeftMs = this.pausedUntil - performance.now();
    if (pauseLeftMs > 0) {
      this.pauseTimer ??= setTimeout(() => {
        this.pauseTimer = undefined;
        this.wake();
      }, pauseLeftMs);
      return;
    }
    // Until page 1 arrives, it is unknown whether a second page exists.
    const limit = this.pager.pageCount === 0 ? 1 : this.concurrency;
    while (this.inFlight.size < limit) {
      const index = this.nextPageToSend();
      if (index === undefined) {
        return;
      }
      this.send(index);
    }
  }

  /** Returns the next page to request: a rate-limited page first, then the next new page. */
  private nextPageToSend(): number | undefined {
    const lastAllowed = Math.min(this.lastIndex, this.failedIndex - 1);
    const retry = this.retryQueue.shift();
    if (retry !== undefined) {
      return retry;
    }
    if (this.nextIndex > lastAllowed || !this.mayFitUnderLimit(this.nextIndex)) {
      return undefined;
    }
    return this.nextIndex++;
  }

  /**
   * Tells whether page `index` may still add records under the pager's record limit, counting a
   * full page for each page before it that has not been added yet. A page held back here is
   * requested later if duplicates leave room for it.
   */
  private mayFitUnderLimit(index: number): boolean {
    const room = this.pager.maxRecords - this.pager.collection.size;
    return (index - this.pager.pageCount) * this.pager.pageSize < room;
  }

  private send(index: number): void {
    const controller = new AbortController();
    const { signal } = this.options;
    const requestSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const sent: SentPage = { controller, concurrency: this.concurrency };
    this.inFlight.set(index, sent);
    void this.pager.source.fetchPage(this.query, this.windowOf(index), requestSignal).then(
      (page) => this.settle(index, sent, { records: page.records }),
      (error: unknown) => this.settle(index, sent, { error }),
    );
  }

  /** Stores the outcome of a request, unless its page was discarded meanwhile. */
  private settle(index: number, sent: SentPage, outcome: PageOutcome): void {
    if (this.inFlight.get(index) !== sent) {
      return;
    }
    this.inFlight.delete(index);
    if ('error' in outcome) {
      if (!(outcome.error instanceof RateLimitError && this.requeue(index, sent, outcome.error))) {
        this.failedIndex = Math.min(this.failedIndex, index);
        this.outcomes.set(index, outcome);
        this.discardAfter(index);
      }
    } else {
      this.outcomes.set(index, outcome);
      if (outcome.records.length < this.pager.pageSize) {
        this.lastIndex = Math.min(this.lastIndex, index);
        this.discardAfter(index);
      }
    }
    this.wake();
  }

  /**
   * Lowers the concurrency after a RateLimitError and queues the page again. Returns false when
   * the page was sent with a concurrency of 1, or when the server's `Retry-After` is longer than
   * MAX_RETRY_AFTER_MS, because a lower concurrency cannot help then.
   */
  private requeue(index: number, sent: SentPage, error: RateLimitError): boolean {
    const waitMs =
      error.retryAfterSeconds === undefined ? backoffCeilingMs(1) : error.retryAfterSeconds * 1000;
    if (sent.concurrency <= 1 || waitMs > MAX_RETRY_AFTER_MS) {
      return false;
    }
    // Halving the concurrency the page was sent with, not the current one, lowers it once for a
    // burst of 429s to requests that were in flight together.
    const lowered = Math.max(1, Math.floor(sent.concurrency / 2));
    if (lowered < this.concurrency) {
      this.concurrency = lowered;
      this.options.onConcurrencyChange?.(lowered, error);
    }
    const position = this.retryQueue.findIndex((queued) => queued > index);
    this.retryQueue.splice(position === -1 ? this.retryQueue.length : position, 0, index);
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + waitMs);
    return true;
  }

  /** Aborts and drops every page after `index`, which is the last page or a failed one. */
  private discardAfter(index: number): void {
    for (const [other, sent] of this.inFlight) {
      if (other > index) {
        sent.controller.abort();
        this.inFlight.delete(other);
      }
    }
    for (const other of this.outcomes.keys()) {
      if (other > index) {
        this.outcomes.delete(other);
      }
    }
    const remaining = this.retryQueue.filter((queued) => queued <= index);
    this.retryQueue.splice(0, this.retryQueue.length, ...remaining);
  }

  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }
}
