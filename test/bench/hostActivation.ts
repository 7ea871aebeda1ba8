/**
 * Extension-host module of the activation benchmark, loaded by VS Code in place of a test suite
 * (`extensionTestsPath`). After the host has had time to finish starting, it activates the
 * extension and writes how long that took, from VS Code's require of dist/extension.js to the end
 * of `activate`, to the file named by TCXC_BENCH_ACTIVATION_FILE.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';

const EXTENSION_ID = 'tcxc-tools.tcxc-vscode';

/**
 * Wait before activating, in milliseconds. The test module runs while VS Code still starts other
 * extensions: without the wait, two of three activations in one run of this benchmark took about
 * 180 ms instead of about 75 ms.
 */
const SETTLE_MS = 3_000;

/** What this module writes, as JSON. */
export interface HostActivationResult {
  readonly vscodeVersion: string;
  /** True when VS Code had activated the extension before this module ran, so nothing was timed. */
  readonly alreadyActive: boolean;
  readonly activateMs: number | null;
}

export async function run(): Promise<void> {
  const file = process.env.TCXC_BENCH_ACTIVATION_FILE;
  if (!file) {
    throw new Error('TCXC_BENCH_ACTIVATION_FILE is not set');
  }
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (extension === undefined) {
    throw new Error(`Extension ${EXTENSION_ID} is not installed in this host`);
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const alreadyActive = extension.isActive;
  let activateMs: number | null = null;
  if (!alreadyActive) {
    const started = performance.now();
    await extension.activate();
    activateMs = performance.now() - started;
  }
  const result: HostActivationResult = { vscodeVersion: vscode.version, alreadyActive, activateMs };
  fs.writeFileSync(file, JSON.stringify(result));
}
