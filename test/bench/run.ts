/**
 * Runs the benchmarks, prints each figure next to its baseline from the same run, and writes the
 * summary with the machine's facts to test/bench/RESULTS.md. The figures are printed, not checked:
 * the run fails only when a benchmark cannot run.
 *
 * CLI: node out/test/bench/run.js [NAME ...]
 *   NAME   model, fetch, panel, export or activation; without names, all run and RESULTS.md is
 *          rewritten
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { runActivationBench } from './activationBench';
import { runExportBench } from './exportBench';
import { runFetchBench } from './fetchBench';
import { runModelBench } from './modelBench';
import { runPanelBench } from './panelBench';
import { Figure, formatNumber } from './stats';

const BENCHMARKS: Readonly<Record<string, () => Promise<Figure | Figure[]>>> = {
  model: runModelBench,
  fetch: runFetchBench,
  panel: runPanelBench,
  export: runExportBench,
  // Last, because it rebuilds dist/ for the production sizes.
  activation: runActivationBench,
};

const resultsFile = path.resolve(__dirname, '..', '..', '..', 'test', 'bench', 'RESULTS.md');

function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined) {
    return 'not available';
  }
  return `${formatNumber(value, value < 100 ? 1 : 0)} ${unit}`;
}

/** Measured ÷ baseline, with the speed-up or saving spelled out when it is below 1. */
function formatRatio(figure: Figure): string {
  if (figure.measured === undefined || figure.baseline === undefined || figure.baseline === 0) {
    return '-';
  }
  const ratio = figure.measured / figure.baseline;
  const text = `${formatNumber(ratio, ratio < 0.1 ? 3 : 2)}×`;
  return ratio < 1 && ratio > 0 ? `${text} (1/${formatNumber(1 / ratio, 1)})` : text;
}

function formatMet(figure: Figure): string {
  if (figure.goal === '') {
    return '-';
  }
  if (figure.met === undefined) {
    return 'not measured';
  }
  return figure.met ? 'met' : 'NOT met';
}

interface Row {
  readonly cells: readonly string[];
}

const HEADER = ['Figure', 'Measured', 'Baseline', 'Ratio', 'Goal', 'Goal met'];

function rowOf(figure: Figure): Row {
  return {
    cells: [
      figure.name,
      `${formatValue(figure.measured, figure.unit)}: ${figure.measuredLabel}`,
      `${formatValue(figure.baseline, figure.unit)}: ${figure.baselineLabel}`,
      formatRatio(figure),
      figure.goal || '-',
      formatMet(figure),
    ],
  };
}

function printFigure(figure: Figure): void {
  const [name, measured, baseline, ratio, goal, met] = rowOf(figure).cells;
  console.log(`\n${name}`);
  console.log(`  measured  ${measured}`);
  console.log(`  baseline  ${baseline}`);
  console.log(`  ratio     ${ratio}`);
  console.log(`  goal      ${goal}: ${met}`);
  for (const note of figure.notes) {
    console.log(`  - ${note}`);
  }
}

function printSummary(figures: readonly Figure[]): void {
  const rows = [HEADER, ...figures.map((figure) => rowOf(figure).cells)];
  const shortRows = rows.map((cells) => [
    cells[0],
    cells[1].split(': ')[0],
    cells[2].split(': ')[0],
    cells[3],
    cells[5],
  ]);
  const widths = shortRows[0].map((_, column) =>
    Math.max(...shortRows.map((cells) => cells[column].length)),
  );
  console.log('\nSummary');
  for (const cells of shortRows) {
    console.log(`  ${cells.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`);
  }
}

/** CPU, memory, Node and operating system of this machine. */
function machineFacts(): string[] {
  const cpus = os.cpus();
  return [
    `CPU: ${cpus[0]?.model.trim() ?? 'unknown'}, ${cpus.length} logical CPUs`,
    `Memory: ${formatNumber(os.totalmem() / 2 ** 30, 1)} GiB`,
    `Node.js: ${process.version}`,
    `OS: ${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`,
    `Load average when the run ended (1, 5, 15 min): ${os
      .loadavg()
      .map((load) => formatNumber(load, 2))
      .join(', ')}`,
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function resultsPage(figures: readonly Figure[], started: Date): string {
  const table = [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map(() => '---').join(' | ')} |`,
    ...figures.map((figure) => `| ${rowOf(figure).cells.map(escapeCell).join(' | ')} |`),
  ];
  const details = figures.flatMap((figure) => [
    `### ${figure.name}`,
    '',
    ...figure.notes.map((note) => `- ${note}`),
    '',
  ]);
  return [
    '# Benchmarks',
    '',
    '`npm run bench` builds the extension, compiles the tests and runs `test/bench/run.ts`, which',
    'prints these figures and rewrites this page. Each figure stands next to a baseline measured in',
    'the same run on the same machine; the ratio is measured ÷ baseline. The figures depend on the',
    'machine and on what else runs on it, so compare runs on one machine only.',
    '',
    `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    ...machineFacts().map((fact) => `- ${fact}`),
    '',
    ...table,
    '',
    '## What each figure measures',
    '',
    '- **model**: `JSON.parse` of 100 response bodies of 1,000 CDRs, then `toCdr` and',
    '  `CdrCollection.add` for each, against `JSON.parse` of the same text alone.',
    '- **fetch all**: every page of 100,000 CDRs from the emulator with 20 ms added to each',
    '  response. Baseline: one request at a time with a new `TcxcClient`, and so a new',
    '  connection, for each page. Measured: `fetchAllConcurrently` with 4 requests in flight.',
    '- **panel**: the panel script in headless chromium with 100,000 rows. First paint is timed',
    '  from the extension starting the snapshot (picking and encoding the first part of the rows),',
    '  through delivery as VS Code does it (JSON with typed arrays as binary data, then two',
    '  structured clones), to the frame after the panel drew its first rows. Later parts arrive',
    '  when the panel requests them. Search is timed from the input',
    '  event to the frame after the count of matching rows changed, sort from the click on the',
    '  Amount header to the next frame. Times end after a forced layout, before pixels are',
    '  painted. Baseline: the same rows as one full `<table>` built with DOM calls.',
    '- **export**: 1,000,000 CDRs to CSV with `exportCdrs`, with the emulator CLI in a child',
    '  process and the export in another. Peak memory growth is the largest RSS, sampled every',
    '  50 ms, minus the RSS before the first request. Baseline: the same records loaded into',
    '  memory with `fetchAllCdrs`.',
    '- **activation**: VS Code (code-server) activating the extension, module load included,',
    '  when code-server is installed; otherwise plain Node with a stand-in `vscode` module, which',
    "  times only the extension's own code. Baseline: loading `undici`, the HTTP library, alone.",
    '- **bundle**: file sizes of the development and production (`--production`) builds.',
    '',
    '## Details',
    '',
    ...details,
  ].join('\n');
}

async function main(names: readonly string[]): Promise<void> {
  const unknown = names.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown benchmark ${unknown.join(', ')}: expected ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  }
  // The benchmarks send requests only to emulators they start, and the client enforces loopback.
  process.env.TCXC_LOOPBACK_ONLY = '1';
  const started = new Date();
  const selected = names.length > 0 ? names : Object.keys(BENCHMARKS);
  const figures: Figure[] = [];
  for (const name of selected) {
    console.log(`Running the ${name} benchmark…`);
    const result = await BENCHMARKS[name]();
    for (const figure of Array.isArray(result) ? result : [result]) {
      printFigure(figure);
      figures.push(figure);
    }
  }
  printSummary(figures);
  if (names.length === 0) {
    // Formatted as the repository's Prettier settings format Markdown, so the format check passes.
    const options = (await prettier.resolveConfig(resultsFile)) ?? {};
    const page = await prettier.format(resultsPage(figures, started), {
      ...options,
      parser: 'markdown',
    });
    fs.writeFileSync(resultsFile, page);
    console.log(`\nWrote ${path.relative(process.cwd(), resultsFile)}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
