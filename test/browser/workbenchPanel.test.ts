import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { FIRST_PART_ROWS } from '../../src/panel/transfer';
import { LoopbackBrowser, launchLoopbackBrowser } from '../harness/browser';
import { CodeServer, repoRoot, resultsDir, startCodeServer } from '../harness/codeServer';
import { answerStep, newestFirst, openCallHistory, runCommand } from '../harness/workbench';

const PAGE_SIZE = 100;
const PREFIX = '44';

/** Finds the document inside the CDR panel's webview, which VS Code nests in two frames. */
function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

describe('CDR panel in the workbench', function () {
  this.timeout(300_000);
  let emulator: RunningEmulator;
  let server: CodeServer;
  let browser: LoopbackBrowser;

  before(async () => {
    emulator = await startEmulator({ dataset: { seed: 12, count: 3000, days: 7 } });
    server = await startCodeServer({
      label: 'panel',
      settings: { 'tcxc.endpoint': emulator.endpoint, 'tcxc.pageSize': PAGE_SIZE },
      extensions: [{ path: repoRoot, include: ['package.json', 'dist', 'media', 'README.md'] }],
    });
    browser = await launchLoopbackBrowser({ viewport: { width: 1600, height: 1000 } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('runs a query end to end', async () => {
    const { page } = browser;
    const view = await openCallHistory(page, server);
    await runCommand(page, 'TCXC: Set Credentials');
    await answerStep(page, 'Set Credentials (1/2)', DEMO_LOGIN);
    await answerStep(page, 'Set Credentials (2/2)', DEMO_API_KEY);
    await view.getByText('Nothing fetched yet').waitFor();

    await runCommand(page, 'TCXC: Open CDR Panel');
    const panel = panelFrame(page);
    await panel.locator('#filter-window').waitFor({ timeout: 60_000 });

    // An invalid prefix is reported next to its field and sends nothing.
    await panel.locator('#filter-prefix').fill('4x');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await panel.getByText('Use digits only').waitFor();
    await view.getByText('Nothing fetched yet').waitFor();

    await panel.locator('#filter-window').selectOption('last7Days');
    await panel.locator('#filter-prefix').fill(PREFIX);
    await panel.getByRole('button', { name: 'Apply' }).click();
    const matching = emulator.cdrs.filter((record) => record.CLD.trim().startsWith(PREFIX));
    assert.ok(matching.length > PAGE_SIZE, 'the dataset needs more than one page for the prefix');
    const firstPage = `${formatCount(PAGE_SIZE)} of ${formatCount(PAGE_SIZE)} CDRs`;
    await panel.locator('.search-count', { hasText: firstPage }).waitFor({ timeout: 60_000 });
    // The sidebar tree follows the panel's query.
    await view
      .getByText(`+${newestFirst(matching)[0].CLD.trim()}`)
      .first()
      .waitFor();

    await panel.getByRole('button', { name: 'Load all pages' }).click();
    const all = `${formatCount(matching.length)} of ${formatCount(matching.length)} CDRs`;
    await panel.locator('.search-count', { hasText: all }).waitFor({ timeout: 60_000 });

    // Search narrows the loaded rows in the panel only.
    const vendor = matching[0].vendor_name.trim();
    await panel.locator('#search').fill(vendor);
    const ofVendor = matching.filter((record) => record.vendor_name.trim() === vendor).length;
    await panel
      .locator('.search-count', { hasText: `${formatCount(ofVendor)} of ` })
      .waitFor({ timeout: 10_000 });
    await panel.locator('#search').fill('');
    await panel.locator('.search-count', { hasText: all }).waitFor();

    // The newest call is the first row; selecting it shows its details.
    const newest = newestFirst(matching)[0];
    await panel.locator('#cdr-row-0').click();
    await panel.locator('.details-title', { hasText: `CDR ${newest.i_cdr}` }).waitFor();
    await panel.getByText('Charge check', { exact: false }).first().waitFor();
    await runCommand(page, 'Notifications: Clear All Notifications');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.screenshot({ path: path.join(resultsDir, 'panel-vscode.png') });

    await panel.getByRole('button', { name: 'Open as JSON' }).click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.getByText(newest.call_id).first().waitFor({ timeout: 30_000 });

    // After a window reload VS Code restores the panel, and the panel its filters.
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForEvent('load');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.tab', { hasText: 'TCXC CDRs' }).click({ timeout: 60_000 });
    const restored = panelFrame(page);
    await restored.locator('#filter-prefix').waitFor({ timeout: 60_000 });
    assert.equal(await restored.locator('#filter-prefix').inputValue(), PREFIX);
    assert.equal(await restored.locator('#filter-window').inputValue(), 'last7Days');

    // Without the prefix the query has more CDRs than the first part of a snapshot, so when the
    // panel is shown again, the rest arrives in parts that the panel requests.
    await restored.locator('#filter-prefix').fill('');
    await restored.getByRole('button', { name: 'Apply' }).click();
    await restored.locator('.search-count', { hasText: firstPage }).waitFor({ timeout: 60_000 });
    await restored.getByRole('button', { name: 'Load all pages' }).click();
    const status = restored.locator('.status-summary', { hasText: 'all pages loaded' });
    await status.waitFor({ timeout: 60_000 });
    const loadedText = /([\d,]+) CDRs loaded/.exec((await status.textContent()) ?? '')?.[1] ?? '';
    const loaded = Number(loadedText.replace(/,/g, ''));
    assert.ok(loaded > FIRST_PART_ROWS, `only ${loadedText} CDRs loaded`);
    const everyRow = `${formatCount(loaded)} of ${formatCount(loaded)} CDRs`;
    await restored.locator('.search-count', { hasText: everyRow }).waitFor({ timeout: 60_000 });
    // The JSON of a CDR hides the panel, and VS Code drops a hidden panel's document.
    await restored.locator('#cdr-row-0').click();
    await restored.getByRole('button', { name: 'Open as JSON' }).click();
    const newestOfAll = newestFirst(emulator.cdrs)[0];
    await page
      .locator('.editor-instance .monaco-editor')
      .getByText(newestOfAll.call_id)
      .first()
      .waitFor({ timeout: 30_000 });
    await restored.locator('#filter-prefix').waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('.tab', { hasText: 'TCXC CDRs' }).click();
    const shownAgain = panelFrame(page);
    await shownAgain.locator('.search-count', { hasText: everyRow }).waitFor({ timeout: 60_000 });
    await shownAgain.locator('.receiving').waitFor({ state: 'hidden' });
    assert.equal(browser.blockedRequestCount(), 0, browser.blockedUrls().join(', '));
  });
});
