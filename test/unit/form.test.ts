import assert from 'node:assert/strict';
import { SignedAuth, buildCdrForm, describeQuery } from '../../src/client/form';

const AUTH: SignedAuth = {
  ts: 1700000000,
  login: 'buyer-login',
  signature: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
};

const QUERY = {
  prefix: '44',
  show: 'all' as const,
  dateFrom: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
  dateTo: new Date(Date.UTC(2024, 0, 3, 0, 0, 0)),
};

describe('buildCdrForm', () => {
  it('encodes the full body', () => {
    const body = buildCdrForm(QUERY, AUTH, { offset: 100, pageSize: 50 }).toString();

    assert.equal(
      body,
      'ts=1700000000&api_login=buyer-login' +
        `&signature=${AUTH.signature}` +
        '&prefix=44&show=all' +
        '&date_from=2024-01-02+03%3A04%3A05&date_to=2024-01-03+00%3A00%3A00' +
        '&pager=50&off=100',
    );
  });

  it('encodes spaces and colons in dates', () => {
    const body = buildCdrForm(QUERY, AUTH).toString();

    assert.ok(body.includes('&date_from=2024-01-02+03%3A04%3A05&'), body);
  });

  it('encodes plus in prefix', () => {
    const body = buildCdrForm({ ...QUERY, prefix: '+44' }, AUTH).toString();

    assert.ok(body.includes('&prefix=%2B44&'), body);
  });

  it('sends empty prefix as prefix=', () => {
    const body = buildCdrForm({ ...QUERY, prefix: '' }, AUTH).toString();

    assert.ok(body.includes('&prefix=&'), body);
  });

  it('sends absent prefix as prefix=', () => {
    const form = buildCdrForm(
      { show: 'bad', dateFrom: QUERY.dateFrom, dateTo: QUERY.dateTo },
      AUTH,
    );

    assert.equal(form.get('prefix'), '');
    assert.ok(form.toString().includes('&prefix=&'), form.toString());
  });

  it('sends show filter as given', () => {
    const form = buildCdrForm({ ...QUERY, show: 'bad' }, AUTH);

    assert.equal(form.get('show'), 'bad');
  });

  it('sends pager and off together', () => {
    const form = buildCdrForm(QUERY, AUTH, { offset: 0, pageSize: 25 });

    assert.equal(form.get('pager'), '25');
    assert.equal(form.get('off'), '0');
  });

  it('omits pager and off without window', () => {
    const form = buildCdrForm(QUERY, AUTH);

    assert.equal(form.has('pager'), false);
    assert.equal(form.has('off'), false);
  });

  it('sends the signed auth fields', () => {
    const form = buildCdrForm(QUERY, AUTH);

    assert.equal(form.get('ts'), '1700000000');
    assert.equal(form.get('api_login'), 'buyer-login');
    assert.equal(form.get('signature'), AUTH.signature);
  });

  it('rejects invalid page sizes', () => {
    for (const pageSize of [0, -1, 2.5, Number.NaN, Infinity]) {
      assert.throws(
        () => buildCdrForm(QUERY, AUTH, { offset: 0, pageSize }),
        RangeError,
        `page size ${pageSize}`,
      );
    }
  });

  it('rejects invalid offsets', () => {
    for (const offset of [-1, 0.5, Number.NaN, Infinity]) {
      assert.throws(
        () => buildCdrForm(QUERY, AUTH, { offset, pageSize: 10 }),
        RangeError,
        `offset ${offset}`,
      );
    }
  });

  it('rejects invalid dates', () => {
    assert.throws(
      () => buildCdrForm({ ...QUERY, dateFrom: new Date(Number.NaN) }, AUTH),
      RangeError,
    );
  });
});

describe('describeQuery', () => {
  it('lists filters and window', () => {
    assert.equal(
      describeQuery(QUERY, { offset: 100, pageSize: 50 }),
      'prefix=44 show=all from=2024-01-02 03:04:05 to=2024-01-03 00:00:00 pager=50 off=100',
    );
  });

  it('names empty prefix as all', () => {
    assert.equal(
      describeQuery({ ...QUERY, prefix: '' }),
      'prefix=(all) show=all from=2024-01-02 03:04:05 to=2024-01-03 00:00:00',
    );
  });

  it('omits signature, login and ts', () => {
    const text = describeQuery(QUERY, { offset: 100, pageSize: 50 });

    assert.equal(text.includes(AUTH.signature), false, text);
    assert.equal(text.includes(AUTH.login), false, text);
    assert.equal(text.includes(String(AUTH.ts)), false, text);
    assert.equal(/signature|api_login|\bts=/.test(text), false, text);
  });
});
