// HTTP/1.x dissection for one direction of one connection, through the
// server-core parser (HttpMessageParser, via a factory so this module depends on
// the parser contract only). Every message becomes a DissectedField tree: start
// line and its parts, each header (name, value), the empty line, the body or,
// for chunked bodies, each chunk-size line, chunk data, the last chunk and the
// trailers. Offsets from the parser are relative to where it started; this
// module adds its base so every range is absolute in the direction's stream.
//
// This module is the live state machine (the parser's callbacks, the draft of
// the message in progress); around it: http-fields.ts builds head trees and
// error fields, http-message.ts turns a draft into its message, http-replay.ts
// defers trees — with `deferred` (the capture store), a message's tree is not
// built live: the live dissection keeps the head's details, the body's size
// and ranges, and the tree is built when `fields` is first read, by dissecting
// the message's bytes again from the store. A message whose bytes are about to
// leave the store has its tree built first (pin), so nothing readable is lost.
//
// With `openStreams`, an event-stream response is emitted as soon as its head
// is parsed and updated (host.update, the same object) as its body arrives:
// its "Event stream" field is there and grows while the stream is open
// (open-stream.ts); when it ends, that object becomes the final message.
import type { DissectedField } from './dissection-types.js';
import type { Direction } from './types.js';
import type { ChunkHeader, HeadDecision, HeaderField, HttpParseError, HttpParserHandlers, MessageHead, Span } from '../http/parser-types.js';
import type { Draft, HttpDirectionHost, HttpDissectorOptions, HttpParserFactory, HttpParserLike } from './http-dissection-types.js';
import { escapeBytes, formatCount } from './format.js';
import { EventStreamDissector } from './sse-dissector.js';
import { isEventStreamContentType } from '../sse/media-type.js';
import { getHeader } from '../http/parser-types.js';
import { RetainedBytes } from './retained-bytes.js';
import { bodyExplain, headerField, headFields, markError, rawLines } from './http-fields.js';
import { buildHttpMessage, type MessageParts } from './http-message.js';
import { closeOpen, openMessage, refreshOpen } from './open-stream.js';
import { deferredTreeDescriptor, draftSoFar, replay, type DissectorMaker } from './http-replay.js';
import type { FieldTreeBuilder } from './lazy-fields.js';

export type {
  HttpDirectionHost,
  HttpDissectorOptions,
  HttpMessage,
  HttpMessageDetail,
  HttpParserFactory,
  HttpParserLike,
  StoredStream,
} from './http-dissection-types.js';

/** Stand-ins emitted for messages whose bytes were leaving (test/unit/capture/deferred-dissection.test.ts). Only ever increases. */
export const standInStats = { made: 0 };

export class HttpDirectionDissector {
  private parser: HttpParserLike;
  private draft?: Draft;
  private t = 0;
  /** Stream offset of the parser's offset 0. */
  private readonly base: number;
  /** Absolute offset of the next byte to be pushed. */
  private pos: number;
  /** Bytes since the end of the last complete message (up to RETAIN_LIMIT). */
  private readonly retained: RetainedBytes;
  private done = false;
  private lastCompleteEnd: number;
  /** Stored bytes are gone below this offset: a message starting there builds its tree live. */
  private storedFrom = 0;
  /** In end(): an error now comes from the end of the stream. */
  private ending = false;
  /** Builds a message's tree on demand, when trees are deferred. */
  private readonly deferredFields?: FieldTreeBuilder;
  private readonly make: DissectorMaker;

  constructor(
    readonly dir: Direction,
    base: number,
    factory: HttpParserFactory,
    private readonly host: HttpDirectionHost,
    private readonly opts: HttpDissectorOptions,
  ) {
    this.base = base;
    this.pos = base;
    this.retained = new RetainedBytes(base);
    this.lastCompleteEnd = base;
    this.make = (d, start, host, o) => new HttpDirectionDissector(d, start, factory, host, o);
    this.parser = factory(dir === 'c2s' ? 'request' : 'response', this.handlers(), opts.parserLimits);
    if (opts.deferred && !opts.keepPayload) this.deferredFields = deferredTreeDescriptor(this.make, dir, opts.deferred, opts);
  }

  /** The message in progress (replays read its tree so far). */
  get draftInProgress(): Draft | undefined {
    return this.draft;
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
    return this.retained.from(from, this.pos);
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
    this.retained.add(bytes);
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
    // The bytes may leave and their block be reused: the window keeps copies, not views of them.
    this.retained.detach();
    if (before > this.storedFrom) this.storedFrom = before;
    const d = this.draft;
    if (d && !d.eager && d.start < before) this.materialize(d);
  }

  /** Gives a deferred draft the tree the live dissection would have built so far, from the stored bytes. */
  private materialize(d: Draft): void {
    d.eager = true;
    const r = draftSoFar(this.make, this.dir, d, this.pos, this.opts);
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
    if (d.sse && this.opts.openStreams && this.host.update) {
      // Shown while open: its tree is built live (bounded per message like any tree, see maxFieldsPerMessage).
      if (!d.eager) {
        d.eager = true;
        d.fields.push(...headFields(head, this.base));
        d.fieldCount = d.fields.length + head.headers.length * 2;
      }
      d.open = openMessage(d, this.dir, this.t);
      this.host.emit(d.open);
    }
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
    if (d.open) {
      refreshOpen(d, d.open, range.end, this.t);
      this.host.update?.(d.open);
    }
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
    this.retained.restartAt(end, this.current);
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
      const again = bytes && replay(this.make, this.dir, d.start, bytes, this.opts, d.sequence, d.requestMethod, this.ending);
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
    if (!error && !d.open && this.host.leaving?.(end)) {
      // Its bytes are being dropped: nobody will see it, only its place in the counts and ids is kept.
      standInStats.made++;
      const kind = this.dir === 'c2s' ? 'http-request' : 'http-response';
      this.host.emit({ kind, protocol: 'http', dir: this.dir, range: { start: d.start, end }, tStart: d.tStart, tEnd: this.t, summary: '', fields: [] });
      return;
    }
    const sse = d.sse?.field(!error);
    const parts: MessageParts = { dir: this.dir, end, tEnd: this.t, keepPayload: this.opts.keepPayload, deferredFields: this.deferredFields };
    if (sse) parts.sse = sse;
    if (error) parts.error = error;
    const m = buildHttpMessage(d, parts);
    if (d.open) {
      closeOpen(d.open, m);
      this.host.update?.(d.open);
    } else this.host.emit(m);
  }
}
