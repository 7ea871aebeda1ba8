import type { RawCdr } from './dataset';
import { HTML_TYPE, JSON_TYPE, jsonReply, withHeaders, type Reply } from './reply';

/** Status codes of the HTML error pages that the `serverError` fault sends. */
export type ServerErrorStatus = 500 | 502 | 503 | 504;

/**
 * A failure that the emulator plays instead of its normal response to one request. Faults that
 * change the normal response (`truncatedBody`, `byteOrderMark`, `malformedRecords`, and
 * `apiStatus` without a status) still authenticate the request and count it against the rate
 * limit. The others respond without looking at the request.
 */
export type EmulatorFault =
  /** HTTP 429 with a JSON error body, and `Retry-After` with this text or number when given. */
  | { readonly type: 'rateLimit'; readonly retryAfter?: number | string }
  /** An HTML error page, such as a proxy or load balancer sends, with an optional `Retry-After`. */
  | {
      readonly type: 'serverError';
      readonly status: ServerErrorStatus;
      readonly retryAfter?: number | string;
    }
  /** Reads the request and sends nothing. The connection stays open until the client ends it. */
  | { readonly type: 'noResponse' }
  /**
   * Resets the TCP connection (RST) after reading the request, before any response byte. Over
   * HTTPS, the connection is closed without a reset.
   */
  | { readonly type: 'connectionReset' }
  /**
   * Sends the headers of the normal response, with its full Content-Length, and half its body, then
   * closes the connection.
   */
  | { readonly type: 'truncatedBody' }
  /** The normal response with a UTF-8 byte order mark before the JSON. */
  | { readonly type: 'byteOrderMark' }
  /**
   * HTTP 200 with this `status` and `message` (`error` for `fail`). Without `status`, the body is
   * the normal success body without its `status` field.
   */
  | { readonly type: 'apiStatus'; readonly status?: string; readonly message?: string }
  /** A success body whose `cdrs` field is this value instead of a list. */
  | { readonly type: 'cdrsNotList'; readonly cdrs: unknown }
  /** The normal success body with its first three records damaged by {@link malformRecords}. */
  | { readonly type: 'malformedRecords'; readonly longTextBytes?: number };

/** Length of the CLI of the third record of the `malformedRecords` fault: 1 MiB. */
export const DEFAULT_LONG_TEXT_BYTES = 1024 * 1024;

const STATUS_TEXT: Readonly<Record<ServerErrorStatus, string>> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Returns the reply of a fault that sends a complete response. `normal` computes the emulator's
 * normal reply to the request, for the faults that change it.
 */
export function faultReply(
  fault: Exclude<EmulatorFault, { type: 'noResponse' | 'connectionReset' | 'truncatedBody' }>,
  normal: () => Reply,
): Reply {
  switch (fault.type) {
    case 'rateLimit':
      return withRetryAfter(jsonReply(429, 'error', 'Rate limit exceeded'), fault.retryAfter);
    case 'serverError':
      return withRetryAfter(serverErrorReply(fault.status), fault.retryAfter);
    case 'byteOrderMark': {
      const reply = normal();
      return { ...reply, body: `\uFEFF${reply.body}` };
    }
    case 'apiStatus':
      return apiStatusReply(fault.status, fault.message, normal);
    case 'cdrsNotList':
      return jsonBody({ status: 'success', cdrs: fault.cdrs }, 'success');
    case 'malformedRecords': {
      const reply = normal();
      if (reply.records === undefined) {
        return reply;
      }
      const records = malformRecords(reply.records, fault.longTextBytes ?? DEFAULT_LONG_TEXT_BYTES);
      return {
        ...jsonBody({ status: 'success', cdrs: records }, 'success'),
        count: records.length,
      };
    }
  }
}

/**
 * Damages the first three records: the first loses `CLD`, `connect_time` and `duration`, the
 * second gets values of the wrong JSON type, and the third gets a CLI of `longTextBytes` digits.
 * Every record keeps its `i_cdr`, so paging and de-duplication still work.
 */
export function malformRecords(records: readonly RawCdr[], longTextBytes: number): unknown[] {
  return records.map((record, index) => {
    if (index === 0) {
      const damaged: Record<string, unknown> = { ...record };
      delete damaged.CLD;
      delete damaged.connect_time;
      delete damaged.duration;
      return damaged;
    }
    if (index === 1) {
      return {
        ...record,
        CLD: { digits: '12014705652' },
        duration: { seconds: 10 },
        billing_price_1: 'free',
        connect_time: 1718450000,
        disconnect_code: ['16'],
      };
    }
    if (index === 2) {
      return { ...record, CLI: '1'.repeat(longTextBytes) };
    }
    return record;
  });
}

function serverErrorReply(status: ServerErrorStatus): Reply {
  const title = `${status} ${STATUS_TEXT[status]}`;
  const body =
    '<!DOCTYPE html>\n<html>\n<head><title>' +
    title +
    '</title></head>\n<body>\n<h1>' +
    title +
    '</h1>\n<p>The gateway in front of the TCXC emulator could not complete the request.</p>\n' +
    '<hr><address>emulator-gateway</address>\n</body>\n</html>\n';
  return { status, headers: { 'Content-Type': HTML_TYPE }, body, count: 0 };
}

function apiStatusReply(
  status: string | undefined,
  message: string | undefined,
  normal: () => Reply,
): Reply {
  if (status === undefined) {
    const reply = normal();
    return { ...jsonBody({ cdrs: reply.records ?? [] }), count: reply.records?.length ?? 0 };
  }
  const messageField = status === 'fail' ? 'error' : 'message';
  const result = status === 'fail' || status === 'error' ? status : undefined;
  return jsonBody(message === undefined ? { status } : { status, [messageField]: message }, result);
}

function jsonBody(value: unknown, result?: Reply['result']): Reply {
  return {
    status: 200,
    headers: { 'Content-Type': JSON_TYPE },
    body: JSON.stringify(value),
    result,
    count: 0,
  };
}

function withRetryAfter(reply: Reply, retryAfter: number | string | undefined): Reply {
  return retryAfter === undefined
    ? reply
    : withHeaders(reply, { 'Retry-After': String(retryAfter) });
}
