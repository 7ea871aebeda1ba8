/** Helpers shared by the client's unit tests. */
import * as assert from 'node:assert/strict';
import type { ClientLogger } from '../../src/client/client';

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
