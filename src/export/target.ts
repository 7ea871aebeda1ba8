/** Export file names, formats and the command argument that picks them. No `vscode`. */
import * as path from 'node:path';

/** `csv` writes CSV (RFC 4180); `jsonl` writes JSON Lines, one raw record per line. */
export type ExportFormat = 'csv' | 'jsonl';

/** The file and format of an export, as the command argument or the save dialog gives them. */
export interface ExportTarget {
  readonly file: string;
  readonly format: ExportFormat;
}

/** Suffix of the temporary file that an export writes next to its target. */
export const PARTIAL_SUFFIX = '.partial';

/** Returns the temporary file that an export writes next to `file` and renames onto it. */
export function partialFileOf(file: string): string {
  return `${file}${PARTIAL_SUFFIX}`;
}

/** Default file name of an export, for example `tcxc-cdrs-2026-12-04T1200Z.csv` (UTC). */
export function defaultExportName(now: Date, format: ExportFormat): string {
  const stamp = now.toISOString().slice(0, 16).replace(':', '');
  return `tcxc-cdrs-${stamp}Z.${format}`;
}

/** Returns the format for a file name: `.jsonl` and `.ndjson` are JSON Lines, anything else CSV. */
export function formatOfFile(file: string): ExportFormat {
  const extension = path.extname(file).toLowerCase();
  return extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : 'csv';
}

/**
 * Validates the optional argument of "TCXC: Export CDRs", `{ file, format }`, given by tests and
 * keybindings to skip the save dialog. Throws a TypeError that names the invalid property.
 */
export function parseExportTarget(value: unknown): ExportTarget {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(
      'Invalid export argument: expected an object such as ' +
        '{ "file": "/absolute/path/cdrs.csv", "format": "csv" }',
    );
  }
  const { file, format } = value as Record<string, unknown>;
  if (typeof file !== 'string' || file.trim() === '' || !path.isAbsolute(file)) {
    throw new TypeError(
      `Invalid export file ${JSON.stringify(file) ?? 'undefined'}: expected an absolute path`,
    );
  }
  if (file.endsWith(PARTIAL_SUFFIX)) {
    throw new TypeError(
      `Invalid export file ${JSON.stringify(file)}: names ending in ${PARTIAL_SUFFIX} are ` +
        'reserved for the temporary file of an export',
    );
  }
  if (format !== 'csv' && format !== 'jsonl') {
    throw new TypeError(
      `Invalid export format ${JSON.stringify(format) ?? 'undefined'}: expected "csv" or "jsonl"`,
    );
  }
  return { file, format };
}
