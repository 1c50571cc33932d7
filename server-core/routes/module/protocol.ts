// The messages between the server's event loop (module-host.ts and the relays)
// and the worker thread that runs a wireplay.routes.mjs (routes-worker.ts).
//
// One worker per loaded module. Everything the handler API offers crosses as plain
// data: the request as a snapshot plus its body pulled a piece at a time, the
// response as a head and body pieces (each acknowledged, for write()/drain()
// backpressure), WebSocket events one way and peer calls the other. Every message
// that runs user code is acknowledged once that code returns: acks that stop
// coming mean the worker's thread is blocked.
import type { Endpoint } from '../../capture/types.js';
import type { HeaderValue } from '../../http/handler-types.js';
import type { RequestHead } from '../../http/parser-types.js';

/** An error as it crosses the thread boundary. */
export interface ErrorSnapshot {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  status?: number;
}

/**
 * A request as it crosses: flat, mostly strings (cheap to copy between threads). The head's
 * byte spans stay behind (they are offsets in the server's connection); the worker rebuilds
 * `req.head` with the fields a handler reads.
 */
export interface RequestSnapshot {
  connectionId: string;
  index: number;
  method: string;
  target: string;
  targetForm: RequestHead['targetForm'];
  version: [number, number];
  /** name, value, name, value, … in the order received. */
  headers: string[];
  contentLength: number | null;
  chunked: boolean;
  keepAlive: boolean;
  upgrade: boolean;
  expectContinue: boolean;
  path: string;
  params: Record<string, string>;
  remote: Endpoint;
  /** The head's bytes as latin1 text (one byte, one character). */
  rawHead: string;
  aborted: boolean;
}

export interface HeadSnapshot {
  status: number;
  statusMessage: string | undefined;
  headers: Array<[string, HeaderValue]>;
  /** writeHead() was called (else the head goes out with the first write or end). */
  explicit: boolean;
}

export interface PeerSnapshot {
  id: string;
  protocol: string;
  extensions: string;
}

/** One export of the module's default object, as the worker describes it. */
export type ExportDescription =
  | { key: string; type: 'function'; name: string }
  /** A plain data value (a JSON-style entry), cloned. */
  | { key: string; type: 'data'; value: unknown }
  /** A WebSocket entry: the callbacks it defines, and its options when given as { handler, protocols, origins }. */
  | { key: string; type: 'ws'; callbacks: string[]; protocols?: unknown; origins?: unknown; problem?: string }
  /** An event-stream entry ("SSE /path"): the callbacks it defines. */
  | { key: string; type: 'sse'; callbacks: string[]; problem?: string }
  | { key: string; type: 'other'; what: string };

export type ToWorker =
  | { t: 'load'; url: string }
  | { t: 'ping'; n: number }
  | { t: 'request'; id: number; key: string; req: RequestSnapshot }
  | { t: 'body'; id: number; chunk?: Uint8Array; done?: boolean; error?: ErrorSnapshot }
  | { t: 'written'; id: number; bytes: number }
  | { t: 'abort'; id: number }
  | { t: 'ws-open'; sid: number; key: string; peer: PeerSnapshot; req: RequestSnapshot }
  | { t: 'ws-message'; sid: number; binary: boolean; data: Uint8Array }
  | { t: 'ws-close'; sid: number; code: number; reason: string }
  | { t: 'ws-error'; sid: number; error: ErrorSnapshot }
  | { t: 'ws-buffered'; sid: number; amount: number }
  /** Several of the above, in order (what one turn of the server's event loop sent). */
  | { t: 'batch'; messages: ToWorker[] };

export type FromWorker =
  /** The worker is up and starts importing the module (its load time limit starts now). */
  | { t: 'importing' }
  /** exports: null when the default export is not an object. */
  | { t: 'loaded'; exports: ExportDescription[] | null }
  | { t: 'load-failed'; error: ErrorSnapshot }
  | { t: 'pong'; n: number }
  /** The user code a message started has returned (its synchronous part). */
  | { t: 'ack' }
  | { t: 'head'; id: number; head: HeadSnapshot }
  | { t: 'write'; id: number; head?: HeadSnapshot; chunk: Uint8Array }
  | { t: 'end'; id: number; head?: HeadSnapshot; chunk?: Uint8Array }
  | { t: 'read'; id: number }
  /** The handler's promise settled; `ack`: it did so synchronously, and this is also the request's ack. */
  | { t: 'done'; id: number; ack: boolean }
  | { t: 'fail'; id: number; error: ErrorSnapshot; ack: boolean }
  | { t: 'ws-send'; sid: number; data: string | Uint8Array; binary?: boolean }
  | { t: 'ws-ping'; sid: number; data?: string | Uint8Array }
  | { t: 'ws-close'; sid: number; code?: number; reason?: string }
  /** A WebSocket callback threw or rejected. */
  | { t: 'ws-fault'; sid: number; callback: string; error: ErrorSnapshot }
  /** Several of the above, in order (what could wait for the end of the worker's turn). */
  | { t: 'batch'; messages: FromWorker[] };

export function snapshotError(err: unknown): ErrorSnapshot {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; status?: unknown };
    return {
      name: e.name,
      message: e.message,
      stack: e.stack,
      ...(typeof e.code === 'string' ? { code: e.code } : {}),
      ...(typeof e.status === 'number' ? { status: e.status } : {}),
    };
  }
  return { name: 'Error', message: String(err) };
}

/** An Error again, with the original's name, stack, code and status. */
export function restoreError(s: ErrorSnapshot): Error {
  const e = new Error(s.message) as Error & { code?: string; status?: number };
  e.name = s.name;
  if (s.stack) e.stack = s.stack;
  if (s.code !== undefined) e.code = s.code;
  if (s.status !== undefined) e.status = s.status;
  return e;
}

/** A copy of bytes in their own ArrayBuffer, so they can be transferred (a Buffer is often a slice of a shared pool). */
export function ownBytes(data: Uint8Array): Uint8Array {
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy;
}

/** Buffer view of received bytes, without a copy. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
