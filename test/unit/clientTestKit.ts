/** Helpers shared by the client's unit tests. */
import * as assert from 'node:assert/strict';
import type { ClientLogger, FixedQuery } from '../../src/client/client';

/** Collects every line a client logs. */
export class RecordingLogger implements ClientLogger {
  readonly lines: string[] = [];

  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }

  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
}

/** Runs `action` and returns the error it rejected with; fails the test when it resolves. */
export async function failureOf(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

/** Fixed clock shared by the emulator and the clients: 2024-06-15 12:00:00 UTC. */
export const FIXED_NOW = Date.UTC(2024, 5, 15, 12, 0, 0);
const DAY_MS = 86_400_000;

/** A query over the whole generated dataset, which covers the three days before FIXED_NOW. */
export const WHOLE_DATASET_QUERY: FixedQuery = {
  prefix: '',
  show: 'all',
  dateFrom: new Date(FIXED_NOW - 4 * DAY_MS),
  dateTo: new Date(FIXED_NOW),
};
