/**
 * Entry point that VS Code loads in the extension host (`extensionTestsPath`): runs every
 * compiled `*.test.js` file under this folder with mocha.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Returns the `*.test.js` files under `dir`, recursively, in a stable order. */
function findTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...findTestFiles(entryPath));
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      files.push(entryPath);
    }
  }
  return files.sort();
}

/**
 * Runs the suite and rejects when a test fails. TCXC_HOST_TEST_GREP, when set, limits the run to
 * tests whose full title matches it.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000 });
  const grep = process.env.TCXC_HOST_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  for (const file of findTestFiles(__dirname)) {
    mocha.addFile(file);
  }

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) {
    throw new Error(`${failures} extension host test(s) failed.`);
  }
}
