/**
 * The messages between the extension and the CDR panel's script. Both sides import this module,
 * so a change to a message shape fails to compile on the side that was not updated. Every
 * payload is plain JSON: the webview channel cannot carry bigint, Date or class instances.
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
      /** A full snapshot, sent in reply to `ready`; it replaces everything the panel shows. */
      readonly type: 'init';
      readonly filters: PanelFilters | null;
      readonly rows: readonly PanelRow[];
      readonly status: PanelStatus;
      readonly selected: CdrDetails | null;
    }
  /** Rows of the current query: `reset` replaces the loaded rows, otherwise they are appended. */
  | { readonly type: 'rows'; readonly reset: boolean; readonly rows: readonly PanelRow[] }
  | { readonly type: 'status'; readonly status: PanelStatus }
  /** The filters of a query started elsewhere, such as from the command palette. */
  | { readonly type: 'filters'; readonly filters: PanelFilters }
  /** Errors the extension found in filters that the panel sent; nothing was fetched. */
  | { readonly type: 'filterErrors'; readonly errors: FilterErrors }
  /** Shows one CDR, selected in the tree or in the panel; null clears the details. */
  | { readonly type: 'details'; readonly details: CdrDetails | null };

/** Messages from the panel to the extension. */
export type FromPanel =
  /** The script has loaded and listens; the extension replies with `init`. */
  | { readonly type: 'ready' }
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
