import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { Cdr, formatRecordJson } from '../model/cdr';
import { describeRequest } from '../model/timeWindow';
import { DEFAULT_FILTERS, filtersFromRequest, validateFilters } from '../panel/filters';
import { renderPanelHtml } from '../panel/html';
import { parseFromPanel, selectedKeyOf } from '../panel/messages';
import { encodeRows } from '../panel/columns';
import {
  FromPanel,
  PANEL_VIEW_TYPE,
  PanelFilters,
  PanelRow,
  PanelStatus,
  SortOrder,
  ToPanel,
} from '../panel/protocol';
import { cdrDetails, toPanelRow } from '../panel/rows';
import { DEFAULT_SORT } from '../panel/table';
import { OutgoingRows, RowPart } from '../panel/transfer';
import { CredentialStore } from './credentials';
import { CallHistory, HistoryChange, PageFailure, QueryFailure, errorMessage } from './history';
import { Log } from './log';

/** Folders of the panel's script and stylesheet, relative to the extension's root. */
const SCRIPT_PATH = ['dist', 'webview'];
const MEDIA_PATH = ['media'];

/**
 * The CDR panel: one webview per window showing the loaded call history as a table, the
 * selected CDR's details and traffic summaries. The extension keeps the data; the panel's script
 * keeps only its form, search, sort and selection (with `setState`). Whenever the script (re)loads
 * it posts `ready` and receives a full snapshot, so nothing sent while it was hidden is lost.
 *
 * A snapshot of many rows goes in parts: the first part contains the rows the table shows first,
 * and each later part is sent when the panel requests it with `nextRows`, after drawing the last.
 * So the panel draws its first rows at once and stays responsive while the rest arrives.
 */
export class CdrPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  /** True between the script's `ready` and the moment it is hidden or closed. */
  private scriptReady = false;
  private selectedKey: string | undefined;
  /** The table's order, as the script last reported it with `ready`. */
  private panelSort: SortOrder = DEFAULT_SORT;
  /** The snapshot whose later parts the panel has not requested yet. */
  private outgoing: OutgoingRows | undefined;
  private transferCount = 0;
  private hasCredentials = false;
  private readonly rowCache = new WeakMap<Cdr, PanelRow>();
  private readonly postEmitter = new vscode.EventEmitter<ToPanel>();
  /** Fires for each message handed to the panel's webview, for tests and diagnostics. */
  readonly onDidPostMessage = this.postEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly history: CallHistory,
    private readonly credentials: CredentialStore,
    private readonly log: Log,
    private readonly readPageSize: () => number,
  ) {
    this.subscriptions = [
      history.onDidChange((change) => this.onHistoryChange(change)),
      credentials.onDidChange(() => void this.readCredentialsState()),
    ];
    void this.readCredentialsState();
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** True once the panel's script has loaded and asked for its data. */
  get isReady(): boolean {
    return this.scriptReady;
  }

  get selected(): string | undefined {
    return this.selectedKey;
  }

  /** Opens the panel, or brings it forward when it is already open. */
  show(preserveFocus = false): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'TCXC CDRs',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  /** Takes over a panel that VS Code restored after a window reload. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    if (this.panel && this.panel !== panel) {
      this.panel.dispose();
    }
    this.selectedKey = selectedKeyOf(state);
    this.adopt(panel);
  }

  /** Shows one CDR's details. With `reveal`, opens the panel first if it is closed. */
  showCdr(key: string, reveal: boolean): void {
    if (!this.panel && !reveal) {
      return;
    }
    this.selectedKey = key;
    if (reveal) {
      this.show(true);
    }
    this.post({ type: 'details', details: this.detailsOf(key) });
  }

  /** Handles one message from the panel's script. Public so tests can drive the panel directly. */
  async handleMessage(value: unknown): Promise<void> {
    const message = parseFromPanel(value);
    if (!message) {
      this.log.warn('Panel', 'Ignored a malformed message from the CDR panel');
      return;
    }
    try {
      await this.dispatch(message);
    } catch (error) {
      this.log.error('Panel', `Handling "${message.type}" from the CDR panel failed`, error);
    }
  }

  private async dispatch(message: FromPanel): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.scriptReady = true;
        this.panelSort = message.sort ?? DEFAULT_SORT;
        this.post(this.snapshot());
        return;
      case 'sort':
        this.panelSort = message.sort;
        return;
      case 'nextRows':
        this.sendNextPart(message.transfer);
        return;
      case 'apply':
        return this.apply(message.filters);
      case 'loadMore':
        await vscode.commands.executeCommand('tcxc.loadMore');
        return;
      case 'loadAll':
        await vscode.commands.executeCommand('tcxc.loadAllPages');
        return;
      case 'cancel':
        this.history.cancel();
        return;
      case 'select':
        this.selectedKey = message.key;
        this.post({ type: 'details', details: this.detailsOf(message.key) });
        return;
      case 'openJson':
        await vscode.commands.executeCommand('tcxc.openCdrJson', message.key);
        return;
      case 'copyCallId':
        return this.copy(message.key, 'call ID', (cdr) => cdr.callId);
      case 'copyRecord':
        return this.copy(message.key, 'record', (cdr) => formatRecordJson(cdr.raw));
    }
  }

  /** Fetches with the panel's filters. Invalid filters go back to the panel, and nothing is sent. */
  private async apply(filters: PanelFilters): Promise<void> {
    const { errors, query } = validateFilters(filters);
    if (!query) {
      this.post({ type: 'filterErrors', errors });
      return;
    }
    await vscode.commands.executeCommand('tcxc.fetchCdrs', query, { focusTree: false });
  }

  private async copy(key: string, what: string, text: (cdr: Cdr) => string): Promise<void> {
    const cdr = this.history.find(key);
    if (!cdr) {
      void vscode.window.showWarningMessage(
        `That CDR is no longer loaded, so its ${what} cannot be copied.`,
      );
      return;
    }
    const copied = text(cdr);
    if (copied === '') {
      void vscode.window.showWarningMessage(`This CDR has no ${what} to copy.`);
      return;
    }
    await vscode.env.clipboard.writeText(copied);
    vscode.window.setStatusBarMessage(`TCXC: Copied the ${what}`, 3000);
  }

  private onHistoryChange(change: HistoryChange): void {
    // Messages before `ready` would be dropped: the snapshot sent on `ready` includes the change.
    if (!this.panel || !this.scriptReady) {
      return;
    }
    if (change.kind === 'reset') {
      if (this.history.request) {
        this.post({ type: 'filters', filters: this.currentFilters() });
      }
      const first = this.startTransfer();
      this.post({ type: 'rows', reset: true, rows: first.rows, transfer: first.transfer });
      if (this.selectedKey !== undefined && !this.history.find(this.selectedKey)) {
        this.post({ type: 'details', details: null });
      }
    } else if (change.kind === 'page') {
      const rows = encodeRows(change.added.map((cdr) => this.rowOf(cdr)));
      this.post({ type: 'rows', reset: false, rows });
    }
    this.post({ type: 'status', status: this.status() });
  }

  private snapshot(): ToPanel {
    const first = this.startTransfer();
    return {
      type: 'init',
      filters: this.currentFilters(),
      rows: first.rows,
      transfer: first.transfer,
      status: this.status(),
      selected: this.selectedKey === undefined ? null : this.detailsOf(this.selectedKey),
    };
  }

  /**
   * Starts sending a snapshot of the loaded rows, in place of any snapshot still being sent, and
   * returns its first part: the first rows in the table's order, with the selected row.
   */
  private startTransfer(): RowPart {
    const outgoing = new OutgoingRows(++this.transferCount, this.allRows(), {
      sort: this.panelSort,
      include: this.selectedKey,
    });
    this.outgoing = outgoing.done ? undefined : outgoing;
    return outgoing.first;
  }

  /**
   * Sends the next part of the snapshot `transfer`. A request for an older snapshot is ignored:
   * the panel received a newer one meanwhile.
   */
  private sendNextPart(transfer: number): void {
    const outgoing = this.outgoing;
    if (outgoing === undefined || outgoing.id !== transfer) {
      return;
    }
    const part = outgoing.next();
    if (outgoing.done) {
      this.outgoing = undefined;
    }
    if (part !== undefined) {
      this.post({ type: 'moreRows', rows: part.rows, transfer: part.transfer });
    }
  }

  private status(): PanelStatus {
    const { history } = this;
    const request = history.loadingRequest ?? history.request;
    const failure = history.lastFailure;
    const queryFailure = history.lastQueryFailure;
    let loading: PanelStatus['loading'] = 'idle';
    if (history.loadingAll) {
      loading = 'all';
    } else if (history.loadingRequest) {
      loading = 'page';
    }
    const limit = history.maxRecords;
    return {
      loading,
      description: request ? describeRequest(request) : 'Nothing fetched yet',
      loaded: history.collection?.size ?? 0,
      pages: history.pageCount,
      hasMore: history.hasMore,
      error: failureText(failure, queryFailure),
      hasCredentials: this.hasCredentials,
      // Absent unless capped, so the status stays as it was for every other query.
      ...(history.capReached && limit !== undefined ? { capped: { limit } } : {}),
    };
  }

  /** Builds the form of a query, or the defaults with the page size setting before any query. */
  private currentFilters(): PanelFilters {
    const request = this.history.request;
    if (!request) {
      return { ...DEFAULT_FILTERS, pageSize: String(this.readPageSize()) };
    }
    return filtersFromRequest(request, this.history.pageSize ?? request.pageSize ?? 100);
  }

  private allRows(): PanelRow[] {
    return (this.history.collection?.all() ?? []).map((cdr) => this.rowOf(cdr));
  }

  private rowOf(cdr: Cdr): PanelRow {
    let row = this.rowCache.get(cdr);
    if (!row) {
      row = toPanelRow(cdr);
      this.rowCache.set(cdr, row);
    }
    return row;
  }

  private detailsOf(key: string) {
    const cdr = this.history.find(key);
    return cdr ? cdrDetails(cdr) : null;
  }

  /**
   * Posts a message to the script. Before `ready`, while hidden and after the panel closed, the
   * message is dropped: the next `ready` brings a full snapshot instead.
   */
  private post(message: ToPanel): void {
    const panel = this.panel;
    if (!panel || !this.scriptReady) {
      return;
    }
    this.postEmitter.fire(message);
    panel.webview.postMessage(message).then(
      (delivered) => {
        if (!delivered && this.panel === panel) {
          this.scriptReady = false;
          this.outgoing = undefined;
        }
      },
      (error: unknown) => {
        // Posting to a panel that closed meanwhile fails, and nothing there needs the message.
        if (this.panel === panel) {
          this.log.warn('Panel', `Posting to the CDR panel failed: ${errorMessage(error)}`);
        }
      },
    );
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.disposePanelSubscriptions();
    this.panel = panel;
    this.scriptReady = false;
    this.outgoing = undefined;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, ...MEDIA_PATH, 'tcxc.svg');
    panel.webview.options = this.webviewOptions();
    panel.webview.html = this.html(panel.webview);
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => this.handleMessage(message)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) {
          // A hidden webview loses its document, and its script posts `ready` again when shown.
          this.scriptReady = false;
          this.outgoing = undefined;
        }
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.scriptReady = false;
          this.outgoing = undefined;
          this.disposePanelSubscriptions();
        }
      }),
    ];
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, ...MEDIA_PATH),
        vscode.Uri.joinPath(this.extensionUri, ...SCRIPT_PATH),
      ],
    };
  }

  private html(webview: vscode.Webview): string {
    const asset = (...segments: string[]) =>
      webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...segments)).toString();
    return renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: randomUUID(),
      scriptUri: asset(...SCRIPT_PATH, 'panel.js'),
      styleUri: asset(...MEDIA_PATH, 'panel.css'),
    });
  }

  private async readCredentialsState(): Promise<void> {
    try {
      this.hasCredentials = (await this.credentials.read()) !== undefined;
    } catch {
      this.hasCredentials = false;
    }
    this.post({ type: 'status', status: this.status() });
  }

  private disposePanelSubscriptions(): void {
    for (const subscription of this.panelSubscriptions) {
      subscription.dispose();
    }
    this.panelSubscriptions = [];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.disposePanelSubscriptions();
    this.panel?.dispose();
    this.panel = undefined;
    this.postEmitter.dispose();
  }
}

/** Describes the last failure for the status line: a failed page, or a new query that failed. */
function failureText(
  page: PageFailure | undefined,
  query: QueryFailure | undefined,
): string | null {
  if (query) {
    return (
      `${describeRequest(query.request)} failed: ${query.message}. ` +
      'The CDRs shown are from the previous query.'
    );
  }
  return page ? `Page ${page.pageIndex + 1} failed: ${page.message}` : null;
}
