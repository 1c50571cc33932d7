// The ServerResponse implementation: framing, the head's completion (Date,
// Content-Length or chunked, Connection), and the bytes handed to the connection.
// The pure serialisation and validation it is built on are response-serialize.ts,
// re-exported here (the tests and the sender's fixtures import them from here).
import type { HeaderValue, ServerResponse } from '../http/handler-types.js';
import type { PreparedResponse } from './prepared-response.js';
import {
  HeaderValidationError,
  LAST_CHUNK,
  bodylessStatus,
  encodeChunk,
  httpDate,
  serializeResponseHead,
  validateHeaderName,
  validateHeaderValue,
  validateStatus,
} from './response-serialize.js';

export * from './response-serialize.js';
// ---------------------------------------------------------------------------
// The response object

/** What a response needs from the connection that owns it. */
export interface ResponseSink {
  /** Queue bytes of `res` in response order; false when the socket's buffer is over its high-water mark. */
  writeResponseBytes(res: HttpResponseWriter, data: Buffer): boolean;
  /** Resolves when `res` may write again. */
  waitForDrain(res: HttpResponseWriter): Promise<void>;
  /** Every buffer `res` wrote has been handed to the kernel and nobody kept it (ServerResponse.buffersReleased). */
  buffersReleased?(res: HttpResponseWriter): boolean;
  /** The head is about to be serialised: would the connection close after this response? */
  mustClose(res: HttpResponseWriter): boolean;
  /** The last byte of `res` was queued. */
  responseFinished(res: HttpResponseWriter): void;
  /**
   * `res` was given up (destroy()): cut it where it stands and close, or answer in its place when
   * its head is not out. Without it, destroy() only makes the response inert.
   */
  responseAbandoned?(res: HttpResponseWriter, error: unknown): void;
}

export interface ResponseContext {
  /** The request was HEAD: headers as for GET, no body bytes. */
  head: boolean;
  /** HTTP/1.0 request: no chunked encoding; keep-alive only when asked for. */
  http10: boolean;
  /** The request asked for keep-alive (its parsed keepAlive). */
  keepAlive: boolean;
}

type Framing = 'none' | 'length' | 'chunked' | 'close';

const EMPTY = Buffer.alloc(0);

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (Buffer.isBuffer(chunk)) return chunk;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class HttpResponseWriter implements ServerResponse {
  statusCode = 200;
  private reason: string | undefined = undefined;

  /** lower-case name → [name as set, value]; made on the first field (a prepared response needs none). */
  private headers: Map<string, [string, HeaderValue]> | null = null;
  private headFrozen = false;
  private headWritten = false;
  private ended = false;
  /** Set when the connection took the response over (parse error, abort): the handler's calls become no-ops. */
  private detached = false;
  private framing: Framing = 'none';
  private declaredLength = -1;
  private bodyBytes = 0;
  /** Whether the connection closes after this response (decided when the head is written). */
  closeAfter = false;
  /** Bytes of the serialised response (head + body as framed), for the log. */
  bytesWritten = 0;
  /** Set by the connection: time the response finished (performance.now()). */
  finishedAt = 0;
  /** end() is handing over the response's last bytes: it finishes right after them. */
  ending = false;

  constructor(
    private readonly sink: ResponseSink,
    readonly context: ResponseContext,
  ) {}

  get statusMessage(): string | undefined {
    return this.reason;
  }

  /** Checked when set, like a header value: a reason phrase with CR, LF or NUL would inject headers. */
  set statusMessage(value: string | undefined) {
    if (value !== undefined) {
      if (typeof value !== 'string') throw new HeaderValidationError('INVALID_STATUS', 'the status message must be a string');
      validateStatus(200, value);
    }
    this.reason = value;
  }

  get headersSent(): boolean {
    return this.headFrozen;
  }

  get finished(): boolean {
    return this.ended;
  }

  /** The head has been serialised and queued for the socket (writeHead alone does not do that). */
  get headOnWire(): boolean {
    return this.headWritten;
  }

  /** The framing chosen when the head was written ('none' before). */
  get bodyFraming(): Framing {
    return this.framing;
  }

  /** The body bytes were shorter than the Content-Length the head declared: the stream is out of sync. */
  get incomplete(): boolean {
    return this.framing === 'length' && !this.context.head && this.bodyBytes !== this.declaredLength;
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.detached) return this;
    if (this.headFrozen) throw new HeaderValidationError('HEADERS_SENT', `cannot set header ${name}: headers already sent`);
    validateHeaderName(name);
    validateHeaderValue(name, value);
    (this.headers ??= new Map()).set(name.toLowerCase(), [name, Array.isArray(value) ? [...(value as readonly string[])] : value]);
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.headers?.get(name.toLowerCase())?.[1];
  }

  hasHeader(name: string): boolean {
    return this.headers?.has(name.toLowerCase()) ?? false;
  }

  removeHeader(name: string): this {
    if (this.detached) return this;
    if (this.headFrozen) throw new HeaderValidationError('HEADERS_SENT', `cannot remove header ${name}: headers already sent`);
    this.headers?.delete(name.toLowerCase());
    return this;
  }

  writeHead(statusCode: number, headers?: Record<string, HeaderValue>): this {
    if (this.detached) return this;
    if (this.headFrozen) throw new HeaderValidationError('HEADERS_SENT', 'writeHead called twice');
    validateStatus(statusCode, this.reason);
    if (headers) for (const name of Object.keys(headers)) this.setHeader(name, headers[name]);
    this.statusCode = statusCode;
    // Frozen now; serialised with the first body byte or end(), so that
    // writeHead(200) + end(data) still gets a Content-Length.
    this.headFrozen = true;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.detached) return true;
    if (this.ended) throw Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
    const data = toBuffer(chunk);
    if (!this.headWritten) this.writeHeadNow(-1, EMPTY);
    if (data.length === 0) return true;
    return this.writeBody(data);
  }

  get buffersReleased(): boolean {
    return this.sink.buffersReleased?.(this) ?? false;
  }

  drain(): Promise<void> {
    if (this.detached || this.ended) return Promise.resolve();
    return this.sink.waitForDrain(this);
  }

  end(chunk?: Buffer | string): void {
    if (this.detached || this.ended) return;
    const data = chunk === undefined ? EMPTY : toBuffer(chunk);
    this.ending = true;
    if (!this.headWritten) {
      // The whole body is known: one write of head + body with a Content-Length.
      this.writeHeadNow(data.length, data);
    } else {
      if (data.length > 0) this.writeBody(data);
      if (this.framing === 'chunked' && !this.context.head) this.emit(LAST_CHUNK);
    }
    this.ended = true;
    this.sink.responseFinished(this);
  }

  /**
   * Ends the response with a prepared one (server/prepared-response.ts: the same bytes as
   * setHeader + writeHead + end would write, serialised once). False, and nothing done, when
   * the response is not untouched (a field, a reason phrase or the head already set, or ended):
   * the caller then takes the general path. The fields are not kept: getHeader() answers
   * undefined afterwards, as nothing reads a finished response's fields.
   */
  endPrepared(prepared: PreparedResponse): boolean {
    if (this.detached || this.ended || this.headFrozen || (this.headers !== null && this.headers.size !== 0) || this.reason !== undefined) return false;
    const ctx = this.context;
    this.statusCode = prepared.status;
    this.headFrozen = true;
    this.headWritten = true;
    const close = this.sink.mustClose(this);
    this.closeAfter = close;
    this.framing = 'length';
    this.declaredLength = prepared.body.length;
    if (!ctx.head) this.bodyBytes = prepared.body.length;
    this.ending = true;
    this.emit(prepared.bytes(close, ctx.http10, ctx.head));
    this.ended = true;
    this.sink.responseFinished(this);
    return true;
  }

  /** ServerResponse.destroy: gives the response up (http/handler-types.ts); the connection cuts it or answers in its place. */
  destroy(error?: unknown): void {
    if (this.detached || this.ended) return;
    this.sink.responseAbandoned?.(this, error);
    this.detach();
  }

  /** The connection takes over (the request failed underneath the handler): further handler calls do nothing. */
  detach(): void {
    this.detached = true;
    this.ended = true;
  }

  get isDetached(): boolean {
    return this.detached;
  }

  private emit(data: Buffer): boolean {
    this.bytesWritten += data.length;
    return this.sink.writeResponseBytes(this, data);
  }

  private writeBody(data: Buffer): boolean {
    if (this.framing === 'none' || this.context.head) return true;
    if (this.framing === 'length') {
      if (this.bodyBytes + data.length > this.declaredLength) {
        throw Object.assign(new Error(`body exceeds the declared Content-Length ${this.declaredLength}`), {
          code: 'ERR_CONTENT_LENGTH_MISMATCH',
        });
      }
      this.bodyBytes += data.length;
      return this.emit(data);
    }
    this.bodyBytes += data.length;
    return this.emit(this.framing === 'chunked' ? encodeChunk(data) : data);
  }

  /**
   * Decides the framing, completes the headers (Date, Content-Length or
   * Transfer-Encoding, Connection) and writes the head, with `body` in the same
   * buffer when the whole body is known (knownLength ≥ 0).
   */
  private writeHeadNow(knownLength: number, body: Buffer): void {
    validateStatus(this.statusCode, this.reason);
    this.headFrozen = true;
    this.headWritten = true;
    const h = (this.headers ??= new Map());
    const status = this.statusCode;
    const ctx = this.context;
    let close = this.sink.mustClose(this);
    const connHeader = h.get('connection');
    if (connHeader && /(?:^|[\s,])close(?:$|[\s,])/i.test(String(connHeader[1]))) close = true;

    if (bodylessStatus(status)) {
      this.framing = 'none';
      h.delete('transfer-encoding');
      if (status !== 304) h.delete('content-length');
    } else {
      const cl = h.get('content-length');
      const te = h.get('transfer-encoding');
      if (cl !== undefined) {
        const n = Number(Array.isArray(cl[1]) ? cl[1][0] : cl[1]);
        if (!Number.isSafeInteger(n) || n < 0) throw new HeaderValidationError('INVALID_HEADER_VALUE', 'Content-Length is not a length');
        this.framing = 'length';
        this.declaredLength = n;
        h.delete('transfer-encoding');
      } else if (te !== undefined) {
        // The handler chose a transfer coding: chunked is applied here, anything else is close-delimited.
        if (/(?:^|,)\s*chunked\s*$/i.test(String(te[1])) && !ctx.http10) this.framing = 'chunked';
        else {
          this.framing = 'close';
          close = true;
        }
      } else if (knownLength >= 0) {
        this.framing = 'length';
        this.declaredLength = knownLength;
        if (!(ctx.head && knownLength === 0)) h.set('content-length', ['Content-Length', knownLength]);
      } else if (!ctx.http10) {
        this.framing = 'chunked';
        h.set('transfer-encoding', ['Transfer-Encoding', 'chunked']);
      } else {
        this.framing = 'close';
        close = true;
      }
    }
    if (ctx.head && this.framing === 'length' && knownLength === 0 && !h.has('content-length')) this.framing = 'none';

    if (!h.has('date')) h.set('date', ['Date', httpDate()]);
    if (close) {
      h.set('connection', ['Connection', 'close']);
    } else if (ctx.http10) {
      h.set('connection', ['Connection', 'keep-alive']);
    }
    this.closeAfter = close;

    const head = serializeResponseHead(status, this.reason, h.values());
    const headLen = Buffer.byteLength(head, 'latin1');
    const sendBody = knownLength > 0 && !ctx.head && this.framing !== 'none';
    if (sendBody && this.framing === 'length' && body.length > this.declaredLength) {
      throw Object.assign(new Error(`body exceeds the declared Content-Length ${this.declaredLength}`), {
        code: 'ERR_CONTENT_LENGTH_MISMATCH',
      });
    }
    if (sendBody && this.framing === 'length' && body.length <= 16 * 1024) {
      const out = Buffer.allocUnsafe(headLen + body.length);
      out.write(head, 0, 'latin1');
      body.copy(out, headLen);
      this.bodyBytes = body.length;
      this.emit(out);
      return;
    }
    this.emit(Buffer.from(head, 'latin1'));
    if (sendBody) this.writeBody(body);
  }
}
