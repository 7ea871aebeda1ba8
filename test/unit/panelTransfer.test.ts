import * as assert from 'node:assert/strict';
import { generateCdrs } from '../../src/emulator/dataset';
import { toCdr } from '../../src/model/cdr';
import { MalformedColumnsError, decodeRows, encodeRows } from '../../src/panel/columns';
import type { ColumnId, PanelRow, RowColumns, SortOrder } from '../../src/panel/protocol';
import { toPanelRow } from '../../src/panel/rows';
import { OutgoingRows, splitFirstRows } from '../../src/panel/transfer';
import { panelRow as row } from './panelFixtures';

function emulatorRows(count: number, seed = 8): PanelRow[] {
  return generateCdrs({
    seed,
    count,
    start: new Date('2026-03-01T00:00:00Z'),
    end: new Date('2026-03-04T00:00:00Z'),
  }).map((record) => toPanelRow(toCdr(record)));
}

/** Rows with every kind of value a field can hold, from the edges of what a record gives. */
const unusualRows: PanelRow[] = [
  row({
    key: 'content:{"CLD":"x"}',
    id: '',
    time: null,
    cli: '',
    cld: '',
    callId: '',
    country: '',
    vendor: '',
    answered: false,
    duration: null,
    billed: null,
    amountMicros: null,
    code: null,
    reason: '',
    charge: 'unknown',
    problems: 3,
  }),
  row({
    key: 'i_cdr:2',
    id: '2',
    cli: '\u202E4470\u0000',
    cld: 'línea 😀 \uD800',
    callId: 'a\nb\r\tc"\\',
    country: 'Côte d’Ivoire',
    vendor: '\u2067Telia\u2069',
    reason: 'User busy 忙',
    charge: 'mismatch',
    amountMicros: -Number.MAX_SAFE_INTEGER,
    duration: 0,
    time: 0,
  }),
  row({ key: 'i_cdr:3', id: '3', amountMicros: Number.MAX_SAFE_INTEGER, code: 127 }),
  row({ key: `content:${'x'.repeat(70_000)}`, id: '' }),
];

/**
 * Sends a message through JSON as VS Code does for a webview: each typed array leaves the JSON
 * text for a binary copy, and comes back over that copy. Returns the message and the number of
 * JSON values the text held.
 */
function throughWebviewChannel<T>(message: T): { message: T; values: number } {
  const binary: ArrayBufferView[] = [];
  const text = JSON.stringify(message, (_key, value: unknown) => {
    if (ArrayBuffer.isView(value)) {
      binary.push(value);
      return { $typedArray: binary.length - 1 };
    }
    return value;
  });
  let values = 0;
  const parsed = JSON.parse(text, (_key, value: unknown) => {
    values++;
    const reference = value as { $typedArray?: number } | null;
    if (typeof reference?.$typedArray === 'number') {
      const original = binary[reference.$typedArray] as unknown as {
        constructor: new (buffer: ArrayBuffer) => unknown;
        buffer: ArrayBuffer;
        byteOffset: number;
        byteLength: number;
      };
      const copy = original.buffer.slice(
        original.byteOffset,
        original.byteOffset + original.byteLength,
      );
      return new original.constructor(copy);
    }
    return value;
  }) as T;
  return { message: parsed, values };
}

describe('row columns', () => {
  it('decode to the rows they encode', () => {
    const rows = [...emulatorRows(500), ...unusualRows];
    assert.deepEqual(decodeRows(encodeRows(rows)), rows);
  });

  it('survive the webview channel', () => {
    const rows = [...emulatorRows(300), ...unusualRows];
    const { message } = throughWebviewChannel({ type: 'moreRows', rows: encodeRows(rows) });
    assert.deepEqual(decodeRows(message.rows), rows);
  });

  it('hold as many JSON values for 2,000 rows as for 20', () => {
    // The cost of sending grows with the values in the JSON text, not with the binary data.
    // Columns of repeating text list each distinct value once, and their count is bounded.
    const choices = (columns: RowColumns) =>
      columns.country.values.length + columns.vendor.values.length + columns.reason.values.length;
    const small = encodeRows(emulatorRows(20));
    const large = encodeRows(emulatorRows(2000));
    const smallValues = throughWebviewChannel(small).values - choices(small);
    const largeValues = throughWebviewChannel(large).values - choices(large);
    assert.equal(largeValues, smallValues);
    assert.ok(smallValues < 100, `${smallValues} JSON values`);
  });

  it('encode no rows', () => {
    const columns = encodeRows([]);
    assert.equal(columns.count, 0);
    assert.deepEqual(decodeRows(columns), []);
  });

  it('list each repeated text once', () => {
    const rows = emulatorRows(1000);
    const columns = encodeRows(rows);
    assert.deepEqual(
      [...columns.vendor.values].sort(),
      [...new Set(rows.map((r) => r.vendor))].sort(),
    );
    assert.equal(columns.key.text, rows.map((r) => r.key).join(''));
  });

  const broken: [string, (columns: RowColumns) => RowColumns][] = [
    ['a count that is not a whole number', (c) => ({ ...c, count: 1.5 })],
    ['a negative count', (c) => ({ ...c, count: -1 })],
    ['a short number column', (c) => ({ ...c, amountMicros: c.amountMicros.slice(1) })],
    ['a missing column', (c) => ({ ...c, time: undefined as unknown as Float64Array })],
    ['text longer than its lengths', (c) => ({ ...c, cli: { ...c.cli, text: `${c.cli.text}x` } })],
    [
      'text shorter than its lengths',
      (c) => ({ ...c, cld: { ...c.cld, text: c.cld.text.slice(1) } }),
    ],
    [
      'an index past the listed values',
      (c) => ({ ...c, vendor: { values: c.vendor.values.slice(0, 1), index: c.vendor.index } }),
    ],
    ['choices without a list', (c) => ({ ...c, reason: { ...c.reason, values: 'x' as never } })],
  ];
  for (const [name, breakColumns] of broken) {
    it(`refuse ${name}`, () => {
      const columns = breakColumns(encodeRows(emulatorRows(50)));
      assert.throws(() => decodeRows(columns), MalformedColumnsError);
    });
  }
});

/** Sorts rows with an independent comparison: one field, missing values last, ties by key. */
function sortedBy(rows: readonly PanelRow[], sort: SortOrder): PanelRow[] {
  const value = (entry: PanelRow): number | string | null => {
    switch (sort.column) {
      case 'time':
        return entry.time;
      case 'duration':
        return entry.duration;
      case 'amount':
        return entry.amountMicros;
      case 'vendor':
        return entry.vendor === '' ? null : entry.vendor.toLowerCase();
      default:
        throw new Error(`no expectation for ${sort.column}`);
    }
  };
  const sign = sort.descending ? -1 : 1;
  const keyOrder = (a: PanelRow, b: PanelRow): number => {
    if (a.key.length !== b.key.length) {
      return sign * (a.key.length - b.key.length);
    }
    if (a.key === b.key) {
      return 0;
    }
    return a.key < b.key ? -sign : sign;
  };
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) {
      return x === y ? keyOrder(a, b) : x === null ? 1 : -1;
    }
    if (x === y) {
      return keyOrder(a, b);
    }
    return sign * (x < y ? -1 : 1);
  });
}

describe('splitting a snapshot', () => {
  const rows = emulatorRows(3000, 11);
  // Some rows without an amount or a time, which sort last either way.
  rows[10] = { ...rows[10], amountMicros: null, time: null };
  rows[2000] = { ...rows[2000], amountMicros: null, duration: null };

  const orders: [ColumnId, boolean][] = [
    ['time', true],
    ['time', false],
    ['amount', true],
    ['amount', false],
    ['duration', true],
    ['vendor', false],
  ];
  for (const [column, descending] of orders) {
    it(`picks the first rows by ${column}, ${descending ? 'descending' : 'ascending'}`, () => {
      const sort = { column, descending };
      const { first, rest } = splitFirstRows(rows, 250, sort);
      const expected = sortedBy(rows, sort);
      if (column === 'vendor') {
        // The table compares text with a collator, so compare the vendors only.
        assert.deepEqual(
          first.map((entry) => entry.vendor),
          expected.slice(0, 250).map((entry) => entry.vendor),
        );
      } else {
        assert.deepEqual(first, expected.slice(0, 250));
      }
      const picked = new Set(first);
      assert.deepEqual(
        rest,
        rows.filter((entry) => !picked.has(entry)),
      );
    });
  }

  it('adds a row that the first part must hold', () => {
    const oldest = sortedBy(rows, { column: 'time', descending: true }).at(-1);
    assert.ok(oldest);
    const { first, rest } = splitFirstRows(
      rows,
      100,
      { column: 'time', descending: true },
      oldest.key,
    );
    assert.equal(first.length, 101);
    assert.equal(first.at(-1), oldest);
    assert.equal(rest.length, rows.length - 101);
    assert.ok(!rest.includes(oldest));
  });

  it('puts every row in the first part when they fit', () => {
    const few = rows.slice(0, 40);
    const { first, rest } = splitFirstRows(few, 40, { column: 'amount', descending: true });
    assert.deepEqual(first, sortedBy(few, { column: 'amount', descending: true }));
    assert.deepEqual(rest, []);
  });
});

describe('OutgoingRows', () => {
  const rows = emulatorRows(2345, 12);

  it('sends every row once, part by part', () => {
    const outgoing = new OutgoingRows(7, rows, { firstRows: 300, partRows: 1000 });
    assert.equal(outgoing.first.rows.count, 300);
    assert.deepEqual(outgoing.first.transfer, { id: 7, remaining: 2045 });
    const parts = [];
    for (let part = outgoing.next(); part !== undefined; part = outgoing.next()) {
      parts.push(part);
    }
    assert.deepEqual(
      parts.map((part) => [part.rows.count, part.transfer.id, part.transfer.remaining]),
      [
        [1000, 7, 1045],
        [1000, 7, 45],
        [45, 7, 0],
      ],
    );
    assert.equal(outgoing.done, true);
    assert.equal(outgoing.next(), undefined);
    const received = [outgoing.first, ...parts].flatMap((part) => decodeRows(part.rows));
    assert.deepEqual(
      received.map((entry) => entry.key).sort(),
      rows.map((entry) => entry.key).sort(),
    );
    // The first part is the newest rows, the table's default order.
    const newest = sortedBy(rows, { column: 'time', descending: true }).slice(0, 300);
    assert.deepEqual(decodeRows(outgoing.first.rows), newest);
  });

  it('is done at once when the first part holds every row', () => {
    const outgoing = new OutgoingRows(1, rows.slice(0, 20));
    assert.equal(outgoing.first.transfer.remaining, 0);
    assert.equal(outgoing.done, true);
    assert.equal(outgoing.next(), undefined);
  });

  it('refuses parts of no rows', () => {
    assert.throws(() => new OutgoingRows(1, rows, { partRows: 0 }), RangeError);
    assert.throws(() => new OutgoingRows(1, rows, { firstRows: 0.5 }), RangeError);
  });
});
