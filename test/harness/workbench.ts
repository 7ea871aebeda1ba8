/** Steps a user takes in the VS Code workbench, driven through Playwright. */
import type { Page } from 'playwright-core';
import type { RawCdr } from '../../src/emulator/dataset';

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
