/**
 * Validation of the panel's filter form, shared by the panel script (to show errors before
 * anything is sent) and the extension (which never trusts a message).
 */
import { isValidPrefix } from '../client/query';
import {
  QueryRequest,
  WINDOW_LABELS,
  WindowPreset,
  normalizePrefix,
  parseUserDate,
} from '../model/timeWindow';
import { FilterErrors, MAX_PAGE_SIZE, MIN_PAGE_SIZE, PanelFilters } from './protocol';

/** A query request with the page size chosen in the panel. */
export interface PanelQuery extends QueryRequest {
  readonly pageSize: number;
}

export const DEFAULT_FILTERS: PanelFilters = {
  window: 'last24Hours',
  from: '',
  to: '',
  prefix: '',
  show: 'all',
  pageSize: '100',
};

const DATE_HINT = 'Use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)';

/** Checks every field and returns one message per invalid field, or the query to fetch. */
export function validateFilters(filters: PanelFilters): {
  readonly errors: FilterErrors;
  readonly query?: PanelQuery;
} {
  const errors: { -readonly [K in keyof FilterErrors]: FilterErrors[K] } = {};
  if (!isWindowPreset(filters.window)) {
    errors.window = 'Pick one of the listed time windows';
  }
  if (filters.show !== 'all' && filters.show !== 'bad') {
    errors.show = 'Pick all calls or failed calls';
  }
  const prefix = normalizePrefix(filters.prefix);
  if (!isValidPrefix(prefix)) {
    errors.prefix = 'Use digits only, such as 44 or 1201';
  }
  const pageSize = parsePageSize(filters.pageSize);
  if (pageSize === undefined) {
    errors.pageSize = `Use a whole number from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}`;
  }
  if (filters.window === 'custom') {
    const from = parseUserDate(filters.from);
    const to = parseUserDate(filters.to, true);
    if (!from) {
      errors.from = filters.from.trim() === '' ? `Enter a start. ${DATE_HINT}` : DATE_HINT;
    }
    if (!to) {
      errors.to = filters.to.trim() === '' ? `Enter an end. ${DATE_HINT}` : DATE_HINT;
    }
    if (from && to && to.getTime() < from.getTime()) {
      errors.to = 'The end is before the start';
    }
  }
  if (Object.keys(errors).length > 0 || pageSize === undefined) {
    return { errors };
  }
  const query: PanelQuery = {
    window: filters.window,
    prefix,
    show: filters.show,
    pageSize,
    ...(filters.window === 'custom' ? { from: filters.from.trim(), to: filters.to.trim() } : {}),
  };
  return { errors, query };
}

/** Builds the form values that reproduce a query, for a query started outside the panel. */
export function filtersFromRequest(request: QueryRequest, pageSize: number): PanelFilters {
  return {
    window: request.window,
    from: request.from ?? '',
    to: request.to ?? '',
    prefix: request.prefix ?? '',
    show: request.show ?? 'all',
    pageSize: String(pageSize),
  };
}

/** True for a value with every field of {@link PanelFilters} as text; the values are unchecked. */
export function isPanelFilters(value: unknown): value is PanelFilters {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return ['window', 'from', 'to', 'prefix', 'show', 'pageSize'].every(
    (field) => typeof record[field] === 'string',
  );
}

function isWindowPreset(value: string): value is WindowPreset {
  return Object.prototype.hasOwnProperty.call(WINDOW_LABELS, value);
}

function parsePageSize(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) {
    return undefined;
  }
  const size = Number(trimmed);
  return size >= MIN_PAGE_SIZE && size <= MAX_PAGE_SIZE ? size : undefined;
}
