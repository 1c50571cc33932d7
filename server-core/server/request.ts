// The ServerRequest implementation: the parsed head, a streaming body fed by
// the connection, body() bounded by the body limit, and an AbortSignal that
// fires when the connection closes before the response is finished.
import type { Endpoint } from '../capture/types.js';
import type { ServerRequest } from '../http/handler-types.js';
import { getHeader, type RequestHead } from '../http/parser-types.js';
import type { StageRecorder } from './request-stages.js';

export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Hooks from the connection that owns the request. */
export interface RequestOwner {
  /** The handler started reading the body (time for `100 Continue`). */
  bodyWanted(req: HttpRequest): void;
  /** Buffered body bytes were consumed; the connection may read again. */
  bodyConsumed(req: HttpRequest): void;
}

type Waiter = { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: unknown) => void };

export class HttpRequest implements ServerRequest {
  params: Record<string, string> = {};
  /** Its pipeline record, when the server records stages (request-stages.ts). */
  stages: StageRecorder | undefined = undefined;
  private pathValue: string | undefined;
  /** The query's text (after `?`, '' when none): set with pathValue; parsed only when `query` is read. */
  private queryText = '';
  private queryValue: URLSearchParams | undefined;
  private controller: AbortController | undefined;
  private abortReason: unknown = undefined;
  private aborted = false;

  // Body stream state
  private readonly chunks: Buffer[] = [];
  /** Bytes received but not yet taken by the handler. */
  bufferedBytes = 0;
  private complete = false;
  private failure: unknown = undefined;
  private waiter: Waiter | undefined;
  private reading = false;
  private bodyPromise: Promise<Buffer> | undefined;

  constructor(
    readonly connectionId: string,
    readonly index: number,
    readonly head: RequestHead,
    /** The head's exact bytes, or (with rawStart and rawEnd) the buffer they lie in. */
    private rawSource: Buffer,
    readonly remote: Endpoint,
    private readonly owner: RequestOwner,
    private readonly maxBodyBytes: number,
    /** Where the head lies in rawSource: its view is made when rawHead is first read (most handlers never do). */
    private rawStart = -1,
    private rawEnd = -1,
  ) {
    // A message without a body is complete as soon as its head is.
    if (!head.chunked && !(head.contentLength !== null && head.contentLength > 0)) this.complete = true;
  }

  /** The head's exact bytes as they arrived. */
  get rawHead(): Buffer {
    if (this.rawStart >= 0) {
      this.rawSource = this.rawSource.subarray(this.rawStart, this.rawEnd);
      this.rawStart = -1;
    }
    return this.rawSource;
  }

  get method(): string {
    return this.head.method;
  }

  get target(): string {
    return this.head.target;
  }

  get path(): string {
    if (this.pathValue === undefined) this.splitTarget();
    return this.pathValue!;
  }

  get query(): URLSearchParams {
    if (this.queryValue === undefined) {
      if (this.pathValue === undefined) this.splitTarget();
      this.queryValue = new URLSearchParams(this.queryText);
    }
    return this.queryValue;
  }

  private splitTarget(): void {
    const head = this.head;
    let t = head.target;
    if (head.targetForm === 'absolute') {
      // scheme://authority/path?query → /path?query
      const schemeEnd = t.indexOf('://');
      const slash = schemeEnd < 0 ? -1 : t.indexOf('/', schemeEnd + 3);
      const q = schemeEnd < 0 ? -1 : t.indexOf('?', schemeEnd + 3);
      if (slash < 0 || (q >= 0 && q < slash)) t = '/' + (q >= 0 ? t.slice(q) : '');
      else t = t.slice(slash);
    } else if (head.targetForm === 'authority') {
      this.pathValue = '';
      return;
    }
    const q = t.indexOf('?');
    if (q < 0) {
      this.pathValue = t;
    } else {
      this.pathValue = t.slice(0, q);
      this.queryText = t.slice(q + 1);
    }
  }

  get pipeline(): StageRecorder | undefined {
    return this.stages;
  }

  header(name: string): string | undefined {
    return getHeader(this.head, name);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  /** The connection closed before the response finished. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
    if (!this.complete) this.fail(reason instanceof Error ? reason : new BodyError('ABORTED', 'connection closed', 400));
  }

  // ---- fed by the connection

  pushBody(data: Buffer): void {
    if (this.complete || this.failure !== undefined) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: data, done: false });
      this.owner.bodyConsumed(this);
      return;
    }
    this.chunks.push(data);
    this.bufferedBytes += data.length;
  }

  endBody(): void {
    if (this.complete) return;
    this.complete = true;
    if (this.waiter && this.chunks.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    if (this.complete || this.failure !== undefined) return;
    this.failure = err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(err);
    }
  }

  get bodyComplete(): boolean {
    return this.complete;
  }

  /** Whether the handler has asked for the body. */
  get bodyRequested(): boolean {
    return this.reading;
  }

  // ---- read by the handler

  private next(): Promise<IteratorResult<Buffer>> {
    if (!this.reading) {
      this.reading = true;
      this.owner.bodyWanted(this);
    }
    if (this.chunks.length > 0) {
      const value = this.chunks.shift()!;
      this.bufferedBytes -= value.length;
      this.owner.bodyConsumed(this);
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.complete) return Promise.resolve({ value: undefined, done: true });
    if (this.waiter) return Promise.reject(new Error('the body is already being read'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.next() };
  }

  body(): Promise<Buffer> {
    if (!this.bodyPromise) this.bodyPromise = this.collect();
    return this.bodyPromise;
  }

  private async collect(): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const r = await this.next();
      if (r.done) break;
      total += r.value.length;
      // The parser enforces the same limit on the wire (413); this guards a
      // connection configured with a larger parser limit than body() allows.
      if (total > this.maxBodyBytes) throw new BodyError('BODY_TOO_LARGE', `body over ${this.maxBodyBytes} bytes`, 413);
      parts.push(r.value);
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
  }
}
