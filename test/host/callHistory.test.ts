import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TcxcExtensionApi } from '../../src/extension';
import { CredentialStore, SecretStorageUnavailableError } from '../../src/ui/credentials';
import { readRequestSettings } from '../../src/ui/settings';
import { TcxcClient } from '../../src/client/client';
import { toCdr } from '../../src/model/cdr';
import { cdrItem, type HistoryNode } from '../../src/ui/tree';
import {
  MemoryMemento,
  activateExtension,
  apiKey,
  login,
  waitForLoopbackEndpoint,
} from './helpers';

/** Fetches one record straight from the emulator with a client of the test's own. */
async function fetchFromEmulator(iCdr: string): Promise<unknown> {
  const endpoint = vscode.workspace.getConfiguration('tcxc').get<string>('endpoint') ?? '';
  const client = new TcxcClient({ endpoint, credentials: { login, apiKey } });
  try {
    const query = {
      show: 'all',
      dateFrom: new Date(Date.now() - 8 * 86_400_000),
      dateTo: new Date(),
    } as const;
    const page = await client.fetchPage(query);
    return page.records.find((record) => (record as { i_cdr?: unknown }).i_cdr === iCdr);
  } finally {
    await client.dispose();
  }
}

function kinds(nodes: HistoryNode[]): string[] {
  return nodes.map((node) => node.kind);
}

async function fetchLastWeek(): Promise<void> {
  await waitForLoopbackEndpoint();
  await vscode.commands.executeCommand('tcxc.fetchCdrs', {
    window: 'last7Days',
    prefix: '',
    show: 'all',
  });
}

describe('TCXC extension in VS Code', () => {
  let api: TcxcExtensionApi;

  before(async () => {
    assert.ok(login, 'the runner must set TCXC_TEST_LOGIN');
    assert.ok(apiKey, 'the runner must set TCXC_TEST_API_KEY');
    await waitForLoopbackEndpoint();
    api = await activateExtension();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('activation registers every command', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const name of ['fetchCdrs', 'refresh', 'loadMore', 'openCdrJson', 'setCredentials']) {
      assert.ok(commands.includes(`tcxc.${name}`), `tcxc.${name} is not registered`);
    }
  });

  it('activation points the endpoint at loopback', () => {
    const endpoint = vscode.workspace.getConfiguration('tcxc').get<string>('endpoint') ?? '';
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/buyers\/callhistory$/);
  });

  it('credentials round-trip through SecretStorage', async () => {
    await api.credentials.store({ login, apiKey });
    assert.deepEqual(await api.credentials.read(), { login, apiKey });
    const settings = JSON.stringify(vscode.workspace.getConfiguration('tcxc'));
    assert.ok(!settings.includes(apiKey), 'the API key reached the settings');
    await api.credentials.clear();
    assert.equal(await api.credentials.read(), undefined);
  });

  it('credentials report a missing keyring', async () => {
    const failing: vscode.SecretStorage = {
      get: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
      store: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
      delete: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
      onDidChange: new vscode.EventEmitter<vscode.SecretStorageChangeEvent>().event,
    };
    const store = new CredentialStore(failing, new MemoryMemento());
    try {
      const error = await store.store({ login, apiKey }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof SecretStorageUnavailableError, 'no SecretStorageUnavailableError');
      assert.match(error.message, /secret storage is not available/);
      assert.match(error.message, /keyring/);
      assert.ok(!error.message.includes(apiKey), 'the API key reached the error message');
      await assert.rejects(store.read(), SecretStorageUnavailableError);
    } finally {
      store.dispose();
    }
  });

  it('wrong API key shows a retry row', async () => {
    await api.credentials.store({ login, apiKey: `${apiKey}-wrong` });
    await fetchLastWeek();
    const roots = api.tree.getChildren();
    assert.deepEqual(kinds(roots), ['loadMore']);
    const item = api.tree.getTreeItem(roots[0]);
    assert.equal(item.label, 'Retry page 1');
    assert.match(String(item.description), /^Authentication failed/);
    const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
    assert.ok(!tooltip.includes(apiKey), 'the API key reached the tooltip');
  });

  it('Fetch CDRs fills the tree by date', async () => {
    await api.credentials.store({ login, apiKey });
    await fetchLastWeek();
    const pageSize = vscode.workspace.getConfiguration('tcxc').get<number>('pageSize') ?? 0;
    const roots = api.tree.getChildren();
    assert.equal(roots.at(-1)?.kind, 'loadMore');
    const dates = roots.filter((node) => node.kind === 'date');
    assert.ok(dates.length > 0, 'no date nodes');
    const labels = dates.map((node) => api.tree.getTreeItem(node).label as string);
    assert.deepEqual(labels, [...labels].sort().reverse(), 'dates are not newest first');
    const cdrCount = dates.flatMap((node) => api.tree.getChildren(node)).length;
    assert.equal(cdrCount, pageSize);
  });

  it('Load more appends the next page', async () => {
    const before = api.history.collection?.size ?? 0;
    await vscode.commands.executeCommand('tcxc.loadMore');
    const after = api.history.collection?.size ?? 0;
    const pageSize = vscode.workspace.getConfiguration('tcxc').get<number>('pageSize') ?? 0;
    assert.equal(after, before + pageSize);
    const items = api.tree
      .getChildren()
      .flatMap((node) => api.tree.getChildren(node))
      .map((node) => api.tree.getTreeItem(node).id);
    assert.equal(items.length, after);
    assert.equal(new Set(items).size, items.length, 'tree item ids are not unique');
  });

  it('Load more refreshes only changed dates', async () => {
    const fired: (HistoryNode | undefined | void)[] = [];
    const listener = api.tree.onDidChangeTreeData((node) => fired.push(node));
    const datesBefore = api.history.collection?.dates() ?? [];
    try {
      await vscode.commands.executeCommand('tcxc.loadMore');
    } finally {
      listener.dispose();
    }
    const datesAfter = api.history.collection?.dates() ?? [];
    assert.ok(fired.length > 0, 'the tree was not refreshed');
    if (datesAfter.length === datesBefore.length) {
      assert.ok(
        fired.every((node) => node !== undefined),
        'a page without new dates refreshed the whole tree',
      );
    } else {
      assert.ok(fired.includes(undefined), 'a page with a new date did not refresh the root');
    }
  });

  it('Open as JSON shows the raw record', async () => {
    const cdr = api.history.collection?.all()[0];
    assert.ok(cdr, 'nothing is loaded');
    await vscode.commands.executeCommand('tcxc.openCdrJson', cdr.key);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(editor.document.uri.scheme, 'tcxc-cdr');
    assert.equal(editor.document.languageId, 'json');
    assert.equal(editor.document.isDirty, false);
    const shown = JSON.parse(editor.document.getText()) as Record<string, unknown>;
    assert.deepEqual(shown, await fetchFromEmulator(String(cdr.raw.i_cdr)));
    assert.equal(typeof shown.billing_price_1, 'number');
    assert.equal(typeof shown.i_cdr, 'string');
  });

  it('Refresh reloads the first page', async () => {
    const pageSize = vscode.workspace.getConfiguration('tcxc').get<number>('pageSize') ?? 0;
    assert.ok((api.history.collection?.size ?? 0) > pageSize, 'more than one page must be loaded');
    await vscode.commands.executeCommand('tcxc.refresh');
    assert.equal(api.history.collection?.size, pageSize);
    assert.equal(api.history.pageCount, 1);
  });

  it('cancel keeps the loaded records', async () => {
    const before = api.history.collection?.all().map((cdr) => cdr.key);
    const requestBefore = api.history.request;
    const source = new vscode.CancellationTokenSource();
    const started = api.history.start({ window: 'last24Hours', show: 'bad' }, source.token);
    source.cancel();
    // The bundle has its own copy of the error classes, so compare the kind, not the prototype.
    await assert.rejects(started, (error: { kind?: string }) => error.kind === 'cancelled');
    assert.deepEqual(
      api.history.collection?.all().map((cdr) => cdr.key),
      before,
    );
    assert.equal(api.history.request, requestBefore);
    assert.equal(api.history.lastFailure, undefined);
    source.dispose();
  });

  it('second fetch replaces the first', async () => {
    const pageSize = readRequestSettings().pageSize;
    const first = api.history.start({ window: 'last7Days', show: 'all' });
    const second = api.history.start({ window: 'last7Days', show: 'bad' });
    await assert.rejects(first, (error: { kind?: string }) => error.kind === 'cancelled');
    await second;
    const loaded = api.history.collection?.all() ?? [];
    assert.equal(loaded.length, pageSize);
    assert.ok(
      loaded.every((cdr) => !cdr.answered),
      'an answered call was loaded by a failed-only query',
    );
    assert.equal(api.history.request?.show, 'bad');
  });

  it('failed refresh keeps the loaded records', async () => {
    const config = vscode.workspace.getConfiguration('tcxc');
    const endpoint = config.get<string>('endpoint') ?? '';
    const before = api.history.collection?.size ?? 0;
    assert.ok(before > 0, 'nothing is loaded');
    // Nothing listens on port 9 of loopback, so the request fails at once.
    await config.update('endpoint', 'http://127.0.0.1:9/buyers/callhistory', true);
    try {
      await assert.rejects(api.history.start({ window: 'last7Days', show: 'all' }));
    } finally {
      await config.update('endpoint', endpoint, true);
    }
    assert.equal(api.history.collection?.size, before);
  });

  it('invalid endpoint leaves fetching usable', async () => {
    const config = vscode.workspace.getConfiguration('tcxc');
    const endpoint = config.get<string>('endpoint') ?? '';
    await config.update('endpoint', 'not a url', true);
    try {
      await assert.rejects(
        api.history.start({ window: 'last7Days', show: 'all' }),
        /Invalid endpoint/,
      );
    } finally {
      await config.update('endpoint', endpoint, true);
    }
    await fetchLastWeek();
    assert.equal(api.history.collection?.size, readRequestSettings().pageSize);
  });

  it('retry uses credentials stored since', async () => {
    const before = api.history.collection?.size ?? 0;
    await api.credentials.store({ login, apiKey: `${apiKey}-old` });
    await vscode.commands.executeCommand('tcxc.loadMore');
    assert.match(api.history.lastFailure?.message ?? '', /^Authentication failed/);
    assert.equal(api.history.collection?.size, before);
    await api.credentials.store({ login, apiKey });
    await vscode.commands.executeCommand('tcxc.loadMore');
    assert.equal(api.history.lastFailure, undefined);
    assert.equal(api.history.collection?.size, before + readRequestSettings().pageSize);
  });

  it('account change stops Load more', async () => {
    await fetchLastWeek();
    const before = api.history.collection?.size;
    await api.credentials.store({ login: `${login}-other`, apiKey });
    try {
      await vscode.commands.executeCommand('tcxc.loadMore');
    } finally {
      await api.credentials.store({ login, apiKey });
    }
    assert.match(api.history.lastFailure?.message ?? '', /login or endpoint changed/);
    assert.equal(api.history.collection?.size, before);
  });

  it('Load more waits for a new query', async () => {
    const started = api.history.start({ window: 'last24Hours', show: 'all' });
    await assert.rejects(api.history.loadNextPage(), /new query is still loading/);
    await started;
    assert.equal(api.history.request?.window, 'last24Hours');
  });

  it('aborted Load more leaves no loading row', async () => {
    let refreshes = 0;
    const listener = api.tree.onDidChangeTreeData(() => refreshes++);
    const loadingMore = api.history.loadNextPage();
    const source = new vscode.CancellationTokenSource();
    const replaced = api.history.start({ window: 'last7Days', show: 'bad' }, source.token);
    source.cancel();
    await assert.rejects(loadingMore, (error: { kind?: string }) => error.kind === 'cancelled');
    await assert.rejects(replaced, (error: { kind?: string }) => error.kind === 'cancelled');
    source.dispose();
    listener.dispose();
    // One refresh shows "Loading…"; at least one more must take it away after the abort.
    assert.ok(refreshes >= 2, `the tree was refreshed ${refreshes} time(s)`);
    assert.equal(api.history.loading, false);
    const row = api.tree.getChildren().at(-1);
    assert.ok(row, 'the tree is empty');
    assert.equal(api.tree.getTreeItem(row).label, 'Load more');
    assert.match(api.treeView.message ?? '', /CDRs, more available$/);
  });

  it('cancelled first fetch keeps the welcome view', async () => {
    api.history.clear();
    const source = new vscode.CancellationTokenSource();
    const started = api.history.start({ window: 'last7Days', show: 'all' }, source.token);
    source.cancel();
    await assert.rejects(started, (error: { kind?: string }) => error.kind === 'cancelled');
    source.dispose();
    assert.deepEqual(api.tree.getChildren(), []);
    assert.equal(api.treeView.message, undefined);
  });

  it('invalid command argument sends nothing', async () => {
    await fetchLastWeek();
    const requestBefore = api.history.request;
    await vscode.commands.executeCommand('tcxc.fetchCdrs', { window: 'today', prefix: '44a' });
    assert.equal(api.history.request, requestBefore);
    assert.equal(api.history.loadingRequest, undefined);
  });

  it('tree item marks a malformed record', () => {
    const item = cdrItem(toCdr({ i_cdr: '9', CLD: '4420', duration: { seconds: 3 } }));
    assert.match(String(item.description), /^malformed · /);
    assert.equal(typeof item.tooltip, 'string');
    assert.match(item.tooltip as string, /Malformed record: .*duration is not a whole number/);
  });

  it('tree item keeps hostile text inert', () => {
    const link = '[clear](command:tcxc.clearCredentials)';
    const script = '<img src=x onerror=alert(1)>';
    const item = cdrItem(
      toCdr({ i_cdr: '10', CLD: link, CLI: script, country_name: 'Evil\nLand\u202e' }),
    );
    // A plain string tooltip is never rendered as Markdown or HTML.
    assert.equal(typeof item.tooltip, 'string');
    assert.ok((item.tooltip as string).includes(`Caller ID (CLI): ${script}`));
    assert.equal(item.label, link);
    assert.match(String(item.description), /^malformed · Evil Land · /);
  });

  it('tree nodes keep their kinds', async () => {
    await fetchLastWeek();
    const roots = api.tree.getChildren();
    assert.deepEqual([...new Set(kinds(roots))], ['date', 'loadMore']);
  });
});
