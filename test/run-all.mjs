// Runs every check of the project in order: type-check, lint, formatting, bundle, unit tests,
// extension-host tests in a real VS Code and the browser tests (the panel script, the sidebar and
// the panel in the workbench). Ends with one "N passed, N failed" line over all test runners, and
// exits non-zero if any step failed.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The whole run uses a recognisable API key for the emulator's demo account. The emulator records
// every signature it accepts, VS Code's logs and settings are kept, and the last step scans the
// run's output and files for the key and those signatures.
const scanKey = `tcxc-scan-${randomBytes(12).toString('hex')}`;
const resultsDir = 'test-results';
const scanDir = path.join(resultsDir, 'secret-scan');
const outputLog = path.join(resultsDir, 'run-output.log');
const signatureLog = path.join(
  fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-signatures-')),
  'signatures.txt',
);
fs.rmSync(scanDir, { recursive: true, force: true });
fs.mkdirSync(scanDir, { recursive: true });
const environment = {
  ...process.env,
  TCXC_DEMO_API_KEY: scanKey,
  TCXC_SIGNATURE_LOG: signatureLog,
  TCXC_SCAN_DIR: path.resolve(scanDir),
};

/** Steps: a label, a command, and whether its output contains mocha's test counts. */
const steps = [
  ['type-check and compile', 'npx', ['tsc', '-p', '.'], false],
  ['type-check the panel script', 'npx', ['tsc', '-p', 'src/webview'], false],
  ['lint', 'npx', ['eslint', '-c', '.eslint.config.mjs', '--max-warnings', '0', '.'], false],
  ['formatting', 'npx', ['prettier', '--check', '.'], false],
  ['bundle', 'node', ['esbuild.mjs'], false],
  ['unit tests', 'npx', ['mocha'], true],
  ['extension-host tests', 'node', ['out/test/harness/extensionTests.js'], true],
  [
    'browser tests',
    'npx',
    ['mocha', '--no-config', '--timeout', '300000', 'out/test/browser/**/*.test.js'],
    true,
  ],
];

/** Runs a command, echoing its output, and resolves with its exit code and output text. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: environment });
    let output = '';
    const echo = (stream) => (chunk) => {
      output += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', echo(process.stdout));
    child.stderr.on('data', echo(process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Reads mocha's closing "N passing" and "N failing" lines; the last of each counts. */
function countTests(output) {
  const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  const last = (pattern) => {
    const matches = [...plain.matchAll(pattern)];
    return matches.length > 0 ? Number(matches.at(-1)[1]) : 0;
  };
  return { passed: last(/^\s*(\d+) passing/gm), failed: last(/^\s*(\d+) failing/gm) };
}

let allOutput = '';
let passed = 0;
let failed = 0;
const failedSteps = [];
for (const [label, command, args, countsTests] of steps) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = await run(command, args);
  allOutput += result.output;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (countsTests) {
    const counts = countTests(result.output);
    passed += counts.passed;
    failed += counts.failed;
  }
  if (result.code !== 0) {
    failedSteps.push(label);
  }
  console.log(
    `=== ${label}: ${result.code === 0 ? 'ok' : `failed (exit ${result.code})`} in ${seconds} s`,
  );
}

// The scan runs last, over everything the steps above printed and wrote.
fs.writeFileSync(outputLog, allOutput);
console.log('\n=== secret scan: node out/test/harness/secretScan.js');
const scan = await run('node', [
  'out/test/harness/secretScan.js',
  '--key',
  scanKey,
  '--signatures',
  signatureLog,
  resultsDir,
  'dist',
  'out',
]);
fs.rmSync(path.dirname(signatureLog), { recursive: true, force: true });
if (scan.code === 0) {
  passed += 1;
} else {
  failed += 1;
  failedSteps.push('secret scan');
}

if (failedSteps.length > 0) {
  console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
  // A step that failed without a failing test (a crash, lint, formatting) still fails the run.
  failed = Math.max(failed, 1);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failedSteps.length > 0 ? 1 : 0;
