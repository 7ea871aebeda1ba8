import { parseApiDate } from '../client/query';
import { parseMicros } from './money';

/** A raw record exactly as the API sent it. */
export type RawCdr = Readonly<Record<string, unknown>>;

/**
 * A call detail record: the untouched raw record plus typed fields derived from it. Text fields
 * are trimmed. A field that is missing or of the wrong type becomes undefined and is listed in
 * `problems`, so a malformed record stays visible instead of being dropped.
 *
 * `raw`, `key`, `utcDate` and `callTime` are read when the record is created, because grouping
 * needs them. The other fields are typed together on first use, so loading a page whose records
 * are never shown costs little more than parsing it.
 */
export interface Cdr {
  readonly raw: RawCdr;
  /**
   * De-duplication key: `i_cdr` when present and exact, otherwise a key derived from the content.
   */
  readonly key: string;
  /** UTC calendar date `YYYY-MM-DD` of the call, from connect time or else setup time. */
  readonly utcDate: string;
  /**
   * Milliseconds since 1970 of the connect time, or else the setup time; undefined when neither
   * is a valid time. Records sort newest first by it.
   */
  readonly callTime: number | undefined;
  /** Undefined when missing, and when it is a JSON number too large to have kept all digits. */
  readonly iCdr: string | undefined;
  readonly cld: string;
  readonly cli: string;
  readonly callId: string;
  readonly setupTime: Date | undefined;
  readonly connectTime: Date | undefined;
  readonly disconnectTime: Date | undefined;
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

/** The fields of a {@link Cdr} that are typed on first use. */
type TypedFields = Omit<Cdr, 'raw' | 'key' | 'utcDate' | 'callTime' | 'iCdr'>;

/**
 * Derives the typed view of one raw record. Never throws for a value that JSON.parse returns,
 * and neither does reading any field of the result.
 *
 * Fields are read by plain functions, with fast paths for the API's usual `YYYY-MM-DD HH:MM:SS`
 * times, whole-number strings and amounts of at most six decimals. Any other text goes to the
 * general parsers, parseApiDate and parseMicros.
 */
export function toCdr(value: unknown): Cdr {
  return new LazyCdr(value);
}

const DAY_MS = 86_400_000;

/**
 * The date text of the last record created and the day it names. Records arrive sorted by time,
 * so most share the date of the one before and reuse its text instead of slicing their own.
 */
let lastDay = Number.NaN;
let lastDayText = '';

class LazyCdr implements Cdr {
  readonly raw: RawCdr;
  readonly key: string;
  readonly utcDate: string;
  readonly callTime: number | undefined;
  readonly iCdr: string | undefined;
  /** True when the API sent something other than an object, which `raw` then wraps. */
  private readonly wrapped: boolean;
  private fields: TypedFields | undefined;

  constructor(value: unknown) {
    this.wrapped = typeof value !== 'object' || value === null || Array.isArray(value);
    this.raw = this.wrapped ? { value } : (value as RawCdr);
    this.fields = undefined;
    this.iCdr = identifierText(this.raw.i_cdr);
    this.key = this.iCdr ? `i_cdr:${this.iCdr}` : `content:${stableText(value)}`;
    let text = this.raw.connect_time;
    let time = typeof text === 'string' ? timeOf(text) : undefined;
    if (time === undefined) {
      text = this.raw.setup_time;
      time = typeof text === 'string' ? timeOf(text) : undefined;
    }
    this.callTime = time;
    if (time === undefined) {
      this.utcDate = UNKNOWN_DATE;
    } else if (Math.floor(time / DAY_MS) === lastDay) {
      this.utcDate = lastDayText;
    } else {
      // A time that parsed is API text, whose first ten characters are its UTC calendar date.
      this.utcDate = (text as string).trim().slice(0, 10);
      lastDay = Math.floor(time / DAY_MS);
      lastDayText = this.utcDate;
    }
  }

  get cld(): string {
    return this.typed().cld;
  }
  get cli(): string {
    return this.typed().cli;
  }
  get callId(): string {
    return this.typed().callId;
  }
  get setupTime(): Date | undefined {
    return this.typed().setupTime;
  }
  get connectTime(): Date | undefined {
    return this.typed().connectTime;
  }
  get disconnectTime(): Date | undefined {
    return this.typed().disconnectTime;
  }
  get durationSeconds(): number | undefined {
    return this.typed().durationSeconds;
  }
  get billedSeconds(): number | undefined {
    return this.typed().billedSeconds;
  }
  get billingPrefix(): string {
    return this.typed().billingPrefix;
  }
  get price1Micros(): bigint | undefined {
    return this.typed().price1Micros;
  }
  get priceNMicros(): bigint | undefined {
    return this.typed().priceNMicros;
  }
  get interval1Seconds(): number | undefined {
    return this.typed().interval1Seconds;
  }
  get intervalNSeconds(): number | undefined {
    return this.typed().intervalNSeconds;
  }
  get amountMicros(): bigint | undefined {
    return this.typed().amountMicros;
  }
  get disconnectCode(): number | undefined {
    return this.typed().disconnectCode;
  }
  get disconnectReason(): string {
    return this.typed().disconnectReason;
  }
  get countryName(): string {
    return this.typed().countryName;
  }
  get vendorName(): string {
    return this.typed().vendorName;
  }
  get accountName(): string {
    return this.typed().accountName;
  }
  get connectionName(): string {
    return this.typed().connectionName;
  }
  get description(): string {
    return this.typed().description;
  }
  get customerIp(): string {
    return this.typed().customerIp;
  }
  get answered(): boolean {
    return this.typed().answered;
  }
  get problems(): readonly string[] {
    return this.typed().problems;
  }

  private typed(): TypedFields {
    this.fields ??= typeFields(this.raw, this.wrapped);
    return this.fields;
  }
}

/** Types every field of a record but the ones {@link LazyCdr} reads when it is created. */
function typeFields(raw: RawCdr, wrapped: boolean): TypedFields {
  const problems: string[] = [];
  if (wrapped) {
    problems.push('record is not a JSON object');
  }
  const setupTime = readTime('setup_time', raw.setup_time, problems);
  const connectTime = readTime('connect_time', raw.connect_time, problems);
  const durationSeconds = readInteger(raw.duration, 'duration', problems);
  // Only the problem is wanted here: the constructor has read the value already.
  readIdentifier(raw.i_cdr, 'i_cdr', problems);
  return {
    cld: readRequiredText(raw.CLD, 'CLD', problems),
    cli: readRequiredText(raw.CLI, 'CLI', problems),
    callId: readRequiredText(raw.call_id, 'call_id', problems),
    setupTime,
    connectTime,
    disconnectTime: readTime('disconnect_time', raw.disconnect_time, problems),
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

/** Reads `i_cdr` as {@link readIdentifier} does, without noting problems. */
function identifierText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value.trim();
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    return String(value);
  }
  return readIdentifier(value, 'i_cdr', []);
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

/** Reads a time as {@link parseTime} does, in milliseconds since 1970. */
function timeOf(text: string): number | undefined {
  const fast = fastTime(text);
  return Number.isNaN(fast) ? parseApiDate(text)?.getTime() : fast;
}

/**
 * Parses an API `YYYY-MM-DD HH:MM:SS` UTC time. Text with exactly that layout, a year from 100
 * and fields in range is read by {@link fastTime}. Anything else, years 0 to 99 included, goes to
 * {@link parseApiDate}, which also rejects dates such as 2024-02-30.
 */
function parseTime(text: string): Date | undefined {
  const fast = fastTime(text);
  return Number.isNaN(fast) ? parseApiDate(text) : new Date(fast);
}

/**
 * Reads text in exactly the `YYYY-MM-DD HH:MM:SS` layout, with a year from 100 and every field in
 * range, as milliseconds since 1970 UTC. Returns NaN for any other text.
 */
function fastTime(text: string): number {
  if (
    text.length !== 19 ||
    text.charCodeAt(4) !== HYPHEN ||
    text.charCodeAt(7) !== HYPHEN ||
    text.charCodeAt(10) !== SPACE ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return Number.NaN;
  }
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
    return (daysSince1970(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000;
  }
  return Number.NaN;
}

/**
 * Counts the days from 1970-01-01 to a date of the proleptic Gregorian calendar, as Date.UTC
 * does, with integer arithmetic only: calling Date.UTC took half the time of reading a time in a CPU
 * profile of the model benchmark. The
 * year is counted from March, so that a leap day ends its year; 146,097 days make 400 years.
 */
function daysSince1970(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  // 719,468 days lie between 0000-03-01 and 1970-01-01.
  return era * 146_097 + dayOfEra - 719_468;
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
