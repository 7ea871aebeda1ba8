/**
 * Checks a CDR's charge against its billing fields: the billed seconds from the call length and
 * the billing intervals, then the amount from the per-minute prices. No `vscode` and no DOM, so
 * the panel script and unit tests share it.
 */
import type { ChargeStatus } from '../panel/protocol';
import type { Cdr } from './cdr';
import { formatMicros, formatScaled, parseScaled } from './money';

export type { ChargeStatus };

/** The outcome of {@link checkCharge}. */
export interface ChargeCheck {
  readonly status: ChargeStatus;
  /** One sentence for the user, such as "The amount matches the billing fields." */
  readonly summary: string;
  /** The computation, one line per step, such as "First 6 s at 0.004987/min = 0.000499". */
  readonly steps: readonly string[];
  /** Billed seconds recomputed from the duration and the billing intervals. */
  readonly expectedBilledSeconds?: number;
  /** Amount recomputed from the billing fields, rounded half up to a whole micro-unit. */
  readonly expectedAmountMicros?: bigint;
  /** The record's `customer_amount` minus {@link expectedAmountMicros}. */
  readonly differenceMicros?: bigint;
}

const SECONDS_PER_MINUTE = 60n;

/**
 * Prices and amounts are read to 12 decimals (pico-units), so a price with more than the six
 * decimals of a micro-unit still gives the exact amount.
 */
const DECIMALS = 12;
const PICOS_PER_MICRO = 1_000_000n;
/** One micro-unit in the scale of the exact amount: pico-units times 60 seconds. */
const ONE_MICRO_EXACT = PICOS_PER_MICRO * SECONDS_PER_MINUTE;

/**
 * Recomputes the charge of `cdr` from its billing fields and compares it with the record.
 *
 * A call of 0 seconds bills nothing. Any other call bills the first interval, then enough later
 * intervals to cover the rest of the call. Prices are per minute, so the exact amount is
 * price1 × interval1 / 60 + priceN × (billed − interval1) / 60, computed in bigint from the
 * prices as written, to 12 decimals.
 *
 * The status is 'mismatch' when `customer_amount` is 1 micro-unit or more away from the exact
 * amount, so either rounding to six decimals passes. A `billed_duration` other than the
 * recomputed billed seconds is a mismatch too, and a null one is not compared. The status is
 * 'unknown' when a field that the computation needs is missing, invalid or a zero interval.
 * Prices and intervals are not needed for a call of 0 seconds.
 */
export function checkCharge(cdr: Cdr): ChargeCheck {
  const steps: string[] = [];
  const issues: string[] = [];
  const billed = computeBilled(cdr, steps, issues);
  const recordBilled = cdr.billedSeconds;
  if (recordBilled !== undefined) {
    steps.push(`Record says ${recordBilled} s billed`);
  } else if (!isAbsent(cdr.raw.billed_duration)) {
    issues.push(fieldIssue(cdr, 'billed_duration'));
  }
  const billedMismatch =
    billed !== undefined && recordBilled !== undefined && recordBilled !== billed;
  const exact = billed === undefined ? undefined : computeExactAmount(cdr, billed, steps, issues);

  const recordAmount = cdr.amountMicros;
  const recordPicos =
    recordAmount === undefined ? undefined : parseScaled(cdr.raw.customer_amount, DECIMALS);
  if (recordAmount === undefined) {
    issues.push(fieldIssue(cdr, 'customer_amount'));
  }
  let expectedAmountMicros: bigint | undefined;
  let differenceMicros: bigint | undefined;
  let amountMismatch = false;
  if (exact !== undefined) {
    expectedAmountMicros = roundHalfUp(exact, ONE_MICRO_EXACT);
    const expectedText = formatMicros(expectedAmountMicros);
    if (recordAmount === undefined || recordPicos === undefined) {
      steps.push(`Expected ${expectedText}, record has no valid customer_amount`);
    } else {
      steps.push(`Expected ${expectedText}, record says ${formatMicros(recordAmount)}`);
      differenceMicros = recordAmount - expectedAmountMicros;
      amountMismatch = absolute(recordPicos * SECONDS_PER_MINUTE - exact) >= ONE_MICRO_EXACT;
      if (!amountMismatch && differenceMicros !== 0n) {
        const [low, high] = [recordAmount, expectedAmountMicros].sort(compareBigint);
        steps.push(
          `The exact amount lies between ${formatMicros(low)} and ${formatMicros(high)}, ` +
            'so both roundings match',
        );
      }
    }
  }

  const result = { steps, expectedBilledSeconds: billed, expectedAmountMicros, differenceMicros };
  if (amountMismatch || billedMismatch) {
    const summary = describeMismatch(
      amountMismatch ? differenceMicros : undefined,
      billedMismatch ? recordBilled : undefined,
      billed,
    );
    return { status: 'mismatch', summary, ...result };
  }
  if (issues.length > 0) {
    return {
      status: 'unknown',
      summary: `The charge cannot be checked because ${joinWords(issues)}.`,
      ...result,
    };
  }
  return { status: 'ok', summary: 'The amount matches the billing fields.', ...result };
}

/** Computes the billed seconds, or notes the fields it lacks in `issues` and returns undefined. */
function computeBilled(cdr: Cdr, steps: string[], issues: string[]): number | undefined {
  const duration = cdr.durationSeconds;
  if (duration === undefined) {
    issues.push(fieldIssue(cdr, 'duration'));
    return undefined;
  }
  if (duration === 0) {
    steps.push('Billed 0 s: a call of 0 s bills nothing');
    return 0;
  }
  const first = readInterval(cdr, 'billing_interval_1', cdr.interval1Seconds, issues);
  const next = readInterval(cdr, 'billing_interval_n', cdr.intervalNSeconds, issues);
  if (first === undefined || next === undefined) {
    return undefined;
  }
  const blocks = Math.ceil(Math.max(0, duration - first) / next);
  const billed = first + blocks * next;
  const blocksText =
    blocks === 0
      ? `first block of ${first} s only`
      : `first ${first} s, then ${plural(blocks, 'block')} of ${next} s`;
  steps.push(`Billed ${billed} s for a call of ${duration} s: ${blocksText}`);
  return billed;
}

/**
 * Computes the exact amount of `billed` seconds in pico-units times 60, a whole number, or notes
 * the fields it lacks in `issues` and returns undefined.
 */
function computeExactAmount(
  cdr: Cdr,
  billed: number,
  steps: string[],
  issues: string[],
): bigint | undefined {
  if (billed === 0) {
    return 0n;
  }
  // computeBilled only returns a positive number when both intervals are valid.
  const first = cdr.interval1Seconds ?? 0;
  const price1 =
    cdr.price1Micros === undefined ? undefined : parseScaled(cdr.raw.billing_price_1, DECIMALS);
  const priceN =
    cdr.priceNMicros === undefined ? undefined : parseScaled(cdr.raw.billing_price_n, DECIMALS);
  if (price1 === undefined) {
    issues.push(fieldIssue(cdr, 'billing_price_1'));
  }
  if (priceN === undefined) {
    issues.push(fieldIssue(cdr, 'billing_price_n'));
  }
  if (price1 === undefined || priceN === undefined) {
    return undefined;
  }
  const firstPart = price1 * BigInt(first);
  steps.push(describePart('First', first, price1, firstPart));
  const rest = billed - first;
  if (rest === 0) {
    return firstPart;
  }
  const restPart = priceN * BigInt(rest);
  steps.push(describePart('Next', rest, priceN, restPart));
  return firstPart + restPart;
}

function describePart(name: string, seconds: number, pricePicos: bigint, exact: bigint): string {
  const amount = formatMicros(roundHalfUp(exact, ONE_MICRO_EXACT));
  return `${name} ${seconds} s at ${formatScaled(pricePicos, DECIMALS, 6)}/min = ${amount}`;
}

/** Returns the interval, or notes it in `issues` when it is missing, invalid or 0. */
function readInterval(
  cdr: Cdr,
  field: string,
  seconds: number | undefined,
  issues: string[],
): number | undefined {
  if (seconds === undefined) {
    issues.push(fieldIssue(cdr, field));
    return undefined;
  }
  if (seconds === 0) {
    issues.push(`${field} is 0`);
    return undefined;
  }
  return seconds;
}

/**
 * Describes why `field` has no typed value: the problem that the CDR reader noted for it, or
 * "is missing" for null and absent values, which the reader does not note for every field.
 */
function fieldIssue(cdr: Cdr, field: string): string {
  const problem = cdr.problems.find((text) => text.startsWith(`${field} `));
  return problem ?? `${field} is missing`;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function describeMismatch(
  differenceMicros: bigint | undefined,
  recordBilled: number | undefined,
  expectedBilled: number | undefined,
): string {
  const billedText =
    recordBilled === undefined
      ? undefined
      : `billed_duration is ${recordBilled} s where the billing fields give ${expectedBilled} s`;
  if (differenceMicros === undefined) {
    return `The record's ${billedText}.`;
  }
  const direction = differenceMicros > 0n ? 'more' : 'less';
  const difference = formatMicros(absolute(differenceMicros));
  const amountText = `Billed ${difference} ${direction} than the billing fields give`;
  return billedText === undefined ? `${amountText}.` : `${amountText}, and ${billedText}.`;
}

/** Divides and rounds half up (towards positive infinity), also for negative numerators. */
function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return floorDivide(2n * numerator + denominator, 2n * denominator);
}

/** Divides rounding towards negative infinity; `denominator` must be positive. */
function floorDivide(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  return numerator % denominator < 0n ? quotient - 1n : quotient;
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function compareBigint(a: bigint, b: bigint): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Joins phrases as "a", "a and b" or "a, b and c". */
function joinWords(phrases: readonly string[]): string {
  if (phrases.length <= 1) {
    return phrases.join('');
  }
  return `${phrases.slice(0, -1).join(', ')} and ${phrases[phrases.length - 1]}`;
}
