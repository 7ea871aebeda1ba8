/**
 * Command-line entry of the local TCXC emulator, for demos and manual testing:
 * `node out/src/emulator/main.js [--port N] [--seed N] [--count N] [--days N] [--latency-ms N]`.
 */
import { parseArgs } from 'node:util';
import { parseDigestAlgorithm, type DigestAlgorithm } from '../client/digest';
import { DEFAULT_DIGEST_ALGORITHMS } from './digest';
import {
  DEMO_API_KEY,
  DEMO_LOGIN,
  startEmulator,
  type DigestLogEntry,
  type EmulatorOptions,
  type EmulatorRequestLog,
  type RunningEmulator,
} from './server';

const USAGE = `Usage: node out/src/emulator/main.js [options]

Serves generated call detail records on 127.0.0.1 as the TCXC buyer call-history API.

Options:
  --port N          TCP port on 127.0.0.1; 0 picks a free port (default 0)
  --seed N          dataset seed; the same seed gives the same records (default 1)
  --count N         number of generated records (default 3000)
  --days N          days of traffic, ending now (default 7)
  --latency-ms N    delay added to each response, in milliseconds (default 0)
  --digest LIST     HTTP Digest algorithms to offer, comma-separated, or none to turn HTTP
                    Digest off (default SHA-256,MD5)
  --digest-nonce-lifetime-s N
                    seconds a Digest nonce stays valid (default 300)
  --log-requests    print one line per request (parameters only, never the signature)
  --help            print this help and exit`;

class UsageError extends Error {}

function parseCommandLine(args: readonly string[]): EmulatorOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      count: { type: 'string' },
      days: { type: 'string' },
      'latency-ms': { type: 'string' },
      digest: { type: 'string' },
      'digest-nonce-lifetime-s': { type: 'string' },
      'log-requests': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    return undefined;
  }
  const nonceLifetimeSeconds = readWholeNumber(
    'digest-nonce-lifetime-s',
    values['digest-nonce-lifetime-s'],
  );
  if (nonceLifetimeSeconds === 0) {
    throw new UsageError('Invalid --digest-nonce-lifetime-s 0: expected a whole number from 1');
  }
  return {
    port: readWholeNumber('port', values.port),
    latencyMs: readWholeNumber('latency-ms', values['latency-ms']),
    digestAlgorithms: readDigestAlgorithms(values.digest) ?? DEFAULT_DIGEST_ALGORITHMS,
    digestNonceLifetimeMs:
      nonceLifetimeSeconds === undefined ? undefined : nonceLifetimeSeconds * 1000,
    dataset: {
      seed: readWholeNumber('seed', values.seed),
      count: readWholeNumber('count', values.count),
      days: readWholeNumber('days', values.days),
    },
    onRequest: values['log-requests'] === true ? printRequest : undefined,
    onError: (error) => console.error('TCXC emulator: request failed:', error),
  };
}

function readWholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`Invalid --${name} ${JSON.stringify(text)}: expected a whole number`);
  }
  return Number(text);
}

function readDigestAlgorithms(text: string | undefined): DigestAlgorithm[] | undefined {
  if (text === undefined) {
    return undefined;
  }
  if (text.trim().toLowerCase() === 'none') {
    return [];
  }
  return text.split(',').map((name) => {
    const algorithm = parseDigestAlgorithm(name.trim());
    if (algorithm === undefined) {
      throw new UsageError(
        `Invalid --digest ${JSON.stringify(name)}: expected MD5, MD5-sess, SHA-256, ` +
          'SHA-256-sess, SHA-512-256, SHA-512-256-sess or none',
      );
    }
    return algorithm;
  });
}

/** True for a bad option or value, including the errors that `parseArgs` throws. */
function isUsageError(error: unknown): error is Error {
  if (error instanceof UsageError) {
    return true;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function printRequest(entry: EmulatorRequestLog): void {
  const params = new URLSearchParams(entry.params).toString();
  const result = entry.result ?? '-';
  const digest = entry.digest === undefined ? '' : ` ${describeDigest(entry.digest)}`;
  console.log(
    `${entry.method} ${entry.path} ${entry.status} ${result} ${entry.count}${digest} ${params}`,
  );
}

/** Describes the Digest check of a request, such as `digest=accepted nc=3`. */
function describeDigest(digest: DigestLogEntry): string {
  const parts = [`digest=${digest.outcome}`];
  if (digest.nonceCount !== undefined) {
    parts.push(`nc=${digest.nonceCount}`);
  }
  if (digest.reason !== undefined) {
    parts.push(`(${digest.reason})`);
  }
  return parts.join(' ');
}

function stopOnSignals(emulator: RunningEmulator): void {
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`TCXC emulator stopping on ${signal}`);
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('TCXC emulator: close failed:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(args: readonly string[]): Promise<void> {
  const options = parseCommandLine(args);
  if (options === undefined) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options);
  console.log(`TCXC emulator listening on ${emulator.endpoint} (login ${DEMO_LOGIN})`);
  console.log(`login: ${DEMO_LOGIN}, API key: ${DEMO_API_KEY}`);
  const digest = options.digestAlgorithms ?? [];
  console.log(
    digest.length === 0
      ? 'HTTP Digest: off, signed requests only'
      : `HTTP Digest: on (${digest.join(', ')}), and signed requests`,
  );
  stopOnSignals(emulator);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isUsageError(error)) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error('TCXC emulator: failed to start:', error);
  process.exit(1);
});
