import * as vscode from 'vscode';
import { singleLine } from './model/format';
import { PANEL_VIEW_TYPE } from './panel/protocol';
import { CdrPanel } from './ui/cdrPanel';
import { CredentialStore, HAS_ACCOUNTS_CONTEXT, HAS_CREDENTIALS_CONTEXT } from './ui/credentials';
import { CallHistory } from './ui/history';
import { CDR_SCHEME, CdrDocumentProvider } from './ui/jsonDocument';
import { Log } from './ui/log';
import { RequestSettings, readRequestSettings } from './ui/settings';
import { TcxcStatusBar } from './ui/statusBar';
import { registerCommands } from './ui/commands';
import {
  CallHistoryProvider,
  CdrNode,
  HAS_HISTORY_CONTEXT,
  HistoryNode,
  VIEW_ID,
  registerShowMoreCommand,
  viewMessage,
} from './ui/tree';

/** The live objects that `activate` returns, for integration tests and other extensions. */
export interface TcxcExtensionApi {
  readonly credentials: CredentialStore;
  readonly history: CallHistory;
  readonly tree: CallHistoryProvider;
  readonly treeView: vscode.TreeView<HistoryNode>;
  readonly documents: CdrDocumentProvider;
  readonly panel: CdrPanel;
  readonly statusBar: TcxcStatusBar;
}

/**
 * Wires the extension together. Activation makes no request: it only registers views and commands
 * and checks whether credentials are stored.
 */
export function activate(context: vscode.ExtensionContext): TcxcExtensionApi {
  const log = new Log();
  context.subscriptions.push(log);
  try {
    return activateWithLog(context, log);
  } catch (error) {
    log.error('Activation', 'Activation failed', error);
    void vscode.window.showErrorMessage(
      `TCXC failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    throw error;
  }
}

function activateWithLog(context: vscode.ExtensionContext, log: Log): TcxcExtensionApi {
  const credentials = new CredentialStore(context.secrets, context.globalState);
  // The endpoint of the active account replaces the setting when the account has its own.
  const readSettings = (): RequestSettings => {
    const settings = readRequestSettings();
    return { ...settings, endpoint: credentials.activeAccount?.endpoint ?? settings.endpoint };
  };
  const history = new CallHistory(log, () => credentials.readActive(), readSettings);
  const tree = new CallHistoryProvider(history);
  const documents = new CdrDocumentProvider();
  const treeView = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const panel = new CdrPanel(
    context.extensionUri,
    history,
    credentials,
    log,
    () => readRequestSettings().pageSize,
  );
  const statusBar = new TcxcStatusBar(credentials, history);
  context.subscriptions.push(
    credentials,
    statusBar,
    history,
    tree,
    registerShowMoreCommand(tree),
    documents,
    treeView,
    panel,
    vscode.workspace.registerTextDocumentContentProvider(CDR_SCHEME, documents),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: (webviewPanel, state: unknown) => {
        panel.revive(webviewPanel, state);
        return Promise.resolve();
      },
    }),
    ...registerCommands({
      extension: context,
      credentials,
      history,
      documents,
      treeView,
      panel,
      log,
    }),
    // Moving through the tree with the keyboard shows each call in the open panel.
    treeView.onDidChangeSelection(({ selection }) => {
      const node = selection.find((item) => item instanceof CdrNode);
      if (node instanceof CdrNode) {
        panel.showCdr(node.cdr.key, false);
      }
    }),
    credentials.onDidChange(
      () => void updateCredentialsContext(credentials, history, treeView, log),
    ),
    history.onDidChange(() => {
      treeView.message = viewMessage(history);
      treeView.description = accountLabel(history, credentials);
      void vscode.commands.executeCommand('setContext', HAS_HISTORY_CONTEXT, history.pageCount > 0);
    }),
  );
  void updateCredentialsContext(credentials, history, treeView, log);
  return { credentials, history, tree, treeView, documents, panel, statusBar };
}

async function updateCredentialsContext(
  credentials: CredentialStore,
  history: CallHistory,
  treeView: vscode.TreeView<HistoryNode>,
  log: Log,
): Promise<void> {
  try {
    const stored = await credentials.read();
    // The tree names the account whose calls it lists, or the active account before a fetch.
    treeView.description = accountLabel(history, credentials);
    await vscode.commands.executeCommand(
      'setContext',
      HAS_CREDENTIALS_CONTEXT,
      stored !== undefined,
    );
    await vscode.commands.executeCommand(
      'setContext',
      HAS_ACCOUNTS_CONTEXT,
      credentials.accounts.length > 0,
    );
  } catch (error) {
    log.error('Credentials', 'Reading the stored credentials failed', error);
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** Names the account whose calls the tree lists, or the active account before a fetch. */
function accountLabel(history: CallHistory, credentials: CredentialStore): string | undefined {
  const name = history.account?.name ?? credentials.activeAccount?.name;
  return name === undefined ? undefined : singleLine(name);
}
