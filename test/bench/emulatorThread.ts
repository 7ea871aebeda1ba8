/**
 * Runs the emulator on a worker thread, so that its request handling does not take the event
 * loop of the client being measured. This file is both the worker's script and the handle the
 * benchmark uses.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startEmulator, type EmulatorOptions } from '../../src/emulator/server';

/** What the worker posts once the emulator listens. */
interface Started {
  readonly endpoint: string;
  /** `i_cdr` of every record the emulator serves. */
  readonly ids: string[];
}

/** Options that survive the copy to the worker: no functions, no TLS. */
export type ThreadEmulatorOptions = Pick<
  EmulatorOptions,
  'latencyMs' | 'dataset' | 'rateLimit' | 'maxPageSize' | 'requestLogLimit'
>;

/** Milliseconds the worker's event loop has been active and idle since it started. */
export interface LoopTime {
  readonly active: number;
  readonly idle: number;
}

export interface ThreadEmulator {
  readonly endpoint: string;
  readonly ids: readonly string[];
  /** Reads the emulator thread's event loop time, to tell how busy it was between two reads. */
  loopTime(): Promise<LoopTime>;
  close(): Promise<void>;
}

/** Share of the time between two reads that the loop was busy, from 0 to 1. */
export function busyShare(before: LoopTime, after: LoopTime): number {
  const active = after.active - before.active;
  const idle = after.idle - before.idle;
  return active + idle > 0 ? active / (active + idle) : 0;
}

/** Starts the emulator on a new worker thread and resolves once it listens. */
export async function startEmulatorThread(options: ThreadEmulatorOptions): Promise<ThreadEmulator> {
  const worker = new Worker(path.join(__dirname, 'emulatorThread.js'), { workerData: options });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const started = await new Promise<Started>((resolve, reject) => {
    worker.once('message', (message: Started) => resolve(message));
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`The emulator thread exited with code ${code}`)));
  });
  return {
    endpoint: started.endpoint,
    ids: started.ids,
    loopTime: () =>
      new Promise<LoopTime>((resolve) => {
        worker.once('message', (message: LoopTime) => resolve(message));
        worker.postMessage('loopTime');
      }),
    close: async () => {
      worker.postMessage('close');
      await exited;
    },
  };
}

async function runInWorker(): Promise<void> {
  const port = parentPort;
  if (port === null) {
    throw new Error('emulatorThread.js must run as a worker thread');
  }
  const emulator = await startEmulator(workerData as ThreadEmulatorOptions);
  const started: Started = {
    endpoint: emulator.endpoint,
    ids: emulator.cdrs.map((record) => record.i_cdr),
  };
  port.on('message', (message: 'loopTime' | 'close') => {
    if (message === 'loopTime') {
      const { active, idle } = performance.eventLoopUtilization();
      port.postMessage({ active, idle } satisfies LoopTime);
    } else {
      void emulator.close().then(() => port.close());
    }
  });
  port.postMessage(started);
}

if (!isMainThread) {
  runInWorker().catch((error: unknown) => {
    console.error('TCXC emulator thread failed:', error);
    process.exit(1);
  });
}
