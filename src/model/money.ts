/**
 * Exact money arithmetic in micro-units (millionths), the precision of TCXC's six-decimal
 * `customer_amount`. Amounts are bigint so sums of any length never pick up float noise.
 */
export const MICROS_PER_UNIT = 1_000_000n;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount such as `"0.004987"` or `0.004987` into micro-units. More than six
 * decimals are rounded half away from zero. Returns undefined for anything that is not a number.
 */
export function parseMicros(value: unknown): bigint | undefined {
  return parseScaled(value, 6);
}

/**
 * Parses a decimal amount into whole units of 10^-decimals, rounding half away from zero beyond
 * `decimals`. Returns undefined for anything that is not a number.
 */
export function parseScaled(value: unknown, decimals: number): bigint | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return undefined;
    }
    text = toPlainDecimal(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    return undefined;
  }
  const [, sign, whole, fraction = ''] = match;
  const padded = fraction.padEnd(decimals + 1, '0').slice(0, decimals + 1);
  let scaled = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(`0${padded.slice(0, decimals)}`);
  if (Number(padded[decimals]) >= 5) {
    scaled += 1n;
  }
  return sign === '-' ? -scaled : scaled;
}

/**
 * Writes a number as plain decimal text. String() gives the shortest decimal that reads back as
 * the same number, so the amount is rounded only once. Its exponent form (below 1e-6, from 1e21)
 * is expanded here.
 */
function toPlainDecimal(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) {
    return text;
  }
  const [, sign, first, rest = '', exponentText] = match;
  const exponent = Number(exponentText);
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${first}${rest}`;
  }
  return sign + first + rest + '0'.repeat(exponent - rest.length);
}

/**
 * Formats units of 10^-decimals as a decimal, dropping trailing zeros beyond `minDecimals`, for
 * example 12345700000n with 12 decimals and at least 6 shown as `0.0123457`.
 */
export function formatScaled(value: bigint, decimals: number, minDecimals: number): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const scale = 10n ** BigInt(decimals);
  let fraction = (magnitude % scale).toString().padStart(decimals, '0');
  while (fraction.length > minDecimals && fraction.endsWith('0')) {
    fraction = fraction.slice(0, -1);
  }
  const whole = (magnitude / scale).toString();
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Formats micro-units with a fixed number of decimals (0 to 6), rounding half away from zero. */
export function formatMicros(micros: bigint, decimals = 6): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6) {
    throw new RangeError(`Invalid decimals ${decimals}: expected 0 to 6`);
  }
  const negative = micros < 0n;
  let magnitude = negative ? -micros : micros;
  const drop = 10n ** BigInt(6 - decimals);
  magnitude = (magnitude + drop / 2n) / drop;
  const scale = 10n ** BigInt(decimals);
  const whole = (magnitude / scale).toString();
  const fraction = decimals > 0 ? '.' + (magnitude % scale).toString().padStart(decimals, '0') : '';
  return `${negative && magnitude !== 0n ? '-' : ''}${whole}${fraction}`;
}

/** Adds amounts exactly; undefined entries count as zero. */
export function sumMicros(amounts: Iterable<bigint | undefined>): bigint {
  let total = 0n;
  for (const amount of amounts) {
    total += amount ?? 0n;
  }
  return total;
}
