// The request log of `wireplay serve` (docs/server.md): what goes to stderr, in which
// format, written in batches (util/line-batcher.ts) so that logging costs a request one
// array push, not a formatted string and a system call.
//
//   text (default)  srv-3#1 GET /status/201 → 201 (134 B, 1.4 ms) /status/:code [code]   and  warn: …
//   json            one JSON object per line: {"time":…,"level":"info","event":"request",…}
//
// --quiet drops the request lines and the info lines; warnings and errors (a handler
// that failed, bytes refused, a broken routes file) are always written.
import type { Writable } from 'node:stream';
import type { RequestLogEntry } from '../server/connection-types.js';
import type { LogLevel, LogSink } from '../server/wireplay-server.js';
import { LineBatcher } from '../util/line-batcher.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServeLogOptions {
  format: LogFormat;
  quiet: boolean;
  /** Batching window, ms (tests). */
  windowMs?: number;
}

type Line = { time: number; request: RequestLogEntry } | { time: number; level: LogLevel; message: string };

export class ServeLog {
  private readonly lines: LineBatcher<Line>;

  constructor(
    out: Writable,
    private readonly options: ServeLogOptions,
  ) {
    const json = options.format === 'json';
    this.lines = new LineBatcher<Line>(out, {
      windowMs: options.windowMs,
      format: json ? jsonLine : textLine,
      formatDropped: (n) => {
        const message = `${n} log line(s) dropped: the log output was not keeping up`;
        return json ? JSON.stringify({ time: new Date().toISOString(), level: 'warn', message }) : `warn: ${message}`;
      },
    });
  }

  /** Whether request lines are wanted at all (the server then skips their bookkeeping). */
  get logsRequests(): boolean {
    return !this.options.quiet;
  }

  /** The server's messages (and the CLI's own). */
  readonly log: LogSink = (level, message) => {
    if (this.options.quiet && level === 'info') return;
    this.lines.push({ time: Date.now(), level, message });
  };

  /** One finished request (the server's `request` event). */
  readonly request = (entry: RequestLogEntry): void => {
    // A head the server refused has its warning line already (docs/server.md): no second line for it.
    if (this.options.quiet || entry.stages?.refused) return;
    this.lines.push({ time: Date.now(), request: entry });
  };

  /** Writes what is waiting (before the process exits). */
  flush(): void {
    this.lines.flush();
  }
}

function textLine(line: Line): string {
  if ('request' in line) {
    const e = line.request;
    return `${e.connectionId}#${e.index} ${e.method} ${e.target} → ${e.status} (${e.bytes} B, ${e.durationMs.toFixed(1)} ms)${e.route ? ` ${e.route.pattern} [${e.route.kind}]` : ''}`;
  }
  return line.level === 'info' ? line.message : `${line.level}: ${line.message}`;
}

function jsonLine(line: Line): string {
  const time = new Date(line.time).toISOString();
  if (!('request' in line)) return JSON.stringify({ time, level: line.level, message: line.message });
  const e = line.request;
  const out: Record<string, unknown> = {
    time,
    level: 'info',
    event: 'request',
    connectionId: e.connectionId,
    index: e.index,
    method: e.method,
    target: e.target,
    status: e.status,
    bytes: e.bytes,
    durationMs: Math.round(e.durationMs * 1000) / 1000,
    remote: e.remote.address.includes(':') ? `[${e.remote.address}]:${e.remote.port}` : `${e.remote.address}:${e.remote.port}`,
  };
  // The route that answered and the pipeline's stages pass through as the request event has them.
  if (e.route) out.route = e.route;
  if (e.stages !== undefined) out.stages = e.stages;
  return JSON.stringify(out);
}
