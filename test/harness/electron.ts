/**
 * Runs the extension-host tests in desktop VS Code through @vscode/test-electron, for machines
 * that can download a VS Code build. Selected by TCXC_TEST_HOST=electron.
 */
import * as fs from 'node:fs';
import { runTests, TestRunFailedError } from '@vscode/test-electron';
import { createDesktopProfile, repoRoot } from './codeServer';
import type { HostTestOptions } from './runHostTests';

/**
 * Downloads VS Code (TCXC_VSCODE_VERSION, else the latest stable build) into .vscode-test/,
 * starts it with a temporary user-data and extensions folder and resolves with the exit code.
 * NOTE: `timeoutMs` is not enforced here, because runTests offers no way to stop VS Code early.
 */
export async function runElectronHostTests(
  options: HostTestOptions & { testsPath: string },
): Promise<number> {
  const { root, userDataDir, extensionsDir, folder } = createDesktopProfile(
    'tcxc-vscode-electron-',
    options.folder,
    options.settings,
  );

  try {
    return await runTests({
      version: process.env.TCXC_VSCODE_VERSION || undefined,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: options.testsPath,
      extensionTestsEnv: options.env,
      launchArgs: [
        folder,
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--disable-telemetry',
      ],
    });
  } catch (error) {
    if (error instanceof TestRunFailedError) {
      console.error(error.message);
      return error.code ?? 1;
    }
    throw error;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
