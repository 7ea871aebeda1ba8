// Runs every check of the project in order: type-check, lint, formatting, bundle, unit tests,
// extension-host tests in a real VS Code and the browser tests (the panel script, the sidebar and
// the panel in the workbench). Ends with one "N passed, N failed" line over all test runners, and
// exits non-zero if any step failed.
import { spawn } from 'node:child_process';

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
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

let passed = 0;
let failed = 0;
const failedSteps = [];
for (const [label, command, args, countsTests] of steps) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const result = await run(command, args);
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

if (failedSteps.length > 0) {
  console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
  // A step that failed without a failing test (a crash, lint, formatting) still fails the run.
  failed = Math.max(failed, 1);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failedSteps.length > 0 ? 1 : 0;
