// Inside the routes worker: the request and response a `.mjs` handler gets, with
// the API of docs/routes.md, backed by messages to the server's thread.
//
// The request is a snapshot of the head; its body is pulled a piece at a time when
// the handler reads it (so a route that answers without reading still answers
// before the body arrives), one piece ahead of the handler once it has started. The response validates headers and the status here,
// synchronously, exactly as the server's response does, keeps its head until the
// first write or end (so `end(data)` still gets a Content-Length), and counts the
// bytes the server has not yet taken from it: write() returns false above 256 KiB
// in flight, drain() waits for them.
import type { Endpoint } from '../../capture/types.js';
import type { HeaderValue, ServerRequest, ServerResponse } from '../../http/handler-types.js';
import { getHeader, type HeaderField, type RequestHead } from '../../http/parser-types.js';
import { HeaderValidationError, validateHeaderName, validateHeaderValue, validateStatus } from '../../server/response-writer.js';
import { asBuffer, restoreError, type ErrorSnapshot, type FromWorker, type HeadSnapshot, type RequestSnapshot } from './protocol.js';

export type Post = (message: FromWorker, transfer?: ArrayBuffer[]) => void;

type BodyPiece = { chunk?: Uint8Array; done?: boolean; error?: ErrorSnapshot };

/** Byte offsets belong to the server's connection: in the worker every span is this one. */
const NO_SPAN = Object.freeze({ start: -1, end: -1 });

/** `req.head` again, from its snapshot. */
function headOf(s: RequestSnapshot): RequestHead {
  const headers: HeaderField[] = [];
  for (let i = 0; i < s.headers.length; i += 2) headers.push({ name: s.headers[i], value: s.headers[i + 1], lineSpan: NO_SPAN, nameSpan: NO_SPAN, valueSpan: NO_SPAN });
  return {
    kind: 'request',
    method: s.method,
    target: s.target,
    targetForm: s.targetForm,
    versionMajor: s.version[0],
    versionMinor: s.version[1],
    headers,
    contentLength: s.contentLength,
    chunked: s.chunked,
    keepAlive: s.keepAlive,
    upgrade: s.upgrade,
    expectContinue: s.expectContinue,
    headSpan: NO_SPAN,
    startLineSpan: NO_SPAN,
    versionSpan: NO_SPAN,
    methodSpan: NO_SPAN,
    targetSpan: NO_SPAN,
  };
}

/**
 * Bytes a response may have on their way to the server before write() returns false. The
 * server's own socket backpressure holds its acknowledgements back; this only bounds what
 * waits between the threads, and is large enough that a streaming handler rarely waits a
 * round trip.
 */
const HIGH_WATER = 256 * 1024;

/** Bytes to post: a string encoded, anything else copied into its own buffer so it can be transferred. */
export function transferable(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') {
    const b = Buffer.from(chunk, 'utf8');
    // A short string lands in Buffer's shared pool: copy it out.
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b);
  }
  if (chunk instanceof Uint8Array) return new Uint8Array(chunk);
  throw new TypeError(`expected a string or bytes (Buffer, Uint8Array), got ${chunk === null ? 'null' : typeof chunk}`);
}

export class WorkerRequest implements ServerRequest {
  readonly connectionId: string;
  readonly index: number;
  readonly head: RequestHead;
  readonly target: string;
  readonly path: string;
  readonly query: URLSearchParams;
  params: Record<string, string>;
  readonly remote: Endpoint;
  readonly rawHead: Buffer;
  /** Made when `signal` is first read (most handlers never do). */
  private controller: AbortController | undefined;
  private aborted = false;
  /** The handler waits for the next piece. */
  private reading: ((r: BodyPiece) => void) | undefined;
  /** A piece that came before the handler asked for it (at most one: the server sends one per 'read'). */
  private ahead: BodyPiece | undefined;
  /** A 'read' is on its way. */
  private asked = false;
  private complete: boolean;
  private bodyPromise: Promise<Buffer> | undefined;

  constructor(
    readonly id: number,
    snapshot: RequestSnapshot,
    private readonly post: Post,
  ) {
    this.connectionId = snapshot.connectionId;
    this.index = snapshot.index;
    this.head = headOf(snapshot);
    this.target = snapshot.target;
    this.path = snapshot.path;
    const q = snapshot.target.indexOf('?');
    this.query = new URLSearchParams(q >= 0 ? snapshot.target.slice(q + 1) : '');
    this.params = snapshot.params;
    this.remote = snapshot.remote;
    this.rawHead = Buffer.from(snapshot.rawHead, 'latin1');
    this.complete = id < 0; // a WebSocket's upgrade request has no body to read
    if (snapshot.aborted) this.abort();
  }

  get method(): string {
    return this.head.method;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.aborted && !this.controller.signal.aborted) this.controller.abort(new Error('the client went away'));
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  header(name: string): string | undefined {
    return getHeader(this.head, name);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.controller?.abort(new Error('the client went away'));
  }

  /** A piece of the body (or its end, or why it failed) from the server, answering a 'read'. */
  received(r: BodyPiece): void {
    this.asked = false;
    const waiter = this.reading;
    this.reading = undefined;
    if (waiter) waiter(r);
    else this.ahead = r;
    // One piece ahead: while the handler works on this one, the next is on its way.
    if (!r.done && !r.error) this.ask();
  }

  private ask(): void {
    if (this.asked || this.complete) return;
    this.asked = true;
    this.post({ t: 'read', id: this.id });
  }

  private next(): Promise<IteratorResult<Buffer>> {
    if (this.complete) return Promise.resolve({ value: undefined, done: true });
    if (this.reading) return Promise.reject(new Error('the body is already being read'));
    const settle = (r: BodyPiece, resolve: (v: IteratorResult<Buffer>) => void, reject: (e: unknown) => void) => {
      if (r.error) return reject(restoreError(r.error));
      if (r.done || !r.chunk) {
        this.complete = true;
        return resolve({ value: undefined, done: true });
      }
      resolve({ value: asBuffer(r.chunk), done: false });
    };
    return new Promise((resolve, reject) => {
      const ready = this.ahead;
      this.ahead = undefined;
      if (ready) return settle(ready, resolve, reject);
      this.reading = (r) => settle(r, resolve, reject);
      this.ask();
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.next() };
  }

  body(): Promise<Buffer> {
    this.bodyPromise ??= (async () => {
      const parts: Buffer[] = [];
      for (;;) {
        const r = await this.next();
        if (r.done) break;
        parts.push(r.value);
      }
      return parts.length === 1 ? parts[0] : Buffer.concat(parts);
    })();
    return this.bodyPromise;
  }
}

export class WorkerResponse implements ServerResponse {
  statusCode = 200;
  statusMessage: string | undefined = undefined;
  private readonly headers = new Map<string, [string, HeaderValue]>();
  private frozen = false;
  private headPosted = false;
  private ended = false;
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly id: number,
    private readonly post: Post,
    /** Called once, when end() is. */
    private readonly onEnd: () => void = () => {},
  ) {}

  get headersSent(): boolean {
    return this.frozen;
  }

  get finished(): boolean {
    return this.ended;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.frozen) throw new HeaderValidationError('HEADERS_SENT', `cannot set header ${name}: headers already sent`);
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this.headers.set(name.toLowerCase(), [name, Array.isArray(value) ? [...(value as readonly string[])] : value]);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.headers.get(name.toLowerCase())?.[1];
  }

  removeHeader(name: string): this {
    if (this.frozen) throw new HeaderValidationError('HEADERS_SENT', `cannot remove header ${name}: headers already sent`);
    this.headers.delete(name.toLowerCase());
    return this;
  }

  writeHead(statusCode: number, headers?: Record<string, HeaderValue>): this {
    if (this.frozen) throw new HeaderValidationError('HEADERS_SENT', 'writeHead called twice');
    validateStatus(statusCode, this.statusMessage);
    if (headers) for (const name of Object.keys(headers)) this.setHeader(name, headers[name]);
    this.statusCode = statusCode;
    this.frozen = true;
    this.headPosted = true;
    this.post({ t: 'head', id: this.id, head: this.snapshot(true) });
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.ended) throw Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    const data = transferable(chunk);
    this.post({ t: 'write', id: this.id, head: this.pendingHead(), chunk: data }, [data.buffer as ArrayBuffer]);
    this.inFlight += data.byteLength;
    return this.inFlight < HIGH_WATER;
  }

  drain(): Promise<void> {
    if (this.ended || this.inFlight < HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  end(chunk?: Buffer | string): void {
    if (this.ended) return;
    const data = chunk === undefined ? undefined : transferable(chunk);
    const head = this.pendingHead();
    this.ended = true;
    this.post({ t: 'end', id: this.id, head, chunk: data }, data ? [data.buffer as ArrayBuffer] : []);
    this.release();
    this.onEnd();
  }

  /** The server took `bytes` of this response. */
  written(bytes: number): void {
    this.inFlight -= bytes;
    if (this.inFlight < HIGH_WATER) this.release();
  }

  /** The request is over on the server's side: nothing more will be taken. */
  abandon(): void {
    this.ended = true;
    this.release();
  }

  private release(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** The head, the first time the response writes. */
  private pendingHead(): HeadSnapshot | undefined {
    if (this.headPosted) return undefined;
    validateStatus(this.statusCode, this.statusMessage);
    this.frozen = true;
    this.headPosted = true;
    return this.snapshot(false);
  }

  private snapshot(explicit: boolean): HeadSnapshot {
    return { status: this.statusCode, statusMessage: this.statusMessage, headers: [...this.headers.values()], explicit };
  }
}
