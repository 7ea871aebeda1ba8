import {
  ApiError,
  AuthenticationError,
  BadResponseError,
  HttpError,
  NotJsonError,
  RateLimitError,
} from './errors';

const EXCERPT_LENGTH = 160;

/** The parts of an HTTP response that decide its meaning. */
export interface RawResponse {
  readonly statusCode: number;
  readonly contentType: string | undefined;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

/**
 * Turns a call-history response into its list of raw records, or throws the typed error that the
 * response stands for. `redact` removes secrets from any text that goes into an error message.
 */
export function parseCdrResponse(
  response: RawResponse,
  redact: (text: string) => string = (text) => text,
  now: number = Date.now(),
): unknown[] {
  if (response.statusCode === 429) {
    throw new RateLimitError(parseRetryAfter(response.retryAfter, now));
  }
  if (response.statusCode < 200 || response.statusCode > 299) {
    throw new HttpError(response.statusCode, excerpt(redact(response.body)));
  }
  const document = parseJson(response, redact);
  return readSuccessList(document, redact);
}

function parseJson(response: RawResponse, redact: (text: string) => string): unknown {
  // A UTF-8 byte order mark is legal before JSON text but JSON.parse rejects it.
  const text = response.body.startsWith('\uFEFF') ? response.body.slice(1) : response.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new NotJsonError(response.contentType, excerpt(redact(response.body)));
  }
}

function readSuccessList(document: unknown, redact: (text: string) => string): unknown[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new BadResponseError(`expected a JSON object, got ${describeType(document)}`);
  }
  const fields = document as Record<string, unknown>;
  const status = fields.status;
  if (status === 'success') {
    if (!Array.isArray(fields.cdrs)) {
      throw new BadResponseError(`"cdrs" is ${describeType(fields.cdrs)}, expected a list`);
    }
    return fields.cdrs as unknown[];
  }
  const message = excerpt(redact(textOf(fields.error) ?? textOf(fields.message) ?? ''));
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

/** Reads `Retry-After` as delay seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(
  header: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header === undefined || header.trim() === '') {
    return undefined;
  }
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Shortens a body for an error message: the HTML title if there is one, otherwise the text with
 * tags and runs of whitespace collapsed, cut to a fixed length.
 */
export function excerpt(body: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = (title ?? body.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
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
