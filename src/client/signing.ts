import { createHash } from 'node:crypto';

/** Controller name of the buyer call-history API, the first part of each signature. */
export const CDR_CONTROLLER = 'c_cdrs';

/**
 * Computes a TCXC request signature: the lowercase hex SHA-256 of controller, API key, login and
 * unix timestamp concatenated with no separators.
 */
export function signRequest(
  controller: string,
  apiKey: string,
  login: string,
  timestampSeconds: number,
): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError(`Invalid timestamp ${String(timestampSeconds)}: expected whole seconds`);
  }
  return createHash('sha256')
    .update(controller + apiKey + login + String(timestampSeconds), 'utf8')
    .digest('hex');
}

/** Converts a time in milliseconds to whole unix seconds, the unit of the `ts` field. */
export function toUnixSeconds(milliseconds: number): number {
  return Math.floor(milliseconds / 1000);
}
