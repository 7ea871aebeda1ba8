/**
 * Export benchmark: 1,000,000 CDRs from the emulator to a CSV file with exportCdrs. The emulator
 * and the export each run in a child process, so the export's memory is measured alone. The
 * baseline loads the same records into memory with fetchAllCdrs, as a load into the extension
 * does.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ExportWorkerResult } from './exportWorker';
import { Figure, formatBytes, formatMs, formatNumber } from './stats';

const RECORD_COUNT = 1_000_000;
const DAYS = 30;
/** The largest `tcxc.pageSize`, so the export makes the fewest requests the extension allows. */
const PAGE_SIZE = 5_000;
const GOAL_BYTES = 100_000_000;
const MEGABYTE = 1_000_000;
const DAY_MS = 86_400_000;
/** Limit for the emulator to generate its records and listen; a generous guess. */
const EMULATOR_START_TIMEOUT_MS = 180_000;
/** Heap limit of the baseline, which keeps every record in memory, in MiB. */
const BASELINE_HEAP_MIB = 8_192;

const outDir = path.join(__dirname, '..', '..');

interface ChildEmulator {
  readonly endpoint: string;
  readonly process: ChildProcess;
}

/** Starts the emulator CLI and resolves with its endpoint once it prints that it listens. */
function startChildEmulator(): Promise<ChildEmulator> {
  const child = spawn(
    process.execPath,
    [
      path.join(outDir, 'src', 'emulator', 'main.js'),
      '--count',
      String(RECORD_COUNT),
      '--days',
      String(DAYS),
      '--seed',
      '17',
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`The emulator did not start within ${EMULATOR_START_TIMEOUT_MS} ms`));
    }, EMULATOR_START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The emulator exited with code ${code} before it listened`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(line);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ endpoint: match[1], process: child });
      }
    });
  });
}

async function stopChildEmulator(emulator: ChildEmulator): Promise<void> {
  if (emulator.process.exitCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => emulator.process.once('exit', resolve));
  emulator.process.kill('SIGTERM');
  await exited;
}

/** Runs the worker in a new Node process and returns the JSON line it prints. */
function runWorker(
  mode: 'stream' | 'memory',
  endpoint: string,
  file: string,
  query: { from: Date; to: Date },
): Promise<ExportWorkerResult> {
  const flags = ['--expose-gc'];
  if (mode === 'memory') {
    flags.push(`--max-old-space-size=${BASELINE_HEAP_MIB}`);
  }
  const args = [
    ...flags,
    path.join(__dirname, 'exportWorker.js'),
    mode,
    endpoint,
    file,
    String(PAGE_SIZE),
    query.from.toISOString(),
    query.to.toISOString(),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, TCXC_LOOPBACK_ONLY: '1' },
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = output.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`The ${mode} export worker exited with code ${code}`));
        return;
      }
      resolve(JSON.parse(line) as ExportWorkerResult);
    });
  });
}

/** Counts the lines of a file by reading it in chunks. */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of fs.createReadStream(file)) {
    const bytes = chunk as Buffer;
    for (let index = bytes.indexOf(10); index !== -1; index = bytes.indexOf(10, index + 1)) {
      lines++;
    }
  }
  return lines;
}

function growth(result: ExportWorkerResult): { rss: number; heap: number } {
  return {
    rss: result.peakRss - result.startRss,
    heap: result.peakHeapUsed - result.startHeapUsed,
  };
}

function describe(result: ExportWorkerResult): string {
  const { rss, heap } = growth(result);
  const perSecond = result.records / (result.elapsedMs / 1000);
  return (
    `${formatNumber(result.records)} records, ${formatNumber(result.pages)} pages in ` +
    `${formatMs(result.elapsedMs)} (${formatNumber(perSecond)} records/s); peak growth ` +
    `RSS ${formatBytes(rss)}, heap ${formatBytes(heap)} over ${result.samples} samples`
  );
}

export async function runExportBench(): Promise<Figure> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-bench-export-'));
  const file = path.join(folder, 'cdrs.csv');
  const emulator = await startChildEmulator();
  try {
    const query = { from: new Date(Date.now() - (DAYS + 1) * DAY_MS), to: new Date() };
    const streamed = await runWorker('stream', emulator.endpoint, file, query);
    const notes = [
      `${formatNumber(RECORD_COUNT)} CDRs over ${DAYS} days, pages of ${formatNumber(PAGE_SIZE)}; ` +
        'emulator CLI and each load in child processes; memory sampled every 50 ms',
    ];
    const lines = await countLines(file);
    const bytes = fs.statSync(file).size;
    const complete = streamed.records === RECORD_COUNT && lines === RECORD_COUNT + 1;
    const measured = growth(streamed).rss;
    notes.push(`exportCdrs: ${describe(streamed)}`);
    notes.push(
      `check: ${formatNumber(lines)} lines (header included), ${formatBytes(bytes)}` +
        (complete ? ', every record written once' : ', NOT every record'),
    );
    fs.rmSync(folder, { recursive: true, force: true });
    const inMemory = await runWorker('memory', emulator.endpoint, file, query);
    notes.push(`fetchAllCdrs: ${describe(inMemory)}`);
    return {
      name: 'export',
      measuredLabel: 'exportCdrs to CSV: peak RSS growth',
      measured: measured / MEGABYTE,
      baselineLabel: 'fetchAllCdrs into memory: peak RSS growth',
      baseline: growth(inMemory).rss / MEGABYTE,
      unit: 'MB',
      goal: `peak growth under ${GOAL_BYTES / MEGABYTE} MB, every record`,
      met: measured < GOAL_BYTES && complete,
      notes,
    };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await stopChildEmulator(emulator);
  }
}
