// The request log of `wireplay serve` (docs/server.md): what goes to stderr, in which
// format, written in batches (util/line-batcher.ts) so that logging costs a request one
// array push, not a formatted string and a system call. The text format pushes the
// request's entry itself (no wrapper, no clock: its lines carry no time) and writes each
// line straight as its UTF-8 bytes (LineBatcher's writeLine, util/line-bytes.ts): no string
// is built per request line, and no two-byte string (the `→` every request line has) is
// encoded on each write.
//
//   text (default)  srv-3#1 GET /status/201 → 201 (134 B, 1.4 ms) /status/:code [code]   and  warn: …
//   json            one JSON object per line: {"time":…,"level":"info","event":"request",…}
//
// --quiet drops the request lines and the info lines; warnings and errors (a handler
// that failed, bytes refused, a broken routes file) are always written.
import type { Writable } from 'node:stream';
import type { RequestLogEntry } from '../server/connection-types.js';
import { LoggedRequest } from '../server/request-log-entry.js';
import type { LogLevel, LogSink } from '../server/wireplay-server.js';
import { LineBatcher } from '../util/line-batcher.js';
import type { LineBytes } from '../util/line-bytes.js';

export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServeLogOptions {
  format: LogFormat;
  quiet: boolean;
  /** Batching window, ms (tests). */
  windowMs?: number;
}

type Message = { time: number; level: LogLevel; message: string };
type Line = { time: number; request: RequestLogEntry } | Message;
/** Text lines: a request's entry as the server gave it, or a message. */
type TextLine = RequestLogEntry | Message;

export class ServeLog {
  private readonly json: boolean;
  private readonly lines: LineBatcher<Line> | LineBatcher<TextLine>;

  constructor(
    out: Writable,
    private readonly options: ServeLogOptions,
  ) {
    const json = (this.json = options.format === 'json');
    const dropped = (n: number) => `${n} log line(s) dropped: the log output was not keeping up`;
    this.lines = json
      ? new LineBatcher<Line>(out, {
          windowMs: options.windowMs,
          format: jsonLine,
          formatDropped: (n) => JSON.stringify({ time: new Date().toISOString(), level: 'warn', message: dropped(n) }),
        })
      : new LineBatcher<TextLine>(out, {
          windowMs: options.windowMs,
          writeLine: writeTextLine,
          formatDropped: (n) => `warn: ${dropped(n)}`,
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
    // An upgrade's entry answers without building its stages (request-log-entry.ts).
    if (this.options.quiet || (entry instanceof LoggedRequest ? entry.refused : entry.stages?.refused)) return;
    if (this.json) (this.lines as LineBatcher<Line>).push({ time: Date.now(), request: entry });
    else (this.lines as LineBatcher<TextLine>).push(entry);
  };

  /** Writes what is waiting (before the process exits). */
  flush(): void {
    this.lines.flush();
  }
}

/** A text line as its UTF-8 bytes: `ID#N METHOD TARGET → STATUS (BYTES B, D.D ms) PATTERN [KIND]`, or a message. */
function writeTextLine(line: TextLine, out: LineBytes): void {
  if ('level' in line) {
    if (line.level !== 'info') {
      out.text(line.level);
      out.text(': ');
    }
    out.text(line.message);
    return;
  }
  const e = line;
  out.text(e.connectionId);
  out.byte(0x23); // #
  out.number(e.index);
  out.byte(0x20);
  out.text(e.method);
  out.byte(0x20);
  out.text(e.target);
  out.text(' → ');
  out.number(e.status);
  out.text(' (');
  out.number(e.bytes);
  out.text(' B, ');
  const tenths = roundedTenths(e.durationMs);
  if (tenths < 0) out.text(e.durationMs.toFixed(1));
  else {
    const t = tenths % 10;
    out.number((tenths - t) / 10);
    out.byte(0x2e); // .
    out.byte(0x30 + t);
  }
  out.text(' ms)');
  // An upgrade's entry gives the pattern and kind without building its route decision (request-log-entry.ts).
  const lazy = e instanceof LoggedRequest;
  const pattern = lazy ? e.routePattern : e.route?.pattern;
  if (pattern !== undefined) {
    out.byte(0x20);
    out.text(pattern);
    out.text(' [');
    out.text(lazy ? e.routeKind! : e.route!.kind);
    out.byte(0x5d); // ]
  }
}

/**
 * `x.toFixed(1)`, the same string, at a third of its cost for a duration (a tenth of the text
 * log's formatting went to toFixed). toFixed rounds the exact value of x; x * 10 is within a
 * billionth of it below 1e6, so Math.round agrees unless 10x is that close to a half: then,
 * and outside [0, 1e6), toFixed itself answers.
 */
export function toFixed1(x: number): string {
  const r = roundedTenths(x);
  if (r < 0) return x.toFixed(1);
  const tenths = r % 10;
  return `${(r - tenths) / 10}.${tenths}`;
}

/** Math.round(x * 10) where that is what toFixed(1) shows (toFixed1 above); -1 where toFixed must answer. */
function roundedTenths(x: number): number {
  if (!(x >= 0 && x < 1e6)) return -1;
  const t = x * 10;
  if (Math.abs(t - Math.floor(t) - 0.5) < 1e-6) return -1;
  return Math.round(t);
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
