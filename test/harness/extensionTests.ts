/**
 * Runs the extension-host suite against a local emulator: starts the emulator, points the
 * extension's endpoint setting at it, passes the demo account to the tests and stops everything.
 *
 * CLI: node out/test/harness/extensionTests.js
 */
import {
  DEFAULT_DIGEST_ALGORITHMS,
  DEMO_API_KEY,
  DEMO_LOGIN,
  startEmulator,
} from '../../src/emulator/server';
import { runHostTests } from './runHostTests';

/** Page size the host tests expect; small so that "Load more" has pages to load. */
const PAGE_SIZE = 40;

export async function runExtensionTests(): Promise<number> {
  // Digest on, so that accounts of both authentication methods can fetch from the same emulator.
  const emulator = await startEmulator({
    dataset: { seed: 5, count: 2000, days: 7 },
    digestAlgorithms: DEFAULT_DIGEST_ALGORITHMS,
  });
  try {
    return await runHostTests({
      settings: { 'tcxc.endpoint': emulator.endpoint, 'tcxc.pageSize': PAGE_SIZE },
      env: { TCXC_TEST_LOGIN: DEMO_LOGIN, TCXC_TEST_API_KEY: DEMO_API_KEY },
    });
  } finally {
    await emulator.close();
  }
}

if (require.main === module) {
  runExtensionTests().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}
