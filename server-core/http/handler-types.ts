// The contract between the server connection (server-core/server), the router
// and the handlers (demo routes, user routes, static files).
import type { Endpoint } from '../capture/types.js';
import type { RequestHead } from './parser-types.js';
import type { RouteInfo } from '../router/router.js';

/**
 * The server's record of one request's way through its pipeline (issue 18), as the
 * router and the static files tell it: which route took it, when its handler
 * started, which file answered. Absent when the server does not record.
 */
export interface PipelineNotes {
  /**
   * The router chose `route` (null: no route matched, the router answers itself).
   * `handlerStarts`: the route's handler runs right away, so this one clock reading is also
   * its `handlerStart` (no handlerStarted() call follows).
   */
  routed(route: RouteInfo | null, params: Record<string, string>, handlerStarts?: boolean): void;
  /** The route's handler is about to run. */
  handlerStarted(): void;
  /** Static content answered: the path served, relative to the root it was served from ('/' separators). */
  served(relativePath: string): void;
}

export interface ServerRequest {
  readonly connectionId: string;
  /** Sequence number of this request on its connection, from 1. */
  readonly index: number;
  readonly head: RequestHead;
  readonly method: string;
  /** The request target exactly as received. */
  readonly target: string;
  /** The path of the target (still percent-encoded), without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Filled by the router: `/users/:id` → { id }, a wildcard → { '*': rest }. */
  params: Record<string, string>;
  readonly remote: Endpoint;
  /** The bytes of the request head as they arrived (start line through the empty line). */
  readonly rawHead: Buffer;
  header(name: string): string | undefined;
  /** The whole body, bounded by the server's body limit. */
  body(): Promise<Buffer>;
  /** The body as it arrives. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
  /** Aborted when the connection closes before the response is finished. */
  readonly signal: AbortSignal;
  /**
   * The same fact as `signal.aborted`, without building the AbortSignal: the server's requests
   * create their AbortController on first use of `signal`, which costs on a hot path.
   */
  readonly isAborted?: boolean;
  /** The pipeline record (server-core/server/request-stages.ts); the server's requests carry one while it records. */
  readonly pipeline?: PipelineNotes;
}

export type HeaderValue = string | number | readonly string[];

export interface ServerResponse {
  statusCode: number;
  /**
   * Reason phrase; the standard one for statusCode when left undefined. The server's responses
   * throw on assignment of one with CR, LF, NUL or another control character (as setHeader does).
   */
  statusMessage: string | undefined;
  readonly headersSent: boolean;
  readonly finished: boolean;
  /** Throws on a name that is not a token or a value with CR, LF or NUL (no header injection). */
  setHeader(name: string, value: HeaderValue): this;
  getHeader(name: string): HeaderValue | undefined;
  removeHeader(name: string): this;
  writeHead(statusCode: number, headers?: Record<string, HeaderValue>): this;
  /** Returns false when the socket's buffer is full: wait for drain(). */
  write(chunk: Buffer | string): boolean;
  drain(): Promise<void>;
  /**
   * True when every buffer passed to write()/end() so far has been handed to the kernel and
   * nothing kept a reference to it (no capture is recording the connection's bytes): the
   * writer may fill those buffers again. Until then a written buffer must stay untouched.
   * The server's responses have it; a stand-in may not (treat as false).
   */
  readonly buffersReleased?: boolean;
  end(chunk?: Buffer | string): void;
  /**
   * Gives the response up after a failure (what the router does when a handler throws after its
   * head went out). Nothing more is written: a response whose head is already on the wire is cut
   * where it stands (a chunked body stays without its last chunk, a Content-Length body short)
   * and the connection closes, so the client sees the truncation; one whose head is not out yet
   * is answered 500 by the connection in its place. Later calls do nothing. The server's
   * responses have it; a stand-in (a test fake) may not.
   */
  destroy?(error?: unknown): void;
}

export type Handler = (req: ServerRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A handler that always tells `req.pipeline` when a route's handler starts (or that none does):
 * the router. The connection then leaves `handlerStart` to it and reads the clock once less.
 */
export type StageNotingHandler = Handler & { readonly notesHandlerStart: true };
