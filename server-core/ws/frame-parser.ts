// The WebSocket frame parser (RFC 6455 §5): bytes in through push(), frames out
// through handlers, never a socket. Headers are decoded and checked by
// ws/frame-header.ts (shared with the capture's dissector). It records the absolute offset of every
// header field, the masking key and the payload (for the hex inspector), and
// enforces the protocol rules that can be checked on frames alone:
// masking, RSV bits, opcodes, control frames, fragmentation order, UTF-8 of
// uncompressed text (incrementally, failing on the first bad byte even in the
// middle of a frame), close payloads and size limits.
//
// In strict mode (the default) the first violation is reported through
// onError and the parser ignores all further input. With `enforce: false` (a
// dissector reading a capture) masking and limits are not checked and the
// other violations are reported through onViolation while parsing continues.
import { allocCoAligned, maskCopy, maskInPlace } from './mask.js';
import { isValidCloseCode } from './close-codes.js';
import { Utf8Validator, isValidUtf8 } from './utf8.js';
import { WebSocketError, type FrameHeader, type WebSocketErrorCode, type WebSocketFrame } from './types.js';
import { checkFrameHeader, decodeFrameHeader, frameHeaderLength, isViolation, type FrameRuleState, type FrameViolation, type HeaderBytes } from './frame-header.js';

export interface FrameParserHandlers {
  /** A header was read; the payload follows. */
  onFrameHeader?(header: FrameHeader): void;
  /** A whole frame. The payload may be a view into a pushed chunk when the frame was not masked. */
  onFrame(frame: WebSocketFrame): void;
  /** Strict mode: the stream is broken; nothing more is parsed. */
  onError(error: WebSocketError): void;
  /** Lenient mode only: a rule was broken; parsing goes on. */
  onViolation?(error: WebSocketError): void;
}

export interface FrameParserOptions {
  /** 'server' expects masked frames (from a client); 'client' expects unmasked ones. */
  role: 'server' | 'client';
  /** Check masking and limits, stop at the first error. Default true. */
  enforce?: boolean;
  /** permessage-deflate was negotiated: RSV1 may mark the first frame of a data message. */
  perMessageDeflate?: boolean;
  /** Largest frame payload and largest message (sum of its frames). Default 64 MiB. */
  maxPayload?: number;
  /** Largest number of frames in one message. Default 100 000. */
  maxFragments?: number;
  /**
   * The pushed chunks belong to the parser (fresh socket reads): a masked
   * payload lying in one chunk is unmasked in place instead of copied, except
   * in a chunk pushed as `shared` (someone else keeps it: the byte capture).
   * Default false, so a capture being dissected is never modified.
   */
  ownsInput?: boolean;
}

const enum State {
  Header,
  Payload,
  Dead,
}

/** Frames up to this size get one buffer up front; bigger ones are collected piece by piece as bytes arrive. */
const PREALLOCATE = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;
export const DEFAULT_MAX_FRAGMENTS = 100_000;

export class FrameParser implements FrameRuleState, HeaderBytes {
  private readonly enforce: boolean;
  /** FrameRuleState: masking is checked only when the rules are enforced. */
  readonly expectMasked: boolean | undefined;
  private readonly maxPayload: number;
  private readonly maxFragments: number;
  private readonly ownsInput: boolean;
  /** Chunks pushed as shared (never modified in place); null until the first one. */
  private shared: WeakSet<Buffer> | null = null;
  /** RSV1 allowed (permessage-deflate); settable after the handshake. */
  perMessageDeflate: boolean;

  private chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private pos = 0;
  private buffered = 0;
  /** Absolute offset of the next unread byte. */
  private offset = 0;
  private state = State.Header;

  // The frame being read.
  private header: FrameHeader | null = null;
  private payload: Buffer | null = null;
  private pieces: Buffer[] | null = null;
  private received = 0;
  private checkUtf8 = false;

  // The message being read (across fragments).
  /** FrameRuleState: opcode of the fragmented message in progress, 0 when none. */
  messageOpcode = 0;
  private messageCompressed = false;
  private messageBytes = 0;
  private messageFrames = 0;
  /** Made at the first text bytes: an idle connection does without. */
  private utf8: Utf8Validator | null = null;

  constructor(
    private readonly handlers: FrameParserHandlers,
    options: FrameParserOptions,
  ) {
    this.enforce = options.enforce ?? true;
    this.expectMasked = this.enforce ? options.role === 'server' : undefined;
    this.perMessageDeflate = options.perMessageDeflate ?? false;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    this.ownsInput = options.ownsInput ?? false;
  }

  /** @internal Reports a rule broken by a header (ws/frame-header.ts); true when parsing must stop. */
  reportViolation(v: FrameViolation): boolean {
    return this.fail(v.code, v.message, v.closeCode, v.offset);
  }

  /** Absolute offset of the next byte push() will receive. */
  get bytesReceived(): number {
    return this.offset + this.buffered;
  }

  /** True after an error in strict mode. */
  get failed(): boolean {
    return this.state === State.Dead;
  }

  /** True between frames and messages: no partial frame or fragmented message is pending. */
  get idle(): boolean {
    return this.state === State.Header && this.buffered === 0 && this.messageOpcode === 0;
  }

  /** `shared`: someone else keeps this chunk (with ownsInput: it is copied from, never unmasked in place). */
  push(chunk: Buffer, shared = false): void {
    if (this.state === State.Dead || chunk.length === 0) return;
    if (shared && this.ownsInput) (this.shared ??= new WeakSet()).add(chunk);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.isDead()) {
      if (this.state === State.Header) {
        if (!this.readHeader()) return;
      } else if (!this.readPayload()) return;
    }
  }

  /** Stops parsing (the owner closed the connection); later pushes are ignored. */
  stop(): void {
    this.state = State.Dead;
    this.chunks = [];
    this.buffered = 0;
    this.payload = null;
    this.pieces = null;
  }

  /** HeaderBytes: the i-th byte not yet consumed. */
  byteAt(i: number): number {
    let idx = 0;
    let p = this.pos + i;
    while (p >= this.chunks[idx].length) {
      p -= this.chunks[idx].length;
      idx++;
    }
    return this.chunks[idx][p];
  }

  private skip(n: number): void {
    this.buffered -= n;
    this.offset += n;
    while (n > 0) {
      const c = this.chunks[0];
      const left = c.length - this.pos;
      if (n < left) {
        this.pos += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.pos = 0;
    }
  }

  /** Reports a violation. Returns true when parsing must stop. */
  private fail(code: WebSocketErrorCode, message: string, closeCode: number, offset: number, always = false): boolean {
    const err = new WebSocketError(code, message, closeCode, offset);
    if (this.enforce || always) {
      this.state = State.Dead;
      this.chunks = [];
      this.buffered = 0;
      this.payload = null;
      this.pieces = null;
      this.handlers.onError(err);
      return true;
    }
    this.handlers.onViolation?.(err);
    return false;
  }

  private readHeader(): boolean {
    if (this.buffered < 2) return false;
    const start = this.offset;
    const b0 = this.byteAt(0);
    const b1 = this.byteAt(1);
    const opcode = b0 & 0x0f;
    const len7 = b1 & 0x7f;
    const control = opcode >= 8;

    // Checks on the first two bytes, so a broken frame fails before its payload arrives.
    if (checkFrameHeader(b0, b1, start, this, this)) return false;

    const headerSize = frameHeaderLength(b1);
    if (this.enforce && len7 < 126 && !control && this.checkSize(len7, start + 1)) return false;
    if (this.buffered < headerSize) return false;

    const decoded = decodeFrameHeader(this, start);
    if (isViolation(decoded)) {
      // The length cannot be decoded: the stream cannot be followed, whatever the mode.
      this.fail(decoded.code, decoded.message, decoded.closeCode, decoded.offset, true);
      return false;
    }
    const header = decoded;
    const { fin, rsv1, masked, payloadLength } = header;
    if (this.enforce && len7 >= 126 && !control && this.checkSize(payloadLength, start + 2)) return false;
    this.skip(headerSize);

    // Message bookkeeping.
    if (!control) {
      if (opcode !== 0) {
        this.messageCompressed = rsv1;
        this.messageBytes = 0;
        this.messageFrames = 0;
        this.utf8?.reset();
      }
      this.messageBytes += payloadLength;
      this.messageFrames++;
      if (this.enforce && this.messageFrames > this.maxFragments) {
        if (this.fail('WS_TOO_MANY_FRAGMENTS', `more than ${this.maxFragments} fragments in one message`, 1009, start)) return false;
      }
      // A text message is checked as it arrives unless compressed (checked after inflation).
      const textMessage = opcode === 1 || (opcode === 0 && this.messageOpcode === 1);
      this.checkUtf8 = textMessage && !this.messageCompressed;
      if (opcode !== 0) this.messageOpcode = fin ? 0 : opcode;
      else if (fin) this.messageOpcode = 0;
    } else {
      this.checkUtf8 = false;
    }

    this.header = header;
    this.received = 0;
    this.payload = null;
    this.pieces = null;
    this.handlers.onFrameHeader?.(header);
    if (this.isDead()) return false;
    this.state = State.Payload;
    // Whole and readable without a copy (unmasked, or masked in a chunk we may modify): the fast path.
    const view =
      this.buffered >= payloadLength &&
      (!masked || payloadLength === 0 || (this.ownsInput && this.chunks[0].length - this.pos >= payloadLength && !this.shared?.has(this.chunks[0])));
    if (view) {
      // payload and pieces stay null
    } else if (payloadLength <= PREALLOCATE) {
      // A masked payload is unmasked as it is copied: in one pass when the buffer is co-aligned with the bytes (ws/mask.ts).
      this.payload = masked && this.buffered > 0 ? allocCoAligned(payloadLength, this.chunks[0], this.pos) : Buffer.allocUnsafe(payloadLength);
    } else this.pieces = [];
    return true;
  }

  /** Frame and message size against maxPayload. Returns true when parsing must stop. */
  private checkSize(frameLength: number, at: number): boolean {
    if (frameLength > this.maxPayload) return this.fail('WS_MESSAGE_TOO_BIG', `frame payload of ${frameLength} bytes is over the limit of ${this.maxPayload}`, 1009, at);
    const pending = this.messageOpcode !== 0 ? this.messageBytes : 0;
    if (pending + frameLength > this.maxPayload) return this.fail('WS_MESSAGE_TOO_BIG', `message over the limit of ${this.maxPayload} bytes`, 1009, at);
    return false;
  }

  private readPayload(): boolean {
    const h = this.header!;
    const len = h.payloadLength;
    // Fast path: an unmasked frame already buffered whole; a view when it lies in one chunk.
    if (this.payload === null && this.pieces === null) {
      const c = this.chunks[0];
      let data: Buffer;
      if (len === 0) data = EMPTY;
      else if (c.length - this.pos >= len) {
        data = c.subarray(this.pos, this.pos + len);
        this.skip(len);
        if (h.maskKey) maskInPlace(data, 0, len, h.maskKey, 0);
      } else data = this.copyOut(len); // unmasked (a masked frame takes this path only inside one chunk)
      if (this.checkUtf8 && len > 0 && this.validateText(data, 0, len, h.payloadSpan.start)) return false;
      return this.finishPayload(data, h);
    }
    while (this.received < len && this.buffered > 0) {
      const c = this.chunks[0];
      const take = Math.min(c.length - this.pos, len - this.received);
      const at = this.received;
      let target: Buffer;
      let targetStart: number;
      if (this.payload) {
        target = this.payload;
        targetStart = at;
      } else {
        target = h.maskKey ? allocCoAligned(take, c, this.pos) : Buffer.allocUnsafe(take);
        this.pieces!.push(target);
        targetStart = 0;
      }
      if (h.maskKey) maskCopy(c, this.pos, this.pos + take, target, targetStart, h.maskKey, at);
      else c.copy(target, targetStart, this.pos, this.pos + take);
      this.skip(take);
      this.received += take;
      if (this.checkUtf8 && this.validateText(target, targetStart, targetStart + take, h.payloadSpan.start + at)) return false;
    }
    if (this.received < len) return false;
    let data: Buffer;
    if (this.payload) data = this.payload;
    else data = this.pieces!.length === 1 ? this.pieces![0] : Buffer.concat(this.pieces!, len);
    return this.finishPayload(data, h);
  }

  /** Consumes len buffered bytes into a new buffer. */
  private copyOut(len: number): Buffer {
    const dst = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const c = this.chunks[0];
      const take = Math.min(c.length - this.pos, len - done);
      c.copy(dst, done, this.pos, this.pos + take);
      this.skip(take);
      done += take;
    }
    return dst;
  }

  /** Validates text bytes; returns true when parsing must stop. */
  private validateText(buf: Buffer, start: number, end: number, absStart: number): boolean {
    const bad = (this.utf8 ??= new Utf8Validator()).push(buf, start, end);
    if (bad === -1) return false;
    const stop = this.fail('WS_INVALID_UTF8', 'invalid UTF-8 in a text message', 1007, absStart + (bad - start));
    if (!stop) this.checkUtf8 = false; // lenient: report once per message
    return stop;
  }

  private finishPayload(data: Buffer, h: FrameHeader): boolean {
    this.payload = null;
    this.pieces = null;
    this.state = State.Header;
    this.header = null;
    if (this.checkUtf8 && h.fin && this.utf8 !== null && !this.utf8.complete) {
      if (this.fail('WS_INVALID_UTF8', 'text message ends inside a UTF-8 sequence', 1007, h.span.end)) return false;
    }
    if (h.opcode === 8) {
      if (data.length === 1) {
        if (this.fail('WS_INVALID_CLOSE_PAYLOAD', 'A close payload cannot be 1 byte long', 1002, h.payloadSpan.start)) return false;
      } else if (data.length >= 2) {
        const code = data.readUInt16BE(0);
        if (!isValidCloseCode(code)) {
          if (this.fail('WS_INVALID_CLOSE_CODE', `invalid close code ${code}`, 1002, h.payloadSpan.start)) return false;
        }
        const reason = data.subarray(2);
        const bad = isValidUtf8(reason) ? -2 : new Utf8Validator().push(reason);
        if (bad !== -2) {
          if (this.fail('WS_INVALID_UTF8', 'invalid UTF-8 in the close reason', 1007, h.payloadSpan.start + 2 + (bad === -1 ? reason.length : bad))) return false;
        }
      }
    }
    const frame = h as WebSocketFrame;
    frame.payload = data;
    this.handlers.onFrame(frame);
    return !this.isDead();
  }

  private isDead(): boolean {
    return this.state === State.Dead;
  }
}
