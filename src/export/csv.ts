/**
 * CSV rows of TCXC call detail records, as RFC 4180 describes them: CRLF line ends, a header row,
 * and a field in double quotes when it contains a comma, a double quote, CR or LF, with each
 * double quote doubled. No `vscode`, so unit tests and benchmarks can use it.
 */
import { formatApiDate } from '../client/query';
import { Cdr, RawCdr, toCdr } from '../model/cdr';
import { UNSAFE_CHARACTER } from '../model/format';
import { formatScaled, parseScaled } from '../model/money';

/**
 * Every field of a TCXC buyer CDR, in the order of the API documentation's sample record (the
 * `RawCdr` interface of src/emulator/dataset.ts). Each one gets a column, even when a record
 * lacks it, so every file has the same columns.
 */
export const DOCUMENTED_FIELDS = [
  'i_cdr',
  'CLD',
  'CLI',
  'call_id',
  'duration',
  'billed_duration',
  'connect_time',
  'disconnect_time',
  'setup_time',
  'billing_prefix',
  'billing_price_1',
  'billing_price_n',
  'billing_interval_1',
  'billing_interval_n',
  'customer_amount',
  'i_customer',
  'i_account',
  'i_vendor',
  'i_connection',
  'i_purchased_route',
  'disconnect_code',
  'customer_ip',
  'i_rate',
  'vendor_name',
  'account_name',
  'connection_name',
  'disconnect_reason',
  'country_name',
  'description',
] as const;

/** UTC times; their columns are named `<field> (UTC)`. */
const TIME_FIELDS: ReadonlySet<string> = new Set(['connect_time', 'disconnect_time', 'setup_time']);

/** Prices and the charge, written with at least six decimals. */
const AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'billing_price_1',
  'billing_price_n',
  'customer_amount',
]);

const DOCUMENTED: ReadonlySet<string> = new Set(DOCUMENTED_FIELDS);

/** Column of the fields a record has beyond {@link DOCUMENTED_FIELDS}, as one JSON object. */
export const EXTRA_FIELDS_COLUMN = 'extra_fields';
/** Column that lists what is wrong with a record and what the export changed, `; ` between. */
export const PROBLEMS_COLUMN = 'problems';

/** The header row's names: the documented fields, then `extra_fields` and `problems`. */
export const CSV_HEADERS: readonly string[] = [
  ...DOCUMENTED_FIELDS.map((field) => (TIME_FIELDS.has(field) ? `${field} (UTC)` : field)),
  EXTRA_FIELDS_COLUMN,
  PROBLEMS_COLUMN,
];

/** Number of decimals that amounts have at least, the precision of `customer_amount`. */
const AMOUNT_DECIMALS = 6;

/**
 * First characters that make Excel, LibreOffice Calc and Google Sheets read a cell as a formula,
 * the list of the OWASP "CSV Injection" page: `=`, `+`, `-`, `@`, tab and CR.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A plain decimal number such as `-0.5` or `+44`, which a spreadsheet reads as a number. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

const UNSAFE_CHARACTERS = new RegExp(UNSAFE_CHARACTER.source);

/** A time exactly as the API writes it, `YYYY-MM-DD HH:MM:SS`, without surrounding spaces. */
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Quotes one field when it contains a comma, a double quote, CR or LF, doubling its quotes. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Joins fields into one CSV line, CRLF included. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Returns the header line, CRLF included. */
export function csvHeaderLine(): string {
  return csvLine(CSV_HEADERS);
}

/**
 * Formats one record, as JSON.parse returned it, as a CSV line with CRLF. `cdr` is
 * `toCdr(value)`, for a caller that has it already.
 */
export function csvRecordLine(value: unknown, cdr: Cdr = toCdr(value)): string {
  return csvLine(csvRecordFields(value, cdr));
}

/**
 * Turns one record into the cells of {@link CSV_HEADERS}. A malformed record still gets a row:
 * each cell contains what the record has, and the `problems` cell lists what is missing or invalid.
 *
 * Times become `YYYY-MM-DD HH:MM:SS` (UTC), as the panel shows them without its ` UTC` suffix.
 * Amounts keep every decimal they were sent with and get trailing zeros up to six decimals. Other
 * text is written as sent, untrimmed. Null and missing values become empty cells, and a missing
 * documented field is listed in `problems`.
 *
 * A cell that starts with `=`, `+`, `-`, `@`, tab or CR and is not a plain number gets a leading
 * `'`, so a spreadsheet shows it as text instead of running it as a formula. The `problems` cell
 * names each such field, so the change is never silent.
 */
export function csvRecordFields(value: unknown, cdr: Cdr = toCdr(value)): string[] {
  const { raw } = cdr;
  const notes = new RowNotes(cdr.problems);
  const isObject = raw === value;
  const cells = DOCUMENTED_FIELDS.map((field) => {
    const fieldValue = raw[field];
    if (fieldValue === undefined && isObject) {
      notes.add(`${field} is missing`);
    }
    return documentedCell(field, fieldValue, cdr, notes);
  });
  // A JSON object starts with `{`, so this cell never needs the formula guard.
  cells.push(extraFieldsText(raw, notes));
  // Every note starts with a field name or a word, so this cell never needs the guard either.
  cells.push(notes.text());
  return cells;
}

/** Problems of one row, in order and without repeats. */
class RowNotes {
  private readonly notes: string[] = [];

  constructor(initial: readonly string[]) {
    for (const note of initial) {
      this.add(note);
    }
  }

  add(note: string): void {
    if (!this.notes.includes(note)) {
      this.notes.push(note);
    }
  }

  text(): string {
    return this.notes.join('; ');
  }
}

function documentedCell(field: string, value: unknown, cdr: Cdr, notes: RowNotes): string {
  let text: string;
  if (TIME_FIELDS.has(field)) {
    text = timeText(field, value, cdr);
  } else if (AMOUNT_FIELDS.has(field)) {
    text = amountText(value) ?? valueText(field, value, notes);
  } else {
    text = valueText(field, value, notes);
  }
  if (typeof value === 'string' && UNSAFE_CHARACTERS.test(value)) {
    notes.add(`${field} contains control or bidirectional characters`);
  }
  return guardCell(field, text, notes);
}

/** Formats a time as `YYYY-MM-DD HH:MM:SS`, or as sent when it is not a valid UTC time. */
function timeText(field: string, value: unknown, cdr: Cdr): string {
  const parsedTimes: Record<string, Date | undefined> = {
    connect_time: cdr.connectTime,
    disconnect_time: cdr.disconnectTime,
    setup_time: cdr.setupTime,
  };
  const parsed = parsedTimes[field];
  if (!parsed) {
    // toCdr has listed an invalid time in its problems already.
    return valueText(field, value, undefined);
  }
  // Text already in the canonical form is kept, which saves formatting three dates per record.
  return typeof value === 'string' && CANONICAL_TIME.test(value) ? value : formatApiDate(parsed);
}

/**
 * Writes a decimal amount with every digit it has and at least six decimals, for example
 * `0.0123` as `0.012300` and `0.0000001` as `0.0000001`. Returns undefined for a value that is
 * not a decimal number.
 */
export function amountText(value: unknown): string | undefined {
  let plain: string | undefined;
  if (typeof value === 'string') {
    plain = PLAIN_NUMBER.test(value.trim()) ? value.trim() : undefined;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    plain = plainNumberText(value);
  }
  if (plain === undefined) {
    return undefined;
  }
  const [whole, fraction = ''] = plain.split('.');
  return `${whole}.${fraction.padEnd(AMOUNT_DECIMALS, '0')}`;
}

/**
 * Writes a number without an exponent. String() gives the shortest decimal that reads back as the
 * same number, and its exponent form (below 1e-6, from 1e21) is expanded to exactly those digits.
 */
function plainNumberText(value: number): string {
  const text = String(value);
  const exponent = /^-?(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponent) {
    return text;
  }
  const [, , mantissaFraction = '', power] = exponent;
  const decimals = Math.max(0, mantissaFraction.length - Number(power));
  const scaled = parseScaled(value, decimals);
  return scaled === undefined ? text : formatScaled(scaled, decimals, 0);
}

/**
 * Writes any JSON value as cell text: text as sent, numbers and booleans as JSON writes them,
 * null and missing as empty text, and arrays and objects as JSON.
 */
function valueText(field: string, value: unknown, notes: RowNotes | undefined): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return jsonText(field, value, notes);
}

/** Writes the fields beyond the documented ones as one JSON object, or empty text for none. */
function extraFieldsText(raw: RawCdr, notes: RowNotes): string {
  const extra: Record<string, unknown> = {};
  let count = 0;
  for (const name of Object.keys(raw)) {
    if (!DOCUMENTED.has(name)) {
      extra[name] = raw[name];
      count++;
    }
  }
  return count === 0 ? '' : jsonText(EXTRA_FIELDS_COLUMN, extra, notes);
}

function jsonText(field: string, value: unknown, notes: RowNotes | undefined): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // JSON.parse accepts deeper nesting than JSON.stringify can write back.
    notes?.add(`${field} is nested too deeply to write as JSON`);
    return '';
  }
}

/** Adds a leading `'` to text that a spreadsheet would run as a formula, and notes it. */
function guardCell(field: string, text: string, notes: RowNotes): string {
  if (!FORMULA_START.test(text) || PLAIN_NUMBER.test(text)) {
    return text;
  }
  notes.add(
    `${field} starts with ${JSON.stringify(text[0])}, so a ' was added before it to keep ` +
      'spreadsheets from running it as a formula',
  );
  return `'${text}`;
}
