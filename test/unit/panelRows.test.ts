import * as assert from 'node:assert/strict';
import { generateCdrs } from '../../src/emulator/dataset';
import { toCdr } from '../../src/model/cdr';
import { cdrDetails, toPanelRow } from '../../src/panel/rows';

/** A 42-second call billed 6/6 at 0.004987 per minute: 42 s cost 0.003491 (3490.9 micro-units). */
const ANSWERED = {
  i_cdr: '501',
  CLD: '442071234567',
  CLI: '12025550100',
  call_id: 'abc123',
  duration: '42',
  billed_duration: '42',
  setup_time: '2026-03-01 10:00:00',
  connect_time: '2026-03-01 10:00:07',
  disconnect_time: '2026-03-01 10:00:49',
  billing_prefix: '4420',
  billing_price_1: 0.004987,
  billing_price_n: 0.004987,
  billing_interval_1: '6',
  billing_interval_n: '6',
  customer_amount: '0.003491',
  disconnect_code: '16',
  disconnect_reason: 'Normal Call Clearing',
  country_name: 'United Kingdom',
  vendor_name: 'Vendor A',
};

describe('toPanelRow', () => {
  it('carries the typed fields as plain JSON', () => {
    const row = toPanelRow(toCdr(ANSWERED));
    assert.deepEqual(row, {
      key: 'i_cdr:501',
      id: '501',
      time: Date.UTC(2026, 2, 1, 10, 0, 7),
      cli: '12025550100',
      cld: '442071234567',
      callId: 'abc123',
      country: 'United Kingdom',
      vendor: 'Vendor A',
      answered: true,
      duration: 42,
      billed: 42,
      amountMicros: 3491,
      code: 16,
      reason: 'Normal Call Clearing',
      charge: 'ok',
      problems: 0,
    });
    // The webview channel carries JSON only: no bigint, Date or undefined may hide in a row.
    assert.deepEqual(JSON.parse(JSON.stringify(row)), row);
  });

  it('marks an amount that the billing fields do not give', () => {
    const row = toPanelRow(toCdr({ ...ANSWERED, customer_amount: '0.004000' }));
    assert.equal(row.charge, 'mismatch');
  });

  it('leaves out an amount too large to carry exactly', () => {
    const row = toPanelRow(toCdr({ ...ANSWERED, customer_amount: '99999999999.000000' }));
    assert.equal(row.amountMicros, null);
  });

  it('keeps a malformed record as a row', () => {
    const row = toPanelRow(toCdr({ i_cdr: '7', duration: 'soon', CLD: ['x'] }));
    assert.equal(row.key, 'i_cdr:7');
    assert.equal(row.duration, null);
    assert.equal(row.time, null);
    assert.ok(row.problems > 0);
  });

  it('maps emulator records without loss', () => {
    const records = generateCdrs({
      seed: 8,
      count: 500,
      start: new Date('2026-03-01T00:00:00Z'),
      end: new Date('2026-03-03T00:00:00Z'),
    });
    const rows = records.map((record) => toPanelRow(toCdr(record)));
    assert.equal(new Set(rows.map((row) => row.key)).size, 500);
    assert.ok(rows.every((row) => row.problems === 0 && row.charge === 'ok'));
  });
});

describe('cdrDetails', () => {
  it('lists every raw field in order, as text', () => {
    const details = cdrDetails(toCdr({ ...ANSWERED, connection_name: null, extra: { a: 1 } }));
    assert.deepEqual(
      details.fields.map((field) => field.name),
      [...Object.keys(ANSWERED), 'connection_name', 'extra'],
    );
    const value = (name: string) => details.fields.find((field) => field.name === name)?.value;
    assert.equal(value('billing_price_1'), '0.004987');
    assert.equal(value('connection_name'), 'null');
    assert.equal(value('extra'), '{"a":1}');
    assert.equal(value('CLI'), '12025550100');
  });

  it('builds the timeline from the three times', () => {
    const { timeline } = cdrDetails(toCdr(ANSWERED));
    assert.deepEqual(timeline, {
      setup: Date.UTC(2026, 2, 1, 10, 0, 0),
      connect: Date.UTC(2026, 2, 1, 10, 0, 7),
      disconnect: Date.UTC(2026, 2, 1, 10, 0, 49),
      ringSeconds: 7,
      talkSeconds: 42,
    });
  });

  it('explains the cause', () => {
    const { cause } = cdrDetails(toCdr({ ...ANSWERED, duration: '0', disconnect_code: '17' }));
    assert.equal(cause.code, 17);
    assert.equal(cause.answered, false);
    assert.match(cause.meaning, /busy/i);
  });

  it('formats the charge check', () => {
    const { charge } = cdrDetails(toCdr({ ...ANSWERED, customer_amount: '0.003611' }));
    assert.equal(charge.status, 'mismatch');
    assert.equal(charge.expectedAmount, '0.003491');
    assert.equal(charge.recordAmount, '0.003611');
    assert.equal(charge.difference, '+0.000120');
    assert.equal(charge.expectedBilledSeconds, 42);
    assert.equal(charge.recordBilledSeconds, 42);
    assert.ok(charge.steps.length > 0);
  });

  it('survives a record that is not an object', () => {
    const details = cdrDetails(toCdr('<script>alert(1)</script>'));
    assert.deepEqual(details.fields, [{ name: 'value', value: '<script>alert(1)</script>' }]);
    assert.equal(details.charge.status, 'unknown');
  });
});
