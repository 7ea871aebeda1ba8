import * as vscode from 'vscode';
import { ShowFilter } from '../client/query';
import {
  QueryRequest,
  WINDOW_LABELS,
  WindowPreset,
  normalizePrefix,
  parseUserDate,
} from '../model/timeWindow';
import { isValidPrefix } from '../client/query';
import { formatApiDate } from '../client/query';

interface WindowItem extends vscode.QuickPickItem {
  readonly preset: WindowPreset;
}

interface ShowItem extends vscode.QuickPickItem {
  readonly show: ShowFilter;
}

const TITLE = 'TCXC: Fetch CDRs';

/**
 * Asks for the time window, destination prefix and call filter, starting from the previous
 * choices. Returns undefined when the user cancels any step.
 */
export async function promptQueryRequest(
  previous?: QueryRequest,
): Promise<QueryRequest | undefined> {
  const window = await pickWindow(previous?.window);
  if (!window) {
    return undefined;
  }
  let range: { from: string; to: string } | undefined;
  if (window === 'custom') {
    range = await promptCustomRange(previous);
    if (!range) {
      return undefined;
    }
  }
  const prefix = await vscode.window.showInputBox({
    title: `${TITLE}: destination prefix`,
    prompt: 'Destination prefix, for example 44 for the U.K. Leave empty for all destinations.',
    value: previous?.prefix ?? '',
    ignoreFocusOut: true,
    validateInput: (value) =>
      isValidPrefix(normalizePrefix(value)) ? undefined : 'Use digits only, such as 44 or 1201.',
  });
  if (prefix === undefined) {
    return undefined;
  }
  const show = await pickShow(previous?.show);
  if (!show) {
    return undefined;
  }
  return { window, ...range, prefix: normalizePrefix(prefix), show };
}

async function pickWindow(previous: WindowPreset | undefined): Promise<WindowPreset | undefined> {
  const items: WindowItem[] = (Object.keys(WINDOW_LABELS) as WindowPreset[]).map((preset) => ({
    preset,
    label: WINDOW_LABELS[preset],
    description: preset === previous ? 'last used' : undefined,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: `${TITLE}: time window`,
    placeHolder: 'Which calls to fetch, by connect time in UTC',
    ignoreFocusOut: true,
  });
  return pick?.preset;
}

async function promptCustomRange(
  previous: QueryRequest | undefined,
): Promise<{ from: string; to: string } | undefined> {
  const hint = 'YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, in UTC';
  const from = await vscode.window.showInputBox({
    title: `${TITLE}: start (UTC)`,
    prompt: `Start of the range, ${hint}`,
    value: previous?.from ?? formatApiDate(new Date(Date.now() - 86_400_000)).slice(0, 10),
    ignoreFocusOut: true,
    validateInput: (value) => (parseUserDate(value) ? undefined : `Invalid date: use ${hint}.`),
  });
  if (from === undefined) {
    return undefined;
  }
  const start = parseUserDate(from) as Date;
  const to = await vscode.window.showInputBox({
    title: `${TITLE}: end (UTC)`,
    prompt: `End of the range, ${hint}`,
    value: previous?.to ?? formatApiDate(new Date()),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const end = parseUserDate(value, true);
      if (!end) {
        return `Invalid date: use ${hint}.`;
      }
      return end.getTime() < start.getTime() ? 'The end is before the start.' : undefined;
    },
  });
  return to === undefined ? undefined : { from: from.trim(), to: to.trim() };
}

async function pickShow(previous: ShowFilter | undefined): Promise<ShowFilter | undefined> {
  const items: ShowItem[] = [
    { show: 'all', label: 'All calls', detail: 'Answered and failed calls' },
    { show: 'bad', label: 'Failed calls only' },
  ];
  const pick = await vscode.window.showQuickPick(
    previous === 'bad' ? [items[1], items[0]] : items,
    { title: `${TITLE}: calls`, ignoreFocusOut: true },
  );
  return pick?.show;
}
