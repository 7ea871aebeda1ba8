import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FixedQuery, PageSource, RawPage, TcxcClient } from '../../src/client/client';
import { CancelledError } from '../../src/client/errors';
import { PageWindow } from '../../src/client/form';
import { generateCdrs } from '../../src/emulator/dataset';
import { malformRecords } from '../../src/emulator/faults';
import { toCdr } from '../../src/model/cdr';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  RunningEmulator,
  startEmulator,
} from '../../src/emulator/server';
import {
  CSV_HEADERS,
  DOCUMENTED_FIELDS,
  amountText,
  csvField,
  csvHeaderLine,
  csvLine,
  csvRecordFields,
  csvRecordLine,
} from '../../src/export/csv';
import { ExportError, ExportOptions, exportCdrs } from '../../src/export/exporter';
import { jsonLine } from '../../src/export/jsonl';
import { RecordKeySet, WholeNumberSet, canonicalWholeNumber } from '../../src/model/keySet';
import {
  defaultExportName,
  formatOfFile,
  parseExportTarget,
  partialFileOf,
} from '../../src/export/target';

/** Fixed clock shared by the emulator and the client: 2024-06-15 12:00:00 UTC. */
const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);

/** The last two of the dataset's three days. */
const QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(Date.UTC(2024, 5, 13, 12, 0, 0)),
  dateTo: new Date(NOW),
};

/** A page size that does not divide the record count, so the last page is a short one. */
const PAGE_SIZE = 37;

const PROBLEMS = CSV_HEADERS.indexOf('problems');
const EXTRA_FIELDS = CSV_HEADERS.indexOf('extra_fields');

/** Column index of a documented field. */
function column(field: (typeof DOCUMENTED_FIELDS)[number]): number {
  return DOCUMENTED_FIELDS.indexOf(field);
}

/**
 * Parses CSV strictly as RFC 4180 describes it: records end with CRLF, and a CR or LF outside
 * double quotes, or a quote inside an unquoted field, is an error.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let index = 0;
  while (index < text.length) {
    let field = '';
    if (text[index] === '"') {
      index++;
      for (;;) {
        if (index >= text.length) {
          throw new Error('Unterminated quoted field');
        }
        if (text[index] === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        field += text[index];
        index++;
      }
    } else {
      while (index < text.length && !',\r\n'.includes(text[index])) {
        if (text[index] === '"') {
          throw new Error(`Quote inside an unquoted field at ${index}`);
        }
        field += text[index];
        index++;
      }
    }
    row.push(field);
    if (text[index] === ',') {
      index++;
    } else if (text.startsWith('\r\n', index)) {
      rows.push(row);
      row = [];
      index += 2;
    } else {
      throw new Error(`Expected a comma or CRLF at ${index}, found ${JSON.stringify(text[index])}`);
    }
  }
  if (row.length > 0) {
    throw new Error('The last record does not end with CRLF');
  }
  return rows;
}

/** Parses the single CSV line of one record. */
function parseRow(line: string): string[] {
  const rows = parseCsv(line);
  assert.equal(rows.length, 1, 'one record became several lines');
  return rows[0];
}

/** Returns one complete record of the emulator's dataset, the shape the API documents. */
function sampleRecord(): Record<string, unknown> {
  const [record] = generateCdrs({
    seed: 3,
    count: 1,
    start: new Date(NOW - 3600_000),
    end: new Date(NOW),
  });
  return { ...record };
}

/** Text values that break naive CSV writers, spreadsheets or terminals. */
const HOSTILE_TEXT: readonly string[] = [
  'comma, inside',
  'say "hello"',
  '"',
  'carriage\rreturn',
  'line\nfeed',
  'windows\r\nline end',
  'x\r\n',
  ',',
  '  leading and trailing spaces  ',
  'Zürich ☎ 東京 🦜',
  '\u202Eevil\u202C right-to-left override',
  'isolate \u2066x\u2069 and mark \u200F',
  'line\u2028separator',
  'tab\tinside',
  "'already quoted",
  '',
];

describe('CSV fields', () => {
  it('csvField quotes special characters', () => {
    const cases: [string, string][] = [
      ['plain', 'plain'],
      ['', ''],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['"', '""""'],
      ['a\rb', '"a\rb"'],
      ['a\nb', '"a\nb"'],
      ['a\r\nb', '"a\r\nb"'],
      [' spaced ', ' spaced '],
      ['Zürich ☎', 'Zürich ☎'],
      ['\u202Eabc', '\u202Eabc'],
      ['tab\there', 'tab\there'],
    ];
    for (const [input, expected] of cases) {
      assert.equal(csvField(input), expected, `csvField(${JSON.stringify(input)})`);
    }
  });

  it('csvLine ends with CRLF', () => {
    assert.equal(csvLine(['a', 'b,c', '']), 'a,"b,c",\r\n');
  });

  it('header names every column', () => {
    const header = parseRow(csvHeaderLine());
    assert.equal(header.length, DOCUMENTED_FIELDS.length + 2);
    assert.equal(header[0], 'i_cdr');
    assert.equal(header[column('connect_time')], 'connect_time (UTC)');
    assert.equal(header[column('disconnect_time')], 'disconnect_time (UTC)');
    assert.equal(header[column('setup_time')], 'setup_time (UTC)');
    assert.equal(header[column('customer_amount')], 'customer_amount');
    assert.deepEqual(header.slice(-2), ['extra_fields', 'problems']);
  });

  it('complete record fills its columns', () => {
    const record = sampleRecord();
    const cells = parseRow(csvRecordLine(record));
    assert.equal(cells.length, CSV_HEADERS.length);
    for (const field of DOCUMENTED_FIELDS) {
      const value = record[field] as string | number | null;
      if (field === 'billing_price_1' || field === 'billing_price_n') {
        assert.equal(cells[column(field)], amountText(value), field);
      } else {
        assert.equal(cells[column(field)], value === null ? '' : String(value), field);
      }
    }
    assert.match(cells[column('connect_time')], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(cells[column('customer_amount')], /^\d+\.\d{6}$/);
    assert.equal(cells[EXTRA_FIELDS], '');
    assert.equal(cells[PROBLEMS], '');
  });

  it('hostile text round-trips', () => {
    for (const text of HOSTILE_TEXT) {
      const record = { ...sampleRecord(), CLI: text, description: text };
      const line = csvRecordLine(record);
      assert.ok(line.endsWith('\r\n'), `no CRLF after ${JSON.stringify(text)}`);
      const cells = parseRow(line);
      assert.equal(cells.length, CSV_HEADERS.length, `column count for ${JSON.stringify(text)}`);
      assert.equal(cells[column('CLI')], text, `CLI ${JSON.stringify(text)}`);
      assert.equal(cells[column('description')], text, `description ${JSON.stringify(text)}`);
    }
  });

  it('formula starts get a quote', () => {
    for (const text of [
      '=1+1',
      '+1+1',
      '-1+1',
      '@SUM(A1:A9)',
      '=HYPERLINK("x")',
      '\tlead',
      '\rx',
    ]) {
      const cells = parseRow(csvRecordLine({ ...sampleRecord(), CLI: text }));
      assert.equal(cells[column('CLI')], `'${text}`, `CLI ${JSON.stringify(text)}`);
      const note = `CLI starts with ${JSON.stringify(text[0])}`;
      assert.ok(cells[PROBLEMS].includes(note), `no note for ${JSON.stringify(text)}`);
    }
  });

  it('signed numbers stay unquoted', () => {
    for (const text of ['-0.5', '+442071234567', '-7', '+1']) {
      const cells = parseRow(csvRecordLine({ ...sampleRecord(), CLI: text }));
      assert.equal(cells[column('CLI')], text, `CLI ${JSON.stringify(text)}`);
      assert.equal(cells[PROBLEMS], '', `problems for ${JSON.stringify(text)}`);
    }
  });

  it('unsafe characters are kept and noted', () => {
    const text = 'abc\u202Edef';
    const cells = parseRow(csvRecordLine({ ...sampleRecord(), vendor_name: text }));
    assert.equal(cells[column('vendor_name')], text);
    assert.match(cells[PROBLEMS], /vendor_name contains control or bidirectional characters/);
  });

  it('null and missing fields are empty', () => {
    const record: Record<string, unknown> = {
      ...sampleRecord(),
      connection_name: null,
      billed_duration: null,
      customer_ip: '',
    };
    delete record.CLD;
    delete record.i_rate;
    const cells = parseRow(csvRecordLine(record));
    assert.equal(cells[column('connection_name')], '');
    assert.equal(cells[column('billed_duration')], '');
    assert.equal(cells[column('customer_ip')], '');
    assert.equal(cells[column('CLD')], '');
    assert.equal(cells[column('i_rate')], '');
    assert.equal(cells[PROBLEMS], 'CLD is missing; i_rate is missing');
  });

  it('extra fields form one JSON cell', () => {
    const extra = { rounding: 'up', 'odd,"name"': 'x\r\ny', nested: { list: [1, null] } };
    const cells = parseRow(csvRecordLine({ ...sampleRecord(), ...extra }));
    assert.deepEqual(JSON.parse(cells[EXTRA_FIELDS]), extra);
    assert.equal(cells[PROBLEMS], '');
  });

  it('amounts keep every decimal', () => {
    const cases: [unknown, string | undefined][] = [
      ['0.004987', '0.004987'],
      ['0.5', '0.500000'],
      ['12', '12.000000'],
      [' 0.25 ', '0.250000'],
      ['0.1234567', '0.1234567'],
      ['-0.000001', '-0.000001'],
      [0.0123, '0.012300'],
      [1e-7, '0.0000001'],
      [1.5e-7, '0.00000015'],
      [-2e-7, '-0.0000002'],
      [1e21, '1000000000000000000000.000000'],
      [3, '3.000000'],
      ['free', undefined],
      ['1e-3', undefined],
      [null, undefined],
      [Number.NaN, undefined],
    ];
    for (const [value, expected] of cases) {
      assert.equal(amountText(value), expected, `amountText(${String(value)})`);
    }
  });

  it('amount columns use six decimals', () => {
    const record = {
      ...sampleRecord(),
      billing_price_1: 0.0123,
      billing_price_n: 0.01234567,
      customer_amount: '0.004987',
    };
    const cells = parseRow(csvRecordLine(record));
    assert.equal(cells[column('billing_price_1')], '0.012300');
    assert.equal(cells[column('billing_price_n')], '0.01234567');
    assert.equal(cells[column('customer_amount')], '0.004987');
  });

  it('malformed records keep a row', () => {
    const damaged = malformRecords(
      generateCdrs({ seed: 4, count: 3, start: new Date(NOW - 3600_000), end: new Date(NOW) }),
      4096,
    );
    const rows = damaged.map((record) => parseRow(csvRecordLine(record)));
    assert.equal(rows.length, 3);

    const [missing, wrongTypes, long] = rows;
    assert.equal(missing[column('CLD')], '');
    assert.equal(missing[column('connect_time')], '');
    assert.match(missing[PROBLEMS], /CLD is missing/);
    assert.match(missing[PROBLEMS], /connect_time is missing/);
    assert.match(missing[PROBLEMS], /duration is missing/);

    assert.equal(wrongTypes[column('CLD')], '{"digits":"12014705652"}');
    assert.equal(wrongTypes[column('connect_time')], '1718450000');
    assert.equal(wrongTypes[column('billing_price_1')], 'free');
    assert.equal(wrongTypes[column('disconnect_code')], '["16"]');
    assert.match(wrongTypes[PROBLEMS], /CLD is not text/);
    assert.match(wrongTypes[PROBLEMS], /connect_time is not a UTC time/);
    assert.match(wrongTypes[PROBLEMS], /billing_price_1 is not an amount/);

    assert.equal(long[column('CLI')], '1'.repeat(4096));
  });

  it('non-object records keep their value', () => {
    for (const value of [42, 'text, with comma', null, [1, '2'], true]) {
      const cells = parseRow(csvRecordLine(value));
      assert.equal(cells.length, CSV_HEADERS.length, `columns of ${JSON.stringify(value)}`);
      assert.deepEqual(JSON.parse(cells[EXTRA_FIELDS]), { value });
      assert.match(cells[PROBLEMS], /^record is not a JSON object; /);
      // toCdr lists the missing fields; the export adds no second note for any of them.
      assert.equal(cells[PROBLEMS].split('CLD is missing').length, 2);
    }
  });

  it('very long strings survive', () => {
    const text = `"quoted", ${'x'.repeat(1024 * 1024)}\r\n${'é'.repeat(1000)}`;
    const cells = parseRow(csvRecordLine({ ...sampleRecord(), description: text }));
    assert.equal(cells[column('description')].length, text.length);
    assert.equal(cells[column('description')], text);
  });

  it('deep nesting does not throw', () => {
    let nested: unknown = 'bottom';
    for (let depth = 0; depth < 20_000; depth++) {
      nested = [nested];
    }
    const fields = csvRecordFields({ ...sampleRecord(), CLD: nested });
    assert.equal(fields[column('CLD')], '');
    assert.match(fields[PROBLEMS], /CLD is nested too deeply to write as JSON/);
  });
});

describe('JSON Lines', () => {
  /** Records with values that break naive line-based readers. */
  function hostileRecords(): unknown[] {
    const records: unknown[] = HOSTILE_TEXT.map((text, index) => ({
      ...sampleRecord(),
      i_cdr: String(index),
      CLI: text,
    }));
    records.push(
      { i_cdr: 'separators', CLI: 'a\u2028b\u2029c\u0085d' },
      { i_cdr: 'surrogate', CLI: 'lone \uD800 high and \uDC00 low' },
      { i_cdr: 'controls', CLI: '\u0000\u0001\u000b\u000c\u001c\u001d\u001e\u007f' },
      { i_cdr: 'numbers', big: 1e21, small: 5e-324, price: 0.0123, negative: -1 },
      { i_cdr: 'nested', extra: { list: [null, true, { deep: '"' }] } },
      { i_cdr: 'long', CLI: 'y'.repeat(1024 * 1024) },
      42,
      'a bare string',
      null,
      [],
    );
    return records;
  }

  it('each line parses back exactly', () => {
    const records = hostileRecords();
    const text = records.map((record) => jsonLine(record)).join('');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', 'the file does not end with LF');
    assert.equal(lines.length, records.length);
    for (const [index, line] of lines.entries()) {
      assert.deepEqual(JSON.parse(line), records[index], `line ${index + 1}`);
    }
  });

  it('lines contain no other line breaks', () => {
    const text = hostileRecords()
      .map((record) => jsonLine(record))
      .join('');
    // Python's str.splitlines() also splits at these characters.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here.
    assert.doesNotMatch(text, /[\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/);
  });

  it('lines match JSON.stringify', () => {
    const record = sampleRecord();
    assert.equal(jsonLine(record), `${JSON.stringify(record)}\n`);
  });

  it('deep nesting throws a RangeError', () => {
    let nested: unknown = 'bottom';
    for (let depth = 0; depth < 20_000; depth++) {
      nested = [nested];
    }
    assert.throws(() => jsonLine({ CLD: nested }), RangeError);
  });
});

describe('export target', () => {
  it('default name has UTC minutes', () => {
    const now = new Date(Date.UTC(2026, 11, 4, 12, 0, 59));
    assert.equal(defaultExportName(now, 'csv'), 'tcxc-cdrs-2026-12-04T1200Z.csv');
    assert.equal(defaultExportName(now, 'jsonl'), 'tcxc-cdrs-2026-12-04T1200Z.jsonl');
  });

  it('file extension picks the format', () => {
    assert.equal(formatOfFile('/tmp/a.jsonl'), 'jsonl');
    assert.equal(formatOfFile('/tmp/a.NDJSON'), 'jsonl');
    assert.equal(formatOfFile('/tmp/a.csv'), 'csv');
    assert.equal(formatOfFile('/tmp/a.txt'), 'csv');
    assert.equal(formatOfFile('/tmp/a'), 'csv');
  });

  it('argument is validated', () => {
    const file = path.join(os.tmpdir(), 'cdrs.csv');
    assert.deepEqual(parseExportTarget({ file, format: 'csv' }), { file, format: 'csv' });
    const invalid: [unknown, RegExp][] = [
      [undefined, /expected an object/],
      [null, /expected an object/],
      ['cdrs.csv', /expected an object/],
      [{ format: 'csv' }, /Invalid export file undefined/],
      [{ file: 'relative.csv', format: 'csv' }, /expected an absolute path/],
      [{ file: '', format: 'csv' }, /expected an absolute path/],
      [{ file, format: 'xlsx' }, /Invalid export format "xlsx"/],
      [{ file }, /Invalid export format undefined/],
      [{ file: partialFileOf(file), format: 'csv' }, /reserved/],
    ];
    for (const [value, message] of invalid) {
      assert.throws(() => parseExportTarget(value), message, JSON.stringify(value));
    }
  });
});

/** Deterministic pseudo-random whole numbers below `limit` (a linear congruential generator). */
function pseudoRandom(seed: number, limit: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

describe('export key set', () => {
  it('whole numbers behave as a Set', () => {
    const thousands = pseudoRandom(2, 50_000);
    const multiplesOf1000 = (): number => thousands() * 1000;
    const cases: [string, () => number][] = [
      ['dense', pseudoRandom(1, 200_000)],
      ['every 1000th', multiplesOf1000],
      ['sparse', pseudoRandom(3, Number.MAX_SAFE_INTEGER)],
      ['one span', pseudoRandom(4, 65_536)],
    ];
    for (const [name, next] of cases) {
      const set = new WholeNumberSet();
      const expected = new Set<number>();
      for (let i = 0; i < 50_000; i++) {
        const value = next();
        assert.equal(set.add(value), !expected.has(value), `${name}: add(${value})`);
        expected.add(value);
      }
      assert.equal(set.size, expected.size, `${name}: size`);
      for (const value of expected) {
        assert.ok(set.has(value), `${name}: has(${value})`);
      }
      for (let i = 0; i < 10_000; i++) {
        const value = next();
        assert.equal(set.has(value), expected.has(value), `${name}: has(${value}) of a new value`);
      }
    }
  });

  it('full span turns into a bitmap', () => {
    const set = new WholeNumberSet();
    // Descending, as ids arrive newest first, and past the sorted array's limit.
    for (let value = 3 * 65_536 + 4000; value >= 3 * 65_536; value -= 2) {
      assert.ok(set.add(value), `add(${value})`);
    }
    assert.equal(set.size, 2001);
    for (let value = 3 * 65_536 - 1; value <= 3 * 65_536 + 4001; value++) {
      const member = value >= 3 * 65_536 && value <= 3 * 65_536 + 4000 && value % 2 === 0;
      assert.equal(set.has(value), member, `has(${value})`);
      assert.equal(set.add(value), !member, `add(${value}) again`);
    }
  });

  it('span edges stay apart', () => {
    const set = new WholeNumberSet();
    const edges = [0, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (const value of edges) {
      assert.ok(set.add(value), `add(${value})`);
    }
    for (const value of edges) {
      assert.ok(!set.add(value), `add(${value}) again`);
    }
    for (const value of [1, 65_534, 65_537, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER - 1]) {
      assert.ok(!set.has(value), `has(${value})`);
    }
    assert.equal(set.size, edges.length);
  });

  it('invalid members are rejected', () => {
    const set = new WholeNumberSet();
    for (const value of [-1, 1.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => set.add(value), RangeError, `add(${value})`);
      assert.ok(!set.has(value), `has(${value})`);
    }
    assert.equal(set.size, 0);
  });

  it('only canonical ids become numbers', () => {
    const cases: [string, number | undefined][] = [
      ['0', 0],
      ['7', 7],
      ['1234567', 1_234_567],
      ['9007199254740991', Number.MAX_SAFE_INTEGER],
      ['9007199254740992', undefined],
      ['9007199254740993', undefined],
      ['99999999999999999', undefined],
      ['07', undefined],
      ['00', undefined],
      ['7.0', undefined],
      ['-7', undefined],
      ['+7', undefined],
      ['1e3', undefined],
      [' 7', undefined],
      ['', undefined],
      ['A-7', undefined],
    ];
    for (const [text, expected] of cases) {
      assert.equal(canonicalWholeNumber(text), expected, JSON.stringify(text));
    }
  });

  it('record keys follow Cdr.key', () => {
    const keys = new RecordKeySet();
    const add = (value: unknown): boolean => keys.add(toCdr(value));
    assert.ok(add({ i_cdr: '7', CLD: 'a' }));
    // The same i_cdr text is the same record, whatever else differs.
    assert.ok(!add({ i_cdr: '7', CLD: 'b' }));
    assert.ok(!add({ i_cdr: 7 }));
    assert.ok(!add({ i_cdr: ' 7 ' }));
    // Other texts are other records, even those that read as the same number.
    assert.ok(add({ i_cdr: '07' }));
    assert.ok(!add({ i_cdr: '07' }));
    assert.ok(add({ i_cdr: 'A-7' }));
    assert.ok(!add({ i_cdr: 'A-7', CLD: 'c' }));
    assert.ok(add({ i_cdr: '9007199254740992' }));
    assert.ok(add({ i_cdr: '9007199254740993' }));
    assert.ok(!add({ i_cdr: '9007199254740993' }));
    // Without a usable i_cdr, the whole content is the key.
    assert.ok(add({ CLD: '4420', note: 'no i_cdr' }));
    assert.ok(!add({ CLD: '4420', note: 'no i_cdr' }));
    assert.ok(add({ CLD: '4421', note: 'no i_cdr' }));
    assert.ok(add({ i_cdr: '', CLD: '4420' }));
    // A JSON number above 2^53 may have lost digits, so its record is keyed by content too.
    assert.ok(add({ i_cdr: 2 ** 53 + 2, CLD: '4420' }));
    assert.ok(!add({ i_cdr: 2 ** 53 + 2, CLD: '4420' }));
    assert.ok(add({ i_cdr: 2 ** 53 + 2, CLD: '4421' }));
    assert.equal(keys.size, 10);
  });
});

/** Makes an empty temporary folder and returns its path. */
function makeFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tcxc-export-'));
}

/** Runs an export that must fail and returns its error. */
async function failedExport(options: ExportOptions): Promise<unknown> {
  return exportCdrs(options).then(
    () => assert.fail('the export succeeded'),
    (error: unknown) => error,
  );
}

describe('exportCdrs against emulator', () => {
  let emulator: RunningEmulator;
  let client: TcxcClient;
  let folder: string;

  before(async () => {
    emulator = await startEmulator({
      dataset: { seed: 11, count: 600, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    client = new TcxcClient({
      endpoint: emulator.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
    });
  });

  beforeEach(() => {
    folder = makeFolder();
    emulator.clearFaults();
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  after(async () => {
    await client.dispose();
    await emulator.close();
  });

  it('JSON Lines match a direct fetch', async () => {
    const file = path.join(folder, 'cdrs.jsonl');
    const requestsBefore = emulator.requestCount;
    const progress: { records: number; pages: number }[] = [];
    const result = await exportCdrs({
      source: client,
      query: QUERY,
      pageSize: PAGE_SIZE,
      format: 'jsonl',
      file,
      onProgress: (step) => progress.push(step),
    });
    const exportRequests = emulator.requestCount - requestsBefore;
    const expected = (await client.fetchPage(QUERY)).records;
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '');

    assert.ok(expected.length > 3 * PAGE_SIZE, `only ${expected.length} records in range`);
    assert.equal(lines.length, expected.length);
    for (const [index, line] of lines.entries()) {
      assert.deepEqual(JSON.parse(line), expected[index], `record ${index + 1}`);
    }
    const ids = lines.map((line) => (JSON.parse(line) as { i_cdr: string }).i_cdr);
    assert.equal(new Set(ids).size, ids.length, 'a record was written twice');
    assert.deepEqual(result, { records: expected.length, pages: progress.length, file });
    assert.equal(result.pages, Math.floor(expected.length / PAGE_SIZE) + 1);
    assert.equal(exportRequests, result.pages);
    assert.deepEqual(progress.at(-1), { records: expected.length, pages: result.pages });
    assert.deepEqual(fs.readdirSync(folder), ['cdrs.jsonl']);
  });

  it('CSV matches a direct fetch', async () => {
    const file = path.join(folder, 'failed.csv');
    const query: FixedQuery = { ...QUERY, show: 'bad' };
    const result = await exportCdrs({
      source: client,
      query,
      pageSize: PAGE_SIZE,
      format: 'csv',
      file,
    });
    const expected = (await client.fetchPage(query)).records;
    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));

    assert.ok(expected.length > 2 * PAGE_SIZE, `only ${expected.length} failed calls in range`);
    assert.deepEqual(header, CSV_HEADERS);
    assert.equal(rows.length, expected.length);
    for (const [index, row] of rows.entries()) {
      assert.deepEqual(row, csvRecordFields(expected[index]), `record ${index + 1}`);
    }
    const ids = rows.map((row) => row[column('i_cdr')]);
    assert.equal(new Set(ids).size, ids.length, 'a record was written twice');
    assert.equal(result.records, expected.length);
  });

  it('cancel after page 2 leaves no file', async () => {
    const file = path.join(folder, 'cancelled.csv');
    const abort = new AbortController();
    const requestsBefore = emulator.requestCount;
    const error = await failedExport({
      source: client,
      query: QUERY,
      pageSize: PAGE_SIZE,
      format: 'csv',
      file,
      signal: abort.signal,
      onProgress: ({ pages }) => {
        if (pages === 2) {
          abort.abort();
        }
      },
    });
    assert.ok(error instanceof CancelledError, `rejected with ${String(error)}`);
    assert.equal(emulator.requestCount - requestsBefore, 2);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('failure on page 3 names it', async () => {
    const file = path.join(folder, 'failed.jsonl');
    const error = await failedExport({
      source: client,
      query: QUERY,
      pageSize: PAGE_SIZE,
      format: 'jsonl',
      file,
      onProgress: ({ pages }) => {
        if (pages === 2) {
          emulator.injectFaults({ type: 'apiStatus', status: 'error', message: 'Database down' });
        }
      },
    });
    assert.ok(error instanceof ExportError, `rejected with ${String(error)}`);
    assert.equal(error.page, 3);
    assert.equal(error.recordsBefore, 2 * PAGE_SIZE);
    assert.match(error.message, /^Page 3 \(offset 74\) failed: .*Database down/);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('failed export keeps an existing file', async () => {
    const file = path.join(folder, 'existing.csv');
    fs.writeFileSync(file, 'previous export\r\n');
    const earlier = new Date(NOW - 86_400_000);
    fs.utimesSync(file, earlier, earlier);
    const error = await failedExport({
      source: client,
      query: QUERY,
      pageSize: PAGE_SIZE,
      format: 'csv',
      file,
      onProgress: ({ pages }) => {
        if (pages === 2) {
          emulator.injectFaults({ type: 'apiStatus', status: 'error' });
        }
      },
    });
    assert.ok(error instanceof ExportError, `rejected with ${String(error)}`);
    assert.equal(fs.readFileSync(file, 'utf8'), 'previous export\r\n');
    assert.equal(fs.statSync(file).mtimeMs, earlier.getTime());
    assert.deepEqual(fs.readdirSync(folder), ['existing.csv']);
  });

  it('successful export replaces a file', async () => {
    const file = path.join(folder, 'existing.csv');
    fs.writeFileSync(file, 'previous export\r\n');
    const result = await exportCdrs({
      source: client,
      query: QUERY,
      pageSize: 200,
      format: 'csv',
      file,
    });
    const rows = parseCsv(fs.readFileSync(file, 'utf8'));
    assert.equal(rows.length, result.records + 1);
    assert.deepEqual(fs.readdirSync(folder), ['existing.csv']);
  });

  it('calls arriving mid-export are written once', async () => {
    const busy = await startEmulator({
      dataset: { seed: 12, count: 300, days: 3 },
      now: () => NOW,
      rateLimit: { perSecond: 0, perHour: 0 },
    });
    const busyClient = new TcxcClient({
      endpoint: busy.endpoint,
      credentials: { login: DEMO_LOGIN, apiKey: DEMO_API_KEY },
      now: () => NOW,
    });
    try {
      const before = (await busyClient.fetchPage(QUERY)).records as { i_cdr: string }[];
      // Calls that arrive after pages 1, 2 and 3. Page 3 then brings 1 new record and 36 repeats.
      const arrivals = [5, PAGE_SIZE - 1, 3];
      let nextId = 900_001;
      const file = path.join(folder, 'busy.jsonl');
      const result = await exportCdrs({
        source: busyClient,
        query: QUERY,
        pageSize: PAGE_SIZE,
        format: 'jsonl',
        file,
        onProgress: ({ pages }) => {
          // Newer calls go before every record written so far, so the next page starts with
          // records that were already written.
          const count = arrivals[pages - 1] ?? 0;
          if (count > 0) {
            const start = new Date(NOW - 60_000);
            busy.addCdrs(
              generateCdrs({ seed: pages, count, start, end: new Date(NOW), firstId: nextId }),
            );
            nextId += count;
          }
        },
      });
      const ids = fs
        .readFileSync(file, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { i_cdr: string }).i_cdr);

      assert.ok(before.length > 3 * PAGE_SIZE, `only ${before.length} records in range`);
      assert.equal(new Set(ids).size, ids.length, 'a record was written twice');
      assert.deepEqual(
        ids,
        before.map((record) => record.i_cdr),
      );
      assert.equal(result.records, before.length);
      // Every shifted page was requested, so the repeated records were received.
      const shifted = before.length + arrivals.reduce((sum, count) => sum + count, 0);
      assert.equal(result.pages, Math.floor(shifted / PAGE_SIZE) + 1);
    } finally {
      await busyClient.dispose();
      await busy.close();
    }
  });

  it('missing folder fails before requests', async () => {
    const file = path.join(folder, 'no-such-folder', 'cdrs.csv');
    const requestsBefore = emulator.requestCount;
    const error = await failedExport({
      source: client,
      query: QUERY,
      pageSize: PAGE_SIZE,
      format: 'csv',
      file,
    });
    assert.ok(error instanceof ExportError, `rejected with ${String(error)}`);
    assert.equal(error.page, undefined);
    assert.match(error.message, /^Creating .*cdrs\.csv\.partial failed: ENOENT/);
    assert.equal(emulator.requestCount, requestsBefore);
    assert.deepEqual(fs.readdirSync(folder), []);
  });
});

/** A page source that serves the pages of a script in order, whatever the window. */
class ScriptedSource implements PageSource {
  readonly windows: PageWindow[] = [];

  constructor(private readonly pages: unknown[][]) {}

  fetchPage(_query: FixedQuery, window: PageWindow): Promise<RawPage> {
    this.windows.push(window);
    const records = this.pages[this.windows.length - 1] ?? [];
    return Promise.resolve({ records, window, elapsedMs: 0 });
  }
}

function records(...ids: number[]): Record<string, unknown>[] {
  return ids.map((id) => ({ ...sampleRecord(), i_cdr: String(id) }));
}

describe('exportCdrs paging', () => {
  let folder: string;

  beforeEach(() => {
    folder = makeFolder();
  });

  afterEach(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('repeated records are written once', async () => {
    const noId = { CLD: '4420', note: 'no i_cdr' };
    const source = new ScriptedSource([
      [...records(1, 2, 3), noId],
      [...records(3, 4, 5), { ...noId }],
      records(6),
    ]);
    const file = path.join(folder, 'cdrs.jsonl');
    const result = await exportCdrs({ source, query: QUERY, pageSize: 4, format: 'jsonl', file });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const ids = lines.map((line) => (JSON.parse(line) as { i_cdr?: string }).i_cdr ?? 'none');

    assert.deepEqual(ids, ['1', '2', '3', 'none', '4', '5', '6']);
    assert.deepEqual(result, { records: 7, pages: 3, file });
    assert.deepEqual(
      source.windows.map((window) => window.offset),
      [0, 4, 8],
    );
  });

  it('repeats pages later are written once', async () => {
    const noId = { CLD: '4420', note: 'no i_cdr' };
    const named = { ...sampleRecord(), i_cdr: 'A-1' };
    const source = new ScriptedSource([
      [...records(10, 9), named, noId],
      records(8, 7, 6, 5),
      records(4, 3, 2, 1),
      // Records of the first page again, as after more than two pages of new calls.
      [{ ...noId }, ...records(10), { ...named }, ...records(0)],
    ]);
    const file = path.join(folder, 'cdrs.jsonl');
    const result = await exportCdrs({ source, query: QUERY, pageSize: 4, format: 'jsonl', file });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    const ids = lines.map((line) => (JSON.parse(line) as { i_cdr?: string }).i_cdr ?? 'none');

    assert.deepEqual(ids, ['10', '9', 'A-1', 'none', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    assert.deepEqual(result, { records: 13, pages: 5, file });
  });

  it('write failure names the page', async function () {
    if (!fs.existsSync('/dev/full')) {
      this.skip();
    }
    const file = path.join(folder, 'cdrs.csv');
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    fs.symlinkSync('/dev/full', partialFileOf(file));
    const many = Array.from({ length: 100 }, (_, index) => index + 1);
    const source = new ScriptedSource([records(...many), records(...many.map((id) => id + 100))]);
    const error = await failedExport({ source, query: QUERY, pageSize: 100, format: 'csv', file });
    assert.ok(error instanceof ExportError, `rejected with ${String(error)}`);
    assert.equal(error.page, 1);
    assert.equal(error.recordsBefore, 0);
    assert.match(error.message, /^Writing page 1 to .*cdrs\.csv\.partial failed: .*ENOSPC/);
    assert.equal(source.windows.length, 1);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('page of repeats stops the export', async () => {
    const source = new ScriptedSource([records(1, 2), records(1, 2), records(1, 2)]);
    const file = path.join(folder, 'cdrs.csv');
    const error = await failedExport({ source, query: QUERY, pageSize: 2, format: 'csv', file });
    assert.ok(error instanceof ExportError, `rejected with ${String(error)}`);
    assert.equal(error.page, 2);
    assert.match(error.message, /ignoring the offset/);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('empty query writes the header', async () => {
    const csvFile = path.join(folder, 'empty.csv');
    const jsonlFile = path.join(folder, 'empty.jsonl');
    const options = { source: new ScriptedSource([]), query: QUERY, pageSize: 10 };
    const csv = await exportCdrs({ ...options, format: 'csv', file: csvFile });
    const jsonl = await exportCdrs({ ...options, format: 'jsonl', file: jsonlFile });

    assert.equal(fs.readFileSync(csvFile, 'utf8'), csvHeaderLine());
    assert.equal(fs.readFileSync(jsonlFile, 'utf8'), '');
    assert.deepEqual([csv.records, csv.pages], [0, 1]);
    assert.deepEqual([jsonl.records, jsonl.pages], [0, 1]);
  });

  it('cancel stops before the next page', async () => {
    const source = new ScriptedSource([records(1, 2), records(3, 4), records(5, 6), records(7)]);
    const file = path.join(folder, 'cdrs.csv');
    const abort = new AbortController();
    const seen: string[][] = [];
    const error = await failedExport({
      source,
      query: QUERY,
      pageSize: 2,
      format: 'csv',
      file,
      signal: abort.signal,
      onProgress: ({ pages }) => {
        seen.push(fs.readdirSync(folder));
        if (pages === 2) {
          abort.abort();
        }
      },
    });
    assert.ok(error instanceof CancelledError, `rejected with ${String(error)}`);
    // ScriptedSource ignores the signal, so only the exporter's own check stops page 3.
    assert.equal(source.windows.length, 2);
    assert.deepEqual(seen, [['cdrs.csv.partial'], ['cdrs.csv.partial']]);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('source failure after cancel is a cancellation', async () => {
    const abort = new AbortController();
    const source: PageSource = {
      fetchPage: () => {
        abort.abort();
        return Promise.reject(new Error('socket closed'));
      },
    };
    const file = path.join(folder, 'cdrs.csv');
    const error = await failedExport({
      source,
      query: QUERY,
      pageSize: 10,
      format: 'csv',
      file,
      signal: abort.signal,
    });
    assert.ok(error instanceof CancelledError, `rejected with ${String(error)}`);
    assert.deepEqual(fs.readdirSync(folder), []);
  });

  it('invalid options fail before writing', async () => {
    const file = path.join(folder, 'cdrs.csv');
    const source = new ScriptedSource([]);
    const base = { source, query: QUERY, pageSize: 10, format: 'csv' as const, file };
    await assert.rejects(exportCdrs({ ...base, pageSize: 0 }), /Invalid page size 0/);
    await assert.rejects(exportCdrs({ ...base, pageSize: 1.5 }), /Invalid page size 1.5/);
    await assert.rejects(
      exportCdrs({ ...base, format: 'xlsx' as 'csv' }),
      /Invalid export format xlsx/,
    );
    await assert.rejects(
      exportCdrs({ ...base, query: { ...QUERY, dateTo: new Date(Number.NaN) } }),
      /dateTo/,
    );
    assert.deepEqual(fs.readdirSync(folder), []);
    assert.equal(source.windows.length, 0);
  });

  it('many pages stream to disk', async function () {
    this.timeout(120_000);
    const template = generateCdrs({
      seed: 9,
      count: 1000,
      start: new Date(NOW - 86_400_000),
      end: new Date(NOW),
    });
    const pageSize = 5000;
    const total = 200_000;
    const heapAfterPage: number[] = [];
    // Generates each page on request, so the test itself keeps one page at a time.
    const source: PageSource = {
      fetchPage: (_query, window) => {
        const count = Math.max(0, Math.min(window.pageSize, total - window.offset));
        const page = Array.from({ length: count }, (_, index) => ({
          ...template[(window.offset + index) % template.length],
          i_cdr: String(window.offset + index + 1),
        }));
        return Promise.resolve({ records: page, window, elapsedMs: 0 });
      },
    };
    const file = path.join(folder, 'many.csv');
    const result = await exportCdrs({
      source,
      query: QUERY,
      pageSize,
      format: 'csv',
      file,
      onProgress: () => heapAfterPage.push(process.memoryUsage().heapUsed),
    });

    // The generated records contain no line break, so each LF ends one CSV line.
    let lineEnds = 0;
    for await (const chunk of fs.createReadStream(file, { encoding: 'utf8' })) {
      lineEnds += (chunk as string).split('\n').length - 1;
    }
    const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
    console.log(
      `      ${result.records} records in ${result.pages} pages, file ` +
        `${megabytes(fs.statSync(file).size)}; heap after page 1 ` +
        `${megabytes(heapAfterPage[0])}, max ${megabytes(Math.max(...heapAfterPage))}, last ` +
        `${megabytes(heapAfterPage.at(-1) ?? 0)}`,
    );
    assert.equal(result.records, total);
    assert.equal(result.pages, total / pageSize + 1);
    assert.equal(lineEnds, total + 1);
  });
});
