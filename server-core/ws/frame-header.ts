// The one WebSocket frame-header decoder (RFC 6455 §5.2) and the rules a
// header can break, shared by the frame parser (ws/frame-parser.ts, which
// enforces them) and the capture's dissector (capture/ws-dissector.ts, which
// marks them on the fields and goes on). Error codes are WebSocketErrorCode
// (ws/types.ts): one set for both.
//
//   frameHeaderLength(b1)            bytes of the header that starts with b0 b1 (2–14)
//   decodeFrameHeader(src, start)    the header with the offsets of every field,
//                                    or the violation when its length cannot be decoded
//   checkFrameHeader(b0, b1, start, state, report)
//                                    each rule the first two bytes break, in a fixed
//                                    order, to `report` (which says whether to stop)
import type { FrameHeader, WebSocketErrorCode } from './types.js';

/** The header field a violation is about (the dissector marks it; names as the inspector shows them). */
export type FrameField = 'FIN' | 'RSV1' | 'RSV2' | 'RSV3' | 'Opcode' | 'MASK' | 'Payload length' | 'Extended payload length';

export interface FrameViolation {
  code: WebSocketErrorCode;
  message: string;
  /** The close code a connection answers with. */
  closeCode: number;
  field: FrameField;
  /** Absolute offset of the offending byte. */
  offset: number;
}

/** Where header bytes come from: byteAt(i) is the i-th byte of the header. */
export interface HeaderBytes {
  byteAt(i: number): number;
}

/** What the rules depend on besides the header. */
export interface FrameRuleState {
  /** permessage-deflate was negotiated: RSV1 may mark the first frame of a data message. */
  readonly perMessageDeflate: boolean;
  /** Opcode of the fragmented data message in progress, 0 when none. */
  readonly messageOpcode: number;
  /** true: frames must be masked (they come from a client); false: must not; undefined: not checked. */
  readonly expectMasked: boolean | undefined;
}

const OPCODES = [true, true, true, false, false, false, false, false, true, true, true, false, false, false, false, false];

/** Whether an opcode is defined by RFC 6455 (0–2 data, 8–10 control). */
export function isKnownOpcode(opcode: number): boolean {
  return OPCODES[opcode] === true;
}

/** Bytes of the header whose second byte is b1: 2, plus the extended length, plus the masking key. */
export function frameHeaderLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

/**
 * Decodes a whole header (frameHeaderLength bytes available in `src`) that
 * starts at absolute offset `start`. A 64-bit length with its top bit set is
 * not a length (WS_INVALID_LENGTH); one over 2^53 - 1 cannot be counted
 * exactly (WS_MESSAGE_TOO_BIG): either way the stream cannot be followed.
 */
export function decodeFrameHeader(src: HeaderBytes, start: number): FrameHeader | FrameViolation {
  const b0 = src.byteAt(0);
  const b1 = src.byteAt(1);
  const masked = (b1 & 0x80) !== 0;
  const len7 = b1 & 0x7f;
  const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
  let payloadLength = len7;
  if (extLen === 2) payloadLength = (src.byteAt(2) << 8) | src.byteAt(3);
  else if (extLen === 8) {
    const hi = src.byteAt(2) * 0x1000000 + ((src.byteAt(3) << 16) | (src.byteAt(4) << 8) | src.byteAt(5));
    const lo = src.byteAt(6) * 0x1000000 + ((src.byteAt(7) << 16) | (src.byteAt(8) << 8) | src.byteAt(9));
    if (hi >= 0x80000000) {
      return violation('WS_INVALID_LENGTH', 'A 64-bit payload length must have its most significant bit clear', 1002, 'Extended payload length', start + 2);
    }
    if (hi >= 0x200000) return violation('WS_MESSAGE_TOO_BIG', 'Payload length over 2^53 - 1', 1009, 'Extended payload length', start + 2);
    payloadLength = hi * 0x100000000 + lo;
  }
  const maskStart = start + 2 + extLen;
  let maskKey: Buffer | null = null;
  if (masked) {
    maskKey = Buffer.allocUnsafe(4);
    for (let i = 0; i < 4; i++) maskKey[i] = src.byteAt(2 + extLen + i);
  }
  const payloadStart = maskStart + (masked ? 4 : 0);
  return {
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & 0x40) !== 0,
    rsv2: (b0 & 0x20) !== 0,
    rsv3: (b0 & 0x10) !== 0,
    opcode: b0 & 0x0f,
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
}

export function isViolation(x: FrameHeader | FrameViolation): x is FrameViolation {
  return (x as FrameViolation).code !== undefined;
}

/**
 * Reports each rule the header's first two bytes break, in this order: RSV1,
 * RSV2, RSV3, a reserved opcode, a fragmented or too long control frame, a
 * continuation without a message, a new data frame inside one, masking.
 * `report` (a function, or an object with a reportViolation method: no closure
 * per parser) returns true to stop there; checkFrameHeader then returns true.
 */
export function checkFrameHeader(b0: number, b1: number, start: number, state: FrameRuleState, report: ViolationReport): boolean {
  const opcode = b0 & 0x0f;
  const control = opcode >= 8;
  if (b0 & 0x40 && (!state.perMessageDeflate || control || opcode === 0)) {
    const message = state.perMessageDeflate ? 'RSV1 is only allowed on the first frame of a data message' : 'RSV1 set but no extension was negotiated';
    if (tell(report, violation('WS_UNEXPECTED_RSV', message, 1002, 'RSV1', start))) return true;
  }
  if (b0 & 0x20 && tell(report, violation('WS_UNEXPECTED_RSV', 'RSV2 set but no extension defines it', 1002, 'RSV2', start))) return true;
  if (b0 & 0x10 && tell(report, violation('WS_UNEXPECTED_RSV', 'RSV3 set but no extension defines it', 1002, 'RSV3', start))) return true;
  if (!isKnownOpcode(opcode) && tell(report, violation('WS_RESERVED_OPCODE', `Reserved opcode 0x${opcode.toString(16)}`, 1002, 'Opcode', start))) return true;
  if (control) {
    if (!(b0 & 0x80) && tell(report, violation('WS_FRAGMENTED_CONTROL_FRAME', 'Control frames must not be fragmented', 1002, 'FIN', start))) return true;
    // Any extended length (126, 127) is over 125 too.
    if ((b1 & 0x7f) > 125 && tell(report, violation('WS_CONTROL_FRAME_TOO_LONG', 'Control frame payload over 125 bytes', 1002, 'Payload length', start + 1))) return true;
  } else if (opcode === 0) {
    if (state.messageOpcode === 0 && tell(report, violation('WS_UNEXPECTED_CONTINUATION', 'Continuation frame without a message to continue', 1002, 'Opcode', start))) return true;
  } else if (opcode <= 2 && state.messageOpcode !== 0) {
    if (tell(report, violation('WS_EXPECTED_CONTINUATION', 'New data frame inside a fragmented message', 1002, 'Opcode', start))) return true;
  }
  const expect = state.expectMasked;
  if (expect !== undefined && (b1 & 0x80) !== 0 !== expect) {
    const v = expect
      ? violation('WS_UNMASKED_FRAME', 'A client must mask every frame', 1002, 'MASK', start + 1)
      : violation('WS_MASKED_FRAME', 'A server must not mask its frames', 1002, 'MASK', start + 1);
    if (tell(report, v)) return true;
  }
  return false;
}

/** Where checkFrameHeader reports a broken rule; true to stop. */
export type ViolationReport = ((v: FrameViolation) => boolean) | { reportViolation(v: FrameViolation): boolean };

function tell(report: ViolationReport, v: FrameViolation): boolean {
  return typeof report === 'function' ? report(v) : report.reportViolation(v);
}

function violation(code: WebSocketErrorCode, message: string, closeCode: number, field: FrameField, offset: number): FrameViolation {
  return { code, message, closeCode, field, offset };
}
