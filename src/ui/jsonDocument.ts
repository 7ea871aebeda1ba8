import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { Cdr, formatRecordJson } from '../model/cdr';

export const CDR_SCHEME = 'tcxc-cdr';

/** Documents kept for reopening; the oldest is dropped past this count. */
const MAX_DOCUMENTS = 500;

/**
 * Serves raw CDRs as read-only JSON documents under the `tcxc-cdr:` scheme. Virtual documents
 * have no file behind them, so VS Code opens them read-only and shows no save prompt on close.
 */
export class CdrDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly records = new Map<string, Cdr>();

  /** Returns the document URI of a record and remembers the record for that URI. */
  uriFor(cdr: Cdr): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: CDR_SCHEME, path: `/${documentName(cdr)}.json` });
    const id = uri.toString();
    this.records.delete(id);
    this.records.set(id, cdr);
    if (this.records.size > MAX_DOCUMENTS) {
      const oldest = this.records.keys().next().value as string;
      this.records.delete(oldest);
    }
    this.changeEmitter.fire(uri);
    return uri;
  }

  /** Forgets every record, so open documents show that the record is no longer loaded. */
  clear(): void {
    const uris = [...this.records.keys()];
    this.records.clear();
    for (const uri of uris) {
      this.changeEmitter.fire(vscode.Uri.parse(uri));
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const cdr = this.records.get(uri.toString());
    if (!cdr) {
      return `${JSON.stringify({ error: 'This CDR is no longer loaded. Fetch it again in the TCXC view.' }, null, 2)}\n`;
    }
    return `${formatRecordJson(cdr.raw)}\n`;
  }

  dispose(): void {
    this.changeEmitter.dispose();
    this.records.clear();
  }
}

/** Builds a file name that is safe in a URI whatever the record contains: `cdr-77` or a hash. */
function documentName(cdr: Cdr): string {
  if (cdr.iCdr && /^[\w-]{1,40}$/.test(cdr.iCdr)) {
    return `cdr-${cdr.iCdr}`;
  }
  return `cdr-${createHash('sha256').update(cdr.key).digest('hex').slice(0, 16)}`;
}

/** Opens a record as a JSON document in a regular, non-preview editor. */
export async function openCdrDocument(
  provider: CdrDocumentProvider,
  cdr: Cdr,
): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(provider.uriFor(cdr));
  const json =
    document.languageId === 'json'
      ? document
      : await vscode.languages.setTextDocumentLanguage(document, 'json');
  return vscode.window.showTextDocument(json, { preview: false });
}
