import * as vscode from 'vscode';
import {
  AuthMethod,
  PageSource,
  RetryNotice,
  TcxcClient,
  validateEndpoint,
} from '../client/client';
import { loadRemainingPagesConcurrently } from '../client/concurrentPaging';
import { CancelledError } from '../client/errors';
import { CdrPager, PageResult } from '../client/paging';
import { Cdr } from '../model/cdr';
import { CdrCollection } from '../model/grouping';
import { QueryRequest, resolveQuery } from '../model/timeWindow';
import { inertText, singleLine } from '../model/format';
import { formatCount } from '../panel/table';
import { Account, AccountCredentials, MissingCredentialsError } from './credentials';
import { Log } from './log';
import { RequestSettings, sameProxySettings } from './settings';

/** A change to the call history, detailed enough for the tree to refresh only what changed. */
export type HistoryChange =
  | { readonly kind: 'reset' }
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'page';
      /** Records this page added, in the order received. */
      readonly added: readonly Cdr[];
      readonly newDates: readonly string[];
      readonly changedDates: readonly string[];
    };

/** A new query that failed, kept while the previous query's records stay on screen. */
export interface QueryFailure {
  readonly request: QueryRequest;
  readonly message: string;
}

/** The time of the last page request that ended, and whether it failed. */
export interface FetchRecord {
  readonly at: Date;
  readonly failed: boolean;
}

/** A failed page load, kept so the tree can offer to retry it. */
export interface PageFailure {
  readonly pageIndex: number;
  readonly message: string;
}

interface InFlightLoad {
  readonly pager: CdrPager;
  readonly request: QueryRequest;
  readonly promise: Promise<PageResult>;
  readonly abort: AbortController;
}

/**
 * The loaded call history: one query, its pager and its records. One page loads at a time, except
 * in {@link loadAllPages}, which requests up to `tcxc.fetchConcurrency` pages at once and adds them
 * in page order. A new query keeps the records on screen until its first page arrives, and each
 * request reads the credentials and settings stored at the moment it is sent. Loading stops at
 * `tcxc.maxCdrsInMemory` records, with an information message.
 */
export class CallHistory implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<HistoryChange>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly retryEmitter = new vscode.EventEmitter<RetryNotice>();
  /** Fires when a request failed and is about to be sent again, after a wait. */
  readonly onDidScheduleRetry = this.retryEmitter.event;
  private client: TcxcClient | undefined;
  private clientUses:
    ((active: AccountCredentials, settings: RequestSettings) => boolean) | undefined;
  private pager: CdrPager | undefined;
  private currentRequest: QueryRequest | undefined;
  private inFlight: InFlightLoad | undefined;
  private failure: PageFailure | undefined;
  private queryFailure: QueryFailure | undefined;
  private shownAccount: Account | undefined;
  private lastFetch: FetchRecord | undefined;
  private bulkLoad:
    { promise: Promise<number>; cancel: vscode.CancellationTokenSource } | undefined;
  constructor(
    private readonly log: Log,
    private readonly readCredentials: () => Promise<AccountCredentials | undefined>,
    private readonly readSettings: () => RequestSettings,
    private readonly showInformation: (message: string) => void = (message) =>
      void vscode.window.showInformationMessage(message),
  ) {}

  get request(): QueryRequest | undefined {
    return this.currentRequest;
  }

  get collection(): CdrCollection | undefined {
    return this.pager?.collection;
  }

  get hasMore(): boolean {
    return this.pager !== undefined && !this.pager.done;
  }

  /** True while a page of the shown query loads. */
  get loading(): boolean {
    return this.inFlight !== undefined && this.inFlight.pager === this.pager;
  }

  /** The query whose page is loading, which may be a new query not shown yet. */
  get loadingRequest(): QueryRequest | undefined {
    return this.inFlight?.request;
  }

  /** Records per page of the shown query. */
  get pageSize(): number | undefined {
    return this.pager?.pageSize;
  }

  /** True while {@link loadAllPages} runs. */
  get loadingAll(): boolean {
    return this.bulkLoad !== undefined;
  }

  get pageCount(): number {
    return this.pager?.pageCount ?? 0;
  }

  /**
   * True when loading stopped at {@link maxRecords} while the server may have more. The query
   * stays {@link hasMore}, but Load more and Load all load nothing until the limit is raised.
   */
  get capReached(): boolean {
    return this.pager?.capReached ?? false;
  }

  /** The `tcxc.maxCdrsInMemory` limit applied to the last load of the shown query. */
  get maxRecords(): number | undefined {
    return this.pager?.maxRecords;
  }

  get lastFailure(): PageFailure | undefined {
    return this.failure;
  }

  /** The last new query whose first page failed while an earlier query stayed on screen. */
  get lastQueryFailure(): QueryFailure | undefined {
    return this.queryFailure;
  }

  /** The account whose records are shown; undefined before the first page of a query. */
  get account(): Account | undefined {
    return this.shownAccount;
  }

  /** When the last page of any query arrived or failed, and whether it failed. */
  get lastFetchRecord(): FetchRecord | undefined {
    return this.lastFetch;
  }

  find(key: string): Cdr | undefined {
    return this.pager?.collection.get(key);
  }

  /**
   * Starts a new query and loads its first page. The records of the previous query stay until
   * that page arrives, and stay for good when it fails or is cancelled.
   */
  async start(request: QueryRequest, token?: vscode.CancellationToken): Promise<PageResult> {
    const query = resolveQuery(request, Date.now());
    const settings = this.readSettings();
    validateEndpoint(settings.endpoint);
    this.cancelInFlight();
    const pager = new CdrPager(this.createSource(), query, request.pageSize ?? settings.pageSize);
    pager.maxRecords = settings.maxCdrsInMemory;
    try {
      const result = await this.load(pager, request, token);
      this.adopt(pager, request);
      if (result.capReached) {
        this.reportCap(pager);
      }
      return result;
    } catch (error) {
      const replaced = this.inFlight !== undefined;
      if (!(error instanceof CancelledError) && !replaced) {
        if (this.pager) {
          this.queryFailure = { request, message: errorMessage(error) };
        } else {
          // A first query that fails keeps its pager, so the tree can offer to retry page 1.
          this.adopt(pager, request);
          this.failure = { pageIndex: 0, message: errorMessage(error) };
        }
        this.changeEmitter.fire({ kind: 'loading' });
      }
      throw error;
    }
  }

  /**
   * Loads the next page of the shown query; a call during a load joins the page that loads next.
   * At the record limit it sends no request, shows an information message and resolves with an
   * empty result whose `capReached` is true.
   */
  async loadNextPage(token?: vscode.CancellationToken): Promise<PageResult> {
    if (!this.pager || !this.currentRequest) {
      throw new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first');
    }
    if (this.inFlight && this.inFlight.pager !== this.pager) {
      throw new Error('A new query is still loading its first page. Wait for it to finish.');
    }
    if (this.inFlight) {
      // Cancelling any caller that waits for this page cancels the page, as the user asked.
      const load = this.inFlight;
      const cancellation = token?.onCancellationRequested(() => load.abort.abort());
      return load.promise.finally(() => {
        cancellation?.dispose();
      });
    }
    const pager = this.pager;
    pager.maxRecords = this.readSettings().maxCdrsInMemory;
    if (pager.capReached) {
      this.reportCap(pager);
      return emptyPageAtCap(pager);
    }
    const result = await this.load(pager, this.currentRequest, token);
    if (result.capReached && pager === this.pager) {
      this.reportCap(pager);
    }
    return result;
  }

  /**
   * Loads every remaining page of the shown query with up to `tcxc.fetchConcurrency` requests in
   * flight, adds the pages in page order and calls `onPage` after each one. Resolves with the
   * number of pages loaded. It stops at the last page, at `tcxc.maxCdrsInMemory` records (with an
   * information message), on cancellation, and when a new query replaces this one. On a failure,
   * the pages before the failed one stay, {@link lastFailure} names the failed page, and the next
   * Load more or Load all continues there. A second call joins the first.
   */
  loadAllPages(
    token?: vscode.CancellationToken,
    onPage?: (result: PageResult) => void,
  ): Promise<number> {
    if (this.bulkLoad) {
      // A second caller joins the load, and cancelling either caller stops it.
      const bulk = this.bulkLoad;
      const cancellation = token?.onCancellationRequested(() => bulk.cancel.cancel());
      return bulk.promise.finally(() => {
        cancellation?.dispose();
      });
    }
    const cancel = new vscode.CancellationTokenSource();
    const outerCancellation = token?.onCancellationRequested(() => cancel.cancel());
    if (token?.isCancellationRequested) {
      cancel.cancel();
    }
    const bulkToken = cancel.token;
    const pager = this.pager;
    const request = this.currentRequest;
    if (!pager || !request) {
      return Promise.reject(
        new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first'),
      );
    }
    const run = async () => {
      let pages = 0;
      if (this.inFlight) {
        // A page that is loading already, such as from Load more, comes first, so pages stay in
        // order.
        const result = await this.loadNextPage(bulkToken);
        if (this.pager !== pager || result.capReached) {
          return pages;
        }
        pages++;
        onPage?.(result);
      }
      if (pager.done) {
        return pages;
      }
      if (bulkToken.isCancellationRequested) {
        throw new CancelledError();
      }
      const settings = this.readSettings();
      pager.maxRecords = settings.maxCdrsInMemory;
      if (pager.capReached) {
        this.reportCap(pager);
        return pages;
      }
      const loaded = await this.loadConcurrently(pager, request, settings.fetchConcurrency, {
        token: bulkToken,
        onPage,
      });
      return pages + loaded;
    };
    const load = run().finally(() => {
      this.bulkLoad = undefined;
      outerCancellation?.dispose();
      cancel.dispose();
      this.changeEmitter.fire({ kind: 'loading' });
    });
    this.bulkLoad = { promise: load, cancel };
    this.changeEmitter.fire({ kind: 'loading' });
    return load;
  }

  /**
   * Loads the remaining pages of `pager` concurrently, firing a `page` change for each page in
   * page order, and returns the number of pages loaded. A failure is stored in
   * {@link lastFailure} with the index of the failed page before it is thrown.
   */
  private async loadConcurrently(
    pager: CdrPager,
    request: QueryRequest,
    concurrency: number,
    { token, onPage }: { token?: vscode.CancellationToken; onPage?: (result: PageResult) => void },
  ): Promise<number> {
    const abort = new AbortController();
    const cancellation = token?.onCancellationRequested(() => abort.abort());
    const firstPage = pager.pageCount + 1;
    this.log.info(
      'History',
      `Loading all pages from page ${firstPage} with up to ${concurrency} requests at a time`,
    );
    let next = new PendingPage();
    let load: InFlightLoad = { pager, request, promise: next.promise, abort };
    this.inFlight = load;
    this.changeEmitter.fire({ kind: 'loading' });
    let pages = 0;
    try {
      const results = loadRemainingPagesConcurrently(pager, {
        concurrency,
        signal: abort.signal,
        onConcurrencyChange: (lowered) =>
          this.log.warn(
            'History',
            `HTTP 429 after retries: loading the remaining pages with up to ${lowered} ` +
              'requests at a time',
          ),
      });
      for await (const result of results) {
        pages++;
        if (pager === this.pager) {
          this.failure = undefined;
          this.queryFailure = undefined;
          this.changeEmitter.fire({ kind: 'page', ...result });
        }
        // A caller of loadNextPage during this load receives the page it joined, and a later one
        // joins the next page.
        next.resolve(result);
        next = new PendingPage();
        if (this.inFlight === load) {
          load = { ...load, promise: next.promise };
          this.inFlight = load;
        }
        onPage?.(result);
      }
      if (pager.capReached && pager === this.pager) {
        this.reportCap(pager);
      }
      this.log.info('History', `Loaded ${pages} pages from page ${firstPage}`);
      return pages;
    } catch (error) {
      next.reject(error);
      if (pager === this.pager && !(error instanceof CancelledError)) {
        this.failure = { pageIndex: pager.pageCount, message: errorMessage(error) };
      }
      throw error;
    } finally {
      // After the last page, a caller still waiting for a next page gets none.
      next.reject(new CancelledError());
      cancellation?.dispose();
      if (this.inFlight === load) {
        this.inFlight = undefined;
      }
      this.changeEmitter.fire({ kind: 'loading' });
    }
  }

  /** Tells the user that loading stopped at the record limit, so no record is dropped silently. */
  private reportCap(pager: CdrPager): void {
    const loaded = formatCount(pager.collection.size);
    this.log.info('History', `Stopped at ${loaded} CDRs, the tcxc.maxCdrsInMemory limit`);
    this.showInformation(
      `TCXC: ${loaded} CDRs are loaded, the limit set by tcxc.maxCdrsInMemory, so loading ` +
        'stopped. Run "TCXC: Export CDRs" to get every CDR of the query, or raise the limit.',
    );
  }

  /** Cancels the page that is loading, if any; its query and records stay. */
  cancel(): void {
    this.cancelInFlight();
  }

  /** Forgets the query and its records and closes the client's connections. */
  clear(): void {
    this.cancelInFlight();
    this.closeClient();
    this.pager = undefined;
    this.currentRequest = undefined;
    this.shownAccount = undefined;
    this.lastFetch = undefined;
    this.failure = undefined;
    this.queryFailure = undefined;
    this.changeEmitter.fire({ kind: 'reset' });
  }

  private adopt(pager: CdrPager, request: QueryRequest): void {
    this.pager = pager;
    this.currentRequest = request;
    this.failure = undefined;
    this.queryFailure = undefined;
    this.changeEmitter.fire({ kind: 'reset' });
  }

  private async load(
    pager: CdrPager,
    request: QueryRequest,
    token?: vscode.CancellationToken,
  ): Promise<PageResult> {
    const abort = new AbortController();
    const cancellation = token?.onCancellationRequested(() => abort.abort());
    const promise = pager.loadNextPage(abort.signal);
    const load = { pager, request, promise, abort };
    this.inFlight = load;
    this.changeEmitter.fire({ kind: 'loading' });
    try {
      const result = await promise;
      if (pager === this.pager) {
        this.failure = undefined;
        this.queryFailure = undefined;
        this.changeEmitter.fire({ kind: 'page', ...result });
      }
      return result;
    } catch (error) {
      if (pager === this.pager && !(error instanceof CancelledError)) {
        this.failure = { pageIndex: pager.pageCount, message: errorMessage(error) };
      }
      throw error;
    } finally {
      cancellation?.dispose();
      if (this.inFlight === load) {
        this.inFlight = undefined;
      }
      // Also after an abort by a newer query, so a "Loading…" row never stays behind.
      this.changeEmitter.fire({ kind: 'loading' });
    }
  }

  /**
   * Creates the page source of one query. The first page fixes the login and endpoint of the
   * query, so a later page cannot mix in another account's records. A new key for the same login
   * is used as soon as it is stored.
   */
  private createSource(): PageSource {
    let fixed: string | undefined;
    return {
      fetchPage: async (query, window, signal) => {
        const active = await this.readCredentials();
        if (!active) {
          throw new MissingCredentialsError();
        }
        const settings = this.readSettings();
        const endpoint = active.account.endpoint ?? settings.endpoint;
        const current = `${active.account.id} ${active.credentials.login} at ${endpoint}`;
        if (fixed !== undefined && fixed !== current) {
          throw new Error(
            'The account, login or endpoint changed since this query started. Run "TCXC: ' +
              'Refresh" or "TCXC: Fetch CDRs" to query the new account.',
          );
        }
        const client = this.clientFor(active, settings);
        if (signal?.aborted) {
          throw new CancelledError();
        }
        try {
          const page = await client.fetchPage(query, window, signal);
          fixed ??= current;
          this.shownAccount = active.account;
          this.lastFetch = { at: new Date(), failed: false };
          return page;
        } catch (error) {
          if (!(error instanceof CancelledError)) {
            this.lastFetch = { at: new Date(), failed: true };
          }
          throw error;
        }
      },
    };
  }

  /** Returns a client for this account and these settings, reusing the last one if they match. */
  private clientFor(active: AccountCredentials, settings: RequestSettings): TcxcClient {
    if (this.client && this.clientUses?.(active, settings)) {
      return this.client;
    }
    const endpoint = active.account.endpoint ?? settings.endpoint;
    const authMethod: AuthMethod = active.account.authMethod;
    const client = new TcxcClient({
      endpoint,
      credentials: active.credentials,
      authMethod,
      timeoutMs: settings.timeoutMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      logger: this.log.forClient(),
      proxy: settings.proxy,
      onRetry: (notice) => this.retryEmitter.fire(notice),
    });
    this.closeClient();
    this.client = client;
    const { login, apiKey } = active.credentials;
    // A closure keeps the key out of this object's own fields.
    this.clientUses = (next, nextSettings) =>
      next.credentials.login === login &&
      next.credentials.apiKey === apiKey &&
      next.account.authMethod === authMethod &&
      (next.account.endpoint ?? nextSettings.endpoint) === endpoint &&
      nextSettings.timeoutMs === settings.timeoutMs &&
      nextSettings.connectTimeoutMs === settings.connectTimeoutMs &&
      sameProxySettings(nextSettings.proxy, settings.proxy);
    return client;
  }

  /** Closes the client's idle connections in the background. */
  private closeClient(): void {
    const client = this.client;
    this.client = undefined;
    this.clientUses = undefined;
    client?.dispose().catch((error: unknown) => {
      this.log.warn('History', `Closing the previous connections failed: ${errorMessage(error)}`);
    });
  }

  private cancelInFlight(): void {
    const load = this.inFlight;
    this.inFlight = undefined;
    load?.abort.abort();
  }

  /**
   * Returns what an export of the shown query needs: its filters resolved now, with an open end
   * fixed to now, its page size, and a page source of its own. Throws when nothing was fetched.
   */
  exportSource(): {
    query: import('../client/client').FixedQuery;
    pageSize: number;
    source: PageSource;
  } {
    if (!this.pager || !this.currentRequest) {
      throw new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first');
    }
    const now = Date.now();
    const query = resolveQuery(this.currentRequest, now);
    return {
      query: { ...query, dateTo: query.dateTo ?? new Date(now) },
      pageSize: this.pager.pageSize,
      source: this.createSource(),
    };
  }

  dispose(): void {
    this.cancelInFlight();
    this.closeClient();
    this.changeEmitter.dispose();
    this.retryEmitter.dispose();
  }
}

/** Builds the result of a Load more at the record limit, which sends no request. */
function emptyPageAtCap(pager: CdrPager): PageResult {
  return {
    added: [],
    duplicates: 0,
    newDates: [],
    changedDates: [],
    pageIndex: pager.pageCount,
    received: 0,
    lastPage: false,
    capReached: true,
  };
}

/**
 * A page that has not arrived yet, for callers that join a running load. Its promise settles
 * once; later calls of resolve or reject do nothing.
 */
class PendingPage {
  readonly promise: Promise<PageResult>;
  resolve: (result: PageResult) => void = () => undefined;
  reject: (error: unknown) => void = () => undefined;

  constructor() {
    this.promise = new Promise<PageResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A load can end without any caller joining, so an unobserved rejection is expected.
    this.promise.catch(() => undefined);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Describes a coming retry, such as "HTTP 429 at attempt 1 of 5; trying again in 30 s…". */
export function retryMessage(notice: RetryNotice): string {
  const seconds = Math.max(1, Math.round(notice.delayMs / 1000));
  return (
    `${inertText(singleLine(notice.reason))} at attempt ${notice.attempt} of ${notice.maxAttempts}; ` +
    `trying again in ${seconds} s…`
  );
}
