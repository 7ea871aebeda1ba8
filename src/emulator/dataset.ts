import { formatApiDate } from '../client/query';
import { billedSeconds, chargeMicros, formatMicros } from './billing';
import { SeededRandom } from './random';
import {
  BILLING_INCREMENTS,
  BUYER_ACCOUNTS,
  COUNTRIES,
  CUSTOMER_ID,
  NORMAL_CLEARING,
  RELEASE_CAUSES,
  VENDORS,
  type BillingIncrement,
  type Country,
  type Destination,
  type ReleaseCause,
  type Vendor,
} from './tables';

/**
 * One call detail record as the TCXC buyer call-history API sends it. Most values are strings,
 * the two prices are JSON numbers, and text fields may carry stray leading or trailing spaces.
 */
export interface RawCdr {
  readonly i_cdr: string;
  /** Called number (destination), E.164 digits without `+`. */
  readonly CLD: string;
  /** Calling number (caller ID). */
  readonly CLI: string;
  readonly call_id: string;
  /** Call length in seconds. */
  readonly duration: string;
  /** Billed seconds; null for failed calls and calls of 0 seconds. */
  readonly billed_duration: string | null;
  /** Times are `YYYY-MM-DD HH:MM:SS` UTC. */
  readonly connect_time: string;
  readonly disconnect_time: string;
  readonly setup_time: string;
  readonly billing_prefix: string;
  /** Per-minute price of the first billed block, in USD. */
  readonly billing_price_1: number;
  /** Per-minute price of each later billed block, in USD. */
  readonly billing_price_n: number;
  /** Length in seconds of the first billed block. */
  readonly billing_interval_1: string;
  /** Length in seconds of each later billed block. */
  readonly billing_interval_n: string;
  /** Charge in USD with exactly 6 decimals. */
  readonly customer_amount: string;
  readonly i_customer: string;
  readonly i_account: string;
  readonly i_vendor: string;
  readonly i_connection: string;
  readonly i_purchased_route: string;
  /** Q.850 release cause; `16` is a normally cleared (answered) call. */
  readonly disconnect_code: string;
  readonly customer_ip: string;
  readonly i_rate: string;
  readonly vendor_name: string;
  readonly account_name: string;
  readonly connection_name: string | null;
  readonly disconnect_reason: string;
  readonly country_name: string;
  readonly description: string;
}

/** Parameters of a generated dataset. The same options always produce the same records. */
export interface DatasetOptions {
  readonly seed: number;
  readonly count: number;
  /** Connect times are spread over [start, end], both included, in whole seconds. */
  readonly start: Date;
  readonly end: Date;
  /** `i_cdr` of the oldest record; the rest count up in connect-time order. Default 1. */
  readonly firstId?: number;
}

type MutableCdr = { -readonly [K in keyof RawCdr]: RawCdr[K] };

/** Text fields that can carry a stray leading or trailing space, as real records sometimes do. */
const PADDABLE_FIELDS = [
  'vendor_name',
  'country_name',
  'description',
  'disconnect_reason',
  'account_name',
] as const;

const STRAY_SPACE_SHARE = 1 / 20;

/** Price that the buyer pays one vendor for one destination. */
interface Rate {
  readonly firstPriceMicros: number;
  readonly nextPriceMicros: number;
  readonly increment: BillingIncrement;
  readonly rateId: string;
  readonly purchasedRouteId: string;
}

interface Route {
  readonly country: Country;
  readonly destination: Destination;
  readonly weight: number;
}

/**
 * Generates `count` call records in connect-time order (oldest first, `i_cdr` increasing), with
 * traffic peaking in business hours, about 65 % answered calls and Q.850 causes for the rest.
 */
export function generateCdrs(options: DatasetOptions): RawCdr[] {
  const { startSeconds, endSeconds } = validateOptions(options);
  const random = new SeededRandom(options.seed);
  const routes = listRoutes();
  const rates = priceRoutes(random, routes);
  const connectTimes = drawConnectTimes(random, options.count, startSeconds, endSeconds);
  const firstId = options.firstId ?? 1;
  const records: RawCdr[] = new Array<RawCdr>(options.count);
  for (let i = 0; i < options.count; i++) {
    records[i] = generateCdr(random, routes, rates, String(firstId + i), connectTimes[i]);
  }
  return records;
}

function validateOptions(options: DatasetOptions) {
  const { count, start, end, firstId = 1 } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`Invalid count ${String(count)}: expected a whole number of 0 or more`);
  }
  if (!Number.isSafeInteger(firstId) || firstId < 0) {
    throw new RangeError(`Invalid firstId ${String(firstId)}: expected a whole number`);
  }
  const startSeconds = Math.ceil(start.getTime() / 1000);
  const endSeconds = Math.floor(end.getTime() / 1000);
  if (Number.isNaN(startSeconds) || Number.isNaN(endSeconds) || startSeconds > endSeconds) {
    throw new RangeError(
      'Invalid time range: expected valid start and end dates that include a whole second',
    );
  }
  return { startSeconds, endSeconds };
}

function listRoutes(): Route[] {
  const routes: Route[] = [];
  for (const country of COUNTRIES) {
    for (const destination of country.destinations) {
      routes.push({ country, destination, weight: country.weight / country.destinations.length });
    }
  }
  return routes;
}

/** Draws one rate per destination and vendor, so calls on the same route share a price. */
function priceRoutes(random: SeededRandom, routes: readonly Route[]): Map<Destination, Rate[]> {
  const rates = new Map<Destination, Rate[]>();
  let rateId = 4000;
  for (const { destination } of routes) {
    const perVendor = VENDORS.map(() => {
      rateId += 1;
      return drawRate(random, destination, String(rateId));
    });
    rates.set(destination, perVendor);
  }
  return rates;
}

function drawRate(random: SeededRandom, destination: Destination, rateId: string): Rate {
  const { minPriceMicros, maxPriceMicros } = destination;
  const firstPriceMicros = random.int(minPriceMicros, maxPriceMicros);
  const nextPriceMicros = random.chance(0.8)
    ? firstPriceMicros
    : random.int(minPriceMicros, maxPriceMicros);
  return {
    firstPriceMicros,
    nextPriceMicros,
    increment: random.pickWeighted(BILLING_INCREMENTS),
    rateId,
    purchasedRouteId: random.chance(0.5) ? '0' : String(random.int(100, 999)),
  };
}

/** Relative call volume by UTC hour: a daytime peak, a shoulder and a quiet night. */
function hourWeight(hour: number): number {
  if (hour >= 8 && hour < 18) {
    return 1;
  }
  if ((hour >= 6 && hour < 8) || (hour >= 18 && hour < 22)) {
    return 0.5;
  }
  return 0.15;
}

/** Draws connect times (unix seconds) by rejection sampling on the hour weights, sorted. */
function drawConnectTimes(random: SeededRandom, count: number, start: number, end: number) {
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let time: number;
    do {
      time = random.int(start, end);
    } while (!random.chance(hourWeight(Math.floor(time / 3600) % 24)));
    times[i] = time;
  }
  return times.sort();
}

/** Builds a phone number in `country`: country code, a destination's leading digits, the rest. */
function drawNumber(random: SeededRandom, country: Country, destination: Destination): string {
  const lead = random.pick(destination.leads);
  return country.countryCode + lead + random.digits(destination.nationalDigits - lead.length);
}

/** Call length in seconds of an answered call: mostly short, a few long, some of 0 s. */
function drawDuration(random: SeededRandom): number {
  const roll = random.next();
  if (roll < 0.04) {
    return 0;
  }
  if (roll < 0.07) {
    return random.int(600, 3600);
  }
  const seconds = Math.round(-Math.log(1 - random.next()) * 75);
  return Math.min(Math.max(seconds, 1), 599);
}

function drawCaller(random: SeededRandom, routes: readonly Route[]): string {
  const route = random.pickWeighted(routes);
  return drawNumber(random, route.country, route.destination);
}

function drawBillingPrefix(random: SeededRandom, countryCode: string, cld: string): string {
  const nationalLength = cld.length - countryCode.length;
  const prefixDigits = Math.min(nationalLength - 1, random.int(1, 7));
  return cld.slice(0, countryCode.length + prefixDigits);
}

/** The random choices behind one record, before they are formatted. */
interface CallDraw {
  readonly country: Country;
  readonly destination: Destination;
  readonly vendor: Vendor;
  readonly rate: Rate;
  readonly cause: ReleaseCause;
  readonly duration: number;
  readonly ringSeconds: number;
}

function drawCall(
  random: SeededRandom,
  routes: readonly Route[],
  rates: ReadonlyMap<Destination, readonly Rate[]>,
): CallDraw {
  const { country, destination } = random.pickWeighted(routes);
  const vendor = random.pickWeighted(VENDORS);
  const rate = (rates.get(destination) ?? [])[VENDORS.indexOf(vendor)];
  const cause = random.pickWeighted(RELEASE_CAUSES);
  const answered = cause.code === NORMAL_CLEARING;
  const duration = answered ? drawDuration(random) : 0;
  const ringSeconds = answered ? random.int(2, 20) : 0;
  return { country, destination, vendor, rate, cause, duration, ringSeconds };
}

function generateCdr(
  random: SeededRandom,
  routes: readonly Route[],
  rates: ReadonlyMap<Destination, readonly Rate[]>,
  id: string,
  connectSeconds: number,
): RawCdr {
  const call = drawCall(random, routes, rates);
  const { country, destination, vendor, rate, cause, duration, ringSeconds } = call;
  const { first, next } = rate.increment;
  const billed = billedSeconds(duration, first, next);
  const charge = chargeMicros(billed, first, rate.firstPriceMicros, rate.nextPriceMicros);

  const cld = drawNumber(random, country, destination);
  const account = random.pick(BUYER_ACCOUNTS);
  const connection = random.chance(0.6) ? random.pick(vendor.connections) : undefined;
  const record: MutableCdr = {
    i_cdr: id,
    CLD: cld,
    CLI: drawCaller(random, routes),
    call_id: random.hex(16),
    duration: String(duration),
    billed_duration: billed > 0 ? String(billed) : null,
    connect_time: formatSeconds(connectSeconds),
    disconnect_time: formatSeconds(connectSeconds + duration),
    setup_time: formatSeconds(connectSeconds - ringSeconds),
    billing_prefix: drawBillingPrefix(random, country.countryCode, cld),
    billing_price_1: rate.firstPriceMicros / 1_000_000,
    billing_price_n: rate.nextPriceMicros / 1_000_000,
    billing_interval_1: String(first),
    billing_interval_n: String(next),
    customer_amount: formatMicros(charge),
    i_customer: CUSTOMER_ID,
    i_account: account.id,
    i_vendor: vendor.id,
    i_connection: connection?.id ?? '0',
    i_purchased_route: rate.purchasedRouteId,
    disconnect_code: cause.code,
    customer_ip: random.chance(0.5) ? '' : `192.0.2.${random.int(1, 254)}`,
    i_rate: rate.rateId,
    vendor_name: vendor.name,
    account_name: account.name,
    connection_name: connection?.name ?? null,
    disconnect_reason: cause.reason,
    country_name: country.name,
    description: destination.description,
  };
  addStraySpace(random, record);
  return record;
}

function addStraySpace(random: SeededRandom, record: MutableCdr): void {
  if (!random.chance(STRAY_SPACE_SHARE)) {
    return;
  }
  const field = random.pick(PADDABLE_FIELDS);
  record[field] = random.chance(0.5) ? ` ${record[field]}` : `${record[field]} `;
}

let cachedDay = NaN;
let cachedDayText = '';

/**
 * Formats unix seconds as `YYYY-MM-DD HH:MM:SS` UTC, the same text as `formatApiDate`. It caches
 * the date part because consecutive records mostly share a day, which keeps large datasets fast.
 */
function formatSeconds(unixSeconds: number): string {
  const day = Math.floor(unixSeconds / 86400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = formatApiDate(new Date(day * 86400 * 1000)).slice(0, 10);
  }
  const secondOfDay = unixSeconds - day * 86400;
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  return `${cachedDayText} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
