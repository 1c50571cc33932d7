// The response reader: bytes of one exchange in, a ReceivedResponse out. It
// implements the HTTP parser's handlers (HttpMessageParser in 'response'
// mode), keeps the raw final head, the 1xx responses, a bounded preview of
// the body and the trailers, writes the body to a file as it arrives when
// asked (pausing the connection while the file catches up), and settles
// `done` when the response ends, the connection switches protocols, or it
// fails. It never touches a socket: its owner pushes bytes and says when the
// peer closed. The sender, a reverse proxy's upstream leg and the playground
// can read through it.
import { createWriteStream, type WriteStream } from 'node:fs';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { HttpMessageParser } from '../http/message-parser.js';
import type { HeadDecision, HttpParseError, HttpParserHandlers, HttpParserLimits, MessageHead, ResponseHead } from '../http/parser-types.js';
import { findHeader, type HttpHeaderLine, type ReceivedResponse } from './http-client-types.js';
import { SendError } from './transport.js';

export interface ResponseReaderOptions {
  /** The request was HEAD: no body follows any head. */
  isHead: boolean;
  /** Bytes of the body kept in memory. */
  previewBytes: number;
  /** Write the final response's body (de-chunked) to this file as it arrives. */
  bodyFile?: string;
  /** Whether a head is a redirect its owner will follow (its body is then not the answer). */
  isRedirect?(head: ResponseHead, headers: HttpHeaderLine[]): boolean;
  /** Parser limits; the body limit defaults to unlimited (bodies stream). */
  parserLimits?: Partial<HttpParserLimits>;
  /** Each response head (1xx included) and each body slice of the final response. */
  onHead?(head: ResponseHead): void;
  onBody?(chunk: Buffer): void;
  /** Backpressure from the body file: stop and restart reading the connection. */
  pause?(): void;
  resume?(): void;
}

/** Undoes a Content-Encoding list (applied in order, so undone in reverse); undefined when unknown or broken. */
export function decodeContent(body: Buffer, contentEncoding: string): Buffer | undefined {
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let out = body;
  try {
    for (const c of codings.reverse()) {
      if (c === 'gzip' || c === 'x-gzip') out = gunzipSync(out);
      else if (c === 'br') out = brotliDecompressSync(out);
      else if (c === 'deflate') {
        // Servers send zlib-wrapped or raw deflate; the first byte tells (0x78 = zlib header).
        out = out[0] === 0x78 ? inflateSync(out) : inflateRawSync(out);
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}

export function headerLines(head: MessageHead): HttpHeaderLine[] {
  return head.headers.map((h) => ({ name: h.name, value: h.value }));
}

export class ResponseReader implements HttpParserHandlers {
  /** Settles when the response ended (or the connection switched protocols); rejects with a SendError. */
  readonly done: Promise<void>;
  /** Bytes pushed so far. */
  bytesRead = 0;
  /** performance.now() of the first byte, -1 before. */
  firstByteAt = -1;
  private settledValue = false;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private readonly parser: HttpMessageParser;
  /** The bytes until the final head is parsed, to cut its raw copy out. */
  private rawHeadParts: Buffer[] = [];
  private rawHead = Buffer.alloc(0);
  private finalHead: ResponseHead | undefined;
  /** The final head is the answer (not a redirect that will be followed). */
  private isFinal = false;
  private readonly informational: ReceivedResponse['informational'] = [];
  private readonly preview: Buffer[] = [];
  private previewLen = 0;
  private bodyBytes = 0;
  private trailers: HttpHeaderLine[] = [];
  private file: WriteStream | undefined;
  private fileError: unknown;

  constructor(private readonly options: ResponseReaderOptions) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => {});
    this.parser = new HttpMessageParser('response', this, { maxBodyBytes: Number.MAX_SAFE_INTEGER, ...options.parserLimits });
  }

  get settled(): boolean {
    return this.settledValue;
  }

  /** The final head, once parsed. */
  get head(): ResponseHead | undefined {
    return this.finalHead;
  }

  /** Bytes read from the connection. Ignored once settled. */
  push(chunk: Buffer): void {
    if (this.settledValue) return;
    if (this.firstByteAt < 0) this.firstByteAt = performance.now();
    this.bytesRead += chunk.length;
    if (!this.finalHead) this.rawHeadParts.push(chunk);
    this.parser.push(chunk);
  }

  /** The peer closed (FIN or close): a response delimited by the close ends here; anything else was cut short. */
  peerClosed(host: string): void {
    if (this.settledValue) return;
    if (this.bytesRead === 0) {
      this.fail(new SendError('CONNECTION_CLOSED', `${host} closed the connection without a response`));
      return;
    }
    this.parser.finish();
    if (!this.settledValue) this.fail(new SendError('CONNECTION_CLOSED', 'the connection closed before the response ended'));
  }

  /**
   * Stops reading on purpose: once the final head is in, the response is what arrived so far
   * (`stopped`); before it, the exchange fails with ABORTED.
   */
  stop(): void {
    if (this.settledValue) return;
    if (!this.finalHead) return this.fail(new SendError('ABORTED', 'stopped before the response head arrived'));
    this.stopped = true;
    this.succeed();
  }

  /** The response was cut on purpose (stop()). */
  stopped = false;

  fail(err: unknown): void {
    if (this.settledValue) return;
    this.settledValue = true;
    this.rejectDone(err);
  }

  private succeed(): void {
    if (this.settledValue) return;
    this.settledValue = true;
    this.resolveDone();
  }

  /** After success: the body file is complete on disk (rejects when it could not be written). */
  async closeFile(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.options.resume?.();
    await new Promise<void>((resolve, reject) => {
      file.end(() => (this.fileError ? reject(new SendError('BODY_FILE', `cannot write ${this.options.bodyFile}`, { cause: this.fileError })) : resolve()));
    });
  }

  /** After a failure: the body file is closed (what was written stays). */
  async abandonFile(): Promise<void> {
    const file = this.file;
    if (!file || file.closed) return;
    await new Promise<void>((resolve) => {
      file.once('close', () => resolve());
      file.destroy();
    });
  }

  /** The response as received; call after `done` resolved. */
  result(): ReceivedResponse {
    const head = this.finalHead!;
    const lines = headerLines(head);
    const complete = this.bodyBytes <= this.previewLen;
    const response: ReceivedResponse = {
      statusCode: head.statusCode,
      reason: head.reason,
      httpVersion: `${head.versionMajor}.${head.versionMinor}`,
      headers: lines,
      head,
      rawHead: this.rawHead,
      informational: this.informational,
      body: Buffer.concat(this.preview, this.previewLen),
      bodyBytes: this.bodyBytes,
      bodyTruncated: !complete,
      trailers: this.trailers,
      keepAlive: head.keepAlive && head.statusCode !== 101 && !this.stopped,
    };
    if (this.stopped) response.stopped = true;
    const enc = findHeader(lines, 'content-encoding');
    if (enc && complete && this.previewLen > 0) {
      const decoded = decodeContent(Buffer.concat(this.preview, this.previewLen), enc);
      if (decoded) response.decodedBody = decoded;
    }
    if (this.file && this.options.bodyFile) response.bodyFile = this.options.bodyFile;
    return response;
  }

  // ---- HttpParserHandlers

  onHead(head: MessageHead): HeadDecision {
    if (head.kind !== 'response') return;
    const o = this.options;
    o.onHead?.(head);
    if (head.statusCode >= 100 && head.statusCode < 200 && head.statusCode !== 101) {
      this.informational.push({ statusCode: head.statusCode, reason: head.reason, headers: headerLines(head) });
      return;
    }
    this.finalHead = head;
    // The parser's offsets count from this exchange's first byte, and every chunk so far is in rawHeadParts.
    this.rawHead = Buffer.from(Buffer.concat(this.rawHeadParts).subarray(head.headSpan.start, head.headSpan.end));
    this.rawHeadParts = [];
    const redirecting = o.isRedirect?.(head, headerLines(head)) ?? false;
    this.isFinal = !redirecting;
    if (o.bodyFile && !redirecting && !o.isHead) this.openFile(o.bodyFile);
    if (head.statusCode === 101) return 'upgrade';
    if (o.isHead) return 'no-body';
  }

  private openFile(path: string): void {
    const file = (this.file = createWriteStream(path));
    file.on('error', (err) => {
      this.fileError = err;
      this.fail(new SendError('BODY_FILE', `cannot write ${path}: ${err.message}`, { cause: err }));
    });
    file.on('drain', () => this.options.resume?.());
  }

  onBody(data: Buffer): void {
    this.bodyBytes += data.length;
    const max = this.options.previewBytes;
    if (this.previewLen < max) {
      const part = data.subarray(0, Math.min(data.length, max - this.previewLen));
      this.preview.push(Buffer.from(part));
      this.previewLen += part.length;
    }
    // A view into the socket's chunk is safe to queue: Node never reuses a chunk it handed out.
    if (this.file && !this.fileError && !this.file.write(data)) this.options.pause?.();
    if (this.isFinal) this.options.onBody?.(data);
  }

  onTrailers(fields: MessageHead['headers']): void {
    this.trailers = fields.map((h) => ({ name: h.name, value: h.value }));
  }

  onMessageComplete(): void {
    if (this.finalHead) this.succeed();
  }

  onUpgrade(): void {
    this.succeed();
  }

  onError(error: HttpParseError): void {
    if (error.code === 'UNEXPECTED_EOF') {
      this.fail(new SendError('CONNECTION_CLOSED', `the connection closed before the response ended (after ${error.offset} bytes)`, { cause: error }));
      return;
    }
    this.fail(new SendError('INVALID_RESPONSE', `invalid response at byte ${error.offset}: ${error.message} (${error.code})`, { cause: error }));
  }
}
