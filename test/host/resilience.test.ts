import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TcxcExtensionApi } from '../../src/extension';
import { retryMessage } from '../../src/ui/history';
import type { HistoryNode } from '../../src/ui/tree';
import { startEmulator } from '../../src/emulator/server';
import { startTestProxy } from '../unit/testProxy';
import { activateExtension, apiKey, login, waitForLoopbackEndpoint } from './helpers';

const WEEK = { window: 'last7Days', show: 'all' } as const;

/** Lists every node of the tree, date nodes and their calls, in display order. */
function allNodes(api: TcxcExtensionApi): HistoryNode[] {
  const roots = api.tree.getChildren();
  return roots.flatMap((node) => [node, ...api.tree.getChildren(node)]);
}

/** Sets a VS Code setting for the user and returns a function that restores the old value. */
async function setUserSetting(section: string, name: string, value: unknown) {
  const config = vscode.workspace.getConfiguration(section);
  const old = config.inspect(name)?.globalValue;
  await config.update(name, value, vscode.ConfigurationTarget.Global);
  return () => vscode.workspace.getConfiguration(section).update(name, old, true);
}

let api: TcxcExtensionApi;

describe('extension under stress', () => {
  before(async () => {
    await waitForLoopbackEndpoint();
    api = await activateExtension();
    await api.credentials.store({ login, apiKey });
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('announces a rate-limit wait', async () => {
    const limited = await startEmulator({ dataset: { seed: 9, count: 50, days: 7 } });
    limited.injectFaults({ type: 'rateLimit', retryAfter: 1 });
    const restore = await setUserSetting('tcxc', 'endpoint', limited.endpoint);
    const messages: string[] = [];
    const listener = api.history.onDidScheduleRetry((notice) =>
      messages.push(retryMessage(notice)),
    );
    try {
      await api.history.start({ ...WEEK, pageSize: 20 });

      assert.deepEqual(messages, [
        'HTTP 429, Retry-After 1 s at attempt 1 of 5; trying again in 1 s…',
      ]);
      assert.equal(api.history.collection?.size, 20);
    } finally {
      listener.dispose();
      await restore();
      await limited.close();
    }
  });

  it('rapid refreshes keep one node per call', async () => {
    await vscode.commands.executeCommand('tcxc.fetchCdrs', WEEK);
    const refreshes = Array.from({ length: 10 }, () =>
      Promise.resolve(vscode.commands.executeCommand('tcxc.refresh')),
    );
    await Promise.all(refreshes);
    const nodes = allNodes(api);
    const ids = nodes.map((node) => api.tree.getTreeItem(node).id);
    assert.equal(new Set(ids).size, ids.length, 'two tree items share an id');
    const calls = nodes.filter((node) => node.kind === 'cdr');
    assert.equal(calls.length, api.history.collection?.size);
    assert.equal(api.history.lastFailure, undefined);
    assert.equal(api.history.loading, false);
  });

  it('cleared credentials leave nothing behind', async () => {
    await vscode.commands.executeCommand('tcxc.fetchCdrs', WEEK);
    const cdr = api.history.collection?.all()[0];
    assert.ok(cdr, 'nothing is loaded');
    await vscode.commands.executeCommand('tcxc.openCdrJson', cdr.key);
    // The same steps as "TCXC: Clear Credentials" after its confirmation.
    await api.credentials.clear();
    api.history.clear();
    api.documents.clear();
    assert.equal(await api.credentials.read(), undefined);
    assert.equal(api.history.collection, undefined);
    assert.deepEqual(api.tree.getChildren(), []);
    const settings = JSON.stringify(vscode.workspace.getConfiguration());
    assert.ok(!settings.includes(apiKey), 'the API key is in the settings');
    await api.credentials.store({ login, apiKey });
  });

  it('requests go through the http.proxy setting', async () => {
    const proxy = await startTestProxy();
    const restore = await setUserSetting('http', 'proxy', proxy.origin);
    try {
      await vscode.commands.executeCommand('tcxc.fetchCdrs', WEEK);
      assert.equal(api.history.lastFailure, undefined);
      assert.ok(proxy.forwarded > 0, 'no request went through the proxy');
      const restoreNoProxy = await setUserSetting('http', 'noProxy', ['127.0.0.1']);
      try {
        const before = proxy.forwarded;
        await vscode.commands.executeCommand('tcxc.fetchCdrs', WEEK);
        assert.equal(proxy.forwarded, before, 'a request to a no-proxy host used the proxy');
        assert.ok((api.history.collection?.size ?? 0) > 0);
      } finally {
        await restoreNoProxy();
      }
    } finally {
      await restore();
      await proxy.close();
    }
  });

  it('Cancel on Load all stops a page already loading', async () => {
    // An emulator that delays each response keeps the page in flight.
    const slow = await startEmulator({
      latencyMs: 1500,
      dataset: { seed: 7, count: 400, days: 7 },
    });
    const restore = await setUserSetting('tcxc', 'endpoint', slow.endpoint);
    try {
      await api.history.start({ ...WEEK, pageSize: 20 });
      const before = api.history.collection?.size;
      const loadingMore = api.history.loadNextPage();
      const source = new vscode.CancellationTokenSource();
      const loadingAll = api.history.loadAllPages(source.token);
      source.cancel();
      const cancelled = (error: { kind?: string }) => error.kind === 'cancelled';
      await assert.rejects(loadingAll, cancelled);
      await assert.rejects(loadingMore, cancelled);
      source.dispose();
      assert.equal(api.history.collection?.size, before);
      assert.equal(api.history.loading, false);
    } finally {
      await restore();
      await slow.close();
    }
  });
});
