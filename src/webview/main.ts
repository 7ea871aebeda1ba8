/**
 * Entry point of the CDR panel's script. It builds the interface, restores the state VS Code
 * kept, posts `ready` to the extension, and then renders every message the extension sends.
 */
import { stripUnsafe } from '../model/format';
import { summarize } from '../model/summary';
import { decodeRows } from '../panel/columns';
import { DEFAULT_FILTERS } from '../panel/filters';
import type {
  CdrDetails,
  FromPanel,
  PanelFilters,
  PanelRow,
  PanelState,
  PanelStatus,
  RowColumns,
  RowTransfer,
  SortOrder,
  ToPanel,
} from '../panel/protocol';
import {
  DEFAULT_SORT,
  matchesTerms,
  mergeSorted,
  rowComparator,
  searchTerms,
} from '../panel/table';
import { SummaryView, chartLegend } from './charts';
import { DetailsPane } from './details';
import { formatCount, formatQuantity, h, replaceChildren } from './dom';
import { FiltersForm } from './filtersForm';
import { StatusBar } from './statusBar';
import { VirtualTable } from './virtualTable';
import { connectHost, type PanelHost } from './vscodeApi';

/**
 * Pause in typing, in milliseconds, that ends a burst of keystrokes. The first keystroke after
 * such a pause searches at once; later keystrokes of the burst search when it ends.
 */
const SEARCH_DELAY_MS = 150;

/**
 * How long a `select` sent to the extension waits for its details, in milliseconds. Details of
 * another CDR that arrive meanwhile were requested earlier and are dropped, so fast keyboard
 * moves do not make the selection jump back.
 */
const SELECT_REPLY_MS = 2000;

/**
 * Time in milliseconds that the panel waits for a frame before it requests the next part of a
 * snapshot anyway. A window that is minimized or covered draws no frames.
 */
const FRAME_WAIT_MS = 250;

const MESSAGE_TYPES = new Set<string>([
  'init',
  'rows',
  'moreRows',
  'status',
  'filters',
  'filterErrors',
  'details',
]);

/** True for an object whose `type` names one of the extension's messages. */
function isToPanel(value: unknown): value is ToPanel {
  return (
    typeof value === 'object' &&
    value !== null &&
    MESSAGE_TYPES.has(String((value as { type?: unknown }).type))
  );
}

/**
 * Decodes received rows. Rows that cannot be decoded are left out, and the error goes to the
 * webview's console as an uncaught one would, without stopping the message's other work.
 */
function readRows(columns: RowColumns): PanelRow[] {
  try {
    return decodeRows(columns);
  } catch (error) {
    reportError(error);
    return [];
  }
}

/**
 * Runs `callback` once, after the next frame has been drawn, or after {@link FRAME_WAIT_MS} when
 * no frame comes.
 */
function afterNextFrame(callback: () => void): void {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      window.clearTimeout(timer);
      callback();
    }
  };
  const timer = window.setTimeout(run, FRAME_WAIT_MS);
  requestAnimationFrame(() => window.setTimeout(run, 0));
}

class Panel {
  private readonly form: FiltersForm;
  private readonly statusBar: StatusBar;
  private readonly searchInput: HTMLInputElement;
  private readonly searchCount: HTMLSpanElement;
  private readonly receiving: HTMLSpanElement;
  private readonly receivingText: HTMLSpanElement;
  private readonly table: VirtualTable;
  private readonly details: DetailsPane;
  private readonly summaryView: SummaryView;
  private readonly summaryTitle: HTMLHeadingElement;
  private readonly summaryToggle: HTMLButtonElement;

  /** Rows in the order they were loaded. */
  private loadedRows: PanelRow[] = [];
  /** All loaded rows in the current sort order. */
  private sortedRows: PanelRow[] = [];
  /** Sorted rows that match the search: what the table shows. */
  private shownRows: PanelRow[] = [];
  private search: string;
  private sort: SortOrder;
  private selectedKey: string | null;
  private status: PanelStatus | null = null;
  /** The snapshot whose later parts are still arriving, or null when all have arrived. */
  private incoming: RowTransfer | null = null;
  /**
   * The selected row, when a snapshot started without it. It is shown when it arrives, and its
   * details are requested then if the extension did not send them.
   */
  private awaited: { readonly key: string; readonly askDetails: boolean } | null = null;
  /**
   * True when the user has changed the form since it last matched a query. Input and filter
   * errors from the extension set it. Sending Apply and receiving the extension's filters clear
   * it. While it is true, `init` leaves the form alone.
   */
  private formEdited: boolean;
  /** True when the form was restored from saved state and no message has replaced it since. */
  private formRestored: boolean;
  private pendingSelect: { readonly key: string; readonly sentAt: number } | null = null;
  private searchTimer: number | null = null;
  private summaryGeneration = 0;
  private chartsShown = true;

  constructor(
    root: HTMLElement,
    private readonly host: PanelHost,
  ) {
    const saved = host.loadState();
    this.formEdited = saved?.formEdited === true;
    this.formRestored = saved !== undefined;
    this.search = saved?.search ?? '';
    this.sort = saved?.sort ?? DEFAULT_SORT;
    this.selectedKey = saved?.selectedKey ?? null;

    this.form = new FiltersForm({
      onApply: (filters) => this.apply(filters),
      onChange: () => {
        this.formEdited = true;
        this.saveState();
      },
    });
    this.form.set(saved?.filters ?? DEFAULT_FILTERS);
    this.statusBar = new StatusBar({
      onLoadMore: () => this.post({ type: 'loadMore' }),
      onLoadAll: () => this.post({ type: 'loadAll' }),
      onCancel: () => this.post({ type: 'cancel' }),
    });

    this.searchInput = h('input', {
      id: 'search',
      type: 'search',
      placeholder: 'Search numbers, call ID, country, vendor, cause',
      autocomplete: 'off',
      spellcheck: 'false',
    });
    this.searchInput.value = this.search;
    this.searchInput.addEventListener('input', () => this.searchTyped());
    this.searchCount = h('span', { class: 'search-count', 'aria-live': 'polite' });
    this.receivingText = h('span');
    this.receiving = h(
      'span',
      { class: 'receiving', hidden: true },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      this.receivingText,
    );

    this.table = new VirtualTable(this.sort, {
      onSelect: (row) => this.select(row),
      onSort: (sort) => this.changeSort(sort),
    });
    this.details = new DetailsPane({
      onOpenJson: (key) => this.post({ type: 'openJson', key }),
      onCopyCallId: (key) => this.post({ type: 'copyCallId', key }),
      onCopyRecord: (key) => this.post({ type: 'copyRecord', key }),
    });

    this.summaryView = new SummaryView();
    this.summaryTitle = h('h2', { class: 'summary-title' }, 'Charts');
    this.summaryToggle = h(
      'button',
      {
        type: 'button',
        class: 'button-secondary summary-toggle',
        'aria-expanded': 'true',
        'aria-controls': 'summary-charts',
      },
      'Hide charts',
    );
    this.summaryToggle.addEventListener('click', () => this.toggleCharts());
    this.summaryView.charts.id = 'summary-charts';

    replaceChildren(
      root,
      h('header', { class: 'panel-header' }, this.form.element, this.statusBar.element),
      h(
        'div',
        { class: 'toolbar' },
        h(
          'div',
          { class: 'search', role: 'search' },
          h('label', { class: 'sr-only', for: 'search' }, 'Search loaded CDRs'),
          this.searchInput,
          this.searchCount,
          this.receiving,
        ),
        this.summaryView.figures,
      ),
      h('div', { class: 'panel-body' }, this.table.element, this.details.element),
      h(
        'section',
        { class: 'summary-section', 'aria-labelledby': 'summary-title' },
        h('div', { class: 'summary-header' }, this.summaryTitle, chartLegend(), this.summaryToggle),
        this.summaryView.charts,
      ),
    );
    this.summaryTitle.id = 'summary-title';
    root.removeAttribute('aria-busy');
    this.refreshRows();

    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (isToPanel(event.data)) {
        this.receive(event.data);
      }
    });
    this.post({ type: 'ready', sort: this.sort });
  }

  private receive(message: ToPanel): void {
    switch (message.type) {
      case 'init':
        this.init(message);
        break;
      case 'rows':
        if (message.reset) {
          this.resetRows(readRows(message.rows), message.transfer);
        } else {
          this.appendRows(readRows(message.rows));
        }
        break;
      case 'moreRows':
        this.receiveMore(message.rows, message.transfer);
        break;
      case 'status':
        this.updateStatus(message.status);
        break;
      case 'filters':
        this.form.set(message.filters);
        this.formEdited = false;
        this.formRestored = false;
        this.saveState();
        break;
      case 'filterErrors':
        // The rejected filters stay in the form and match no query, so a reload keeps them.
        this.form.showErrors(message.errors);
        this.formEdited = true;
        this.saveState();
        break;
      case 'details':
        this.showDetails(message.details);
        break;
    }
  }

  private init(message: Extract<ToPanel, { type: 'init' }>): void {
    if (this.initReplacesForm(message)) {
      this.form.set(message.filters ?? DEFAULT_FILTERS);
      this.formRestored = false;
    }
    this.loadedRows = readRows(message.rows);
    this.startTransfer(message.transfer);
    this.updateStatus(message.status);
    this.pendingSelect = null;
    if (message.selected !== null) {
      this.selectedKey = message.selected.key;
    }
    this.details.show(message.selected);
    this.refreshRows();
    this.table.setSelectedKey(this.selectedKey, true);
    const selectedKey = this.selectedKey;
    if (selectedKey !== null) {
      // The extension does not remember the panel's selection across a reload, so ask for it.
      const askDetails = message.selected === null;
      if (this.loadedRows.some((row) => row.key === selectedKey)) {
        if (askDetails) {
          this.requestDetails(selectedKey);
        }
      } else if (this.incoming !== null) {
        this.awaited = { key: selectedKey, askDetails };
      }
    }
    this.saveState();
  }

  /**
   * Decides whether `init` replaces the form. The form shows the filters of the query whose rows
   * are shown, because that query may have changed while the panel was hidden. It keeps filters
   * the user edited and has not applied. Without a query (no page loaded, as after a window
   * reload) `init` carries only suggested filters, so restored filters stay for Apply.
   */
  private initReplacesForm(message: Extract<ToPanel, { type: 'init' }>): boolean {
    if (this.formEdited) {
      return false;
    }
    if (message.filters === null || message.status.pages === 0) {
      return !this.formRestored;
    }
    return true;
  }

  /** Replaces the loaded rows with the first part of a new query's rows. */
  private resetRows(rows: PanelRow[], transfer: RowTransfer): void {
    this.loadedRows = rows;
    this.startTransfer(transfer);
    this.refreshRows();
  }

  /**
   * Adds rows to the loaded ones. A search or sort chosen meanwhile applies to them as to the
   * others, and a selected row that was in view stays in view.
   */
  private appendRows(rows: readonly PanelRow[]): void {
    const keepInView = this.selectedKey !== null && this.table.isInView(this.selectedKey);
    const compare = rowComparator(this.sort);
    const added = [...rows].sort(compare);
    for (const row of rows) {
      this.loadedRows.push(row);
    }
    this.sortedRows = mergeSorted(this.sortedRows, added, compare);
    const terms = searchTerms(this.search);
    const shownAdded = added.filter((row) => matchesTerms(row, terms));
    this.shownRows = mergeSorted(this.shownRows, shownAdded, compare);
    this.showRows();
    if (keepInView) {
      this.table.setSelectedKey(this.selectedKey, true);
    }
    this.findAwaited(rows);
  }

  /** Starts following a snapshot, and requests its next part after the next frame if any. */
  private startTransfer(transfer: RowTransfer): void {
    this.incoming = transfer.remaining > 0 ? transfer : null;
    this.awaited = null;
    this.requestMore();
  }

  /** Adds the next part of the arriving snapshot. Parts of an older snapshot are dropped. */
  private receiveMore(columns: RowColumns, transfer: RowTransfer): void {
    if (this.incoming === null || this.incoming.id !== transfer.id) {
      return;
    }
    this.incoming = transfer.remaining > 0 ? transfer : null;
    this.appendRows(readRows(columns));
    this.requestMore();
  }

  /**
   * Requests the next part of the arriving snapshot once the table has been drawn, so each part
   * shows before the next one arrives. Also updates the note on the rows still to come.
   */
  private requestMore(): void {
    const incoming = this.incoming;
    if (incoming !== null) {
      afterNextFrame(() => this.post({ type: 'nextRows', transfer: incoming.id }));
    } else {
      // A selected row that has not arrived with the last part is not among the loaded rows.
      this.awaited = null;
    }
    this.receiving.hidden = incoming === null;
    this.receivingText.textContent =
      incoming === null
        ? ''
        : `Receiving ${formatQuantity(incoming.remaining, 'more CDR', 'more CDRs')}…`;
    this.table.setBusy(incoming !== null);
  }

  /** Shows the selected row once it has arrived, and requests its details if needed. */
  private findAwaited(rows: readonly PanelRow[]): void {
    const awaited = this.awaited;
    if (awaited === null || !rows.some((row) => row.key === awaited.key)) {
      return;
    }
    this.awaited = null;
    this.table.setSelectedKey(awaited.key, true);
    if (awaited.askDetails) {
      this.requestDetails(awaited.key);
    }
  }

  private updateStatus(status: PanelStatus): void {
    this.status = status;
    this.statusBar.update(status);
    this.updateEmptyText();
  }

  private showDetails(details: CdrDetails | null): void {
    const pending = this.pendingSelect;
    if (pending !== null && Date.now() - pending.sentAt < SELECT_REPLY_MS) {
      if (details !== null && details.key !== pending.key) {
        return;
      }
    }
    this.pendingSelect = null;
    this.awaited = null;
    this.details.show(details);
    this.selectedKey = details?.key ?? null;
    this.table.setSelectedKey(this.selectedKey, details !== null);
    this.saveState();
  }

  /** Sorts and filters all loaded rows again, then redraws. */
  private refreshRows(): void {
    this.sortedRows = [...this.loadedRows].sort(rowComparator(this.sort));
    this.filterRows();
  }

  private filterRows(): void {
    const terms = searchTerms(this.search);
    this.shownRows =
      terms.length === 0
        ? this.sortedRows
        : this.sortedRows.filter((row) => matchesTerms(row, terms));
    this.showRows();
  }

  private showRows(): void {
    this.table.setRows(this.shownRows);
    this.table.setSelectedKey(this.selectedKey, false);
    const shown = formatCount(this.shownRows.length);
    this.searchCount.textContent = `${shown} of ${formatQuantity(this.loadedRows.length, 'CDR')}`;
    this.updateEmptyText();
    this.scheduleSummary();
  }

  private updateEmptyText(): void {
    let text: string | null = null;
    if (this.loadedRows.length === 0) {
      const loading = this.status !== null && this.status.loading !== 'idle';
      text = loading ? 'Loading CDRs…' : 'No CDRs loaded. Choose the filters and press Apply.';
    } else if (this.shownRows.length === 0) {
      const search = stripUnsafe(this.search);
      text =
        this.incoming === null
          ? `No loaded CDR matches “${search}”.`
          : `No CDR received so far matches “${search}”.`;
    }
    this.table.setEmptyText(text);
  }

  /**
   * Searches at once on the first keystroke after a pause, so a search shows without waiting, and
   * once more when typing pauses, so a burst of keystrokes does not filter every row each time.
   */
  private searchTyped(): void {
    const burstStarted = this.searchTimer === null;
    if (this.searchTimer !== null) {
      clearTimeout(this.searchTimer);
    }
    this.searchTimer = window.setTimeout(() => {
      this.searchTimer = null;
      this.runSearch();
    }, SEARCH_DELAY_MS);
    if (burstStarted) {
      this.runSearch();
    }
    this.saveState();
  }

  /** Filters the rows by the search box's text, unless they already match it. */
  private runSearch(): void {
    if (this.search === this.searchInput.value) {
      return;
    }
    this.search = this.searchInput.value;
    this.filterRows();
  }

  private changeSort(sort: SortOrder): void {
    this.sort = sort;
    this.post({ type: 'sort', sort });
    this.table.setSort(sort);
    this.refreshRows();
    this.table.setSelectedKey(this.selectedKey, true);
    this.saveState();
  }

  private select(row: PanelRow): void {
    this.selectedKey = row.key;
    this.awaited = null;
    this.requestDetails(row.key);
    this.saveState();
  }

  private requestDetails(key: string): void {
    this.pendingSelect = { key, sentAt: Date.now() };
    this.post({ type: 'select', key });
  }

  private apply(filters: PanelFilters): void {
    this.formEdited = false;
    this.post({ type: 'apply', filters });
    this.saveState();
  }

  private toggleCharts(): void {
    this.chartsShown = !this.chartsShown;
    this.summaryView.charts.hidden = !this.chartsShown;
    this.summaryToggle.setAttribute('aria-expanded', String(this.chartsShown));
    this.summaryToggle.textContent = this.chartsShown ? 'Hide charts' : 'Show charts';
    this.summaryView.setChartsVisible(this.chartsShown);
  }

  /**
   * Computes the summary in a task after the next frame, so the table change that caused it is
   * painted first. A request that has not started when a newer one arrives is skipped. While a
   * snapshot is arriving, the summary waits for its last part, so it is computed once.
   */
  private scheduleSummary(): void {
    const generation = ++this.summaryGeneration;
    if (this.incoming !== null) {
      this.summaryTitle.textContent = 'Charts';
      this.summaryView.show(null, 'The charts are drawn when all CDRs have arrived.');
      return;
    }
    const rows = this.shownRows;
    const filtered = rows.length !== this.loadedRows.length;
    this.summaryTitle.textContent = filtered
      ? `Charts of the ${formatQuantity(rows.length, 'CDR')} matching the search`
      : `Charts of ${formatQuantity(rows.length, 'CDR')}`;
    this.summaryView.markStale();
    requestAnimationFrame(() => {
      window.setTimeout(() => {
        if (generation === this.summaryGeneration) {
          this.computeSummary(rows);
        }
      }, 0);
    });
  }

  private computeSummary(rows: readonly PanelRow[]): void {
    if (rows.length === 0) {
      this.summaryView.show(null, 'No CDRs to summarize.');
      return;
    }
    try {
      this.summaryView.show(summarize(rows), null);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.summaryView.show(null, `Summaries are not available: ${reason}`);
    }
  }

  private saveState(): void {
    const state: PanelState = {
      filters: this.form.value,
      formEdited: this.formEdited,
      search: this.searchInput.value,
      sort: this.sort,
      selectedKey: this.selectedKey,
    };
    this.host.saveState(state);
  }

  private post(message: FromPanel): void {
    this.host.post(message);
  }
}

function start(): void {
  const root =
    document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
  new Panel(root, connectHost());
}

start();
