import assert from 'node:assert/strict';
import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  HttpError,
  NotJsonError,
  RateLimitError,
} from '../../src/client/errors';
import {
  MAX_RETRY_AFTER_SECONDS,
  RawResponse,
  excerpt,
  parseCdrResponse,
  parseRetryAfter,
} from '../../src/client/response';

function jsonResponse(body: string, statusCode = 200): RawResponse {
  return { statusCode, contentType: 'application/json', retryAfter: undefined, body };
}

function htmlResponse(body: string, statusCode: number): RawResponse {
  return { statusCode, contentType: 'text/html; charset=utf-8', retryAfter: undefined, body };
}

/** Runs `parse` and returns what it threw; fails the test when it returns normally. */
function errorOf(parse: () => unknown): Error {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    return error;
  }
  assert.fail('expected parseCdrResponse to throw');
}

const BAD_GATEWAY_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

describe('parseCdrResponse', () => {
  it('returns records of success', () => {
    const records = parseCdrResponse(
      jsonResponse('{"status":"success","cdrs":[{"i_cdr":"1"},{"i_cdr":"2"}]}'),
    );

    assert.deepEqual(records, [{ i_cdr: '1' }, { i_cdr: '2' }]);
  });

  it('returns empty list of success', () => {
    assert.deepEqual(parseCdrResponse(jsonResponse('{"status":"success","cdrs":[]}')), []);
  });

  it('accepts BOM-prefixed JSON', () => {
    const records = parseCdrResponse(
      jsonResponse('\uFEFF{"status":"success","cdrs":[{"i_cdr":"9"}]}'),
    );

    assert.deepEqual(records, [{ i_cdr: '9' }]);
  });

  it('maps wrong signature to AuthenticationError', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"fail","error":"Wrong signature"}')),
    );

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'Wrong signature');
    assert.equal(error.kind, 'auth');
    assert.ok(error.message.includes('"Wrong signature"'), error.message);
  });

  it('maps bare fail to AuthenticationError', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"status":"fail"}')));

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'fail');
  });

  it('maps status error to ApiError', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"error","message":"date_from is invalid"}')),
    );

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.serverMessage, 'date_from is invalid');
    assert.equal(error.status, 'error');
    assert.equal(error.message, 'The TCXC API returned an error: date_from is invalid');
  });

  it('reads error field of status error', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"error","error":"Too many days"}')),
    );

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.serverMessage, 'Too many days');
  });

  it('maps status error without message', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"status":"error"}')));

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.serverMessage, 'no message');
  });

  it('maps unknown status to ApiError', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"status":"pending"}')));

    assert.ok(error instanceof ApiError, error.message);
    assert.match(error.status, /^"?pending"?$/);
    assert.equal(error.serverMessage, 'unknown status "pending"');
  });

  it('maps unknown status with message', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"maintenance","message":"Back at 10:00"}')),
    );

    assert.ok(error instanceof ApiError, error.message);
    assert.match(error.status, /^"?maintenance"?$/);
    assert.equal(error.serverMessage, 'Back at 10:00');
  });

  it('maps 429 seconds to RateLimitError', () => {
    const error = errorOf(() =>
      parseCdrResponse({ ...jsonResponse('{"status":"error"}', 429), retryAfter: '120' }),
    );

    assert.ok(error instanceof RateLimitError, error.message);
    assert.equal(error.retryAfterSeconds, 120);
    assert.ok(error.message.includes('120 s'), error.message);
  });

  it('maps 429 HTTP-date to RateLimitError', () => {
    const now = Date.UTC(2015, 9, 21, 7, 27, 30, 500);
    const error = errorOf(() =>
      parseCdrResponse(
        { ...htmlResponse('', 429), retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' },
        undefined,
        now,
      ),
    );

    assert.ok(error instanceof RateLimitError, error.message);
    // 29.5 s remain, rounded up to whole seconds.
    assert.equal(error.retryAfterSeconds, 30);
  });

  it('maps 429 without Retry-After', () => {
    const error = errorOf(() => parseCdrResponse(htmlResponse('Too Many Requests', 429)));

    assert.ok(error instanceof RateLimitError, error.message);
    assert.equal(error.retryAfterSeconds, undefined);
  });

  it('maps 502 page to its title', () => {
    const error = errorOf(() => parseCdrResponse(htmlResponse(BAD_GATEWAY_PAGE, 502)));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 502);
    assert.equal(error.bodyExcerpt, '502 Bad Gateway');
    assert.equal(error.message, 'HTTP 502 from the TCXC endpoint: 502 Bad Gateway');
  });

  it('maps empty 500 to HttpError', () => {
    const error = errorOf(() => parseCdrResponse(htmlResponse('', 500)));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 500);
    assert.equal(error.message, 'HTTP 500 from the TCXC endpoint (empty body)');
  });

  for (const statusCode of [401, 403, 500]) {
    it(`maps JSON fail ${statusCode} to AuthenticationError`, () => {
      const error = errorOf(() =>
        parseCdrResponse(jsonResponse('{"status":"fail","error":"Wrong signature"}', statusCode)),
      );

      assert.ok(error instanceof AuthenticationError, error.message);
      assert.equal(error.serverMessage, 'Wrong signature');
    });
  }

  it('maps bare JSON fail 401', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('\uFEFF{"status":"fail"}', 401)));

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'fail');
  });

  it('maps HTML 401 to HttpError', () => {
    const page = '<html><head><title>401 Authorization Required</title></head></html>';
    const error = errorOf(() => parseCdrResponse(htmlResponse(page, 401)));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 401);
    assert.equal(error.bodyExcerpt, '401 Authorization Required');
  });

  it('maps JSON error 401 to HttpError', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"error","message":"Unauthorized"}', 401)),
    );

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 401);
  });

  it('maps JSON list 403 to HttpError', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('[{"status":"fail"}]', 403)));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.statusCode, 403);
  });

  it('keeps 429 with fail as RateLimitError', () => {
    const error = errorOf(() =>
      parseCdrResponse(jsonResponse('{"status":"fail","error":"Too many requests"}', 429)),
    );

    assert.ok(error instanceof RateLimitError, error.message);
  });

  it('maps HTML 200 to NotJsonError', () => {
    const page = '<html><head><title>Login</title></head><body>Please sign in</body></html>';
    const error = errorOf(() => parseCdrResponse(htmlResponse(page, 200)));

    assert.ok(error instanceof NotJsonError, error.message);
    assert.equal(error.contentType, 'text/html; charset=utf-8');
    assert.equal(error.bodyExcerpt, 'Login');
  });

  it('maps empty 200 to NotJsonError', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('')));

    assert.ok(error instanceof NotJsonError, error.message);
    assert.ok(error.message.includes('(empty body)'), error.message);
  });

  it('rejects cdrs that is not a list', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"status":"success","cdrs":{}}')));

    assert.ok(error instanceof BadResponseError, error.message);
    assert.ok(error.message.includes('expected a list'), error.message);
  });

  it('rejects success without cdrs', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"status":"success"}')));

    assert.ok(error instanceof BadResponseError, error.message);
    assert.ok(error.message.includes('"cdrs" is missing'), error.message);
  });

  it('rejects missing status', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('{"cdrs":[]}')));

    assert.ok(error instanceof BadResponseError, error.message);
    assert.ok(error.message.includes('"status" field is missing'), error.message);
  });

  it('rejects top-level array', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('[{"i_cdr":"1"}]')));

    assert.ok(error instanceof BadResponseError, error.message);
    assert.ok(error.message.includes('got a list'), error.message);
  });

  it('rejects top-level null', () => {
    const error = errorOf(() => parseCdrResponse(jsonResponse('null')));

    assert.ok(error instanceof BadResponseError, error.message);
    assert.ok(error.message.includes('got null'), error.message);
  });
});

describe('parseCdrResponse redaction', () => {
  const SECRET = 'SECRET-0123456789abcdef';
  const redact = (text: string): string => text.split(SECRET).join('[redacted]');

  it('redacts API error messages', () => {
    const body = JSON.stringify({ status: 'error', message: `bad request ${SECRET} here` });
    const error = errorOf(() => parseCdrResponse(jsonResponse(body), redact));

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.serverMessage, 'bad request [redacted] here');
    assert.equal(error.message.includes(SECRET), false, error.message);
  });

  it('redacts authentication error messages', () => {
    const body = JSON.stringify({ status: 'fail', error: `Wrong signature ${SECRET}` });
    const error = errorOf(() => parseCdrResponse(jsonResponse(body), redact));

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'Wrong signature [redacted]');
  });

  it('redacts fail message of 401', () => {
    const body = JSON.stringify({ status: 'fail', error: `Wrong signature ${SECRET}` });
    const error = errorOf(() => parseCdrResponse(jsonResponse(body, 401), redact));

    assert.ok(error instanceof AuthenticationError, error.message);
    assert.equal(error.serverMessage, 'Wrong signature [redacted]');
    assert.equal(error.message.includes(SECRET), false, error.message);
  });

  it('redacts HTTP error excerpts', () => {
    const page = `<html><body><p>signature=${SECRET}</p></body></html>`;
    const error = errorOf(() => parseCdrResponse(htmlResponse(page, 500), redact));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.bodyExcerpt, 'signature=[redacted]');
    assert.equal(error.message.includes(SECRET), false, error.message);
  });

  it('redacts not-JSON excerpts', () => {
    const error = errorOf(() => parseCdrResponse(htmlResponse(`echo ${SECRET}`, 200), redact));

    assert.ok(error instanceof NotJsonError, error.message);
    assert.equal(error.bodyExcerpt, 'echo [redacted]');
  });

  it('redacts unknown status values', () => {
    const body = JSON.stringify({ status: SECRET });
    const error = errorOf(() => parseCdrResponse(jsonResponse(body), redact));

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.message.includes(SECRET), false, error.message);
  });

  it('redacts secret cut by excerpt', () => {
    // The secret starts 10 characters before the excerpt's length limit of 160 characters, so
    // redacting after shortening would leave its first 10 characters in the message.
    const page = `<html><body>${'x'.repeat(150)}${SECRET}</body></html>`;
    const error = errorOf(() => parseCdrResponse(htmlResponse(page, 500), redact));

    assert.ok(error instanceof HttpError, error.message);
    assert.equal(error.message.includes(SECRET.slice(0, 10)), false, error.message);
  });

  it('redacts secret cut in message', () => {
    const body = JSON.stringify({ status: 'error', message: `${'y'.repeat(150)}${SECRET}` });
    const error = errorOf(() => parseCdrResponse(jsonResponse(body), redact));

    assert.ok(error instanceof ApiError, error.message);
    assert.equal(error.message.includes(SECRET.slice(0, 10)), false, error.message);
  });
});

describe('parseRetryAfter', () => {
  const NOW = Date.UTC(2015, 9, 21, 7, 27, 0);

  it('reads delay seconds', () => {
    assert.equal(parseRetryAfter(' 7 ', NOW), 7);
  });

  it('reads HTTP-date as seconds', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW), 60);
  });

  it('clamps past HTTP-date to zero', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', NOW), 0);
  });

  it('returns undefined when absent', () => {
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
  });

  it('returns undefined when blank', () => {
    assert.equal(parseRetryAfter('  ', NOW), undefined);
  });

  it('returns undefined for garbage', () => {
    assert.equal(parseRetryAfter('soon', NOW), undefined);
  });

  const invalid = [
    '1.5',
    '-5',
    '+5',
    '1e23',
    '0x10',
    '5 s',
    '2015-10-21T07:28:00Z',
    'Wednesday, 21-Oct-15 07:28:00 GMT',
    'Wed Oct 21 07:28:00 2015',
    'Wed, 21 Oct 2015 07:28:00 UTC',
    'Wed, 21 Oct 2015 07:28:00 +0000',
    'wed, 21 oct 2015 07:28:00 gmt',
    'Wed, 21 Okt 2015 07:28:00 GMT',
    'Wed, 1 Oct 2015 07:28:00 GMT',
    'Wed, 30 Feb 2015 07:28:00 GMT',
    'Wed, 00 Oct 2015 07:28:00 GMT',
    'Wed, 21 Oct 2015 24:00:00 GMT',
    'Wed, 21 Oct 2015 07:60:00 GMT',
    'Wed, 21 Oct 2015 07:28:61 GMT',
  ];
  for (const header of invalid) {
    it(`rejects ${JSON.stringify(header)}`, () => {
      assert.equal(parseRetryAfter(header, NOW), undefined);
    });
  }

  it('caps delay seconds at one day', () => {
    assert.equal(MAX_RETRY_AFTER_SECONDS, 86_400);
    assert.equal(parseRetryAfter('99999999', NOW), 86_400);
    assert.equal(parseRetryAfter('9'.repeat(400), NOW), 86_400);
  });

  it('keeps one day of delay seconds', () => {
    assert.equal(parseRetryAfter('86400', NOW), 86_400);
    assert.equal(parseRetryAfter('0', NOW), 0);
  });

  it('caps distant HTTP-date at one day', () => {
    assert.equal(parseRetryAfter('Fri, 21 Oct 2016 07:28:00 GMT', NOW), 86_400);
  });

  it('reads leap second of HTTP-date', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:60 GMT', NOW), 60);
  });

  it('reads leap day of HTTP-date', () => {
    const now = Date.UTC(2016, 1, 29, 0, 0, 0);

    assert.equal(parseRetryAfter('Mon, 29 Feb 2016 00:00:10 GMT', now), 10);
  });

  it('caps 429 message at one day', () => {
    const error = errorOf(() =>
      parseCdrResponse({ ...jsonResponse('{}', 429), retryAfter: '1' + '0'.repeat(23) }),
    );

    assert.ok(error instanceof RateLimitError, error.message);
    assert.equal(error.retryAfterSeconds, 86_400);
    assert.ok(error.message.includes('86400 s'), error.message);
  });
});

describe('excerpt', () => {
  it('reads a body of 1 MB of angle brackets', () => {
    // Each `<` without a later `>` once made the tag pattern rescan the rest of the body.
    const started = performance.now();
    assert.equal(excerpt('<'.repeat(1_000_000)).startsWith('<'), true);
    assert.equal(excerpt('<title'.repeat(200_000)).startsWith('<title'), true);
    console.log(`      figure: two 1 MB excerpts in ${Math.round(performance.now() - started)} ms`);
  });

  it('prefers the HTML title', () => {
    assert.equal(excerpt(BAD_GATEWAY_PAGE), '502 Bad Gateway');
  });

  it('strips tags and collapses whitespace', () => {
    assert.equal(excerpt('<p>Service\n\n   <b>unavailable</b></p>\t'), 'Service unavailable');
  });

  it('keeps 160 characters unchanged', () => {
    const text = 'a'.repeat(160);

    assert.equal(excerpt(text), text);
  });

  it('cuts long text to 160 characters', () => {
    const result = excerpt('b'.repeat(1000));

    assert.equal(result, `${'b'.repeat(160)}…`);
  });

  it('bounds length of long titles', () => {
    const result = excerpt(`<title>${'t'.repeat(500)}</title>`);

    assert.equal(result.length, 161);
  });
});
