/**
 * Looks for secrets in what a test run left behind: its captured output and every file under the
 * given folders. The secrets are an API key and the signatures that the emulator accepted.
 *
 * CLI: node out/test/harness/secretScan.js --key KEY [--signatures FILE] PATH...
 * Exits non-zero and lists each finding when a secret is found, or when nothing was scanned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One place where a secret was found. */
export interface Finding {
  readonly file: string;
  /** 1-based line of the first occurrence. */
  readonly line: number;
  readonly what: 'API key' | 'signature';
}

export interface ScanResult {
  readonly findings: readonly Finding[];
  readonly filesScanned: number;
  readonly bytesScanned: number;
}

/** Files larger than this are read in part only: the scan is for logs and settings, not data. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Scans every file under `roots` for `apiKey` and for any of `signatures`. */
export function scanForSecrets(
  roots: readonly string[],
  apiKey: string,
  signatures: ReadonlySet<string>,
): ScanResult {
  if (apiKey.length < 8) {
    throw new RangeError('Invalid key: a recognisable key has at least 8 characters');
  }
  // The key as written, and as base64, percent-encoding and UTF-16 would carry it.
  const keyForms = [
    apiKey,
    Buffer.from(apiKey).toString('base64'),
    encodeURIComponent(apiKey),
    Buffer.from(apiKey, 'utf16le').toString('latin1'),
  ];
  const findings: Finding[] = [];
  let filesScanned = 0;
  let bytesScanned = 0;
  for (const file of roots.flatMap((root) => listFiles(root))) {
    const text = readStart(file);
    filesScanned++;
    bytesScanned += text.length;
    const keyAt = Math.max(...keyForms.map((form) => text.indexOf(form)));
    if (keyAt >= 0) {
      findings.push({ file, line: lineOf(text, keyAt), what: 'API key' });
    }
    // Signatures are 64 hex digits and Digest responses 32 to 128, so each is looked up whole,
    // in any letter case, even inside a longer run of hex digits.
    const lower = text.toLowerCase();
    for (const signature of signatures) {
      const at = lower.indexOf(signature);
      if (at >= 0) {
        findings.push({ file, line: lineOf(text, at), what: 'signature' });
        break;
      }
    }
  }
  return { findings, filesScanned, bytesScanned };
}

function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  const stat = fs.lstatSync(root);
  if (stat.isFile()) {
    return [root];
  }
  if (!stat.isDirectory()) {
    return [];
  }
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((name) => listFiles(path.join(root, name)));
}

function readStart(file: string): string {
  const descriptor = fs.openSync(file, 'r');
  try {
    const size = Math.min(fs.fstatSync(descriptor).size, MAX_FILE_BYTES);
    const buffer = Buffer.alloc(size);
    const read = fs.readSync(descriptor, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString('latin1');
  } finally {
    fs.closeSync(descriptor);
  }
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
  }
  return line;
}

/** Reads the signature log: one lowercase hex signature or Digest response per line. */
export function readSignatures(file: string | undefined): Set<string> {
  if (!file || !fs.existsSync(file)) {
    return new Set();
  }
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  return new Set(
    lines.map((line) => line.trim()).filter((line) => /^[0-9a-f]{32,128}$/.test(line)),
  );
}

function main(argv: readonly string[]): number {
  const roots: string[] = [];
  let apiKey = '';
  let signatureFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--key') {
      apiKey = argv[++i] ?? '';
    } else if (argv[i] === '--signatures') {
      signatureFile = argv[++i];
    } else {
      roots.push(argv[i]);
    }
  }
  const signatures = readSignatures(signatureFile);
  const result = scanForSecrets(roots, apiKey, signatures);
  console.log(
    `Secret scan: ${result.filesScanned} files, ${(result.bytesScanned / 1e6).toFixed(1)} MB, ` +
      `for the API key and ${signatures.size} signatures the emulator accepted`,
  );
  for (const finding of result.findings) {
    console.log(`  ${finding.what} found in ${finding.file}:${finding.line}`);
  }
  if (result.filesScanned === 0 || signatures.size === 0) {
    console.log('  nothing to compare: no files or no signatures were recorded');
    return 1;
  }
  return result.findings.length > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
