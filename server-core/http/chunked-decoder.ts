// The chunked transfer coding (RFC 9112 §7.1), up to and including the last-chunk line:
//
//   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF     (repeated)
//   last-chunk = 1*"0" [ chunk-ext ] CRLF
//   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//   chunk-ext-name = token;  chunk-ext-val = token / quoted-string
//
// Extensions are checked against that grammar byte by byte (one state per position in it) and
// reported raw; `2;` (no name) or `5;a?b` are refused at the offending byte. BWS is only allowed
// where the grammar puts it: before `;` and around `=`, never just before the CRLF.
//
// The trailer section that follows is made of field lines, which the message parser reads with
// its own line machinery. Chunk-size lines are parsed byte by byte (they are short and need no
// buffering, so a line split across pushes costs nothing); chunk data is handed out as views of
// the pushed chunk. Offsets are absolute, like every span of the message parser.

import type { HttpParseErrorCode, HttpParserHandlers } from './parser-types.js';
import * as syntax from './syntax.js';
import { latin1 } from './syntax.js';

const { CR, HT, LF, SEMICOLON, SP } = syntax;
const TCHAR: Uint8Array = syntax.TCHAR;
const QDTEXT: Uint8Array = syntax.QDTEXT;
const FIELD_VALUE: Uint8Array = syntax.FIELD_VALUE;
const HEX_VALUE: Int8Array = syntax.HEX_VALUE;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

// States.
const SIZE_FIRST = 0; // the first hex digit of a chunk-size line
const SIZE_DIGITS = 1;
const SIZE_BWS = 2; // whitespace after the size: only allowed before ';'
const SIZE_LF = 3; // the LF of the chunk-size line
const DATA = 4;
const DATA_CR = 5; // the CRLF after chunk data
const DATA_LF = 6;
const DONE = 7; // the last-chunk line has been read
const FAILED = 8;
// Chunk extensions, from the first ';' to the CR (all states from EXT_NAME_START on).
const EXT_NAME_START = 9; // after ';': BWS, then the first tchar of a name
const EXT_NAME = 10; // in a name: more tchars, or BWS, '=', ';', CR
const EXT_NAME_BWS = 11; // BWS after a name: '=' or ';' must follow
const EXT_VALUE_START = 12; // after '=': BWS, then a token or a quoted-string
const EXT_TOKEN = 13; // in a token value
const EXT_QUOTED = 14; // in a quoted-string
const EXT_QUOTED_PAIR = 15; // after a backslash in a quoted-string
const EXT_AFTER_VALUE = 16; // right after a value: ';', BWS or CR
const EXT_BWS = 17; // BWS after a value: ';' must follow

/** Whether `state` is inside the chunk extensions of a chunk-size line. */
function inExtensions(state: number): boolean {
  return state >= EXT_NAME_START;
}

/** Largest chunk size before one more hex digit could overflow a safe integer. */
const SIZE_GUARD = Math.floor((Number.MAX_SAFE_INTEGER - 15) / 16);

/** Where the decoder reports chunk-size lines and body slices (called as methods: `this` is kept). */
export type ChunkedDecoderHandlers = Pick<HttpParserHandlers, 'onChunkHeader' | 'onBody'>;

export type ChunkedDecoderError = (code: HttpParseErrorCode, message: string, offset: number, status: number) => void;

export interface ChunkedDecoderLimits {
  /** Total de-chunked bytes. Over it → BODY_TOO_LARGE (413) at the chunk-size line that crosses it. */
  maxBodyBytes: number;
  /** Extension bytes of one chunk-size line, from the first ';'. Over it → CHUNK_EXTENSION_TOO_LARGE (413). */
  maxChunkExtensionBytes: number;
}

export class ChunkedDecoder {
  private state = SIZE_FIRST;
  private size = 0;
  private remaining = 0;
  private total = 0;
  private lineStart = 0;
  private sizeEnd = 0;
  private extLen = 0;
  private ext = '';
  /** Absolute offset just after the last-chunk line, once done. */
  end = 0;

  constructor(
    private readonly handlers: ChunkedDecoderHandlers,
    private readonly onError: ChunkedDecoderError,
    private readonly limits: ChunkedDecoderLimits,
  ) {}

  /** Starts a new chunked body whose first chunk-size line begins at absolute offset `start`. */
  begin(start: number): void {
    this.state = SIZE_FIRST;
    this.total = 0;
    this.ext = '';
    this.lineStart = start;
  }

  /** The last-chunk line has been read: the trailer section comes next, at `end`. */
  get done(): boolean {
    return this.state === DONE;
  }

  get failed(): boolean {
    return this.state === FAILED;
  }

  /**
   * Consumes chunk[pos..] (chunk[0] is at absolute offset `base`) until the chunk is used up, the
   * last-chunk line is complete, or an error is reported. Returns the position reached.
   */
  decode(chunk: Buffer, pos: number, base: number): number {
    const len = chunk.length;
    let extSeg = inExtensions(this.state) ? pos : -1;
    while (pos < len) {
      const state = this.state;
      if (state === DATA) {
        const n = this.remaining < len - pos ? this.remaining : len - pos;
        const end = pos + n;
        this.remaining -= n;
        const h = this.handlers;
        if (h.onBody !== undefined) h.onBody(chunk.subarray(pos, end), { start: base + pos, end: base + end });
        pos = end;
        if (this.remaining === 0 && this.state === DATA) this.state = DATA_CR;
        continue;
      }
      const c = chunk[pos];
      switch (state) {
        case SIZE_FIRST: {
          const d = HEX_VALUE[c];
          if (d < 0) return this.fail(c, base + pos, 'INVALID_CHUNK_SIZE', 'invalid chunk size', len);
          this.size = d;
          this.sizeEnd = base + pos + 1;
          this.state = SIZE_DIGITS;
          break;
        }
        case SIZE_DIGITS: {
          const d = HEX_VALUE[c];
          if (d >= 0) {
            if (this.size > SIZE_GUARD) return this.fail(c, base + pos, 'INVALID_CHUNK_SIZE', 'chunk size overflows', len);
            this.size = this.size * 16 + d;
            this.sizeEnd = base + pos + 1;
          } else if (c === CR) {
            this.state = SIZE_LF;
          } else if (c === SEMICOLON) {
            this.state = EXT_NAME_START;
            this.extLen = 1;
            extSeg = pos;
          } else if (c === SP || c === HT) {
            this.state = SIZE_BWS;
          } else {
            return this.fail(c, base + pos, 'INVALID_CHUNK_SIZE', 'invalid chunk size', len);
          }
          break;
        }
        case SIZE_BWS:
          if (c === SEMICOLON) {
            this.state = EXT_NAME_START;
            this.extLen = 1;
            extSeg = pos;
          } else if (c !== SP && c !== HT) {
            return this.fail(c, base + pos, 'INVALID_CHUNK_SIZE', 'whitespace after a chunk size must precede a chunk extension', len);
          }
          break;
        case SIZE_LF:
          if (c !== LF) return this.error('BARE_CR', 'CR not followed by LF', base + pos - 1, 400, len);
          if (!this.header(base + pos + 1)) return len;
          if (this.state === DONE) return pos + 1;
          break;
        case DATA_CR:
          if (c === CR) this.state = DATA_LF;
          else if (c === LF) return this.error('BARE_LF', 'LF without CR', base + pos, 400, len);
          else return this.error('INVALID_CHUNK_DATA_END', 'chunk data must end with CRLF', base + pos, 400, len);
          break;
        case DATA_LF:
          if (c !== LF) return this.error('BARE_CR', 'CR not followed by LF', base + pos - 1, 400, len);
          this.state = SIZE_FIRST;
          this.lineStart = base + pos + 1;
          break;
        case DONE:
        case FAILED:
          return len; // nothing more to read here
        default: {
          // Chunk extensions. The CR that ends the line is only allowed where a name or a value is complete.
          if (c === CR && (state === EXT_NAME || state === EXT_TOKEN || state === EXT_AFTER_VALUE)) {
            this.ext += latin1(chunk, extSeg, pos);
            extSeg = -1;
            this.state = SIZE_LF;
            break;
          }
          const next = extensionStep(state, c);
          if (next < 0) return this.fail(c, base + pos, 'INVALID_CHUNK_EXTENSION', EXTENSION_ERRORS[state - EXT_NAME_START], len);
          if (++this.extLen > this.limits.maxChunkExtensionBytes) {
            return this.error('CHUNK_EXTENSION_TOO_LARGE', `chunk extensions exceed ${this.limits.maxChunkExtensionBytes} bytes`, base + pos, 413, len);
          }
          this.state = next;
        }
      }
      pos++;
    }
    if (extSeg >= 0) this.ext += latin1(chunk, extSeg, len);
    return len;
  }

  /** A complete chunk-size line ending just before absolute `end`. Returns false after an error. */
  private header(end: number): boolean {
    const size = this.size;
    const start = this.lineStart;
    if (this.total + size > this.limits.maxBodyBytes) {
      this.error('BODY_TOO_LARGE', `chunked body exceeds ${this.limits.maxBodyBytes} bytes`, start, 413, 0);
      return false;
    }
    this.total += size;
    const extensions = this.ext;
    this.ext = '';
    if (size === 0) {
      this.state = DONE;
      this.end = end;
    } else {
      this.state = DATA;
      this.remaining = size;
    }
    const h = this.handlers;
    if (h.onChunkHeader !== undefined) h.onChunkHeader({ size, extensions, span: { start, end }, sizeSpan: { start, end: this.sizeEnd } });
    return this.state !== FAILED;
  }

  /** Reports an unexpected byte (a LF there is a bare LF); returns `len` so that decode() stops. */
  private fail(c: number, offset: number, code: HttpParseErrorCode, message: string, len: number): number {
    if (c === LF) return this.error('BARE_LF', 'LF without CR', offset, 400, len);
    return this.error(code, message, offset, 400, len);
  }

  private error(code: HttpParseErrorCode, message: string, offset: number, status: number, len: number): number {
    this.state = FAILED;
    this.onError(code, message, offset, status);
    return len;
  }
}

/** What each extension state expected, for the error message (indexed from EXT_NAME_START). */
const EXTENSION_ERRORS = [
  'a chunk extension needs a name (a token) after ";"',
  'invalid byte after a chunk extension name',
  'whitespace after a chunk extension name must precede "=" or ";"',
  'a chunk extension value must be a token or a quoted string',
  'invalid byte in a chunk extension value',
  'invalid byte in a quoted chunk extension value',
  'invalid byte after a backslash in a quoted chunk extension value',
  'invalid byte after a chunk extension value',
  'whitespace after a chunk extension value must precede ";"',
];

/** The state after byte `c` in extension state `state` (the CR that ends the line excluded), or -1 when `c` is not allowed there. */
function extensionStep(state: number, c: number): number {
  const bws = c === SP || c === HT;
  switch (state) {
    case EXT_NAME_START:
      return bws ? EXT_NAME_START : TCHAR[c] === 1 ? EXT_NAME : -1;
    case EXT_NAME:
      return TCHAR[c] === 1 ? EXT_NAME : bws ? EXT_NAME_BWS : c === EQUALS ? EXT_VALUE_START : c === SEMICOLON ? EXT_NAME_START : -1;
    case EXT_NAME_BWS:
      return bws ? EXT_NAME_BWS : c === EQUALS ? EXT_VALUE_START : c === SEMICOLON ? EXT_NAME_START : -1;
    case EXT_VALUE_START:
      return bws ? EXT_VALUE_START : c === DQUOTE ? EXT_QUOTED : TCHAR[c] === 1 ? EXT_TOKEN : -1;
    case EXT_TOKEN:
      return TCHAR[c] === 1 ? EXT_TOKEN : bws ? EXT_BWS : c === SEMICOLON ? EXT_NAME_START : -1;
    case EXT_QUOTED:
      return c === DQUOTE ? EXT_AFTER_VALUE : c === BACKSLASH ? EXT_QUOTED_PAIR : QDTEXT[c] === 1 ? EXT_QUOTED : -1;
    case EXT_QUOTED_PAIR:
      // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
      return FIELD_VALUE[c] === 1 ? EXT_QUOTED : -1;
    case EXT_AFTER_VALUE:
    case EXT_BWS:
      return bws ? EXT_BWS : c === SEMICOLON ? EXT_NAME_START : -1;
    default:
      return -1;
  }
}
