// The incremental HTTP/1.1 message parser (RFC 9112), for requests and responses.
//
// Fed with push(chunk); emits the events of HttpParserHandlers; never touches a socket.
// Every span is absolute, counted from the first byte ever pushed (offsets keep counting
// across pipelined messages), so that a hex view can highlight any element.
//
// Shape: a state machine over the chunk. Head lines (start line, header fields, trailer
// fields) are found by a byte scan and validated with lookup tables (syntax.ts); a line that
// spans pushes is kept as a list of copied chunks and joined once, when its LF arrives. Chunked
// bodies are decoded by their own state machine (chunked-decoder.ts). Body bytes are handed out
// as subarray views of the pushed chunk.
//
// Determinism: every error is detected at a point that depends only on the byte stream,
// never on how it was split, so the same input yields the same events and offsets whether it
// arrives whole, split anywhere, or byte by byte (the corpus test checks exactly that).

import {
  DEFAULT_PARSER_LIMITS,
  HttpParseError,
  type HeadDecision,
  type HeaderField,
  type HttpParseErrorCode,
  type HttpParserHandlers,
  type HttpParserLimits,
  type RequestHead,
  type RequestTargetForm,
  type ResponseHead,
  type Span,
} from './parser-types.js';
import { ParsedField } from './parsed-field.js';
import { bodyFraming, type FramingBlame } from './body-framing.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import * as syntax from './syntax.js';
import { equalsLower, latin1, listTokens } from './syntax.js';

// Module-local copies: V8 reads imported bindings through a cell on every access, which more
// than doubles the cost of the byte loops below.
const { COLON, CR, HT, LF, SP } = syntax;
const COMMA = 0x2c;
const TCHAR: Uint8Array = syntax.TCHAR;
const FIELD_VALUE: Uint8Array = syntax.FIELD_VALUE;
const TARGET_CHAR: Uint8Array = syntax.TARGET_CHAR;
const SCHEME_CHAR: Uint8Array = syntax.SCHEME_CHAR;

// Parser states.
const S_LINE = 0; // a head line: start line, header field or trailer field (see phase)
const S_BODY_FIXED = 1; // Content-Length body
const S_BODY_EOF = 2; // response body delimited by the end of the connection
const S_CHUNKED = 3; // chunked body up to the last-chunk line (ChunkedDecoder)
const S_DEAD = 4; // after an error, an upgrade or finish(): input is ignored

// Line phases.
const P_START = 0;
const P_HEADERS = 1;
const P_TRAILERS = 2;

const CONTENT_LENGTH_GUARD = Math.floor((Number.MAX_SAFE_INTEGER - 9) / 10);

const EMPTY = Buffer.alloc(0);
/** Bytes decoded at once for header strings. */
const TEXT_WINDOW = 1024;

/** Every span before its first head (never modified: each head sets new span objects). */
const NO_SPAN: Span = Object.freeze({ start: 0, end: 0 });

/** The limits merged over the defaults, once per limits object (a server's connections share one). */
const merged = new WeakMap<Partial<HttpParserLimits>, HttpParserLimits>();
function mergedLimits(limits: Partial<HttpParserLimits>): HttpParserLimits {
  let m = merged.get(limits);
  if (m === undefined) {
    m = { ...DEFAULT_PARSER_LIMITS };
    for (const key of Object.keys(m) as (keyof HttpParserLimits)[]) {
      const v = limits[key];
      if (v !== undefined) m[key] = v;
    }
    merged.set(limits, m);
  }
  return m;
}

export class HttpMessageParser {
  private readonly isRequest: boolean;
  private readonly limits: HttpParserLimits;

  /** Absolute offset of the next byte to be pushed. */
  private offset = 0;
  private state = S_LINE;
  private phase = P_START;

  // A head line that spans pushes: copied pieces, their total length, its absolute start.
  private parts: Buffer[] = [];
  private partLen = 0;
  private lineAbs = 0;
  /** A request line still waiting for its LF: its bytes up to here were checked by methodScan (-1: the scan is over). */
  private methodScanned = 0;

  // The message being parsed.
  private msgStart = 0;
  /** Absolute start of the header section (or of the trailer section). */
  private sectionStart = 0;
  private fields: HeaderField[] = [];

  // Start line.
  private versionMajor = 1;
  private versionMinor = 1;
  private startLineSpan: Span = NO_SPAN;
  private versionSpan: Span = NO_SPAN;
  private method = '';
  private target = '';
  private targetForm: RequestTargetForm = 'origin';
  private methodSpan: Span = NO_SPAN;
  private targetSpan: Span = NO_SPAN;
  private statusCode = 0;
  private reason = '';
  private statusSpan: Span = NO_SPAN;
  private reasonSpan: Span = NO_SPAN;

  // Header semantics.
  private hostCount = 0;
  private contentLength: number | null = null;
  private clFirstAbs = 0;
  private clLastAbs = 0;
  private codings: string[] | null = null;
  private teLastAbs = 0;
  private connClose = false;
  private connKeepAlive = false;
  private connUpgrade = false;
  private hasUpgrade = false;
  private expectContinue = false;

  // Body.
  private remaining = 0;
  private bodyBytes = 0;

  /** Made at the first chunked body (most connections never see one: an idle one keeps no decoder). */
  private chunkedDecoder: ChunkedDecoder | null = null;
  private get chunked(): ChunkedDecoder {
    return (this.chunkedDecoder ??= new ChunkedDecoder(this.handlers, (code, message, offset, status) => this.fail(code, message, offset, status), this.limits));
  }

  // Upgrade handed over by the head just parsed.
  private upgradePending = false;

  // Strings are cut from one latin1 decoding of the head (a "window" over the buffer being
  // parsed) instead of one native decode per name and value.
  private winBuf: Buffer | null = null;
  private winStart = 0;
  private winEnd = 0;
  private winStr = '';

  constructor(
    kind: 'request' | 'response',
    private readonly handlers: HttpParserHandlers,
    limits?: Partial<HttpParserLimits>,
  ) {
    this.isRequest = kind === 'request';
    this.limits = limits === undefined ? DEFAULT_PARSER_LIMITS : mergedLimits(limits);
  }

  /** Feeds bytes. Events fire synchronously; several messages may complete in one push. */
  push(chunk: Buffer): void {
    if (this.state === S_DEAD) return;
    const base = this.offset;
    const len = chunk.length;
    this.offset = base + len;
    let pos = 0;
    while (pos < len) {
      switch (this.state) {
        case S_LINE:
          pos = this.lines(chunk, pos, base);
          break;
        case S_BODY_FIXED: {
          const n = this.remaining < len - pos ? this.remaining : len - pos;
          const end = pos + n;
          this.remaining -= n;
          const h = this.handlers;
          if (h.onBody !== undefined) h.onBody(chunk.subarray(pos, end), { start: base + pos, end: base + end });
          pos = end;
          if (this.remaining === 0 && this.state === S_BODY_FIXED) this.complete(base + pos);
          break;
        }
        case S_BODY_EOF: {
          const room = this.limits.maxBodyBytes - this.bodyBytes;
          const n = Math.min(room, len - pos);
          const h = this.handlers;
          if (n > 0 && h.onBody !== undefined) h.onBody(chunk.subarray(pos, pos + n), { start: base + pos, end: base + pos + n });
          this.bodyBytes += n;
          pos += n;
          if (pos < len && this.state === S_BODY_EOF) {
            this.fail('BODY_TOO_LARGE', `body exceeds ${this.limits.maxBodyBytes} bytes`, base + pos, 413);
          }
          break;
        }
        case S_CHUNKED:
          pos = this.chunked.decode(chunk, pos, base);
          if (this.chunked.done && this.state === S_CHUNKED) {
            // The trailer section is field lines, read like the header section.
            this.state = S_LINE;
            this.phase = P_TRAILERS;
            this.fields = [];
            this.sectionStart = this.chunked.end;
          }
          break;
        default:
          return;
      }
    }
    this.winBuf = null;
    this.winStr = '';
  }

  /** The end of the stream: completes a read-until-close body, or reports UNEXPECTED_EOF inside a message. */
  finish(): void {
    if (this.state === S_DEAD) return;
    if (this.state === S_BODY_EOF) {
      this.complete(this.offset);
      this.state = S_DEAD;
      return;
    }
    if (this.state === S_LINE && this.phase === P_START && this.partLen === 0) {
      this.state = S_DEAD;
      return;
    }
    this.fail('UNEXPECTED_EOF', 'the stream ended inside a message', this.offset, 400);
  }

  /** Forgets everything, offsets included: the parser is as new. */
  reset(): void {
    this.offset = 0;
    this.state = S_LINE;
    this.parts = [];
    this.partLen = 0;
    this.upgradePending = false;
    this.startMessage();
  }

  // ---------------------------------------------------------------- lines

  /** Consumes complete head lines from chunk[pos..]; keeps a trailing partial line. Returns the new position. */
  private lines(chunk: Buffer, pos: number, base: number): number {
    const len = chunk.length;
    while (true) {
      if (this.phase !== P_START && this.partLen === 0) {
        const next = this.fastField(chunk, pos, base);
        if (next >= 0) {
          pos = next;
          if (this.state !== S_LINE || pos >= len) return pos;
          continue;
        }
      }
      const lf = findLF(chunk, pos, len);
      if (lf === -1) {
        if (this.partLen === 0) {
          this.lineAbs = base + pos;
          this.methodScanned = 0;
        }
        // A byte that can never be part of a method is refused now, not when (if ever) the line ends.
        if (this.phase === P_START && this.isRequest && this.methodScanned >= 0 && this.refusedMethodByte(chunk, pos, len, base)) return len;
        // Refuse an over-long line before keeping any of it.
        if (this.partialLineTooLong(this.partLen + len - pos, chunk[len - 1])) return len;
        const copy = Buffer.allocUnsafe(len - pos);
        chunk.copy(copy, 0, pos, len);
        this.parts.push(copy);
        this.partLen += copy.length;
        return len;
      }
      if (this.partLen > 0) {
        this.parts.push(chunk.subarray(pos, lf + 1));
        const joined = Buffer.concat(this.parts, this.partLen + lf + 1 - pos);
        const abs = this.lineAbs;
        this.parts = [];
        this.partLen = 0;
        this.line(joined, 0, joined.length - 1, abs);
      } else {
        this.line(chunk, pos, lf, base + pos);
      }
      pos = lf + 1;
      if (this.state !== S_LINE) {
        if (this.upgradePending) {
          this.upgradePending = false;
          const h = this.handlers;
          if (h.onUpgrade !== undefined) h.onUpgrade(pos < len ? chunk.subarray(pos) : EMPTY);
          return len;
        }
        return pos;
      }
      if (pos >= len) return pos;
    }
  }

  /**
   * The limits of a line still waiting for its LF (`length` bytes so far, the last one `last`):
   * reports the same error at the same offset as when the whole line is seen at once.
   */
  private partialLineTooLong(length: number, last: number): boolean {
    if (this.phase === P_START) {
      if (length - (last === CR ? 1 : 0) <= this.limits.maxStartLineBytes) return false;
      this.startLineTooLong(this.lineAbs);
      return true;
    }
    if (this.lineAbs + length - this.sectionStart <= this.limits.maxHeaderBytes) return false;
    this.headersTooLarge();
    return true;
  }

  /**
   * Scans buf[from..end) as the next bytes of a request line whose first `methodScanned` bytes
   * were already scanned, and reports INVALID_METHOD for a byte that can never be part of a
   * method: one that is not a tchar where the method goes on (a NUL, a control character, a
   * space first). The scan ends at the space after the method, at a CR (which may end an empty
   * line, or be a bare CR: the whole line decides) and at maxStartLineBytes (beyond it the line is
   * too long whatever it holds), so the error and its offset are the same however the input was
   * split. Returns true after reporting.
   */
  private refusedMethodByte(buf: Buffer, from: number, end: number, base: number): boolean {
    let n = this.methodScanned;
    const max = this.limits.maxStartLineBytes;
    for (let i = from; i < end; i++, n++) {
      const c = buf[i];
      if (n >= max || c === CR || (c === SP && n > 0)) {
        this.methodScanned = -1;
        return false;
      }
      if (TCHAR[c] !== 1) {
        this.fail('INVALID_METHOD', 'invalid method', base + i, 400);
        return true;
      }
    }
    this.methodScanned = n;
    return false;
  }

  private startLineTooLong(lineAbs: number): void {
    const max = this.limits.maxStartLineBytes;
    this.fail(
      'START_LINE_TOO_LONG',
      `${this.isRequest ? 'request' : 'status'} line exceeds ${max} bytes`,
      lineAbs + max,
      this.isRequest ? 414 : 400,
    );
  }

  private headersTooLarge(): void {
    const max = this.limits.maxHeaderBytes;
    this.fail('HEADERS_TOO_LARGE', `${this.phase === P_TRAILERS ? 'trailer' : 'header'} section exceeds ${max} bytes`, this.sectionStart + max, 431);
  }

  /**
   * One complete line: buf[s..lf] where buf[lf] is LF; `base` maps buffer indexes to absolute offsets
   * (abs = base + index).
   */
  private line(buf: Buffer, s: number, lf: number, lineAbs: number): void {
    const base = lineAbs - s;
    const bareLf = lf === s || buf[lf - 1] !== CR;
    const e = bareLf ? lf : lf - 1;
    if (this.phase === P_START) {
      if (e === s) {
        // Empty lines before a start line are skipped (RFC 9112 §2.2), bare LF is still refused.
        if (bareLf) this.fail('BARE_LF', 'LF without CR', base + lf, 400);
        return;
      }
      if (this.isRequest) {
        this.methodScanned = 0;
        if (this.refusedMethodByte(buf, s, e, base)) return;
      }
      if (e - s > this.limits.maxStartLineBytes) return this.startLineTooLong(lineAbs);
      if (this.isRequest ? !this.requestLine(buf, s, e, base) : !this.statusLine(buf, s, e, base)) return;
      if (bareLf) return this.fail('BARE_LF', 'LF without CR', base + lf, 400);
      this.msgStart = lineAbs;
      this.startLineSpan = { start: lineAbs, end: base + e };
      this.sectionStart = base + lf + 1;
      this.phase = P_HEADERS;
      return;
    }
    if (base + lf + 1 - this.sectionStart > this.limits.maxHeaderBytes) return this.headersTooLarge();
    if (e === s) {
      if (bareLf) return this.fail('BARE_LF', 'LF without CR', base + lf, 400);
      if (this.phase === P_HEADERS) this.endOfHead(base + s, base + lf + 1);
      else this.endOfTrailers(base + lf + 1);
      return;
    }
    if (this.fields.length >= this.limits.maxHeaderCount) {
      return this.fail(
        'TOO_MANY_HEADERS',
        `more than ${this.limits.maxHeaderCount} ${this.phase === P_TRAILERS ? 'trailer' : 'header'} fields`,
        lineAbs,
        431,
      );
    }
    const field = this.fieldLine(buf, s, e, base);
    if (field === null) return;
    if (bareLf) return this.fail('BARE_LF', 'LF without CR', base + lf, 400);
    this.fields.push(field);
  }

  /**
   * The common case in one pass: a well-formed field line that ends with CRLF inside this chunk,
   * within the limits. Returns the position after its LF, or -1 to take the general path (which
   * then finds and reports whatever is unusual, exactly as for a line split across pushes).
   */
  private fastField(buf: Buffer, s: number, base: number): number {
    const len = buf.length;
    let i = s;
    while (i < len && TCHAR[buf[i]] === 1) i++;
    if (i === s || i >= len || buf[i] !== COLON) return -1;
    const nameEnd = i++;
    while (i < len && (buf[i] === SP || buf[i] === HT)) i++;
    const vs = i;
    while (i < len && FIELD_VALUE[buf[i]] === 1) i++;
    if (i + 1 >= len || buf[i] !== CR || buf[i + 1] !== LF) return -1;
    const e = i;
    if (base + e + 2 - this.sectionStart > this.limits.maxHeaderBytes || this.fields.length >= this.limits.maxHeaderCount) return -1;
    const field = this.field(buf, s, nameEnd, vs, e, base);
    if (field !== null) this.fields.push(field);
    return e + 2;
  }

  /**
   * The field of a valid line buf[s..e) whose name ends at nameEnd and whose value (after the
   * leading OWS) starts at vs; null after reporting a framing error found in its value.
   */
  private field(buf: Buffer, s: number, nameEnd: number, vs: number, e: number, base: number): HeaderField | null {
    let ve = e;
    while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HT)) ve--;
    const field = new ParsedField(this.text(buf, s, nameEnd), ve > vs ? this.text(buf, vs, ve) : '', base + s, base + nameEnd, base + vs, base + ve, base + e);
    if (this.phase === P_HEADERS) {
      if (!this.fieldSemantics(buf, s, nameEnd - s, vs, ve, base, field.value)) return null;
    } else if (this.isRequest && forbiddenInTrailers(buf, s, nameEnd - s)) {
      this.fail('FORBIDDEN_TRAILER_FIELD', `${field.name} is not allowed in a trailer section`, base + s, 400);
      return null;
    }
    return field;
  }

  /**
   * latin1 text of buf[s..e), cut from one decoding of a window of the buffer: a head's names
   * and values (and, pipelined, several heads) share one native call.
   */
  private text(buf: Buffer, s: number, e: number): string {
    if (buf !== this.winBuf || s < this.winStart || e > this.winEnd) {
      let end = s + TEXT_WINDOW;
      if (end < e) end = e;
      if (end > buf.length) end = buf.length;
      this.winBuf = buf;
      this.winStart = s;
      this.winEnd = end;
      this.winStr = latin1(buf, s, end);
    }
    return this.winStr.slice(s - this.winStart, e - this.winStart);
  }

  // ---------------------------------------------------------------- start lines

  /** Reports the error for an unexpected byte at i (a CR inside a line is a bare CR). Returns false. */
  private bad(buf: Buffer, i: number, e: number, base: number, code: HttpParseErrorCode, message: string, status = 400): false {
    if (i < e && buf[i] === CR) this.fail('BARE_CR', 'CR not followed by LF', base + i, 400);
    else this.fail(code, message, base + i, status);
    return false;
  }

  /** HTTP-version = "HTTP/" DIGIT "." DIGIT at buf[i..i+8). Returns false after reporting. */
  private version(buf: Buffer, i: number, e: number, base: number): boolean {
    const expected = 'HTTP/0.0';
    for (let k = 0; k < 8; k++) {
      const c = i + k < e ? buf[i + k] : -1;
      const ok = k === 5 || k === 7 ? c >= 0x30 && c <= 0x39 : c === expected.charCodeAt(k);
      if (!ok) return this.bad(buf, i + k, e, base, 'INVALID_VERSION', 'invalid HTTP version');
    }
    const major = buf[i + 5] - 0x30;
    if (major !== 1) return this.bad(buf, i + 5, e, base, 'UNSUPPORTED_VERSION', `HTTP/${major} is not supported`, 505);
    this.versionMajor = major;
    this.versionMinor = buf[i + 7] - 0x30;
    this.versionSpan = { start: base + i, end: base + i + 8 };
    return true;
  }

  private requestLine(buf: Buffer, s: number, e: number, base: number): boolean {
    let i = s;
    while (i < e && TCHAR[buf[i]] === 1) i++;
    if (i === s || i === e || buf[i] !== SP) return this.bad(buf, i, e, base, 'INVALID_METHOD', 'invalid method');
    const methodEnd = i;
    const ts = ++i;
    while (i < e && TARGET_CHAR[buf[i]] === 1) i++;
    if (i === e && i > ts) return this.bad(buf, i, e, base, 'INVALID_VERSION', 'no HTTP version (HTTP/0.9 is not supported)');
    if (i === ts || i === e || buf[i] !== SP) return this.bad(buf, i, e, base, 'INVALID_TARGET', 'invalid request target');
    const te = i++;
    if (!this.version(buf, i, e, base)) return false;
    if (e - i > 8) return this.bad(buf, i + 8, e, base, 'INVALID_VERSION', 'invalid HTTP version');

    const method = methodName(buf, s, methodEnd);
    let form: RequestTargetForm;
    const c0 = buf[ts];
    if (method === 'CONNECT') {
      if (!isAuthority(buf, ts, te)) return this.bad(buf, ts, e, base, 'INVALID_TARGET', 'CONNECT needs an authority-form target (host:port)');
      form = 'authority';
    } else if (c0 === 0x2f) {
      form = 'origin';
    } else if (c0 === 0x2a && te - ts === 1) {
      if (method !== 'OPTIONS') return this.bad(buf, ts, e, base, 'INVALID_TARGET', 'the asterisk form is only allowed with OPTIONS');
      form = 'asterisk';
    } else {
      let k = ts;
      if (!((c0 | 0x20) >= 0x61 && (c0 | 0x20) <= 0x7a)) return this.bad(buf, ts, e, base, 'INVALID_TARGET', 'invalid request target');
      while (k < te && SCHEME_CHAR[buf[k]] === 1) k++;
      if (k === te || buf[k] !== COLON) return this.bad(buf, k, e, base, 'INVALID_TARGET', 'invalid request target');
      form = 'absolute';
    }
    this.method = method;
    this.target = this.text(buf, ts, te);
    this.targetForm = form;
    this.methodSpan = { start: base + s, end: base + methodEnd };
    this.targetSpan = { start: base + ts, end: base + te };
    return true;
  }

  private statusLine(buf: Buffer, s: number, e: number, base: number): boolean {
    if (!this.version(buf, s, Math.min(e, s + 8), base)) return false;
    let i = s + 8;
    if (i === e || buf[i] !== SP) return this.bad(buf, i, e, base, 'INVALID_STATUS', 'expected a space after the version');
    i++;
    let code = 0;
    for (let k = 0; k < 3; k++, i++) {
      const c = i < e ? buf[i] : -1;
      if (c < (k === 0 ? 0x31 : 0x30) || c > 0x39) return this.bad(buf, i, e, base, 'INVALID_STATUS', 'invalid status code');
      code = code * 10 + c - 0x30;
    }
    const statusEnd = i;
    let rs = e;
    if (i < e) {
      if (buf[i] !== SP) return this.bad(buf, i, e, base, 'INVALID_STATUS', 'expected a space after the status code');
      rs = ++i;
      for (; i < e; i++) {
        if (FIELD_VALUE[buf[i]] !== 1) return this.bad(buf, i, e, base, 'INVALID_STATUS', 'invalid byte in the reason phrase');
      }
    }
    this.statusCode = code;
    this.reason = rs < e ? this.text(buf, rs, e) : '';
    this.statusSpan = { start: base + s + 9, end: base + statusEnd };
    this.reasonSpan = { start: base + rs, end: base + e };
    return true;
  }

  // ---------------------------------------------------------------- fields

  private fieldLine(buf: Buffer, s: number, e: number, base: number): HeaderField | null {
    const c0 = buf[s];
    if (c0 === SP || c0 === HT) {
      this.fail('OBS_FOLD', 'obsolete line folding', base + s, 400);
      return null;
    }
    let i = s;
    while (i < e && TCHAR[buf[i]] === 1) i++;
    const c = i < e ? buf[i] : -1;
    if (c !== COLON || i === s) {
      if (c === SP || c === HT) this.fail('WHITESPACE_BEFORE_COLON', 'whitespace between field name and colon', base + i, 400);
      else this.bad(buf, i, e, base, 'INVALID_HEADER_NAME', 'invalid field name');
      return null;
    }
    const nameEnd = i++;
    while (i < e && (buf[i] === SP || buf[i] === HT)) i++;
    const vs = i;
    for (; i < e; i++) {
      if (FIELD_VALUE[buf[i]] !== 1) {
        this.bad(buf, i, e, base, 'INVALID_HEADER_VALUE', 'invalid byte in a field value');
        return null;
      }
    }
    return this.field(buf, s, nameEnd, vs, e, base);
  }

  /** Notes the close, keep-alive and upgrade options of a Connection value buf[vs..ve), without allocating. */
  private connectionTokens(buf: Buffer, vs: number, ve: number): void {
    let i = vs;
    while (i < ve) {
      while (i < ve && (buf[i] === SP || buf[i] === HT || buf[i] === COMMA)) i++;
      const ts = i;
      while (i < ve && buf[i] !== COMMA) i++;
      let te = i;
      while (te > ts && (buf[te - 1] === SP || buf[te - 1] === HT)) te--;
      const n = te - ts;
      if (n === 5 && equalsLower(buf, ts, 'close')) this.connClose = true;
      else if (n === 10 && equalsLower(buf, ts, 'keep-alive')) this.connKeepAlive = true;
      else if (n === 7 && equalsLower(buf, ts, 'upgrade')) this.connUpgrade = true;
    }
  }

  /** Records what the framing and connection rules need from one header field. Returns false after reporting. */
  private fieldSemantics(buf: Buffer, s: number, nameLen: number, vs: number, ve: number, base: number, value: string): boolean {
    switch (nameLen) {
      case 4:
        if (equalsLower(buf, s, 'host') && ++this.hostCount > 1 && this.isRequest) {
          this.fail('DUPLICATE_HOST', 'more than one Host field', base + s, 400);
          return false;
        }
        return true;
      case 6:
        if (!equalsLower(buf, s, 'expect')) return true;
        if (expectsOnlyContinue(value)) this.expectContinue = true;
        else if (this.isRequest && this.versionMinor >= 1) {
          // RFC 9110 §10.1.1: an expectation the server cannot meet is answered 417. HTTP/1.0 requests'
          // expectations are ignored (as node:http does).
          this.fail('UNSUPPORTED_EXPECTATION', `unsupported expectation ${JSON.stringify(value)} (only 100-continue is)`, base + vs, 417);
          return false;
        }
        return true;
      case 7:
        if (equalsLower(buf, s, 'upgrade')) this.hasUpgrade = true;
        return true;
      case 10:
        if ((buf[s] | 0x20) === 0x63 && equalsLower(buf, s, 'connection')) this.connectionTokens(buf, vs, ve);
        return true;
      case 14: {
        if (!equalsLower(buf, s, 'content-length')) return true;
        if (vs === ve) return this.refuse('INVALID_CONTENT_LENGTH', 'empty Content-Length', base + vs);
        let n = 0;
        for (let i = vs; i < ve; i++) {
          const d = buf[i] - 0x30;
          if (d < 0 || d > 9) return this.refuse('INVALID_CONTENT_LENGTH', 'Content-Length must be digits only', base + i);
          if (n > CONTENT_LENGTH_GUARD) return this.refuse('INVALID_CONTENT_LENGTH', 'Content-Length is too large', base + i);
          n = n * 10 + d;
        }
        if (this.contentLength !== null) {
          if (this.contentLength !== n) return this.refuse('CONFLICTING_CONTENT_LENGTH', 'Content-Length fields disagree', base + vs);
        } else {
          this.contentLength = n;
          this.clFirstAbs = base + vs;
        }
        this.clLastAbs = base + vs;
        return true;
      }
      case 17:
        if (equalsLower(buf, s, 'transfer-encoding')) {
          const codings = listTokens(value);
          if (codings.length === 0) return this.refuse('INVALID_TRANSFER_ENCODING', 'empty Transfer-Encoding', base + vs);
          this.codings = this.codings === null ? codings : this.codings.concat(codings);
          this.teLastAbs = base + vs;
        }
        return true;
      default:
        return true;
    }
  }

  // ---------------------------------------------------------------- end of head

  private endOfHead(emptyLineAbs: number, end: number): void {
    const req = this.isRequest;
    const framing = bodyFraming({
      request: req,
      versionMinor: this.versionMinor,
      statusCode: this.statusCode,
      contentLength: this.contentLength,
      codings: this.codings,
      hostCount: this.hostCount,
      connClose: this.connClose,
      connKeepAlive: this.connKeepAlive,
      maxBodyBytes: this.limits.maxBodyBytes,
    });
    if (!framing.ok) return this.fail(framing.code, framing.message, this.blameOffset(framing.blame, emptyLineAbs), framing.status);
    const chunked = framing.kind === 'chunked';
    const keepAlive = framing.keepAlive;
    const code = this.statusCode;
    const headSpan = { start: this.msgStart, end };

    let decision: HeadDecision;
    if (req) {
      const head: RequestHead = {
        kind: 'request',
        method: this.method,
        target: this.target,
        targetForm: this.targetForm,
        versionMajor: this.versionMajor,
        versionMinor: this.versionMinor,
        headers: this.fields,
        contentLength: this.contentLength,
        chunked,
        keepAlive,
        upgrade: this.method === 'CONNECT' || (this.hasUpgrade && this.connUpgrade),
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
        expectContinue: this.expectContinue && this.versionMinor >= 1,
        headSpan,
        startLineSpan: this.startLineSpan,
        methodSpan: this.methodSpan,
        targetSpan: this.targetSpan,
        versionSpan: this.versionSpan,
      };
      decision = this.handlers.onHead(head);
    } else {
      const head: ResponseHead = {
        kind: 'response',
        statusCode: code,
        reason: this.reason,
        versionMajor: this.versionMajor,
        versionMinor: this.versionMinor,
        headers: this.fields,
        contentLength: this.contentLength,
        chunked,
        keepAlive,
        upgrade: code === 101,
        headSpan,
        startLineSpan: this.startLineSpan,
        versionSpan: this.versionSpan,
        statusSpan: this.statusSpan,
        reasonSpan: this.reasonSpan,
      };
      decision = this.handlers.onHead(head);
    }
    if (this.state === S_DEAD) return;

    if (decision === 'upgrade') {
      this.complete(end);
      this.state = S_DEAD;
      this.upgradePending = true;
    } else if (decision === 'no-body' || framing.kind === 'none') {
      this.complete(end);
    } else if (chunked) {
      this.state = S_CHUNKED;
      this.chunked.begin(end);
    } else if (framing.kind === 'length') {
      if (framing.tooLong) this.bodyTooLarge();
      else if (this.contentLength === 0) this.complete(end);
      else {
        this.state = S_BODY_FIXED;
        this.remaining = this.contentLength!;
      }
    } else {
      this.state = S_BODY_EOF;
    }
  }

  /** The offset a framing error points at: the field it is about, or the empty line that ends the head. */
  private blameOffset(blame: FramingBlame, emptyLineAbs: number): number {
    if (blame === 'content-length-and-transfer-encoding') return Math.max(this.clLastAbs, this.teLastAbs);
    if (blame === 'transfer-encoding') return this.teLastAbs;
    if (blame === 'content-length') return this.clFirstAbs;
    return emptyLineAbs;
  }

  private bodyTooLarge(): void {
    this.fail('BODY_TOO_LARGE', `Content-Length exceeds ${this.limits.maxBodyBytes} bytes`, this.clFirstAbs, 413);
  }

  private endOfTrailers(end: number): void {
    if (this.fields.length > 0) {
      const h = this.handlers;
      if (h.onTrailers !== undefined) h.onTrailers(this.fields, { start: this.sectionStart, end });
      if (this.state === S_DEAD) return;
    }
    this.complete(end);
  }

  // ---------------------------------------------------------------- messages

  private complete(end: number): void {
    const start = this.msgStart;
    this.state = S_LINE;
    this.startMessage();
    this.msgStart = end;
    this.handlers.onMessageComplete({ start, end });
  }

  private startMessage(): void {
    this.phase = P_START;
    this.fields = [];
    this.hostCount = 0;
    this.contentLength = null;
    this.codings = null;
    this.connClose = false;
    this.connKeepAlive = false;
    this.connUpgrade = false;
    this.hasUpgrade = false;
    this.expectContinue = false;
    this.remaining = 0;
    this.bodyBytes = 0;
    this.statusCode = 0;
  }

  private refuse(code: HttpParseErrorCode, message: string, offset: number): false {
    this.fail(code, message, offset, 400);
    return false;
  }

  private fail(code: HttpParseErrorCode, message: string, offset: number, status: number): void {
    this.state = S_DEAD;
    this.parts = [];
    this.partLen = 0;
    this.handlers.onError(new HttpParseError(code, message, status, offset));
  }
}

/**
 * Content-Length, Transfer-Encoding and Host: fields a request's trailer section must not carry
 * (framing and routing are decided on the header section, RFC 9110 §6.5.1).
 */
function forbiddenInTrailers(buf: Buffer, s: number, nameLen: number): boolean {
  if (nameLen === 4) return equalsLower(buf, s, 'host');
  if (nameLen === 14) return equalsLower(buf, s, 'content-length');
  if (nameLen === 17) return equalsLower(buf, s, 'transfer-encoding');
  return false;
}

/** An Expect value that lists `100-continue` and nothing else. */
function expectsOnlyContinue(value: string): boolean {
  if (value.length === 12) return value.toLowerCase() === '100-continue';
  const members = listTokens(value);
  return members.length > 0 && members.every((m) => m === '100-continue');
}

/** The next LF at or after pos: a plain loop for the short lines of a head, the native search beyond. */
function findLF(buf: Buffer, pos: number, len: number): number {
  const stop = pos + 128 < len ? pos + 128 : len;
  for (let i = pos; i < stop; i++) if (buf[i] === LF) return i;
  return stop < len ? buf.indexOf(LF, stop) : -1;
}

/** Common methods as shared string constants (no allocation on the hot path). */
function methodName(buf: Buffer, s: number, e: number): string {
  const n = e - s;
  const c = buf[s];
  if (n === 3 && c === 0x47 && buf[s + 1] === 0x45 && buf[s + 2] === 0x54) return 'GET';
  if (n === 4 && c === 0x50 && buf[s + 1] === 0x4f && buf[s + 2] === 0x53 && buf[s + 3] === 0x54) return 'POST';
  return latin1(buf, s, e);
}

/** authority-form = uri-host ":" port; no path, query, fragment or userinfo. */
function isAuthority(buf: Buffer, s: number, e: number): boolean {
  let colon = -1;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 0x2f || c === 0x3f || c === 0x23 || c === 0x40) return false;
    if (c === COLON) colon = i;
  }
  if (colon <= s || colon === e - 1) return false;
  for (let i = colon + 1; i < e; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}
