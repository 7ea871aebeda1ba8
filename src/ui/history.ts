import * as vscode from 'vscode';
import { PageSource, TcxcClient, TcxcCredentials, validateEndpoint } from '../client/client';
import { CancelledError } from '../client/errors';
import { CdrPager, PageResult } from '../client/paging';
import { Cdr } from '../model/cdr';
import { CdrCollection } from '../model/grouping';
import { QueryRequest, resolveQuery } from '../model/timeWindow';
import { MissingCredentialsError } from './credentials';
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
 * The loaded call history: one query, its pager and its records. Only one page loads at a time.
 * A new query keeps the records on screen until its first page arrives, and each request reads
 * the credentials and settings stored at the moment it is sent.
 */
export class CallHistory implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<HistoryChange>();
  readonly onDidChange = this.changeEmitter.event;
  private client: TcxcClient | undefined;
  private clientUses:
    ((credentials: TcxcCredentials, settings: RequestSettings) => boolean) | undefined;
  private pager: CdrPager | undefined;
  private currentRequest: QueryRequest | undefined;
  private inFlight: InFlightLoad | undefined;
  private failure: PageFailure | undefined;
  private queryFailure: QueryFailure | undefined;
  private bulkLoad: Promise<number> | undefined;
  constructor(
    private readonly log: Log,
    private readonly readCredentials: () => Promise<TcxcCredentials | undefined>,
    private readonly readSettings: () => RequestSettings,
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

  get lastFailure(): PageFailure | undefined {
    return this.failure;
  }

  /** The last new query whose first page failed while an earlier query stayed on screen. */
  get lastQueryFailure(): QueryFailure | undefined {
    return this.queryFailure;
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
    try {
      const result = await this.load(pager, request, token);
      this.adopt(pager, request);
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

  /** Loads the next page of the shown query; a call during its load joins that load. */
  async loadNextPage(token?: vscode.CancellationToken): Promise<PageResult> {
    if (!this.pager || !this.currentRequest) {
      throw new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first');
    }
    if (this.inFlight && this.inFlight.pager !== this.pager) {
      throw new Error('A new query is still loading its first page. Wait for it to finish.');
    }
    return this.inFlight?.promise ?? this.load(this.pager, this.currentRequest, token);
  }

  /**
   * Loads every remaining page of the shown query, one after another, and resolves with the
   * number of pages loaded. It stops at the last page, on a failure (the pages loaded so far
   * stay), on cancellation, and when a new query replaces this one. A second call joins the first.
   */
  loadAllPages(
    token?: vscode.CancellationToken,
    onPage?: (result: PageResult) => void,
  ): Promise<number> {
    if (this.bulkLoad) {
      return this.bulkLoad;
    }
    const pager = this.pager;
    if (!pager) {
      return Promise.reject(
        new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first'),
      );
    }
    const run = async () => {
      let pages = 0;
      while (this.pager === pager && !pager.done) {
        if (token?.isCancellationRequested) {
          throw new CancelledError();
        }
        const result = await this.loadNextPage(token);
        if (this.pager !== pager) {
          break;
        }
        pages++;
        onPage?.(result);
      }
      return pages;
    };
    const load = run().finally(() => {
      this.bulkLoad = undefined;
      this.changeEmitter.fire({ kind: 'loading' });
    });
    this.bulkLoad = load;
    this.changeEmitter.fire({ kind: 'loading' });
    return load;
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
    let account: string | undefined;
    return {
      fetchPage: async (query, window, signal) => {
        const credentials = await this.readCredentials();
        if (!credentials) {
          throw new MissingCredentialsError();
        }
        const settings = this.readSettings();
        const current = `${credentials.login} at ${settings.endpoint}`;
        if (account !== undefined && account !== current) {
          throw new Error(
            'The login or endpoint changed since this query started. Run "TCXC: Refresh" or ' +
              '"TCXC: Fetch CDRs" to query the new account.',
          );
        }
        const client = this.clientFor(credentials, settings);
        if (signal?.aborted) {
          throw new CancelledError();
        }
        const page = await client.fetchPage(query, window, signal);
        account ??= current;
        return page;
      },
    };
  }

  /** Returns a client for these credentials and settings, reusing the last one if they match. */
  private clientFor(credentials: TcxcCredentials, settings: RequestSettings): TcxcClient {
    if (this.client && this.clientUses?.(credentials, settings)) {
      return this.client;
    }
    const client = new TcxcClient({
      endpoint: settings.endpoint,
      credentials,
      timeoutMs: settings.timeoutMs,
      connectTimeoutMs: settings.connectTimeoutMs,
      logger: this.log.forClient(),
      proxy: settings.proxy,
    });
    this.closeClient();
    this.client = client;
    const { login, apiKey } = credentials;
    // A closure keeps the key out of this object's own fields.
    this.clientUses = (next, nextSettings) =>
      next.login === login &&
      next.apiKey === apiKey &&
      nextSettings.endpoint === settings.endpoint &&
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

  dispose(): void {
    this.cancelInFlight();
    this.closeClient();
    this.changeEmitter.dispose();
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
