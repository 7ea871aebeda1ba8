import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT } from '../client/client';
import { ProxyConfig } from '../client/transport';

export const SECTION = 'tcxc';

/**
 * Default of `tcxc.fetchConcurrency`. TCXC returns HTTP 429 when an account sends too many
 * requests and publishes no limit, so the default stays low.
 */
export const DEFAULT_FETCH_CONCURRENCY = 2;
/**
 * Largest `tcxc.maxCdrsInMemory`. The panel's table is one row of 24 px per CDR, and Chromium
 * draws no element taller than 33,554,428 px, so rows past about 1,398,000 could not be scrolled
 * to.
 */
export const MAX_CDRS_IN_MEMORY = 1_000_000;
/** Default of `tcxc.maxCdrsInMemory`. */
export const DEFAULT_MAX_CDRS_IN_MEMORY = 200_000;

/** The settings that shape requests, read fresh for each new query. */
export interface RequestSettings {
  readonly endpoint: string;
  /** Response time limit of one attempt, from a ready connection to the last byte. */
  readonly timeoutMs: number;
  /** Time limit for connecting, TLS and any proxy tunnel included. */
  readonly connectTimeoutMs: number;
  readonly pageSize: number;
  /** Maximum number of page requests in flight while all pages of a query load. */
  readonly fetchConcurrency: number;
  /** Maximum number of CDRs of one query kept in memory; loading stops there. */
  readonly maxCdrsInMemory: number;
  /** VS Code's own `http.proxy`, `http.proxyStrictSSL` and `http.noProxy` settings. */
  readonly proxy: ProxyConfig;
}

export function readRequestSettings(): RequestSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    endpoint: config.get<string>('endpoint', DEFAULT_ENDPOINT).trim() || DEFAULT_ENDPOINT,
    timeoutMs: clamp(config.get<unknown>('requestTimeoutSeconds'), 30, 1, 600) * 1000,
    connectTimeoutMs: clamp(config.get<unknown>('connectTimeoutSeconds'), 10, 1, 120) * 1000,
    pageSize: Math.round(clamp(config.get<unknown>('pageSize'), 100, 1, 5000)),
    fetchConcurrency: Math.round(
      clamp(config.get<unknown>('fetchConcurrency'), DEFAULT_FETCH_CONCURRENCY, 1, 8),
    ),
    maxCdrsInMemory: Math.round(
      clamp(
        config.get<unknown>('maxCdrsInMemory'),
        DEFAULT_MAX_CDRS_IN_MEMORY,
        1000,
        MAX_CDRS_IN_MEMORY,
      ),
    ),
    proxy: readProxySettings(),
  };
}

/**
 * Reads VS Code's proxy settings, whatever `http.proxySupport` is set to. That setting controls
 * how VS Code patches Node's http modules, which this client does not use.
 */
function readProxySettings(): ProxyConfig {
  const config = vscode.workspace.getConfiguration('http');
  const url = config.get<unknown>('proxy');
  const noProxy = config.get<unknown>('noProxy');
  return {
    url: typeof url === 'string' && url.trim() !== '' ? url.trim() : undefined,
    strictSSL: config.get<unknown>('proxyStrictSSL') !== false,
    noProxy: Array.isArray(noProxy)
      ? noProxy.filter((entry): entry is string => typeof entry === 'string')
      : [],
  };
}

/** True when two proxy settings would build the same connections. */
export function sameProxySettings(a: ProxyConfig, b: ProxyConfig): boolean {
  return (
    a.url === b.url &&
    a.strictSSL === b.strictSSL &&
    a.noProxy.length === b.noProxy.length &&
    a.noProxy.every((entry, index) => entry === b.noProxy[index])
  );
}

/** Bounds a numeric setting; a value of another type, such as a string, gets the default. */
function clamp(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, value));
}
