import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  HttpError,
  NotJsonError,
  RateLimitError,
} from './errors';

const EXCERPT_LENGTH = 160;

/** Maximum `Retry-After` delay in seconds that {@link parseRetryAfter} returns (one day). */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** IMF-fixdate of RFC 9110, section 5.6.7, such as `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** The parts of an HTTP response that decide its meaning. */
export interface RawResponse {
  readonly statusCode: number;
  readonly contentType: string | undefined;
  readonly retryAfter: string | undefined;
  /** The `Date` header: the server's clock when it sent the response. */
  readonly date?: string;
  readonly body: string;
}

/**
 * Turns a call-history response into its list of raw records, or throws the typed error that the
 * response stands for. `redact` removes secrets from any text that goes into an error message.
 * A `Retry-After` date is measured from the response's `Date` header, or from `now` without one.
 */
export function parseCdrResponse(
  response: RawResponse,
  redact: (text: string) => string = (text) => text,
  now: number = Date.now(),
): unknown[] {
  const serverNow = parseHttpDate(response.date) ?? now;
  if (response.statusCode === 429) {
    throw new RateLimitError(parseRetryAfter(response.retryAfter, serverNow));
  }
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw httpFailure(response, redact, serverNow);
  }
  const document = parseJson(response, redact);
  return readSuccessList(document, redact);
}

/**
 * Returns the error of a non-2xx response. A JSON `{"status":"fail"}` body is the API's rejection
 * of the credentials, whatever the status code, so it becomes an {@link AuthenticationError}.
 */
function httpFailure(
  response: RawResponse,
  redact: (text: string) => string,
  serverNow: number,
): Error {
  const document = tryParseJson(response.body);
  if (isJsonObject(document) && document.status === 'fail') {
    return new AuthenticationError(serverMessage(document, redact) || 'fail');
  }
  const retryAfter = parseRetryAfter(response.retryAfter, serverNow);
  return new HttpError(response.statusCode, excerpt(redact(response.body)), retryAfter);
}

function tryParseJson(body: string): unknown {
  try {
    return JSON.parse(stripByteOrderMark(body)) as unknown;
  } catch {
    return undefined;
  }
}

function stripByteOrderMark(body: string): string {
  // A UTF-8 byte order mark is legal before JSON text but JSON.parse rejects it.
  return body.startsWith('\uFEFF') ? body.slice(1) : body;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function serverMessage(fields: Record<string, unknown>, redact: (text: string) => string): string {
  return excerpt(redact(textOf(fields.error) ?? textOf(fields.message) ?? ''));
}

function parseJson(response: RawResponse, redact: (text: string) => string): unknown {
  try {
    return JSON.parse(stripByteOrderMark(response.body)) as unknown;
  } catch {
    // The content type is server text too, so it is redacted and shortened like the body.
    const contentType = response.contentType && excerpt(redact(response.contentType));
    throw new NotJsonError(contentType, excerpt(redact(response.body)));
  }
}

function readSuccessList(document: unknown, redact: (text: string) => string): unknown[] {
  if (!isJsonObject(document)) {
    throw new BadResponseError(`expected a JSON object, got ${describeType(document)}`);
  }
  const fields = document;
  const status = fields.status;
  if (status === 'success') {
    if (!Array.isArray(fields.cdrs)) {
      throw new BadResponseError(`"cdrs" is ${describeType(fields.cdrs)}, expected a list`);
    }
    return fields.cdrs as unknown[];
  }
  const message = serverMessage(fields, redact);
  if (status === 'fail') {
    throw new AuthenticationError(message || 'fail');
  }
  if (status === 'error') {
    throw new ApiError(message || 'no message', 'error');
  }
  if (status === undefined) {
    throw new BadResponseError('the "status" field is missing');
  }
  const statusJson = excerpt(redact(JSON.stringify(status) ?? 'null'));
  const statusText = typeof status === 'string' ? excerpt(redact(status)) : statusJson;
  throw new ApiError(message || `unknown status ${statusJson}`, statusText);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return undefined;
}

/**
 * Reads `Retry-After` as whole delay seconds or an IMF-fixdate, capped at
 * {@link MAX_RETRY_AFTER_SECONDS}. Returns undefined when the header is absent or has another
 * form, including the obsolete RFC 850 and asctime dates.
 */
export function parseRetryAfter(
  header: string | undefined,
  now: number = Date.now(),
): number | undefined {
  const trimmed = header?.trim() ?? '';
  // NOTE: RFC 9110 requires recipients to accept the obsolete date forms too. They return undefined
  // here, so the rate-limit message leaves out the delay.
  let seconds: number | undefined;
  if (/^\d+$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else {
    const date = parseImfFixdate(trimmed);
    seconds = date === undefined ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
  }
  return seconds === undefined ? undefined : Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/**
 * Reads an HTTP date header, such as `Date`, in epoch milliseconds. Only the IMF-fixdate form is
 * read. Returns undefined for a missing header and for any other text.
 */
export function parseHttpDate(header: string | undefined): number | undefined {
  return header === undefined ? undefined : parseImfFixdate(header.trim());
}

/** Returns the time of an IMF-fixdate in epoch milliseconds, or undefined for other text. */
function parseImfFixdate(text: string): number | undefined {
  const match = IMF_FIXDATE.exec(text);
  if (!match) {
    return undefined;
  }
  const [day, year, hour, minute, second] = [1, 3, 4, 5, 6].map((group) => Number(match[group]));
  const month = MONTHS.indexOf(match[2]);
  // The day name is not checked against the date. A leap second (60) is accepted.
  if (month < 0 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const midnight = new Date(Date.UTC(year, month, day));
  // Date.UTC rolls 30 Feb over into March, so a changed day marks an impossible date.
  if (midnight.getUTCMonth() !== month || midnight.getUTCDate() !== day) {
    return undefined;
  }
  return midnight.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** Characters of a body read for an excerpt; an error page's title and first words come early. */
const EXCERPT_SCAN_LENGTH = 64 * 1024;

/**
 * Shortens a body for an error message: the HTML title if there is one, otherwise the text with
 * tags and runs of whitespace collapsed, cut to a fixed length.
 */
export function excerpt(body: string): string {
  // Tags are matched up to the next `<` at most, so a body full of `<` stays linear to scan.
  const head = body.slice(0, EXCERPT_SCAN_LENGTH);
  const title = /<title[^<>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  const text = (title ?? head.replace(/<[^<>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

function describeType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value === undefined) {
    return 'missing';
  }
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
