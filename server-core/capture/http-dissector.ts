// HTTP/1.x dissection for one direction of one connection, through the
// server-core parser (HttpMessageParser, via a factory so this module depends on
// the parser contract only). Every message becomes a DissectedField tree: start
// line and its parts, each header (name, value), the empty line, the body or,
// for chunked bodies, each chunk-size line, chunk data, the last chunk and the
// trailers. Offsets from the parser are relative to where it started; this
// module adds its base so every range is absolute in the direction's stream.
//
// With `deferred` (the capture store), a message's tree is not built live: the
// live dissection keeps the head's details, the body's size and ranges, and the
// tree is built when `fields` is first read, by dissecting the message's bytes
// again from the store (lazy-fields.ts). A message whose bytes are about to leave
// the store has its tree built first (pin), so nothing readable is lost.
import type { DissectedField, DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import type {
  ChunkHeader,
  HeadDecision,
  HeaderField,
  HttpParseError,
  HttpParserHandlers,
  HttpParserLimits,
  MessageHead,
  Span,
} from '../http/parser-types.js';
import { escapeBytes, formatCount, previewPayload } from './format.js';
import { EventStreamDissector } from './sse-dissector.js';
import { isEventStreamContentType } from '../sse/media-type.js';
import { getHeader } from '../http/parser-types.js';
import { deferFields, deferredFields, fieldTreeStats, type FieldTreeCache } from './lazy-fields.js';

export interface HttpParserLike {
  push(chunk: Buffer): void;
  /** The stream ended (a body delimited by the close completes here). Optional in the contract. */
  finish?(): void;
  end?(): void;
}

export type HttpParserFactory = (
  kind: 'request' | 'response',
  handlers: HttpParserHandlers,
  limits: Partial<HttpParserLimits>,
) => HttpParserLike;

/** What an HTTP message carries beyond the contract, for the exports. */
export interface HttpMessageDetail {
  kind: 'request' | 'response';
  method?: string;
  target?: string;
  statusCode?: number;
  reason?: string;
  /** e.g. 'HTTP/1.1'. */
  httpVersion: string;
  headers: { name: string; value: string }[];
  trailers: { name: string; value: string }[];
  /** Bytes of the head, start line to the empty line included. */
  headSize: number;
  /** Body bytes after de-chunking. */
  bodySize: number;
  /** Ranges of the body's data bytes in the stream (chunk data only, for chunked bodies). */
  bodyRanges: { start: number; end: number }[];
  chunked: boolean;
  /** The de-chunked body, when the dissector keeps payloads and it fit. */
  body?: Buffer;
  /** For a response: the method of the request it answers, when known. */
  requestMethod?: string;
  /** The head asked to leave HTTP (a 101, a 2xx to CONNECT, or a request that offers an upgrade). */
  upgrade: boolean;
  complete: boolean;
}

export type HttpMessage = Omit<DissectedMessage, 'id' | 'connectionId'> & { http?: HttpMessageDetail };

export interface HttpDissectorOptions {
  keepPayload: boolean;
  previewBytes: number;
  maxMessageBytes: number;
  /** Fields of one message past which chunks are only counted. */
  maxFieldsPerMessage: number;
  parserLimits: Partial<HttpParserLimits>;
  /** Build field trees on demand from these stored bytes instead of live (the capture store). */
  deferred?: StoredStream;
}

/** Where a dissector that defers its field trees reads the bytes back. */
export interface StoredStream {
  /**
   * The bytes [start, end) of one direction as stored, chunk by chunk (views, no copy), or undefined when
   * some of them are no longer kept. Replaying them chunk by chunk, as they arrived, keeps a large body cheap.
   */
  parts(dir: Direction, start: number, end: number): Buffer[] | undefined;
  cache: FieldTreeCache;
}

/** What the direction dissector needs from its connection. */
export interface HttpDirectionHost {
  /** c2s: a request head was parsed; returns its sequence. */
  requestHead(method: string): number;
  /** s2c: a response head was parsed; returns the sequence and the method of the request it answers. */
  responseHead(statusCode: number): { sequence: number; method?: string };
  emit(m: HttpMessage): void;
  /** The parser stopped on an upgrade after a complete message; rest starts at `offset`. */
  upgraded(dir: Direction, offset: number, rest: Buffer, head: MessageHead): void;
  /** The parser failed: the bytes from `rawFrom` on are not HTTP (dissect them as raw). */
  failed(dir: Direction, rawFrom: number, error: HttpParseError, atMessageStart: boolean): void;
}

interface Draft {
  start: number;
  tStart: number;
  /** The field tree is built as the message arrives (false: on demand, from the stored bytes). */
  eager: boolean;
  head?: MessageHead;
  fields: DissectedField[];
  chunked?: DissectedField;
  chunkData?: DissectedField;
  body?: DissectedField;
  fieldCount: number;
  hiddenChunks: number;
  bodySize: number;
  bodyRanges: { start: number; end: number }[];
  bodyPreview: Buffer[];
  bodyPreviewBytes: number;
  keptBody: Buffer[];
  keptBytes: number;
  keepOverflow: boolean;
  sequence?: number;
  requestMethod?: string;
  /** A text/event-stream response: its events as the body arrives (sse-dissector.ts). */
  sse?: EventStreamDissector;
  trailers?: { name: string; value: string }[];
}

/** Bytes of the message in progress retained for error reports and forced switches. */
const RETAIN_LIMIT = 64 * 1024;

export class HttpDirectionDissector {
  private parser: HttpParserLike;
  private draft?: Draft;
  private t = 0;
  /** Stream offset of the parser's offset 0. */
  private readonly base: number;
  /** Absolute offset of the next byte to be pushed. */
  private pos: number;
  /** Bytes since the end of the last complete message (up to RETAIN_LIMIT). */
  private retained: Buffer[] = [];
  private retainedStart: number;
  private retainedBytes = 0;
  private done = false;
  private lastCompleteEnd: number;
  /** Stored bytes are gone below this offset: a message starting there builds its tree live. */
  private storedFrom = 0;
  /** In end(): an error now comes from the end of the stream. */
  private ending = false;
  /** How a message's `fields` becomes a getter, when trees are deferred. */
  private readonly deferredFields?: PropertyDescriptor;
  private readonly parserFactory: HttpParserFactory;

  constructor(
    readonly dir: Direction,
    base: number,
    factory: HttpParserFactory,
    private readonly host: HttpDirectionHost,
    private readonly opts: HttpDissectorOptions,
  ) {
    this.base = base;
    this.pos = base;
    this.retainedStart = base;
    this.lastCompleteEnd = base;
    this.parserFactory = factory;
    this.parser = factory(dir === 'c2s' ? 'request' : 'response', this.handlers(), opts.parserLimits);
    const stored = opts.deferred;
    if (stored && !opts.keepPayload) {
      const { parserLimits, maxFieldsPerMessage, previewBytes, maxMessageBytes } = opts;
      const eager: HttpDissectorOptions = { keepPayload: false, previewBytes, maxMessageBytes, maxFieldsPerMessage, parserLimits };
      this.deferredFields = deferredFields({
        build: (m) => {
          let tree = stored.cache.get(m);
          if (tree === undefined) {
            const bytes = stored.parts(dir, m.range.start, m.range.end);
            const again = bytes && replay(dir, m.range.start, bytes, factory, eager, m.sequence, (m as HttpMessage).http?.requestMethod, true);
            tree = again?.emitted[0]?.fields ?? notKept(m.range);
            stored.cache.set(m, tree);
          }
          return tree;
        },
      });
    }
  }

  get position(): number {
    return this.pos;
  }

  get stopped(): boolean {
    return this.done;
  }

  /** Offset where the message in progress (or the next one) starts. */
  get messageStart(): number {
    return this.lastCompleteEnd;
  }

  /** The retained bytes from `from` (≥ messageStart) on; shorter than pos − from when the window was full. */
  bytesFrom(from: number): Buffer | undefined {
    if (from < this.retainedStart || from > this.pos) return undefined;
    const all = this.retained.length === 1 ? this.retained[0] : Buffer.concat(this.retained);
    return all.subarray(from - this.retainedStart);
  }

  /** All the bytes from `from` to the current position, or undefined when some were not retained. */
  allBytesFrom(from: number): Buffer | undefined {
    const b = this.bytesFrom(from);
    return b && b.length === this.pos - from ? b : undefined;
  }

  push(bytes: Buffer, t: number): void {
    if (this.done) return;
    this.t = t;
    // The first byte of the next message arrives now (the message's start time, not its head's).
    if (this.pos === this.lastCompleteEnd) this.msgT = t;
    this.current = { start: this.pos, bytes };
    this.retain(bytes);
    this.pos += bytes.length;
    this.parser.push(bytes);
    this.current = undefined;
  }

  /** The stream ended. A message in progress is completed by the parser (close-delimited) or reported cut. */
  end(t: number): void {
    if (this.done) return;
    this.t = t;
    this.ending = true;
    if (this.parser.finish) this.parser.finish();
    else this.parser.end?.();
    if (this.done) return;
    if (this.draft) {
      // Still incomplete after the parser saw the end.
      const d = this.draft;
      this.draft = undefined;
      this.emitDraft(d, this.pos, { offset: this.pos, message: 'The stream ended inside this message', code: 'UNEXPECTED_EOF' });
    }
    this.done = true;
  }

  /** Stop here (the connection switched protocol). */
  stop(): void {
    this.done = true;
  }

  /**
   * The store is about to drop this direction's bytes below `before`: the message in progress, if it
   * started there, builds its tree now and live from here on, as does any later message starting there.
   */
  pin(before: number): void {
    if (before > this.storedFrom) this.storedFrom = before;
    const d = this.draft;
    if (d && !d.eager && d.start < before) this.materialize(d);
  }

  /** Gives a deferred draft the tree the live dissection would have built so far, from the stored bytes. */
  private materialize(d: Draft): void {
    d.eager = true;
    const bytes = this.opts.deferred?.parts(this.dir, d.start, this.pos);
    const again = bytes && replay(this.dir, d.start, bytes, this.parserFactory, { ...this.opts, deferred: undefined }, d.sequence, d.requestMethod, false);
    const r = again?.dissector.draft;
    if (r) {
      d.fields = r.fields;
      d.chunked = r.chunked;
      d.chunkData = r.chunkData;
      d.body = r.body;
      d.fieldCount = r.fieldCount;
      d.hiddenChunks = r.hiddenChunks;
      d.bodyPreview = r.bodyPreview;
      d.bodyPreviewBytes = r.bodyPreviewBytes;
    } else if (d.head) {
      // Not expected (the store pins before it drops): the head's tree from the parsed head at least.
      d.fields = headFields(d.head, this.base);
    }
  }

  private retain(bytes: Buffer): void {
    if (this.retainedBytes >= RETAIN_LIMIT) return;
    const part = Buffer.from(bytes.subarray(0, RETAIN_LIMIT - this.retainedBytes));
    this.retained.push(part);
    this.retainedBytes += part.length;
  }

  /** A message ended at `at`: the window restarts there, without copying what it keeps. */
  private resetRetained(at: number): void {
    let start = this.retainedStart;
    const parts: Buffer[] = [];
    for (const part of this.retained) {
      const end = start + part.length;
      if (end > at) parts.push(start >= at ? part : part.subarray(at - start));
      start = end;
    }
    const covered = start; // end of what was retained
    this.retained = parts;
    this.retainedBytes = parts.reduce((n, b) => n + b.length, 0);
    this.retainedStart = at;
    // The window was full before this message ended: take the rest of the chunk being parsed.
    const cur = this.current;
    if (covered < at && cur && at >= cur.start && at < cur.start + cur.bytes.length) {
      this.retain(cur.bytes.subarray(at - cur.start));
    } else if (covered >= at && cur && covered < cur.start + cur.bytes.length && covered >= cur.start) {
      this.retain(cur.bytes.subarray(covered - cur.start));
    }
  }

  private current?: { start: number; bytes: Buffer };
  /** Monotonic time of the chunk holding the first byte of the message in progress. */
  private msgT = 0;

  private abs(span: Span): { start: number; end: number } {
    return { start: span.start + this.base, end: span.end + this.base };
  }

  private newDraft(): Draft {
    return {
      start: this.lastCompleteEnd,
      tStart: this.msgT,
      eager: this.deferredFields === undefined || this.lastCompleteEnd < this.storedFrom,
      fields: [],
      fieldCount: 0,
      hiddenChunks: 0,
      bodySize: 0,
      bodyRanges: [],
      bodyPreview: [],
      bodyPreviewBytes: 0,
      keptBody: [],
      keptBytes: 0,
      keepOverflow: false,
    };
  }

  private handlers(): HttpParserHandlers {
    return {
      onHead: (head) => this.onHead(head),
      onBody: (data, span) => this.onBody(data, span),
      onChunkHeader: (chunk) => this.onChunkHeader(chunk),
      onTrailers: (trailers, span) => this.onTrailers(trailers, span),
      onMessageComplete: (span) => this.onComplete(span),
      onUpgrade: (rest) => this.onUpgrade(rest),
      onError: (err) => this.onError(err),
    };
  }

  private upgradeHead?: MessageHead;

  private onHead(head: MessageHead): HeadDecision {
    const d = this.newDraft();
    const headStart = head.headSpan.start + this.base;
    d.start = headStart;
    d.head = head;
    if (headStart < this.storedFrom) d.eager = true;
    this.draft = d;
    if (d.eager) {
      d.fields.push(...headFields(head, this.base));
      d.fieldCount = d.fields.length + head.headers.length * 2;
    }
    let decision: HeadDecision = undefined;
    if (head.kind === 'request') {
      d.sequence = this.host.requestHead(head.method);
      if (head.upgrade) decision = 'upgrade';
    } else {
      const r = this.host.responseHead(head.statusCode);
      d.sequence = r.sequence;
      if (r.method !== undefined) d.requestMethod = r.method;
      const s = head.statusCode;
      if (s === 101 || (r.method === 'CONNECT' && s >= 200 && s < 300)) decision = 'upgrade';
      else if ((s >= 100 && s < 200) || s === 204 || s === 304 || r.method === 'HEAD') decision = 'no-body';
      else if (isEventStreamContentType(getHeader(head, 'content-type'))) d.sse = new EventStreamDissector();
    }
    if (decision === 'upgrade') this.upgradeHead = head;
    return decision;
  }

  private onChunkHeader(chunk: ChunkHeader): void {
    const d = this.draft;
    if (!d || !d.eager) return;
    if (!d.chunked) {
      d.chunked = { name: 'Chunked body', explain: 'Transfer-Encoding: chunked — a sequence of size-prefixed chunks', range: this.abs(chunk.span), children: [] };
      d.fields.push(d.chunked);
      d.fieldCount++;
    }
    d.chunkData = undefined;
    const range = this.abs(chunk.span);
    d.chunked.range.end = range.end;
    if (d.fieldCount >= this.opts.maxFieldsPerMessage && chunk.size !== 0) {
      d.hiddenChunks++;
      return;
    }
    const sizeText = escapeBytes(Buffer.from(chunk.size.toString(16)));
    const children: DissectedField[] = [
      { name: 'Size', value: `${sizeText} (${formatCount(chunk.size)})`, explain: 'Chunk size in hexadecimal', range: this.abs(chunk.sizeSpan) },
    ];
    if (chunk.extensions) {
      children.push({ name: 'Extensions', value: chunk.extensions, explain: 'Chunk extensions (;name=value), ignored by most recipients', range: { start: this.abs(chunk.sizeSpan).end, end: range.end - 2 } });
    }
    const last = chunk.size === 0;
    d.chunked.children!.push({
      name: last ? 'Last chunk' : 'Chunk size',
      value: `${formatCount(chunk.size)}`,
      explain: last ? 'A zero-size chunk ends the body; trailers may follow' : `The next ${formatCount(chunk.size)} bytes are chunk data, then CRLF`,
      range,
      children,
    });
    d.fieldCount += 1 + children.length;
  }

  private onBody(data: Buffer, span: Span): void {
    const d = this.draft;
    if (!d) return;
    const range = this.abs(span);
    d.bodySize += data.length;
    d.sse?.push(data, range);
    const lastRange = d.bodyRanges[d.bodyRanges.length - 1];
    if (lastRange && lastRange.end === range.start) lastRange.end = range.end;
    else d.bodyRanges.push({ ...range });
    if (d.eager && d.bodyPreviewBytes < this.opts.previewBytes) {
      const part = Buffer.from(data.subarray(0, this.opts.previewBytes - d.bodyPreviewBytes));
      d.bodyPreview.push(part);
      d.bodyPreviewBytes += part.length;
    }
    if (this.opts.keepPayload && !d.keepOverflow) {
      if (d.keptBytes + data.length > this.opts.maxMessageBytes) d.keepOverflow = true;
      else {
        d.keptBody.push(Buffer.from(data));
        d.keptBytes += data.length;
      }
    }
    if (!d.eager) return;
    if (d.chunked) {
      if (d.hiddenChunks > 0 && d.fieldCount >= this.opts.maxFieldsPerMessage) return;
      if (d.chunkData && d.chunkData.range.end === range.start) {
        d.chunkData.range.end = range.end;
      } else {
        d.chunkData = { name: 'Chunk data', value: '', explain: 'Body bytes of this chunk', range: { ...range } };
        d.chunked.children!.push(d.chunkData);
        d.fieldCount++;
      }
      d.chunked.range.end = Math.max(d.chunked.range.end, range.end);
    } else {
      if (!d.body) {
        d.body = { name: 'Body', explain: bodyExplain(d.head), range: { ...range } };
        d.fields.push(d.body);
        d.fieldCount++;
      } else d.body.range.end = range.end;
    }
  }

  private onTrailers(trailers: HeaderField[], span: Span): void {
    const d = this.draft;
    if (!d) return;
    d.trailers = trailers.map((h) => ({ name: h.name, value: h.value }));
    if (!d.eager) return;
    const range = this.abs(span);
    const field: DissectedField = {
      name: 'Trailers',
      value: trailers.length ? trailers.map((h) => h.name).join(', ') : '(none)',
      explain: trailers.length ? 'Header fields sent after the chunked body' : 'The empty line that ends the chunked body',
      range,
      children: trailers.map((h) => headerField(h, this.base)),
    };
    if (d.chunked) {
      d.chunked.children!.push(field);
      d.chunked.range.end = Math.max(d.chunked.range.end, range.end);
    } else d.fields.push(field);
  }

  private onComplete(span: Span): void {
    const d = this.draft;
    const end = span.end + this.base;
    this.draft = undefined;
    if (d) this.emitDraft(d, end);
    this.lastCompleteEnd = end;
    this.msgT = this.t;
    this.resetRetained(end);
  }

  private onUpgrade(rest: Buffer): void {
    const head = this.upgradeHead;
    this.upgradeHead = undefined;
    this.done = true;
    if (head) this.host.upgraded(this.dir, this.lastCompleteEnd, rest, head);
  }

  private onError(err: HttpParseError): void {
    const at = err.offset + this.base;
    const d = this.draft ?? this.newDraft();
    this.draft = undefined;
    this.done = true;
    const atMessageStart = !d.head;
    if (!d.eager) {
      // Errors are rare: the message is dissected again from the stored bytes, exactly as live, tree included.
      const emit = !atMessageStart || this.emitErrors;
      const bytes = emit ? this.opts.deferred?.parts(this.dir, d.start, this.pos) : undefined;
      const again = bytes && replay(this.dir, d.start, bytes, this.parserFactory, { ...this.opts, deferred: undefined }, d.sequence, d.requestMethod, this.ending);
      const m = again?.emitted[0];
      if (!emit || m) {
        if (m) {
          m.tStart = d.tStart;
          m.tEnd = this.t;
          this.host.emit(m);
        }
        this.host.failed(this.dir, m ? m.range.end : d.start, err, atMessageStart);
        return;
      }
      d.eager = true;
      if (d.head) d.fields = headFields(d.head, this.base);
    }
    if (!d.head) {
      // The head did not parse: show the lines that arrived, the failing one marked.
      const bytes = this.bytesFrom(d.start) ?? Buffer.alloc(0);
      d.fields.push(...rawLines(bytes, d.start, at, err.message));
    } else if (d.chunked && at >= d.chunked.range.end) {
      // A chunk-size line (or the CRLF after chunk data) that did not parse.
      let from = d.chunked.range.end;
      let bytes = this.bytesFrom(from) ?? Buffer.alloc(0);
      if (at >= from + 2 && bytes[0] === 0x0d && bytes[1] === 0x0a) {
        // Skip the CRLF that closed the previous chunk's data.
        from += 2;
        bytes = bytes.subarray(2);
      }
      const lf = bytes.indexOf(0x0a, at - from);
      const lineEnd = from + (lf < 0 ? bytes.length : lf + 1);
      d.chunked.children!.push({
        name: 'Chunk size',
        value: escapeBytes(bytes.subarray(0, lineEnd - from), 80),
        explain: 'A chunk-size line: hexadecimal size, optional extensions, CRLF',
        range: { start: from, end: Math.max(lineEnd, at + 1) },
        error: err.message,
      });
      d.chunked.range.end = Math.max(lineEnd, at + 1);
    } else {
      markError(d.fields, at, err.message);
    }
    const emit = !atMessageStart || this.emitErrors;
    const end = emit ? Math.min(Math.max(at + 1, ...d.fields.map((f) => f.range.end)), this.pos) : d.start;
    if (emit) this.emitDraft(d, end, { offset: at, message: err.message, code: err.code });
    this.host.failed(this.dir, end, err, atMessageStart);
  }

  /** Raw connections ask not to see an error message when the first line is not HTTP at all. */
  emitErrors = true;

  private emitDraft(d: Draft, end: number, error?: { offset: number; message: string; code?: string }): void {
    const head = d.head;
    const sse = d.sse?.field(!error);
    if (d.eager && sse) d.fields.push(sse);
    if (!d.eager) {
      // Built on demand; a draft that got no head (cut before its end) has no tree to defer.
    } else if (d.hiddenChunks > 0 && d.chunked) {
      d.chunked.children!.push({ name: 'More chunks', value: formatCount(d.hiddenChunks), explain: `${formatCount(d.hiddenChunks)} further chunks are not listed one by one`, range: { start: d.chunked.range.end, end: d.chunked.range.end } });
    }
    if (d.eager && d.body) {
      const preview = Buffer.concat(d.bodyPreview);
      d.body.value = `${formatCount(d.bodySize)} B ${previewPayload(preview, d.bodySize)}`;
    }
    if (d.eager && d.chunked) {
      d.chunked.value = `${formatCount(d.bodySize)} B in chunks`;
      for (const c of d.chunked.children ?? []) if (c.name === 'Chunk data') c.value = `${formatCount(c.range.end - c.range.start)} B`;
    }
    let summary: string;
    if (head?.kind === 'request') summary = `${head.method} ${head.target} HTTP/${head.versionMajor}.${head.versionMinor}`;
    else if (head?.kind === 'response') summary = `${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`;
    else summary = this.dir === 'c2s' ? 'Malformed request' : 'Malformed response';
    if (head && d.bodySize > 0) summary += ` (${formatCount(d.bodySize)} B body)`;
    if (sse) summary += ` · ${sse.value}`;
    if (error && head) summary += ' — malformed';
    const kind = this.dir === 'c2s' ? 'http-request' : 'http-response';
    let msg: HttpMessage;
    if (d.eager || !this.deferredFields) {
      msg = { kind, protocol: 'http', dir: this.dir, range: { start: d.start, end }, tStart: d.tStart, tEnd: this.t, summary, fields: d.fields };
    } else {
      msg = deferFields({ kind, protocol: 'http', dir: this.dir, range: { start: d.start, end }, tStart: d.tStart, tEnd: this.t, summary } as const, this.deferredFields);
    }
    if (d.sequence !== undefined) msg.sequence = d.sequence;
    if (error) msg.error = error;
    if (head) {
      const detail: HttpMessageDetail = {
        kind: head.kind,
        httpVersion: `HTTP/${head.versionMajor}.${head.versionMinor}`,
        headers: head.headers.map((h) => ({ name: h.name, value: h.value })),
        trailers: [],
        headSize: head.headSpan.end - head.headSpan.start,
        bodySize: d.bodySize,
        bodyRanges: d.bodyRanges,
        chunked: head.chunked,
        upgrade: head.upgrade,
        complete: !error,
      };
      if (d.trailers) detail.trailers = d.trailers;
      if (head.kind === 'request') {
        detail.method = head.method;
        detail.target = head.target;
      } else {
        detail.statusCode = head.statusCode;
        detail.reason = head.reason;
        if (d.requestMethod !== undefined) detail.requestMethod = d.requestMethod;
      }
      if (this.opts.keepPayload && !d.keepOverflow) detail.body = Buffer.concat(d.keptBody);
      msg.http = detail;

    }
    this.host.emit(msg);
  }
}

/**
 * Dissects one message's bytes again, on its own, with the answers the live connection gave (its sequence
 * and, for a response, the request's method): the same callbacks in the same order, so the same tree.
 */
function replay(
  dir: Direction,
  start: number,
  bytes: Buffer[],
  factory: HttpParserFactory,
  opts: HttpDissectorOptions,
  sequence: number | undefined,
  requestMethod: string | undefined,
  end: boolean,
): { emitted: HttpMessage[]; dissector: HttpDirectionDissector } {
  const emitted: HttpMessage[] = [];
  const seq = sequence ?? 0;
  const host: HttpDirectionHost = {
    requestHead: () => seq,
    responseHead: () => (requestMethod === undefined ? { sequence: seq } : { sequence: seq, method: requestMethod }),
    emit: (m) => emitted.push(m),
    upgraded: () => undefined,
    failed: () => undefined,
  };
  const dissector = new HttpDirectionDissector(dir, start, factory, host, opts);
  for (const b of bytes) dissector.push(b, 0);
  if (end) dissector.end(0);
  return { emitted, dissector };
}

function notKept(range: { start: number; end: number }): DissectedField[] {
  return [{ name: 'Not kept', explain: 'The bytes of this message are no longer in the capture', range: { ...range } }];
}

function headFields(head: MessageHead, base: number): DissectedField[] {
  fieldTreeStats.built++;
  const r = (s: Span) => ({ start: s.start + base, end: s.end + base });
  const out: DissectedField[] = [];
  const version = `HTTP/${head.versionMajor}.${head.versionMinor}`;
  if (head.kind === 'request') {
    out.push({
      name: 'Request line',
      value: `${head.method} ${head.target} ${version}`,
      explain: 'Method, request target and protocol version',
      range: r(head.startLineSpan),
      children: [
        { name: 'Method', value: head.method, explain: methodExplain(head.method), range: r(head.methodSpan) },
        { name: 'Target', value: head.target, explain: targetExplain(head.targetForm), range: r(head.targetSpan) },
        { name: 'Version', value: version, explain: 'Protocol version', range: r(head.versionSpan) },
      ],
    });
  } else {
    const children: DissectedField[] = [
      { name: 'Version', value: version, explain: 'Protocol version', range: r(head.versionSpan) },
      { name: 'Status', value: String(head.statusCode), explain: statusExplain(head.statusCode), range: r(head.statusSpan) },
    ];
    if (head.reasonSpan.end > head.reasonSpan.start) children.push({ name: 'Reason', value: head.reason, explain: 'Human-readable reason phrase (ignored by clients)', range: r(head.reasonSpan) });
    out.push({ name: 'Status line', value: `${version} ${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`, explain: 'Protocol version, status code and reason', range: r(head.startLineSpan), children });
  }
  for (const h of head.headers) out.push(headerField(h, base));
  const end = head.headSpan.end + base;
  out.push({ name: 'End of head', value: '\\r\\n', explain: 'The empty line that ends the header section', range: { start: end - 2, end } });
  return out;
}

function headerField(h: HeaderField, base: number): DissectedField {
  const r = (s: Span) => ({ start: s.start + base, end: s.end + base });
  return {
    name: h.name,
    value: h.value,
    explain: headerExplain(h.name),
    range: r(h.lineSpan),
    children: [
      { name: 'Name', value: h.name, explain: 'Field name (case-insensitive)', range: r(h.nameSpan) },
      { name: 'Value', value: h.value, explain: 'Field value, without surrounding whitespace', range: r(h.valueSpan) },
    ],
  };
}

/** Splits the bytes of a head that failed into line fields, the one holding `errAt` marked. */
function rawLines(bytes: Buffer, start: number, errAt: number, message: string): DissectedField[] {
  const out: DissectedField[] = [];
  let i = 0;
  let lineNo = 0;
  while (i < bytes.length && out.length < 200) {
    let j = bytes.indexOf(0x0a, i);
    j = j < 0 ? bytes.length : j + 1;
    const range = { start: start + i, end: start + j };
    const field: DissectedField = {
      name: lineNo === 0 ? 'Start line' : 'Line',
      value: escapeBytes(bytes.subarray(i, j), 120),
      explain: lineNo === 0 ? 'The first line, as received' : 'A line of the head, as received',
      range,
    };
    if (errAt >= range.start && errAt < range.end) field.error = message;
    out.push(field);
    // Stop at the empty line that ends the head, once past the error.
    if (range.start > errAt && j - i <= 2 && (bytes[i] === 0x0d || bytes[i] === 0x0a)) break;
    i = j;
    lineNo++;
  }
  if (!out.some((f) => f.error)) {
    out.push({ name: 'Error', explain: message, range: { start: errAt, end: errAt + 1 }, error: message });
  }
  return out;
}

/** Marks the deepest field that contains `at`, or adds an error field. */
function markError(fields: DissectedField[], at: number, message: string): void {
  const find = (list: DissectedField[]): DissectedField | undefined => {
    for (const f of list) {
      if (at >= f.range.start && at < f.range.end) return (f.children && find(f.children)) || f;
    }
    return undefined;
  };
  const f = find(fields);
  if (f) f.error = message;
  else fields.push({ name: 'Error', explain: message, range: { start: at, end: at + 1 }, error: message });
}

function bodyExplain(head: MessageHead | undefined): string {
  if (!head) return 'Body';
  if (head.contentLength !== null) return `Content-Length: ${formatCount(head.contentLength)} bytes`;
  return 'Body delimited by the end of the connection';
}

function methodExplain(m: string): string {
  const known: Record<string, string> = {
    GET: 'Retrieve the target resource',
    HEAD: 'Like GET, but the response has no body',
    POST: 'Process the enclosed body',
    PUT: 'Replace the target resource with the body',
    DELETE: 'Remove the target resource',
    PATCH: 'Apply a partial modification',
    OPTIONS: 'Ask which methods and options the target supports',
    CONNECT: 'Open a tunnel to the authority',
    TRACE: 'Echo the request back (loop-back test)',
  };
  return known[m] ?? 'Request method (a token)';
}

function targetExplain(form: string): string {
  switch (form) {
    case 'origin': return 'Origin form: absolute path and query';
    case 'absolute': return 'Absolute form: a full URI (proxies)';
    case 'authority': return 'Authority form: host:port (CONNECT)';
    case 'asterisk': return 'Asterisk form: the server as a whole (OPTIONS)';
    default: return 'Request target';
  }
}

function statusExplain(s: number): string {
  if (s === 101) return 'Switching Protocols: the connection leaves HTTP after this head';
  if (s < 200) return 'Informational (1xx): a final response follows';
  if (s < 300) return 'Success (2xx)';
  if (s < 400) return 'Redirection (3xx)';
  if (s < 500) return 'Client error (4xx)';
  return 'Server error (5xx)';
}

const HEADER_EXPLAIN: Record<string, string> = {
  host: 'The authority (host and port) the request is for',
  'content-length': 'Body length in bytes',
  'content-type': 'Media type of the body',
  'transfer-encoding': 'Codings applied to the body for transfer (chunked)',
  connection: 'Options for this connection only (close, keep-alive, upgrade)',
  upgrade: 'Protocols the sender would switch to',
  'user-agent': 'The client software',
  accept: 'Media types the client accepts in the response',
  'accept-encoding': 'Content codings the client accepts',
  'content-encoding': 'Coding applied to the body (gzip, br, …)',
  date: 'When the message was generated',
  server: 'The server software',
  location: 'Where to go next (redirects, created resources)',
  'set-cookie': 'A cookie for the client to store',
  cookie: 'Cookies the client stored for this origin',
  authorization: 'Credentials for the target',
  'cache-control': 'Caching directives',
  etag: 'An opaque version tag of the representation',
  'last-modified': 'When the representation last changed',
  'if-none-match': 'Send the body only if the ETag changed',
  'if-modified-since': 'Send the body only if it changed since then',
  expect: '100-continue: wait for the server before sending the body',
  'sec-websocket-key': 'WebSocket handshake nonce (base64 of 16 bytes)',
  'sec-websocket-accept': 'SHA-1 of the key and the WebSocket GUID, base64',
  'sec-websocket-version': 'WebSocket protocol version (13)',
  'sec-websocket-protocol': 'WebSocket subprotocols offered or selected',
  'sec-websocket-extensions': 'WebSocket extensions offered or accepted (permessage-deflate)',
  origin: 'The origin that initiated the request',
  range: 'Ask for part of the representation',
  'content-range': 'Which part of the representation the body is',
  'keep-alive': 'Keep-alive parameters (HTTP/1.0 style)',
  te: 'Transfer codings the client accepts (trailers)',
  trailer: 'Header fields that will follow the chunked body',
  vary: 'Request headers that select the response variant',
  allow: 'Methods the target supports',
};

function headerExplain(name: string): string {
  return HEADER_EXPLAIN[name.toLowerCase()] ?? 'Header field';
}
