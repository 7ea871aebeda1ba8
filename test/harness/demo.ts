/**
 * Opens the built extension in a VS Code that a person can click through, pointed at a local
 * TCXC emulator: the embedded one with its demo account, or one given by `--emulator`. Runs
 * until Ctrl+C.
 *
 * With a desktop `code` command on PATH it starts `code --extensionDevelopmentPath=REPO` with a
 * fresh user-data folder. Otherwise it starts code-server on loopback with the extension copied
 * into its extensions folder and prints the URL to open.
 *
 * CLI: node out/test/harness/demo.js [--emulator URL] [--settings JSON] [--env NAME=VALUE ...]
 *        [--folder DIR] [--host auto|code|code-server]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CALL_HISTORY_PATH,
  DEMO_API_KEY,
  DEFAULT_DIGEST_ALGORITHMS,
  DEMO_LOGIN,
  startEmulator,
} from '../../src/emulator/server';
import { isLoopbackUrl } from './browser';
import { createDesktopProfile, repoRoot, startCodeServer } from './codeServer';
import { parseHarnessArguments } from './runHostTests';

export type DemoHost = 'auto' | 'code' | 'code-server';

export interface DemoOptions {
  /** Base URL of the running emulator, which must be a loopback address. */
  emulatorUrl: string;
  /**
   * User settings, merged over the harness defaults. The caller puts the emulator's URL into the
   * extension's endpoint setting here, because the setting names belong to the extension.
   */
  settings?: Record<string, unknown>;
  /** Environment variables for VS Code and its extension host. */
  env?: Record<string, string>;
  /** Folder to open. When omitted, an empty temporary folder is opened. */
  folder?: string;
  /** `auto` (the default) uses a desktop `code` command when one is on PATH. */
  host?: DemoHost;
}

/** Files of the built extension that a packaged extension would contain. */
const builtExtensionFiles = ['package.json', 'dist', 'media', 'README.md'];

/** Runs the demo until Ctrl+C (or until VS Code exits) and resolves with an exit code. */
export async function runDemo(options: DemoOptions): Promise<number> {
  if (!isLoopbackUrl(options.emulatorUrl) || !/^https?:/.test(options.emulatorUrl)) {
    throw new Error(
      `Invalid emulator URL "${options.emulatorUrl}": expected http(s)://127.0.0.1:PORT.`,
    );
  }
  const code = findDesktopCode();
  const host = options.host ?? 'auto';
  if (host === 'code' || (host === 'auto' && code !== undefined)) {
    if (code === undefined) {
      throw new Error('No desktop "code" command found on PATH.');
    }
    return runDesktopDemo(code, options);
  }
  return runCodeServerDemo(options);
}

async function runCodeServerDemo(options: DemoOptions): Promise<number> {
  const server = await startCodeServer({
    settings: options.settings,
    env: options.env,
    folder: options.folder,
    extensions: [{ path: repoRoot, include: builtExtensionFiles }],
    label: 'demo-code-server',
  });
  const query = new URLSearchParams({ folder: server.folder });
  const workbenchUrl = `${server.url}/?${query.toString()}`;
  console.log(`TCXC demo is running against the emulator at ${options.emulatorUrl}.`);
  console.log(`Open ${workbenchUrl} in a browser on this machine.`);
  console.log(`code-server log: ${server.logFile}`);
  console.log('Press Ctrl+C to stop.');

  const stopSignal = waitForStopSignal();
  const ended = await Promise.race([
    stopSignal.received,
    server.exited.then((status) => `code-server exited unexpectedly (${status})`),
  ]);
  stopSignal.dispose();
  console.log(`Stopping the demo: ${ended}.`);
  await server.stop();
  return ended.startsWith('code-server exited') ? 1 : 0;
}

/**
 * Starts desktop VS Code with the repository as a development extension and waits until its
 * window closes or Ctrl+C.
 * NOTE: not yet run against a desktop VS Code, so whether `--wait` returns when the new window
 * closes is unverified.
 */
async function runDesktopDemo(code: string, options: DemoOptions): Promise<number> {
  const { root, userDataDir, extensionsDir, folder } = createDesktopProfile(
    'tcxc-demo-vscode-',
    options.folder,
    options.settings,
  );

  const child = spawn(
    code,
    [
      '--new-window',
      '--wait',
      `--extensionDevelopmentPath=${repoRoot}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-telemetry',
      folder,
    ],
    { stdio: 'inherit', env: { ...environmentWithoutVsCode(), ...options.env } },
  );
  console.log(`TCXC demo is running in VS Code against the emulator at ${options.emulatorUrl}.`);
  console.log('Close the window or press Ctrl+C to stop.');

  const stopSignal = waitForStopSignal();
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      console.error(`Starting ${code} failed: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (exitCode) => resolve(exitCode ?? 0));
  });
  const result = await Promise.race([exited, stopSignal.received.then(() => undefined)]);
  stopSignal.dispose();
  if (result === undefined) {
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(root, { recursive: true, force: true });
  return result ?? 0;
}

/**
 * Returns the path of a desktop `code` command on PATH. A `code` inside a `remote-cli` folder is
 * skipped: it is VS Code Server's CLI, which opens folders in an existing remote window.
 */
function findDesktopCode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'code');
    if (dir === '' || dir.split(path.sep).includes('remote-cli')) {
      continue;
    }
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        return candidate;
      }
    } catch {
      // Not present or not executable in this PATH entry.
    }
  }
  return undefined;
}

/** Returns the environment without VSCODE_* variables, which would tie `code` to another window. */
function environmentWithoutVsCode(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Proxy variables go too: the demo's traffic stays on loopback, never through a proxy.
    const proxyVariable = /^(https?|no|all)_proxy$/i.test(key);
    if (!key.startsWith('VSCODE_') && key !== 'ELECTRON_RUN_AS_NODE' && !proxyVariable) {
      env[key] = value;
    }
  }
  // The extension's client then rejects any endpoint off loopback, as in code-server.
  env.TCXC_LOOPBACK_ONLY = '1';
  return env;
}

function waitForStopSignal() {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<string>((resolve) => {
    onSignal = (signal) => resolve(`received ${signal}`);
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Starts the embedded emulator with its demo account unless `--emulator` names a running one,
 * then opens VS Code with the extension's endpoint setting pointed at it.
 */
async function main(): Promise<void> {
  const args = parseHarnessArguments(process.argv.slice(2));
  if (args.host !== undefined && !['auto', 'code', 'code-server'].includes(args.host)) {
    throw new Error(`Invalid --host "${args.host}": expected auto, code or code-server.`);
  }
  const emulator =
    args.emulatorUrl === undefined
      ? await startEmulator({ digestAlgorithms: DEFAULT_DIGEST_ALGORITHMS })
      : undefined;
  const endpoint =
    emulator?.endpoint ?? `${(args.emulatorUrl ?? '').replace(/\/+$/, '')}${CALL_HISTORY_PATH}`;
  if (emulator) {
    console.log(`TCXC emulator: ${emulator.endpoint}, ${emulator.cdrs.length} CDRs over 7 days.`);
    console.log(
      `In VS Code run "TCXC: Set Credentials" with login ${DEMO_LOGIN} and API key ` +
        `${DEMO_API_KEY}, then "TCXC: Fetch CDRs".`,
    );
  }
  try {
    const code = await runDemo({
      emulatorUrl: endpoint,
      settings: { 'tcxc.endpoint': endpoint, ...args.settings },
      env: args.env,
      folder: args.folder,
      host: args.host as DemoHost | undefined,
    });
    process.exitCode = code;
  } finally {
    await emulator?.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
