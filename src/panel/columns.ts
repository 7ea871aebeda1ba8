/**
 * Converts table rows to the columns that messages to the panel carry ({@link RowColumns}), and
 * back. No DOM and no `vscode`: the extension encodes, and the panel's script decodes.
 */
import type { ChargeStatus, PackedText, PanelRow, RowColumns, TextChoice } from './protocol';

/** The charge statuses in the order that {@link RowColumns.charge} numbers them. */
const CHARGE_STATUSES: readonly ChargeStatus[] = ['ok', 'mismatch', 'unknown'];

const CHARGE_INDEX: ReadonlyMap<ChargeStatus, number> = new Map(
  CHARGE_STATUSES.map((status, index) => [status, index]),
);

/** Builds one column of text values, joined. */
class TextColumn {
  private readonly parts: string[];
  private readonly lengths: Uint32Array;

  constructor(count: number) {
    this.parts = new Array<string>(count);
    this.lengths = new Uint32Array(count);
  }

  set(index: number, text: string): void {
    this.parts[index] = text;
    this.lengths[index] = text.length;
  }

  done(): PackedText {
    return { text: this.parts.join(''), lengths: this.lengths };
  }
}

/** Builds one column of text values that repeat, each distinct value listed once. */
class ChoiceColumn {
  private readonly values = new Map<string, number>();
  private readonly index: Uint32Array;

  constructor(count: number) {
    this.index = new Uint32Array(count);
  }

  set(index: number, text: string): void {
    let choice = this.values.get(text);
    if (choice === undefined) {
      choice = this.values.size;
      this.values.set(text, choice);
    }
    this.index[index] = choice;
  }

  done(): TextChoice {
    return { values: [...this.values.keys()], index: this.index };
  }
}

/** Encodes null as NaN. Decoding turns every number that is not finite into null, as JSON would. */
function numberOrNaN(value: number | null): number {
  return value ?? Number.NaN;
}

/** Encodes rows as columns, in the order given. */
export function encodeRows(rows: readonly PanelRow[]): RowColumns {
  const count = rows.length;
  const key = new TextColumn(count);
  const id = new TextColumn(count);
  const cli = new TextColumn(count);
  const cld = new TextColumn(count);
  const callId = new TextColumn(count);
  const country = new ChoiceColumn(count);
  const vendor = new ChoiceColumn(count);
  const reason = new ChoiceColumn(count);
  const time = new Float64Array(count);
  const duration = new Float64Array(count);
  const billed = new Float64Array(count);
  const amountMicros = new Float64Array(count);
  const code = new Float64Array(count);
  const answered = new Uint8Array(count);
  const charge = new Uint8Array(count);
  const problems = new Uint32Array(count);

  for (let index = 0; index < count; index++) {
    const row = rows[index];
    key.set(index, row.key);
    id.set(index, row.id);
    cli.set(index, row.cli);
    cld.set(index, row.cld);
    callId.set(index, row.callId);
    country.set(index, row.country);
    vendor.set(index, row.vendor);
    reason.set(index, row.reason);
    time[index] = numberOrNaN(row.time);
    duration[index] = numberOrNaN(row.duration);
    billed[index] = numberOrNaN(row.billed);
    amountMicros[index] = numberOrNaN(row.amountMicros);
    code[index] = numberOrNaN(row.code);
    answered[index] = row.answered ? 1 : 0;
    charge[index] = CHARGE_INDEX.get(row.charge) ?? CHARGE_INDEX.get('unknown') ?? 0;
    problems[index] = row.problems;
  }

  return {
    count,
    key: key.done(),
    id: id.done(),
    cli: cli.done(),
    cld: cld.done(),
    callId: callId.done(),
    country: country.done(),
    vendor: vendor.done(),
    reason: reason.done(),
    time,
    duration,
    billed,
    amountMicros,
    code,
    answered,
    charge,
    problems,
  };
}

/** Thrown for columns that do not describe `count` rows. */
export class MalformedColumnsError extends Error {
  constructor(column: string, problem: string) {
    super(`Column ${column} of the received rows ${problem}`);
    this.name = 'MalformedColumnsError';
  }
}

interface ArrayLikeColumn {
  readonly length: number;
  readonly [index: number]: number;
}

function checkLength(column: ArrayLikeColumn | undefined, count: number, name: string): void {
  if (column?.length !== count) {
    throw new MalformedColumnsError(name, `has ${String(column?.length)} entries, not ${count}`);
  }
}

/** Splits a packed column back into its values. */
function unpackText(column: PackedText, count: number, name: string): string[] {
  checkLength(column.lengths, count, name);
  const { text, lengths } = column;
  if (typeof text !== 'string') {
    throw new MalformedColumnsError(name, 'has no text');
  }
  const values = new Array<string>(count);
  let start = 0;
  for (let index = 0; index < count; index++) {
    const end = start + lengths[index];
    values[index] = text.slice(start, end);
    start = end;
  }
  if (start !== text.length) {
    throw new MalformedColumnsError(name, `has ${text.length} characters, not ${start}`);
  }
  return values;
}

/** Looks up each row's value of a choice column. */
function unpackChoice(column: TextChoice, count: number, name: string): string[] {
  checkLength(column.index, count, name);
  const { values: choices, index } = column;
  if (!Array.isArray(choices)) {
    throw new MalformedColumnsError(name, 'has no list of values');
  }
  const values = new Array<string>(count);
  for (let row = 0; row < count; row++) {
    const value: unknown = choices[index[row]];
    if (typeof value !== 'string') {
      throw new MalformedColumnsError(
        name,
        `has index ${index[row]} at row ${row}, past its ${choices.length} values`,
      );
    }
    values[row] = value;
  }
  return values;
}

/**
 * Returns null for NaN and the infinities, which JSON could not carry either. A whole number in
 * the 32-bit range comes back through `| 0`, so that V8 keeps it as a small integer, as it does
 * for such a number read from JSON. A number read from a Float64Array is a double, and sorting
 * 100,000 rows by a field of doubles took about 15 ms longer in test/bench/panelBench.ts.
 */
function finiteOrNull(value: number): number | null {
  if (!Number.isFinite(value)) {
    return null;
  }
  const small = value | 0;
  return small === value ? small : value;
}

/**
 * Decodes columns into rows, in their order. Throws {@link MalformedColumnsError} when a column
 * does not hold one entry per row.
 */
export function decodeRows(columns: RowColumns): PanelRow[] {
  const count = columns.count;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new MalformedColumnsError('count', `is ${String(count)}`);
  }
  const key = unpackText(columns.key, count, 'key');
  const id = unpackText(columns.id, count, 'id');
  const cli = unpackText(columns.cli, count, 'cli');
  const cld = unpackText(columns.cld, count, 'cld');
  const callId = unpackText(columns.callId, count, 'callId');
  const country = unpackChoice(columns.country, count, 'country');
  const vendor = unpackChoice(columns.vendor, count, 'vendor');
  const reason = unpackChoice(columns.reason, count, 'reason');

  const { time, duration, billed, amountMicros, code, answered, charge, problems } = columns;
  const numeric: [ArrayLikeColumn, string][] = [
    [time, 'time'],
    [duration, 'duration'],
    [billed, 'billed'],
    [amountMicros, 'amountMicros'],
    [code, 'code'],
    [answered, 'answered'],
    [charge, 'charge'],
    [problems, 'problems'],
  ];
  for (const [column, name] of numeric) {
    checkLength(column, count, name);
  }

  const rows = new Array<PanelRow>(count);
  for (let index = 0; index < count; index++) {
    // One object literal with the fields in the order of toPanelRow, so all rows share a shape.
    rows[index] = {
      key: key[index],
      id: id[index],
      time: finiteOrNull(time[index]),
      cli: cli[index],
      cld: cld[index],
      callId: callId[index],
      country: country[index],
      vendor: vendor[index],
      answered: answered[index] === 1,
      duration: finiteOrNull(duration[index]),
      billed: finiteOrNull(billed[index]),
      amountMicros: finiteOrNull(amountMicros[index]),
      code: finiteOrNull(code[index]),
      reason: reason[index],
      charge: CHARGE_STATUSES[charge[index]] ?? 'unknown',
      problems: problems[index],
    };
  }
  return rows;
}
