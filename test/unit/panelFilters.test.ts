import * as assert from 'node:assert/strict';
import {
  DEFAULT_FILTERS,
  filtersFromRequest,
  isPanelFilters,
  validateFilters,
} from '../../src/panel/filters';
import { parseFromPanel, selectedKeyOf } from '../../src/panel/messages';
import type { PanelFilters } from '../../src/panel/protocol';

function filters(changes: Partial<PanelFilters>): PanelFilters {
  return { ...DEFAULT_FILTERS, ...changes };
}

describe('validateFilters', () => {
  it('turns valid filters into a query', () => {
    const result = validateFilters(filters({ prefix: ' +44 20 ', show: 'bad', pageSize: '250' }));
    assert.deepEqual(result.errors, {});
    assert.deepEqual(result.query, {
      window: 'last24Hours',
      prefix: '4420',
      show: 'bad',
      pageSize: 250,
    });
  });

  it('keeps a custom range as typed', () => {
    const result = validateFilters(
      filters({ window: 'custom', from: ' 2026-03-01 ', to: '2026-03-02 12:00:00' }),
    );
    assert.deepEqual(result.query, {
      window: 'custom',
      from: '2026-03-01',
      to: '2026-03-02 12:00:00',
      prefix: '',
      show: 'all',
      pageSize: 100,
    });
  });

  it('reports an end before the start on the end field', () => {
    const result = validateFilters(
      filters({ window: 'custom', from: '2026-03-02', to: '2026-03-01 23:59:59' }),
    );
    assert.equal(result.query, undefined);
    assert.deepEqual(result.errors, { to: 'The end is before the start' });
  });

  it('accepts a range within one day', () => {
    const result = validateFilters(
      filters({ window: 'custom', from: '2026-03-02', to: '2026-03-02' }),
    );
    assert.deepEqual(result.errors, {});
  });

  it('reports missing and malformed range ends', () => {
    const result = validateFilters(filters({ window: 'custom', from: '', to: '2026-02-30' }));
    assert.match(result.errors.from ?? '', /^Enter a start/);
    assert.match(result.errors.to ?? '', /^Use YYYY-MM-DD/);
  });

  it('ignores range fields of a preset window', () => {
    const result = validateFilters(filters({ window: 'today', from: 'junk', to: 'junk' }));
    assert.deepEqual(result.errors, {});
    assert.equal(result.query?.from, undefined);
  });

  for (const prefix of ['44a', '4-4', '<b>']) {
    it(`reports prefix "${prefix}"`, () => {
      const result = validateFilters(filters({ prefix }));
      assert.equal(result.query, undefined);
      assert.match(result.errors.prefix ?? '', /digits only/);
    });
  }

  for (const pageSize of ['0', '5001', '6000', '-5', '2.5', 'ten', '', '1e3']) {
    it(`reports page size "${pageSize}"`, () => {
      const result = validateFilters(filters({ pageSize }));
      assert.equal(result.query, undefined);
      assert.equal(result.errors.pageSize, 'Use a whole number from 1 to 5000');
    });
  }

  it('reports every invalid field at once', () => {
    const result = validateFilters(filters({ prefix: 'x', pageSize: '0', show: 'some' as 'all' }));
    assert.deepEqual(Object.keys(result.errors).sort(), ['pageSize', 'prefix', 'show']);
  });

  it('reports an unknown window', () => {
    const result = validateFilters(filters({ window: 'toString' as 'today' }));
    assert.ok(result.errors.window);
  });
});

describe('filtersFromRequest', () => {
  it('round-trips through validation', () => {
    const request = {
      window: 'custom',
      from: '2026-01-01',
      to: '2026-01-03',
      prefix: '1201',
      show: 'bad',
    } as const;
    const form = filtersFromRequest(request, 40);
    assert.deepEqual(validateFilters(form).query, { ...request, pageSize: 40 });
  });
});

describe('panel messages', () => {
  it('parses a sort change', () => {
    const sort = { column: 'amount', descending: true };

    assert.deepEqual(parseFromPanel({ type: 'sort', sort: { ...sort, extra: 1 } }), {
      type: 'sort',
      sort,
    });
    assert.equal(parseFromPanel({ type: 'sort' }), undefined);
    assert.equal(
      parseFromPanel({ type: 'sort', sort: { column: 'nope', descending: true } }),
      undefined,
    );
  });

  it('accepts each well-formed message', () => {
    assert.deepEqual(parseFromPanel({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromPanel({ type: 'select', key: 'i_cdr:7', extra: 1 }), {
      type: 'select',
      key: 'i_cdr:7',
    });
    const apply = { type: 'apply', filters: DEFAULT_FILTERS };
    assert.deepEqual(parseFromPanel(apply), apply);
    assert.deepEqual(parseFromPanel({ type: 'nextRows', transfer: 3 }), {
      type: 'nextRows',
      transfer: 3,
    });
  });

  it('reads the table order from ready', () => {
    const sort = { column: 'amount', descending: false };
    assert.deepEqual(parseFromPanel({ type: 'ready', sort: { ...sort, extra: 1 } }), {
      type: 'ready',
      sort,
    });
  });

  const unsortedReady: [string, unknown][] = [
    ['an unknown column', { column: 'secret', descending: true }],
    ['a direction that is not a boolean', { column: 'time', descending: 'yes' }],
    ['text', 'time'],
    ['null', null],
  ];
  for (const [name, sort] of unsortedReady) {
    it(`reads ready with ${name} as ready without an order`, () => {
      assert.deepEqual(parseFromPanel({ type: 'ready', sort }), { type: 'ready' });
    });
  }

  const malformed: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an unknown type', { type: 'deleteEverything' }],
    ['a key that is not text', { type: 'openJson', key: 7 }],
    ['a key over 64 MiB', { type: 'copyRecord', key: 'k'.repeat(64 * 1024 * 1024 + 1) }],
    ['filters with a number', { type: 'apply', filters: { ...DEFAULT_FILTERS, pageSize: 100 } }],
    ['apply without filters', { type: 'apply' }],
    ['nextRows without a transfer', { type: 'nextRows' }],
    ['nextRows with a fractional transfer', { type: 'nextRows', transfer: 1.5 }],
    ['nextRows with a negative transfer', { type: 'nextRows', transfer: -1 }],
    ['nextRows with a transfer as text', { type: 'nextRows', transfer: '1' }],
  ];
  for (const [name, value] of malformed) {
    it(`refuses ${name}`, () => {
      assert.equal(parseFromPanel(value), undefined);
    });
  }

  it('accepts the long key of a record without i_cdr', () => {
    const key = `content:${JSON.stringify({ description: 'x'.repeat(150_000) })}`;
    assert.deepEqual(parseFromPanel({ type: 'select', key }), { type: 'select', key });
  });

  it('checks filters field by field', () => {
    assert.equal(isPanelFilters(DEFAULT_FILTERS), true);
    assert.equal(isPanelFilters({ ...DEFAULT_FILTERS, prefix: undefined }), false);
  });

  it('reads a selected key from saved state', () => {
    assert.equal(selectedKeyOf({ selectedKey: 'i_cdr:9' }), 'i_cdr:9');
    assert.equal(selectedKeyOf({ selectedKey: null }), undefined);
    assert.equal(selectedKeyOf(undefined), undefined);
  });
});
