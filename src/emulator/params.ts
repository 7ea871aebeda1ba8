import { formatApiDate, isValidPrefix, parseApiDate } from '../client/query';

/** A validated call-history query. Times are `YYYY-MM-DD HH:MM:SS` UTC, both ends included. */
export interface CallHistoryFilter {
  readonly prefix: string;
  readonly show: 'all' | 'bad';
  readonly dateFrom: string;
  readonly dateTo: string;
  /** Page size and offset; absent when the request is for every matching record. */
  readonly page?: { readonly size: number; readonly offset: number };
}

export type FilterResult =
  | { readonly ok: true; readonly filter: CallHistoryFilter }
  | { readonly ok: false; readonly message: string };

class InvalidParameterError extends Error {}

// NOTE: TCXC documents no error texts, so these messages are the emulator's own. The real service
// may word them differently, and may accept a reversed date range or a prefix with `+`.

const DATE_FORMAT = 'YYYY-MM-DD HH:MM:SS';

/**
 * Validates the query parameters of a call-history request (everything except the signature
 * fields). An empty value counts as absent, except for the two required dates.
 */
export function parseCallHistoryFilter(
  params: ReadonlyMap<string, string>,
  maxPageSize: number,
): FilterResult {
  try {
    const dateFrom = readDate(params, 'date_from');
    const dateTo = readDate(params, 'date_to');
    if (dateFrom > dateTo) {
      fail(`Invalid date range: date_from ${dateFrom} is after date_to ${dateTo}`);
    }
    const filter: CallHistoryFilter = {
      prefix: readPrefix(params),
      show: readShow(params),
      dateFrom,
      dateTo,
      page: readPage(params, maxPageSize),
    };
    return { ok: true, filter };
  } catch (error) {
    if (error instanceof InvalidParameterError) {
      return { ok: false, message: error.message };
    }
    throw error;
  }
}

function fail(message: string): never {
  throw new InvalidParameterError(message);
}

/** Quotes a received value for an error message, shortened so a long value cannot flood it. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
}

function readDate(params: ReadonlyMap<string, string>, name: string): string {
  const text = params.get(name);
  if (text === undefined || text === '') {
    fail(`Missing ${name}: expected ${DATE_FORMAT}`);
  }
  const date = parseApiDate(text);
  if (date === undefined) {
    fail(`Invalid ${name}: expected ${DATE_FORMAT}, got ${quote(text)}`);
  }
  // Re-formatting normalises surrounding spaces so dates compare as plain strings.
  return formatApiDate(date);
}

function readPrefix(params: ReadonlyMap<string, string>): string {
  const prefix = params.get('prefix') ?? '';
  if (!isValidPrefix(prefix)) {
    fail(`Invalid prefix: expected up to 15 digits with no + or spaces, got ${quote(prefix)}`);
  }
  return prefix;
}

function readShow(params: ReadonlyMap<string, string>): 'all' | 'bad' {
  const show = params.get('show') || 'all';
  if (show !== 'all' && show !== 'bad') {
    fail(`Invalid show: expected all or bad, got ${quote(show)}`);
  }
  return show;
}

function readPage(params: ReadonlyMap<string, string>, maxPageSize: number) {
  const pager = params.get('pager') || undefined;
  const off = params.get('off') || undefined;
  if (pager === undefined && off === undefined) {
    return undefined;
  }
  if (off === undefined) {
    fail('Missing off: send pager and off together, or neither to get every record');
  }
  if (pager === undefined) {
    fail('Missing pager: send pager and off together, or neither to get every record');
  }
  const size = readWholeNumber(pager);
  if (size === undefined || size < 1) {
    fail(`Invalid pager: expected a whole number from 1 to ${maxPageSize}, got ${quote(pager)}`);
  }
  if (size > maxPageSize) {
    fail(`Invalid pager: the maximum page size is ${maxPageSize}, got ${quote(pager)}`);
  }
  const offset = readWholeNumber(off);
  if (offset === undefined) {
    fail(`Invalid off: expected a whole number of 0 or more, got ${quote(off)}`);
  }
  return { size, offset };
}

function readWholeNumber(text: string): number | undefined {
  if (!/^\d+$/.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
