/** Steps a user takes in the VS Code workbench, driven through Playwright. */
import type { Locator, Page } from 'playwright-core';
import type { RawCdr } from '../../src/emulator/dataset';
import type { CodeServer } from './codeServer';

/**
 * Opens the workbench of `server` with its folder, shows the TCXC view and waits for the welcome
 * text of a profile without credentials. Returns the Call History pane.
 */
export async function openCallHistory(page: Page, server: CodeServer): Promise<Locator> {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(server.folder)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.activitybar [aria-label^="TCXC"]').first().click();
  const view = page.locator('.pane', { hasText: 'Call History' });
  await view.getByText('No TCXC credentials are stored yet').waitFor({ timeout: 60_000 });
  return view;
}

/** Runs a palette command by its title, as a user would with F1. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Waits for a quick input step whose title contains `title`, then types `answer` and presses Enter. */
export async function answerStep(page: Page, title: string, answer: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor();
  const input = page.locator('.quick-input-widget input');
  await input.fill(answer);
  await page.keyboard.press('Enter');
}

/** Sorts records as the tree and the panel show them: newest connect time first. */
export function newestFirst(records: readonly RawCdr[]): RawCdr[] {
  return [...records].sort((a, b) =>
    a.connect_time === b.connect_time
      ? Number(b.i_cdr) - Number(a.i_cdr)
      : a.connect_time < b.connect_time
        ? 1
        : -1,
  );
}
