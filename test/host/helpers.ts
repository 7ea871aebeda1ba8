/** Shared steps of the extension-host tests. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TcxcExtensionApi } from '../../src/extension';

export const EXTENSION_ID = 'tcxc-tools.tcxc-vscode';

/** The emulator's demo account; the runner passes it in the environment of the extension host. */
export const login = process.env.TCXC_TEST_LOGIN ?? '';
export const apiKey = process.env.TCXC_TEST_API_KEY ?? '';

/**
 * Waits until the user settings that point the extension at the emulator have reached the
 * extension host, because code-server can start the host before it has loaded them. Throws rather
 * than let a test send a request to the production endpoint.
 */
export async function waitForLoopbackEndpoint(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const isLoopback = (): boolean =>
    /^http:\/\/127\.0\.0\.1:\d+\//.test(
      vscode.workspace.getConfiguration('tcxc').get<string>('endpoint') ?? '',
    );
  while (!isLoopback()) {
    if (Date.now() > deadline) {
      throw new Error('tcxc.endpoint never pointed at the emulator; refusing to run the tests');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function activateExtension(): Promise<TcxcExtensionApi> {
  const extension = vscode.extensions.getExtension<TcxcExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** Polls `condition` every 50 ms until it holds, or fails with `what` after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A Memento kept in memory, for a store built outside the extension. */
export class MemoryMemento implements vscode.Memento {
  private readonly values = new Map<string, unknown>();

  keys(): readonly string[] {
    return [...this.values.keys()];
  }

  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : defaultValue;
  }

  update(key: string, value: unknown): Thenable<void> {
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, value);
    }
    return Promise.resolve();
  }
}
