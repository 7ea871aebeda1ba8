import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSignatures, scanForSecrets } from '../../test/harness/secretScan';

const KEY = 'tcxc-scan-0123456789abcdef';
const SIGNATURE = 'ab'.repeat(32);

describe('secret scan', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-scan-test-'));
    fs.mkdirSync(path.join(root, 'logs', 'exthost'), { recursive: true });
    fs.writeFileSync(path.join(root, 'logs', 'exthost', 'TCXC.log'), 'request ok\nHTTP 200\n');
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('passes clean files', () => {
    const result = scanForSecrets([root], KEY, new Set([SIGNATURE]));
    assert.deepEqual(result.findings, []);
    assert.equal(result.filesScanned, 1);
  });

  it('finds the key in a nested file', () => {
    const file = path.join(root, 'logs', 'exthost', 'TCXC.log');
    fs.appendFileSync(file, `leaked ${KEY} here\n`);
    const result = scanForSecrets([root], KEY, new Set());
    assert.deepEqual(result.findings, [{ file, line: 3, what: 'API key' }]);
  });

  it('finds a recorded signature', () => {
    const file = path.join(root, 'output.txt');
    fs.writeFileSync(file, `signature=${SIGNATURE}`);
    const result = scanForSecrets([root], KEY, new Set([SIGNATURE]));
    assert.deepEqual(result.findings, [{ file, line: 1, what: 'signature' }]);
  });

  it('finds the key as base64 and UTF-16', () => {
    fs.writeFileSync(path.join(root, 'a.txt'), Buffer.from(KEY).toString('base64'));
    fs.writeFileSync(path.join(root, 'b.txt'), Buffer.from(KEY, 'utf16le'));
    const result = scanForSecrets([root], KEY, new Set());
    assert.deepEqual(
      result.findings.map((finding) => path.basename(finding.file)),
      ['a.txt', 'b.txt'],
    );
  });

  it('finds an upper-case signature', () => {
    fs.writeFileSync(path.join(root, 'c.txt'), SIGNATURE.toUpperCase());
    assert.equal(scanForSecrets([root], KEY, new Set([SIGNATURE])).findings.length, 1);
  });

  it('ignores other hex strings', () => {
    fs.writeFileSync(path.join(root, 'ids.txt'), 'cd'.repeat(32));
    assert.deepEqual(scanForSecrets([root], KEY, new Set([SIGNATURE])).findings, []);
  });

  it('finds an MD5 Digest response', () => {
    const response = '0123456789abcdef'.repeat(2);
    fs.writeFileSync(path.join(root, 'd.txt'), `response="${response}"`);

    const result = scanForSecrets([root], KEY, new Set([response]));

    assert.equal(result.findings.length, 1);
  });

  it('reads MD5 and SHA-512 lengths from the log', () => {
    const file = path.join(root, 'signatures.txt');
    const md5 = 'c'.repeat(32);
    const sha512 = 'd'.repeat(128);
    fs.writeFileSync(
      file,
      `${md5}
${sha512}
${'e'.repeat(31)}
`,
    );

    assert.deepEqual([...readSignatures(file)], [md5, sha512]);
  });

  it('rejects a short key', () => {
    assert.throws(() => scanForSecrets([root], 'short', new Set()), /at least 8 characters/);
  });

  it('reads the signature log', () => {
    const file = path.join(root, 'signatures.txt');
    fs.writeFileSync(file, `${SIGNATURE}\nnot a signature\n\n`);
    assert.deepEqual([...readSignatures(file)], [SIGNATURE]);
  });
});
