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
    timeoutMs: clamp(config.get<number>('requestTimeoutSeconds', 30), 1, 600) * 1000,
    pageSize: Math.round(clamp(config.get<number>('pageSize', 100), 1, 5000)),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
