import * as vscode from 'vscode';
import { Cdr, UNKNOWN_DATE } from '../model/cdr';
import {
  formatCause,
  formatDuration,
  formatNumber,
  formatTotals,
  formatUtc,
  singleLine,
  stripUnsafe,
} from '../model/format';
import { formatMicros } from '../model/money';
import { formatCount } from '../panel/table';
import { describeRequest } from '../model/timeWindow';
import { CallHistory, HistoryChange } from './history';

export const VIEW_ID = 'tcxc.callHistory';

/** Command that shows the next slice of a date's calls; its argument is the `YYYY-MM-DD` date. */
export const SHOW_MORE_COMMAND = 'tcxc.showMoreCalls';

/**
 * Calls listed under a date before a "Show more" row, and how many more each use of that row
 * lists. VS Code builds a tree item for every child it receives, so a date with 50,000 calls would
 * otherwise take seconds to expand.
 */
export const CDR_SLICE_SIZE = 500;

/** Context key that is true while a query with at least one loaded page is shown. */
export const HAS_HISTORY_CONTEXT = 'tcxc.hasHistory';

/**
 * Returns the line shown above the tree: the query and how much of it is loaded. It is undefined
 * when nothing is shown, so that the welcome view can appear.
 */
export function viewMessage(history: CallHistory): string | undefined {
  const loading = history.loadingRequest;
  if (loading) {
    return `${describeRequest(loading)} · loading…`;
  }
  if (!history.request || !history.collection) {
    return undefined;
  }
  const description = describeRequest(history.request);
  if (history.pageCount === 0) {
    return history.lastFailure ? `${description} · loading failed` : undefined;
  }
  if (history.capReached) {
    const loaded = formatCount(history.collection.size);
    return `${description} · ${loaded} CDRs loaded, the tcxc.maxCdrsInMemory limit; export to get all`;
  }
  const more = history.hasMore ? ', more available' : ', all loaded';
  return `${description} · ${history.collection.size} CDRs${more}`;
}

/** A UTC date with its calls. */
export class DateNode {
  readonly kind = 'date';
  constructor(readonly date: string) {}
}

/** One call detail record under its date. */
export class CdrNode {
  readonly kind = 'cdr';
  constructor(
    readonly cdr: Cdr,
    readonly parent: DateNode,
  ) {}
}

/** The row after the calls listed under a date, while that date has more calls than listed. */
export class ShowMoreNode {
  readonly kind = 'showMore';
  constructor(readonly parent: DateNode) {}
}

/** The action row at the end of the list: load the next page, or retry a failed one. */
export class LoadMoreNode {
  readonly kind = 'loadMore';
}

export type HistoryNode = DateNode | CdrNode | ShowMoreNode | LoadMoreNode;

/**
 * Shapes the loaded call history into a tree: UTC dates newest first, their calls in slices of
 * {@link CDR_SLICE_SIZE} with a "Show more" row, and a "Load more" row while pages remain. Node
 * objects are kept per key so that a refresh can target one date node and item ids stay stable.
 * The number of calls listed under each date lasts until the next query.
 */
export class CallHistoryProvider
  implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable
{
  private readonly changeEmitter = new vscode.EventEmitter<HistoryNode | undefined | void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly dateNodes = new Map<string, DateNode>();
  private readonly cdrNodes = new Map<string, CdrNode>();
  private readonly showMoreNodes = new Map<string, ShowMoreNode>();
  /** Calls listed under each date whose "Show more" row was used; other dates list one slice. */
  private readonly listedCounts = new Map<string, number>();
  private readonly loadMoreNode = new LoadMoreNode();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly history: CallHistory) {
    this.subscription = history.onDidChange((change) => this.onHistoryChange(change));
  }

  getChildren(element?: HistoryNode): HistoryNode[] {
    const collection = this.history.collection;
    if (!collection) {
      return [];
    }
    if (!element) {
      const dates: HistoryNode[] = collection.dates().map((date) => this.dateNode(date));
      return this.actionRowVisible() ? [...dates, this.loadMoreNode] : dates;
    }
    if (element instanceof DateNode) {
      return this.dateChildren(element);
    }
    return [];
  }

  getParent(element: HistoryNode): HistoryNode | undefined {
    return element instanceof CdrNode || element instanceof ShowMoreNode
      ? element.parent
      : undefined;
  }

  getTreeItem(element: HistoryNode): vscode.TreeItem {
    if (element instanceof DateNode) {
      return this.dateItem(element);
    }
    if (element instanceof CdrNode) {
      return cdrItem(element.cdr);
    }
    if (element instanceof ShowMoreNode) {
      return this.showMoreItem(element);
    }
    return this.loadMoreItem();
  }

  /**
   * Lists the next {@link CDR_SLICE_SIZE} calls of `date`, and refreshes only that date. A date
   * that is not loaded, or whose calls are all listed, is left as it is.
   */
  showMore(date: string): void {
    const total = this.history.collection?.group(date)?.cdrs.length ?? 0;
    const listed = this.listedCount(date);
    if (listed >= total) {
      return;
    }
    this.listedCounts.set(date, Math.min(total, listed + CDR_SLICE_SIZE));
    this.changeEmitter.fire(this.dateNode(date));
  }

  /** Calls listed under `date` before its "Show more" row, if all its calls are not listed. */
  listedCount(date: string): number {
    return this.listedCounts.get(date) ?? CDR_SLICE_SIZE;
  }

  private dateChildren(node: DateNode): HistoryNode[] {
    const cdrs = this.history.collection?.group(node.date)?.cdrs ?? [];
    const listed = Math.min(cdrs.length, this.listedCount(node.date));
    const children: HistoryNode[] = new Array<HistoryNode>(listed);
    for (let index = 0; index < listed; index++) {
      children[index] = this.cdrNode(cdrs[index], node);
    }
    if (listed < cdrs.length) {
      children.push(this.showMoreNode(node));
    }
    return children;
  }

  private showMoreItem(node: ShowMoreNode): vscode.TreeItem {
    const total = this.history.collection?.group(node.parent.date)?.cdrs.length ?? 0;
    const listed = Math.min(total, this.listedCount(node.parent.date));
    const next = Math.min(CDR_SLICE_SIZE, total - listed);
    const label = `Show more (${formatCount(listed)} of ${formatCount(total)})`;
    const item = new vscode.TreeItem(label);
    item.id = `showMore:${node.parent.date}`;
    item.tooltip = `List the next ${formatCount(next)} calls of this date`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'showMore';
    item.accessibilityInformation = {
      label: `Show ${formatCount(next)} more calls; ${formatCount(listed)} of ${formatCount(total)} listed`,
    };
    item.command = {
      command: SHOW_MORE_COMMAND,
      title: 'Show more',
      arguments: [node.parent.date],
    };
    return item;
  }

  private dateItem(node: DateNode): vscode.TreeItem {
    const group = this.history.collection?.group(node.date);
    const newest = this.history.collection?.dates()[0] === node.date;
    const item = new vscode.TreeItem(
      node.date === UNKNOWN_DATE ? 'Unknown date' : node.date,
      newest ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `date:${node.date}`;
    item.description = group ? formatTotals(group.totals) : '';
    item.tooltip = `${item.description} (UTC date)`;
    item.iconPath = new vscode.ThemeIcon('calendar');
    item.contextValue = 'date';
    return item;
  }

  private loadMoreItem(): vscode.TreeItem {
    const failure = this.history.lastFailure;
    const loaded = this.history.collection?.size ?? 0;
    let item: vscode.TreeItem;
    if (this.history.loading) {
      item = new vscode.TreeItem('Loading…');
      item.iconPath = new vscode.ThemeIcon('loading~spin');
    } else if (failure) {
      item = new vscode.TreeItem(`Retry page ${failure.pageIndex + 1}`);
      // The message can quote the server, so it gets the same cleaning as record fields.
      item.description = singleLine(failure.message);
      item.tooltip = `Loading page ${failure.pageIndex + 1} failed: ${stripUnsafe(failure.message)}`;
      item.iconPath = new vscode.ThemeIcon(
        'warning',
        new vscode.ThemeColor('list.warningForeground'),
      );
      item.command = { command: 'tcxc.loadMore', title: 'Retry' };
    } else {
      item = new vscode.TreeItem('Load more');
      item.description = `${loaded} loaded`;
      item.tooltip = `Fetch page ${this.history.pageCount + 1} of this query`;
      item.iconPath = new vscode.ThemeIcon('fold-down');
      item.command = { command: 'tcxc.loadMore', title: 'Load more' };
    }
    item.id = 'loadMore';
    item.contextValue = 'loadMore';
    return item;
  }

  private dateNode(date: string): DateNode {
    let node = this.dateNodes.get(date);
    if (!node) {
      node = new DateNode(date);
      this.dateNodes.set(date, node);
    }
    return node;
  }

  private showMoreNode(parent: DateNode): ShowMoreNode {
    let node = this.showMoreNodes.get(parent.date);
    if (!node || node.parent !== parent) {
      node = new ShowMoreNode(parent);
      this.showMoreNodes.set(parent.date, node);
    }
    return node;
  }

  private cdrNode(cdr: Cdr, parent: DateNode): CdrNode {
    let node = this.cdrNodes.get(cdr.key);
    if (!node || node.cdr !== cdr) {
      node = new CdrNode(cdr, parent);
      this.cdrNodes.set(cdr.key, node);
    }
    return node;
  }

  private onHistoryChange(change: HistoryChange): void {
    if (change.kind === 'reset') {
      this.dateNodes.clear();
      this.cdrNodes.clear();
      this.showMoreNodes.clear();
      this.listedCounts.clear();
      this.changeEmitter.fire();
    } else if (change.kind === 'loading') {
      this.changeEmitter.fire(this.actionRowVisible() ? this.loadMoreNode : undefined);
    } else if (change.newDates.length === 0 && this.actionRowVisible()) {
      // Only existing dates grew: refresh those nodes and the action row, not the whole tree.
      for (const date of change.changedDates) {
        this.changeEmitter.fire(this.dateNode(date));
      }
      this.changeEmitter.fire(this.loadMoreNode);
    } else {
      this.changeEmitter.fire();
    }
  }

  /** Tells whether the action row is shown: "Load more", or "Retry page N" after a failure. */
  private actionRowVisible(): boolean {
    return this.history.hasMore;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

/**
 * Registers {@link SHOW_MORE_COMMAND} for `provider`. The command takes the date, or the "Show
 * more" node when a menu passes the node instead.
 */
export function registerShowMoreCommand(provider: CallHistoryProvider): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_MORE_COMMAND, (target: unknown) => {
    const date = target instanceof ShowMoreNode ? target.parent.date : target;
    if (typeof date === 'string') {
      provider.showMore(date);
    }
  });
}

/** Builds the tree item of one call; exported for tests of hostile and malformed records. */
export function cdrItem(cdr: Cdr): vscode.TreeItem {
  const item = new vscode.TreeItem(singleLine(formatNumber(cdr.cld)) || '(no number)');
  const where = singleLine(cdr.countryName || cdr.billingPrefix) || 'unknown destination';
  const outcome = cdr.answered
    ? `${formatDuration(cdr.durationSeconds ?? 0)} · ${formatMicros(cdr.amountMicros ?? 0n)}`
    : `failed: ${singleLine(formatCause(cdr))}`;
  item.id = `cdr:${cdr.key}`;
  item.description = `${where} · ${outcome}`;
  item.tooltip = cdrTooltip(cdr);
  item.contextValue = cdr.answered ? 'cdr:answered' : 'cdr:failed';
  item.iconPath = cdr.answered
    ? new vscode.ThemeIcon('call-outgoing', new vscode.ThemeColor('charts.green'))
    : new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  if (cdr.problems.length > 0) {
    item.description = `malformed · ${item.description}`;
    item.iconPath = new vscode.ThemeIcon(
      'warning',
      new vscode.ThemeColor('list.warningForeground'),
    );
  }
  item.accessibilityInformation = {
    label: `${cdr.answered ? 'Answered' : 'Failed'} call to ${item.label as string}, ${item.description}`,
  };
  item.command = { command: 'tcxc.showCdr', title: 'Show in CDR Panel', arguments: [cdr.key] };
  return item;
}

/**
 * Builds the hover text as plain text, so Markdown, HTML and links in API values stay inert, and
 * each value is cut to one line.
 */
function cdrTooltip(cdr: Cdr): string {
  const rows: [string, string][] = [
    ['Destination (CLD)', formatNumber(cdr.cld)],
    ['Caller ID (CLI)', formatNumber(cdr.cli)],
    ['Country', cdr.countryName],
    ['Description', cdr.description],
    ['Vendor', cdr.vendorName],
    ['Setup', formatUtc(cdr.setupTime)],
    ['Connect', formatUtc(cdr.connectTime)],
    ['Disconnect', formatUtc(cdr.disconnectTime)],
    ['Duration', `${cdr.durationSeconds ?? '?'} s (billed ${cdr.billedSeconds ?? 0} s)`],
    ['Amount', formatMicros(cdr.amountMicros ?? 0n)],
    ['Cause', formatCause(cdr)],
    ['Call ID', cdr.callId],
  ];
  if (cdr.problems.length > 0) {
    rows.push(['Malformed record', cdr.problems.join('; ')]);
  }
  return rows.map(([name, value]) => `${name}: ${singleLine(value) || '—'}`).join('\n');
}
