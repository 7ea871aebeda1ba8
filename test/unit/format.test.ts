import * as assert from 'node:assert/strict';
import { toCdr } from '../../src/model/cdr';
import {
  formatCause,
  formatDuration,
  formatNumber,
  formatTotals,
  formatUtc,
  UNSAFE_CHARACTER,
  inertText,
  singleLine,
  stripUnsafe,
} from '../../src/model/format';

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0:00'],
    [59, '0:59'],
    [61, '1:01'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [3725, '1:02:05'],
    [-5, '0:00'],
  ];
  for (const [seconds, expected] of cases) {
    it(`formats ${seconds} s`, () => {
      assert.equal(formatDuration(seconds), expected);
    });
  }
});

describe('formatUtc', () => {
  it('labels the time UTC', () => {
    assert.equal(formatUtc(new Date(Date.UTC(2019, 7, 27, 17, 45, 11))), '2019-08-27 17:45:11 UTC');
  });

  it('shows a dash for no time', () => {
    assert.equal(formatUtc(undefined), '—');
  });
});

describe('formatNumber', () => {
  it('adds a plus to digits', () => {
    assert.equal(formatNumber('12014705652'), '+12014705652');
  });

  it('keeps other text as is', () => {
    assert.equal(formatNumber('anonymous'), 'anonymous');
  });
});

describe('formatTotals', () => {
  it('lists calls, failures, minutes and amount', () => {
    const totals = {
      calls: 3,
      answered: 2,
      failed: 1,
      durationSeconds: 90,
      amountMicros: 300000n,
    };
    assert.equal(formatTotals(totals), '3 calls · 1 failed · 1.5 min · 0.300000');
  });

  it('omits failures when there are none', () => {
    const totals = { calls: 1, answered: 1, failed: 0, durationSeconds: 0, amountMicros: 0n };
    assert.equal(formatTotals(totals), '1 call · 0.0 min · 0.000000');
  });
});

describe('formatCause', () => {
  it('joins code and reason', () => {
    const cdr = toCdr({ disconnect_code: '17', disconnect_reason: ' User busy ' });
    assert.equal(formatCause(cdr), '17 User busy');
  });

  it('reports an unknown cause', () => {
    assert.equal(formatCause(toCdr({})), 'unknown cause');
  });
});

describe('singleLine', () => {
  it('replaces line breaks with spaces', () => {
    assert.equal(singleLine('a\r\nb\u2028c'), 'a b c');
  });

  it('removes bidirectional marks', () => {
    assert.equal(singleLine('a\u200eb\u200fc\u061cd'), 'a b c d');
  });

  it('removes bidirectional overrides', () => {
    assert.equal(singleLine('abc\u202edef\u2066'), 'abc def');
  });

  it('removes control characters', () => {
    assert.equal(singleLine('a\u0000\u0007b\u009bc'), 'a b c');
  });

  it('cuts long text to 200 characters', () => {
    assert.equal(singleLine('x'.repeat(250)), `${'x'.repeat(200)}…`);
  });

  it('keeps ordinary text', () => {
    assert.equal(singleLine('United States of America'), 'United States of America');
  });
});

describe('stripUnsafe', () => {
  it('removes a right-to-left override', () => {
    assert.equal(stripUnsafe('\u202E4470001234'), '4470001234');
  });

  it('removes isolates and embeddings', () => {
    assert.equal(stripUnsafe('\u2067\u202B44\u202C70\u2069'), '44 70');
  });

  it('keeps text longer than 200 characters', () => {
    assert.equal(stripUnsafe(`\u202E${'x'.repeat(250)}`), 'x'.repeat(250));
  });
});

describe('UNSAFE_CHARACTER', () => {
  it('matches controls, separators and bidi characters', () => {
    for (const character of ['\u0000', '\n', '\u007f', '\u009f', '\u061c', '\u200f']) {
      assert.ok(UNSAFE_CHARACTER.test(character), JSON.stringify(character));
    }
    for (const character of ['\u2028', '\u202a', '\u202e', '\u2066', '\u2069']) {
      assert.ok(UNSAFE_CHARACTER.test(character), JSON.stringify(character));
    }
  });

  it('does not match ordinary text', () => {
    assert.equal(UNSAFE_CHARACTER.test('+44 70 Ünited ٤٥ 東京 €'), false);
  });
});

describe('inertText', () => {
  it('breaks a Markdown link', () => {
    assert.equal(inertText('[Renew](command:x.y)'), '[Renew] (command:x.y)');
  });

  it('breaks an icon reference', () => {
    assert.equal(inertText('$(alert) 44'), '$ (alert) 44');
  });

  it('keeps plain text', () => {
    assert.equal(inertText('Wrong signature'), 'Wrong signature');
  });
});
