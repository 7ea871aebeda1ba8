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
  const list = rawEntries(readAllFilters(), accountName);
  const filters: SavedFilter[] = [];
  const skipped: string[] = [];
  for (const [index, entry] of list.entries()) {
    const filter = parseSavedFilter(entry);
    if (filter) {
      filters.push(filter);
    } else {
      skipped.push(describeEntry(entry, index));
    }
  }
  return { filters, skipped };
}

/**
 * Saves filters under a name for an account, replacing a filter of the same name. Other entries,
 * invalid ones included, stay as they are, so a hand-edited entry is never lost.
 */
export async function saveFilter(accountName: string, filter: SavedFilter): Promise<void> {
  await updateAccountFilters(accountName, (entries) => [
    ...entries.filter((entry) => !entryNamed(entry, filter.name)),
    { name: filter.name, ...filter.request },
  ]);
}

/** Deletes an account's saved filter by name. */
export async function deleteSavedFilter(accountName: string, name: string): Promise<void> {
  await updateAccountFilters(accountName, (entries) =>
    entries.filter((entry) => !entryNamed(entry, name)),
  );
}

/** Deletes every saved filter of an account, as when the account is removed. */
export async function deleteSavedFilters(accountName: string): Promise<void> {
  if (rawEntries(readAllFilters(), accountName).length > 0) {
    await updateAccountFilters(accountName, () => undefined);
  }
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

/** Reads the setting's value as an object of lists; anything else counts as no filters. */
function readAllFilters(): Record<string, unknown> {
  const all = vscode.workspace.getConfiguration(SECTION).get<unknown>(SAVED_FILTERS_SETTING);
  return typeof all === 'object' && all !== null && !Array.isArray(all)
    ? (all as Record<string, unknown>)
    : {};
}

/** Returns an account's entries as stored, whatever their shape; a name such as `__proto__` too. */
function rawEntries(all: Record<string, unknown>, accountName: string): unknown[] {
  const list = Object.hasOwn(all, accountName) ? all[accountName] : undefined;
  return Array.isArray(list) ? list : [];
}

/**
 * Rewrites one account's list in the user settings, leaving every other account's list as it is.
 * A change that returns undefined removes the account's list.
 */
async function updateAccountFilters(
  accountName: string,
  change: (entries: readonly unknown[]) => unknown[] | undefined,
): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown>(SAVED_FILTERS_SETTING)?.globalValue;
  const stored =
    typeof inspected === 'object' && inspected !== null && !Array.isArray(inspected)
      ? (inspected as Record<string, unknown>)
      : {};
  // Copied property by property, so that a name such as `__proto__` stays an ordinary key.
  const all: Record<string, unknown> = {};
  for (const [name, list] of Object.entries(stored)) {
    defineEntry(all, name, list);
  }
  const next = change(rawEntries(stored, accountName));
  if (next === undefined) {
    delete all[accountName];
  } else {
    defineEntry(all, accountName, next);
  }
  await config.update(SAVED_FILTERS_SETTING, all, vscode.ConfigurationTarget.Global);
}

function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function entryNamed(entry: unknown, name: string): boolean {
  const entryName = (entry as { name?: unknown } | null)?.name;
  return (
    typeof entryName === 'string' && entryName.trim().toLowerCase() === name.trim().toLowerCase()
  );
}

function parseSavedFilter(entry: unknown): SavedFilter | undefined {
  if (typeof entry !== 'object' || entry === null) {
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  // A misspelt key, such as `prefx`, would otherwise be dropped and run a broader query.
  if (Object.keys(fields).some((key) => !FILTER_KEYS.has(key))) {
    return undefined;
  }
  const { name, window, from, to, prefix, show, pageSize } = fields;
  if (typeof name !== 'string' || filterNameProblem(name) !== undefined) {
    return undefined;
  }
  if (typeof window !== 'string' || !Object.hasOwn(WINDOW_LABELS, window)) {
    return undefined;
  }
  // A field of the wrong type makes the whole entry invalid: dropping only the field would run
  // a broader query than the one saved.
  const wrongType =
    (from !== undefined && typeof from !== 'string') ||
    (to !== undefined && typeof to !== 'string') ||
    (prefix !== undefined && typeof prefix !== 'string') ||
    (show !== undefined && show !== 'all' && show !== 'bad') ||
    (pageSize !== undefined && typeof pageSize !== 'number');
  if (wrongType) {
    return undefined;
  }
  const request: QueryRequest = {
    window: window as WindowPreset,
    ...(from !== undefined ? { from: from } : {}),
    ...(to !== undefined ? { to: to } : {}),
    ...(prefix !== undefined ? { prefix: prefix } : {}),
    ...(show !== undefined ? { show: show } : {}),
    ...(pageSize !== undefined ? { pageSize: pageSize } : {}),
  };
  try {
    resolveQuery(request, Date.now());
  } catch {
    return undefined;
  }
  return { name: name.trim(), request };
}

/** The keys of a saved filter entry. */
const FILTER_KEYS = new Set(['name', 'window', 'from', 'to', 'prefix', 'show', 'pageSize']);

function describeEntry(entry: unknown, index: number): string {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `"${singleLine(name)}"` : `entry ${index + 1}`;
}

function sameName(filter: SavedFilter, name: string): boolean {
  return filter.name.toLowerCase() === name.trim().toLowerCase();
}
