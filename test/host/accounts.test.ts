import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TcxcExtensionApi } from '../../src/extension';
import type { QueryRequest } from '../../src/model/timeWindow';
import { CredentialStore, secretKeyOf } from '../../src/ui/credentials';
import {
  MemoryMemento,
  activateExtension,
  apiKey,
  login,
  waitForLoopbackEndpoint,
  waitUntil,
} from './helpers';

/** SecretStorage in memory, for stores built by the tests themselves. */
class MemorySecrets implements vscode.SecretStorage {
  readonly values = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;

  keys(): Thenable<string[]> {
    return Promise.resolve([...this.values.keys()]);
  }

  get(key: string): Thenable<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  store(key: string, value: string): Thenable<void> {
    this.values.set(key, value);
    this.emitter.fire({ key });
    return Promise.resolve();
  }

  delete(key: string): Thenable<void> {
    this.values.delete(key);
    this.emitter.fire({ key });
    return Promise.resolve();
  }
}

/** A custom UTC window over the emulator's data, so that a saved filter runs the same query. */
const LAST_WEEK: QueryRequest = {
  window: 'custom',
  from: isoSeconds(Date.now() - 7 * 86_400_000),
  to: isoSeconds(Date.now()),
  prefix: '',
  show: 'all',
};

function isoSeconds(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}

function endpoint(): string {
  return vscode.workspace.getConfiguration('tcxc').get<string>('endpoint') ?? '';
}

function loadedKeys(api: TcxcExtensionApi): string[] {
  return (api.history.collection?.all() ?? []).map((cdr) => cdr.key);
}

describe('TCXC accounts', () => {
  let api: TcxcExtensionApi;
  const added: string[] = [];

  async function addAccount(
    name: string,
    authMethod: 'signature' | 'digest',
    key = apiKey,
  ): Promise<string> {
    const id = await vscode.commands.executeCommand<string | undefined>('tcxc.addAccount', {
      name,
      login,
      apiKey: key,
      authMethod,
      endpoint: endpoint(),
    });
    assert.ok(id, `adding the account ${name} failed`);
    added.push(id);
    return id;
  }

  before(async () => {
    await waitForLoopbackEndpoint();
    api = await activateExtension();
  });

  after(async () => {
    for (const id of added) {
      await api.credentials.removeAccount(id);
    }
    api.history.clear();
    await vscode.workspace
      .getConfiguration('tcxc')
      .update('savedFilters', undefined, vscode.ConfigurationTarget.Global);
  });

  it('adds an account and makes it active', async () => {
    const id = await addAccount('Signature account', 'signature');

    assert.equal(api.credentials.activeAccount?.id, id);
    assert.deepEqual(await api.credentials.readAccount(id), { login, apiKey });
    const settings = JSON.stringify(vscode.workspace.getConfiguration('tcxc'));
    assert.ok(!settings.includes(apiKey), 'the API key reached the settings');
  });

  it('rejects a second account of the same name', async () => {
    const before = api.credentials.accounts.length;

    const id = await vscode.commands.executeCommand<string | undefined>('tcxc.addAccount', {
      name: 'SIGNATURE ACCOUNT',
      login,
      apiKey,
    });

    assert.equal(id, undefined);
    assert.equal(api.credentials.accounts.length, before);
  });

  it('fetches with HTTP Digest', async () => {
    const id = await addAccount('Digest account', 'digest');

    await vscode.commands.executeCommand('tcxc.fetchCdrs', LAST_WEEK, { focusTree: false });

    assert.equal(api.history.account?.id, id);
    assert.ok((api.history.collection?.size ?? 0) > 0, 'no CDRs were loaded with Digest');
    assert.equal(api.treeView.description, 'Digest account');
  });

  it('shows the account and the fetch in the status bar', () => {
    const content = api.statusBar.content;
    const loaded = api.history.collection?.size ?? 0;

    assert.ok(content, 'the status bar item is hidden');
    assert.match(content.text, /TCXC Digest account/);
    assert.match(content.text, new RegExp(`${loaded.toLocaleString('en-US')} CDRs · ASR \\d`));
    assert.equal(content.warning, false);
  });

  it('shows no ASR for failed calls only', async () => {
    await vscode.commands.executeCommand(
      'tcxc.fetchCdrs',
      { ...LAST_WEEK, show: 'bad' },
      { focusTree: false },
    );

    const text = api.statusBar.content?.text ?? '';
    assert.match(text, /failed calls$/);
    assert.doesNotMatch(text, /ASR/);
    await vscode.commands.executeCommand('tcxc.fetchCdrs', LAST_WEEK, { focusTree: false });
  });

  it('switches the account and fetches again', async () => {
    const digestKeys = loadedKeys(api);

    await vscode.commands.executeCommand('tcxc.switchAccount', 'signature account');
    await waitUntil(
      () => api.history.account?.name === 'Signature account',
      'the records of the signature account',
    );

    assert.equal(api.credentials.activeAccount?.name, 'Signature account');
    assert.deepEqual(loadedKeys(api), digestKeys);
    assert.equal(api.treeView.description, 'Signature account');
  });

  it('reports a wrong Digest password in the status bar', async () => {
    const wrongKey = `${apiKey}-wrong`;
    await addAccount('Wrong password', 'digest', wrongKey);

    await vscode.commands.executeCommand('tcxc.fetchCdrs', LAST_WEEK, { focusTree: false });

    const content = api.statusBar.content;
    assert.ok(content, 'the status bar item is hidden');
    assert.equal(content.warning, true);
    assert.match(content.text, /fetch failed/);
    assert.match(content.tooltip, /rejected the login or API key/);
    assert.ok(!content.tooltip.includes(wrongKey), 'the API key reached the status bar');
  });

  it('removes an account and deletes its secret', async () => {
    const id = await addAccount('Short-lived', 'signature');

    await vscode.commands.executeCommand('tcxc.removeAccount', 'Short-lived', { confirmed: true });

    assert.equal(await api.credentials.readAccount(id), undefined);
    assert.ok(!api.credentials.accounts.some((account) => account.id === id));
    assert.notEqual(api.credentials.activeAccount?.id, id);
  });

  it('runs a saved filter as the same query', async () => {
    await vscode.commands.executeCommand('tcxc.switchAccount', 'Signature account');
    await vscode.commands.executeCommand('tcxc.fetchCdrs', LAST_WEEK, { focusTree: false });
    const first = loadedKeys(api);
    await vscode.commands.executeCommand('tcxc.saveFilter', 'Last week, all calls');
    api.history.clear();

    await vscode.commands.executeCommand('tcxc.runSavedFilter', 'last week, all calls');

    assert.deepEqual(api.history.request, LAST_WEEK);
    assert.deepEqual(loadedKeys(api), first);
  });

  it('keeps hand-edited entries when saving', async () => {
    const config = vscode.workspace.getConfiguration('tcxc');
    const handEdited = [
      { name: 'Typo', window: 'last7Days', show: 'failed' },
      { name: 'Numeric prefix', window: 'last7Days', prefix: 44 },
      { name: 'Misspelt', window: 'last7Days', prefx: '44' },
    ];
    await config.update(
      'savedFilters',
      { 'Signature account': handEdited },
      vscode.ConfigurationTarget.Global,
    );

    await vscode.commands.executeCommand('tcxc.saveFilter', 'Last week, all calls');

    const stored = vscode.workspace
      .getConfiguration('tcxc')
      .get<Record<string, unknown[]>>('savedFilters');
    assert.deepEqual(stored?.['Signature account'], [
      ...handEdited,
      { name: 'Last week, all calls', ...LAST_WEEK },
    ]);
  });

  it('does not run an entry of the wrong type', async () => {
    const request = api.history.request;

    await vscode.commands.executeCommand('tcxc.runSavedFilter', 'Typo');
    await vscode.commands.executeCommand('tcxc.runSavedFilter', 'Misspelt');

    assert.deepEqual(api.history.request, request);
  });

  it('rejects hostile account arguments', async () => {
    const before = api.credentials.accounts.length;
    const hostile: unknown[] = [
      { name: 'E\u200bU', login, apiKey },
      { name: '\u3164', login, apiKey },
      { name: 'Signature\u00a0account', login, apiKey },
      { name: 'Signature account\ufe0f', login, apiKey },
      { name: 'Line\nbreak', login, apiKey },
      { name: 'Bogus method', login, apiKey, authMethod: 'bogus' },
      { name: 42, login, apiKey },
      { name: 'No login', apiKey },
    ];

    const ids: unknown[] = [];
    for (const argument of hostile) {
      ids.push(await vscode.commands.executeCommand('tcxc.addAccount', argument));
    }

    assert.deepEqual(
      ids,
      hostile.map(() => undefined),
    );
    assert.equal(api.credentials.accounts.length, before);
  });

  it('uses its own URL over an invalid setting', async () => {
    const config = vscode.workspace.getConfiguration('tcxc');
    const shared = endpoint();
    const id = await vscode.commands.executeCommand<string | undefined>('tcxc.addAccount', {
      name: 'Own URL',
      login,
      apiKey,
      endpoint: `${shared}/`,
    });
    assert.ok(id, 'adding the account failed');
    added.push(id);
    await config.update('endpoint', 'not a url', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('tcxc.fetchCdrs', LAST_WEEK, { focusTree: false });

      assert.equal(api.history.account?.id, id);
      assert.ok((api.history.collection?.size ?? 0) > 0, 'nothing was loaded');
    } finally {
      await config.update('endpoint', shared, vscode.ConfigurationTarget.Global);
    }
  });

  it('stores saved filters without secrets', () => {
    const stored = vscode.workspace.getConfiguration('tcxc').get<unknown>('savedFilters');
    const text = JSON.stringify(stored);

    assert.deepEqual(Object.keys(stored as object), ['Signature account']);
    assert.ok(!text.includes(apiKey), 'the API key reached the saved filters');
    assert.ok(!text.includes(login), 'the login reached the saved filters');
  });
});

describe('TCXC credential store', () => {
  it('turns a single stored login into a Default account', async () => {
    const secrets = new MemorySecrets();
    await secrets.store('tcxc.credentials', JSON.stringify({ login: 'buyer', apiKey: 'k-1' }));
    const store = new CredentialStore(secrets, new MemoryMemento());
    try {
      const active = await store.readActive();

      assert.equal(active?.account.name, 'Default');
      assert.deepEqual(active?.credentials, { login: 'buyer', apiKey: 'k-1' });
      assert.equal(secrets.values.has('tcxc.credentials'), false);
      assert.ok(active, 'no active account');
      assert.ok(secrets.values.has(secretKeyOf(active.account.id)));
    } finally {
      store.dispose();
    }
  });

  it('deletes only the removed account secret', async () => {
    const secrets = new MemorySecrets();
    const store = new CredentialStore(secrets, new MemoryMemento());
    try {
      const kept = await store.addAccount(
        { name: 'Kept', authMethod: 'signature' },
        { login: 'a', apiKey: 'k-a' },
      );
      const removed = await store.addAccount(
        { name: 'Removed', authMethod: 'digest' },
        { login: 'b', apiKey: 'k-b' },
      );

      await store.removeAccount(removed.id);

      assert.deepEqual([...secrets.values.keys()], [secretKeyOf(kept.id)]);
      assert.equal(store.activeAccount?.id, kept.id);
    } finally {
      store.dispose();
    }
  });

  it('stores credentials into a new Default account', async () => {
    const store = new CredentialStore(new MemorySecrets(), new MemoryMemento());
    try {
      await store.store({ login: 'c', apiKey: 'k-c' });

      assert.deepEqual(
        store.accounts.map((account) => account.name),
        ['Default'],
      );
      assert.deepEqual(await store.read(), { login: 'c', apiKey: 'k-c' });
    } finally {
      store.dispose();
    }
  });
});
