/**
 * Wholesale per-minute billing in whole billing blocks. Money is kept in integer micro-dollars
 * (1 USD = 1,000,000) so amounts round exactly once.
 */

/**
 * Returns the billed seconds of a call: 0 for a call of 0 seconds, otherwise the first block of
 * `firstInterval` seconds plus enough blocks of `nextInterval` seconds to cover the rest.
 */
export function billedSeconds(
  duration: number,
  firstInterval: number,
  nextInterval: number,
): number {
  if (duration <= 0) {
    return 0;
  }
  const remaining = Math.max(0, duration - firstInterval);
  return firstInterval + Math.ceil(remaining / nextInterval) * nextInterval;
}

/**
 * Computes the charge in micro-dollars for `billed` seconds: the first block at `firstPriceMicros`
 * per minute and the remaining seconds at `nextPriceMicros` per minute. The exact charge is
 * rounded half up to a whole micro-dollar.
 */
export function chargeMicros(
  billed: number,
  firstInterval: number,
  firstPriceMicros: number,
  nextPriceMicros: number,
): number {
  if (billed <= 0) {
    return 0;
  }
  // Scaled by 60 (seconds per minute), the charge is a whole number, so rounding half up is
  // floor((2 * scaled + 60) / 120) with no floating-point error.
  const scaled = firstPriceMicros * firstInterval + nextPriceMicros * (billed - firstInterval);
  return Math.floor((2 * scaled + 60) / 120);
}

/** Formats micro-dollars as a decimal with exactly 6 fractional digits, e.g. `0.000997`. */
export function formatMicros(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = micros - whole * 1_000_000;
  return `${whole}.${String(fraction).padStart(6, '0')}`;
}
