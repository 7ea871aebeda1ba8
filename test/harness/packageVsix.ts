/**
 * Builds the production bundle and packs the extension into out/tcxc-vscode.vsix with
 * @vscode/vsce, offline. vsce is called through its API, which skips the CLI's `npm show` update
 * check, with no dependency scan (esbuild bundles undici into dist/extension.js) and no
 * repository lookup. .vscodeignore picks the files. The result is checked entry by entry,
 * because vsce 3.9 answers its own questions (missing licence, missing repository) with "yes"
 * when its output is not a terminal.
 *
 * CLI: node out/test/harness/packageVsix.js [OUTPUT.vsix]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { createVSIX } from '@vscode/vsce';

/** Repository root, computed from the compiled location out/test/harness/. */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Where `npm run package` writes the package. */
export const defaultVsixPath = path.join(repoRoot, 'out', 'tcxc-vscode.vsix');

/** The changelog, kept under media/ because the repository's top level is fixed. */
const changelogPath = 'media/CHANGELOG.md';

/** Files and folders whose changes make a package out of date. */
const packageInputs = ['src', 'media', 'package.json', 'README.md', '.vscodeignore', 'esbuild.mjs'];

/** Entries every package must contain. vsce stores the readme and changelog under these names. */
export const requiredEntries = [
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/dist/extension.js',
  'extension/dist/webview/panel.js',
  'extension/media/panel.css',
  'extension/media/tcxc.svg',
  'extension/media/icon.png',
  'extension/media/LICENSE.txt',
];

/**
 * Returns true for an entry that may be in the package: the required ones, JavaScript under
 * dist/ (no source maps) and anything under media/.
 */
export function isAllowedEntry(entry: string): boolean {
  return (
    requiredEntries.includes(entry) ||
    /^extension\/dist\/.+\.js$/.test(entry) ||
    /^extension\/media\/.+$/.test(entry)
  );
}

interface Manifest {
  name?: string;
  license?: string;
  icon?: string;
}

/** Builds the production bundle, packs it and checks the package. Returns the package's path. */
export async function packageVsix(output: string = defaultVsixPath): Promise<string> {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'),
  ) as Manifest;
  checkManifestFiles(manifest);

  await runNode(['esbuild.mjs', '--production']);
  checkBundleImports(path.join(repoRoot, 'dist', 'extension.js'));

  fs.mkdirSync(path.dirname(output), { recursive: true });
  await createVSIX({
    cwd: repoRoot,
    packagePath: output,
    changelogPath,
    // Bundled: the package needs no node_modules, and vsce runs no `npm list`.
    dependencies: false,
    // The repository has no public URL. vsce would otherwise ask for one, and it needs one to
    // rewrite the README's relative links, which therefore stay relative.
    allowMissingRepository: true,
    rewriteRelativeLinks: false,
  });

  try {
    checkPackageEntries(output, listZipEntries(fs.readFileSync(output)));
  } catch (error) {
    // A later ensureVsix() must not take the rejected package for a current one.
    fs.rmSync(output, { force: true });
    throw error;
  }
  return output;
}

/**
 * Returns the package at `defaultVsixPath`, packing it first when it is missing or older than a
 * file it is built from.
 */
export async function ensureVsix(): Promise<string> {
  if (fs.existsSync(defaultVsixPath)) {
    const packedAt = fs.statSync(defaultVsixPath).mtimeMs;
    const inputs = packageInputs.map((input) => path.join(repoRoot, input));
    if (newestModification(inputs) <= packedAt) {
      return defaultVsixPath;
    }
  }
  return packageVsix(defaultVsixPath);
}

/**
 * Checks that package.json names a licence file and an icon and that both exist, because vsce
 * packs without a licence, unasked, when its output is not a terminal.
 */
function checkManifestFiles(manifest: Manifest): void {
  const licence = /^SEE LICENSE IN (.+)$/.exec(manifest.license ?? '')?.[1];
  if (licence === undefined) {
    throw new Error(
      `package.json "license" is ${JSON.stringify(manifest.license)}. Set it to ` +
        '"SEE LICENSE IN media/LICENSE.txt" so that vsce packs the licence file and lists it ' +
        'in the package manifest.',
    );
  }
  if (manifest.icon === undefined) {
    throw new Error('package.json has no "icon". Set it to "media/icon.png".');
  }
  for (const file of [licence, manifest.icon, changelogPath]) {
    if (!fs.existsSync(path.join(repoRoot, file))) {
      throw new Error(
        `${file} is missing. Restore it, or fix its name in package.json or packageVsix.ts.`,
      );
    }
  }
}

/**
 * Checks that the bundle loads nothing at run time except Node's built-in modules and `vscode`,
 * which would be missing from a package without node_modules.
 */
export function checkBundleImports(bundle: string): void {
  const source = fs.readFileSync(bundle, 'utf8');
  const imported = new Set<string>();
  for (const match of source.matchAll(/\b(?:require|import)\s*\(\s*(["'`])([^"'`]+)\1\s*\)/g)) {
    imported.add(match[2]);
  }
  // isBuiltin does not know modules newer than the running Node (such as node:sqlite on Node 20),
  // but the node: scheme only ever names built-in modules.
  const external = [...imported].filter(
    (name) => name !== 'vscode' && !name.startsWith('node:') && !isBuiltin(name),
  );
  if (external.length > 0) {
    throw new Error(
      `${bundle} loads ${external.join(', ')} at run time; esbuild must bundle them, because ` +
        'the package has no node_modules.',
    );
  }
}

function checkPackageEntries(vsix: string, entries: readonly string[]): void {
  const missing = requiredEntries.filter((entry) => !entries.includes(entry));
  const unexpected = entries.filter((entry) => !isAllowedEntry(entry));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(
      `${vsix} has the wrong contents. Missing: ${missing.join(', ') || 'none'}. ` +
        `Unexpected: ${unexpected.join(', ') || 'none'}. Check .vscodeignore.`,
    );
  }
}

/** Reads the entry names from a ZIP file's central directory (APPNOTE.TXT 4.3.12 and 4.3.16). */
export function listZipEntries(zip: Buffer): string[] {
  const endSignature = 0x06054b50;
  const entrySignature = 0x02014b50;
  // The end record is 22 bytes plus a comment of up to 65,535 bytes.
  const searchFrom = Math.max(0, zip.length - 22 - 0xffff);
  let end = -1;
  for (let offset = zip.length - 22; offset >= searchFrom; offset--) {
    if (zip.readUInt32LE(offset) === endSignature) {
      end = offset;
      break;
    }
  }
  if (end < 0) {
    throw new Error('Not a ZIP file: no end of central directory record.');
  }

  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let index = 0; index < count; index++) {
    if (zip.readUInt32LE(offset) !== entrySignature) {
      throw new Error(`Invalid ZIP central directory entry ${index} at byte ${offset}.`);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** Returns the latest modification time of the given files and of every file under the folders. */
function newestModification(paths: readonly string[]): number {
  let newest = 0;
  for (const entry of paths) {
    if (!fs.existsSync(entry)) {
      continue;
    }
    const stats = fs.statSync(entry);
    if (stats.isDirectory()) {
      const children = fs.readdirSync(entry).map((child) => path.join(entry, child));
      newest = Math.max(newest, newestModification(children));
    } else {
      newest = Math.max(newest, stats.mtimeMs);
    }
  }
  return newest;
}

function runNode(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolve();
      } else {
        reject(new Error(`node ${args.join(' ')} failed (${signal ?? `exit code ${code}`}).`));
      }
    });
  });
}

if (require.main === module) {
  const output = process.argv[2] ? path.resolve(process.argv[2]) : defaultVsixPath;
  packageVsix(output).then(
    (vsix) => console.log(`Packed ${vsix}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
