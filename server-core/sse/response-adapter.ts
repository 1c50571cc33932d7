// Puts an SseStream on the server's ServerResponse (http/handler-types.ts):
// writes the head of an event-stream response at once, so the client sees the
// stream open (EventSource fires `open`) before the first event, and ties the
// stream's close to the request's AbortSignal, which the server aborts when the
// connection closes before the response is finished.
//
// ServerResponse already has the shape of SseWritable (write(Buffer) → boolean,
// drain(), end()); `asSseWritable` states that at compile time, so a change to
// the response contract that breaks SSE fails the typecheck here.
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
  return new SseStream(asSseWritable(res), { closed });
}
