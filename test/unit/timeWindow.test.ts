import * as assert from 'node:assert/strict';
import { parseApiDate } from '../../src/client/query';
import {
  describeRequest,
  normalizePrefix,
  parseUserDate,
  resolveQuery,
} from '../../src/model/timeWindow';

/** 2024-03-10 15:30:00 UTC. */
const NOW = Date.UTC(2024, 2, 10, 15, 30, 0);

describe('resolveQuery', () => {
  it('last hour starts one hour back', () => {
    const query = resolveQuery({ window: 'lastHour' }, NOW);
    assert.equal(query.dateFrom.toISOString(), '2024-03-10T14:30:00.000Z');
  });

  it('presets leave the end open', () => {
    const query = resolveQuery({ window: 'last7Days' }, NOW);
    assert.equal(query.dateTo, undefined);
  });

  it('today starts at UTC midnight', () => {
    const query = resolveQuery({ window: 'today' }, NOW);
    assert.equal(query.dateFrom.toISOString(), '2024-03-10T00:00:00.000Z');
  });

  it('last 24 hours starts a day back', () => {
    const query = resolveQuery({ window: 'last24Hours' }, NOW);
    assert.equal(query.dateFrom.toISOString(), '2024-03-09T15:30:00.000Z');
  });

  it('last 7 days starts a week back', () => {
    const query = resolveQuery({ window: 'last7Days' }, NOW);
    assert.equal(query.dateFrom.toISOString(), '2024-03-03T15:30:00.000Z');
  });

  it('custom range keeps both ends', () => {
    const query = resolveQuery(
      { window: 'custom', from: '2024-01-01', to: '2024-01-02 12:00:00' },
      NOW,
    );
    assert.equal(query.dateFrom.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.equal(query.dateTo?.toISOString(), '2024-01-02T12:00:00.000Z');
  });

  it('custom end date means end of day', () => {
    const query = resolveQuery({ window: 'custom', from: '2024-01-01', to: '2024-01-01' }, NOW);
    assert.equal(query.dateTo?.toISOString(), '2024-01-01T23:59:59.000Z');
  });

  it('rejects an end before the start', () => {
    assert.throws(
      () => resolveQuery({ window: 'custom', from: '2024-01-02', to: '2024-01-01 10:00' }, NOW),
      /end is before the start/,
    );
  });

  it('rejects an invalid custom start', () => {
    assert.throws(
      () => resolveQuery({ window: 'custom', from: '2024-02-30', to: '2024-03-01' }, NOW),
      /Invalid start "2024-02-30"/,
    );
  });

  it('rejects a prefix with letters', () => {
    assert.throws(() => resolveQuery({ window: 'today', prefix: '44a' }, NOW), /Invalid prefix/);
  });

  it('rejects an unknown show value', () => {
    const request = { window: 'today', show: 'good' } as unknown as Parameters<
      typeof resolveQuery
    >[0];
    assert.throws(() => resolveQuery(request, NOW), /Invalid show "good"/);
  });

  it('rejects an unknown window', () => {
    const request = { window: 'forever' } as unknown as Parameters<typeof resolveQuery>[0];
    assert.throws(() => resolveQuery(request, NOW), /Invalid time window "forever"/);
  });

  it('normalizes the prefix', () => {
    assert.equal(resolveQuery({ window: 'today', prefix: '+44 20' }, NOW).prefix, '4420');
  });

  it('defaults show to all', () => {
    assert.equal(resolveQuery({ window: 'today' }, NOW).show, 'all');
  });

  for (const pageSize of [0, 5001, 2.5, Number.NaN]) {
    it(`rejects page size ${pageSize}`, () => {
      assert.throws(() => resolveQuery({ window: 'today', pageSize }, NOW), /Invalid page size/);
    });
  }

  it('accepts page sizes 1 and 5000', () => {
    assert.doesNotThrow(() => resolveQuery({ window: 'today', pageSize: 1 }, NOW));
    assert.doesNotThrow(() => resolveQuery({ window: 'today', pageSize: 5000 }, NOW));
  });
});

describe('parseUserDate', () => {
  const cases: [string, string | undefined][] = [
    ['2024-01-02', '2024-01-02T00:00:00.000Z'],
    ['2024-01-02 03:04', '2024-01-02T03:04:00.000Z'],
    ['2024-01-02 03:04:05', '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.000Z'],
    [' 2024-01-02 ', '2024-01-02T00:00:00.000Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z'],
    ['2024-13-01', undefined],
    ['2024-01-02 24:00:00', undefined],
    ['2024-01-02 10:60', undefined],
    ['02/01/2024', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`parses "${text}"`, () => {
      assert.equal(parseUserDate(text)?.toISOString(), expected);
    });
  }
});

describe('normalizePrefix', () => {
  it('drops a leading plus', () => {
    assert.equal(normalizePrefix('+44'), '44');
  });

  it('drops a leading 00', () => {
    assert.equal(normalizePrefix('0044'), '44');
  });

  it('drops spaces', () => {
    assert.equal(normalizePrefix(' 1 201 '), '1201');
  });
});

describe('describeRequest', () => {
  it('describes a preset query', () => {
    assert.equal(
      describeRequest({ window: 'last7Days', prefix: '44', show: 'bad' }),
      'Last 7 days · prefix 44 · failed calls',
    );
  });

  it('describes a custom range', () => {
    assert.equal(
      describeRequest({ window: 'custom', from: '2024-01-01', to: '2024-01-02' }),
      '2024-01-01 – 2024-01-02 UTC · all destinations · all calls',
    );
  });

  it('names a chosen page size', () => {
    assert.equal(
      describeRequest({ window: 'today', prefix: '44', pageSize: 250 }),
      'Today (UTC) · prefix 44 · all calls · pages of 250',
    );
  });
});

describe('parseApiDate', () => {
  it('keeps a two-digit year', () => {
    assert.equal(parseApiDate('0050-06-01 12:00:00')?.toISOString(), '0050-06-01T12:00:00.000Z');
  });

  it('rejects hour 24', () => {
    assert.equal(parseApiDate('2024-06-01 24:00:00'), undefined);
  });

  it('rejects February 30', () => {
    assert.equal(parseApiDate('2024-02-30 00:00:00'), undefined);
  });
});
