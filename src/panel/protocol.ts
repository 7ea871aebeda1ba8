/**
 * The messages between the extension and the CDR panel's script. Both sides import this module,
 * so a change to a message shape fails to compile on the side that was not updated. Every
 * payload is plain JSON, except the typed arrays of {@link RowColumns}: the webview channel
 * cannot carry bigint, Date or class instances.
 */
import type { ShowFilter } from '../client/query';
import type { WindowPreset } from '../model/timeWindow';
export { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from '../model/timeWindow';
import type { SummaryCall } from '../model/summary';

/** The view type of the panel, also named by the `onWebviewPanel` activation event. */
export const PANEL_VIEW_TYPE = 'tcxc.cdrPanel';

/** The filter form as typed. Text fields stay as typed so an invalid value is never lost. */
export interface PanelFilters {
  readonly window: WindowPreset;
  /** Start and end of a custom range, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`, in UTC. */
  readonly from: string;
  readonly to: string;
  readonly prefix: string;
  readonly show: ShowFilter;
  /** Records per page, as typed: a whole number from 1 to 5000. */
  readonly pageSize: string;
}

/** The fields of {@link PanelFilters} that can hold an invalid value. */
export type FilterField = 'from' | 'to' | 'prefix' | 'pageSize' | 'window' | 'show';

/** One message per invalid field, shown next to that field. */
export type FilterErrors = Partial<Record<FilterField, string>>;

/** Whether a CDR's amount matches the amount recomputed from its billing fields. */
export type ChargeStatus = 'ok' | 'mismatch' | 'unknown';

/**
 * One row of the panel's table: the typed fields of a CDR that the table, the search and the
 * summaries need. Times are unix milliseconds, money is whole micro-units (millionths of the
 * currency unit), and a value the record lacks is null.
 */
export interface PanelRow extends SummaryCall {
  readonly key: string;
  /** `i_cdr`, or empty text when the record has none. */
  readonly id: string;
  readonly cli: string;
  readonly cld: string;
  readonly callId: string;
  readonly charge: ChargeStatus;
  /** Number of fields that could not be read; above 0 marks the record as malformed. */
  readonly problems: number;
}

/** The text of each row joined into one string, and each row's length in UTF-16 code units. */
export interface PackedText {
  readonly text: string;
  readonly lengths: Uint32Array;
}

/** Text that repeats across rows: row `i` has `values[index[i]]`. */
export interface TextChoice {
  readonly values: readonly string[];
  readonly index: Uint32Array;
}

/**
 * Table rows column by column: entry `i` of each column belongs to row `i`. VS Code serializes a
 * message to the webview as JSON, value by value, but carries typed arrays beside the JSON as
 * binary data for extensions whose `engines.vscode` is 1.57 or later (`Webview.postMessage` in
 * the `vscode` API). So numbers travel in typed arrays and each text column as one string, which
 * costs a few JSON values per column instead of 16 per row. A null number is NaN.
 */
export interface RowColumns {
  readonly count: number;
  readonly key: PackedText;
  readonly id: PackedText;
  readonly cli: PackedText;
  readonly cld: PackedText;
  readonly callId: PackedText;
  readonly country: TextChoice;
  readonly vendor: TextChoice;
  readonly reason: TextChoice;
  readonly time: Float64Array;
  readonly duration: Float64Array;
  readonly billed: Float64Array;
  readonly amountMicros: Float64Array;
  readonly code: Float64Array;
  /** 1 for an answered call, 0 otherwise. */
  readonly answered: Uint8Array;
  /** The row's charge status: 0 for `ok`, 1 for `mismatch`, 2 for `unknown`. */
  readonly charge: Uint8Array;
  readonly problems: Uint32Array;
}

/**
 * The position of a message in a snapshot of the loaded rows. A large snapshot arrives in parts:
 * `init` or a `rows` reset carries the first rows, enough to fill the table, and each `moreRows`
 * the next ones. The panel requests each next part with `nextRows`, after it has drawn the last.
 */
export interface RowTransfer {
  /** Number of the snapshot, new for each `init` and each `rows` reset. */
  readonly id: number;
  /** Rows of the snapshot that follow this message; 0 in its last part. */
  readonly remaining: number;
}

/** A labelled point in a call's life, in unix milliseconds. */
export interface TimelineView {
  readonly setup: number | null;
  readonly connect: number | null;
  readonly disconnect: number | null;
  /** Seconds from setup to connect, and from connect to disconnect. */
  readonly ringSeconds: number | null;
  readonly talkSeconds: number | null;
}

/** The charge check of one CDR, with every figure already formatted for display. */
export interface ChargeView {
  readonly status: ChargeStatus;
  /** One line on the outcome, such as "Matches the billing fields". */
  readonly summary: string;
  /** The steps of the computation, one line each, such as "First 6 s at 0.004987/min". */
  readonly steps: readonly string[];
  readonly expectedBilledSeconds: number | null;
  readonly recordBilledSeconds: number | null;
  /** Six-decimal amounts, or null when the record lacks the fields to compute them. */
  readonly expectedAmount: string | null;
  readonly recordAmount: string | null;
  readonly difference: string | null;
}

/** Everything the details pane shows about one CDR. */
export interface CdrDetails {
  readonly key: string;
  /** Every field of the raw record in its original order; non-text values as JSON text. */
  readonly fields: readonly { readonly name: string; readonly value: string }[];
  readonly problems: readonly string[];
  readonly cause: {
    readonly code: number | null;
    readonly reason: string;
    /** The Q.850 cause explained in words. */
    readonly meaning: string;
    readonly answered: boolean;
  };
  readonly timeline: TimelineView;
  readonly charge: ChargeView;
}

/** The state of the current query: loading, counts and the last failure. */
export interface PanelStatus {
  /** A page is loading, or all remaining pages are. */
  readonly loading: 'idle' | 'page' | 'all';
  /** One line describing the shown query, such as "Last 7 days · prefix 44 · all calls". */
  readonly description: string;
  readonly loaded: number;
  readonly pages: number;
  readonly hasMore: boolean;
  /** The last failure, such as "Page 3 failed: HTTP 503 …", until the next success. */
  readonly error: string | null;
  readonly hasCredentials: boolean;
  /**
   * Present when loading stopped at the `tcxc.maxCdrsInMemory` limit while the server may have
   * more records, so `loaded` is not the whole query.
   */
  readonly capped?: { readonly limit: number };
}

/** Messages from the extension to the panel. */
export type ToPanel =
  | {
      /**
       * A snapshot, sent in reply to `ready`; it replaces everything the panel shows. Its rows
       * are the first part of the loaded rows, and `moreRows` brings the rest.
       */
      readonly type: 'init';
      readonly filters: PanelFilters | null;
      readonly rows: RowColumns;
      readonly transfer: RowTransfer;
      readonly status: PanelStatus;
      readonly selected: CdrDetails | null;
    }
  /** The first part of the rows of a new query, which replace the loaded rows. */
  | {
      readonly type: 'rows';
      readonly reset: true;
      readonly rows: RowColumns;
      readonly transfer: RowTransfer;
    }
  /** Rows that were just loaded, such as a page; they are appended. */
  | { readonly type: 'rows'; readonly reset: false; readonly rows: RowColumns }
  /** The next part of the snapshot that `init` or a `rows` reset started. */
  | { readonly type: 'moreRows'; readonly rows: RowColumns; readonly transfer: RowTransfer }
  | { readonly type: 'status'; readonly status: PanelStatus }
  /** The filters of a query started elsewhere, such as from the command palette. */
  | { readonly type: 'filters'; readonly filters: PanelFilters }
  /** Errors the extension found in filters that the panel sent; nothing was fetched. */
  | { readonly type: 'filterErrors'; readonly errors: FilterErrors }
  /** Shows one CDR, selected in the tree or in the panel; null clears the details. */
  | { readonly type: 'details'; readonly details: CdrDetails | null };

/** Messages from the panel to the extension. */
export type FromPanel =
  /**
   * The script has loaded and listens; the extension replies with `init`. `sort` is the table's
   * order, in which the extension picks the rows of the first part.
   */
  | { readonly type: 'ready'; readonly sort?: SortOrder }
  /** The user sorted the table; the first part of the next rows follows this order. */
  | { readonly type: 'sort'; readonly sort: SortOrder }
  /** The panel has drawn the part of the transfer `transfer` that it received last. */
  | { readonly type: 'nextRows'; readonly transfer: number }
  /** Fetch the first page of a new query with these filters. */
  | { readonly type: 'apply'; readonly filters: PanelFilters }
  | { readonly type: 'loadMore' }
  | { readonly type: 'loadAll' }
  | { readonly type: 'cancel' }
  | { readonly type: 'select'; readonly key: string }
  | { readonly type: 'openJson'; readonly key: string }
  | { readonly type: 'copyCallId'; readonly key: string }
  | { readonly type: 'copyRecord'; readonly key: string };

/** Sort order of the table. */
export interface SortOrder {
  readonly column: ColumnId;
  readonly descending: boolean;
}

export type ColumnId =
  'time' | 'cli' | 'cld' | 'country' | 'vendor' | 'duration' | 'amount' | 'cause';

/** The panel's saved state, kept with `setState` and given to the serializer after a reload. */
export interface PanelState {
  readonly filters: PanelFilters;
  /**
   * True when the user has changed the form since it last matched a query, so the filters of
   * the next `init` do not replace it. Missing in state saved by older versions: read as false.
   */
  readonly formEdited?: boolean;
  readonly search: string;
  readonly sort: SortOrder;
  readonly selectedKey: string | null;
}
