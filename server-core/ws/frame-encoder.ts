// The frame encoder and composer (RFC 6455 §5.2): pure functions, no state.
// encodeFrame() builds any frame, valid or not — reserved opcodes, RSV bits,
// a declared length that differs from the payload — for the playground's
// composer, the tests and the runtime alike.
import { randomFillSync } from 'node:crypto';
import { maskCopy } from './mask.js';

export interface FrameSpec {
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** 0–15, reserved ones included. */
  opcode: number;
  /** true: a fresh random key; a 4-byte Buffer: that key; false/absent: unmasked. */
  mask?: boolean | Uint8Array;
  payload?: Buffer | string;
  /**
   * The length written in the header when it should differ from the payload's
   * (a lie, for testing the peer). The length encoding follows the declared value.
   */
  declaredLength?: number;
  /** Force the 16- or 64-bit length encoding even when a shorter one fits (non-minimal, still legal to parse). */
  lengthBits?: 7 | 16 | 64;
}

export const Opcode = {
  CONTINUATION: 0,
  TEXT: 1,
  BINARY: 2,
  CLOSE: 8,
  PING: 9,
  PONG: 10,
} as const;

/** Random masking keys, drawn from a pool refilled with randomFillSync. */
const POOL_SIZE = 8 * 1024;
let pool = Buffer.alloc(0);
let poolPos = POOL_SIZE;

export function randomMaskKey(): Buffer {
  if (poolPos + 4 > pool.length) {
    pool = Buffer.allocUnsafe(POOL_SIZE);
    randomFillSync(pool);
    poolPos = 0;
  }
  const key = pool.subarray(poolPos, poolPos + 4);
  poolPos += 4;
  return key;
}

function toBuffer(payload: Buffer | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/** Size of a frame header for this payload length. */
export function headerSize(length: number, masked: boolean, lengthBits?: 7 | 16 | 64): number {
  const bits = lengthBits ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  return (bits === 7 ? 2 : bits === 16 ? 4 : 10) + (masked ? 4 : 0);
}

/** Writes a frame header into target at offset; returns the offset after it. */
export function writeHeader(
  target: Buffer,
  offset: number,
  b0: number,
  length: number,
  maskKey: Uint8Array | null,
  lengthBits?: 7 | 16 | 64,
): number {
  const bits = lengthBits ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  const m = maskKey ? 0x80 : 0;
  target[offset++] = b0;
  if (bits === 7) target[offset++] = m | (length & 0x7f);
  else if (bits === 16) {
    target[offset++] = m | 126;
    target[offset++] = (length >>> 8) & 0xff;
    target[offset++] = length & 0xff;
  } else {
    target[offset++] = m | 127;
    const hi = Math.floor(length / 0x100000000);
    target.writeUInt32BE(hi >>> 0, offset);
    target.writeUInt32BE(length >>> 0, offset + 4);
    offset += 8;
  }
  if (maskKey) {
    target[offset++] = maskKey[0];
    target[offset++] = maskKey[1];
    target[offset++] = maskKey[2];
    target[offset++] = maskKey[3];
  }
  return offset;
}

/** Builds one frame, header and (masked) payload, as a single buffer. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = toBuffer(spec.payload);
  if (!Number.isInteger(spec.opcode) || spec.opcode < 0 || spec.opcode > 15) throw new RangeError(`opcode must be 0–15, got ${spec.opcode}`);
  let key: Uint8Array | null = null;
  if (spec.mask === true) key = randomMaskKey();
  else if (spec.mask instanceof Uint8Array) {
    if (spec.mask.length !== 4) throw new RangeError('a masking key is 4 bytes');
    key = spec.mask;
  }
  const declared = spec.declaredLength ?? payload.length;
  if (!Number.isSafeInteger(declared) || declared < 0) throw new RangeError('declaredLength must be a non-negative safe integer');
  if (spec.lengthBits === 7 && declared > 125) throw new RangeError('a 7-bit length holds at most 125');
  if (spec.lengthBits === 16 && declared > 65535) throw new RangeError('a 16-bit length holds at most 65535');
  const b0 =
    ((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | spec.opcode;
  const hs = headerSize(declared, key !== null, spec.lengthBits);
  const out = Buffer.allocUnsafe(hs + payload.length);
  writeHeader(out, 0, b0, declared, key, spec.lengthBits);
  if (key) maskCopy(payload, 0, payload.length, out, hs, key, 0);
  else payload.copy(out, hs);
  return out;
}

/** A close frame payload: the code (2 bytes) and a UTF-8 reason; empty when code is undefined. */
export function closePayload(code?: number, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const r = Buffer.from(reason, 'utf8');
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

export interface FragmentOptions {
  /** Opcode of the first frame: 1 text, 2 binary (or any, to test). */
  opcode: number;
  payload: Buffer | string;
  /** Number of fragments (payload split as evenly as possible), or explicit fragment sizes. */
  fragments: number | number[];
  mask?: boolean | Uint8Array;
  /** RSV1 on the first frame (a compressed message). */
  rsv1?: boolean;
  /** Control frames to put after fragment i (0-based), e.g. { 0: [{ opcode: 9, payload: 'hi' }] }. */
  interleave?: Record<number, FrameSpec[]>;
}

/**
 * Splits a message into fragments (opcode, then continuations, FIN on the
 * last), with optional control frames between them. Returns every frame in order.
 */
export function fragmentMessage(opts: FragmentOptions): Buffer[] {
  const payload = toBuffer(opts.payload);
  let sizes: number[];
  if (Array.isArray(opts.fragments)) {
    sizes = opts.fragments;
    if (sizes.reduce((a, b) => a + b, 0) !== payload.length) throw new RangeError('fragment sizes must add up to the payload length');
  } else {
    const n = Math.max(1, Math.floor(opts.fragments));
    const base = Math.floor(payload.length / n);
    sizes = Array.from({ length: n }, (_, i) => base + (i < payload.length - base * n ? 1 : 0));
  }
  const frames: Buffer[] = [];
  let at = 0;
  sizes.forEach((size, i) => {
    const last = i === sizes.length - 1;
    frames.push(
      encodeFrame({
        fin: last,
        rsv1: i === 0 && opts.rsv1,
        opcode: i === 0 ? opts.opcode : 0,
        mask: opts.mask === true ? true : opts.mask,
        payload: payload.subarray(at, at + size),
      }),
    );
    at += size;
    for (const control of opts.interleave?.[i] ?? []) frames.push(encodeFrame({ mask: opts.mask, ...control }));
  });
  return frames;
}
