import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { LoopbackBrowser, launchLoopbackBrowser } from '../harness/browser';
import {
  CodeServer,
  readManifest,
  repoRoot,
  resultsDir,
  startCodeServer,
} from '../harness/codeServer';
import { ensureVsix } from '../harness/packageVsix';
import { answerStep, newestFirst, openCallHistory, runCommand } from '../harness/workbench';

const PAGE_SIZE = 20;
const EXTENSION_ID = 'tcxc-tools.tcxc-vscode';

/**
 * Stores a login and API key through the UI, as a user of the installed extension would. The
 * one place to change when the credentials commands change.
 */
async function enterCredentials(page: Page, login: string, apiKey: string): Promise<void> {
  await runCommand(page, 'TCXC: Set Credentials');
  await answerStep(page, 'Set Credentials (1/2)', login);
  await answerStep(page, 'Set Credentials (2/2)', apiKey);
}

/** Lists the files under `folder` as paths relative to it, with forward slashes. */
function listFiles(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

interface InstalledExtension {
  identifier: { id: string };
  relativeLocation?: string;
  metadata?: { source?: string };
}

describe('packaged extension in code-server', function () {
  this.timeout(300_000);
  let emulator: RunningEmulator;
  let server: CodeServer;
  let browser: LoopbackBrowser;
  let installedFolder: string;

  before(async () => {
    const vsix = await ensureVsix();
    emulator = await startEmulator({ dataset: { seed: 13, count: 400, days: 7 } });
    // No extension folder is copied and no development path is given, so the extension host can
    // only load the extension that --install-extension unpacked.
    server = await startCodeServer({
      label: 'vsix',
      settings: { 'tcxc.endpoint': emulator.endpoint, 'tcxc.pageSize': PAGE_SIZE },
      vsixFiles: [vsix],
    });
    const { version } = readManifest(path.join(repoRoot, 'package.json'));
    installedFolder = path.join(server.extensionsDir, `${EXTENSION_ID}-${version}`);
    browser = await launchLoopbackBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('installs only the bundle, media and docs', () => {
    assert.ok(fs.existsSync(installedFolder), `${installedFolder} was not created`);
    const files = listFiles(installedFolder);
    for (const required of [
      'package.json',
      'readme.md',
      'changelog.md',
      'dist/extension.js',
      'dist/webview/panel.js',
      'media/panel.css',
      'media/tcxc.svg',
      'media/icon.png',
      'media/LICENSE.txt',
    ]) {
      assert.ok(files.includes(required), `${required} is not installed: ${files.join(', ')}`);
    }
    const sources = files.filter((file) => /^(src|test|out|node_modules)\//.test(file));
    assert.deepEqual(sources, [], 'sources, tests or dependencies are installed');
    const typeScript = files.filter((file) => file.endsWith('.ts'));
    assert.deepEqual(typeScript, [], 'TypeScript files are installed');
    const sourceMaps = files.filter((file) => file.endsWith('.map'));
    assert.deepEqual(sourceMaps, [], 'source maps are installed');

    const bundle = fs.readFileSync(path.join(installedFolder, 'dist', 'extension.js'), 'utf8');
    assert.doesNotMatch(bundle, /require\(["']undici["']\)/, 'the bundle requires undici');
  });

  it('is recorded as installed from a .vsix', () => {
    const registry = JSON.parse(
      fs.readFileSync(path.join(server.extensionsDir, 'extensions.json'), 'utf8'),
    ) as InstalledExtension[];
    const entry = registry.find((extension) => extension.identifier.id === EXTENSION_ID);
    assert.ok(entry, `${EXTENSION_ID} is missing from extensions.json`);
    assert.equal(entry.relativeLocation, path.basename(installedFolder));
    assert.equal(entry.metadata?.source, 'vsix');
  });

  it('activates and fetches CDRs from the emulator', async () => {
    const { page } = browser;
    const view = await openCallHistory(page, server);

    await enterCredentials(page, DEMO_LOGIN, DEMO_API_KEY);
    await view.getByText('Nothing fetched yet').waitFor({ timeout: 60_000 });
    await runCommand(page, 'TCXC: Fetch CDRs');
    await answerStep(page, 'time window', 'Last 7 days');
    await answerStep(page, 'destination prefix', '');
    await answerStep(page, 'calls', 'All calls');

    const newest = newestFirst(emulator.cdrs)[0];
    const newestNumber = `+${newest.CLD.trim()}`;
    await view.getByText(newestNumber).first().waitFor({ timeout: 60_000 });
    await view.getByText(new RegExp(`${PAGE_SIZE} CDRs, more available`)).waitFor();
    const text = await view.innerText();
    assert.ok(text.includes(newest.connect_time.slice(0, 10)), 'the newest date is not shown');
    assert.ok(text.includes(newestNumber), `the newest call ${newestNumber} is not shown`);

    const served = emulator.requests.filter(
      (request) => request.params.api_login === DEMO_LOGIN && request.result === 'success',
    );
    assert.ok(served.length > 0, 'the emulator served no signed request for the demo login');
    assert.equal(served[0].count, PAGE_SIZE, 'the first page has the wrong number of records');
    assert.equal(browser.blockedRequestCount(), 0, browser.blockedUrls().join(', '));
  });

  it('shows the extension as installed from a VSIX', async () => {
    const { page } = browser;
    await runCommand(page, 'Extensions: Show Installed Extensions');
    await page
      .locator('.extensions-viewlet .monaco-list-row', { hasText: 'TCXC for VS Code' })
      .first()
      .click({ timeout: 60_000 });
    const editor = page.locator('.extension-editor', { hasText: 'TCXC for VS Code' });
    await editor.waitFor({ timeout: 60_000 });
    // The Installation section shows the source that --install-extension recorded.
    await editor.getByText('VSIX', { exact: true }).waitFor();
    await editor.getByRole('button', { name: 'Uninstall' }).first().waitFor();
    await editor.locator('.navbar').getByText('Changelog', { exact: false }).waitFor();
    await page.screenshot({ path: path.join(resultsDir, 'vsix-installed.png') });
    assert.equal(browser.blockedRequestCount(), 0, browser.blockedUrls().join(', '));
  });
});
