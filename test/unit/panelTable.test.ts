import * as assert from 'node:assert/strict';
import { renderPanelHtml } from '../../src/panel/html';
import type { ColumnId, PanelRow, SortOrder } from '../../src/panel/protocol';
import {
  COLUMNS,
  MISSING,
  cellText,
  characterMarker,
  compareRows,
  formatQuantity,
  formatRowAmount,
  formatRowCause,
  formatRowDuration,
  formatRowTime,
  isColumnId,
  matchesSearch,
  mergeSorted,
  revealUnsafe,
  revealUnsafeText,
  rowComparator,
  searchTerms,
  visibleRange,
} from '../../src/panel/table';
import { panelRow as row } from './panelFixtures';

describe('searchTerms', () => {
  it('splits on whitespace and lower-cases', () => {
    assert.deepEqual(searchTerms('  United\tKINGDOM \n telia '), ['united', 'kingdom', 'telia']);
  });

  it('drops a plus before a number only', () => {
    assert.deepEqual(searchTerms('+4420 +abc + +44a'), ['4420', '+abc', '+', '+44a']);
  });

  it('returns no terms for a blank query', () => {
    assert.deepEqual(searchTerms(' \t '), []);
  });
});

describe('matchesSearch', () => {
  const sample = row();

  it('matches every row for an empty query', () => {
    assert.equal(matchesSearch(sample, ''), true);
    assert.equal(matchesSearch(sample, '   '), true);
  });

  const fieldCases: [string, string][] = [
    ['CLI', '2025550'],
    ['CLD', '44207'],
    ['call ID', 'B2C3D4'],
    ['country', 'kingdom'],
    ['vendor', 'TELIA'],
    ['cause code', '16'],
    ['cause reason', 'clearing'],
  ];
  for (const [field, query] of fieldCases) {
    it(`finds a term in the ${field}`, () => {
      assert.equal(matchesSearch(sample, query), true);
    });
  }

  it('ignores a plus before a number', () => {
    assert.equal(matchesSearch(sample, '+442071'), true);
    assert.equal(matchesSearch(sample, '+1202'), true);
  });

  it('requires every term', () => {
    assert.equal(matchesSearch(sample, 'telia kingdom'), true);
    assert.equal(matchesSearch(sample, 'telia germany'), false);
  });

  it('matches a term inside one field only', () => {
    // "domtel" would join the end of the country to the start of the vendor.
    const spanning = row({ country: 'United Kingdom', vendor: 'Telia' });
    assert.equal(matchesSearch(spanning, 'domtel'), false);
    assert.equal(matchesSearch(spanning, 'kingdom\ntelia'), true);
  });

  it('does not search other fields', () => {
    const other = row({ key: 'i_cdr:777', id: '777', charge: 'mismatch' });
    assert.equal(matchesSearch(other, '777'), false);
    assert.equal(matchesSearch(other, 'mismatch'), false);
  });

  it('handles a row without a cause code', () => {
    const noCode = row({ code: null, reason: 'Unknown' });
    assert.equal(matchesSearch(noCode, 'null'), false);
    assert.equal(matchesSearch(noCode, 'unknown'), true);
  });
});

describe('compareRows', () => {
  const sorted = (rows: readonly PanelRow[], sort: SortOrder) =>
    [...rows].sort(rowComparator(sort)).map((entry) => entry.key);

  const numericCases: [ColumnId, keyof PanelRow][] = [
    ['time', 'time'],
    ['duration', 'duration'],
    ['amount', 'amountMicros'],
  ];
  for (const [column, field] of numericCases) {
    it(`sorts ${column} with missing values last both ways`, () => {
      const rows = [
        row({ key: 'k:1', [field]: 30 }),
        row({ key: 'k:2', [field]: null }),
        row({ key: 'k:3', [field]: 10 }),
        row({ key: 'k:4', [field]: 20 }),
      ];
      assert.deepEqual(sorted(rows, { column, descending: false }), ['k:3', 'k:4', 'k:1', 'k:2']);
      assert.deepEqual(sorted(rows, { column, descending: true }), ['k:1', 'k:4', 'k:3', 'k:2']);
    });
  }

  const textCases: [ColumnId, keyof PanelRow][] = [
    ['cli', 'cli'],
    ['cld', 'cld'],
    ['country', 'country'],
    ['vendor', 'vendor'],
  ];
  for (const [column, field] of textCases) {
    it(`sorts ${column} ignoring case with empty text last`, () => {
      const rows = [
        row({ key: 'k:1', [field]: 'b' }),
        row({ key: 'k:2', [field]: '' }),
        row({ key: 'k:3', [field]: 'A' }),
        row({ key: 'k:4', [field]: 'c' }),
      ];
      assert.deepEqual(sorted(rows, { column, descending: false }), ['k:3', 'k:1', 'k:4', 'k:2']);
      assert.deepEqual(sorted(rows, { column, descending: true }), ['k:4', 'k:1', 'k:3', 'k:2']);
    });
  }

  it('sorts digit strings by value', () => {
    const rows = [row({ key: 'k:1', cli: '100' }), row({ key: 'k:2', cli: '20' })];
    assert.deepEqual(sorted(rows, { column: 'cli', descending: false }), ['k:2', 'k:1']);
  });

  it('sorts causes by code, then reason', () => {
    const rows = [
      row({ key: 'k:1', code: 17, reason: 'User busy' }),
      row({ key: 'k:2', code: null, reason: 'Unknown' }),
      row({ key: 'k:3', code: 16, reason: 'Normal Call Clearing' }),
      row({ key: 'k:4', code: 17, reason: 'Busy' }),
    ];
    const ascending = sorted(rows, { column: 'cause', descending: false });
    assert.deepEqual(ascending, ['k:3', 'k:4', 'k:1', 'k:2']);
    const descending = sorted(rows, { column: 'cause', descending: true });
    assert.deepEqual(descending, ['k:1', 'k:4', 'k:3', 'k:2']);
  });

  it('breaks ties by key in numeric order', () => {
    const rows = ['i_cdr:10', 'i_cdr:9', 'i_cdr:100', 'i_cdr:11'].map((key) =>
      row({ key, duration: 0 }),
    );
    const ascending = sorted(rows, { column: 'duration', descending: false });
    assert.deepEqual(ascending, ['i_cdr:9', 'i_cdr:10', 'i_cdr:11', 'i_cdr:100']);
    const descending = sorted(rows, { column: 'duration', descending: true });
    assert.deepEqual(descending, ['i_cdr:100', 'i_cdr:11', 'i_cdr:10', 'i_cdr:9']);
  });

  it('gives one order whatever the input order', () => {
    const rows = Array.from({ length: 50 }, (_, index) =>
      row({ key: `i_cdr:${index}`, duration: index % 4, vendor: index % 3 === 0 ? '' : 'X' }),
    );
    for (const column of COLUMNS.map((spec) => spec.id)) {
      for (const descending of [false, true]) {
        const sort = { column, descending };
        const forward = sorted(rows, sort);
        const backward = sorted([...rows].reverse(), sort);
        assert.deepEqual(backward, forward, `${column} ${descending ? 'descending' : 'ascending'}`);
      }
    }
  });

  it('returns 0 only for the same key', () => {
    const sort: SortOrder = { column: 'vendor', descending: false };
    assert.equal(compareRows(row(), row(), sort), 0);
    assert.ok(compareRows(row({ key: 'k:1' }), row({ key: 'k:2' }), sort) < 0);
  });
});

describe('mergeSorted', () => {
  it('merges two sorted lists', () => {
    const compare = (a: number, b: number) => a - b;
    assert.deepEqual(mergeSorted([1, 4, 9], [2, 3, 10, 11], compare), [1, 2, 3, 4, 9, 10, 11]);
    assert.deepEqual(mergeSorted([], [1], compare), [1]);
    assert.deepEqual(mergeSorted([1], [], compare), [1]);
  });

  it('keeps left items first on ties', () => {
    const compare = (a: { n: number }, b: { n: number }) => a.n - b.n;
    const left = { n: 1, side: 'left' };
    const right = { n: 1, side: 'right' };
    assert.deepEqual(mergeSorted([left], [right], compare), [left, right]);
  });
});

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    assert.deepEqual(visibleRange(0, 100, 20, 1000, 3), { start: 0, end: 8 });
    assert.deepEqual(visibleRange(200, 100, 20, 1000, 3), { start: 7, end: 18 });
  });

  it('counts a partly visible row', () => {
    assert.deepEqual(visibleRange(10, 100, 20, 1000, 0), { start: 0, end: 6 });
  });

  it('stops at the last row', () => {
    assert.deepEqual(visibleRange(19_900, 100, 20, 1000, 5), { start: 990, end: 1000 });
    assert.deepEqual(visibleRange(50_000, 100, 20, 1000, 5), { start: 1000, end: 1000 });
  });

  it('handles empty lists and odd input', () => {
    assert.deepEqual(visibleRange(0, 100, 20, 0, 5), { start: 0, end: 0 });
    assert.deepEqual(visibleRange(-50, 100, 20, 10, 0), { start: 0, end: 5 });
    assert.deepEqual(visibleRange(0, -10, 20, 10, -4), { start: 0, end: 0 });
  });

  it('rejects a row height that is not positive', () => {
    assert.throws(() => visibleRange(0, 100, 0, 10, 0), RangeError);
    assert.throws(() => visibleRange(0, 100, Number.NaN, 10, 0), RangeError);
  });
});

describe('row formatting', () => {
  it('formats times in UTC', () => {
    assert.equal(formatRowTime(Date.UTC(2026, 2, 1, 9, 5, 7)), '2026-03-01 09:05:07');
    assert.equal(formatRowTime(null), MISSING);
    assert.equal(formatRowTime(Number.NaN), MISSING);
    assert.equal(formatRowTime(1e20), MISSING);
  });

  it('formats amounts with six decimals', () => {
    assert.equal(formatRowAmount(3491), '0.003491');
    assert.equal(formatRowAmount(12_500_000), '12.500000');
    assert.equal(formatRowAmount(-5), '-0.000005');
    assert.equal(formatRowAmount(0), '0.000000');
    assert.equal(formatRowAmount(null), MISSING);
    assert.equal(formatRowAmount(0.5), MISSING);
  });

  it('formats durations', () => {
    assert.equal(formatRowDuration(42), '0:42');
    assert.equal(formatRowDuration(3725), '1:02:05');
    assert.equal(formatRowDuration(null), MISSING);
  });

  it('formats causes', () => {
    assert.equal(formatRowCause({ code: 17, reason: 'User busy' }), '17 User busy');
    assert.equal(formatRowCause({ code: null, reason: 'Unknown' }), 'Unknown');
    assert.equal(formatRowCause({ code: 34, reason: '' }), '34');
    assert.equal(formatRowCause({ code: null, reason: '' }), MISSING);
  });

  it('gives the text of every column', () => {
    const expected: Record<ColumnId, string> = {
      time: '2026-03-01 10:00:07',
      cli: '+12025550100',
      cld: '+442071234567',
      country: 'United Kingdom',
      vendor: 'Telia',
      duration: '0:42',
      amount: '0.003491',
      cause: '16 Normal Call Clearing',
    };
    for (const { id } of COLUMNS) {
      assert.equal(cellText(row(), id), expected[id], id);
    }
  });

  it('shows non-numeric and missing numbers as they are', () => {
    const odd = row({ cli: 'Anonymous', cld: '', country: '', vendor: '' });
    assert.equal(cellText(odd, 'cli'), 'Anonymous');
    assert.equal(cellText(odd, 'cld'), MISSING);
    assert.equal(cellText(odd, 'country'), MISSING);
    assert.equal(cellText(odd, 'vendor'), MISSING);
  });

  it('strips a right-to-left override from numbers', () => {
    const spoofed = row({ cli: '4470005678\u202C', cld: '\u202E4470001234' });
    assert.equal(cellText(spoofed, 'cld'), '+4470001234');
    assert.equal(cellText(spoofed, 'cli'), '+4470005678');
  });

  it('strips control and bidi characters from text cells', () => {
    const hostile = row({
      country: 'United\u2028Kingdom\u200F',
      vendor: '\u2066Telia\u2069\u0007',
      reason: 'User\r\nbusy\u202E',
      code: 17,
    });
    assert.equal(cellText(hostile, 'country'), 'United Kingdom');
    assert.equal(cellText(hostile, 'vendor'), 'Telia');
    assert.equal(cellText(hostile, 'cause'), '17 User busy');
  });

  it('shows a number of only bidi characters as missing', () => {
    assert.equal(cellText(row({ cld: '\u202E\u202C' }), 'cld'), MISSING);
    assert.equal(cellText(row({ country: '\u200E' }), 'country'), MISSING);
  });

  it('recognises column ids', () => {
    assert.equal(isColumnId('amount'), true);
    assert.equal(isColumnId('key'), false);
    assert.equal(isColumnId(7), false);
  });
});

describe('formatQuantity', () => {
  it('uses the singular for one only', () => {
    assert.equal(formatQuantity(1, 'CDR'), '1 CDR');
    assert.equal(formatQuantity(0, 'CDR'), '0 CDRs');
    assert.equal(formatQuantity(2, 'CDR'), '2 CDRs');
  });

  it('adds thousands separators', () => {
    assert.equal(formatQuantity(2000, 'page'), '2,000 pages');
  });

  it('takes an irregular plural', () => {
    assert.equal(formatQuantity(3, 'entry', 'entries'), '3 entries');
  });
});

describe('revealUnsafe', () => {
  it('spells out a right-to-left override', () => {
    assert.deepEqual(revealUnsafe('\u202E4470001234'), [
      { text: '⟨U+202E⟩', marker: true },
      { text: '4470001234', marker: false },
    ]);
  });

  it('marks each character of a run', () => {
    assert.equal(revealUnsafeText('a\u202A\u202Cb'), 'a⟨U+202A⟩⟨U+202C⟩b');
  });

  it('marks controls, separators and isolates', () => {
    assert.equal(
      revealUnsafeText('\u0000\t\r\u0085\u061C\u200E\u2028\u2066'),
      '⟨U+0000⟩⟨U+0009⟩⟨U+000D⟩⟨U+0085⟩⟨U+061C⟩⟨U+200E⟩⟨U+2028⟩⟨U+2066⟩',
    );
  });

  it('keeps line feeds as line breaks', () => {
    assert.deepEqual(revealUnsafe('line 1\nline 2\r\n'), [
      { text: 'line 1\nline 2', marker: false },
      { text: '⟨U+000D⟩', marker: true },
      { text: '\n', marker: false },
    ]);
  });

  it('keeps long text whole', () => {
    const long = 'A'.repeat(10_000);
    assert.equal(revealUnsafeText(`\u202E${long}`), `⟨U+202E⟩${long}`);
  });

  it('returns ordinary text as one part', () => {
    assert.deepEqual(revealUnsafe('Telia Sverige'), [{ text: 'Telia Sverige', marker: false }]);
    assert.deepEqual(revealUnsafe(''), []);
  });

  it('names a character by its code point', () => {
    assert.equal(characterMarker('\u0007'), '⟨U+0007⟩');
    assert.equal(characterMarker('\u202E'), '⟨U+202E⟩');
  });
});

describe('renderPanelHtml', () => {
  const options = {
    cspSource: 'https://*.vscode-cdn.net',
    nonce: '0b9c6a3e-6a0b-4c7e-9d61-2f2f0c1f6a55',
    scriptUri: 'https://file%2B.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js',
    styleUri: 'https://file%2B.vscode-resource.vscode-cdn.net/ext/media/panel.css',
  };

  it('sets the content security policy', () => {
    const html = renderPanelHtml(options);
    const policy =
      "default-src 'none'; style-src https://*.vscode-cdn.net; " +
      'img-src https://*.vscode-cdn.net data:; font-src https://*.vscode-cdn.net; ' +
      `script-src 'nonce-${options.nonce}';`;
    assert.ok(
      html.includes(`<meta http-equiv="Content-Security-Policy" content="${policy}">`),
      html,
    );
  });

  it('loads the stylesheet and the script with the nonce', () => {
    const html = renderPanelHtml(options);
    assert.ok(html.includes(`<link rel="stylesheet" href="${options.styleUri}">`));
    assert.ok(html.includes(`<script nonce="${options.nonce}" src="${options.scriptUri}">`));
    assert.equal(html.match(/<script/g)?.length, 1);
  });

  it('has no inline styles or handlers', () => {
    const html = renderPanelHtml(options);
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
  });

  it('escapes interpolated attributes', () => {
    const html = renderPanelHtml({
      ...options,
      scriptUri: 'https://example.test/a"><img src=x onerror=alert(1)>.js',
      styleUri: "https://example.test/b'&<>.css",
    });
    assert.ok(
      html.includes('src="https://example.test/a&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.js"'),
    );
    assert.ok(html.includes('href="https://example.test/b&#39;&amp;&lt;&gt;.css"'));
    assert.doesNotMatch(html, /<img/);
  });

  for (const nonce of ['', 'abc"def', 'a b', "x' 'unsafe-inline", 'nonce;']) {
    it(`rejects the nonce ${JSON.stringify(nonce)}`, () => {
      assert.throws(() => renderPanelHtml({ ...options, nonce }), RangeError);
    });
  }

  for (const cspSource of ['', 'https://a.test; script-src *', 'https://a.test,x', 'a\nb']) {
    it(`rejects the cspSource ${JSON.stringify(cspSource)}`, () => {
      assert.throws(() => renderPanelHtml({ ...options, cspSource }), RangeError);
    });
  }
});
