import * as vscode from 'vscode';
import { TcxcClient, TcxcCredentials } from '../client/client';
import { CancelledError } from '../client/errors';
import { CdrPager, PageResult } from '../client/paging';
import { Cdr } from '../model/cdr';
import { CdrCollection } from '../model/grouping';
import { QueryRequest, resolveQuery } from '../model/timeWindow';
import { Log } from './log';
import { RequestSettings } from './settings';

/** What changed in the call history, so the tree can refresh only that. */
export type HistoryChange =
  | { readonly kind: 'reset' }
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'page';
      readonly newDates: readonly string[];
      readonly changedDates: readonly string[];
    };

/** A failed page load, kept so the tree can offer to retry it. */
export interface PageFailure {
  readonly pageIndex: number;
  readonly message: string;
}

/**
 * The loaded call history: one query, its pager and its records. Only one page loads at a time;
 * starting a new query cancels the load in flight.
 */
export class CallHistory implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<HistoryChange>();
  readonly onDidChange = this.changeEmitter.event;
  private client: TcxcClient | undefined;
  private pager: CdrPager | undefined;
  private currentRequest: QueryRequest | undefined;
  private inFlight: { promise: Promise<PageResult>; abort: AbortController } | undefined;
  private failure: PageFailure | undefined;

  constructor(private readonly log: Log) {}

  get request(): QueryRequest | undefined {
    return this.currentRequest;
  }

  get collection(): CdrCollection | undefined {
    return this.pager?.collection;
  }

  get hasMore(): boolean {
    return this.pager !== undefined && !this.pager.done;
  }

  get loading(): boolean {
    return this.inFlight !== undefined;
  }

  get pageCount(): number {
    return this.pager?.pageCount ?? 0;
  }

  get lastFailure(): PageFailure | undefined {
    return this.failure;
  }

  find(key: string): Cdr | undefined {
    return this.pager?.collection.get(key);
  }

  /** Starts a new query and loads its first page, replacing whatever was loaded. */
  async start(
    request: QueryRequest,
    credentials: TcxcCredentials,
    settings: RequestSettings,
    token?: vscode.CancellationToken,
  ): Promise<PageResult> {
    const query = resolveQuery(request, Date.now());
    // Everything up to the first request runs without a pause, so a second start() cannot
    // interleave with this one and pick up its pager.
    // The client rejects an invalid endpoint here, before anything loaded is touched.
    const client = new TcxcClient({
      endpoint: settings.endpoint,
      credentials,
      timeoutMs: settings.timeoutMs,
      logger: this.log.forClient(),
    });
    this.cancelInFlight();
    this.closeClient();
    this.client = client;
    this.pager = new CdrPager(client, query, settings.pageSize);
    this.currentRequest = request;
    this.failure = undefined;
    this.changeEmitter.fire({ kind: 'reset' });
    return this.loadNextPage(token);
  }

  /** Loads the next page of the current query; a call during a load joins that load. */
  async loadNextPage(token?: vscode.CancellationToken): Promise<PageResult> {
    const pager = this.pager;
    if (!pager) {
      throw new Error('Nothing has been fetched yet: run "TCXC: Fetch CDRs" first');
    }
    if (this.inFlight) {
      return this.inFlight.promise;
    }
    const abort = new AbortController();
    const cancellation = token?.onCancellationRequested(() => abort.abort());
    const promise = pager.loadNextPage(abort.signal);
    this.inFlight = { promise, abort };
    this.changeEmitter.fire({ kind: 'loading' });
    try {
      const result = await promise;
      this.failure = undefined;
      this.changeEmitter.fire({ kind: 'page', ...result });
      return result;
    } catch (error) {
      if (pager === this.pager && !(error instanceof CancelledError)) {
        this.failure = { pageIndex: pager.pageCount, message: errorMessage(error) };
      }
      this.changeEmitter.fire({ kind: 'loading' });
      throw error;
    } finally {
      cancellation?.dispose();
      if (this.inFlight?.promise === promise) {
        this.inFlight = undefined;
      }
    }
  }

  /** Forgets the query and its records and closes the client's connections. */
  clear(): void {
    this.cancelInFlight();
    this.closeClient();
    this.pager = undefined;
    this.currentRequest = undefined;
    this.failure = undefined;
    this.changeEmitter.fire({ kind: 'reset' });
  }

  /** Closes the client's idle connections in the background; its request was aborted first. */
  private closeClient(): void {
    const client = this.client;
    this.client = undefined;
    client?.dispose().catch((error: unknown) => {
      this.log.warn('History', `Closing the previous connections failed: ${errorMessage(error)}`);
    });
  }

  private cancelInFlight(): void {
    this.inFlight?.abort.abort();
    this.inFlight = undefined;
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
