import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  formatMicros,
  formatScaled,
  parseMicros,
  parseScaled,
  sumMicros,
} from '../../src/model/money';

describe('parseMicros', () => {
  const cases: [unknown, bigint][] = [
    ['0.000000', 0n],
    ['0.004987', 4987n],
    ['12.5', 12_500_000n],
    [' 3.1 ', 3_100_000n],
    ['7', 7_000_000n],
    ['+2.000001', 2_000_001n],
    [0.004987, 4987n],
    [0.1 + 0.2, 300_000n],
    [12, 12_000_000n],
    [0, 0n],
  ];
  for (const [value, expected] of cases) {
    it(`parses ${inspect(value)}`, () => {
      assert.equal(parseMicros(value), expected);
    });
  }

  const rounding: [unknown, bigint][] = [
    ['0.0000005', 1n],
    ['0.0000004999', 0n],
    ['1.2345675', 1_234_568n],
    ['1.23456749', 1_234_567n],
    ['0.99999995', 1_000_000n],
    ['-0.0000005', -1n],
    ['-1.2345675', -1_234_568n],
    [0.0000015, 2n],
    [-0.0000015, -2n],
  ];
  for (const [value, expected] of rounding) {
    it(`rounds ${inspect(value)} half away`, () => {
      assert.equal(parseMicros(value), expected);
    });
  }

  it('rounds number once, not twice', () => {
    // 0.01234549 is 12345.49 micros, so it rounds down. Rounding first to seven decimals
    // (0.0123455) and then to six would give 12346.
    assert.equal(parseMicros(0.01234549), 12_345n);
  });

  it('parses negative text', () => {
    assert.equal(parseMicros('-0.5'), -500_000n);
  });

  it('parses negative number', () => {
    assert.equal(parseMicros(-0.004987), -4987n);
  });

  const garbage: unknown[] = [
    '',
    '   ',
    'abc',
    '1,5',
    '.5',
    '5.',
    '1e3',
    '0x10',
    '--1',
    '1.2.3',
    Number.NaN,
    Infinity,
    -Infinity,
    null,
    undefined,
    true,
    {},
    [],
    4987n,
  ];
  for (const value of garbage) {
    it(`rejects ${inspect(value)}`, () => {
      assert.equal(parseMicros(value), undefined);
    });
  }
});

describe('formatMicros', () => {
  const cases: [bigint, number, string][] = [
    [4987n, 6, '0.004987'],
    [4987n, 4, '0.0050'],
    [4987n, 2, '0.00'],
    [4987n, 0, '0'],
    [12_345_678n, 6, '12.345678'],
    [12_345_678n, 4, '12.3457'],
    [12_345_678n, 2, '12.35'],
    [12_345_678n, 0, '12'],
    [2_500_000n, 0, '3'],
    [0n, 6, '0.000000'],
    [-4987n, 6, '-0.004987'],
    [-4987n, 4, '-0.0050'],
    [-4987n, 2, '0.00'],
    [-2_500_000n, 0, '-3'],
    [-12_345_678n, 2, '-12.35'],
  ];
  for (const [micros, decimals, expected] of cases) {
    it(`formats ${micros} with ${decimals} decimals`, () => {
      assert.equal(formatMicros(micros, decimals), expected);
    });
  }

  it('defaults to six decimals', () => {
    assert.equal(formatMicros(1_000_001n), '1.000001');
  });

  it('rejects invalid decimals', () => {
    for (const decimals of [-1, 7, 1.5, Number.NaN]) {
      assert.throws(() => formatMicros(1n, decimals), RangeError, String(decimals));
    }
  });
});

describe('sumMicros', () => {
  it('sums 1000 one-micro amounts exactly', () => {
    const amounts = Array.from({ length: 1000 }, () => parseMicros('0.000001'));

    assert.equal(formatMicros(sumMicros(amounts)), '0.001000');
  });

  it('sums three tenths exactly', () => {
    const amounts = ['0.100000', '0.100000', '0.100000'].map(parseMicros);

    // Adding the same amounts as floats gives 0.30000000000000004.
    assert.equal(formatMicros(sumMicros(amounts)), '0.300000');
  });

  it('sums ten thousand tenths exactly', () => {
    const amounts = Array.from({ length: 10_000 }, () => parseMicros(0.1));

    assert.equal(formatMicros(sumMicros(amounts)), '1000.000000');
  });

  it('sums float-noisy numbers exactly', () => {
    const amounts = Array.from({ length: 1000 }, (_, index) =>
      parseMicros(index % 2 === 0 ? 0.1 : 0.2),
    );

    // 500 × 0.1 + 500 × 0.2 = 150.
    assert.equal(formatMicros(sumMicros(amounts)), '150.000000');
  });

  it('counts undefined as zero', () => {
    assert.equal(sumMicros([4987n, undefined, 13n]), 5000n);
  });

  it('returns zero for no amounts', () => {
    assert.equal(sumMicros([]), 0n);
  });

  it('sums negative amounts', () => {
    assert.equal(formatMicros(sumMicros([parseMicros('1.5'), parseMicros('-2.25')])), '-0.750000');
  });
});

describe('parseScaled', () => {
  it('keeps twelve decimals exactly', () => {
    assert.equal(parseScaled('0.0123457', 12), 12_345_700_000n);
  });

  it('rounds beyond the decimals asked for', () => {
    assert.equal(parseScaled('0.0000000000005', 12), 1n);
  });

  it('expands exponent numbers', () => {
    assert.equal(parseScaled(4e-7, 12), 400_000n);
  });

  it('reads whole numbers', () => {
    assert.equal(parseScaled('3', 2), 300n);
  });
});

describe('formatScaled', () => {
  it('drops trailing zeros beyond the minimum', () => {
    assert.equal(formatScaled(12_345_700_000n, 12, 6), '0.0123457');
  });

  it('keeps the minimum decimals', () => {
    assert.equal(formatScaled(4_987_000_000n, 12, 6), '0.004987');
  });

  it('writes a negative value', () => {
    assert.equal(formatScaled(-1_500n, 3, 0), '-1.5');
  });

  it('writes a whole value without a point', () => {
    assert.equal(formatScaled(2_000n, 3, 0), '2');
  });
});
