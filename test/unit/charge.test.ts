import assert from 'node:assert/strict';
import { generateCdrs } from '../../src/emulator/dataset';
import { toCdr } from '../../src/model/cdr';
import { checkCharge } from '../../src/model/charge';

/** The sample record of the TCXC buyer call-history API documentation: a call of 0 s. */
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

function sampleWith(changes: Record<string, unknown>): Record<string, unknown> {
  return { ...(JSON.parse(SAMPLE) as Record<string, unknown>), ...changes };
}

/**
 * Builds the sample as a call of 42 s at 6/6 and 0.004987/min. Billed: 6 + ceil(36 / 6) * 6 = 42 s.
 * Amount: 4987 * 42 / 60 = 3490.9 micro-units, shown as 0.003491.
 */
function call42(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return sampleWith({
    duration: '42',
    billed_duration: '42',
    customer_amount: '0.003491',
    ...changes,
  });
}

function without(record: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...record };
  delete copy[field];
  return copy;
}

function check(record: Record<string, unknown>) {
  return checkCharge(toCdr(record));
}

describe('checkCharge sample record', () => {
  const result = check(sampleWith({}));

  it('accepts the call of 0 s', () => {
    assert.equal(result.status, 'ok');
    assert.equal(result.summary, 'The amount matches the billing fields.');
  });

  it('expects nothing billed', () => {
    assert.equal(result.expectedBilledSeconds, 0);
    assert.equal(result.expectedAmountMicros, 0n);
    assert.equal(result.differenceMicros, 0n);
  });

  it('lists the steps', () => {
    assert.deepEqual(result.steps, [
      'Billed 0 s: a call of 0 s bills nothing',
      'Expected 0.000000, record says 0.000000',
    ]);
  });

  it('flags an amount on a call of 0 s', () => {
    const result = check(sampleWith({ customer_amount: '0.000120' }));

    assert.equal(result.status, 'mismatch');
    assert.equal(result.summary, 'Billed 0.000120 more than the billing fields give.');
    assert.equal(result.differenceMicros, 120n);
  });

  it('needs no prices for a call of 0 s', () => {
    const result = check(sampleWith({ billing_price_1: null, billing_interval_n: '0' }));

    assert.equal(result.status, 'ok');
  });

  it('accepts billed_duration 0 for a call of 0 s', () => {
    assert.equal(check(sampleWith({ billed_duration: '0' })).status, 'ok');
  });
});

describe('checkCharge answered calls', () => {
  it('checks 42 s at 6/6', () => {
    const result = check(call42());

    assert.equal(result.status, 'ok');
    assert.equal(result.expectedBilledSeconds, 42);
    assert.equal(result.expectedAmountMicros, 3491n);
    assert.equal(result.differenceMicros, 0n);
    // First 6 s: 4987 * 6 / 60 = 498.7. Next 36 s: 4987 * 36 / 60 = 2992.2.
    assert.deepEqual(result.steps, [
      'Billed 42 s for a call of 42 s: first 6 s, then 6 blocks of 6 s',
      'Record says 42 s billed',
      'First 6 s at 0.004987/min = 0.000499',
      'Next 36 s at 0.004987/min = 0.002992',
      'Expected 0.003491, record says 0.003491',
    ]);
  });

  it('rounds 37 s up to 42 s', () => {
    // 37 s at 6/6: 6 + ceil(31 / 6) * 6 = 6 + 36 = 42 s.
    const result = check(call42({ duration: '37' }));

    assert.equal(result.status, 'ok');
    assert.equal(result.expectedBilledSeconds, 42);
    assert.equal(
      result.steps[0],
      'Billed 42 s for a call of 37 s: first 6 s, then 6 blocks of 6 s',
    );
  });

  it('bills a whole first minute', () => {
    // 5 s at 60/60 and 0.012000/min: billed 60 s, amount 12000 * 60 / 60 = 12000.
    const result = check(
      sampleWith({
        duration: '5',
        billed_duration: '60',
        billing_interval_1: '60',
        billing_interval_n: '60',
        billing_price_1: 0.012,
        billing_price_n: 0.012,
        customer_amount: '0.012000',
      }),
    );

    assert.equal(result.status, 'ok');
    assert.equal(result.expectedAmountMicros, 12_000n);
    assert.deepEqual(result.steps, [
      'Billed 60 s for a call of 5 s: first block of 60 s only',
      'Record says 60 s billed',
      'First 60 s at 0.012000/min = 0.012000',
      'Expected 0.012000, record says 0.012000',
    ]);
  });

  it('bills 61 s at 60/60 as two minutes', () => {
    // 60 + ceil(1 / 60) * 60 = 120 s, amount 12000 * 120 / 60 = 24000.
    const result = check(
      sampleWith({
        duration: '61',
        billed_duration: '120',
        billing_interval_1: '60',
        billing_interval_n: '60',
        billing_price_1: 0.012,
        billing_price_n: 0.012,
        customer_amount: '0.024000',
      }),
    );

    assert.equal(result.status, 'ok');
    assert.equal(result.expectedBilledSeconds, 120);
    assert.equal(result.expectedAmountMicros, 24_000n);
    assert.equal(
      result.steps[0],
      'Billed 120 s for a call of 61 s: first 60 s, then 1 block of 60 s',
    );
  });

  it('uses both prices at 30/6', () => {
    // 47 s at 30/6: 30 + ceil(17 / 6) * 6 = 48 s. First 30 s: 21733 * 30 / 60 = 10866.5.
    // Next 18 s: 19001 * 18 / 60 = 5700.3. Total 16566.8, shown as 0.016567.
    const result = check(call30by6('47', '0.016567'));

    assert.equal(result.status, 'ok');
    assert.equal(result.expectedBilledSeconds, 48);
    assert.equal(result.expectedAmountMicros, 16_567n);
    assert.deepEqual(result.steps, [
      'Billed 48 s for a call of 47 s: first 30 s, then 3 blocks of 6 s',
      'First 30 s at 0.021733/min = 0.010867',
      'Next 18 s at 0.019001/min = 0.005700',
      'Expected 0.016567, record says 0.016567',
    ]);
  });
});

/** Builds a call at 30/6 with 0.021733/min for the first block and 0.019001/min after it. */
function call30by6(duration: string, amount: string): Record<string, unknown> {
  return sampleWith({
    duration,
    billed_duration: null,
    billing_interval_1: '30',
    billing_interval_n: '6',
    billing_price_1: 0.021733,
    billing_price_n: 0.019001,
    customer_amount: amount,
  });
}

describe('checkCharge rounding', () => {
  // The 47 s call at 30/6 costs exactly 16566.8 micro-units.
  it('accepts rounding down', () => {
    const result = check(call30by6('47', '0.016566'));

    assert.equal(result.status, 'ok');
    assert.equal(result.differenceMicros, -1n);
    assert.equal(
      result.steps.at(-1),
      'The exact amount lies between 0.016566 and 0.016567, so both roundings match',
    );
  });

  it('flags 1.2 micro-units over', () => {
    const result = check(call30by6('47', '0.016568'));

    assert.equal(result.status, 'mismatch');
    assert.equal(result.differenceMicros, 1n);
    assert.equal(result.summary, 'Billed 0.000001 more than the billing fields give.');
  });

  it('flags 1.8 micro-units under', () => {
    const result = check(call30by6('47', '0.016565'));

    assert.equal(result.status, 'mismatch');
    assert.equal(result.differenceMicros, -2n);
    assert.equal(result.summary, 'Billed 0.000002 less than the billing fields give.');
  });

  // 30 s at 30/6 costs exactly 10866.5 micro-units, so 10866 and 10867 are both 0.5 away.
  for (const amount of ['0.010866', '0.010867']) {
    it(`accepts half-way amount ${amount}`, () => {
      assert.equal(check(call30by6('30', amount)).status, 'ok');
    });
  }

  it('rounds half-way expected amount up', () => {
    assert.equal(check(call30by6('30', '0.010866')).expectedAmountMicros, 10_867n);
  });

  for (const amount of ['0.010865', '0.010868']) {
    it(`flags amount ${amount} 1.5 away`, () => {
      assert.equal(check(call30by6('30', amount)).status, 'mismatch');
    });
  }

  // 61 s at 60/60 and 0.012000/min costs exactly 24000, so 1 micro-unit either way is a mismatch.
  for (const [amount, difference] of [
    ['0.024001', 1n],
    ['0.023999', -1n],
  ] as const) {
    it(`flags whole amount off by ${difference}`, () => {
      const result = check(
        sampleWith({
          duration: '61',
          billed_duration: '120',
          billing_interval_1: '60',
          billing_interval_n: '60',
          billing_price_1: 0.012,
          billing_price_n: 0.012,
          customer_amount: amount,
        }),
      );

      assert.equal(result.status, 'mismatch');
      assert.equal(result.differenceMicros, difference);
    });
  }
});

describe('checkCharge billed_duration', () => {
  it('flags wrong billed_duration', () => {
    const result = check(call42({ billed_duration: '48' }));

    assert.equal(result.status, 'mismatch');
    assert.equal(
      result.summary,
      "The record's billed_duration is 48 s where the billing fields give 42 s.",
    );
    assert.equal(result.differenceMicros, 0n);
  });

  it('names both mismatches', () => {
    // 0.003611 is 120 micro-units above the expected 0.003491.
    const result = check(call42({ billed_duration: '48', customer_amount: '0.003611' }));

    assert.equal(result.status, 'mismatch');
    assert.equal(
      result.summary,
      'Billed 0.000120 more than the billing fields give, and billed_duration is 48 s where ' +
        'the billing fields give 42 s.',
    );
  });

  it('ignores null billed_duration', () => {
    assert.equal(check(call42({ billed_duration: null })).status, 'ok');
  });

  it('flags billed_duration without amount', () => {
    const result = check(without(call42({ billed_duration: '48' }), 'customer_amount'));

    assert.equal(result.status, 'mismatch');
  });

  it('reports invalid billed_duration', () => {
    const result = check(call42({ billed_duration: 'n/a' }));

    assert.equal(result.status, 'unknown');
    assert.equal(
      result.summary,
      'The charge cannot be checked because billed_duration is not a whole number.',
    );
  });
});

describe('checkCharge missing fields', () => {
  it('reports missing price', () => {
    const result = check(without(call42(), 'billing_price_1'));

    assert.equal(result.status, 'unknown');
    assert.equal(
      result.summary,
      'The charge cannot be checked because billing_price_1 is missing.',
    );
    assert.equal(result.expectedBilledSeconds, 42);
    assert.equal(result.expectedAmountMicros, undefined);
    assert.equal(result.differenceMicros, undefined);
  });

  it('reports null price as missing', () => {
    const result = check(call42({ billing_price_n: null }));

    assert.equal(result.status, 'unknown');
    assert.equal(
      result.summary,
      'The charge cannot be checked because billing_price_n is missing.',
    );
  });

  it('lists every invalid field', () => {
    const result = check(without(call42({ billing_price_n: 'abc' }), 'billing_price_1'));

    assert.equal(
      result.summary,
      'The charge cannot be checked because billing_price_1 is missing and billing_price_n is ' +
        'not an amount.',
    );
  });

  it('reports zero interval', () => {
    const result = check(call42({ billing_interval_n: '0' }));

    assert.equal(result.status, 'unknown');
    assert.equal(result.summary, 'The charge cannot be checked because billing_interval_n is 0.');
    assert.equal(result.expectedBilledSeconds, undefined);
  });

  it('reports missing duration', () => {
    const result = check(without(call42(), 'duration'));

    assert.equal(result.status, 'unknown');
    assert.equal(result.summary, 'The charge cannot be checked because duration is missing.');
  });

  it('reports invalid amount', () => {
    const result = check(call42({ customer_amount: 'n/a' }));

    assert.equal(result.status, 'unknown');
    assert.equal(
      result.summary,
      'The charge cannot be checked because customer_amount is not an amount.',
    );
    assert.equal(result.expectedAmountMicros, 3491n);
    assert.equal(result.steps.at(-1), 'Expected 0.003491, record has no valid customer_amount');
  });
});

describe('checkCharge emulator records', () => {
  const records = generateCdrs({
    seed: 3,
    count: 2_000,
    start: new Date('2024-03-01T00:00:00Z'),
    end: new Date('2024-03-08T00:00:00Z'),
  });
  const cdrs = records.map((record) => toCdr(record));

  it('finds every charge ok', () => {
    const notOk = cdrs
      .map((cdr) => ({ id: cdr.iCdr, result: checkCharge(cdr) }))
      .filter(({ result }) => result.status !== 'ok')
      .map(({ id, result }) => `${id}: ${result.summary}`);

    assert.deepEqual(notOk, []);
  });

  it('includes many charged calls', () => {
    // Guards the test above: it must cover calls with a charge, not only failed calls.
    const charged = cdrs.filter((cdr) => (cdr.amountMicros ?? 0n) > 0n).length;

    assert.ok(charged > 1_000, `only ${charged} of 2000 calls have a charge`);
  });
});

describe('checkCharge prices beyond six decimals', () => {
  it('uses the written price at 30/6', () => {
    // Billed: 30 + ceil(1775 / 6) * 6 = 1806 s. Amount: 0.0123457 * 30 / 60 = 0.00617285 plus
    // 0.0098764 * 1776 / 60 = 0.29234144, so 0.29851429 in all.
    const result = check(
      sampleWith({
        duration: '1805',
        billed_duration: '1806',
        billing_interval_1: '30',
        billing_interval_n: '6',
        billing_price_1: '0.0123457',
        billing_price_n: '0.0098764',
        customer_amount: '0.298514',
      }),
    );
    assert.equal(result.status, 'ok');
    assert.equal(result.expectedAmountMicros, 298_514n);
    assert.ok(result.steps.includes('First 30 s at 0.0123457/min = 0.006173'));
  });

  it('uses the written price at 60/60', () => {
    // 3600 s at 0.0123454 per minute: 60 minutes cost 0.740724.
    const result = check(
      sampleWith({
        duration: '3600',
        billed_duration: '3600',
        billing_interval_1: '60',
        billing_interval_n: '60',
        billing_price_1: 0.0123454,
        billing_price_n: 0.0123454,
        customer_amount: '0.740724',
      }),
    );
    assert.equal(result.status, 'ok');
    assert.equal(result.expectedAmountMicros, 740_724n);
  });

  it('shows a tiny price as written', () => {
    const result = check(
      call42({ billing_price_1: 4e-7, billing_price_n: 4e-7, customer_amount: '0' }),
    );
    assert.ok(result.steps.includes('First 6 s at 0.0000004/min = 0.000000'));
  });

  it('reads a record amount with seven decimals', () => {
    // 0.0090005 is half a micro-unit from the exact 0.009 (540 s at 60/60 and 0.001/min).
    const result = check(
      sampleWith({
        duration: '540',
        billed_duration: '540',
        billing_interval_1: '60',
        billing_interval_n: '60',
        billing_price_1: 0.001,
        billing_price_n: 0.001,
        customer_amount: '0.0090005',
      }),
    );
    assert.equal(result.status, 'ok');
  });
});
