/** Which calls a query returns: `all` includes answered and failed calls, `bad` only failed ones. */
export type ShowFilter = 'all' | 'bad';

/** Filters of one call-history query. Dates are UTC. */
export interface CdrQuery {
  /** Destination prefix such as `44`; empty or absent means every destination. */
  readonly prefix?: string;
  readonly show: ShowFilter;
  readonly dateFrom: Date;
  /** End of the range; when absent, paging fixes it to the time the first page is requested. */
  readonly dateTo?: Date;
}

/** Formats a date as the API's `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatApiDate(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new RangeError('Invalid date: cannot format it for the API');
  }
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

const API_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Parses an API `YYYY-MM-DD HH:MM:SS` UTC time; returns undefined when the text is not one. */
export function parseApiDate(text: string): Date | undefined {
  const match = API_DATE.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const date = utcDate(year, month, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over to March; reject such dates instead.
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  return date;
}

/** Destination prefixes are digits only; a leading `+` or `00` is not part of a TCXC prefix. */
export function isValidPrefix(prefix: string): boolean {
  return /^\d{0,15}$/.test(prefix);
}

/**
 * Builds a UTC date from calendar fields. Unlike Date.UTC, it keeps years 0 to 99 as they are
 * instead of mapping them to 1900 to 1999.
 */
export function utcDate(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date;
}
