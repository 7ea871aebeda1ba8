import { CdrQuery, formatApiDate } from './query';

/** Signed authentication fields of one request. */
export interface SignedAuth {
  readonly ts: number;
  readonly login: string;
  readonly signature: string;
}

/** One page of a query: `pager` and `off` are always sent together. */
export interface PageWindow {
  readonly offset: number;
  readonly pageSize: number;
}

/**
 * Builds the `application/x-www-form-urlencoded` body of a call-history request. URLSearchParams
 * encodes spaces as `+`, colons as `%3A` and a literal `+` as `%2B`, as the form encoding requires.
 * Without `auth`, as for HTTP Digest requests, the body has no `ts`, `api_login` or `signature`.
 */
export function buildCdrForm(
  query: CdrQuery & { readonly dateTo: Date },
  auth: SignedAuth | undefined,
  page?: PageWindow,
): URLSearchParams {
  const form = new URLSearchParams();
  if (auth !== undefined) {
    form.set('ts', String(auth.ts));
    form.set('api_login', auth.login);
    form.set('signature', auth.signature);
  }
  form.set('prefix', query.prefix ?? '');
  form.set('show', query.show);
  form.set('date_from', formatApiDate(query.dateFrom));
  form.set('date_to', formatApiDate(query.dateTo));
  if (page) {
    if (!Number.isSafeInteger(page.pageSize) || page.pageSize < 1) {
      throw new RangeError(`Invalid page size ${page.pageSize}: expected a whole number above 0`);
    }
    if (!Number.isSafeInteger(page.offset) || page.offset < 0) {
      throw new RangeError(`Invalid offset ${page.offset}: expected a whole number from 0`);
    }
    form.set('pager', String(page.pageSize));
    form.set('off', String(page.offset));
  }
  return form;
}

/** Describes the filters of a request for the log, without any authentication field. */
export function describeQuery(
  query: CdrQuery & { readonly dateTo: Date },
  page?: PageWindow,
): string {
  const parts = [
    `prefix=${query.prefix ? query.prefix : '(all)'}`,
    `show=${query.show}`,
    `from=${formatApiDate(query.dateFrom)}`,
    `to=${formatApiDate(query.dateTo)}`,
  ];
  if (page) {
    parts.push(`pager=${page.pageSize}`, `off=${page.offset}`);
  }
  return parts.join(' ');
}
