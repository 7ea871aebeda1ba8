import assert from 'node:assert/strict';
import { Cdr, UNKNOWN_DATE, toCdr } from '../../src/model/cdr';
import { CdrCollection, totalsOf } from '../../src/model/grouping';

/** Builds a call record that connected at `connectTime` (API format, UTC). */
function call(iCdr: string, connectTime: string | null, amount = '0.000000', duration = '60'): Cdr {
  return toCdr({
    i_cdr: iCdr,
    CLD: '441234567890',
    CLI: '18552334464',
    call_id: `call-${iCdr}`,
    duration,
    billed_duration: duration,
    connect_time: connectTime,
    disconnect_time: connectTime,
    setup_time: connectTime,
    billing_prefix: '44',
    billing_price_1: 0.01,
    billing_price_n: 0.01,
    billing_interval_1: '1',
    billing_interval_n: '1',
    customer_amount: amount,
    disconnect_code: '16',
  });
}

function keysOf(cdrs: readonly Cdr[]): (string | undefined)[] {
  return cdrs.map((cdr) => cdr.iCdr);
}

describe('CdrCollection dates', () => {
  const savedTimeZone = process.env.TZ;

  afterEach(() => {
    if (savedTimeZone === undefined) {
      delete process.env.TZ;
    } else {
      process.env.TZ = savedTimeZone;
    }
  });

  for (const timeZone of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
    it(`splits midnight UTC in ${timeZone}`, () => {
      process.env.TZ = timeZone;
      const collection = new CdrCollection();
      collection.add([call('1', '2024-03-01 23:59:59'), call('2', '2024-03-02 00:00:00')]);

      assert.deepEqual(collection.dates(), ['2024-03-02', '2024-03-01']);
      assert.deepEqual(keysOf(collection.group('2024-03-01')?.cdrs ?? []), ['1']);
      assert.deepEqual(keysOf(collection.group('2024-03-02')?.cdrs ?? []), ['2']);
    });
  }

  it('sorts dates newest first', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2023-12-31 10:00:00'),
      call('2', '2024-02-10 10:00:00'),
      call('3', '2024-01-15 10:00:00'),
    ]);

    assert.deepEqual(collection.dates(), ['2024-02-10', '2024-01-15', '2023-12-31']);
  });

  it('sorts unknown date last', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 10:00:00'),
      call('2', null),
      call('3', '2024-01-02 10:00:00'),
    ]);

    assert.deepEqual(collection.dates(), ['2024-01-02', '2024-01-01', UNKNOWN_DATE]);
  });

  it('lists all records newest date first', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 10:00:00'),
      call('2', null),
      call('3', '2024-01-02 09:00:00'),
      call('4', '2024-01-02 11:00:00'),
    ]);

    assert.deepEqual(keysOf(collection.all()), ['4', '3', '1', '2']);
  });

  it('returns undefined for absent date', () => {
    assert.equal(new CdrCollection().group('2024-01-01'), undefined);
  });
});

describe('CdrCollection group order', () => {
  it('sorts group newest call first', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 10:00:00'),
      call('2', '2024-01-01 12:00:00'),
      call('3', '2024-01-01 11:00:00'),
    ]);

    assert.deepEqual(keysOf(collection.group('2024-01-01')?.cdrs ?? []), ['2', '3', '1']);
  });

  it('re-sorts group after later add', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00'), call('2', '2024-01-01 12:00:00')]);
    collection.add([call('3', '2024-01-01 11:00:00'), call('4', '2024-01-01 13:00:00')]);

    assert.deepEqual(keysOf(collection.group('2024-01-01')?.cdrs ?? []), ['4', '2', '3', '1']);
  });

  it('orders same-second calls by key', () => {
    const collection = new CdrCollection();
    collection.add([call('10', '2024-01-01 10:00:00'), call('11', '2024-01-01 10:00:00')]);

    // Keys compare as text, descending: "i_cdr:11" before "i_cdr:10".
    assert.deepEqual(keysOf(collection.group('2024-01-01')?.cdrs ?? []), ['11', '10']);
  });
});

describe('CdrCollection de-duplication', () => {
  it('counts duplicates within one add', () => {
    const collection = new CdrCollection();
    const change = collection.add([
      call('1', '2024-01-01 10:00:00'),
      call('2', '2024-01-01 11:00:00'),
      call('1', '2024-01-01 10:00:00'),
    ]);

    assert.deepEqual(keysOf(change.added), ['1', '2']);
    assert.equal(change.duplicates, 1);
    assert.equal(collection.size, 2);
  });

  it('counts duplicates across adds', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00'), call('2', '2024-01-01 11:00:00')]);
    const change = collection.add([
      call('2', '2024-01-01 11:00:00'),
      call('3', '2024-01-01 12:00:00'),
    ]);

    assert.deepEqual(keysOf(change.added), ['3']);
    assert.equal(change.duplicates, 1);
    assert.equal(collection.size, 3);
  });

  it('keeps the first copy', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00', '0.500000')]);
    collection.add([call('1', '2024-01-01 10:00:00', '9.000000')]);

    assert.equal(collection.group('2024-01-01')?.totals.amountMicros, 500_000n);
  });

  it('finds a record by key', () => {
    const collection = new CdrCollection();
    const cdr = call('7', '2024-01-01 10:00:00');
    collection.add([call('6', '2024-01-02 10:00:00'), cdr]);

    assert.equal(collection.get('i_cdr:7'), cdr);
    assert.equal(collection.get('i_cdr:8'), undefined);
  });

  it('reports whether the key of a record is loaded', () => {
    const collection = new CdrCollection();
    collection.add([call('7', '2024-01-01 10:00:00')]);

    assert.equal(collection.includes(call('7', '2024-01-03 10:00:00')), true);
    assert.equal(collection.includes(call('8', '2024-01-01 10:00:00')), false);
  });

  it('empties on clear', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00')]);
    collection.clear();

    assert.equal(collection.size, 0);
    assert.deepEqual(collection.dates(), []);
    assert.deepEqual(collection.add([call('1', '2024-01-01 10:00:00')]).duplicates, 0);
  });
});

describe('CdrCollection change report', () => {
  it('reports first dates as new', () => {
    const change = new CdrCollection().add([
      call('1', '2024-01-01 10:00:00'),
      call('2', '2024-01-02 10:00:00'),
      call('3', '2024-01-01 11:00:00'),
    ]);

    assert.deepEqual(change.newDates, ['2024-01-01', '2024-01-02']);
    assert.deepEqual(change.changedDates, []);
  });

  it('separates new and changed dates', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00'), call('2', '2024-01-02 10:00:00')]);
    const change = collection.add([
      call('3', '2024-01-03 10:00:00'),
      call('4', '2024-01-01 11:00:00'),
      call('5', '2024-01-03 11:00:00'),
    ]);

    assert.deepEqual(change.newDates, ['2024-01-03']);
    assert.deepEqual(change.changedDates, ['2024-01-01']);
  });

  it('reports nothing for duplicates only', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00')]);
    const change = collection.add([call('1', '2024-01-01 10:00:00')]);

    assert.deepEqual(change.newDates, []);
    assert.deepEqual(change.changedDates, []);
    assert.deepEqual(change.added, []);
  });
});

describe('CdrCollection totals', () => {
  it('sums amounts exactly', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 10:00:00', '0.100000'),
      call('2', '2024-01-01 11:00:00', '0.100000'),
      call('3', '2024-01-01 12:00:00', '0.100000'),
    ]);

    assert.equal(collection.group('2024-01-01')?.totals.amountMicros, 300_000n);
  });

  it('counts answered and failed calls', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 10:00:00', '0.010000', '60'),
      call('2', '2024-01-01 11:00:00', '0.000000', '0'),
      call('3', '2024-01-01 12:00:00', '0.005000', '30'),
    ]);
    const totals = collection.group('2024-01-01')?.totals;

    assert.equal(totals?.calls, 3);
    assert.equal(totals?.answered, 2);
    assert.equal(totals?.failed, 1);
    assert.equal(totals?.durationSeconds, 90);
    assert.equal(totals?.amountMicros, 15_000n);
  });

  it('updates totals after later add', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00', '0.200000')]);
    assert.equal(collection.group('2024-01-01')?.totals.amountMicros, 200_000n);

    collection.add([call('2', '2024-01-01 11:00:00', '0.100000')]);

    assert.equal(collection.group('2024-01-01')?.totals.amountMicros, 300_000n);
  });

  it('keeps totals per date', () => {
    const collection = new CdrCollection();
    collection.add([
      call('1', '2024-01-01 23:59:59', '1.000000'),
      call('2', '2024-01-02 00:00:00', '2.000000'),
    ]);

    assert.equal(collection.group('2024-01-01')?.totals.amountMicros, 1_000_000n);
    assert.equal(collection.group('2024-01-02')?.totals.amountMicros, 2_000_000n);
  });

  it('returns groups with totals', () => {
    const collection = new CdrCollection();
    collection.add([call('1', '2024-01-01 10:00:00'), call('2', '2024-01-02 10:00:00')]);

    assert.deepEqual(
      collection.groups().map((group) => [group.date, group.totals.calls]),
      [
        ['2024-01-02', 1],
        ['2024-01-01', 1],
      ],
    );
  });

  it('counts missing amount as zero', () => {
    const totals = totalsOf([call('1', '2024-01-01 10:00:00', 'n/a'), call('2', null, '0.25')]);

    assert.equal(totals.amountMicros, 250_000n);
    assert.equal(totals.calls, 2);
  });
});
