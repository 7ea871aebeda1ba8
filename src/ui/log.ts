import { inspect } from 'node:util';
import * as vscode from 'vscode';
import { ClientLogger } from '../client/client';

/**
 * The extension's log, written to one `{ log: true }` output channel so users pick the level with
 * "Developer: Set Log Level". Callers pass messages that contain no credentials or signatures.
 */
export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name = 'TCXC') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  info(component: string, message: string): void {
    this.channel.info(`[${component}] ${message}`);
  }

  warn(component: string, message: string): void {
    this.channel.warn(`[${component}] ${message}`);
  }

  /** Logs a caught error with its stack; TcxcError messages are free of secrets by construction. */
  error(component: string, message: string, error?: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : inspect(error);
    this.channel.error(`[${component}] ${message}${error === undefined ? '' : `: ${detail}`}`);
  }

  show(): void {
    this.channel.show(true);
  }

  /** Returns a logger for the HTTP client, tagged with its component. */
  forClient(): ClientLogger {
    return {
      info: (message) => this.info('Client', message),
      warn: (message) => this.warn('Client', message),
    };
  }

  dispose(): void {
    this.channel.dispose();
  }
}
