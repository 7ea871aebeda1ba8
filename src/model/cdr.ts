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

/** Derives the typed view of one raw record. Never throws for a value that JSON.parse returns. */
export function toCdr(value: unknown): Cdr {
  const problems: string[] = [];
  const raw: RawCdr =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as RawCdr)
      : { value };
  if (raw !== value) {
    problems.push('record is not a JSON object');
  }
  const reader = new FieldReader(raw, problems);
  const setupTime = reader.time('setup_time');
  const connectTime = reader.time('connect_time');
  const durationSeconds = reader.integer('duration');
  const iCdr = reader.identifier('i_cdr');
  return {
    raw,
    key: iCdr ? `i_cdr:${iCdr}` : `content:${stableText(value)}`,
    iCdr,
    cld: reader.text('CLD'),
    cli: reader.text('CLI'),
    callId: reader.text('call_id'),
    setupTime,
    connectTime,
    disconnectTime: reader.time('disconnect_time'),
    utcDate: (connectTime ?? setupTime)?.toISOString().slice(0, 10) ?? UNKNOWN_DATE,
    durationSeconds,
    billedSeconds: reader.nullableInteger('billed_duration'),
    billingPrefix: reader.text('billing_prefix'),
    price1Micros: reader.money('billing_price_1'),
    priceNMicros: reader.money('billing_price_n'),
    interval1Seconds: reader.integer('billing_interval_1'),
    intervalNSeconds: reader.integer('billing_interval_n'),
    amountMicros: reader.money('customer_amount'),
    disconnectCode: reader.integer('disconnect_code'),
    disconnectReason: reader.text('disconnect_reason'),
    countryName: reader.text('country_name'),
    vendorName: reader.text('vendor_name'),
    accountName: reader.text('account_name'),
    connectionName: reader.text('connection_name'),
    description: reader.text('description'),
    customerIp: reader.text('customer_ip'),
    answered: (durationSeconds ?? 0) > 0,
    problems,
  };
}

/** Reads typed values out of a raw record and notes each field it cannot type. */
class FieldReader {
  constructor(
    private readonly raw: RawCdr,
    private readonly problems: string[],
  ) {}

  /** Trimmed text; null, missing or non-text values become empty text. */
  text(field: string): string {
    return this.optionalText(field) ?? '';
  }

  optionalText(field: string): string | undefined {
    const value = this.raw[field];
    if (typeof value === 'string') {
      return value.trim();
    }
    if (typeof value === 'number' && Number.isFinite(value)) {
      return String(value);
    }
    if (value !== null && value !== undefined) {
      this.problems.push(`${field} is not text`);
    }
    return undefined;
  }

  /**
   * Reads a record id as text. JSON.parse rounds a number above 2^53, so two ids can become equal.
   * Such a number is reported and read as undefined, so the record gets a content-based key.
   */
  identifier(field: string): string | undefined {
    const value = this.raw[field];
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      this.problems.push(`${field} is a number too large to read exactly`);
      return undefined;
    }
    return this.optionalText(field);
  }

  integer(field: string): number | undefined {
    const value = this.raw[field];
    if (value === undefined) {
      this.problems.push(`${field} is missing`);
      return undefined;
    }
    return this.parseInteger(field, value);
  }

  nullableInteger(field: string): number | undefined {
    const value = this.raw[field];
    return value === null || value === undefined ? undefined : this.parseInteger(field, value);
  }

  money(field: string): bigint | undefined {
    const value = this.raw[field];
    const micros = parseMicros(value);
    if (micros === undefined && value !== null) {
      this.problems.push(`${field} is ${value === undefined ? 'missing' : 'not an amount'}`);
    }
    return micros;
  }

  time(field: string): Date | undefined {
    const value = this.raw[field];
    const date = typeof value === 'string' ? parseApiDate(value) : undefined;
    if (date === undefined && value !== null) {
      this.problems.push(`${field} is ${value === undefined ? 'missing' : 'not a UTC time'}`);
    }
    return date;
  }

  /** Reads a whole number that is zero or more, as every integer field of a CDR is. */
  private parseInteger(field: string, value: unknown): number | undefined {
    let text = '';
    if (typeof value === 'number') {
      text = String(value);
    } else if (typeof value === 'string') {
      text = value.trim();
    }
    if (!/^-?\d{1,15}$/.test(text)) {
      this.problems.push(`${field} is not a whole number`);
      return undefined;
    }
    const number = Number(text);
    if (number < 0) {
      this.problems.push(`${field} is negative`);
      return undefined;
    }
    return number;
  }
}

/**
 * Formats a raw record as indented JSON. A record nested deeper than JSON.stringify can follow
 * becomes a JSON object that says so, because JSON.parse accepts more nesting than it writes.
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
