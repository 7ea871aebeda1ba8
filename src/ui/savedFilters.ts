import * as vscode from 'vscode';
import { inertText, singleLine } from '../model/format';
import {
  QueryRequest,
  WINDOW_LABELS,
  WindowPreset,
  describeRequest,
  resolveQuery,
} from '../model/timeWindow';
import { SECTION } from './settings';

/** Name of the setting, under `tcxc.`, that keeps saved filters per account name. */
export const SAVED_FILTERS_SETTING = 'savedFilters';

/** Maximum length of a saved filter's name. */
export const MAX_FILTER_NAME_LENGTH = 60;

/** A named set of filters, stored in settings. It contains no secret, only the query's filters. */
export interface SavedFilter {
  readonly name: string;
  readonly request: QueryRequest;
}

/**
 * Reads the saved filters of one account from the `tcxc.savedFilters` setting. An entry of the
 * wrong shape, or whose filters are invalid, is left out and named in `skipped`, so one hand-edited
 * mistake does not hide the others.
 */
export function readSavedFilters(accountName: string): {
  filters: SavedFilter[];
  skipped: string[];
} {
  const all = vscode.workspace.getConfiguration(SECTION).get<unknown>(SAVED_FILTERS_SETTING);
  const entries = typeof all === 'object' && all !== null ? (all as Record<string, unknown>) : {};
  const list = entries[accountName];
  const filters: SavedFilter[] = [];
  const skipped: string[] = [];
  for (const [index, entry] of (Array.isArray(list) ? list : []).entries()) {
    const filter = parseSavedFilter(entry);
    if (filter) {
      filters.push(filter);
    } else {
      skipped.push(describeEntry(entry, index));
    }
  }
  return { filters, skipped };
}

/** Saves filters under a name for an account, replacing a filter of the same name. */
export async function saveFilter(accountName: string, filter: SavedFilter): Promise<void> {
  await updateAccountFilters(accountName, (filters) => [
    ...filters.filter((entry) => !sameName(entry, filter.name)),
    filter,
  ]);
}

/** Deletes an account's saved filter by name. */
export async function deleteSavedFilter(accountName: string, name: string): Promise<void> {
  await updateAccountFilters(accountName, (filters) =>
    filters.filter((entry) => !sameName(entry, name)),
  );
}

/** Returns why a filter name cannot be used, or undefined when it can. */
export function filterNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) {
    return 'Enter a name, such as "UK mobile, failed calls".';
  }
  if (trimmed.length > MAX_FILTER_NAME_LENGTH) {
    return `Use at most ${MAX_FILTER_NAME_LENGTH} characters.`;
  }
  return undefined;
}

/**
 * Finds a saved filter by name, regardless of case, or shows a picker. Returns
 * undefined when the user cancels, and throws when a given name matches no filter.
 */
export async function chooseSavedFilter(
  accountName: string,
  target: unknown,
  title: string,
): Promise<SavedFilter | undefined> {
  const { filters } = readSavedFilters(accountName);
  if (typeof target === 'string') {
    const found = filters.find((filter) => sameName(filter, target));
    if (!found) {
      throw new RangeError(
        `The account ${singleLine(accountName)} has no saved filter named "${singleLine(target)}"`,
      );
    }
    return found;
  }
  if (filters.length === 0) {
    void vscode.window.showInformationMessage(
      `The account ${inertText(singleLine(accountName))} has no saved filters yet. Fetch CDRs, ` +
        'then run "TCXC: Save Current Filters".',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    filters.map((filter) => ({
      label: inertText(singleLine(filter.name)),
      description: inertText(singleLine(describeRequest(filter.request))),
      filter,
    })),
    { title, placeHolder: `Saved filters of ${singleLine(accountName)}` },
  );
  return pick?.filter;
}

async function updateAccountFilters(
  accountName: string,
  change: (filters: readonly SavedFilter[]) => SavedFilter[],
): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown>(SAVED_FILTERS_SETTING)?.globalValue;
  const all =
    typeof inspected === 'object' && inspected !== null
      ? { ...(inspected as Record<string, unknown>) }
      : {};
  const current = readSavedFilters(accountName).filters;
  all[accountName] = change(current).map((filter) => ({ name: filter.name, ...filter.request }));
  await config.update(SAVED_FILTERS_SETTING, all, vscode.ConfigurationTarget.Global);
}

function parseSavedFilter(entry: unknown): SavedFilter | undefined {
  if (typeof entry !== 'object' || entry === null) {
    return undefined;
  }
  const { name, window, from, to, prefix, show, pageSize } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || filterNameProblem(name) !== undefined) {
    return undefined;
  }
  if (typeof window !== 'string' || !Object.hasOwn(WINDOW_LABELS, window)) {
    return undefined;
  }
  const request: QueryRequest = {
    window: window as WindowPreset,
    ...(typeof from === 'string' ? { from } : {}),
    ...(typeof to === 'string' ? { to } : {}),
    ...(typeof prefix === 'string' ? { prefix } : {}),
    ...(show === 'all' || show === 'bad' ? { show } : {}),
    ...(typeof pageSize === 'number' ? { pageSize } : {}),
  };
  try {
    resolveQuery(request, Date.now());
  } catch {
    return undefined;
  }
  return { name: name.trim(), request };
}

function describeEntry(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `"${singleLine(name)}"` : `entry ${index + 1}`;
}

function sameName(filter: SavedFilter, name: string): boolean {
  return filter.name.toLowerCase() === name.trim().toLowerCase();
}
