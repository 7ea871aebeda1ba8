import { CdrQuery, ShowFilter, isValidPrefix, utcDate } from '../client/query';

/** The preset time windows offered when fetching; `custom` takes explicit UTC dates. */
export type WindowPreset = 'lastHour' | 'today' | 'last24Hours' | 'last7Days' | 'custom';

export const WINDOW_LABELS: Readonly<Record<WindowPreset, string>> = {
  lastHour: 'Last hour',
  today: 'Today (UTC)',
  last24Hours: 'Last 24 hours',
  last7Days: 'Last 7 days',
  custom: 'Custom range (UTC)…',
};

const HOUR_MS = 3_600_000;

/**
 * The filters a user picks for a fetch. For presets the end stays open, so the pager fixes it to
 * the moment the first page is requested.
 */
export interface QueryRequest {
  readonly window: WindowPreset;
  /** UTC start and end of a custom range, as typed. */
  readonly from?: string;
  readonly to?: string;
  readonly prefix?: string;
  readonly show?: ShowFilter;
  /** Records per page; the `tcxc.pageSize` setting applies when it is not given. */
  readonly pageSize?: number;
}

/** Bounds of a page size, the same as those of the `tcxc.pageSize` setting. */
export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 5000;

/** Turns a query request into a query, or throws a RangeError naming the invalid field. */
export function resolveQuery(request: QueryRequest, now: number): CdrQuery {
  const prefix = normalizePrefix(request.prefix ?? '');
  if (!isValidPrefix(prefix)) {
    throw new RangeError(`Invalid prefix "${request.prefix ?? ''}": use digits only, such as 44`);
  }
  const show = request.show ?? 'all';
  if (show !== 'all' && show !== 'bad') {
    throw new RangeError(`Invalid show "${String(show)}": expected all or bad`);
  }
  const { pageSize } = request;
  if (
    pageSize !== undefined &&
    !(Number.isSafeInteger(pageSize) && pageSize >= MIN_PAGE_SIZE && pageSize <= MAX_PAGE_SIZE)
  ) {
    throw new RangeError(
      `Invalid page size ${String(pageSize)}: expected ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}`,
    );
  }
  return { prefix, show, ...resolveWindow(request, now) };
}

function resolveWindow(request: QueryRequest, now: number): { dateFrom: Date; dateTo?: Date } {
  switch (request.window) {
    case 'lastHour':
      return { dateFrom: new Date(now - HOUR_MS) };
    case 'today':
      return { dateFrom: new Date(Math.floor(now / (24 * HOUR_MS)) * 24 * HOUR_MS) };
    case 'last24Hours':
      return { dateFrom: new Date(now - 24 * HOUR_MS) };
    case 'last7Days':
      return { dateFrom: new Date(now - 7 * 24 * HOUR_MS) };
    case 'custom':
      return resolveCustomRange(request.from ?? '', request.to ?? '');
    default:
      throw new RangeError(`Invalid time window "${String(request.window)}"`);
  }
}

function resolveCustomRange(from: string, to: string): { dateFrom: Date; dateTo: Date } {
  const dateFrom = parseUserDate(from);
  if (!dateFrom) {
    throw new RangeError(`Invalid start "${from}": use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)`);
  }
  const dateTo = parseUserDate(to, true);
  if (!dateTo) {
    throw new RangeError(`Invalid end "${to}": use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)`);
  }
  if (dateTo.getTime() < dateFrom.getTime()) {
    throw new RangeError('Invalid range: the end is before the start');
  }
  return { dateFrom, dateTo };
}

const USER_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/;

/**
 * Parses a UTC date typed by the user: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS`.
 * A bare date means its first second, or its last second when `endOfDay` is set.
 */
export function parseUserDate(text: string, endOfDay = false): Date | undefined {
  const match = USER_DATE.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const [year, month, day] = [match[1], match[2], match[3]].map(Number);
  const hasTime = match[4] !== undefined;
  // A bare date is its first second, or its last second when it ends a range.
  let [hour, minute, second] = endOfDay ? [23, 59, 59] : [0, 0, 0];
  if (hasTime) {
    hour = Number(match[4]);
    minute = Number(match[5]);
    second = match[6] === undefined ? 0 : Number(match[6]);
  }
  const date = utcDate(year, month, day, hour, minute, second);
  const valid =
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return valid ? date : undefined;
}

/** Drops spaces and a leading `+` or `00`, which users type but TCXC prefixes do not carry. */
export function normalizePrefix(prefix: string): string {
  const compact = prefix.replace(/\s+/g, '');
  return compact.replace(/^(\+|00)/, '');
}

/** Describes a query in one line, for example `Last 7 days · prefix 44 · failed calls`. */
export function describeRequest(request: QueryRequest): string {
  const window =
    request.window === 'custom'
      ? `${request.from ?? ''} – ${request.to ?? ''} UTC`
      : WINDOW_LABELS[request.window];
  const prefix = normalizePrefix(request.prefix ?? '');
  const parts = [window, prefix ? `prefix ${prefix}` : 'all destinations'];
  parts.push(request.show === 'bad' ? 'failed calls' : 'all calls');
  if (request.pageSize !== undefined) {
    parts.push(`pages of ${request.pageSize}`);
  }
  return parts.join(' · ');
}
