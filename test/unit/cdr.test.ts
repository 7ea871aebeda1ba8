import assert from 'node:assert/strict';
import { UNKNOWN_DATE, formatRecordJson, toCdr } from '../../src/model/cdr';
import { CdrCollection } from '../../src/model/grouping';

/** The sample record of the TCXC buyer call-history API documentation. */
const SAMPLE =
  '{"i_cdr":"77","CLD":"12014705652","CLI":"18552334464",' +
  '"call_id":"31491e97655c19c10c70981c33635a19","duration":"0","billed_duration":null,' +
  '"connect_time":"2019-08-27 17:45:11","disconnect_time":"2019-08-27 17:45:11",' +
  '"setup_time":"2019-08-27 17:45:11","billing_prefix":"1201470565",' +
  '"billing_price_1":0.004987,"billing_price_n":0.004987,"billing_interval_1":"6",' +
  '"billing_interval_n":"6","customer_amount":"0.000000","i_customer":"1","i_account":"10",' +
  '"i_vendor":"13","i_connection":"0","i_purchased_route":"0","disconnect_code":"16",' +
  '"customer_ip":"","i_rate":"0","vendor_name":"IDT","account_name":"SBC-3001",' +
  '"connection_name":null,"disconnect_reason":"Normal Call Clearing",' +
  '"country_name":"United States of America","description":"Fixed - ROC"}';

function sampleRecord(): Record<string, unknown> {
  return JSON.parse(SAMPLE) as Record<string, unknown>;
}

function sampleWith(changes: Record<string, unknown>): Record<string, unknown> {
  return { ...sampleRecord(), ...changes };
}

function sampleWithout(field: string): Record<string, unknown> {
  const record = sampleRecord();
  delete record[field];
  return record;
}

describe('toCdr sample record', () => {
  it('keeps raw as the same object', () => {
    const record = sampleRecord();

    assert.equal(toCdr(record).raw, record);
  });

  it('leaves raw equal to a fresh parse', () => {
    const record = sampleRecord();
    toCdr(record);

    assert.deepEqual(record, sampleRecord());
  });

  it('never writes to the record', () => {
    // Writing to a frozen object throws in strict-mode code, as the compiled module is.
    const record = Object.freeze(sampleRecord());

    assert.doesNotThrow(() => toCdr(record));
  });

  it('reports no problems', () => {
    assert.deepEqual(toCdr(sampleRecord()).problems, []);
  });

  it('uses i_cdr as key', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.iCdr, '77');
    assert.equal(cdr.key, 'i_cdr:77');
  });

  it('reads numbers and call id', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.cld, '12014705652');
    assert.equal(cdr.cli, '18552334464');
    assert.equal(cdr.callId, '31491e97655c19c10c70981c33635a19');
    assert.equal(cdr.billingPrefix, '1201470565');
  });

  it('reads times as UTC', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.connectTime?.toISOString(), '2019-08-27T17:45:11.000Z');
    assert.equal(cdr.setupTime?.toISOString(), '2019-08-27T17:45:11.000Z');
    assert.equal(cdr.disconnectTime?.toISOString(), '2019-08-27T17:45:11.000Z');
  });

  it('derives the UTC date', () => {
    assert.equal(toCdr(sampleRecord()).utcDate, '2019-08-27');
  });

  it('reads null billed_duration as undefined', () => {
    assert.equal(toCdr(sampleRecord()).billedSeconds, undefined);
  });

  it('marks zero-second call unanswered', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.durationSeconds, 0);
    assert.equal(cdr.answered, false);
  });

  it('reads prices as micros', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.price1Micros, 4987n);
    assert.equal(cdr.priceNMicros, 4987n);
    assert.equal(cdr.amountMicros, 0n);
  });

  it('reads billing intervals', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.interval1Seconds, 6);
    assert.equal(cdr.intervalNSeconds, 6);
  });

  it('reads disconnect code and reason', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.disconnectCode, 16);
    assert.equal(cdr.disconnectReason, 'Normal Call Clearing');
  });

  it('reads names and description', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.vendorName, 'IDT');
    assert.equal(cdr.accountName, 'SBC-3001');
    assert.equal(cdr.countryName, 'United States of America');
    assert.equal(cdr.description, 'Fixed - ROC');
  });

  it('reads null and empty text as empty', () => {
    const cdr = toCdr(sampleRecord());

    assert.equal(cdr.connectionName, '');
    assert.equal(cdr.customerIp, '');
  });
});

describe('toCdr times', () => {
  it('agrees with Date.UTC across the calendar', () => {
    // Every day of years around leap-year rules, and a spread of years from 100 to 9999.
    const years = [100, 1600, 1899, 1900, 1969, 1970, 2000, 2024, 2100, 2400, 9999];
    for (let year = 101; year < 9999; year += 97) {
      years.push(year);
    }
    const mismatches: string[] = [];
    for (const year of years) {
      for (let day = 0; day < 366; day++) {
        const date = new Date(
          Date.UTC(2001, 0, 1 + day, day % 24, (day * 7) % 60, (day * 13) % 60),
        );
        date.setUTCFullYear(year);
        if (date.getUTCFullYear() !== year) {
          continue;
        }
        const text = date.toISOString().slice(0, 19).replace('T', ' ');
        const cdr = toCdr(sampleWith({ connect_time: text }));
        if (cdr.connectTime?.getTime() !== date.getTime() || cdr.callTime !== date.getTime()) {
          mismatches.push(text);
        }
      }
    }

    assert.deepEqual(mismatches.slice(0, 5), []);
  });

  it('uses connect time for callTime', () => {
    const cdr = toCdr(sampleWith({ connect_time: '2024-03-01 00:00:01' }));

    assert.equal(cdr.callTime, Date.UTC(2024, 2, 1, 0, 0, 1));
  });

  it('falls back to setup time for callTime', () => {
    const cdr = toCdr(sampleWith({ connect_time: null, setup_time: '2024-02-29 23:59:59' }));

    assert.equal(cdr.callTime, Date.UTC(2024, 1, 29, 23, 59, 59));
    assert.equal(cdr.utcDate, '2024-02-29');
  });

  it('leaves callTime undefined without a valid time', () => {
    const cdr = toCdr(sampleWith({ connect_time: '2024-02-30 10:00:00', setup_time: 7 }));

    assert.equal(cdr.callTime, undefined);
    assert.equal(cdr.utcDate, UNKNOWN_DATE);
  });

  it('dates records of one day alike after another day', () => {
    const first = toCdr(sampleWith({ connect_time: '2024-05-02 23:59:59' }));
    const second = toCdr(sampleWith({ connect_time: '2024-05-01 00:00:00' }));
    const third = toCdr(sampleWith({ connect_time: '2024-05-01 12:00:00' }));

    assert.equal(first.utcDate, '2024-05-02');
    assert.equal(second.utcDate, '2024-05-01');
    assert.equal(third.utcDate, '2024-05-01');
  });
});

describe('toCdr variants', () => {
  it('marks positive duration answered', () => {
    const cdr = toCdr(sampleWith({ duration: '37', billed_duration: '42' }));

    assert.equal(cdr.answered, true);
    assert.equal(cdr.durationSeconds, 37);
    assert.equal(cdr.billedSeconds, 42);
  });

  it('trims stray spaces in text', () => {
    const cdr = toCdr(
      sampleWith({ vendor_name: ' IDT ', country_name: 'United States of America ' }),
    );

    assert.equal(cdr.vendorName, 'IDT');
    assert.equal(cdr.countryName, 'United States of America');
  });

  it('keeps stray spaces in raw', () => {
    const cdr = toCdr(sampleWith({ vendor_name: ' IDT ' }));

    assert.equal(cdr.raw.vendor_name, ' IDT ');
  });

  it('trims spaces around numbers', () => {
    const cdr = toCdr(sampleWith({ duration: ' 12 ', customer_amount: ' 0.001000 ' }));

    assert.equal(cdr.durationSeconds, 12);
    assert.equal(cdr.amountMicros, 1000n);
  });

  it('keeps unknown fields in raw', () => {
    const cdr = toCdr(sampleWith({ i_tariff: '5', new_flag: { nested: true } }));

    assert.equal(cdr.raw.i_tariff, '5');
    assert.deepEqual(cdr.raw.new_flag, { nested: true });
    assert.deepEqual(cdr.problems, []);
  });

  it('reads numeric i_cdr as text', () => {
    const cdr = toCdr(sampleWith({ i_cdr: 77 }));

    assert.equal(cdr.iCdr, '77');
    assert.equal(cdr.key, 'i_cdr:77');
  });

  it('dates call by setup without connect', () => {
    const cdr = toCdr(
      sampleWith({ connect_time: null, setup_time: '2019-08-26 23:59:59', duration: '0' }),
    );

    assert.equal(cdr.connectTime, undefined);
    assert.equal(cdr.utcDate, '2019-08-26');
    assert.deepEqual(cdr.problems, []);
  });
});

describe('toCdr malformed records', () => {
  it('reports duration given as object', () => {
    const cdr = toCdr(sampleWith({ duration: { seconds: 5 } }));

    assert.equal(cdr.durationSeconds, undefined);
    assert.equal(cdr.answered, false);
    assert.deepEqual(cdr.problems, ['duration is not a whole number']);
  });

  it('reports fractional duration', () => {
    const cdr = toCdr(sampleWith({ duration: '1.5' }));

    assert.equal(cdr.durationSeconds, undefined);
    assert.deepEqual(cdr.problems, ['duration is not a whole number']);
  });

  it('reports negative duration', () => {
    const cdr = toCdr(sampleWith({ duration: '-5' }));

    assert.equal(cdr.durationSeconds, undefined);
    assert.equal(cdr.answered, false);
    assert.deepEqual(cdr.problems, ['duration is negative']);
  });

  it('reports negative duration number', () => {
    const cdr = toCdr(sampleWith({ duration: -37 }));

    assert.equal(cdr.durationSeconds, undefined);
    assert.equal(cdr.answered, false);
    assert.deepEqual(cdr.problems, ['duration is negative']);
  });

  const countFields: [string, (cdr: ReturnType<typeof toCdr>) => number | undefined][] = [
    ['billed_duration', (cdr) => cdr.billedSeconds],
    ['billing_interval_1', (cdr) => cdr.interval1Seconds],
    ['billing_interval_n', (cdr) => cdr.intervalNSeconds],
    ['disconnect_code', (cdr) => cdr.disconnectCode],
  ];
  for (const [field, read] of countFields) {
    it(`reports negative ${field}`, () => {
      const cdr = toCdr(sampleWith({ [field]: ' -1 ' }));

      assert.equal(read(cdr), undefined);
      assert.deepEqual(cdr.problems, [`${field} is negative`]);
    });
  }

  it('reports fractional negative duration', () => {
    const cdr = toCdr(sampleWith({ duration: '-1.5' }));

    assert.deepEqual(cdr.problems, ['duration is not a whole number']);
  });

  it('reports missing setup_time', () => {
    const cdr = toCdr(sampleWithout('setup_time'));

    assert.equal(cdr.setupTime, undefined);
    assert.deepEqual(cdr.problems, ['setup_time is missing']);
  });

  it('dates by connect without setup', () => {
    assert.equal(toCdr(sampleWithout('setup_time')).utcDate, '2019-08-27');
  });

  it('reports missing duration', () => {
    assert.deepEqual(toCdr(sampleWithout('duration')).problems, ['duration is missing']);
  });

  it('reports impossible calendar date', () => {
    const cdr = toCdr(sampleWith({ connect_time: '2019-02-30 10:00:00' }));

    assert.equal(cdr.connectTime, undefined);
    assert.deepEqual(cdr.problems, ['connect_time is not a UTC time']);
  });

  it('reports ISO time format', () => {
    const cdr = toCdr(sampleWith({ setup_time: '2019-08-27T17:45:11Z' }));

    assert.deepEqual(cdr.problems, ['setup_time is not a UTC time']);
  });

  it('uses unknown date without times', () => {
    const cdr = toCdr(sampleWith({ connect_time: null, setup_time: 'yesterday' }));

    assert.equal(cdr.utcDate, UNKNOWN_DATE);
  });

  it('reports amount that is not money', () => {
    const cdr = toCdr(sampleWith({ customer_amount: 'n/a' }));

    assert.equal(cdr.amountMicros, undefined);
    assert.deepEqual(cdr.problems, ['customer_amount is not an amount']);
  });

  it('reports missing price', () => {
    const cdr = toCdr(sampleWithout('billing_price_1'));

    assert.deepEqual(cdr.problems, ['billing_price_1 is missing']);
  });

  it('reports text given as object', () => {
    const cdr = toCdr(sampleWith({ CLD: ['12014705652'] }));

    assert.equal(cdr.cld, '');
    assert.deepEqual(cdr.problems, ['CLD is not text']);
  });

  const notObjects: [string, unknown][] = [
    ['number', 42],
    ['null', null],
    ['string', 'i_cdr=77'],
    ['array', [1, 2]],
    ['undefined', undefined],
  ];
  for (const [label, value] of notObjects) {
    it(`reports ${label} record without throwing`, () => {
      const cdr = toCdr(value);

      assert.ok(cdr.problems.includes('record is not a JSON object'), cdr.problems.join('; '));
      assert.deepEqual(cdr.raw, { value });
      assert.equal(cdr.utcDate, UNKNOWN_DATE);
    });
  }
});

describe('toCdr key fallback', () => {
  it('derives key from content', () => {
    const cdr = toCdr(sampleWithout('i_cdr'));

    assert.equal(cdr.iCdr, undefined);
    assert.ok(cdr.key.startsWith('content:'), cdr.key);
  });

  it('gives equal content equal keys', () => {
    assert.equal(toCdr(sampleWithout('i_cdr')).key, toCdr(sampleWithout('i_cdr')).key);
  });

  it('gives other content other keys', () => {
    const first = toCdr(sampleWithout('i_cdr'));
    const second = toCdr({ ...sampleWithout('i_cdr'), call_id: 'another-call' });

    assert.notEqual(first.key, second.key);
  });

  it('falls back for empty i_cdr', () => {
    assert.ok(toCdr(sampleWith({ i_cdr: '' })).key.startsWith('content:'));
  });

  it('never collides with i_cdr keys', () => {
    const content = toCdr(sampleWithout('i_cdr')).key;

    assert.notEqual(content, toCdr(sampleRecord()).key);
  });
});

describe('toCdr large numeric i_cdr', () => {
  /** Parses the sample with `i_cdr` replaced by the JSON number text `iCdr`. */
  function sampleWithNumericId(iCdr: string, callId = 'call-a'): Record<string, unknown> {
    const text = SAMPLE.replace('"i_cdr":"77"', `"i_cdr":${iCdr}`).replace(
      '"call_id":"31491e97655c19c10c70981c33635a19"',
      `"call_id":"${callId}"`,
    );
    return JSON.parse(text) as Record<string, unknown>;
  }

  it('reports i_cdr above 2^53', () => {
    const cdr = toCdr(sampleWithNumericId('9007199254740993'));

    assert.deepEqual(cdr.problems, ['i_cdr is a number too large to read exactly']);
    assert.equal(cdr.iCdr, undefined);
    assert.ok(cdr.key.startsWith('content:'), cdr.key);
  });

  it('keeps largest safe i_cdr', () => {
    const cdr = toCdr(sampleWithNumericId('9007199254740991'));

    assert.deepEqual(cdr.problems, []);
    assert.equal(cdr.key, 'i_cdr:9007199254740991');
  });

  it('keeps large i_cdr given as text', () => {
    const cdr = toCdr(sampleWith({ i_cdr: '9007199254740993' }));

    assert.deepEqual(cdr.problems, []);
    assert.equal(cdr.key, 'i_cdr:9007199254740993');
  });

  it('keeps both rounded ids in collection', () => {
    // JSON.parse reads both ids as 9007199254740992, so only the call ids tell the records apart.
    const first = toCdr(sampleWithNumericId('9007199254740993', 'call-a'));
    const second = toCdr(sampleWithNumericId('9007199254740992', 'call-b'));
    const collection = new CdrCollection();
    const change = collection.add([first, second]);

    assert.equal(first.raw.i_cdr, second.raw.i_cdr);
    assert.equal(change.added.length, 2);
    assert.equal(change.duplicates, 0);
    assert.equal(collection.size, 2);
  });
});

describe('toCdr on any JSON value', () => {
  const values = [
    'null',
    '0',
    '"text"',
    'true',
    '[]',
    '[{"i_cdr":"1"}]',
    '{}',
    '{"i_cdr":{},"CLD":[],"duration":"1e3","connect_time":5,"customer_amount":{"x":1}}',
    '{"billing_price_1":"NaN","billed_duration":-1,"disconnect_code":"16.5"}',
  ];
  for (const text of values) {
    it(`types ${text} without throwing`, () => {
      const cdr = toCdr(JSON.parse(text));
      assert.equal(typeof cdr.key, 'string');
    });
  }
});

describe('formatRecordJson', () => {
  it('indents a record', () => {
    assert.equal(formatRecordJson({ i_cdr: '7' }), '{\n  "i_cdr": "7"\n}');
  });

  it('explains a record nested too deeply', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    const text = formatRecordJson({ value: deep });
    assert.match(text, /nested too deeply/);
    assert.doesNotThrow(() => JSON.parse(text));
  });
});

describe('toCdr deeply nested records', () => {
  it('keeps two such records apart', () => {
    const deep = (tag: string) =>
      JSON.parse(`{"tag":"${tag}","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`) as unknown;
    const collection = new CdrCollection();
    const change = collection.add([toCdr(deep('a')), toCdr(deep('b'))]);
    assert.equal(change.added.length, 2);
  });
});

describe('toCdr required text fields', () => {
  for (const field of ['CLD', 'CLI', 'call_id', 'i_cdr']) {
    it(`flags a missing ${field}`, () => {
      assert.ok(toCdr(sampleWithout(field)).problems.includes(`${field} is missing`));
    });
  }

  it('flags a null CLD', () => {
    assert.ok(toCdr(sampleWith({ CLD: null })).problems.includes('CLD is missing'));
  });

  it('flags a CLD number beyond exact digits', () => {
    const cdr = toCdr(JSON.parse('{"CLD": 442071234567890123}') as unknown);
    assert.ok(cdr.problems.includes('CLD is a number too large to read exactly'));
  });
});
