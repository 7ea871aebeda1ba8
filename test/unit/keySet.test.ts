import assert from 'node:assert/strict';
import { toCdr } from '../../src/model/cdr';
import { RecordKeySet } from '../../src/model/keySet';

function withId(iCdr: unknown) {
  return toCdr({ i_cdr: iCdr, CLD: '441234567890', connect_time: '2024-01-01 10:00:00' });
}

describe('RecordKeySet', () => {
  it('adds each key once', () => {
    const keys = new RecordKeySet();

    assert.equal(keys.add(withId('41')), true);
    assert.equal(keys.add(withId('41')), false);
    assert.equal(keys.size, 1);
  });

  it('tells ids at a bucket edge apart', () => {
    const keys = new RecordKeySet();
    for (const id of ['0', '29', '30', '59', '60']) {
      keys.add(withId(id));
    }

    const present = ['0', '1', '28', '29', '30', '31', '59', '60', '61'].filter((id) =>
      keys.has(withId(id)),
    );
    assert.deepEqual(present, ['0', '29', '30', '59', '60']);
  });

  it('keeps a long run of ids', () => {
    const keys = new RecordKeySet();
    for (let id = 1_000; id < 11_000; id++) {
      keys.add(withId(String(id)));
    }

    assert.equal(keys.size, 10_000);
    assert.equal(keys.has(withId('999')), false);
    assert.equal(keys.has(withId('10999')), true);
    assert.equal(keys.has(withId('11000')), false);
  });

  it('keeps leading-zero ids apart', () => {
    const keys = new RecordKeySet();
    keys.add(withId('7'));

    assert.equal(keys.add(withId('007')), true);
    assert.equal(keys.has(withId('07')), false);
    assert.equal(keys.size, 2);
  });

  it('keeps 15-digit and longer ids exact', () => {
    const keys = new RecordKeySet();
    keys.add(withId('999999999999999'));
    keys.add(withId('12345678901234567890'));

    assert.equal(keys.has(withId('999999999999998')), false);
    assert.equal(keys.has(withId('999999999999999')), true);
    assert.equal(keys.has(withId('12345678901234567891')), false);
    assert.equal(keys.has(withId('12345678901234567890')), true);
  });

  it('keys id-less records by content', () => {
    const keys = new RecordKeySet();
    keys.add(withId(undefined));
    keys.add(withId('abc'));

    assert.equal(keys.add(withId(undefined)), false);
    assert.equal(keys.has(withId('abc')), true);
    assert.equal(keys.has(withId('abd')), false);
    assert.equal(keys.size, 2);
  });

  it('treats numeric and text ids alike', () => {
    const keys = new RecordKeySet();
    keys.add(withId(123));

    assert.equal(keys.has(withId('123')), true);
  });

  it('empties on clear', () => {
    const keys = new RecordKeySet();
    keys.add(withId('5'));
    keys.add(withId('x'));
    keys.clear();

    assert.equal(keys.size, 0);
    assert.equal(keys.has(withId('5')), false);
    assert.equal(keys.has(withId('x')), false);
  });
});
