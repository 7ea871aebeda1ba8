import * as vscode from 'vscode';
import { inertText, singleLine } from '../model/format';
import { formatCount } from '../panel/table';
import { CredentialStore } from './credentials';
import { CallHistory } from './history';

/** Id of the status bar item, which users can hide from the status bar's context menu. */
export const STATUS_ITEM_ID = 'tcxc.status';

/** Content of the status bar item, kept apart from VS Code so that tests can read it. */
export interface StatusContent {
  readonly text: string;
  readonly tooltip: string;
  readonly warning: boolean;
}

/**
 * The status bar item: the active account and the last fetch (its time, the CDRs loaded and the
 * ASR), or a warning when the last fetch failed. A click opens the CDR panel.
 */
export class TcxcStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[];
  private current: StatusContent | undefined;

  constructor(
    private readonly credentials: CredentialStore,
    private readonly history: CallHistory,
  ) {
    this.item = vscode.window.createStatusBarItem(
      STATUS_ITEM_ID,
      vscode.StatusBarAlignment.Left,
      10,
    );
    this.item.name = 'TCXC';
    this.item.command = { command: 'tcxc.openPanel', title: 'Open CDR Panel' };
    this.subscriptions = [
      credentials.onDidChange(() => this.update()),
      history.onDidChange(() => this.update()),
    ];
    this.update();
  }

  /** The content shown now. */
  get content(): StatusContent | undefined {
    return this.current;
  }

  update(): void {
    const account = this.history.account ?? this.credentials.activeAccount;
    if (!account) {
      this.current = undefined;
      this.item.hide();
      return;
    }
    const content = statusContent(account.name, this.history);
    this.current = content;
    this.item.text = content.text;
    this.item.tooltip = content.tooltip;
    this.item.backgroundColor = content.warning
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.item.dispose();
  }
}

/** Builds the text, tooltip and state of the status bar item for an account and its history. */
export function statusContent(accountName: string, history: CallHistory): StatusContent {
  const name = inertText(singleLine(accountName));
  const last = history.lastFetchRecord;
  const failure = history.lastQueryFailure?.message ?? history.lastFailure?.message;
  if (last?.failed && failure !== undefined) {
    return {
      text: `$(warning) TCXC ${name}: fetch failed`,
      tooltip:
        `TCXC account ${name}. The last fetch, at ${clock(last.at)} UTC, failed: ` +
        `${inertText(singleLine(failure))}\nClick to open the CDR panel.`,
      warning: true,
    };
  }

  const collection = history.collection;
  if (!last || !collection) {
    return {
      text: `$(call-incoming) TCXC ${name}`,
      tooltip: `TCXC account ${name}. Nothing fetched yet.\nClick to open the CDR panel.`,
      warning: false,
    };
  }

  // Date groups cache their totals, so a new page recounts only the dates it changed.
  let calls = 0;
  let answered = 0;
  for (const group of collection.groups()) {
    calls += group.totals.calls;
    answered += group.totals.answered;
  }
  const totals = { calls, answered };
  const asr = totals.calls === 0 ? '-' : `${((100 * totals.answered) / totals.calls).toFixed(1)}%`;
  const cdrs = formatCount(totals.calls);
  if (history.request?.show === 'bad') {
    // A query of failed calls only has no meaningful ASR.
    return {
      text: `$(call-incoming) TCXC ${name} · ${cdrs} failed calls`,
      tooltip:
        `TCXC account ${name}. Last fetch at ${clock(last.at)} UTC: ${cdrs} failed calls ` +
        'loaded.\nClick to open the CDR panel.',
      warning: false,
    };
  }
  return {
    text: `$(call-incoming) TCXC ${name} · ${cdrs} CDRs · ASR ${asr}`,
    tooltip:
      `TCXC account ${name}. Last fetch at ${clock(last.at)} UTC: ${cdrs} CDRs loaded, ` +
      `${formatCount(totals.answered)} answered (ASR ${asr}).\nClick to open the CDR panel.`,
    warning: false,
  };
}

function clock(date: Date): string {
  return date.toISOString().slice(11, 19);
}
