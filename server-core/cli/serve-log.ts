// The request log of `wireplay serve` (docs/server.md): what goes to stderr, in which
// format, written in batches (util/line-batcher.ts) so that logging costs a request one
// array push, not a formatted string and a system call. The text format pushes the
// request's entry itself (no wrapper, no clock: its lines carry no time) and formats
// each line as the bytes it is (LineBatcher's utf8Views), so a batch is written without
// encoding a two-byte string: the `→` every request line has made each batch one.
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
import { LineBatcher, utf8View } from '../util/line-batcher.js';

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
          format: textLineView,
          formatDropped: (n) => `warn: ${dropped(n)}`,
          utf8Views: true,
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

/** `→` as its UTF-8 bytes, one char per byte. */
const ARROW_BYTES = utf8View('→');
const NOT_ASCII = /[^\x00-\x7f]/;

/** A text line as the bytes it is (LineBatcher's utf8Views). */
function textLineView(line: TextLine): string {
  if ('level' in line) return utf8View(line.level === 'info' ? line.message : `${line.level}: ${line.message}`);
  const e = line;
  const route = e instanceof LoggedRequest ? e.routeLabel() : e.route ? ` ${e.route.pattern} [${e.route.kind}]` : '';
  // The method is a token and the rest are numbers and ids: only the target and the route can be other than ASCII.
  if (NOT_ASCII.test(e.target) || NOT_ASCII.test(route)) return utf8View(textLine(e, '→', route));
  return textLine(e, ARROW_BYTES, route);
}

function textLine(e: RequestLogEntry, arrow: string, route: string): string {
  return `${e.connectionId}#${e.index} ${e.method} ${e.target} ${arrow} ${e.status} (${e.bytes} B, ${toFixed1(e.durationMs)} ms)${route}`;
}

/**
 * `x.toFixed(1)`, the same string, at a third of its cost for a duration (a tenth of the text
 * log's formatting went to toFixed). toFixed rounds the exact value of x; x * 10 is within a
 * billionth of it below 1e6, so Math.round agrees unless 10x is that close to a half: then,
 * and outside [0, 1e6), toFixed itself answers.
 */
export function toFixed1(x: number): string {
  if (!(x >= 0 && x < 1e6)) return x.toFixed(1);
  const t = x * 10;
  if (Math.abs(t - Math.floor(t) - 0.5) < 1e-6) return x.toFixed(1);
  const r = Math.round(t);
  const tenths = r % 10;
  return `${(r - tenths) / 10}.${tenths}`;
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
