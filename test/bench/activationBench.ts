/**
 * Activation and bundle benchmark. Activation is timed in a real VS Code, code-server's extension
 * host started by the host-test harness, when code-server is installed and no other code-server
 * runs. In plain Node, dist/extension.js is also loaded with a stand-in `vscode` module, which
 * times this extension's own code and counts its network attempts. Bundle sizes come from the
 * development build and from a production build, after which the development build is rebuilt.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActivationProbeResult } from './activationProbe';
import type { HostActivationResult } from './hostActivation';
import { Figure, formatBytes, formatMs, formatNumber, median } from './stats';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const extensionBundle = path.join(repoRoot, 'dist', 'extension.js');
const panelBundle = path.join(repoRoot, 'dist', 'webview', 'panel.js');
const codeServerInstall = path.join(repoRoot, '.vscode-test', 'code-server');
const resultsDir = path.join(repoRoot, 'test-results');

const PROBE_RUNS = 5;
const HOST_RUNS = 3;
/** Limit for one code-server start, activation and stop, in seconds. */
const HOST_TIMEOUT_SECONDS = 180;

/** Runs a Node script in a new process and returns its last line of output, parsed as JSON. */
function runNodeJson<T>(args: readonly string[]): T {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || line === '') {
    throw new Error(`node ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return JSON.parse(line) as T;
}

function probeActivation(bundle: string): ActivationProbeResult[] {
  const probe = path.join(__dirname, 'activationProbe.js');
  const results: ActivationProbeResult[] = [];
  // The first process warms the file cache and is not counted.
  for (let run = 0; run <= PROBE_RUNS; run++) {
    const result = runNodeJson<ActivationProbeResult>([probe, bundle]);
    if (run > 0) {
      results.push(result);
    }
  }
  return results;
}

/** Times `require('undici')` alone in new processes: the HTTP library the client is built on. */
function timeUndiciLoad(): number[] {
  const script =
    'const started = performance.now(); require("undici"); ' +
    'console.log(JSON.stringify(performance.now() - started));';
  const times: number[] = [];
  for (let run = 0; run <= PROBE_RUNS; run++) {
    const result = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`Loading undici failed: ${result.stderr}`);
    }
    if (run > 0) {
      times.push(Number(result.stdout.trim()));
    }
  }
  return times;
}

function codeServerRunning(): boolean {
  return spawnSync('pgrep', ['-f', 'code-server']).status === 0;
}

/** Starts VS Code once and returns the activation result, or throws with the log's path. */
async function activateInHost(run: number): Promise<HostActivationResult> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const resultFile = path.join(os.tmpdir(), `tcxc-bench-activation-${process.pid}-${run}.json`);
  const logFile = path.join(resultsDir, `bench-host-activation-${run}.log`);
  const log = fs.openSync(logFile, 'w');
  try {
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, 'out', 'test', 'harness', 'runHostTests.js'),
        '--tests',
        path.join(__dirname, 'hostActivation.js'),
        // Activation makes no request; a loopback endpoint keeps any by mistake on this machine.
        '--settings',
        JSON.stringify({ 'tcxc.endpoint': 'http://127.0.0.1:9/buyers/callhistory' }),
        '--env',
        `TCXC_BENCH_ACTIVATION_FILE=${resultFile}`,
        '--timeout',
        String(HOST_TIMEOUT_SECONDS),
      ],
      { cwd: repoRoot, stdio: ['ignore', log, log] },
    );
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0 || !fs.existsSync(resultFile)) {
      throw new Error(`the host run exited with code ${code}; log: ${logFile}`);
    }
    return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as HostActivationResult;
  } finally {
    fs.closeSync(log);
    fs.rmSync(resultFile, { force: true });
  }
}

/** Activates the extension in `HOST_RUNS` fresh code-server sessions, or explains why not. */
async function measureInHost(): Promise<{ results: HostActivationResult[]; skipped?: string }> {
  if (!fs.existsSync(codeServerInstall)) {
    return { results: [], skipped: 'code-server is not installed (bash .ci/install-host.sh)' };
  }
  const results: HostActivationResult[] = [];
  for (let run = 1; run <= HOST_RUNS; run++) {
    // Only one code-server may run on the machine at a time.
    if (codeServerRunning()) {
      return { results, skipped: 'another code-server was running' };
    }
    try {
      results.push(await activateInHost(run));
    } catch (error) {
      return { results, skipped: error instanceof Error ? error.message : String(error) };
    }
  }
  return { results };
}

/** True when the extension bundle contains code of the panel's script. */
function extensionBundleHasWebview(): boolean {
  const text = fs.readFileSync(extensionBundle, 'utf8');
  const map = `${extensionBundle}.map`;
  const sources = fs.existsSync(map)
    ? (JSON.parse(fs.readFileSync(map, 'utf8')) as { sources: string[] }).sources
    : [];
  return text.includes('acquireVsCodeApi') || sources.some((file) => file.includes('webview'));
}

function buildBundles(production: boolean): void {
  const args = [path.join(repoRoot, 'esbuild.mjs'), ...(production ? ['--production'] : [])];
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`esbuild.mjs ${args.slice(1).join(' ')} failed: ${result.stderr}`);
  }
}

interface BundleSizes {
  readonly extension: number;
  readonly panel: number;
}

function readSizes(): BundleSizes {
  return { extension: fs.statSync(extensionBundle).size, panel: fs.statSync(panelBundle).size };
}

function describeProbe(results: readonly ActivationProbeResult[]): string {
  const load = median(results.map((result) => result.loadMs));
  const activate = median(results.map((result) => result.activateMs));
  const heap = median(results.map((result) => result.heapGrowth));
  return (
    `require ${formatMs(load)}, activate ${formatMs(activate)}, heap growth ${formatBytes(heap)}` +
    `, ${results[0].vscodeCalls} vscode API calls`
  );
}

export async function runActivationBench(): Promise<Figure[]> {
  const hasWebview = extensionBundleHasWebview();
  const development = readSizes();
  const probes = probeActivation(extensionBundle);
  const undici = timeUndiciLoad();
  const host = await measureInHost();

  buildBundles(true);
  let production: BundleSizes;
  let productionProbes: ActivationProbeResult[];
  try {
    production = readSizes();
    productionProbes = probeActivation(extensionBundle);
  } finally {
    buildBundles(false);
  }

  const networkAttempts = Math.max(
    ...[...probes, ...productionProbes].map((result) => result.networkAttempts),
  );
  const probeTotal = median(probes.map((result) => result.loadMs + result.activateMs));
  const timed = host.results.filter((result) => result.activateMs !== null);
  const hostMs =
    timed.length > 0 ? median(timed.map((result) => result.activateMs ?? 0)) : undefined;
  const hostNote =
    timed.length > 0
      ? `VS Code ${timed[0].vscodeVersion} (code-server extension host): activate() from a ` +
        'test module 3 s after the host started, require included, runs ' +
        timed.map((result) => formatMs(result.activateMs ?? 0)).join(', ')
      : 'VS Code host: not measured';
  const notes = [hostNote];
  if (host.skipped !== undefined) {
    notes.push(`VS Code host runs stopped: ${host.skipped}`);
  }
  if (host.results.some((result) => result.alreadyActive)) {
    notes.push('VS Code had already activated the extension in a run, which was not timed');
  }
  notes.push(
    `plain Node with a stand-in vscode module (not VS Code; times this extension's code only), ` +
      `medians of ${PROBE_RUNS} processes: development bundle ${describeProbe(probes)}; ` +
      `production bundle ${describeProbe(productionProbes)}`,
    `baseline: require("undici") alone in a new Node process, runs ` +
      `${undici.map(formatMs).join(', ')}`,
    `network connections or DNS look-ups during require and activate: ${networkAttempts}`,
    `dist/extension.js contains panel (webview) code: ${hasWebview ? 'yes' : 'no'}`,
  );

  const sizeFigure = (name: string, developmentBytes: number, productionBytes: number): Figure => ({
    name,
    measuredLabel: 'esbuild.mjs --production',
    measured: productionBytes / 1000,
    baselineLabel: 'esbuild.mjs (development)',
    baseline: developmentBytes / 1000,
    unit: 'kB',
    goal: '',
    met: undefined,
    notes: [`${formatNumber(developmentBytes)} and ${formatNumber(productionBytes)} bytes`],
  });

  return [
    {
      name: 'activation',
      measuredLabel:
        hostMs === undefined
          ? 'plain Node: require + activate (stand-in vscode)'
          : 'VS Code host: require + activate',
      measured: hostMs ?? probeTotal,
      baselineLabel: 'require("undici") alone',
      baseline: median(undici),
      unit: 'ms',
      goal: 'no network, no panel code in the extension bundle',
      met: networkAttempts === 0 && !hasWebview,
      notes,
    },
    sizeFigure('bundle dist/extension.js', development.extension, production.extension),
    sizeFigure('bundle dist/webview/panel.js', development.panel, production.panel),
  ];
}
