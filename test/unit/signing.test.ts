import assert from 'node:assert/strict';
import { CDR_CONTROLLER, signRequest, toUnixSeconds } from '../../src/client/signing';

// Computed outside the product: printf '%s' 'c_cdrsKEYLOGIN1700000000' | sha256sum
const KNOWN_SIGNATURE = '61e251ee7abff909967ba52c4b63e8332d177d50efb964ffd3d4c28fa32c05ad';

describe('signRequest', () => {
  it('matches known SHA-256 vector', () => {
    assert.equal(signRequest('c_cdrs', 'KEY', 'LOGIN', 1700000000), KNOWN_SIGNATURE);
  });

  it('uses c_cdrs as controller', () => {
    assert.equal(CDR_CONTROLLER, 'c_cdrs');
  });

  it('returns 64 lowercase hex digits', () => {
    assert.match(signRequest('c_cdrs', 'KEY', 'LOGIN', 1700000000), /^[0-9a-f]{64}$/);
  });

  it('changes with the timestamp', () => {
    assert.notEqual(signRequest('c_cdrs', 'KEY', 'LOGIN', 1700000001), KNOWN_SIGNATURE);
  });

  it('uses no separators between parts', () => {
    // 'KEYL' + 'OGIN' concatenates to the same text as 'KEY' + 'LOGIN'.
    assert.equal(signRequest('c_cdrs', 'KEYL', 'OGIN', 1700000000), KNOWN_SIGNATURE);
  });

  it('rejects non-integer timestamps', () => {
    for (const ts of [1700000000.5, 1700000000123.5, Number.NaN, Infinity, -1, 2 ** 53]) {
      assert.throws(() => signRequest('c_cdrs', 'KEY', 'LOGIN', ts), RangeError, String(ts));
    }
  });
});

describe('toUnixSeconds', () => {
  it('floors milliseconds to seconds', () => {
    assert.equal(toUnixSeconds(1700000000999), 1700000000);
  });

  it('keeps exact seconds unchanged', () => {
    assert.equal(toUnixSeconds(1700000000000), 1700000000);
  });

  it('floors fractional milliseconds', () => {
    assert.equal(toUnixSeconds(1700000000999.9), 1700000000);
  });
});
