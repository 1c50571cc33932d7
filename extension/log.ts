// The "Wireplay" log: a LogOutputChannel (levels, timestamps, the user's log
// level respected). Every request and every error goes here; request lines are
// batched (log-batch.ts) so a busy server does not write to the channel per request.
import * as vscode from 'vscode';
import type { ServerLog } from './server/server-api.js';
import { createBatchedLog } from './log-batch.js';

export interface WireplayLog extends ServerLog, vscode.Disposable {
  show(): void;
  /** Logs an error with its stack at debug level, and returns its message. */
  failure(context: string, err: unknown): string;
}

export function createLog(): WireplayLog {
  const log = createBatchedLog(vscode.window.createOutputChannel('Wireplay', { log: true }));
  return {
    info: (m) => log.info(m),
    warn: (m) => log.warn(m),
    error: (m) => log.error(m),
    show: () => log.show(),
    failure(context, err) {
      const message = errorMessage(err);
      log.error(`${context}: ${message}`);
      if (err instanceof Error && err.stack) log.debug(err.stack);
      return message;
    },
    dispose: () => log.dispose(),
  };
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
