import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import { LoopbackBrowser, launchLoopbackBrowser } from '../harness/browser';
import { CodeServer, repoRoot, resultsDir, startCodeServer } from '../harness/codeServer';
import { answerStep, newestFirst, openCallHistory, runCommand } from '../harness/workbench';

const PAGE_SIZE = 25;

describe('sidebar in a real browser', function () {
  this.timeout(240_000);
  let emulator: RunningEmulator;
  let server: CodeServer;
  let browser: LoopbackBrowser;

  before(async () => {
    emulator = await startEmulator({ dataset: { seed: 11, count: 1500, days: 7 } });
    server = await startCodeServer({
      label: 'sidebar',
      settings: { 'tcxc.endpoint': emulator.endpoint, 'tcxc.pageSize': PAGE_SIZE },
      extensions: [{ path: repoRoot, include: ['package.json', 'dist', 'media', 'README.md'] }],
    });
    browser = await launchLoopbackBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await emulator?.close();
  });

  it('shows fetched CDRs by date', async () => {
    const { page } = browser;
    const view = await openCallHistory(page, server);

    // Fetching without credentials offers to set them, then goes on with the fetch.
    await runCommand(page, 'TCXC: Fetch CDRs');
    const offer = page.locator('.notification-toast', {
      hasText: 'No TCXC credentials are stored',
    });
    await offer.getByRole('button', { name: 'Set Credentials' }).click();
    await answerStep(page, 'Set Credentials (1/2)', DEMO_LOGIN);
    await answerStep(page, 'Set Credentials (2/2)', DEMO_API_KEY);
    await view.getByText('Nothing fetched yet').waitFor();
    await answerStep(page, 'time window', 'Last 7 days');
    await answerStep(page, 'destination prefix', '');
    await answerStep(page, 'calls', 'All calls');

    const newest = newestFirst(emulator.cdrs)[0];
    const newestDate = newest.connect_time.slice(0, 10);
    const newestNumber = `+${newest.CLD.trim()}`;
    await view.getByText(newestNumber).first().waitFor({ timeout: 60_000 });
    // The view's message and the "Load more" row can render a moment after the first calls.
    await view.getByText(new RegExp(`${PAGE_SIZE} CDRs, more available`)).waitFor();
    await view.getByText('Load more').waitFor();
    const text = await view.innerText();
    assert.ok(text.includes(newestDate), `the newest date ${newestDate} is not shown`);
    assert.ok(text.includes(newestNumber), `the newest call ${newestNumber} is not shown`);
    assert.ok(text.includes('Load more'), 'the Load more row is not shown');
    assert.match(text, new RegExp(`${PAGE_SIZE} CDRs, more available`));
    await page.locator('.notifications-toasts', { hasText: 'Fetching CDRs' }).waitFor({
      state: 'hidden',
    });
    await page.screenshot({ path: path.join(resultsDir, 'sidebar.png') });
  });
});
