import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, isTcxcError } from '../client/errors';
import { ExportError, ExportResult, exportCdrs } from '../export/exporter';
import { ExportTarget, defaultExportName, formatOfFile, parseExportTarget } from '../export/target';
import { inertText } from '../model/format';
import type { CommandContext } from './commands';
import { CallHistory, errorMessage, retryMessage } from './history';

type ExportSource = ReturnType<CallHistory['exportSource']>;

/** Targets of the exports that are running, so two exports never write the same file. */
const runningExports = new Set<string>();

/**
 * "TCXC: Export CDRs": writes every record of the shown query, all pages, to a CSV or JSON Lines
 * file. `argument` is `{ file, format }` to skip the save dialog, for tests and keybindings.
 * Resolves with the result, or undefined when the user cancelled or the export failed, after
 * showing why.
 */
export async function exportCdrsCommand(
  context: CommandContext,
  argument?: unknown,
): Promise<ExportResult | undefined> {
  let target: ExportTarget | undefined;
  let source: ExportSource;
  try {
    source = context.history.exportSource();
    target = argument === undefined ? await pickTarget() : parseExportTarget(argument);
  } catch (error) {
    reportFailure(context, error);
    return undefined;
  }
  return target ? runExclusive(context, target, source) : undefined;
}

/** Runs one export unless another export to the same file is running. */
async function runExclusive(
  context: CommandContext,
  target: ExportTarget,
  source: ExportSource,
): Promise<ExportResult | undefined> {
  const key = path.resolve(target.file);
  if (runningExports.has(key)) {
    void vscode.window.showWarningMessage(
      `An export to ${inertText(path.basename(target.file))} is already running.`,
    );
    return undefined;
  }
  runningExports.add(key);
  try {
    return await runExport(context, target, source);
  } finally {
    runningExports.delete(key);
  }
}

/** Exports with a cancellable progress notification, then reports the outcome. */
async function runExport(
  context: CommandContext,
  target: ExportTarget,
  { query, pageSize, source }: ExportSource,
): Promise<ExportResult | undefined> {
  const { file, format } = target;
  context.log.info('Export', `Exporting CDRs as ${format} to ${file}, pages of ${pageSize}`);
  try {
    const result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: 'TCXC: Exporting CDRs',
        cancellable: true,
      },
      async (progress, token) => {
        const abort = new AbortController();
        const cancellation = token.onCancellationRequested(() => abort.abort());
        const retries = context.history.onDidScheduleRetry((notice) =>
          progress.report({ message: retryMessage(notice) }),
        );
        try {
          return await exportCdrs({
            source,
            query,
            pageSize,
            format,
            file,
            signal: abort.signal,
            onProgress: ({ records, pages }) =>
              progress.report({ message: `${records} CDRs, page ${pages}` }),
          });
        } finally {
          cancellation.dispose();
          retries.dispose();
        }
      },
    );
    context.log.info(
      'Export',
      `Exported ${result.records} CDRs in ${result.pages} pages to ${file}`,
    );
    void reportSuccess(result);
    return result;
  } catch (error) {
    // A retry exports the same time range, with the end fixed when the first attempt started.
    reportFailure(context, error, () => runExclusive(context, target, { query, pageSize, source }));
    return undefined;
  }
}

/** Asks where to save; the file name's extension picks the format. */
async function pickTarget(): Promise<ExportTarget | undefined> {
  const folder = vscode.workspace.workspaceFolders?.find((entry) => entry.uri.scheme === 'file');
  const directory = folder?.uri.fsPath ?? os.homedir();
  const uri = await vscode.window.showSaveDialog({
    title: 'TCXC: Export CDRs',
    saveLabel: 'Export',
    defaultUri: vscode.Uri.file(path.join(directory, defaultExportName(new Date(), 'csv'))),
    filters: { CSV: ['csv'], 'JSON Lines': ['jsonl'] },
  });
  if (!uri) {
    return undefined;
  }
  if (uri.scheme !== 'file') {
    throw new Error(
      `Cannot export to ${uri.toString()}: pick a file on this computer's disk (a file: URI)`,
    );
  }
  return parseExportTarget({ file: uri.fsPath, format: formatOfFile(uri.fsPath) });
}

async function reportSuccess(result: ExportResult): Promise<void> {
  const open: vscode.MessageItem = { title: 'Open File' };
  const noun = result.records === 1 ? 'CDR' : 'CDRs';
  const answer = await vscode.window.showInformationMessage(
    `Exported ${result.records} ${noun} to ${inertText(path.basename(result.file))}.`,
    open,
  );
  if (answer === open) {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.file));
  }
}

/**
 * Logs a failed export and shows it with Retry and Open Log, without waiting for the user's
 * choice. A cancellation is logged only.
 */
function reportFailure(
  context: CommandContext,
  error: unknown,
  retry?: () => Promise<unknown>,
): void {
  if (error instanceof CancelledError) {
    context.log.info('Export', 'Exporting CDRs was cancelled; no file was written');
    return;
  }
  const cause = error instanceof ExportError ? error.cause : error;
  if (isTcxcError(cause)) {
    // The client has logged its own failures already.
    context.log.warn('Export', `Exporting CDRs failed: ${errorMessage(error)}`);
  } else {
    context.log.error('Export', 'Exporting CDRs failed', error);
  }
  const unchanged = error instanceof ExportError ? ' The target file was not changed.' : '';
  const openLog: vscode.MessageItem = { title: 'Open Log' };
  const retryAction: vscode.MessageItem = { title: 'Retry' };
  const actions = retry ? [retryAction, openLog] : [openLog];
  const notification = vscode.window.showErrorMessage(
    `Exporting CDRs failed: ${inertText(errorMessage(error))}${unchanged}`,
    ...actions,
  );
  void notification.then(async (answer) => {
    if (answer === openLog) {
      context.log.show();
    } else if (answer === retryAction && retry) {
      await retry();
    }
  });
}
