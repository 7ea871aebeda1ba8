/**
 * Streams every record of a query to a CSV or JSON Lines file, page by page, so memory stays flat
 * whatever the number of records. No `vscode`, so benchmarks and unit tests call it directly.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { finished } from 'node:stream/promises';
import { FixedQuery, PageSource } from '../client/client';
import { CancelledError } from '../client/errors';
import { Cdr, toCdr } from '../model/cdr';
import { csvHeaderLine, csvRecordLine } from './csv';
import { jsonLine } from './jsonl';
import { RecordKeySet } from '../model/keySet';
import { ExportFormat, partialFileOf } from './target';

export type { ExportFormat } from './target';

/**
 * Characters of formatted records collected before they go to the stream, which turns each chunk
 * into a Buffer outside the JavaScript heap. A page's text is never one large string.
 */
const WRITE_CHUNK_CHARS = 64 * 1024;

/** Records and pages written so far. */
export interface ExportProgress {
  /** Distinct records written. */
  readonly records: number;
  readonly pages: number;
}

export interface ExportOptions {
  readonly source: PageSource;
  /** The query to export; every page is requested with this same fixed end. */
  readonly query: FixedQuery;
  /** Records requested per page, 1 or more. */
  readonly pageSize: number;
  readonly format: ExportFormat;
  /** Path of the file to create or replace once every page is written. */
  readonly file: string;
  readonly signal?: AbortSignal;
  /** Called after each page is written. */
  readonly onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult extends ExportProgress {
  readonly file: string;
}

/**
 * An export that failed. `page` is the 1-based page whose request or write failed, and undefined
 * when the temporary file could not be created or renamed. The target file was not changed.
 */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly page: number | undefined,
    /** Records of the pages before the failure, which were discarded with the temporary file. */
    readonly recordsBefore: number,
    options?: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/**
 * Writes every record of `query` to `file`, in the order the server sends them, without
 * duplicates. Pages are requested by offset until one is shorter than `pageSize`, and each page
 * is handed to the file before the next is requested, so memory contains one page and the keys of
 * the records written.
 *
 * The records go to `<file>.partial`, which replaces `file` only when every page is written and
 * flushed to disk. On failure or cancellation the temporary file is deleted and `file` is left as
 * it was. Cancellation rejects with a CancelledError, any other failure with an ExportError.
 */
export async function exportCdrs(options: ExportOptions): Promise<ExportResult> {
  validateOptions(options);
  const { file, signal } = options;
  const partial = partialFileOf(file);
  throwIfCancelled(signal);
  const stream = fs.createWriteStream(partial, { flags: 'w', encoding: 'utf8' });
  // Without a listener an 'error' event would crash the process. write() and finished() read the
  // error from `stream.errored` instead.
  stream.on('error', () => undefined);
  const state: ExportState = { pages: 0, records: 0, partial, created: false };
  try {
    await openStream(stream, state);
    await writePages(stream, options, state);
    await closeStream(stream, state);
    await renameOnto(file, state);
    return { records: state.records, pages: state.pages, file };
  } catch (error) {
    const failure = signal?.aborted ? new CancelledError() : toExportError(error, state);
    await discardPartial(stream, state, failure);
    throw failure;
  }
}

/** Counts of what has been written, updated page by page. */
interface ExportState {
  pages: number;
  records: number;
  readonly partial: string;
  /** True once the temporary file is open. Only then does a failure delete it. */
  created: boolean;
}

function validateOptions(options: ExportOptions): void {
  const { pageSize, format, file, query } = options;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new RangeError(`Invalid page size ${pageSize}: expected a whole number above 0`);
  }
  if (format !== 'csv' && format !== 'jsonl') {
    throw new RangeError(`Invalid export format ${String(format)}: expected csv or jsonl`);
  }
  if (typeof file !== 'string' || file === '') {
    throw new RangeError('Invalid export file: expected a path');
  }
  if (!(query.dateTo instanceof Date) || Number.isNaN(query.dateTo.getTime())) {
    throw new RangeError('Invalid query: its end (dateTo) must be a valid date');
  }
}

/** Waits until the temporary file is open, so a bad path fails before any page is requested. */
async function openStream(stream: fs.WriteStream, state: ExportState): Promise<void> {
  try {
    await once(stream, 'ready');
    state.created = true;
  } catch (error) {
    throw new ExportError(`Creating ${state.partial} failed: ${messageOf(error)}`, undefined, 0, {
      cause: error,
    });
  }
}

async function writePages(
  stream: fs.WriteStream,
  options: ExportOptions,
  state: ExportState,
): Promise<void> {
  const { pageSize, format, signal, onProgress } = options;
  // Keys of the records written, for de-duplication across pages: the one part of the export's
  // memory that grows with the number of records (see RecordKeySet).
  const written = new RecordKeySet(contentDigest);
  if (format === 'csv') {
    writeChunk(stream, csvHeaderLine(), 1, state);
  }
  let offset = 0;
  for (;;) {
    throwIfCancelled(signal);
    const pageNumber = state.pages + 1;
    const page = await fetchAndWritePage(stream, options, { offset, pageSize }, written, state);
    // The page's parsed records are unreachable from here on. V8 sizes the old generation as a
    // multiple of what its last full collection found live, and these collections usually finish
    // in a task, which runs while the export awaits. With the records still reachable during this
    // wait, the export of 1,000,000 CDRs grew by 105-108 MB of RSS instead of 86-92 MB (three runs
    // each of the test/bench export worker, Node 20, x86-64).
    await waitForDrain(stream, pageNumber, state);
    state.pages = pageNumber;
    state.records += page.written;
    offset += page.received;
    onProgress?.({ records: state.records, pages: state.pages });
    if (page.received < pageSize) {
      return;
    }
    if (page.written === 0) {
      // A server that ignores the offset would send this page forever.
      throw new ExportError(
        `Page ${pageNumber} (offset ${offset - page.received}) repeated only records already ` +
          'exported, so the server may be ignoring the offset ("off"). The export stopped.',
        pageNumber,
        state.records,
      );
    }
  }
}

/** Records of one page: how many the server sent, and how many of them were new and written. */
interface PageCounts {
  readonly received: number;
  readonly written: number;
}

/**
 * Requests one page and hands the records whose keys `written` does not contain yet to the
 * stream, adding their keys. Nothing is awaited after the request: the parsed records are
 * garbage once this function returns, before the caller waits for the disk.
 */
async function fetchAndWritePage(
  stream: fs.WriteStream,
  options: ExportOptions,
  window: { offset: number; pageSize: number },
  written: RecordKeySet,
  state: ExportState,
): Promise<PageCounts> {
  const { source, query, signal } = options;
  const records = await fetchPage(source, query, window, signal, state);
  return writeRecords(stream, records, options.format, written, state);
}

/**
 * Formats the new records of one page and writes them to the stream in chunks of about
 * {@link WRITE_CHUNK_CHARS}, without waiting for the disk. The stream buffers the page's text
 * until the caller waits for 'drain'.
 */
function writeRecords(
  stream: fs.WriteStream,
  records: readonly unknown[],
  format: ExportFormat,
  written: RecordKeySet,
  state: ExportState,
): PageCounts {
  const pageNumber = state.pages + 1;
  let chunk = '';
  let count = 0;
  for (let index = 0; index < records.length; index++) {
    const value = records[index];
    const cdr = toCdr(value);
    if (!written.add(cdr)) {
      continue;
    }
    chunk += formatLine(format, value, cdr, { pageNumber, index, state });
    count++;
    if (chunk.length >= WRITE_CHUNK_CHARS) {
      writeChunk(stream, chunk, pageNumber, state);
      chunk = '';
    }
  }
  writeChunk(stream, chunk, pageNumber, state);
  return { received: records.length, written: count };
}

/** Requests one page; a failure becomes an ExportError that names the page and its offset. */
async function fetchPage(
  source: PageSource,
  query: FixedQuery,
  window: { offset: number; pageSize: number },
  signal: AbortSignal | undefined,
  state: ExportState,
): Promise<unknown[]> {
  const pageNumber = state.pages + 1;
  try {
    const page = await source.fetchPage(query, window, signal);
    return page.records;
  } catch (error) {
    if (error instanceof CancelledError || signal?.aborted) {
      throw new CancelledError();
    }
    throw new ExportError(
      `Page ${pageNumber} (offset ${window.offset}) failed: ${messageOf(error)}`,
      pageNumber,
      state.records,
      { cause: error },
    );
  }
}

/** Formats one record; a record that cannot be written fails the export and names its place. */
function formatLine(
  format: ExportFormat,
  value: unknown,
  cdr: Cdr,
  place: { pageNumber: number; index: number; state: ExportState },
): string {
  try {
    return format === 'csv' ? csvRecordLine(value, cdr) : jsonLine(value);
  } catch (error) {
    const { pageNumber, index, state } = place;
    throw new ExportError(
      `Record ${index + 1} of page ${pageNumber} could not be written: ${messageOf(error)}`,
      pageNumber,
      state.records,
      { cause: error },
    );
  }
}

/** Hands text to the stream, which buffers it. A stream that failed fails the export. */
function writeChunk(
  stream: fs.WriteStream,
  chunk: string,
  pageNumber: number,
  state: ExportState,
): void {
  if (stream.errored) {
    throw writeError(stream.errored, pageNumber, state);
  }
  if (chunk !== '') {
    stream.write(chunk);
  }
}

/**
 * Waits until the stream has handed its buffer to the file, so a slow disk holds back the next
 * request. A failure names the page.
 */
async function waitForDrain(
  stream: fs.WriteStream,
  pageNumber: number,
  state: ExportState,
): Promise<void> {
  try {
    if (stream.writableNeedDrain) {
      // once() rejects when the stream emits 'error' instead.
      await once(stream, 'drain');
    }
  } catch (error) {
    throw writeError(error, pageNumber, state);
  }
  if (stream.errored) {
    throw writeError(stream.errored, pageNumber, state);
  }
}

function writeError(error: unknown, pageNumber: number, state: ExportState): ExportError {
  return new ExportError(
    `Writing page ${pageNumber} to ${state.partial} failed: ${messageOf(error)}`,
    pageNumber,
    state.records,
    { cause: error },
  );
}

/** Ends the stream, waits until the file is closed, and flushes it to disk. */
async function closeStream(stream: fs.WriteStream, state: ExportState): Promise<void> {
  const { partial } = state;
  try {
    stream.end();
    await finished(stream);
    const handle = await fs.promises.open(partial, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ExportError(
      `Finishing ${partial} failed: ${messageOf(error)}`,
      undefined,
      state.records,
      { cause: error },
    );
  }
}

async function renameOnto(file: string, state: ExportState): Promise<void> {
  try {
    await fs.promises.rename(state.partial, file);
  } catch (error) {
    throw new ExportError(
      `Replacing ${file} with the finished export failed: ${messageOf(error)}`,
      undefined,
      state.records,
      { cause: error },
    );
  }
}

function toExportError(error: unknown, state: ExportState): ExportError | CancelledError {
  if (error instanceof ExportError || error instanceof CancelledError) {
    return error;
  }
  return new ExportError(
    `Exporting to ${state.partial} failed after page ${state.pages}: ${messageOf(error)}`,
    undefined,
    state.records,
    { cause: error },
  );
}

/**
 * Closes the stream and deletes the temporary file. A failed deletion is appended to
 * `failure`'s message, because the `.partial` file then stays behind.
 */
async function discardPartial(
  stream: fs.WriteStream,
  state: ExportState,
  failure: Error,
): Promise<void> {
  const { partial } = state;
  stream.destroy();
  // A destroyed stream rejects with a premature close, which is expected here.
  await finished(stream).catch(() => undefined);
  if (!state.created) {
    return;
  }
  try {
    await fs.promises.rm(partial, { force: true });
  } catch (error) {
    failure.message += ` Deleting the temporary file ${partial} also failed: ${messageOf(error)}`;
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CancelledError();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Replaces a content key, which is a record's whole JSON text, with its SHA-256 digest. */
function contentDigest(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('base64')}`;
}
