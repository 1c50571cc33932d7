// Streamed response bodies, record by record as they arrive: the body's bytes
// in through push() (the de-chunked body, as the HTTP parser delivers it),
// typed records out at once, never at the end of the response.
//
//   text/event-stream                 'events': the WHATWG event-stream rules
//                                     (sse/event-stream-parser.ts): events,
//                                     comments, retry fields
//   application/x-ndjson, ndjson,     'json-lines': one JSON text per line (LF
//   jsonl, x-jsonlines, stream+json   or CRLF), empty lines skipped
//   application/json-seq              'json-seq' (RFC 7464): RS, a JSON text, LF
//   any other text/* that is chunked  'lines': one record per line
//
// A line is a record the moment its LF arrives; the last line of a body that
// does not end with one is a record at finish(). A JSON text that does not
// parse is still a record, with `jsonError` (a stream shows what came, it does
// not stop at the first bad line). Every record carries its byte range in the
// body, so the dissector can place it on the wire (sse/body-offset-map.ts).
import { performance } from 'node:perf_hooks';
import { mimeEssence } from '../sse/media-type.js';
import { EventStreamParser } from '../sse/event-stream-parser.js';
import type { SseCommentLine, SseEvent, SseParseError, SseRange } from '../sse/types.js';

export type StreamKind = 'events' | 'json-lines' | 'json-seq' | 'lines';

const JSON_LINES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines', 'application/stream+json']);

/**
 * How a response body streams, from its Content-Type and framing; undefined for a body that is one
 * piece (JSON, HTML, an image): those are shown whole.
 */
export function streamKindOf(contentType: string | undefined, chunked: boolean): StreamKind | undefined {
  const type = mimeEssence(contentType);
  if (type === 'text/event-stream') return 'events';
  if (JSON_LINES.has(type)) return 'json-lines';
  if (type === 'application/json-seq') return 'json-seq';
  if (chunked && type.startsWith('text/') && type !== 'text/html') return 'lines';
  return undefined;
}

interface RecordBase {
  /** performance.now() when the record was complete. */
  t: number;
}

export type StreamRecord =
  /** An event dispatched (its lines and byte ranges included). */
  | (RecordBase & { kind: 'event'; event: SseEvent })
  /** A comment line of an event stream (a heartbeat). */
  | (RecordBase & { kind: 'comment'; text: string; range: SseRange })
  /**
   * A block without data changed the last event ID (an `id` line alone: the server's checkpoint, or
   * `id:` empty, which clears it): what a reconnect sends as Last-Event-ID from now on.
   */
  | (RecordBase & { kind: 'id'; lastEventId: string; range: SseRange })
  /** A valid `retry` field: the reconnection time the server asks for. */
  | (RecordBase & { kind: 'retry'; ms: number; range: SseRange })
  /**
   * A line (json-lines, lines) or a json-seq record. `text` is its content without the line end (and
   * without the RS of json-seq); for the JSON kinds, `json` is the parsed value or `jsonError` says
   * why it is not JSON.
   */
  | (RecordBase & { kind: 'line'; index: number; text: string; range: SseRange; json?: unknown; jsonError?: string });

export interface BodyStreamOptions {
  /** The event stream's last event ID to start from (a reconnect: the ID sent as Last-Event-ID). */
  lastEventId?: string;
  /** Longest line kept, bytes (a longer one is cut, and says so in jsonError / a comment). Default 16 MiB. */
  maxLineBytes?: number;
  /** Offset of the first body byte (default 0). */
  offset?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const RS = 0x1e;

/** One stream's records from its body bytes. */
export class BodyStreamReader {
  private readonly events: EventStreamParser | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineStart: number;
  private pos: number;
  private index = 0;
  private overflow = false;
  private readonly maxLine: number;
  private failure: SseParseError | undefined;
  /** The last event ID as last reported (for 'id' records). */
  private lastId: string;

  constructor(
    readonly kind: StreamKind,
    private readonly onRecord: (record: StreamRecord) => void,
    options: BodyStreamOptions = {},
  ) {
    this.pos = this.lineStart = options.offset ?? 0;
    this.maxLine = options.maxLineBytes ?? 16 * 1024 * 1024;
    this.lastId = options.lastEventId ?? '';
    if (kind === 'events') {
      this.events = new EventStreamParser(
        {
          onEvent: (event) => {
            this.lastId = event.lastEventId;
            onRecord({ kind: 'event', event, t: performance.now() });
          },
          onDiscard: (block, reason) => {
            if (reason !== 'no-data' || block.lastEventId === this.lastId) return;
            this.lastId = block.lastEventId;
            onRecord({ kind: 'id', lastEventId: block.lastEventId, range: { ...block.range }, t: performance.now() });
          },
          onComment: (line: SseCommentLine) => onRecord({ kind: 'comment', text: line.text, range: { ...line.range }, t: performance.now() }),
          onRetry: (ms, line) => onRecord({ kind: 'retry', ms, range: { ...line.range }, t: performance.now() }),
          onError: (err) => (this.failure = err),
        },
        { lastEventId: options.lastEventId ?? '', offset: this.pos, maxLineBytes: options.maxLineBytes },
      );
    }
  }

  /** The event stream's last event ID so far ('' for the other kinds). */
  get lastEventId(): string {
    return this.events?.lastEventId ?? '';
  }

  /** A limit of the event-stream parser was crossed; what follows was not read. */
  get error(): SseParseError | undefined {
    return this.failure;
  }

  push(chunk: Buffer): void {
    if (this.events) return this.events.push(chunk);
    let from = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, from);
      if (lf < 0) break;
      this.take(chunk.subarray(from, lf), lf + 1 - from);
      this.complete(true);
      from = lf + 1;
    }
    if (from < chunk.length) this.take(chunk.subarray(from), chunk.length - from);
  }

  /** The body ended: a last line without its LF is a record now. */
  finish(): void {
    if (this.events) return this.events.finish();
    if (this.pendingBytes > 0 || this.overflow) this.complete(false);
  }

  private take(bytes: Buffer, advance: number): void {
    this.pos += advance;
    if (this.overflow || bytes.length === 0) return;
    if (this.pendingBytes + bytes.length > this.maxLine) {
      const room = this.maxLine - this.pendingBytes;
      if (room > 0) this.pending.push(Buffer.from(bytes.subarray(0, room)));
      this.pendingBytes = this.maxLine;
      this.overflow = true;
      return;
    }
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  /** The line in progress ended (with its LF when `terminated`). */
  private complete(terminated: boolean): void {
    let content = this.pendingBytes === 0 ? Buffer.alloc(0) : Buffer.concat(this.pending, this.pendingBytes);
    const range = { start: this.lineStart, end: this.pos };
    const cut = this.overflow;
    this.pending = [];
    this.pendingBytes = 0;
    this.overflow = false;
    this.lineStart = this.pos;
    if (terminated && content[content.length - 1] === CR) content = content.subarray(0, content.length - 1);
    if (this.kind === 'json-seq') {
      // RFC 7464: every record starts with RS; a line without one continues nothing here (it is shown as is).
      if (content[0] === RS) content = content.subarray(1);
    }
    if (content.length === 0 && this.kind !== 'lines') return; // empty lines separate nothing in NDJSON
    const text = content.toString('utf8');
    const record: Extract<StreamRecord, { kind: 'line' }> = { kind: 'line', index: this.index++, text, range, t: performance.now() };
    if (this.kind === 'json-lines' || this.kind === 'json-seq') {
      if (cut) record.jsonError = `the line is longer than ${this.maxLine} bytes and was cut`;
      else {
        try {
          record.json = JSON.parse(text);
        } catch (err) {
          record.jsonError = (err as Error).message;
        }
        if (this.kind === 'json-seq' && !terminated && record.jsonError === undefined) record.jsonError = 'the record is not followed by LF: it may be truncated (RFC 7464)';
      }
    }
    this.onRecord(record);
  }
}
