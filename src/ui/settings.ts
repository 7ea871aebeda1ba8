import * as vscode from 'vscode';
import { DEFAULT_ENDPOINT } from '../client/client';

export const SECTION = 'tcxc';

/** The settings that shape requests, read fresh for each new query. */
export interface RequestSettings {
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly pageSize: number;
}

export function readRequestSettings(): RequestSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    endpoint: config.get<string>('endpoint', DEFAULT_ENDPOINT).trim() || DEFAULT_ENDPOINT,
    timeoutMs: clamp(config.get<unknown>('requestTimeoutSeconds'), 30, 1, 600) * 1000,
    pageSize: Math.round(clamp(config.get<unknown>('pageSize'), 100, 1, 5000)),
  };
}

/** Bounds a numeric setting; a value of another type, such as a string, gets the default. */
function clamp(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, value));
}
