// Puts an SseStream on the server's ServerResponse (http/handler-types.ts):
// writes the head of an event-stream response at once, so the client sees the
// stream open (EventSource fires `open`) before the first event, and ties the
// stream's close to the request's AbortSignal, which the server aborts when the
// connection closes before the response is finished.
//
// ServerResponse already has the shape of SseWritable (write(Buffer) → boolean,
// drain(), end()); `asSseWritable` states that at compile time, so a change to
// the response contract that breaks SSE fails the typecheck here.
//
// Events sent in one turn are coalesced (TurnCoalescer): the first write of a
// turn goes to the response at once, the ones after it in the same turn are
// joined and written as one chunk on process.nextTick (or before a drain or
// the end). A route broadcasting in a loop then costs one chunk and one socket
// write per listener per turn rather than one per event — what node:http gets
// from corking the socket until nextTick. The bytes on the wire are the same
// events; only the chunk boundaries differ.
import type { HeaderValue, ServerResponse } from '../http/handler-types.js';
import { SseStream, type SseWritable } from './sse-stream.js';

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream';

export interface SseResponseOptions {
  /** Extra headers, or replacements for the defaults (Content-Type: text/event-stream, Cache-Control: no-cache). */
  headers?: Record<string, HeaderValue>;
}

const EMPTY = Buffer.alloc(0);

/** ServerResponse satisfies SseWritable as it is. */
export function asSseWritable(res: ServerResponse): SseWritable {
  return res;
}

/**
 * The head of an event-stream response: Content-Type: text/event-stream and Cache-Control: no-cache,
 * with `extra` added (or replacing those two, whatever the case of its names).
 */
export function sseResponseHeaders(extra: Record<string, HeaderValue> = {}): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {
    'Content-Type': EVENT_STREAM_CONTENT_TYPE,
    // The stream is live: no cache may answer a later request with this one's events.
    'Cache-Control': 'no-cache',
  };
  for (const name of Object.keys(extra)) {
    for (const known of Object.keys(headers)) if (known.toLowerCase() === name.toLowerCase()) delete headers[known];
    headers[name] = extra[name];
  }
  return headers;
}

/**
 * Answers 200 with an event-stream head and returns the stream to send on. `closed` is the
 * request's signal (ServerRequest.signal). Throws HeaderValidationError (from the response) for an
 * invalid extra header, before anything is written.
 */
export function openSseResponse(res: ServerResponse, closed: AbortSignal, options: SseResponseOptions = {}): SseStream {
  res.writeHead(200, sseResponseHeaders(options.headers));
  // No Content-Length is known, so the response is chunked (close-delimited for HTTP/1.0); an empty
  // write puts the head on the wire now instead of with the first event.
  res.write(EMPTY);
  return new SseStream(new TurnCoalescer(asSseWritable(res)), { closed });
}

/** Bytes held in one turn past which write() says false (the server's own high-water mark). */
const COALESCE_HIGH_WATER = 64 * 1024;

/** An SseWritable that joins the writes after the first one of a turn into one write on nextTick. */
export class TurnCoalescer implements SseWritable {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** A write already went out in this turn: the next ones wait for the flush. */
  private wroteThisTurn = false;
  private scheduled = false;
  /** The last write to the transport returned false and no drain settled since. */
  private full = false;
  private ended = false;

  constructor(private readonly out: SseWritable) {}

  write(chunk: Buffer): boolean {
    if (this.ended) return false;
    if (!this.wroteThisTurn && this.pending.length === 0) {
      this.wroteThisTurn = true;
      this.schedule();
      if (!this.out.write(chunk)) this.full = true;
      return !this.full;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.schedule();
    return !this.full && this.pendingBytes < COALESCE_HIGH_WATER;
  }

  async drain(): Promise<void> {
    this.flush();
    if (!this.full) return;
    await this.out.drain();
    this.full = false;
  }

  end(): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    this.out.end();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => {
      this.scheduled = false;
      this.wroteThisTurn = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pending.length === 0 || this.ended) return;
    const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    try {
      if (!this.out.write(data)) this.full = true;
    } catch {
      // The response ended underneath (the client left and the route's handler ended it): these
      // bytes have nowhere to go.
      this.ended = true;
    }
  }
}
