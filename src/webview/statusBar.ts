/**
 * The line under the filters: what query is shown, how much of it is loaded, whether a page is
 * loading, the last error, and the paging buttons.
 */
import { stripUnsafe } from '../model/format';
import type { PanelStatus } from '../panel/protocol';
import { formatQuantity, h, replaceChildren } from './dom';

export interface StatusBarEvents {
  onLoadMore(): void;
  onLoadAll(): void;
  onCancel(): void;
}

export class StatusBar {
  readonly element: HTMLDivElement;
  private readonly summary: HTMLDivElement;
  private readonly progress: HTMLDivElement;
  private readonly error: HTMLDivElement;
  private readonly hint: HTMLDivElement;
  private readonly loadMore: HTMLButtonElement;
  private readonly loadAll: HTMLButtonElement;
  private readonly cancel: HTMLButtonElement;

  constructor(events: StatusBarEvents) {
    this.summary = h('div', { class: 'status-summary' }, 'Waiting for the extension…');
    this.progress = h('div', { class: 'status-progress', hidden: true });
    this.error = h('div', { class: 'status-error', role: 'alert', hidden: true });
    this.hint = h(
      'div',
      { class: 'status-hint', hidden: true },
      'No TCXC credentials are stored. Run “TCXC: Set Credentials” from the Command Palette, ' +
        'then apply the filters.',
    );
    this.loadMore = h('button', { type: 'button', class: 'button-secondary' }, 'Load next page');
    this.loadAll = h('button', { type: 'button', class: 'button-secondary' }, 'Load all pages');
    this.cancel = h(
      'button',
      { type: 'button', class: 'button-secondary', hidden: true },
      'Cancel',
    );
    this.loadMore.disabled = true;
    this.loadAll.disabled = true;
    this.loadMore.addEventListener('click', () => events.onLoadMore());
    this.loadAll.addEventListener('click', () => events.onLoadAll());
    this.cancel.addEventListener('click', () => events.onCancel());

    this.element = h(
      'div',
      { class: 'status-bar' },
      h(
        'div',
        { class: 'status-text', role: 'status', 'aria-live': 'polite' },
        this.summary,
        this.progress,
      ),
      h('div', { class: 'status-actions' }, this.loadMore, this.loadAll, this.cancel),
      this.error,
      this.hint,
    );
  }

  update(status: PanelStatus): void {
    const loading = status.loading !== 'idle';
    const parts: string[] = [];
    const description = stripUnsafe(status.description);
    if (description !== '') {
      parts.push(description);
    }
    const loaded = formatQuantity(status.loaded, 'CDR');
    parts.push(`${loaded} loaded in ${formatQuantity(status.pages, 'page')}`);
    if (status.capped) {
      const limit = status.capped.limit.toLocaleString('en-US');
      parts.push(`stopped at the limit of ${limit} CDRs in memory; export to get them all`);
    } else if (status.hasMore) {
      parts.push('more available');
    } else if (status.pages > 0 && !loading) {
      parts.push('all pages loaded');
    }
    this.summary.textContent = parts.join(' · ');

    this.progress.hidden = !loading;
    replaceChildren(
      this.progress,
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      loadingText(status),
    );
    this.element.classList.toggle('loading', loading);
    this.element.setAttribute('aria-busy', String(loading));

    this.error.hidden = status.error === null;
    this.error.textContent = stripUnsafe(status.error ?? '');
    this.hint.hidden = status.hasCredentials;

    const canLoad = status.hasMore && !status.capped && !loading;
    this.loadMore.disabled = !canLoad;
    this.loadAll.disabled = !canLoad;
    this.cancel.hidden = !loading;
  }
}

function loadingText(status: PanelStatus): string {
  if (status.loading === 'all') {
    return 'Loading all pages…';
  }
  return status.pages === 0 ? 'Loading the first page…' : 'Loading the next page…';
}
