import assert from 'node:assert/strict';
import { causeClassName, describeCause } from '../../src/model/q850';

/** Causes that wholesale CDRs commonly carry, each with its own explanation. */
const COMMON_CAUSES = [
  1, 3, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 31, 34, 38, 41, 42, 44, 47, 50, 55, 57, 58, 63, 65,
  69, 79, 88, 95, 102, 111, 127,
];

describe('describeCause common causes', () => {
  for (const code of COMMON_CAUSES) {
    it(`explains cause ${code} itself`, () => {
      const text = describeCause(code);

      assert.doesNotMatch(text, /Q\.850 class/);
      assert.match(text, /^[A-Z].*\.$/);
    });
  }

  it('gives each cause its own text', () => {
    const texts = new Set(COMMON_CAUSES.map((code) => describeCause(code)));

    assert.equal(texts.size, COMMON_CAUSES.length);
  });

  it('explains user busy', () => {
    assert.match(describeCause(17), /busy/);
  });

  it('explains no circuit as congestion', () => {
    const text = describeCause(34);

    assert.match(text, /congestion/);
    assert.match(text, /another route/);
  });

  it('explains unallocated number', () => {
    assert.match(describeCause(1), /number does not exist/);
  });

  it('explains normal clearing', () => {
    assert.match(describeCause(16), /hung up/);
  });
});

describe('describeCause class fallback', () => {
  const cases: [number, string][] = [
    [5, 'normal event'],
    [24, 'normal event'],
    [45, 'resource unavailable'],
    [53, 'service or option not available'],
    [64, 'service or option not implemented'],
    [70, 'service or option not implemented'],
    [85, 'invalid message'],
    [99, 'protocol error'],
    [120, 'interworking'],
  ];
  for (const [code, className] of cases) {
    it(`names class of cause ${code}`, () => {
      const text = describeCause(code);

      assert.ok(
        text.startsWith(`Cause ${code} is in the Q.850 class "${className}". `),
        `unexpected text: ${text}`,
      );
    });
  }
});

describe('describeCause invalid codes', () => {
  it('reports missing cause', () => {
    assert.equal(describeCause(undefined), 'The record has no release cause.');
  });

  it('explains cause 0', () => {
    assert.match(describeCause(0), /^Cause 0 is not assigned in Q\.850\./);
  });

  for (const code of [-1, 128, 16.5, NaN]) {
    it(`rejects out-of-range code ${code}`, () => {
      assert.equal(
        describeCause(code),
        `${code} is not a Q.850 release cause, which is a whole number from 0 to 127.`,
      );
    });
  }
});

describe('causeClassName', () => {
  const cases: [number, string | undefined][] = [
    [1, 'normal event'],
    [31, 'normal event'],
    [32, 'resource unavailable'],
    [47, 'resource unavailable'],
    [48, 'service or option not available'],
    [63, 'service or option not available'],
    [79, 'service or option not implemented'],
    [81, 'invalid message'],
    [96, 'protocol error'],
    [111, 'protocol error'],
    [127, 'interworking'],
    [0, undefined],
    [128, undefined],
    [2.5, undefined],
  ];
  for (const [code, expected] of cases) {
    it(`classifies ${code}`, () => {
      assert.equal(causeClassName(code), expected);
    });
  }
});
