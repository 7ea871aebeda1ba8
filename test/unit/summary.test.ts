import assert from 'node:assert/strict';
import {
  MAX_DAY_BUCKETS,
  MAX_HOUR_BUCKETS,
  SummaryCall,
  TimeBucket,
  columnSpanHours,
  mergeBuckets,
  summarize,
} from '../../src/model/summary';

const HOUR_MS = 3_600_000;

/** 2024-05-01 10:00:00 UTC, the hour of the earliest call in {@link CALLS}. */
const HOUR_10 = Date.UTC(2024, 4, 1, 10);

function at(hour: number, minute: number, second = 0): number {
  return Date.UTC(2024, 4, 1, hour, minute, second);
}

function call(fields: Partial<SummaryCall>): SummaryCall {
  return {
    time: at(10, 0),
    answered: false,
    duration: 0,
    billed: null,
    amountMicros: 0,
    code: null,
    reason: '',
    country: 'Germany',
    vendor: 'IDT',
    ...fields,
  };
}

/**
 * Nine calls, not in time order. Hand-computed totals:
 * - attempts 9, answered 3 (A, B, E), failed 6, so ASR 3/9 = 1/3.
 * - NER counts the answered 3 plus the unanswered 17 (C), 19 (F) and 21 (H), so 6/9 = 2/3.
 *   Cause 34 (D) and the calls without a code (G, I) do not count.
 * - ACD (60 + 30 + 90) / 3 = 60 s; duration 180 s; billed 60 + 36 + 90 + 0 = 186 s.
 * - cost 10000 + 3000 + 15000 = 28000 micro-units.
 * - hours: 10:00 has A, B, C (2 answered); 11:00 is empty; 12:00 has D, E, H, I (1 answered).
 *   F (time null) and G (time NaN) are undated.
 */
const CALLS: readonly SummaryCall[] = [
  // E
  call({
    time: at(12, 30),
    answered: true,
    duration: 90,
    billed: 90,
    amountMicros: 15_000,
    code: 16,
    reason: 'Normal Call Clearing',
    country: 'Germany',
    vendor: 'Telia',
  }),
  // A
  call({
    time: at(10, 5),
    answered: true,
    duration: 60,
    billed: 60,
    amountMicros: 10_000,
    code: 16,
    reason: 'Normal Call Clearing',
    country: 'United Kingdom',
    vendor: 'IDT',
  }),
  // B: another spelling of cause 16's reason, and a country with stray spaces.
  call({
    time: at(10, 40),
    answered: true,
    duration: 30,
    billed: 36,
    amountMicros: 3_000,
    code: 16,
    reason: 'Normal call clearing',
    country: ' United Kingdom ',
    vendor: 'Bics',
  }),
  // C: the last second of hour 10.
  call({
    time: at(10, 59, 59),
    code: 17,
    reason: 'User busy',
    country: 'Germany',
    vendor: 'IDT',
  }),
  // D
  call({
    time: at(12, 0),
    amountMicros: null,
    code: 34,
    reason: 'No circuit/channel available',
    country: 'Germany',
    vendor: 'IDT',
  }),
  // F
  call({
    time: null,
    billed: 0,
    code: 19,
    reason: 'No answer from user (user alerted)',
    country: '',
    vendor: '',
  }),
  // G: nothing but a country and a vendor.
  call({
    time: NaN,
    duration: null,
    amountMicros: null,
    code: null,
    reason: '',
    country: 'France',
    vendor: 'Bics',
  }),
  // H: a code without a reason.
  call({ time: at(12, 59), code: 21, reason: '', country: 'France', vendor: 'Bics' }),
  // I: a reason without a code, and a blank country.
  call({ time: at(12, 10), code: null, reason: ' Carrier error ', country: '  ', vendor: 'Bics' }),
];

describe('summarize totals', () => {
  const summary = summarize(CALLS);

  it('counts attempts and answers', () => {
    assert.equal(summary.attempts, 9);
    assert.equal(summary.answered, 3);
    assert.equal(summary.failed, 6);
  });

  it('computes ASR', () => {
    assert.equal(summary.asr, 1 / 3);
  });

  it('computes NER from E.425 causes', () => {
    assert.equal(summary.effective, 6);
    assert.equal(summary.ner, 2 / 3);
  });

  it('computes ACD over answered calls', () => {
    assert.equal(summary.acdSeconds, 60);
  });

  it('sums duration and billed seconds', () => {
    assert.equal(summary.durationSeconds, 180);
    assert.equal(summary.billedSeconds, 186);
  });

  it('sums cost exactly', () => {
    assert.equal(summary.amountMicros, 28_000n);
  });
});

describe('summarize breakdowns', () => {
  const summary = summarize(CALLS);

  it('groups by trimmed country', () => {
    // Germany: C, D, E. Blank: F, I. France: G, H. United Kingdom: A, B.
    assert.deepEqual(summary.byCountry, [
      {
        label: 'Germany',
        attempts: 3,
        answered: 1,
        asr: 1 / 3,
        durationSeconds: 90,
        amountMicros: 15_000n,
      },
      {
        label: '(unknown)',
        attempts: 2,
        answered: 0,
        asr: 0,
        durationSeconds: 0,
        amountMicros: 0n,
      },
      { label: 'France', attempts: 2, answered: 0, asr: 0, durationSeconds: 0, amountMicros: 0n },
      {
        label: 'United Kingdom',
        attempts: 2,
        answered: 2,
        asr: 1,
        durationSeconds: 90,
        amountMicros: 13_000n,
      },
    ]);
  });

  it('groups by vendor', () => {
    // Bics: B, G, H, I. IDT: A, C, D. Telia: E. Empty: F.
    assert.deepEqual(summary.byVendor, [
      {
        label: 'Bics',
        attempts: 4,
        answered: 1,
        asr: 0.25,
        durationSeconds: 30,
        amountMicros: 3_000n,
      },
      {
        label: 'IDT',
        attempts: 3,
        answered: 1,
        asr: 1 / 3,
        durationSeconds: 60,
        amountMicros: 10_000n,
      },
      {
        label: '(unknown)',
        attempts: 1,
        answered: 0,
        asr: 0,
        durationSeconds: 0,
        amountMicros: 0n,
      },
      {
        label: 'Telia',
        attempts: 1,
        answered: 1,
        asr: 1,
        durationSeconds: 90,
        amountMicros: 15_000n,
      },
    ]);
  });

  it('groups by cause code', () => {
    // Cause 16 (A, B, E) keeps the reason seen first. The rest have one call each and sort by
    // label in code-unit order: '(' < '1' < '2' < '3' < 'C'.
    const failed = { attempts: 1, answered: 0, asr: 0, durationSeconds: 0, amountMicros: 0n };
    assert.deepEqual(summary.byCause, [
      {
        label: '16 Normal Call Clearing',
        attempts: 3,
        answered: 3,
        asr: 1,
        durationSeconds: 180,
        amountMicros: 28_000n,
      },
      { label: '(unknown)', ...failed },
      { label: '17 User busy', ...failed },
      { label: '19 No answer from user (user alerted)', ...failed },
      { label: '21', ...failed },
      { label: '34 No circuit/channel available', ...failed },
      { label: 'Carrier error', ...failed },
    ]);
  });

  it('labels cause with later reason', () => {
    const summary = summarize([
      call({ code: 21, reason: '' }),
      call({ code: 21, reason: 'Call rejected' }),
      call({ code: 21, reason: 'Call Rejected' }),
    ]);

    assert.deepEqual(
      summary.byCause.map((row) => [row.label, row.attempts]),
      [['21 Call rejected', 3]],
    );
  });

  it('keeps reason-only cause apart', () => {
    const summary = summarize([
      call({ code: 17, reason: 'User busy' }),
      call({ code: null, reason: 'User busy' }),
    ]);

    assert.deepEqual(
      summary.byCause.map((row) => row.label),
      ['17 User busy', 'User busy'],
    );
  });
});

describe('summarize unsafe characters', () => {
  it('groups labels as they are shown', () => {
    const summary = summarize([
      call({ vendor: 'Telia', country: 'Sweden', reason: 'User busy', code: null }),
      call({
        vendor: '\u2067Telia\u2069',
        country: 'Sweden\u200F',
        reason: 'User\u202E busy',
        code: null,
      }),
      call({ vendor: '\u202E', country: 'Sweden', reason: '', code: 17 }),
      call({ vendor: 'IDT', country: 'Sweden', reason: 'User\r\nbusy\u202E', code: 17 }),
    ]);

    assert.deepEqual(
      summary.byVendor.map((row) => [row.label, row.attempts]),
      [
        ['Telia', 2],
        ['(unknown)', 1],
        ['IDT', 1],
      ],
    );
    assert.deepEqual(
      summary.byCountry.map((row) => [row.label, row.attempts]),
      [['Sweden', 4]],
    );
    assert.deepEqual(
      summary.byCause.map((row) => [row.label, row.attempts]),
      [
        ['17 User busy', 2],
        ['User busy', 2],
      ],
    );
  });
});

describe('summarize hourly buckets', () => {
  const summary = summarize(CALLS);

  it('lists hours with empty middle', () => {
    assert.equal(summary.bucketHours, 1);
    assert.deepEqual(summary.perHour, [
      { start: HOUR_10, attempts: 3, answered: 2 },
      { start: HOUR_10 + HOUR_MS, attempts: 0, answered: 0 },
      { start: HOUR_10 + 2 * HOUR_MS, attempts: 4, answered: 1 },
    ]);
  });

  it('counts calls without time', () => {
    assert.equal(summary.undated, 2);
  });

  it('handles only undated calls', () => {
    const summary = summarize([call({ time: null }), call({ time: Infinity })]);

    assert.deepEqual(summary.perHour, []);
    assert.equal(summary.undated, 2);
    assert.equal(summary.attempts, 2);
  });

  it('starts bucket on the whole hour', () => {
    const summary = summarize([call({ time: at(23, 59, 59) })]);

    assert.deepEqual(summary.perHour, [
      { start: Date.UTC(2024, 4, 1, 23), attempts: 1, answered: 0 },
    ]);
  });
});

describe('summarize day buckets', () => {
  const JANUARY_1 = Date.UTC(2024, 0, 1);
  const DAY_MS = 24 * HOUR_MS;

  it('keeps hours up to the limit', () => {
    const last = JANUARY_1 + (MAX_HOUR_BUCKETS - 1) * HOUR_MS;
    const summary = summarize([call({ time: JANUARY_1 }), call({ time: last })]);

    assert.equal(summary.bucketHours, 1);
    assert.equal(summary.perHour.length, 24 * 92);
  });

  it('switches to days past the limit', () => {
    // 24 * 92 hours after 2024-01-01 00:00 is 2024-04-02 00:00 (31 + 29 + 31 + 1 days later),
    // so there are 2,209 hours, and days 0 to 92 make 93 day buckets.
    const last = JANUARY_1 + MAX_HOUR_BUCKETS * HOUR_MS;
    const summary = summarize([call({ time: JANUARY_1 }), call({ time: last })]);

    assert.equal(last, Date.UTC(2024, 3, 2));
    assert.equal(summary.bucketHours, 24);
    assert.equal(summary.perHour.length, 93);
    assert.equal(summary.perHour[92].start, Date.UTC(2024, 3, 2));
  });

  it('buckets by UTC day', () => {
    // 2024-01-01 05:00 to 2024-04-05 23:00 spans more than 92 days. Days 0 (1 January) to 95
    // (5 April) make 96 buckets.
    const summary = summarize([
      call({ time: Date.UTC(2024, 1, 10, 23, 59), answered: true, duration: 5 }),
      call({ time: Date.UTC(2024, 0, 1, 5) }),
      call({ time: Date.UTC(2024, 1, 10, 0, 0) }),
      call({ time: Date.UTC(2024, 3, 5, 23) }),
      call({ time: null }),
    ]);

    assert.equal(summary.bucketHours, 24);
    assert.equal(summary.perHour.length, 96);
    assert.equal(summary.perHour[0].start, JANUARY_1);
    // 10 February is day 31 + 9 = 40 of the year, counting from 0.
    assert.deepEqual(summary.perHour[40], {
      start: JANUARY_1 + 40 * DAY_MS,
      attempts: 2,
      answered: 1,
    });
    assert.deepEqual(summary.perHour[41], {
      start: JANUARY_1 + 41 * DAY_MS,
      attempts: 0,
      answered: 0,
    });
    assert.deepEqual(summary.perHour[95], {
      start: Date.UTC(2024, 3, 5),
      attempts: 1,
      answered: 0,
    });
    assert.equal(summary.undated, 1);
  });
});

describe('summarize far-dated calls', () => {
  const DAY_MS = 24 * HOUR_MS;
  /** 2,000 calls from 2026-03-02 00:07 UTC, one every 2 minutes 9 seconds: about 3 days. */
  const normal = Array.from({ length: 2000 }, (_, index) =>
    call({ time: Date.UTC(2026, 2, 2, 0, 7) + index * 129_000, answered: index % 3 === 0 }),
  );
  const yearZero = Date.parse('0000-01-01T00:00:00Z');
  const year9999 = Date.parse('9999-12-31T00:00:00Z');

  it('charts the calls without the far dates', () => {
    const started = process.hrtime.bigint();
    const summary = summarize([
      call({ time: yearZero }),
      ...normal,
      call({ time: year9999, answered: true }),
    ]);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `      figure: summary of 2,002 calls over 10,000 years in ${elapsed.toFixed(1)} ms`,
    );

    // The last normal call is at 00:07 + 1999 * 129 s = 00:07 + 71:37:51, so the normal calls
    // fill the 72 hours from 2026-03-02 00:00 to 2026-03-04 23:00.
    const last = Date.UTC(2026, 2, 2, 0, 7) + 1999 * 129_000;
    assert.equal(new Date(last).toISOString(), '2026-03-04T23:44:51.000Z');
    assert.equal(summary.bucketHours, 1);
    assert.equal(summary.perHour.length, 72);
    assert.equal(summary.perHour[0].start, Date.UTC(2026, 2, 2));
    assert.equal(summary.perHour[71].start, Date.UTC(2026, 2, 4, 23));
    assert.equal(summary.outsideChart, 2);
    assert.equal(summary.undated, 0);
    assert.equal(summary.attempts, 2002);
    const charted = summary.perHour.reduce((sum, bucket) => sum + bucket.attempts, 0);
    assert.equal(charted, 2000);
  });

  it('reports nothing outside a normal span', () => {
    assert.equal(summarize(normal).outsideChart, 0);
    assert.equal(summarize(CALLS).outsideChart, 0);
  });

  it('keeps every day up to the limit', () => {
    const first = Date.UTC(2016, 0, 1);
    const last = first + (MAX_DAY_BUCKETS - 1) * DAY_MS + 5 * HOUR_MS;
    const summary = summarize([call({ time: first }), call({ time: last })]);

    assert.equal(summary.bucketHours, 24);
    assert.equal(summary.perHour.length, MAX_DAY_BUCKETS);
    assert.equal(summary.outsideChart, 0);
  });

  it('keeps the busier part past the limit', () => {
    const old = Date.UTC(2000, 5, 1);
    const recent = old + MAX_DAY_BUCKETS * DAY_MS;
    const summary = summarize([
      call({ time: old }),
      call({ time: old + HOUR_MS }),
      call({ time: recent }),
    ]);

    assert.equal(summary.bucketHours, 1);
    assert.deepEqual(
      summary.perHour.map((bucket) => bucket.start),
      [old, old + HOUR_MS],
    );
    assert.equal(summary.outsideChart, 1);
  });

  it('keeps the most recent of equal parts', () => {
    const old = Date.UTC(2000, 5, 1);
    const recent = Date.UTC(2020, 5, 1, 14);
    const summary = summarize([call({ time: recent }), call({ time: old })]);

    assert.deepEqual(summary.perHour, [{ start: recent, attempts: 1, answered: 0 }]);
    assert.equal(summary.outsideChart, 1);
  });

  it('bounds buckets for calls spread over centuries', () => {
    // One call on the first day of every year from 1000 to 2999.
    const calls = Array.from({ length: 2000 }, (_, index) =>
      call({ time: Date.parse(`${String(1000 + index)}-01-01T00:00:00Z`) }),
    );
    const summary = summarize(calls);

    assert.equal(summary.bucketHours, 24);
    assert.ok(summary.perHour.length <= MAX_DAY_BUCKETS, `${summary.perHour.length} buckets`);
    const charted = summary.perHour.reduce((sum, bucket) => sum + bucket.attempts, 0);
    // Ten whole years hold 10 or 11 New Year's days, depending on leap days.
    assert.ok(charted >= 10, `${charted} calls charted`);
    assert.ok(charted <= 11, `${charted} calls charted`);
    assert.equal(summary.outsideChart, 2000 - charted);
    assert.equal(summary.perHour.at(-1)?.start, Date.parse('2999-01-01T00:00:00Z'));
  });

  it('counts times beyond the Date range as undated', () => {
    const summary = summarize([call({ time: 1e20 }), call({ time: -1e20 }), call({})]);

    assert.equal(summary.undated, 2);
    assert.equal(summary.perHour.length, 1);
    assert.equal(summary.outsideChart, 0);
  });
});

describe('mergeBuckets', () => {
  /** Hourly buckets from 2026-01-05 13:00 UTC for 88 days, one call each, every third answered. */
  const FIRST = Date.UTC(2026, 0, 5, 13);
  const hourly: TimeBucket[] = Array.from({ length: 88 * 24 }, (_, index) => ({
    start: FIRST + index * HOUR_MS,
    attempts: 1,
    answered: index % 3 === 0 ? 1 : 0,
  }));

  function totals(columns: readonly { attempts: number; answered: number }[]) {
    return {
      attempts: columns.reduce((sum, column) => sum + column.attempts, 0),
      answered: columns.reduce((sum, column) => sum + column.answered, 0),
    };
  }

  it('keeps hourly buckets that fit', () => {
    const columns = mergeBuckets(hourly.slice(0, 30), 1, 100);

    assert.equal(columns.length, 30);
    assert.equal(columns[0].start, FIRST);
    assert.equal(columns[0].hours, 1);
  });

  it('merges into aligned 6-hour columns', () => {
    const columns = mergeBuckets(hourly, 1, 400);

    // 2,112 hours need 704 columns of 3 hours and 528 of 4, so 6 hours is the first span that
    // fits. Columns run from 12:00 on 5 January to 12:00 on 3 April: 88 * 4 + 1 columns.
    assert.equal(columns.length, 353);
    assert.equal(columns[0].start, Date.UTC(2026, 0, 5, 12));
    assert.equal(columns[352].start, Date.UTC(2026, 3, 3, 12));
    assert.ok(columns.every((column) => column.hours === 6));
    assert.equal(columns[0].attempts, 5);
    assert.equal(columns[1].attempts, 6);
    assert.deepEqual(totals(columns), totals(hourly));
  });

  it('merges into UTC calendar days', () => {
    const columns = mergeBuckets(hourly, 1, 100);

    // 5 January to 3 April 2026, both included, is 27 + 28 + 31 + 3 = 89 days.
    assert.equal(columns.length, 89);
    assert.equal(columns[0].start, Date.UTC(2026, 0, 5));
    assert.equal(columns[88].start, Date.UTC(2026, 3, 3));
    assert.ok(columns.every((column) => column.hours === 24));
    assert.equal(columns[0].attempts, 11);
    assert.equal(columns[1].attempts, 24);
    assert.equal(columns[88].attempts, 13);
    assert.deepEqual(totals(columns), totals(hourly));
  });

  it('merges into whole days aligned to their span', () => {
    const columns = mergeBuckets(hourly, 1, 40);
    const span = columns[0].hours;

    assert.equal(span, 72);
    for (const [index, column] of columns.entries()) {
      assert.equal(column.hours, span);
      assert.equal(column.start % (span * HOUR_MS), 0, `column ${index} is not aligned`);
      if (index > 0) {
        assert.equal(column.start, columns[index - 1].start + span * HOUR_MS);
      }
    }
    assert.ok(columns.length <= 40, `${columns.length} columns`);
    assert.ok(columns[0].start <= FIRST);
    assert.ok(columns[columns.length - 1].start + span * HOUR_MS > hourly[hourly.length - 1].start);
    assert.deepEqual(totals(columns), totals(hourly));
  });

  it('never splits day buckets', () => {
    const days: TimeBucket[] = Array.from({ length: 10 }, (_, index) => ({
      start: Date.UTC(2026, 0, 1) + index * 24 * HOUR_MS,
      attempts: 2,
      answered: 1,
    }));
    const columns = mergeBuckets(days, 24, 1000);

    assert.equal(columns.length, 10);
    assert.ok(columns.every((column) => column.hours === 24));
  });

  it('returns no columns for no buckets', () => {
    assert.deepEqual(mergeBuckets([], 1, 100), []);
  });
});

describe('columnSpanHours', () => {
  it('picks divisors of a day, then whole days', () => {
    // 2026-01-05 13:00 to 2026-04-03 12:00 in hours since the epoch.
    const first = Date.UTC(2026, 0, 5, 13) / HOUR_MS;
    const last = first + 88 * 24 - 1;
    for (let maxColumns = 2; maxColumns <= 2200; maxColumns++) {
      const span = columnSpanHours(first, last, 1, maxColumns);
      assert.ok(
        [1, 2, 3, 4, 6, 12].includes(span) || span % 24 === 0,
        `span ${span} for ${maxColumns} columns`,
      );
      const count = Math.floor(last / span) - Math.floor(first / span) + 1;
      assert.ok(count <= maxColumns, `${count} columns of ${span} hours for ${maxColumns}`);
    }
  });

  it('stops at two columns for one allowed', () => {
    const first = Date.UTC(2026, 0, 5, 13) / HOUR_MS;
    const span = columnSpanHours(first, first + 100, 1, 1);

    assert.equal(span % 24, 0);
    assert.ok(Math.floor((first + 100) / span) - Math.floor(first / span) + 1 <= 2);
  });

  it('handles hours before 1970', () => {
    const first = Date.parse('1969-12-30T05:00:00Z') / HOUR_MS;
    const span = columnSpanHours(first, first + 200, 1, 10);

    assert.equal(span, 24);
  });
});

describe('summarize edge cases', () => {
  it('summarizes empty input', () => {
    const summary = summarize([]);

    assert.equal(summary.attempts, 0);
    assert.equal(summary.answered, 0);
    assert.equal(summary.failed, 0);
    assert.equal(summary.effective, 0);
    assert.equal(summary.asr, null);
    assert.equal(summary.ner, null);
    assert.equal(summary.acdSeconds, null);
    assert.equal(summary.durationSeconds, 0);
    assert.equal(summary.billedSeconds, 0);
    assert.equal(summary.amountMicros, 0n);
    assert.deepEqual(summary.byCountry, []);
    assert.deepEqual(summary.byVendor, []);
    assert.deepEqual(summary.byCause, []);
    assert.deepEqual(summary.perHour, []);
    assert.equal(summary.bucketHours, 1);
    assert.equal(summary.undated, 0);
    assert.equal(summary.outsideChart, 0);
  });

  it('gives no ACD without answers', () => {
    const summary = summarize([call({ code: 34 }), call({ code: 17 })]);

    assert.equal(summary.asr, 0);
    assert.equal(summary.ner, 0.5);
    assert.equal(summary.acdSeconds, null);
  });

  it('reads a generator once', () => {
    function* generate(): Generator<SummaryCall> {
      yield call({ answered: true, duration: 10 });
      yield call({ answered: false });
    }

    const summary = summarize(generate());

    assert.equal(summary.attempts, 2);
    assert.equal(summary.acdSeconds, 10);
  });

  it('rejects fractional amountMicros', () => {
    assert.throws(() => summarize([call({ amountMicros: 1.5 })]), RangeError);
  });
});

describe('summarize money exactness', () => {
  it('sums many micro-units', () => {
    const calls = Array.from({ length: 100_000 }, () => call({ amountMicros: 1 }));
    const summary = summarize(calls);

    // Adding 0.000001 as a float 100,000 times gives 0.10000000000007934, not 0.1.
    assert.equal(summary.amountMicros, 100_000n);
    assert.equal(summary.byVendor[0].amountMicros, 100_000n);
  });

  it('sums beyond float precision', () => {
    // 3 * (2^53 - 1) = 27021597764222973 is odd and above 2^54, where floats hold only
    // multiples of 4, so a float sum cannot be right.
    const amount = Number.MAX_SAFE_INTEGER;
    const summary = summarize([
      call({ amountMicros: amount, country: 'A' }),
      call({ amountMicros: amount, country: 'A' }),
      call({ amountMicros: amount, country: 'A' }),
    ]);

    assert.notEqual(BigInt(amount + amount + amount), 27_021_597_764_222_973n);
    assert.equal(summary.amountMicros, 27_021_597_764_222_973n);
    assert.equal(summary.byCountry[0].amountMicros, 27_021_597_764_222_973n);
  });

  it('adds negative amounts', () => {
    const summary = summarize([call({ amountMicros: 5_000 }), call({ amountMicros: -1_200 })]);

    assert.equal(summary.amountMicros, 3_800n);
  });
});
