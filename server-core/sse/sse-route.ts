// An event-stream endpoint as an ordinary handler: `sseHandler({ onOpen,
// onClose })` answers a GET with the event-stream head (response-adapter.ts),
// hands the route an SseStream, and stays "running" until the stream closes —
// by the route (stream.close()) or by the client going away — so the server's
// scheduler counts an open stream as the request in progress it is (in
// sequential mode it holds the one handler slot). HEAD gets the same head and
// no stream: nothing is opened, onOpen is not called. When the stream is
// closed underneath (the request's signal: the client left, or the server is
// shutting down, server/response-queue.ts endEventStreams), the handler ends
// the response itself so the connection does not wait for it.
//
// The built-in /sse/* routes, the JSON `sse` routes and the `SSE /path` keys
// of a wireplay.routes.mjs (inside the routes worker, on its stand-in request
// and response) all go through this one function, so they behave alike.
import type { Handler, HeaderValue, ServerRequest } from '../http/handler-types.js';
import { openSseResponse, sseResponseHeaders } from './response-adapter.js';
import type { SseCloseReason, SseStream } from './sse-stream.js';

export interface SseRoute {
  /** The stream is open (its head is on its way): send events, keep what stops them for onClose. */
  onOpen(stream: SseStream, req: ServerRequest): void | Promise<void>;
  /** Called once when the stream closes: 'local' after stream.close(), 'remote' when the client went away. */
  onClose?(reason: SseCloseReason, stream: SseStream): void;
  /** Extra response headers, or replacements for Content-Type and Cache-Control. */
  headers?: Record<string, HeaderValue>;
}

/**
 * The handler of an event-stream route. Its promise settles when the stream closes. When onOpen
 * throws (or rejects) the stream is closed and the error goes to the router, which reports it; the
 * head is already out, so the response just ends.
 */
export function sseHandler(route: SseRoute): Handler {
  return (req, res) => {
    if (req.method === 'HEAD') {
      res.writeHead(200, sseResponseHeaders(route.headers));
      res.end();
      return;
    }
    const stream = openSseResponse(res, req.signal, route.headers ? { headers: route.headers } : {});
    return new Promise<void>((resolve, reject) => {
      let failure: { error: unknown } | undefined;
      stream.onClose((reason) => {
        try {
          route.onClose?.(reason, stream);
        } catch (err) {
          failure ??= { error: err };
        }
        // Closed underneath (the client left, or the server is closing): the response still has to
        // end, or the connection would wait for it until its close timeout. The last chunk goes to a
        // half-closed peer (which may read it) or nowhere (a closed socket takes nothing).
        if (reason === 'remote' && !res.finished) {
          try {
            res.end();
          } catch {
            /* the connection took the response over */
          }
        }
        if (failure) reject(failure.error);
        else resolve();
      });
      const fail = (err: unknown) => {
        failure ??= { error: err };
        // Closing runs the close listener above, which rejects; after a remote close, reject here.
        if (stream.isClosed) reject(failure.error);
        else stream.close();
      };
      try {
        const opened = route.onOpen(stream, req);
        if (opened instanceof Promise) opened.catch(fail);
      } catch (err) {
        fail(err);
      }
    });
  };
}
