// The "Wireplay" log: a LogOutputChannel (levels, timestamps, the user's log
// level respected). Every request and every error goes here.
import * as vscode from 'vscode';
import type { ServerLog } from './server/server-api.js';

export interface WireplayLog extends ServerLog, vscode.Disposable {
  show(): void;
  /** Logs an error with its stack at debug level, and returns its message. */
  failure(context: string, err: unknown): string;
}

export function createLog(): WireplayLog {
  const channel = vscode.window.createOutputChannel('Wireplay', { log: true });
  return {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
    show: () => channel.show(true),
    failure(context, err) {
      const message = errorMessage(err);
      channel.error(`${context}: ${message}`);
      if (err instanceof Error && err.stack) channel.debug(err.stack);
      return message;
    },
    dispose: () => channel.dispose(),
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
