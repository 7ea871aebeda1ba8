import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TcxcExtensionApi } from '../../src/extension';
import { decodeRows } from '../../src/panel/columns';
import {
  PANEL_VIEW_TYPE,
  type PanelFilters,
  type PanelRow,
  type ToPanel,
} from '../../src/panel/protocol';
import { FIRST_PART_ROWS } from '../../src/panel/transfer';
import { startEmulator } from '../../src/emulator/server';
import { activateExtension, apiKey, login, waitForLoopbackEndpoint, waitUntil } from './helpers';

const FILTERS: PanelFilters = {
  window: 'last7Days',
  from: '',
  to: '',
  prefix: '',
  show: 'all',
  pageSize: '30',
};

/** Tabs that show the CDR panel, in every editor group. */
function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter(
      (tab) =>
        tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(PANEL_VIEW_TYPE),
    );
}

/** Records what the extension posts to the panel from now on. */
function recordPosts(api: TcxcExtensionApi): { messages: ToPanel[]; stop: () => void } {
  const messages: ToPanel[] = [];
  const listener = api.panel.onDidPostMessage((message) => {
    messages.push(message);
  });
  return {
    messages,
    stop: () => {
      listener.dispose();
    },
  };
}

/** Opens the panel and waits until its script has loaded in the webview and posted `ready`. */
async function openReadyPanel(): Promise<void> {
  await vscode.commands.executeCommand('tcxc.openPanel');
  await waitUntil(() => api.panel.isReady, 'the panel script says ready');
}

let api: TcxcExtensionApi;

describe('CDR panel in VS Code', () => {
  before(async () => {
    await waitForLoopbackEndpoint();
    api = await activateExtension();
    await api.credentials.store({ login, apiKey });
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitUntil(() => !api.panel.isOpen, 'the panel is closed');
  });

  it('opens one panel whose script loads', async () => {
    const posts = recordPosts(api);
    await openReadyPanel();
    await vscode.commands.executeCommand('tcxc.openPanel');
    posts.stop();
    assert.equal(panelTabs().length, 1);
    // The script ran under the panel's Content Security Policy and got the full snapshot.
    assert.equal(posts.messages[0]?.type, 'init');
  });

  it('applied filters fetch and the tree follows', async () => {
    await openReadyPanel();
    const posts = recordPosts(api);
    await api.panel.handleMessage({ type: 'apply', filters: { ...FILTERS, prefix: '+44' } });
    posts.stop();
    assert.equal(api.history.request?.prefix, '44');
    assert.equal(api.history.pageSize, 30);
    const loaded = api.history.collection?.all() ?? [];
    assert.equal(loaded.length, 30);
    assert.ok(
      loaded.every((cdr) => cdr.cld.startsWith('44')),
      'a CDR outside prefix 44 was loaded',
    );
    const rows = posts.messages.filter((message) => message.type === 'rows');
    assert.equal(rows.at(-1)?.type === 'rows' && rows.at(-1)?.rows.count, 30);
    // The bundle has its own node classes, so nodes are distinguished by kind, not by prototype.
    const treeCdrs = api.tree
      .getChildren()
      .filter((node) => node.kind === 'date')
      .flatMap((node) => api.tree.getChildren(node));
    assert.equal(treeCdrs.length, 30);
  });

  it('invalid filters are reported and send nothing', async () => {
    await openReadyPanel();
    const requestBefore = api.history.request;
    const posts = recordPosts(api);
    await api.panel.handleMessage({
      type: 'apply',
      filters: { ...FILTERS, window: 'custom', from: '2026-05-02', to: '2026-05-01', prefix: '4a' },
    });
    posts.stop();
    assert.equal(api.history.request, requestBefore);
    assert.equal(api.history.loadingRequest, undefined);
    const errors = posts.messages.find((message) => message.type === 'filterErrors');
    assert.ok(errors?.type === 'filterErrors', 'no filter errors were posted');
    assert.equal(errors.errors.to, 'The end is before the start');
    assert.match(errors.errors.prefix ?? '', /digits only/);
  });

  it('selecting a CDR in the tree shows it in the panel', async () => {
    await vscode.commands.executeCommand('tcxc.fetchCdrs', { window: 'last7Days', show: 'all' });
    await openReadyPanel();
    const date = api.tree.getChildren().find((node) => node.kind === 'date');
    assert.ok(date, 'no date in the tree');
    const node = api.tree.getChildren(date)[1];
    assert.ok(node?.kind === 'cdr', 'no call under the first date');
    const posts = recordPosts(api);
    await api.treeView.reveal(node, { select: true, focus: true });
    await waitUntil(() => api.panel.selected === node.cdr.key, 'the panel shows the selection');
    await waitUntil(() => posts.messages.length > 0, 'the details are posted');
    posts.stop();
    const details = posts.messages.find((message) => message.type === 'details');
    assert.equal(details?.type, 'details', 'no details were posted');
    assert.ok(details.type === 'details' && details.details, 'the details are empty');
    assert.equal(details.details.key, node.cdr.key);
    assert.ok(details.details.fields.some((field) => field.name === 'i_cdr'));
  });

  it('opens the selected CDR as JSON from the panel', async () => {
    await openReadyPanel();
    const cdr = api.history.collection?.all()[2];
    assert.ok(cdr, 'nothing is loaded');
    await api.panel.handleMessage({ type: 'select', key: cdr.key });
    await api.panel.handleMessage({ type: 'openJson', key: cdr.key });
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(editor.document.uri.scheme, 'tcxc-cdr');
    assert.deepEqual(JSON.parse(editor.document.getText()), cdr.raw);
  });

  it('closing the panel during a fetch is quiet', async () => {
    // A second emulator that delays each response keeps the fetch in flight.
    const slow = await startEmulator({
      latencyMs: 1500,
      dataset: { seed: 6, count: 300, days: 7 },
    });
    const config = vscode.workspace.getConfiguration('tcxc');
    const endpoint = config.get<string>('endpoint') ?? '';
    await config.update('endpoint', slow.endpoint, vscode.ConfigurationTarget.Global);
    try {
      await openReadyPanel();
      const posts = recordPosts(api);
      const fetching = api.panel.handleMessage({
        type: 'apply',
        filters: { ...FILTERS, show: 'bad', pageSize: '20' },
      });
      await waitUntil(() => api.history.loadingRequest !== undefined, 'the fetch starts');
      const postsBeforeClose = posts.messages.length;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await waitUntil(() => !api.panel.isOpen, 'the panel is closed');
      assert.ok(api.history.loadingRequest, 'the fetch ended before the panel closed');
      await fetching;
      posts.stop();
      // The response still reached the tree, and nothing was posted to the closed panel.
      assert.equal(api.history.request?.show, 'bad');
      assert.equal(api.history.collection?.size, 20);
      assert.equal(posts.messages.length, postsBeforeClose);
    } finally {
      await config.update('endpoint', endpoint, vscode.ConfigurationTarget.Global);
      await slow.close();
    }
  });

  it('sends many rows in requested parts', async () => {
    const large = await startEmulator({ dataset: { seed: 8, count: 4500, days: 7 } });
    const config = vscode.workspace.getConfiguration('tcxc');
    const endpoint = config.get<string>('endpoint') ?? '';
    await config.update('endpoint', large.endpoint, vscode.ConfigurationTarget.Global);
    try {
      await api.history.start({ window: 'last7Days', show: 'all', pageSize: 5000 });
      const loaded = api.history.collection?.all() ?? [];
      assert.ok(loaded.length > FIRST_PART_ROWS + 1000, `only ${loaded.length} CDRs loaded`);

      // Newest first when the panel opens; by amount when the panel reports that order.
      for (const sort of [undefined, { column: 'amount', descending: true } as const]) {
        const posts = recordPosts(api);
        if (sort === undefined) {
          await openReadyPanel();
        } else {
          await api.panel.handleMessage({ type: 'ready', sort });
        }
        await waitUntil(
          () => posts.messages.some((m) => m.type === 'moreRows' && m.transfer.remaining === 0),
          'the panel asks for every part',
        );
        posts.stop();
        const init = posts.messages.find((message) => message.type === 'init');
        assert.ok(init?.type === 'init');
        const parts = posts.messages.filter((message) => message.type === 'moreRows');
        // A selected row outside the first rows travels with them, so the panel can show it.
        const first = decodeRows(init.rows);
        const firstInOrder =
          first.length > FIRST_PART_ROWS
            ? first.filter((row) => row.key !== init.selected?.key)
            : first;
        assert.equal(firstInOrder.length, FIRST_PART_ROWS);
        assert.equal(init.transfer.remaining, loaded.length - first.length);
        assert.ok(parts.every((part) => part.transfer.id === init.transfer.id));

        // Every loaded CDR arrives exactly once.
        const rest = parts.flatMap((part) => decodeRows(part.rows));
        const keys = [...first, ...rest].map((row) => row.key).sort();
        assert.deepEqual(keys, loaded.map((cdr) => cdr.key).sort());

        // The first part contains the rows that the table shows first.
        const value = (row: PanelRow) => (sort === undefined ? row.time : row.amountMicros);
        const minFirst = Math.min(...firstInOrder.map((row) => value(row) ?? Infinity));
        const maxRest = Math.max(...rest.map((row) => value(row) ?? -Infinity));
        assert.ok(maxRest <= minFirst, `a later row has ${maxRest}, a first-part row ${minFirst}`);
      }

      // A sort chosen in the panel orders the first part of the next query's rows.
      const posts = recordPosts(api);
      await api.panel.handleMessage({
        type: 'sort',
        sort: { column: 'duration', descending: true },
      });
      await api.history.start({ window: 'last7Days', show: 'all', pageSize: 5000 });
      await waitUntil(
        () => posts.messages.some((m) => m.type === 'rows' && m.reset),
        'the first part of the new query',
      );
      posts.stop();
      const reset = posts.messages.find((m) => m.type === 'rows' && m.reset);
      assert.ok(reset?.type === 'rows');
      // The selected row travels in the first part wherever it sorts.
      const firstKeys = new Set(decodeRows(reset.rows).map((row) => row.key));
      if (firstKeys.size > FIRST_PART_ROWS && api.panel.selected !== undefined) {
        firstKeys.delete(api.panel.selected);
      }
      const durations = (api.history.collection?.all() ?? []).map((cdr) => ({
        first: firstKeys.has(cdr.key),
        duration: cdr.durationSeconds ?? -1,
      }));
      const minFirst = Math.min(...durations.filter((d) => d.first).map((d) => d.duration));
      const maxRest = Math.max(...durations.filter((d) => !d.first).map((d) => d.duration));
      assert.ok(
        maxRest <= minFirst,
        `a later row lasted ${maxRest} s, a first-part row ${minFirst} s`,
      );
    } finally {
      await config.update('endpoint', endpoint, vscode.ConfigurationTarget.Global);
      await large.close();
    }
  });

  it('hidden panel gets what changed when shown again', async () => {
    await openReadyPanel();
    await vscode.commands.executeCommand('tcxc.openCdrJson', api.history.collection?.all()[0]?.key);
    await waitUntil(() => !api.panel.isReady, 'the hidden panel lets go of its script');
    await api.history.start({ window: 'last24Hours', show: 'all', pageSize: 15 });
    const posts = recordPosts(api);
    await vscode.commands.executeCommand('tcxc.openPanel');
    await waitUntil(() => posts.messages.some((m) => m.type === 'init'), 'the shown panel asks');
    posts.stop();
    const init = posts.messages.find((message) => message.type === 'init');
    assert.ok(init?.type === 'init');
    assert.equal(init.rows.count, 15);
    assert.equal(init.transfer.remaining, 0);
    assert.equal(init.filters?.window, 'last24Hours');
    assert.equal(init.filters?.pageSize, '15');
  });

  it('a restored panel keeps its selection', async () => {
    const cdr = api.history.collection?.all()[0];
    assert.ok(cdr, 'nothing is loaded');
    const restored = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'TCXC CDRs', {
      viewColumn: vscode.ViewColumn.Active,
    });
    api.panel.revive(restored, { selectedKey: cdr.key });
    const posts = recordPosts(api);
    await waitUntil(() => api.panel.isReady, 'the restored panel script says ready');
    posts.stop();
    const init = posts.messages.find((message) => message.type === 'init');
    assert.ok(init?.type === 'init');
    assert.equal(init.selected?.key, cdr.key);
    assert.equal(panelTabs().length, 1);
  });

  it('suggests the page size setting before any query', async () => {
    api.history.clear();
    const posts = recordPosts(api);
    await openReadyPanel();
    posts.stop();
    const init = posts.messages.find((message) => message.type === 'init');
    assert.ok(init?.type === 'init');
    const setting = vscode.workspace.getConfiguration('tcxc').get<number>('pageSize');
    assert.equal(init.filters?.pageSize, String(setting));
  });

  it('shows a failed query in the status', async () => {
    await vscode.commands.executeCommand('tcxc.fetchCdrs', { window: 'last7Days', show: 'all' });
    const before = api.history.collection?.size ?? 0;
    await openReadyPanel();
    await api.credentials.store({ login, apiKey: `${apiKey}-wrong` });
    const posts = recordPosts(api);
    try {
      await api.panel.handleMessage({ type: 'apply', filters: { ...FILTERS, show: 'bad' } });
    } finally {
      posts.stop();
      await api.credentials.store({ login, apiKey });
    }
    const statuses = posts.messages.filter((message) => message.type === 'status');
    const last = statuses.at(-1);
    assert.ok(last?.type === 'status', 'no status was posted');
    assert.match(last.status.error ?? '', /pages of 30 failed: Authentication failed/);
    assert.match(last.status.error ?? '', /previous query/);
    assert.equal(api.history.collection?.size, before);
    assert.ok(
      posts.messages.every((message) => !JSON.stringify(message).includes(apiKey)),
      'a message to the panel contains the API key',
    );
  });

  it('does not copy a missing call ID', async () => {
    const cdr = api.history.collection?.all()[0];
    assert.ok(cdr, 'nothing is loaded');
    await vscode.env.clipboard.writeText('kept');
    // The record stays as loaded; only its typed call ID is blanked for this check.
    const blank = Object.create(cdr, { callId: { value: '' } }) as typeof cdr;
    const original = api.history.find.bind(api.history);
    api.history.find = (key) => (key === cdr.key ? blank : original(key));
    try {
      await api.panel.handleMessage({ type: 'copyCallId', key: cdr.key });
    } finally {
      api.history.find = original;
    }
    assert.equal(await vscode.env.clipboard.readText(), 'kept');
    await api.panel.handleMessage({ type: 'copyCallId', key: cdr.key });
    assert.equal(await vscode.env.clipboard.readText(), cdr.callId);
  });
});
