// The WebSocket frame parser (RFC 6455 §5): bytes in through push(), frames out
// through handlers, never a socket. It records the absolute offset of every
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
import { maskInPlace } from './mask.js';
import { isValidCloseCode } from './close-codes.js';
import { Utf8Validator, isValidUtf8 } from './utf8.js';
import { WebSocketError, type FrameHeader, type WebSocketErrorCode, type WebSocketFrame } from './types.js';

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
   * payload lying in one chunk is unmasked in place instead of copied.
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

export class FrameParser {
  private readonly enforce: boolean;
  private readonly expectMasked: boolean;
  private readonly maxPayload: number;
  private readonly maxFragments: number;
  private readonly ownsInput: boolean;
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
  /** Opcode of the fragmented message in progress, 0 when none. */
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageBytes = 0;
  private messageFrames = 0;
  private readonly utf8 = new Utf8Validator();

  constructor(
    private readonly handlers: FrameParserHandlers,
    options: FrameParserOptions,
  ) {
    this.enforce = options.enforce ?? true;
    this.expectMasked = options.role === 'server';
    this.perMessageDeflate = options.perMessageDeflate ?? false;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
    this.ownsInput = options.ownsInput ?? false;
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

  push(chunk: Buffer): void {
    if (this.state === State.Dead || chunk.length === 0) return;
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

  private byteAt(i: number): number {
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
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const rsv2 = (b0 & 0x20) !== 0;
    const rsv3 = (b0 & 0x10) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const control = opcode >= 8;

    // Checks on the first two bytes, so a broken frame fails before its payload arrives.
    {
      if (rsv2 || rsv3) {
        if (this.fail('WS_UNEXPECTED_RSV', 'RSV2 and RSV3 must be clear', 1002, start)) return false;
      }
      if (rsv1 && (!this.perMessageDeflate || control || opcode === 0)) {
        if (this.fail('WS_UNEXPECTED_RSV', this.perMessageDeflate ? 'RSV1 is only allowed on the first frame of a data message' : 'RSV1 must be clear without a negotiated extension', 1002, start)) return false;
      }
      if ((opcode > 2 && opcode < 8) || opcode > 10) {
        if (this.fail('WS_RESERVED_OPCODE', `reserved opcode ${opcode}`, 1002, start)) return false;
      }
      if (control) {
        if (!fin && this.fail('WS_FRAGMENTED_CONTROL_FRAME', 'control frames must not be fragmented', 1002, start)) return false;
        if (len7 > 125 && this.fail('WS_CONTROL_FRAME_TOO_LONG', 'control frame payload over 125 bytes', 1002, start + 1)) return false;
      } else if (opcode === 0) {
        if (this.messageOpcode === 0 && this.fail('WS_UNEXPECTED_CONTINUATION', 'continuation frame without a message to continue', 1002, start)) return false;
      } else if (opcode <= 2 && this.messageOpcode !== 0) {
        if (this.fail('WS_EXPECTED_CONTINUATION', 'new data frame inside a fragmented message', 1002, start)) return false;
      }
      if (this.enforce && masked !== this.expectMasked) {
        if (this.expectMasked) {
          if (this.fail('WS_UNMASKED_FRAME', 'client frames must be masked', 1002, start + 1)) return false;
        } else if (this.fail('WS_MASKED_FRAME', 'server frames must not be masked', 1002, start + 1)) return false;
      }
    }

    const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const headerSize = 2 + extLen + (masked ? 4 : 0);
    if (this.enforce && len7 < 126 && !control && this.checkSize(len7, start + 1)) return false;
    if (this.buffered < headerSize) return false;

    let payloadLength = len7;
    if (extLen === 2) payloadLength = (this.byteAt(2) << 8) | this.byteAt(3);
    else if (extLen === 8) {
      const hi = this.byteAt(2) * 0x1000000 + ((this.byteAt(3) << 16) | (this.byteAt(4) << 8) | this.byteAt(5));
      const lo = this.byteAt(6) * 0x1000000 + ((this.byteAt(7) << 16) | (this.byteAt(8) << 8) | this.byteAt(9));
      if (hi >= 0x80000000) {
        this.fail('WS_INVALID_LENGTH', 'the most significant bit of a 64-bit length must be 0', 1002, start + 2, true);
        return false;
      }
      if (hi >= 0x200000) {
        this.fail('WS_MESSAGE_TOO_BIG', 'payload length over 2^53 - 1', 1009, start + 2, true);
        return false;
      }
      payloadLength = hi * 0x100000000 + lo;
    }
    if (this.enforce && extLen > 0 && !control && this.checkSize(payloadLength, start + 2)) return false;

    let maskKey: Buffer | null = null;
    const maskStart = start + 2 + extLen;
    if (masked) {
      maskKey = Buffer.allocUnsafe(4);
      for (let i = 0; i < 4; i++) maskKey[i] = this.byteAt(2 + extLen + i);
    }
    const payloadStart = start + headerSize;
    const header: FrameHeader = {
      fin,
      rsv1,
      rsv2,
      rsv3,
      opcode,
      masked,
      maskKey,
      payloadLength,
      lengthBits: extLen === 0 ? 7 : extLen === 2 ? 16 : 64,
      span: { start, end: payloadStart + payloadLength },
      byte0Span: { start, end: start + 1 },
      byte1Span: { start: start + 1, end: start + 2 },
      extendedLengthSpan: extLen ? { start: start + 2, end: start + 2 + extLen } : null,
      maskKeySpan: masked ? { start: maskStart, end: maskStart + 4 } : null,
      payloadSpan: { start: payloadStart, end: payloadStart + payloadLength },
    };
    this.skip(headerSize);

    // Message bookkeeping.
    if (!control) {
      if (opcode !== 0) {
        this.messageCompressed = rsv1;
        this.messageBytes = 0;
        this.messageFrames = 0;
        this.utf8.reset();
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
    const view = this.buffered >= payloadLength && (!masked || (this.ownsInput && this.chunks[0].length - this.pos >= payloadLength));
    if (view) {
      // payload and pieces stay null
    } else if (payloadLength <= PREALLOCATE) this.payload = Buffer.allocUnsafe(payloadLength);
    else this.pieces = [];
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
      } else data = this.copyOut(len);
      if (h.maskKey && len > 0) maskInPlace(data, 0, len, h.maskKey, 0);
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
        c.copy(this.payload, at, this.pos, this.pos + take);
        target = this.payload;
        targetStart = at;
      } else {
        target = Buffer.allocUnsafe(take);
        c.copy(target, 0, this.pos, this.pos + take);
        this.pieces!.push(target);
        targetStart = 0;
      }
      // Copy, then XOR in place: faster in V8 than one load-XOR-store pass over two arrays.
      if (h.maskKey) maskInPlace(target, targetStart, targetStart + take, h.maskKey, at);
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
    const bad = this.utf8.push(buf, start, end);
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
    if (this.checkUtf8 && h.fin && !this.utf8.complete) {
      if (this.fail('WS_INVALID_UTF8', 'text message ends inside a UTF-8 sequence', 1007, h.span.end)) return false;
    }
    if (h.opcode === 8) {
      if (data.length === 1) {
        if (this.fail('WS_INVALID_CLOSE_PAYLOAD', 'a close payload of 1 byte', 1002, h.payloadSpan.start)) return false;
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
