// The event-stream parser: `text/event-stream` bytes in through push(), typed
// records out through handlers, never a socket. It follows the WHATWG HTML
// rules for parsing and interpreting an event stream (§9.2.5–9.2.6):
//
//   - UTF-8, decoded with replacement characters; one leading U+FEFF BOM is
//     skipped (only at the very start of the stream);
//   - lines end with CRLF, LF or CR (a CR at the end of one push and an LF at
//     the start of the next are one line end);
//   - an empty line dispatches the event; a line starting with ':' is a
//     comment; otherwise the field name is what precedes the first ':' (or the
//     whole line) and the value what follows it, minus one leading space;
//   - `event` sets the type buffer, `data` appends value + LF to the data
//     buffer, `id` sets the last event ID buffer unless the value contains
//     NUL, `retry` sets the reconnection time when the value is all ASCII
//     digits; other names are ignored;
//   - dispatch sets the last event ID string from its buffer (which is never
//     reset, so it carries over to later events), then fires nothing when the
//     data buffer is empty, else an event whose data is the buffer without its
//     last LF and whose type is the type buffer or 'message';
//   - at the end of the stream, a block that has not been dispatched is
//     discarded.
//
// Records are delivered the moment their line ends, never later: an event at
// the first byte of its empty line's end-of-line. Each line records its byte
// range, so that the dissector can show events over the body bytes.
//
// One consequence of "never later": when a push ends with a CR, the parser
// cannot know yet whether an LF follows. It delivers what the CR completed with
// the CR as its line end, and if the next byte is an LF, it widens that line's
// range (and its block's, when the block was delivered already) by that byte,
// in place, and tells onLineEndExtended. Final ranges never depend on how the
// input was split.
//
// UTF-8 is decoded line by line, which gives the same text as decoding the
// whole stream: CR, LF, ':' and SP are ASCII bytes, which never occur inside a
// multi-byte sequence and which end an incomplete one with exactly one U+FFFD
// either way.
import {
  SseParseError,
  type EventStreamHandlers,
  type EventStreamParserOptions,
  type SseBlock,
  type SseBlankLine,
  type SseCommentLine,
  type SseEvent,
  type SseFieldEffect,
  type SseFieldLine,
  type SseLine,
} from './types.js';

export type { EventStreamHandlers, EventStreamParserOptions } from './types.js';

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const ALL_DIGITS = /^[0-9]+$/;

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class EventStreamParser {
  private readonly maxLineBytes: number;
  private readonly maxEventBytes: number;

  /** Absolute offset of the next byte to be pushed. */
  private pos: number;
  /** Absolute offset where the line in progress starts. */
  private lineStart: number;
  /** Bytes of the line in progress that arrived in earlier pushes (copies). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The last line ended with a CR at the end of a push: an LF first in the next push belongs to it. */
  private crLine: SseLine | null = null;
  private crBlock: SseBlock | undefined = undefined;
  /** The block most recently delivered (the one a CR-ended empty line belongs to). */
  private lastBlock: SseBlock | undefined = undefined;
  /** The first line has not ended yet: it may start with a BOM. */
  private firstLine = true;

  // The block in progress.
  private blockStart = -1;
  private lines: SseLine[] = [];
  private dataLines: string[] = [];
  private dataBytes = 0;
  private eventType = '';
  private idBuffer: string;

  private lastId: string;
  private retryMs: number | undefined = undefined;
  private dispatched = 0;
  private failed = false;
  private finished = false;

  constructor(
    private readonly handlers: EventStreamHandlers = {},
    options: EventStreamParserOptions = {},
  ) {
    this.pos = options.offset ?? 0;
    this.lineStart = this.pos;
    this.lastId = options.lastEventId ?? '';
    this.idBuffer = this.lastId;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** The last event ID string: what a reconnect sends as Last-Event-ID (when not empty). */
  get lastEventId(): string {
    return this.lastId;
  }

  /** The reconnection time from the last valid `retry` field, or undefined when none came. */
  get reconnectionTime(): number | undefined {
    return this.retryMs;
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.pos;
  }

  /** Events dispatched so far. */
  get eventCount(): number {
    return this.dispatched;
  }

  /** A limit was crossed; further input is ignored. */
  get hasFailed(): boolean {
    return this.failed;
  }

  push(input: Uint8Array): void {
    if (this.finished) throw new Error('EventStreamParser.push() after finish()');
    if (this.failed || input.length === 0) return;
    const chunk = asBuffer(input);
    const len = chunk.length;
    let i = 0;
    if (this.crLine !== null) {
      const line = this.crLine;
      const block = this.crBlock;
      this.crLine = null;
      this.crBlock = undefined;
      if (chunk[0] === LF) {
        line.range.end++;
        if (block !== undefined) block.range.end++;
        i = 1;
        this.pos++;
        this.lineStart = this.pos;
        this.handlers.onLineEndExtended?.(line, block);
      }
    }
    let segStart = i;
    while (i < len) {
      let j = i;
      while (j < len) {
        const b = chunk[j];
        if (b === LF || b === CR) break;
        j++;
      }
      const lineBytes = this.pendingBytes + (j - segStart);
      if (lineBytes > this.maxLineBytes) {
        this.fail('SSE_LINE_TOO_LONG', `a line is longer than ${this.maxLineBytes} bytes`, this.lineStart);
        return;
      }
      if (j === len) {
        // The line goes on in the next push.
        if (j > segStart) {
          this.pending.push(Buffer.from(chunk.subarray(segStart, j)));
          this.pendingBytes += j - segStart;
        }
        this.pos += len - i;
        return;
      }
      // The line's content is buf[from, to): in the pushed chunk itself when it all arrived in it.
      let buf = chunk;
      let from = segStart;
      let to = j;
      if (this.pendingBytes > 0) {
        this.pending.push(chunk.subarray(segStart, j));
        buf = Buffer.concat(this.pending, lineBytes);
        from = 0;
        to = lineBytes;
        this.pending = [];
        this.pendingBytes = 0;
      }
      let eol = 1;
      let crOpen = false;
      if (chunk[j] === CR) {
        if (j + 1 < len) {
          if (chunk[j + 1] === LF) eol = 2;
        } else crOpen = true;
      }
      const start = this.lineStart;
      const contentEnd = start + lineBytes;
      const end = contentEnd + eol;
      this.pos = end;
      this.lineStart = end;
      i = j + eol;
      segStart = i;
      const line = this.line(buf, from, to, start, contentEnd, end);
      // A limit was crossed, or a handler called finish() to stop reading: the rest is not parsed.
      if (this.failed || this.finished) return;
      if (crOpen) {
        this.crLine = line;
        this.crBlock = line.kind === 'blank' ? this.lastBlock : undefined;
      }
    }
  }

  /**
   * The stream ended. A block without its empty line is discarded (reported through onDiscard with
   * the bytes of an unfinished line as a 'partial' line). push() may not be called afterwards. A
   * handler may call it to stop reading (a client that has seen enough events): the rest of the
   * push is then ignored.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.crLine = null;
    this.crBlock = undefined;
    if (this.failed) return;
    let start = this.lineStart;
    if (this.pendingBytes > 0) {
      let bytes = Buffer.concat(this.pending, this.pendingBytes);
      if (this.firstLine && this.stripBom(bytes, start)) {
        bytes = bytes.subarray(3);
        start += 3;
      }
      if (bytes.length > 0) {
        if (this.blockStart < 0) this.blockStart = start;
        this.lines.push({ kind: 'partial', range: { start, end: this.pos }, contentEnd: this.pos });
      }
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (this.blockStart >= 0) {
      const block: SseBlock = { range: { start: this.blockStart, end: this.pos }, lines: this.lines, lastEventId: this.lastId };
      this.resetBlock();
      this.handlers.onDiscard?.(block, 'end-of-stream');
    }
  }

  /**
   * Processes one line whose content (end-of-line excluded) is buf[from, to) and starts at absolute
   * offset `start`. Returns the line record.
   */
  private line(buf: Buffer, from: number, to: number, start: number, contentEnd: number, end: number): SseLine {
    if (this.firstLine) {
      this.firstLine = false;
      if (this.stripBom(buf.subarray(from, to), start)) {
        from += 3;
        start += 3;
      }
    }
    const length = to - from;
    if (this.blockStart < 0) this.blockStart = start;
    const range = { start, end };
    if (length === 0) {
      const blank: SseBlankLine = { kind: 'blank', range, contentEnd };
      this.lines.push(blank);
      this.dispatch(end);
      return blank;
    }
    if (buf[from] === COLON) {
      const comment: SseCommentLine = {
        kind: 'comment',
        text: buf.toString('utf8', from + 1, to),
        textRange: { start: start + 1, end: contentEnd },
        range,
        contentEnd,
      };
      this.lines.push(comment);
      this.handlers.onComment?.(comment);
      return comment;
    }
    // Positions below are relative to the line's first byte.
    let colon = -1;
    for (let k = from; k < to; k++) {
      if (buf[k] === COLON) {
        colon = k - from;
        break;
      }
    }
    let name: string;
    let value: string;
    let valueFrom: number;
    if (colon < 0) {
      name = buf.toString('utf8', from, to);
      value = '';
      valueFrom = length;
    } else {
      name = buf.toString('utf8', from, from + colon);
      valueFrom = colon + 1;
      if (valueFrom < length && buf[from + valueFrom] === SPACE) valueFrom++;
      value = valueFrom < length ? buf.toString('utf8', from + valueFrom, to) : '';
    }
    const field: SseFieldLine = {
      kind: 'field',
      name,
      value,
      effect: 'unknown',
      nameRange: { start, end: start + (colon < 0 ? length : colon) },
      valueRange: { start: start + valueFrom, end: contentEnd },
      colon: colon >= 0,
      range,
      contentEnd,
    };
    this.lines.push(field);
    field.effect = this.apply(field, length - valueFrom, start);
    if (field.effect === 'retry') this.handlers.onRetry?.(field.retry!, field);
    return field;
  }

  /** The "process the field" steps. */
  private apply(field: SseFieldLine, valueBytes: number, lineStart: number): SseFieldEffect {
    const value = field.value;
    switch (field.name) {
      case 'event':
        this.eventType = value;
        return 'event';
      case 'data':
        this.dataBytes += valueBytes + 1;
        if (this.dataBytes > this.maxEventBytes) {
          this.fail('SSE_EVENT_TOO_LARGE', `an event's data is larger than ${this.maxEventBytes} bytes`, lineStart);
          return 'data';
        }
        this.dataLines.push(value);
        return 'data';
      case 'id':
        if (value.includes('\0')) return 'id-ignored-nul';
        this.idBuffer = value;
        return 'id';
      case 'retry': {
        // One or more ASCII digits. An empty value has no integer to set (Chromium and WebKit ignore
        // it too), and a number past 2^53 − 1 cannot be kept exactly: ignored, as Chromium ignores
        // values that overflow its 64-bit integer.
        if (!ALL_DIGITS.test(value)) return 'retry-ignored';
        const ms = Number(value);
        if (!Number.isSafeInteger(ms)) return 'retry-ignored';
        this.retryMs = ms;
        field.retry = ms;
        return 'retry';
      }
      default:
        return 'unknown';
    }
  }

  /** The "dispatch the event" steps, at the empty line that ends at `end`. */
  private dispatch(end: number): void {
    this.lastId = this.idBuffer;
    const range = { start: this.blockStart, end };
    const lines = this.lines;
    const dataLines = this.dataLines;
    const type = this.eventType;
    this.resetBlock();
    if (dataLines.length === 0) {
      const block: SseBlock = { range, lines, lastEventId: this.lastId };
      this.lastBlock = block;
      this.handlers.onDiscard?.(block, 'no-data');
      return;
    }
    const event: SseEvent = {
      index: this.dispatched++,
      type: type === '' ? 'message' : type,
      data: dataLines.length === 1 ? dataLines[0] : dataLines.join('\n'),
      lastEventId: this.lastId,
      range,
      lines,
    };
    this.lastBlock = event;
    this.handlers.onEvent?.(event);
  }

  private resetBlock(): void {
    this.blockStart = -1;
    this.lines = [];
    this.dataLines = [];
    this.dataBytes = 0;
    this.eventType = '';
  }

  /** A BOM at the start of the stream: reported and skipped. */
  private stripBom(bytes: Buffer, start: number): boolean {
    if (bytes.length < 3 || bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) return false;
    this.handlers.onBom?.({ start, end: start + 3 });
    return true;
  }

  private fail(code: SseParseError['code'], message: string, offset: number): void {
    this.failed = true;
    this.pending = [];
    this.pendingBytes = 0;
    const err = new SseParseError(code, message, offset);
    if (this.handlers.onError) this.handlers.onError(err);
    else throw err;
  }
}

