/**
 * Child process of the activation benchmark: loads dist/extension.js in plain Node with a
 * stand-in for the `vscode` module, calls `activate`, and prints one JSON line with the times.
 * The stand-in returns another stand-in for every property and call, so the figures time this
 * extension's own module code and activate function, never VS Code's. They are not the
 * activation time inside VS Code.
 *
 * CLI: node out/test/bench/activationProbe.js BUNDLE
 */
import dns from 'node:dns';
import * as fs from 'node:fs';
import Module from 'node:module';
import net from 'node:net';

/** What the probe prints. */
export interface ActivationProbeResult {
  /** Time to require the bundle, in milliseconds. */
  readonly loadMs: number;
  /** Time of the `activate` call, in milliseconds. */
  readonly activateMs: number;
  /** Heap growth from before the require to after `activate`, in bytes. */
  readonly heapGrowth: number;
  /** TCP connections and DNS look-ups started during the require and `activate`. */
  readonly networkAttempts: number;
  /** Calls and constructions made on the `vscode` stand-in. */
  readonly vscodeCalls: number;
  /** Property names of the object `activate` returned. */
  readonly exports: string[];
}

type Callable = (...args: unknown[]) => unknown;

/** Builds a stand-in for any part of the `vscode` API, counting calls in `counter`. */
function standIn(counter: { calls: number }): unknown {
  const target = function standInFunction() {
    return undefined;
  } as Callable;
  return new Proxy(target, {
    get(_target, property) {
      // Not a thenable, so `await` on a stand-in resolves to it instead of waiting forever.
      if (property === 'then' || typeof property === 'symbol') {
        return undefined;
      }
      return standIn(counter);
    },
    // Writes, such as a status bar item's name, are accepted and forgotten.
    set() {
      return true;
    },
    apply() {
      counter.calls++;
      return standIn(counter);
    },
    construct() {
      counter.calls++;
      return standIn(counter) as object;
    },
  });
}

interface ModuleInternals {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, { exports: unknown; loaded: boolean; id: string }>;
}

/** Makes `require('vscode')` return `fake`. */
function installVscode(fake: unknown): void {
  const internals = Module as unknown as ModuleInternals;
  const fakePath = '/nonexistent/vscode-stand-in.js';
  const resolve = internals._resolveFilename.bind(Module);
  internals._resolveFilename = (request, ...rest) =>
    request === 'vscode' ? fakePath : resolve(request, ...rest);
  internals._cache[fakePath] = { exports: fake, loaded: true, id: fakePath };
}

/** Counts the connections and look-ups that any code in this process starts. */
function countNetworkAttempts(): { count: number } {
  const counter = { count: 0 };
  const prototype = net.Socket.prototype as unknown as { connect: Callable };
  const connect = prototype.connect;
  prototype.connect = function countedConnect(this: net.Socket, ...args: unknown[]): unknown {
    counter.count++;
    return connect.apply(this, args);
  };
  const lookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = (...args: unknown[]) => {
    counter.count++;
    return (lookup as Callable)(...args);
  };
  return counter;
}

/**
 * Builds the `vscode` stand-in as a plain object with a stand-in under each top-level name that
 * @types/vscode declares, because esbuild copies the module's own property names into its import.
 */
function vscodeStandIn(counter: { calls: number }): Record<string, unknown> {
  const declarations = fs.readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  const fake: Record<string, unknown> = {};
  for (const match of declarations.matchAll(
    /^\texport (?:namespace|class|enum|const|let|function) ([A-Za-z_$][\w$]*)/gm,
  )) {
    fake[match[1]] ??= standIn(counter);
  }
  return fake;
}

function main(bundle: string): void {
  const counter = { calls: 0 };
  installVscode(vscodeStandIn(counter));
  const network = countNetworkAttempts();

  const subscriptions: { dispose(): unknown }[] = [];
  const context = new Proxy(
    { subscriptions },
    {
      get: (base, property) =>
        property in base ? base[property as keyof typeof base] : standIn(counter),
    },
  );

  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require(bundle) as { activate(context: unknown): unknown };
  const loaded = performance.now();
  const api = extension.activate(context) as Record<string, unknown>;
  const activated = performance.now();
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

  const result: ActivationProbeResult = {
    loadMs: loaded - started,
    activateMs: activated - loaded,
    heapGrowth,
    networkAttempts: network.count,
    vscodeCalls: counter.calls,
    exports: Object.keys(api),
  };
  console.log(JSON.stringify(result));
  // The stand-in keeps no handles open, but `activate` started promises that never settle.
  process.exit(0);
}

main(process.argv[2]);
