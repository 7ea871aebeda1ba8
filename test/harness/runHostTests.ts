/**
 * Runs the extension-host test suite (out/test/host/index.js by default) inside a real VS Code:
 * code-server driven by chromium on this machine, or, with TCXC_TEST_HOST=electron, a desktop
 * VS Code downloaded by @vscode/test-electron.
 *
 * CLI: node out/test/harness/runHostTests.js [--tests FILE] [--settings JSON]
 *        [--env NAME=VALUE ...] [--folder DIR] [--grep PATTERN] [--timeout SECONDS]
 *        [--host code-server|electron]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type { ConsoleMessage, Page } from 'playwright-core';
import { launchLoopbackBrowser, type LoopbackBrowser } from './browser';
import {
  createLogFile,
  readManifest,
  repoRoot,
  startCodeServer,
  type CodeServer,
} from './codeServer';
import { runElectronHostTests } from './electron';

export interface HostTestOptions {
  /** User settings for the VS Code instance, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Environment variables for the extension host, e.g. an emulator's endpoint. */
  env?: Record<string, string>;
  /** Compiled test entry module, out/test/host/index.js by default. Relative to the repo root. */
  testsPath?: string;
  /** Folder to open as the workspace. When omitted, an empty temporary folder is opened. */
  folder?: string;
  /** Time limit for the whole run in milliseconds, startup included (5 minutes by default). */
  timeoutMs?: number;
  /** Host to run in. Defaults to TCXC_TEST_HOST, and to code-server when that is unset. */
  host?: 'code-server' | 'electron';
}

export const defaultTestsPath = path.join(repoRoot, 'out', 'test', 'host', 'index.js');
const defaultTimeoutMs = 5 * 60_000;

/** Runs the suite and resolves with the exit code: 0 when every test passed. */
export async function runHostTests(options: HostTestOptions = {}): Promise<number> {
  const host = options.host ?? hostFromEnvironment();
  const testsPath = resolveTestsPath(options.testsPath);
  assertExtensionBuilt();
  if (host === 'electron') {
    return runElectronHostTests({ ...options, testsPath });
  }
  return runInCodeServer(options, testsPath);
}

function hostFromEnvironment(): 'code-server' | 'electron' {
  const value = process.env.TCXC_TEST_HOST;
  if (value === undefined || value === '' || value === 'code-server') {
    return 'code-server';
  }
  if (value === 'electron') {
    return 'electron';
  }
  throw new Error(`Invalid TCXC_TEST_HOST "${value}": expected "code-server" or "electron".`);
}

function resolveTestsPath(testsPath?: string): string {
  const resolved = path.resolve(repoRoot, testsPath ?? defaultTestsPath);
  if (!fs.existsSync(resolved)) {
    throw new Error(`Test entry ${resolved} not found. Compile the tests first (npx tsc -p .).`);
  }
  return resolved;
}

/**
 * Checks that the manifest's `main` exists, because VS Code cannot activate the extension
 * otherwise.
 */
function assertExtensionBuilt(): void {
  const manifest = readManifest(path.join(repoRoot, 'package.json'));
  if (manifest.main && !fs.existsSync(path.join(repoRoot, manifest.main))) {
    throw new Error(
      `Extension entry point ${manifest.main} not found. ` +
        'Build the extension first (npm run build).',
    );
  }
}

interface Session {
  server?: CodeServer;
  browser?: LoopbackBrowser;
  consoleLog?: fs.WriteStream;
  consoleFlushed?: () => Promise<void>;
}

async function runInCodeServer(options: HostTestOptions, testsPath: string): Promise<number> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const session: Session = {};

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      console.error(
        `Extension host tests timed out after ${timeoutMs / 1000} s; ` +
          `server log: ${session.server?.logFile ?? 'not started'}`,
      );
      resolve(1);
    }, timeoutMs);
  });
  const run = runSession(session, options, testsPath);
  // After a timeout, the session's pending steps fail while it is torn down, which is expected.
  run.catch(() => undefined);

  let code: number;
  try {
    code = await Promise.race([run, timeout]);
  } catch (error) {
    console.error(`Extension host test run failed: ${errorMessage(error)}`);
    code = 1;
  } finally {
    clearTimeout(timer);
    await closeSession(session);
  }

  reportRun(session, code, Date.now() - started);
  return code;
}

async function runSession(
  session: Session,
  options: HostTestOptions,
  testsPath: string,
): Promise<number> {
  const server = await startCodeServer({
    settings: options.settings,
    env: options.env,
    folder: options.folder,
    smokeTestDriver: true,
    label: 'host-tests-code-server',
  });
  session.server = server;
  console.log(`code-server started at ${server.url} (log: ${server.logFile})`);

  const browser = await launchLoopbackBrowser();
  session.browser = browser;
  const consoleLog = recordConsole(session, browser.page);
  const workbenchLogsDir = consoleLog.file.replace(/\.log$/, '-workbench-logs');
  // Messages after the tests' exit come from the workbench shutting down, so only the file keeps
  // them.
  const { outcome } = await watchOutcome(browser.page, server, workbenchLogsDir, () =>
    consoleLog.stopPrinting(),
  );

  await browser.page.goto(testUrl(server, testsPath), { waitUntil: 'domcontentloaded' });
  return outcome;
}

/**
 * Logs the page's console to a new file under test-results/ and prints VS Code's log messages.
 * Returns the file's path and a function that stops the printing.
 */
function recordConsole(session: Session, page: Page) {
  const consoleLogFile = createLogFile('host-tests-browser-console');
  const consoleLog = fs.createWriteStream(consoleLogFile);
  const consoleHandler = createConsoleHandler(consoleLog);
  session.consoleLog = consoleLog;
  session.consoleFlushed = consoleHandler.flushed;
  page.on('console', consoleHandler.handle);
  page.on('pageerror', (error) =>
    consoleLog.write(`[page error] ${error.stack ?? error.message}\n`),
  );
  return { file: consoleLogFile, stopPrinting: consoleHandler.stopPrinting };
}

/**
 * Exposes `codeAutomationExit`, which the workbench calls with the tests' exit code and its log
 * files. The returned `outcome` settles with that code, or rejects when code-server exits or the
 * page crashes first.
 */
async function watchOutcome(
  page: Page,
  server: CodeServer,
  workbenchLogsDir: string,
  onTestsExit: () => void,
) {
  let reportExit: (code: number) => void = () => undefined;
  const testsFinished = new Promise<number>((resolve) => (reportExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
    onTestsExit();
    saveWorkbenchLogs(logs, workbenchLogsDir);
    reportExit(typeof code === 'number' ? code : 1);
  });

  const serverExited = server.exited.then((status): number => {
    throw new Error(`code-server exited during the test run (${status}); log: ${server.logFile}`);
  });
  const pageCrashed = new Promise<number>((_, reject) =>
    page.once('crash', () => reject(new Error('The workbench page crashed in chromium.'))),
  );
  const outcome = Promise.race([testsFinished, serverExited, pageCrashed]);
  // Rejections after teardown has begun are expected, and the caller handles earlier ones.
  outcome.catch(() => undefined);
  return { outcome };
}

/** Builds the workbench URL whose `payload` makes VS Code load the extension and run the tests. */
function testUrl(server: CodeServer, testsPath: string): string {
  const remote = (absolutePath: string) =>
    `vscode-remote://127.0.0.1:${server.port}${absolutePath}`;
  const payload = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(testsPath)],
  ];
  const query = new URLSearchParams({ folder: server.folder, payload: JSON.stringify(payload) });
  return `${server.url}/?${query.toString()}`;
}

/**
 * Formats a browser console message written by VS Code's console logger, which logs
 * `('%c LEVEL', STYLE, message, ...args)`. The extension host's console output (mocha's report)
 * reaches the page that way. Returns undefined for other messages, such as chromium's warnings.
 */
async function formatLogMessage(message: ConsoleMessage): Promise<string | undefined> {
  const args = message.args();
  const head: unknown[] = await Promise.all(args.slice(0, 2).map((arg) => arg.jsonValue()));
  const [prefix, style] = head;
  if (typeof prefix !== 'string' || typeof style !== 'string') {
    return undefined;
  }
  const level = /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)$/.exec(prefix);
  if (!level) {
    return undefined;
  }

  const values: unknown[] = await Promise.all(args.slice(2).map((arg) => arg.jsonValue()));
  // Mocha logs printf-style ('%s%s', indent, title), so strings are formatted like console.log.
  // Errors and objects are shown as chromium's text preview, after the prefix and style.
  const text = values.every(isPrimitive)
    ? util.format(...values)
    : message.text().slice(`${prefix} ${style} `.length);
  const shortText = text
    .split('\n')
    .filter((line) => !workbenchStackFrame.test(line))
    .join('\n');
  return level[1] === 'INFO' ? shortText : `[${level[1]}] ${shortText}`;
}

/** Stack frame inside the workbench's minified bundle. Only the console log file keeps them. */
const workbenchStackFrame = /^\s+at .*\/static\/out\/vs\//;

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/**
 * Prints VS Code log messages in arrival order until `stopPrinting()` is called, and records
 * every message in `consoleLog`.
 */
function createConsoleHandler(consoleLog: fs.WriteStream) {
  let queue = Promise.resolve();
  let printing = true;
  const handle = (message: ConsoleMessage) => {
    consoleLog.write(`[${message.type()}] ${message.text()}\n`);
    if (!printing) {
      return;
    }
    queue = queue
      .then(() => formatLogMessage(message))
      .then((text) => {
        if (text !== undefined) {
          console.log(text);
        }
      })
      .catch(() => undefined);
  };
  const stopPrinting = () => (printing = false);
  return { handle, stopPrinting, flushed: () => queue };
}

/**
 * Writes the workbench log files that VS Code passes to `codeAutomationExit` into `directory`.
 */
function saveWorkbenchLogs(logs: unknown, directory: string): void {
  if (!Array.isArray(logs)) {
    return;
  }
  for (const entry of logs as { relativePath?: unknown; contents?: unknown }[]) {
    if (typeof entry.relativePath !== 'string' || typeof entry.contents !== 'string') {
      continue;
    }
    const target = path.resolve(directory, entry.relativePath);
    if (!target.startsWith(directory + path.sep)) {
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.contents);
  }
}

async function closeSession(session: Session): Promise<void> {
  await session.consoleFlushed?.();
  try {
    await session.browser?.close();
  } catch (error) {
    console.error(`Closing chromium failed: ${errorMessage(error)}`);
  }
  try {
    await session.server?.stop();
  } catch (error) {
    console.error(`Stopping code-server failed: ${errorMessage(error)}`);
  }
  session.consoleLog?.end();
}

function reportRun(session: Session, code: number, elapsedMs: number): void {
  const blockedCount = session.browser?.blockedRequestCount() ?? 0;
  console.log(
    `Extension host tests ${code === 0 ? 'passed' : `failed (exit code ${code})`} ` +
      `in ${(elapsedMs / 1000).toFixed(1)} s; ` +
      `${blockedCount} request(s) to non-loopback hosts blocked.`,
  );
  for (const url of session.browser?.blockedUrls() ?? []) {
    console.log(`  blocked: ${url}`);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parses the CLI options shared by this runner and the demo. */
export function parseHarnessArguments(argv: string[]) {
  const { values } = util.parseArgs({
    args: argv,
    options: {
      tests: { type: 'string' },
      settings: { type: 'string' },
      env: { type: 'string', multiple: true },
      folder: { type: 'string' },
      grep: { type: 'string' },
      timeout: { type: 'string' },
      emulator: { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
  });
  return {
    testsPath: values.tests,
    settings: values.settings === undefined ? undefined : parseSettings(values.settings),
    env: parseEnvironment(values.env ?? []),
    folder: values.folder === undefined ? undefined : path.resolve(values.folder),
    grep: values.grep,
    timeoutMs: values.timeout === undefined ? undefined : parseSeconds(values.timeout) * 1000,
    emulatorUrl: values.emulator,
    host: values.host,
  };
}

function parseSettings(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Invalid --settings: expected a JSON object, got ${text}`);
  }
  return parsed as Record<string, unknown>;
}

function parseEnvironment(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) {
      throw new Error(`Invalid --env "${pair}": expected NAME=VALUE.`);
    }
    env[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return env;
}

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`Invalid --timeout "${text}": expected a positive number of seconds.`);
  }
  return seconds;
}

async function main(): Promise<void> {
  const args = parseHarnessArguments(process.argv.slice(2));
  if (args.host !== undefined && args.host !== 'code-server' && args.host !== 'electron') {
    throw new Error(`Invalid --host "${args.host}": expected code-server or electron.`);
  }
  const env = { ...args.env };
  if (args.grep !== undefined) {
    env.TCXC_HOST_TEST_GREP = args.grep;
  }
  // Exiting runs the 'exit' handlers that kill code-server and chromium and remove temp folders.
  const exitOnSignal = (signal: NodeJS.Signals, code: number) =>
    process.once(signal, () => {
      console.error(`Received ${signal}; stopping code-server and chromium.`);
      process.exit(code);
    });
  exitOnSignal('SIGINT', 130);
  exitOnSignal('SIGTERM', 143);

  const code = await runHostTests({
    settings: args.settings,
    env,
    testsPath: args.testsPath,
    folder: args.folder,
    timeoutMs: args.timeoutMs,
    host: args.host,
  });
  process.exit(code);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(errorMessage(error));
    process.exit(1);
  });
}
