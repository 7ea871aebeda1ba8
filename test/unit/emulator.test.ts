import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { billedSeconds, chargeMicros, formatMicros } from '../../src/emulator/billing';
import { generateCdrs, type RawCdr } from '../../src/emulator/dataset';
import type { CallHistoryFilter } from '../../src/emulator/params';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/server';
import { CdrStore } from '../../src/emulator/store';

/** The record that the TCXC "Get CDRs API" documentation shows, verbatim. */
const DOCUMENTED_SAMPLE = JSON.parse(
  '{"i_cdr":"77","CLD":"12014705652","CLI":"18552334464","call_id":"31491e97655c19c10c70981c33635a19","duration":"0","billed_duration":null,"connect_time":"2019-08-27 17:45:11","disconnect_time":"2019-08-27 17:45:11","setup_time":"2019-08-27 17:45:11","billing_prefix":"1201470565","billing_price_1":0.004987,"billing_price_n":0.004987,"billing_interval_1":"6","billing_interval_n":"6","customer_amount":"0.000000","i_customer":"1","i_account":"10","i_vendor":"13","i_connection":"0","i_purchased_route":"0","disconnect_code":"16","customer_ip":"","i_rate":"0","vendor_name":"IDT","account_name":"SBC-3001","connection_name":null,"disconnect_reason":"Normal Call Clearing","country_name":"United States of America","description":"Fixed - ROC"}',
) as RawCdr;

const NUMBER_FIELDS = new Set(['billing_price_1', 'billing_price_n']);
const NULLABLE_FIELDS = new Set(['billed_duration', 'connection_name']);
const TEXT_FIELDS = [
  'vendor_name',
  'country_name',
  'description',
  'disconnect_reason',
  'account_name',
] as const;

const Q850_REASONS: Readonly<Record<string, string>> = {
  '16': 'Normal Call Clearing',
  '17': 'User busy',
  '18': 'No user responding',
  '19': 'No answer from user (user alerted)',
  '21': 'Call rejected',
  '28': 'Invalid number format',
  '31': 'Normal, unspecified',
  '34': 'No circuit/channel available',
  '38': 'Network out of order',
  '41': 'Temporary failure',
  '42': 'Switching equipment congestion',
  '63': 'Service or option not available, unspecified',
  '127': 'Interworking, unspecified',
};

const COUNTRY_CODES: Readonly<Record<string, string>> = {
  'United States of America': '1',
  'United Kingdom': '44',
  Germany: '49',
  France: '33',
  Spain: '34',
  Italy: '39',
  India: '91',
  Nigeria: '234',
  Philippines: '63',
  Mexico: '52',
  Brazil: '55',
  'United Arab Emirates': '971',
  Australia: '61',
  Japan: '81',
  China: '86',
};

const WEEK_START = new Date('2024-03-01T00:00:00Z');
const WEEK_END = new Date('2024-03-08T00:00:00Z');

function parseUtc(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** Expected charge for a record, in micro-dollars, rounded half up; written apart from billing.ts. */
function expectedAmount(record: RawCdr, billed: number): string {
  if (billed === 0) {
    return '0.000000';
  }
  const first = Number(record.billing_interval_1);
  const firstPrice = Math.round(record.billing_price_1 * 1e6);
  const nextPrice = Math.round(record.billing_price_n * 1e6);
  const perMinute = firstPrice * first + nextPrice * (billed - first);
  const micros = Math.floor(perMinute / 60) + (perMinute % 60 >= 30 ? 1 : 0);
  const digits = String(micros).padStart(7, '0');
  return `${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

function expectedBilledSeconds(record: RawCdr): number {
  const duration = Number(record.duration);
  const first = Number(record.billing_interval_1);
  const next = Number(record.billing_interval_n);
  if (duration === 0) {
    return 0;
  }
  return duration <= first ? first : first + Math.ceil((duration - first) / next) * next;
}

describe('emulator dataset', () => {
  const week = generateCdrs({ seed: 7, count: 10_000, start: WEEK_START, end: WEEK_END });

  it('repeats records for the same seed', () => {
    const again = generateCdrs({ seed: 7, count: 10_000, start: WEEK_START, end: WEEK_END });
    assert.deepEqual(again, week);
  });

  it('differs for another seed', () => {
    const other = generateCdrs({ seed: 8, count: 10_000, start: WEEK_START, end: WEEK_END });
    assert.notDeepEqual(other, week);
    assert.notEqual(other[0].call_id, week[0].call_id);
  });

  it('does not use Math.random', () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random called');
    };
    try {
      generateCdrs({ seed: 1, count: 100, start: WEEK_START, end: WEEK_END });
    } finally {
      Math.random = original;
    }
  });

  it('uses the documented field types', () => {
    const expectedKeys = Object.keys(DOCUMENTED_SAMPLE);
    assert.equal(expectedKeys.length, 29);
    assert.equal(typeof DOCUMENTED_SAMPLE.billing_price_1, 'number');
    assert.equal(DOCUMENTED_SAMPLE.billed_duration, null);
    for (const record of week) {
      assert.deepEqual(Object.keys(record), expectedKeys);
      for (const [key, value] of Object.entries(record)) {
        if (NUMBER_FIELDS.has(key)) {
          assert.equal(typeof value, 'number', `${key} of ${record.i_cdr}`);
        } else if (NULLABLE_FIELDS.has(key) && value === null) {
          continue;
        } else {
          assert.equal(typeof value, 'string', `${key} of ${record.i_cdr}`);
        }
      }
    }
  });

  it('numbers records in time order', () => {
    const first = generateCdrs({
      seed: 3,
      count: 50,
      start: WEEK_START,
      end: WEEK_END,
      firstId: 501,
    });
    assert.equal(first[0].i_cdr, '501');
    week.forEach((record, index) => {
      assert.equal(record.i_cdr, String(index + 1));
      const connect = parseUtc(record.connect_time);
      assert.ok(connect >= WEEK_START.getTime(), record.connect_time);
      assert.ok(connect <= WEEK_END.getTime(), record.connect_time);
      if (index > 0) {
        assert.ok(record.connect_time >= week[index - 1].connect_time, record.i_cdr);
      }
    });
  });

  it('builds plausible numbers and ids', () => {
    const countries = new Set<string>();
    for (const record of week) {
      const countryCode = COUNTRY_CODES[record.country_name.trim()];
      assert.ok(countryCode, `unknown country ${record.country_name}`);
      countries.add(countryCode);
      assert.match(record.CLD, /^\d{9,15}$/);
      assert.ok(record.CLD.startsWith(countryCode), `${record.CLD} in ${record.country_name}`);
      assert.ok(record.CLD.startsWith(record.billing_prefix), record.billing_prefix);
      assert.ok(record.billing_prefix.length > countryCode.length, record.billing_prefix);
      assert.match(record.CLI, /^\d{9,15}$/);
      assert.match(record.call_id, /^[0-9a-f]{32}$/);
      assert.match(record.customer_ip, /^(192\.0\.2\.([1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))?$/);
      assert.equal(record.i_connection === '0', record.connection_name === null);
    }
    assert.equal(countries.size, 15);
  });

  it('spreads Q.850 causes realistically', () => {
    const counts = new Map<string, number>();
    for (const record of week) {
      assert.equal(
        record.disconnect_reason.trim(),
        Q850_REASONS[record.disconnect_code],
        `cause ${record.disconnect_code}`,
      );
      counts.set(record.disconnect_code, (counts.get(record.disconnect_code) ?? 0) + 1);
    }
    const normalShare = (counts.get('16') ?? 0) / week.length;
    assert.ok(normalShare >= 0.6, `share of cause 16: ${normalShare}`);
    assert.ok(normalShare <= 0.7, `share of cause 16: ${normalShare}`);
    for (const code of Object.keys(Q850_REASONS)) {
      assert.ok((counts.get(code) ?? 0) > 0, `no call with cause ${code}`);
    }
  });

  it('times answered calls consistently', () => {
    const answered = week.filter((record) => record.disconnect_code === '16');
    for (const record of answered) {
      const setup = parseUtc(record.setup_time);
      const connect = parseUtc(record.connect_time);
      const disconnect = parseUtc(record.disconnect_time);
      assert.ok(connect >= setup, `setup after connect in ${record.i_cdr}`);
      assert.ok(connect - setup <= 30_000, `ringing over 30 s in ${record.i_cdr}`);
      assert.equal(disconnect - connect, Number(record.duration) * 1000, record.i_cdr);
    }
    const durations = answered.map((record) => Number(record.duration));
    const underFiveMinutes = durations.filter((seconds) => seconds < 300).length;
    assert.ok(underFiveMinutes / durations.length > 0.8, `${underFiveMinutes} under 300 s`);
    assert.ok(durations.some((seconds) => seconds > 600));
    assert.ok(durations.some((seconds) => seconds === 0));
  });

  it('bills nothing for failed calls', () => {
    const failed = week.filter((record) => record.disconnect_code !== '16');
    assert.ok(failed.length > 0);
    for (const record of failed) {
      assert.equal(record.duration, '0', record.i_cdr);
      assert.equal(record.billed_duration, null, record.i_cdr);
      assert.equal(record.customer_amount, '0.000000', record.i_cdr);
      assert.equal(record.connect_time, record.setup_time, record.i_cdr);
      assert.equal(record.disconnect_time, record.setup_time, record.i_cdr);
    }
  });

  it('bills every call by its increments', () => {
    const increments = new Set(['1/1', '6/6', '30/6', '60/60', '60/1']);
    for (const record of week) {
      assert.ok(increments.has(`${record.billing_interval_1}/${record.billing_interval_n}`));
      for (const price of [record.billing_price_1, record.billing_price_n]) {
        assert.ok(price > 0, `price ${price}`);
        assert.ok(price < 1, `price ${price}`);
        assert.ok(Math.abs(price * 1e6 - Math.round(price * 1e6)) < 1e-6, `price ${price}`);
      }
      const billed = expectedBilledSeconds(record);
      assert.equal(record.billed_duration, billed > 0 ? String(billed) : null, record.i_cdr);
      assert.equal(record.customer_amount, expectedAmount(record, billed), record.i_cdr);
    }
  });

  it('pads some text fields with spaces', () => {
    const padded = week.filter((record) =>
      TEXT_FIELDS.some((field) => record[field] !== record[field].trim()),
    );
    const share = padded.length / week.length;
    assert.ok(share > 0.03, `share with stray spaces: ${share}`);
    assert.ok(share < 0.07, `share with stray spaces: ${share}`);
  });

  it('peaks in business hours', () => {
    const perHour = new Array<number>(24).fill(0);
    for (const record of week) {
      perHour[Number(record.connect_time.slice(11, 13))] += 1;
    }
    const sum = (hours: number[]): number => hours.reduce((total, h) => total + perHour[h], 0);
    const dayAverage = sum([8, 9, 10, 11, 12, 13, 14, 15, 16, 17]) / 10;
    const nightAverage = sum([0, 1, 2, 3, 4, 5]) / 6;
    assert.ok(dayAverage > 2 * nightAverage, `day ${dayAverage}, night ${nightAverage}`);
  });

  it('generates 100,000 records quickly', () => {
    const started = performance.now();
    const records = generateCdrs({ seed: 2, count: 100_000, start: WEEK_START, end: WEEK_END });
    const elapsed = performance.now() - started;
    assert.equal(records.length, 100_000);
    assert.ok(elapsed < 2000, `took ${Math.round(elapsed)} ms`);
  });

  it('rejects an invalid count or range', () => {
    assert.throws(
      () => generateCdrs({ seed: 1, count: -1, start: WEEK_START, end: WEEK_END }),
      RangeError,
    );
    assert.throws(
      () => generateCdrs({ seed: 1, count: 1, start: WEEK_END, end: WEEK_START }),
      RangeError,
    );
  });
});

describe('emulator billing', () => {
  it('rounds billed seconds up to blocks', () => {
    assert.equal(billedSeconds(0, 6, 6), 0);
    assert.equal(billedSeconds(1, 6, 6), 6);
    assert.equal(billedSeconds(7, 6, 6), 12);
    assert.equal(billedSeconds(12, 6, 6), 12);
    assert.equal(billedSeconds(5, 30, 6), 30);
    assert.equal(billedSeconds(31, 30, 6), 36);
    assert.equal(billedSeconds(61, 60, 60), 120);
    assert.equal(billedSeconds(61, 60, 1), 61);
    assert.equal(billedSeconds(45, 1, 1), 45);
  });

  it('charges blocks at their prices', () => {
    // 0.004987 USD/min for 12 s = 0.0009974, rounded to 0.000997.
    assert.equal(formatMicros(chargeMicros(12, 6, 4987, 4987)), '0.000997');
    // 0.02 USD/min for the first 30 s plus 0.01 USD/min for 12 s = 0.01 + 0.002.
    assert.equal(formatMicros(chargeMicros(42, 30, 20_000, 10_000)), '0.012000');
    // 0.01233 USD/min for 1 s = 0.0002055, exactly half a micro-dollar: rounds up.
    assert.equal(formatMicros(chargeMicros(1, 1, 12_330, 12_330)), '0.000206');
    // 0.15 USD/min for 3600 s = 9 USD.
    assert.equal(formatMicros(chargeMicros(3600, 60, 150_000, 150_000)), '9.000000');
    assert.equal(formatMicros(chargeMicros(0, 6, 4987, 4987)), '0.000000');
  });
});

describe('emulator store', () => {
  const records = generateCdrs({ seed: 9, count: 3000, start: WEEK_START, end: WEEK_END });
  const filters: CallHistoryFilter[] = [
    { prefix: '', show: 'all', dateFrom: '2024-03-01 00:00:00', dateTo: '2024-03-08 00:00:00' },
    { prefix: '44', show: 'all', dateFrom: '2024-03-01 00:00:00', dateTo: '2024-03-08 00:00:00' },
    { prefix: '', show: 'bad', dateFrom: '2024-03-01 00:00:00', dateTo: '2024-03-08 00:00:00' },
    { prefix: '1', show: 'bad', dateFrom: '2024-03-02 00:00:00', dateTo: '2024-03-05 12:00:00' },
    { prefix: '', show: 'all', dateFrom: '2024-03-03 00:00:00', dateTo: '2024-03-03 23:59:59' },
    { prefix: '49', show: 'all', dateFrom: '2024-03-04 00:00:00', dateTo: '2024-03-08 00:00:00' },
  ];

  /** Requests every page of `filter` in pages of `size`, and returns their ids. */
  function pages(store: CdrStore, filter: CallHistoryFilter, size: number): string[][] {
    const result: string[][] = [];
    for (let offset = 0; ; offset += size) {
      const page = store.query({ ...filter, page: { size, offset } });
      result.push(page.map((record) => record.i_cdr));
      if (page.length < size) {
        return result;
      }
    }
  }

  /** Returns the ids that a new store, with nothing cached, returns for `filter`. */
  function uncached(all: readonly RawCdr[], filter: CallHistoryFilter): string[] {
    return new CdrStore(all).query(filter).map((record) => record.i_cdr);
  }

  it('cached queries match uncached ones', () => {
    const store = new CdrStore(records);
    // Three rounds through six queries, more than the cache keeps, so entries are both reused
    // and evicted.
    for (let round = 0; round < 3; round++) {
      for (const filter of round === 1 ? [...filters].reverse() : filters) {
        const expected = uncached(records, filter);
        const label = `round ${round}, ${JSON.stringify(filter)}`;
        assert.ok(expected.length > 0, `${label}: no match`);
        assert.deepEqual(
          store.query(filter).map((record) => record.i_cdr),
          expected,
          label,
        );
        assert.deepEqual(pages(store, filter, 97).flat(), expected, `${label}: pages`);
        const past = store.query({ ...filter, page: { size: 10, offset: expected.length } });
        assert.deepEqual(past, [], `${label}: past the end`);
      }
    }
  });

  it('added records appear in cached queries', () => {
    const store = new CdrStore(records);
    // Three queries, few enough for the cache to keep them all.
    const cachedFilters = filters.slice(0, 3);
    for (const filter of cachedFilters) {
      store.query({ ...filter, page: { size: 50, offset: 0 } });
    }
    const added = [
      { ...records[0], i_cdr: '5001', CLD: '447700900123', connect_time: '2024-03-07 23:59:59' },
      { ...records[1], i_cdr: '5002', CLD: '4915100000456', connect_time: '2024-03-04 00:00:00' },
      { ...records[2], i_cdr: '5003', CLD: '12014705652', connect_time: '2024-03-03 12:00:00' },
    ];
    store.add(added);
    const all = [...records, ...added];
    for (const filter of cachedFilters) {
      const label = JSON.stringify(filter);
      const expected = uncached(all, filter);
      assert.deepEqual(pages(store, filter, 50).flat(), expected, label);
    }
    const newest = store.query({ ...filters[1], page: { size: 1, offset: 0 } });
    assert.deepEqual(
      newest.map((record) => record.i_cdr),
      ['5001'],
    );
    assert.deepEqual(store.all.slice(-3), added);
  });
});

/** 2024-03-08 12:00:00 UTC, the fixed clock of most server tests. */
const NOW_MS = Date.UTC(2024, 2, 8, 12, 0, 0);
const NOW_SECONDS = NOW_MS / 1000;

interface ApiBody {
  readonly status: string;
  readonly cdrs?: RawCdr[];
  readonly error?: string;
  readonly message?: string;
}

interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ApiBody;
}

interface Signer {
  readonly login?: string;
  readonly apiKey?: string;
  readonly ts?: number;
}

function signedParams(fields: Record<string, string>, signer: Signer = {}): URLSearchParams {
  const login = signer.login ?? DEMO_LOGIN;
  const ts = String(signer.ts ?? NOW_SECONDS);
  return new URLSearchParams({ ...fields, api_login: login, ts, signature: sign(signer, ts) });
}

/** Signs independently of src/client/signing.ts, so a mistake there cannot hide here. */
function sign(signer: Signer, ts: string): string {
  const text = `c_cdrs${signer.apiKey ?? DEMO_API_KEY}${signer.login ?? DEMO_LOGIN}${ts}`;
  return createHash('sha256').update(text).digest('hex');
}

async function post(url: string, params: URLSearchParams): Promise<ApiResponse> {
  const response = await fetch(url, { method: 'POST', body: params });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ApiBody,
  };
}

async function get(url: string, params: URLSearchParams): Promise<ApiResponse> {
  const response = await fetch(`${url}?${params.toString()}`);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ApiBody,
  };
}

function ids(response: ApiResponse): string[] {
  assert.equal(response.body.status, 'success', JSON.stringify(response.body));
  return (response.body.cdrs ?? []).map((record) => record.i_cdr);
}

function makeCdr(id: string, cld: string, connectTime: string, code: string): RawCdr {
  const failed = code !== '16';
  return {
    ...DOCUMENTED_SAMPLE,
    i_cdr: id,
    CLD: cld,
    billing_prefix: cld.slice(0, 4),
    connect_time: connectTime,
    disconnect_time: connectTime,
    setup_time: connectTime,
    disconnect_code: code,
    disconnect_reason: failed ? 'User busy' : 'Normal Call Clearing',
  };
}

/** Six calls whose filter results are easy to work out by hand. */
const FIXTURE: readonly RawCdr[] = [
  makeCdr('100', '14155550100', '2024-03-03 00:00:01', '16'),
  makeCdr('101', '447700900001', '2024-03-01 10:00:00', '16'),
  makeCdr('102', '4915100000002', '2024-03-01 11:00:00', '17'),
  makeCdr('103', '442071000003', '2024-03-02 09:00:00', '34'),
  makeCdr('104', '12014705652', '2024-03-02 09:00:00', '16'),
  makeCdr('105', '447400000005', '2024-03-03 00:00:00', '19'),
];

const WHOLE_WEEK = { date_from: '2024-03-01 00:00:00', date_to: '2024-03-08 00:00:00' };
const WHOLE_YEAR = { date_from: '2024-01-01 00:00:00', date_to: '2024-12-31 23:59:59' };

describe('emulator server', () => {
  const running: RunningEmulator[] = [];

  async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = await startEmulator({ now: () => NOW_MS, cdrs: FIXTURE, ...options });
    running.push(emulator);
    return emulator;
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
  });

  it('answers a signed request', async () => {
    const emulator = await start();
    assert.match(emulator.endpoint, /^http:\/\/127\.0\.0\.1:\d+\/buyers\/callhistory$/);
    const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(Object.keys(response.body), ['status', 'cdrs']);
    assert.deepEqual(ids(response), ['100', '105', '104', '103', '102', '101']);
    assert.deepEqual(response.body.cdrs?.[2], FIXTURE[4]);
  });

  it('rejects bad signatures', async () => {
    const emulator = await start({ accounts: [{ login: 'alice', apiKey: 'alice-key' }] });
    const alice = { login: 'alice', apiKey: 'alice-key' };
    const cases: [string, URLSearchParams][] = [
      ['wrong key', signedParams(WHOLE_WEEK, { ...alice, apiKey: 'other-key' })],
      ['unknown login', signedParams(WHOLE_WEEK, { login: 'bob', apiKey: 'alice-key' })],
      ['ts 301 s old', signedParams(WHOLE_WEEK, { ...alice, ts: NOW_SECONDS - 301 })],
      ['ts 301 s ahead', signedParams(WHOLE_WEEK, { ...alice, ts: NOW_SECONDS + 301 })],
      ['ts in milliseconds', signedParams(WHOLE_WEEK, { ...alice, ts: NOW_MS })],
      ['demo account', signedParams(WHOLE_WEEK)],
    ];
    const fractional = new URLSearchParams({ ...WHOLE_WEEK, api_login: 'alice' });
    fractional.set('ts', `${NOW_SECONDS}.5`);
    fractional.set('signature', sign(alice, `${NOW_SECONDS}.5`));
    cases.push(['fractional ts', fractional]);
    const unsigned = signedParams(WHOLE_WEEK, alice);
    unsigned.delete('signature');
    cases.push(['no signature', unsigned]);
    for (const [name, params] of cases) {
      const response = await post(emulator.endpoint, params);
      assert.equal(response.status, 200, name);
      assert.deepEqual(response.body, { status: 'fail', error: 'Wrong signature' }, name);
    }
  });

  it('accepts ts within 300 s', async () => {
    const emulator = await start();
    for (const ts of [NOW_SECONDS - 300, NOW_SECONDS + 300]) {
      const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK, { ts }));
      assert.equal(response.body.status, 'success', `ts ${ts}`);
    }
  });

  it('filters by prefix and show', async () => {
    const emulator = await start();
    const byPrefix = await post(emulator.endpoint, signedParams({ ...WHOLE_WEEK, prefix: '44' }));
    assert.deepEqual(ids(byPrefix), ['105', '103', '101']);
    const failed = await post(emulator.endpoint, signedParams({ ...WHOLE_WEEK, show: 'bad' }));
    assert.deepEqual(ids(failed), ['105', '103', '102']);
    const both = signedParams({ ...WHOLE_WEEK, prefix: '44', show: 'bad' });
    assert.deepEqual(ids(await post(emulator.endpoint, both)), ['105', '103']);
    const all = signedParams({ ...WHOLE_WEEK, prefix: '', show: 'all' });
    assert.equal(ids(await post(emulator.endpoint, all)).length, 6);
  });

  it('filters by inclusive date range', async () => {
    const emulator = await start();
    const range = { date_from: '2024-03-01 11:00:00', date_to: '2024-03-03 00:00:00' };
    const response = await post(emulator.endpoint, signedParams(range));
    assert.deepEqual(ids(response), ['105', '104', '103', '102']);
  });

  it('pages through the full result', async () => {
    const emulator = await start({ cdrs: undefined, dataset: { seed: 5, count: 3000, days: 7 } });
    assert.equal(emulator.cdrs.length, 3000);
    const everything = ids(await post(emulator.endpoint, signedParams(WHOLE_YEAR)));
    assert.equal(everything.length, 3000);
    const paged: string[] = [];
    for (let off = 0; off < 3000; off += 700) {
      const page = { ...WHOLE_YEAR, pager: '700', off: String(off) };
      const pageIds = ids(await post(emulator.endpoint, signedParams(page)));
      assert.equal(pageIds.length, off + 700 <= 3000 ? 700 : 200, `page at ${off}`);
      paged.push(...pageIds);
    }
    assert.deepEqual(paged, everything);
    const past = signedParams({ ...WHOLE_YEAR, pager: '700', off: '3000' });
    assert.deepEqual(ids(await post(emulator.endpoint, past)), []);
  });

  it('serves calls added later', async () => {
    const emulator = await start();
    const firstPage = signedParams({ ...WHOLE_WEEK, pager: '2', off: '0' });
    assert.deepEqual(ids(await post(emulator.endpoint, firstPage)), ['100', '105']);
    emulator.addCdrs([makeCdr('106', '33612345678', '2024-03-03 12:00:00', '16')]);
    assert.equal(emulator.cdrs.length, 7);
    assert.deepEqual(ids(await post(emulator.endpoint, firstPage)), ['106', '100']);
  });

  it('rejects invalid parameters', async () => {
    const emulator = await start();
    const cases: [Record<string, string>, string][] = [
      [{ ...WHOLE_WEEK, pager: '10' }, 'Missing off:'],
      [{ ...WHOLE_WEEK, off: '0' }, 'Missing pager:'],
      [{ ...WHOLE_WEEK, pager: 'ten', off: '0' }, 'Invalid pager:'],
      [{ ...WHOLE_WEEK, pager: '0', off: '0' }, 'Invalid pager:'],
      [{ ...WHOLE_WEEK, pager: '-5', off: '0' }, 'Invalid pager:'],
      [
        { ...WHOLE_WEEK, pager: '10001', off: '0' },
        'Invalid pager: the maximum page size is 10000',
      ],
      [{ ...WHOLE_WEEK, pager: '10', off: '-1' }, 'Invalid off:'],
      [{ ...WHOLE_WEEK, pager: '10', off: '1.5' }, 'Invalid off:'],
      [
        { ...WHOLE_WEEK, date_from: '2024-02-30 00:00:00' },
        'Invalid date_from: expected YYYY-MM-DD HH:MM:SS',
      ],
      [
        { ...WHOLE_WEEK, date_to: '2024-03-08T00:00:00Z' },
        'Invalid date_to: expected YYYY-MM-DD HH:MM:SS',
      ],
      [{ date_from: WHOLE_WEEK.date_from }, 'Missing date_to:'],
      [{ date_from: '2024-03-09 00:00:00', date_to: '2024-03-08 00:00:00' }, 'Invalid date range:'],
      [{ ...WHOLE_WEEK, show: 'good' }, 'Invalid show: expected all or bad'],
      [{ ...WHOLE_WEEK, prefix: '+44' }, 'Invalid prefix:'],
    ];
    for (const [fields, expectedStart] of cases) {
      const response = await post(emulator.endpoint, signedParams(fields));
      const label = JSON.stringify(fields);
      assert.equal(response.status, 200, label);
      assert.equal(response.body.status, 'error', label);
      assert.ok(
        response.body.message?.startsWith(expectedStart),
        `${label}: ${response.body.message}`,
      );
    }
  });

  it('answers GET with a query string', async () => {
    const emulator = await start();
    const params = signedParams({ ...WHOLE_WEEK, prefix: '44', pager: '2', off: '1' });
    assert.deepEqual(ids(await get(emulator.endpoint, params)), ['103', '101']);
    assert.deepEqual(ids(await get(`${emulator.endpoint}/`, params)), ['103', '101']);
  });

  it('limits requests per second', async () => {
    let clock = NOW_MS;
    const emulator = await start({ now: () => clock, rateLimit: { perSecond: 3, perHour: 0 } });
    for (let i = 0; i < 3; i++) {
      const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
      assert.equal(response.status, 200, `request ${i + 1}`);
    }
    const limited = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.deepEqual(limited.body, { status: 'error', message: 'Rate limit exceeded' });
    clock += 1000;
    const later = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
    assert.equal(later.status, 200);
  });

  it('limits requests per hour', async () => {
    const clock = Date.UTC(2024, 2, 8, 12, 59, 30);
    const emulator = await start({ now: () => clock, rateLimit: { perSecond: 0, perHour: 2 } });
    const signer = { ts: clock / 1000 };
    for (let i = 0; i < 2; i++) {
      const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK, signer));
      assert.equal(response.status, 200, `request ${i + 1}`);
    }
    const limited = await post(emulator.endpoint, signedParams(WHOLE_WEEK, signer));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '30');
  });

  it('turns limits off with 0', async () => {
    const emulator = await start({ rateLimit: { perSecond: 0, perHour: 0 } });
    for (let i = 0; i < 30; i++) {
      const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
      assert.equal(response.status, 200, `request ${i + 1}`);
    }
  });

  it('returns 404 for other paths', async () => {
    const emulator = await start();
    const response = await fetch(`${emulator.origin}/buyers/other`, { method: 'POST' });
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /<html>/);
  });

  it('returns 405 for other methods', async () => {
    const emulator = await start();
    const response = await fetch(emulator.endpoint, { method: 'PUT' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, POST');
    await response.body?.cancel();
  });

  it('returns 413 for large bodies', async () => {
    const emulator = await start();
    const params = signedParams({ ...WHOLE_WEEK, padding: 'x'.repeat(70_000) });
    const response = await post(emulator.endpoint, params);
    assert.equal(response.status, 413);
    assert.equal(response.body.status, 'error');
  });

  it('rejects a JSON request body', async () => {
    const emulator = await start();
    const body = JSON.stringify(Object.fromEntries(signedParams(WHOLE_WEEK)));
    const response = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    const parsed = (await response.json()) as ApiBody;
    assert.equal(parsed.status, 'error');
    assert.match(parsed.message ?? '', /Content-Type/);
  });

  it('logs requests without secrets', async () => {
    const emulator = await start();
    const params = signedParams({ ...WHOLE_WEEK, prefix: '44' });
    await post(emulator.endpoint, params);
    assert.equal(emulator.requests.length, 1);
    const [entry] = emulator.requests;
    assert.equal(entry.method, 'POST');
    assert.equal(entry.path, '/buyers/callhistory');
    assert.equal(entry.status, 200);
    assert.equal(entry.result, 'success');
    assert.equal(entry.count, 3);
    assert.equal(entry.params.prefix, '44');
    assert.equal(entry.params.api_login, DEMO_LOGIN);
    assert.equal(entry.params.signature, undefined);
    const logged = JSON.stringify(emulator.requests);
    assert.ok(!logged.includes(params.get('signature') ?? '-'), 'signature in the log');
    assert.ok(!logged.includes(DEMO_API_KEY), 'API key in the log');
  });

  it('delays responses by latencyMs', async () => {
    const emulator = await start({ latencyMs: 150 });
    const started = performance.now();
    const response = await post(emulator.endpoint, signedParams(WHOLE_WEEK));
    assert.equal(response.status, 200);
    assert.ok(performance.now() - started >= 140, 'response came too early');
  });

  it('generates a default dataset ending now', async () => {
    const emulator = await start({ cdrs: undefined });
    assert.equal(emulator.cdrs.length, 3000);
    const last = emulator.cdrs[emulator.cdrs.length - 1];
    assert.ok(parseUtc(last.connect_time) <= NOW_MS);
    assert.ok(parseUtc(emulator.cdrs[0].connect_time) >= NOW_MS - 7 * 86_400_000);
  });

  it('closes keep-alive connections', async () => {
    const emulator = await startEmulator({ now: () => NOW_MS, cdrs: FIXTURE });
    await post(emulator.endpoint, signedParams(WHOLE_WEEK));
    const started = performance.now();
    await emulator.close();
    assert.ok(performance.now() - started < 1000, 'close waited for the keep-alive timeout');
    await assert.rejects(fetch(emulator.endpoint));
  });

  it('closes connections with pending responses', async () => {
    const emulator = await startEmulator({ now: () => NOW_MS, cdrs: FIXTURE, latencyMs: 60_000 });
    const pending = post(emulator.endpoint, signedParams(WHOLE_WEEK));
    while (emulator.requests.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = performance.now();
    await emulator.close();
    assert.ok(performance.now() - started < 1000, 'close waited for the pending response');
    await assert.rejects(pending);
  });
});
