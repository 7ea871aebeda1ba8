import type { RawCdr } from './dataset';

/** A response ready to send: HTTP status, headers and body text. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly result?: 'success' | 'fail' | 'error';
  readonly count: number;
  /** The records of a success body, for faults that rewrite them. */
  readonly records?: readonly RawCdr[];
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

/** Builds an error reply: `{"status":"fail","error":...}` or `{"status":"error","message":...}`. */
export function jsonReply(status: number, result: 'fail' | 'error', message: string): Reply {
  const body = result === 'fail' ? { status: result, error: message } : { status: result, message };
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE },
    body: JSON.stringify(body),
    result,
    count: 0,
  };
}

/** Builds a success reply with `cdrs`, as the call-history API sends it. */
export function successReply(records: readonly RawCdr[]): Reply {
  return {
    status: 200,
    headers: { 'Content-Type': JSON_TYPE },
    body: JSON.stringify({ status: 'success', cdrs: records }),
    result: 'success',
    count: records.length,
    records,
  };
}

/** Returns a copy of `reply` with `headers` added. */
export function withHeaders(reply: Reply, headers: Readonly<Record<string, string>>): Reply {
  return { ...reply, headers: { ...reply.headers, ...headers } };
}
