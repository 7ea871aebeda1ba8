import * as vscode from 'vscode';
import { TcxcCredentials } from '../client/client';
import { AuthenticationError, CancelledError, isTcxcError } from '../client/errors';
import { Cdr } from '../model/cdr';
import { formatNumber, inertText, singleLine, stripUnsafe } from '../model/format';
import { QueryRequest, describeRequest, resolveQuery } from '../model/timeWindow';
import { NewAccount, addAccount, chooseAccount, promptNewAccount } from './accountCommands';
import { CdrPanel } from './cdrPanel';
import { CredentialStore, MissingCredentialsError, promptAndStoreCredentials } from './credentials';
import { CallHistory, errorMessage, retryMessage } from './history';
import { exportCdrsCommand } from './exportCommand';
import { CdrDocumentProvider, openCdrDocument } from './jsonDocument';
import { Log } from './log';
import { promptQueryRequest } from './queryInput';
import {
  chooseSavedFilter,
  deleteSavedFilter,
  deleteSavedFilters,
  filterNameProblem,
  readSavedFilters,
  saveFilter,
} from './savedFilters';
import { CdrNode, VIEW_ID } from './tree';

const LAST_REQUEST_KEY = 'tcxc.lastQueryRequest';

/** Everything the command handlers act on. */
export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly credentials: CredentialStore;
  readonly history: CallHistory;
  readonly documents: CdrDocumentProvider;
  readonly treeView: vscode.TreeView<unknown>;
  readonly panel: CdrPanel;
  readonly log: Log;
}

/** Options of a fetch: the panel keeps the focus, and a palette fetch moves it to the tree. */
interface FetchOptions {
  readonly focusTree?: boolean;
}

type Handler = (context: CommandContext, ...args: unknown[]) => Promise<unknown>;

/** Command ids without the `tcxc.` prefix, which {@link registerCommands} adds. */
const COMMANDS: Readonly<Record<string, Handler>> = {
  addAccount: (context, details) => addAccountCommand(context, details as NewAccount | undefined),
  switchAccount: (context, target) => switchAccount(context, target),
  removeAccount: (context, target, options) =>
    removeAccount(context, target, options as RemoveOptions | undefined),
  saveFilter: (context, name) => saveFilterCommand(context, name),
  runSavedFilter: (context, name) => runSavedFilter(context, name),
  deleteSavedFilter: (context, name) => deleteSavedFilterCommand(context, name),
  setCredentials: setCredentials,
  clearCredentials: clearCredentials,
  fetchCdrs: (context, request, options) =>
    fetchCdrs(context, request as QueryRequest | undefined, options as FetchOptions | undefined),
  refresh: refresh,
  loadMore: loadMore,
  loadAllPages: loadAllPages,
  openCdrJson: (context, target) => openCdrJson(context, target),
  openPanel: openPanel,
  showCdr: (context, target) => showCdr(context, target),
  exportCdrs: (context, target) => exportCdrsCommand(context, target),
};

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([name, handler]) =>
    vscode.commands.registerCommand(`tcxc.${name}`, (...args: unknown[]) =>
      handler(context, ...args),
    ),
  );
}

async function setCredentials(context: CommandContext): Promise<TcxcCredentials | undefined> {
  try {
    const credentials = await promptAndStoreCredentials(context.credentials);
    if (credentials) {
      context.log.info('Credentials', `Stored credentials for login ${credentials.login}`);
      void vscode.window.showInformationMessage(
        `TCXC credentials saved for ${inertText(singleLine(credentials.login))}.`,
      );
    }
    return credentials;
  } catch (error) {
    reportError(context, 'Saving the TCXC credentials', error);
    return undefined;
  }
}

async function clearCredentials(context: CommandContext): Promise<void> {
  const clear: vscode.MessageItem = { title: 'Clear' };
  const account = context.credentials.activeAccount;
  const others = context.credentials.accounts.length - 1;
  const accountPart = account ? `of the account ${inertText(singleLine(account.name))} ` : '';
  const othersNote =
    others > 0
      ? ` The ${others === 1 ? 'other account keeps its' : `other ${others} accounts keep their`} credentials.`
      : '';
  const answer = await vscode.window.showWarningMessage(
    `Remove the stored TCXC login and API key ${accountPart}from this machine? The loaded CDRs are ` +
      `cleared too.${othersNote}`,
    { modal: true },
    clear,
  );
  if (answer !== clear) {
    return;
  }
  try {
    await context.credentials.clear();
    context.history.clear();
    context.documents.clear();
    context.log.info('Credentials', 'Cleared the stored credentials');
  } catch (error) {
    reportError(context, 'Clearing the TCXC credentials', error);
  }
}

/** Adds an account from the argument when given, otherwise asked for, and makes it active. */
async function addAccountCommand(
  context: CommandContext,
  argument?: NewAccount,
): Promise<string | undefined> {
  try {
    const details = argument ?? (await promptNewAccount(context.credentials.accounts));
    if (!details) {
      return undefined;
    }
    const account = await addAccount(context.credentials, details);
    context.log.info(
      'Accounts',
      `Added the account ${singleLine(account.name)} (${account.authMethod})`,
    );
    await showAccountRecords(context);
    void vscode.window.showInformationMessage(
      `TCXC account ${inertText(singleLine(account.name))} added and active.`,
    );
    return account.id;
  } catch (error) {
    reportError(context, 'Adding the TCXC account', error);
    return undefined;
  }
}

/** Makes another account active, then runs the shown query again for it. */
async function switchAccount(context: CommandContext, target: unknown): Promise<void> {
  try {
    const account = await chooseAccount(context.credentials, target, 'TCXC: Switch Account');
    if (!account) {
      return;
    }
    await context.credentials.switchTo(account.id);
    context.log.info('Accounts', `Switched to the account ${singleLine(account.name)}`);
    await showAccountRecords(context);
  } catch (error) {
    reportError(context, 'Switching the TCXC account', error);
  }
}

/** Options of "TCXC: Remove Account" for callers that have confirmed the removal already. */
interface RemoveOptions {
  readonly confirmed?: boolean;
}

/** Removes an account and deletes its login and API key, after a confirmation. */
async function removeAccount(
  context: CommandContext,
  target: unknown,
  options: RemoveOptions = {},
): Promise<void> {
  try {
    const account = await chooseAccount(context.credentials, target, 'TCXC: Remove Account');
    if (!account) {
      return;
    }
    if (options.confirmed !== true && !(await confirmRemoval(account.name))) {
      return;
    }
    const wasActive = context.credentials.activeAccount?.id === account.id;
    await context.credentials.removeAccount(account.id);
    await deleteSavedFilters(account.name);
    context.log.info('Accounts', `Removed the account ${singleLine(account.name)}`);
    if (wasActive) {
      await showAccountRecords(context);
    }
  } catch (error) {
    reportError(context, 'Removing the TCXC account', error);
  }
}

async function confirmRemoval(accountName: string): Promise<boolean> {
  const remove: vscode.MessageItem = { title: 'Remove' };
  const answer = await vscode.window.showWarningMessage(
    `Remove the TCXC account ${inertText(singleLine(accountName))} and delete its login and API ` +
      'key from this machine?',
    { modal: true },
    remove,
  );
  return answer === remove;
}

/**
 * Clears records of the previous account, and runs the shown query again when the account now
 * active has credentials, so the tree never lists one account's calls under another's name.
 */
async function showAccountRecords(context: CommandContext): Promise<void> {
  // A query whose first page is still loading counts too: it is run again for the new account.
  const request = context.history.request ?? context.history.loadingRequest;
  context.history.clear();
  context.documents.clear();
  if (request && (await context.credentials.read())) {
    await runQuery(context, request, { focusTree: false });
  }
}

/** Returns the name of the active account, or shows how to add one. */
function activeAccountName(context: CommandContext): string | undefined {
  const account = context.credentials.activeAccount;
  if (!account) {
    void vscode.window.showInformationMessage(
      'No TCXC account exists yet. Run "TCXC: Add Account" or "TCXC: Set Credentials" first.',
    );
  }
  return account?.name;
}

/** Saves the filters of the shown query under a name, given or asked for, for the active account. */
async function saveFilterCommand(context: CommandContext, argument: unknown): Promise<void> {
  const accountName = activeAccountName(context);
  const request = context.history.request;
  if (accountName === undefined) {
    return;
  }
  if (!request) {
    void vscode.window.showInformationMessage(
      'No filters to save yet. Run "TCXC: Fetch CDRs" or apply filters in the CDR panel first.',
    );
    return;
  }
  try {
    const name =
      typeof argument === 'string'
        ? argument
        : await vscode.window.showInputBox({
            title: 'TCXC: Save Current Filters',
            prompt: `Name for "${describeRequest(request)}" (account ${singleLine(accountName)})`,
            ignoreFocusOut: true,
            validateInput: filterNameProblem,
          });
    if (name === undefined) {
      return;
    }
    const problem = filterNameProblem(name);
    if (problem) {
      throw new RangeError(`Invalid filter name: ${problem}`);
    }
    await saveFilter(accountName, { name: name.trim(), request });
    context.log.info(
      'Filters',
      `Saved the filters "${singleLine(name)}" for ${singleLine(accountName)}`,
    );
    void vscode.window.showInformationMessage(
      `Filters saved as "${inertText(singleLine(name.trim()))}". Run them again with ` +
        '"TCXC: Run Saved Filter".',
    );
  } catch (error) {
    reportError(context, 'Saving the filters', error);
  }
}

/** Fetches CDRs with a saved filter of the active account, given by name or picked. */
async function runSavedFilter(context: CommandContext, argument: unknown): Promise<void> {
  const accountName = activeAccountName(context);
  if (accountName === undefined) {
    return;
  }
  try {
    const { skipped } = readSavedFilters(accountName);
    if (skipped.length > 0) {
      context.log.warn(
        'Filters',
        `Left out invalid saved filters of ${singleLine(accountName)}: ${skipped.join(', ')}`,
      );
    }
    const filter = await chooseSavedFilter(accountName, argument, 'TCXC: Run Saved Filter');
    if (filter) {
      await fetchCdrs(context, filter.request);
    }
  } catch (error) {
    reportError(context, 'Running the saved filter', error);
  }
}

async function deleteSavedFilterCommand(context: CommandContext, argument: unknown): Promise<void> {
  const accountName = activeAccountName(context);
  if (accountName === undefined) {
    return;
  }
  try {
    const filter = await chooseSavedFilter(accountName, argument, 'TCXC: Delete Saved Filter');
    if (filter) {
      await deleteSavedFilter(accountName, filter.name);
      context.log.info(
        'Filters',
        `Deleted the saved filter "${singleLine(filter.name)}" of ${singleLine(accountName)}`,
      );
    }
  } catch (error) {
    reportError(context, 'Deleting the saved filter', error);
  }
}

/** Runs a query: from the argument when given (for keybindings), otherwise asked for. */
async function fetchCdrs(
  context: CommandContext,
  argument?: QueryRequest,
  options: FetchOptions = {},
): Promise<void> {
  const credentials = await requireCredentials(context);
  if (!credentials) {
    return;
  }
  const previous = context.extension.globalState.get<QueryRequest>(LAST_REQUEST_KEY);
  const request = argument ?? (await promptQueryRequest(previous));
  if (!request) {
    return;
  }
  try {
    // An argument from a keybinding is checked before it is remembered or sent.
    resolveQuery(request, Date.now());
  } catch (error) {
    reportError(context, 'Fetching CDRs', error);
    return;
  }
  await context.extension.globalState.update(LAST_REQUEST_KEY, request);
  await runQuery(context, request, options);
}

async function refresh(context: CommandContext): Promise<void> {
  const request = context.history.request;
  if (!request) {
    await fetchCdrs(context);
    return;
  }
  if (await requireCredentials(context)) {
    await runQuery(context, request);
  }
}

/** Fetches the first page of a query; the credentials are read when the request is sent. */
async function runQuery(
  context: CommandContext,
  request: QueryRequest,
  options: FetchOptions = {},
): Promise<void> {
  const description = describeRequest(request);
  try {
    const result = await withProgress(context.history, 'Fetching CDRs', (token) =>
      context.history.start(request, token),
    );
    if (options.focusTree !== false) {
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
    }
    context.log.info('Fetch', `${description}: ${result.added.length} CDRs on the first page`);
  } catch (error) {
    reportError(context, 'Fetching CDRs', error, () => runQuery(context, request, options));
  }
}

async function loadMore(context: CommandContext): Promise<void> {
  const { history } = context;
  if (!history.request) {
    await fetchCdrs(context);
    return;
  }
  if (!history.hasMore) {
    void vscode.window.showInformationMessage('All pages of this query are loaded.');
    return;
  }
  try {
    const page = await withProgress(context.history, 'Loading more CDRs', (token) =>
      context.history.loadNextPage(token),
    );
    context.log.info('Fetch', `Page ${page.pageIndex + 1}: ${page.added.length} new CDRs`);
  } catch (error) {
    reportError(context, 'Loading more CDRs', error);
  }
}

/** Loads every remaining page of the shown query, with progress and Cancel. */
async function loadAllPages(context: CommandContext): Promise<void> {
  const { history } = context;
  if (!history.request) {
    await fetchCdrs(context);
    return;
  }
  if (!history.hasMore) {
    void vscode.window.showInformationMessage('All pages of this query are loaded.');
    return;
  }
  try {
    const pages = await withProgress(history, 'Loading all pages', (token, progress) =>
      history.loadAllPages(token, (page) => {
        const loaded = history.collection?.size ?? 0;
        progress.report({ message: `${loaded} CDRs, page ${page.pageIndex + 1}` });
      }),
    );
    context.log.info('Fetch', `Loaded ${pages} more pages; ${history.collection?.size ?? 0} CDRs`);
  } catch (error) {
    reportError(context, 'Loading all pages', error, () => loadAllPages(context));
  }
}

function openPanel(context: CommandContext): Promise<void> {
  context.panel.show();
  return Promise.resolve();
}

/** Shows a record, given as a tree node or a record key, in the CDR panel. */
async function showCdr(context: CommandContext, target: unknown): Promise<void> {
  const cdr =
    target instanceof CdrNode || typeof target === 'string'
      ? await resolveCdr(context, target)
      : undefined;
  if (cdr) {
    context.panel.showCdr(cdr.key, true);
  } else {
    context.panel.show();
  }
}

/** Opens a record given as a tree node or a record key; without one, offers the loaded records. */
async function openCdrJson(context: CommandContext, target: unknown): Promise<void> {
  const cdr = await resolveCdr(context, target);
  if (cdr) {
    await openCdrDocument(context.documents, cdr);
  }
}

async function resolveCdr(context: CommandContext, target: unknown): Promise<Cdr | undefined> {
  if (target instanceof CdrNode) {
    return target.cdr;
  }
  if (typeof target === 'string') {
    return context.history.find(target);
  }
  const selected = context.treeView.selection.find((node) => node instanceof CdrNode);
  if (selected instanceof CdrNode) {
    return selected.cdr;
  }
  return pickLoadedCdr(context);
}

async function pickLoadedCdr(context: CommandContext): Promise<Cdr | undefined> {
  const cdrs = context.history.collection?.all() ?? [];
  if (cdrs.length === 0) {
    void vscode.window.showInformationMessage('No CDRs are loaded. Run "TCXC: Fetch CDRs" first.');
    return undefined;
  }
  const items = cdrs.map((cdr) => ({
    label: inertText(singleLine(formatNumber(cdr.cld))) || '(no number)',
    description: inertText(singleLine(`${cdr.utcDate} · ${cdr.countryName}`)),
    detail: inertText(singleLine(`Call ID ${cdr.callId}`)),
    cdr,
  }));
  const pick = await vscode.window.showQuickPick(items, {
    title: 'TCXC: Open CDR as JSON',
    placeHolder: 'Search by number, country or call ID',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return pick?.cdr;
}

async function requireCredentials(context: CommandContext): Promise<TcxcCredentials | undefined> {
  try {
    const stored = await context.credentials.read();
    if (stored) {
      return stored;
    }
  } catch (error) {
    reportError(context, 'Reading the TCXC credentials', error);
    return undefined;
  }
  const set: vscode.MessageItem = { title: 'Set Credentials' };
  const answer = await vscode.window.showWarningMessage(
    'No TCXC credentials are stored. Set the buyer login and API key to fetch CDRs.',
    set,
  );
  return answer === set ? setCredentials(context) : undefined;
}

/**
 * Runs a task under a notification with Cancel. While the client waits to retry a failed request,
 * the notification shows why and for how long, so a long wait is not a silent spinner.
 */
function withProgress<T>(
  history: CallHistory,
  title: string,
  task: (
    token: vscode.CancellationToken,
    progress: vscode.Progress<{ message?: string }>,
  ) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `TCXC: ${title}`, cancellable: true },
    async (progress, token) => {
      const retries = history.onDidScheduleRetry((notice) => {
        progress.report({ message: retryMessage(notice) });
      });
      try {
        return await task(token, progress);
      } finally {
        retries.dispose();
      }
    },
  );
}

/**
 * Logs a failure and shows it as "<operation> failed: <reason>" with the actions that fit, without
 * waiting for the user's choice. A cancellation is logged only.
 */
function reportError(
  context: CommandContext,
  operation: string,
  error: unknown,
  retry?: () => Promise<void>,
): void {
  if (error instanceof CancelledError) {
    context.log.info('Fetch', `${operation} was cancelled`);
    return;
  }
  if (!isTcxcError(error)) {
    // The client has already logged its own failures; anything else is logged here with its stack.
    context.log.error('Commands', `${operation} failed`, error);
  }
  const openLog: vscode.MessageItem = { title: 'Open Log' };
  const setCredentialsAction: vscode.MessageItem = { title: 'Set Credentials' };
  const retryAction: vscode.MessageItem = { title: 'Retry' };
  const actions = [
    ...(error instanceof AuthenticationError || error instanceof MissingCredentialsError
      ? [setCredentialsAction]
      : []),
    ...(retry ? [retryAction] : []),
    openLog,
  ];
  const notification = vscode.window.showErrorMessage(
    `${operation} failed: ${inertText(stripUnsafe(errorMessage(error)))}`,
    ...actions,
  );
  void notification.then(async (answer) => {
    if (answer === openLog) {
      context.log.show();
    } else if (answer === setCredentialsAction) {
      await setCredentials(context);
    } else if (answer === retryAction && retry) {
      await retry();
    }
  });
}
