import { parseApiDate } from '../client/query';
import { parseMicros } from './money';

/** A raw record exactly as the API sent it. */
export type RawCdr = Readonly<Record<string, unknown>>;

/**
 * A call detail record: the untouched raw record plus typed fields derived from it. Text fields
 * are trimmed. A field that is missing or of the wrong type becomes undefined and is listed in
 * `problems`, so a malformed record stays visible instead of being dropped.
 */
export interface Cdr {
  readonly raw: RawCdr;
  /**
   * De-duplication key: `i_cdr` when present and exact, otherwise a key derived from the content.
   */
  readonly key: string;
  /** Undefined when missing, and when it is a JSON number too large to have kept all digits. */
  readonly iCdr: string | undefined;
  readonly cld: string;
  readonly cli: string;
  readonly callId: string;
  readonly setupTime: Date | undefined;
  readonly connectTime: Date | undefined;
  readonly disconnectTime: Date | undefined;
  /** UTC calendar date `YYYY-MM-DD` of the call, from connect time or else setup time. */
  readonly utcDate: string;
  readonly durationSeconds: number | undefined;
  readonly billedSeconds: number | undefined;
  readonly billingPrefix: string;
  /** Per-minute prices in micro-units. */
  readonly price1Micros: bigint | undefined;
  readonly priceNMicros: bigint | undefined;
  readonly interval1Seconds: number | undefined;
  readonly intervalNSeconds: number | undefined;
  readonly amountMicros: bigint | undefined;
  readonly disconnectCode: number | undefined;
  readonly disconnectReason: string;
  readonly countryName: string;
  readonly vendorName: string;
  readonly accountName: string;
  readonly connectionName: string;
  readonly description: string;
  readonly customerIp: string;
  /** A call is answered when it lasted more than zero seconds. */
  readonly answered: boolean;
  readonly problems: readonly string[];
}

/** The date group of records whose time is missing or invalid. */
export const UNKNOWN_DATE = 'unknown date';

/**
 * Derives the typed view of one raw record. Never throws for a value that JSON.parse returns.
 *
 * Fields are read by plain functions, with fast paths for the API's usual `YYYY-MM-DD HH:MM:SS`
 * times, whole-number strings and amounts of at most six decimals. Any other text goes to the
 * general parsers, parseApiDate and parseMicros.
 */
export function toCdr(value: unknown): Cdr {
  const problems: string[] = [];
  const raw: RawCdr =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as RawCdr)
      : { value };
  if (raw !== value) {
    problems.push('record is not a JSON object');
  }
  const setupText = raw.setup_time;
  const setupTime = readTime('setup_time', setupText, problems);
  const connectText = raw.connect_time;
  const connectTime = readTime('connect_time', connectText, problems);
  const durationSeconds = readInteger(raw.duration, 'duration', problems);
  const iCdr = readIdentifier(raw.i_cdr, 'i_cdr', problems);
  const key = iCdr ? `i_cdr:${iCdr}` : `content:${stableText(value)}`;
  const cld = readRequiredText(raw.CLD, 'CLD', problems);
  const cli = readRequiredText(raw.CLI, 'CLI', problems);
  const callId = readRequiredText(raw.call_id, 'call_id', problems);
  const disconnectTime = readTime('disconnect_time', raw.disconnect_time, problems);
  // A time that parsed is API text, whose first ten characters are its UTC calendar date.
  let utcDate = UNKNOWN_DATE;
  if (connectTime !== undefined) {
    utcDate = (connectText as string).trim().slice(0, 10);
  } else if (setupTime !== undefined) {
    utcDate = (setupText as string).trim().slice(0, 10);
  }
  return {
    raw,
    key,
    iCdr,
    cld,
    cli,
    callId,
    setupTime,
    connectTime,
    disconnectTime,
    utcDate,
    durationSeconds,
    billedSeconds: readNullableInteger(raw.billed_duration, 'billed_duration', problems),
    billingPrefix: readText(raw.billing_prefix, 'billing_prefix', problems),
    price1Micros: readMoney(raw.billing_price_1, 'billing_price_1', problems),
    priceNMicros: readMoney(raw.billing_price_n, 'billing_price_n', problems),
    interval1Seconds: readInteger(raw.billing_interval_1, 'billing_interval_1', problems),
    intervalNSeconds: readInteger(raw.billing_interval_n, 'billing_interval_n', problems),
    amountMicros: readMoney(raw.customer_amount, 'customer_amount', problems),
    disconnectCode: readInteger(raw.disconnect_code, 'disconnect_code', problems),
    disconnectReason: readText(raw.disconnect_reason, 'disconnect_reason', problems),
    countryName: readText(raw.country_name, 'country_name', problems),
    vendorName: readText(raw.vendor_name, 'vendor_name', problems),
    accountName: readText(raw.account_name, 'account_name', problems),
    connectionName: readText(raw.connection_name, 'connection_name', problems),
    description: readText(raw.description, 'description', problems),
    customerIp: readText(raw.customer_ip, 'customer_ip', problems),
    answered: (durationSeconds ?? 0) > 0,
    problems,
  };
}

// Each reader below types the value of one field of a raw record and adds a line to `problems`
// when it cannot. Callers read each field by name, such as `raw.CLD`: on Node 20 this made toCdr
// about a quarter faster than `raw[field]` inside the readers (test/bench, model figure).

/** Reads trimmed text; null, missing or non-text values become empty text. */
function readText(value: unknown, field: string, problems: string[]): string {
  return readOptionalText(value, field, problems) ?? '';
}

/**
 * Reads a text field that every CDR has: a missing or null value is noted, and so is a number
 * too large for JSON.parse to keep its digits, such as a long phone number sent unquoted.
 */
function readRequiredText(value: unknown, field: string, problems: string[]): string {
  if (value === undefined || value === null) {
    problems.push(`${field} is missing`);
    return '';
  }
  return readIdentifier(value, field, problems) ?? '';
}

function readOptionalText(value: unknown, field: string, problems: string[]): string | undefined {
  if (typeof value === 'string') {
    return value.trim();
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  if (value !== null && value !== undefined) {
    problems.push(`${field} is not text`);
  }
  return undefined;
}

/**
 * Reads a record id as text. JSON.parse rounds a number above 2^53, so two ids can become equal.
 * Such a number is reported and read as undefined, so the record gets a content-based key.
 */
function readIdentifier(value: unknown, field: string, problems: string[]): string | undefined {
  if (value === undefined) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    problems.push(`${field} is a number too large to read exactly`);
    return undefined;
  }
  return readOptionalText(value, field, problems);
}

function readInteger(value: unknown, field: string, problems: string[]): number | undefined {
  if (value === undefined) {
    problems.push(`${field} is missing`);
    return undefined;
  }
  return parseInteger(field, value, problems);
}

function readNullableInteger(
  value: unknown,
  field: string,
  problems: string[],
): number | undefined {
  return value === null || value === undefined ? undefined : parseInteger(field, value, problems);
}

function readMoney(value: unknown, field: string, problems: string[]): bigint | undefined {
  let micros: bigint | undefined;
  if (typeof value === 'string') {
    micros = plainMicros(value) ?? parseMicros(value);
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    // String() gives the same text that parseMicros reads, unless it is in exponent form.
    micros = plainMicros(String(value)) ?? parseMicros(value);
  } else {
    micros = parseMicros(value);
  }
  if (micros === undefined && value !== null) {
    problems.push(`${field} is ${value === undefined ? 'missing' : 'not an amount'}`);
  }
  return micros;
}

function readTime(field: string, value: unknown, problems: string[]): Date | undefined {
  const date = typeof value === 'string' ? parseTime(value) : undefined;
  if (date === undefined && value !== null) {
    problems.push(`${field} is ${value === undefined ? 'missing' : 'not a UTC time'}`);
  }
  return date;
}

/** Reads a whole number that is zero or more, as every integer field of a CDR is. */
function parseInteger(field: string, value: unknown, problems: string[]): number | undefined {
  if (typeof value === 'string') {
    const number = plainWholeNumber(value);
    if (number !== undefined) {
      return number;
    }
  }
  let text = '';
  if (typeof value === 'number') {
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  }
  if (!/^-?\d{1,15}$/.test(text)) {
    problems.push(`${field} is not a whole number`);
    return undefined;
  }
  const number = Number(text);
  if (number < 0) {
    problems.push(`${field} is negative`);
    return undefined;
  }
  return number;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * Reads `length` ASCII digits of `text` from `start` as a number, or returns -1 when one of them
 * is not a digit.
 */
function readDigits(text: string, start: number, length: number): number {
  let number = 0;
  for (let index = start; index < start + length; index++) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) {
      return -1;
    }
    number = number * 10 + (code - DIGIT_0);
  }
  return number;
}

/** Reads text of 1 to 15 ASCII digits as a number. Returns undefined for any other text. */
function plainWholeNumber(text: string): number | undefined {
  if (text.length === 0 || text.length > 15) {
    return undefined;
  }
  const number = readDigits(text, 0, text.length);
  return number < 0 ? undefined : number;
}

/** Largest count of whole-unit digits that keeps micro-units below 2^53 in a plain number. */
const MAX_PLAIN_WHOLE_DIGITS = 9;

/**
 * Reads an amount written as plain digits with at most six decimals, such as `0.004987`, into
 * micro-units without rounding. Returns undefined for any other text, such as a sign, spaces, an
 * exponent or a seventh decimal, which {@link parseMicros} reads instead.
 */
function plainMicros(text: string): bigint | undefined {
  const point = text.indexOf('.');
  const wholeLength = point < 0 ? text.length : point;
  const fractionLength = point < 0 ? 0 : text.length - point - 1;
  if (wholeLength === 0 || wholeLength > MAX_PLAIN_WHOLE_DIGITS) {
    return undefined;
  }
  if (point >= 0 && (fractionLength === 0 || fractionLength > 6)) {
    return undefined;
  }
  const whole = readDigits(text, 0, wholeLength);
  const fraction = fractionLength === 0 ? 0 : readDigits(text, point + 1, fractionLength);
  if (whole < 0 || fraction < 0) {
    return undefined;
  }
  return BigInt(whole * 1_000_000 + fraction * 10 ** (6 - fractionLength));
}

const HYPHEN = 45;
const SPACE = 32;
const COLON = 58;

/**
 * Parses an API `YYYY-MM-DD HH:MM:SS` UTC time. Text with exactly that layout, a year from 100
 * and fields in range is read here. Anything else, years 0 to 99 included, goes to
 * {@link parseApiDate}, which also rejects dates such as 2024-02-30.
 */
function parseTime(text: string): Date | undefined {
  if (
    text.length === 19 &&
    text.charCodeAt(4) === HYPHEN &&
    text.charCodeAt(7) === HYPHEN &&
    text.charCodeAt(10) === SPACE &&
    text.charCodeAt(13) === COLON &&
    text.charCodeAt(16) === COLON
  ) {
    const year = readDigits(text, 0, 4);
    const month = readDigits(text, 5, 2);
    const day = readDigits(text, 8, 2);
    const hour = readDigits(text, 11, 2);
    const minute = readDigits(text, 14, 2);
    const second = readDigits(text, 17, 2);
    if (
      year >= 100 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59
    ) {
      return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    }
  }
  return parseApiDate(text);
}

/** Days in `month` (1 to 12) of `year` in the proleptic Gregorian calendar, as Date uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Formats a raw record as indented JSON. A record nested deeper than JSON.stringify can follow
 * becomes a JSON object with an error message instead, because JSON.parse accepts more nesting than it writes.
 */
export function formatRecordJson(raw: RawCdr): string {
  try {
    return JSON.stringify(raw, null, 2);
  } catch {
    return JSON.stringify({ error: 'This record is nested too deeply to show as JSON.' }, null, 2);
  }
}

let unserializableCount = 0;

function stableText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch {
    // Nesting too deep for JSON.stringify, or a cycle or bigint in a record built in memory. Each
    // such record gets its own key, so none is dropped as a duplicate of another.
    unserializableCount++;
    return `unserializable:${unserializableCount}`;
  }
}
