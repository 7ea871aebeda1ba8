/**
 * Typed access to the webview host: messages to the extension and the state VS Code keeps while
 * the panel is hidden or the window reloads.
 */
import { isPanelFilters } from '../panel/filters';
import type { FromPanel, PanelState } from '../panel/protocol';
import { isColumnId } from '../panel/table';

/** The object that VS Code's `acquireVsCodeApi` returns inside a webview. */
interface WebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): WebviewApi;

export interface PanelHost {
  post(message: FromPanel): void;
  /** The saved state, or undefined when there is none or it does not have the expected shape. */
  loadState(): PanelState | undefined;
  saveState(state: PanelState): void;
}

/** Connects to the host. VS Code allows one call per page load, so call this once. */
export function connectHost(): PanelHost {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    loadState: () => {
      const state = api.getState();
      return isPanelState(state) ? state : undefined;
    },
    saveState: (state) => api.setState(state),
  };
}

/** True for a value with the shape of {@link PanelState}; the filter values are unchecked. */
export function isPanelState(value: unknown): value is PanelState {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const state = value as Record<string, unknown>;
  const sort = state.sort as Record<string, unknown> | null | undefined;
  return (
    isPanelFilters(state.filters) &&
    typeof state.search === 'string' &&
    typeof sort === 'object' &&
    sort !== null &&
    isColumnId(sort.column) &&
    typeof sort.descending === 'boolean' &&
    (state.selectedKey === null || typeof state.selectedKey === 'string') &&
    (state.formEdited === undefined || typeof state.formEdited === 'boolean')
  );
}
