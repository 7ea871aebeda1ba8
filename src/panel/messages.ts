import { isPanelFilters } from './filters';
import { FromPanel, SortOrder } from './protocol';
import { isColumnId } from './table';

/**
 * Maximum length of a record key accepted from the panel. A record without `i_cdr` is keyed by
 * its whole JSON text, so a key can be as long as a response body (64 MiB at most).
 */
const MAX_KEY_LENGTH = 64 * 1024 * 1024;

/**
 * Checks a message from the panel's script. The webview runs the extension's own script, but a
 * message is still data from another process, so anything malformed is rejected.
 */
export function parseFromPanel(value: unknown): FromPanel | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return isSortOrder(message.sort)
        ? {
            type: 'ready',
            sort: { column: message.sort.column, descending: message.sort.descending },
          }
        : { type: 'ready' };
    case 'sort':
      return isSortOrder(message.sort)
        ? {
            type: 'sort',
            sort: { column: message.sort.column, descending: message.sort.descending },
          }
        : undefined;
    case 'nextRows':
      return Number.isSafeInteger(message.transfer) && (message.transfer as number) >= 0
        ? { type: 'nextRows', transfer: message.transfer as number }
        : undefined;
    case 'loadMore':
    case 'loadAll':
    case 'cancel':
      return { type: message.type };
    case 'apply':
      return isPanelFilters(message.filters)
        ? { type: 'apply', filters: message.filters }
        : undefined;
    case 'select':
    case 'openJson':
    case 'copyCallId':
    case 'copyRecord':
      return typeof message.key === 'string' && message.key.length <= MAX_KEY_LENGTH
        ? { type: message.type, key: message.key }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * True for a sort order: a column id and a direction. `ready` without a valid order is still
 * accepted, and the first rows are then picked newest first.
 */
function isSortOrder(value: unknown): value is SortOrder {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const sort = value as Record<string, unknown>;
  return isColumnId(sort.column) && typeof sort.descending === 'boolean';
}

/** Returns the selected record key in state saved by the panel, if the state contains one. */
export function selectedKeyOf(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) {
    return undefined;
  }
  const key = (state as Record<string, unknown>).selectedKey;
  return typeof key === 'string' && key.length <= MAX_KEY_LENGTH ? key : undefined;
}
