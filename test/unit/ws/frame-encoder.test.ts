import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeFrame, fragmentMessage, closePayload, randomMaskKey } from '../../../server-core/ws/frame-encoder.js';
import { FrameParser } from '../../../server-core/ws/frame-parser.js';
import { maskInPlace } from '../../../server-core/ws/mask.js';
import type { WebSocketFrame, WebSocketError } from '../../../server-core/ws/types.js';

function parseAll(bytes: Buffer, role: 'server' | 'client' = 'server', chunk = bytes.length || 1) {
  const frames: WebSocketFrame[] = [];
  const violations: WebSocketError[] = [];
  const p = new FrameParser({ onFrame: (f) => frames.push({ ...f, payload: Buffer.from(f.payload) }), onError: (e) => violations.push(e), onViolation: (e) => violations.push(e) }, { role, enforce: false });
  for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, i + chunk));
  return { frames, violations };
}

test('encodes the RFC 6455 §5.7 examples', () => {
  assert.equal(encodeFrame({ opcode: 1, payload: 'Hello' }).toString('hex'), '810548656c6c6f');
  assert.equal(encodeFrame({ opcode: 1, payload: 'Hello', mask: Buffer.from('37fa213d', 'hex') }).toString('hex'), '818537fa213d7f9f4d5158');
  assert.equal(encodeFrame({ opcode: 1, fin: false, payload: 'Hel' }).toString('hex'), '010348656c');
  assert.equal(encodeFrame({ opcode: 0, payload: 'lo' }).toString('hex'), '80026c6f');
  assert.equal(encodeFrame({ opcode: 9, payload: 'Hello' }).toString('hex'), '890548656c6c6f');
  assert.equal(encodeFrame({ opcode: 2, payload: Buffer.alloc(256) }).subarray(0, 4).toString('hex'), '827e0100');
  assert.equal(encodeFrame({ opcode: 2, payload: Buffer.alloc(65536) }).subarray(0, 10).toString('hex'), '827f0000000000010000');
});

test('builds invalid frames on purpose: reserved opcodes, RSV bits, a lying length, forced length sizes', () => {
  assert.equal(encodeFrame({ opcode: 15, rsv1: true, rsv2: true, rsv3: true, fin: false, payload: '' }).toString('hex'), '7f00');
  const lie = encodeFrame({ opcode: 2, payload: Buffer.from([1, 2, 3]), declaredLength: 200 });
  assert.equal(lie.toString('hex'), '827e00c8010203');
  assert.equal(encodeFrame({ opcode: 1, payload: 'a', lengthBits: 64 }).toString('hex'), '817f000000000000000161');
  assert.equal(encodeFrame({ opcode: 1, payload: 'a', lengthBits: 16 }).toString('hex'), '817e000161');
  assert.throws(() => encodeFrame({ opcode: 16 }), RangeError);
  assert.throws(() => encodeFrame({ opcode: 1, mask: Buffer.alloc(3) }), RangeError);
  assert.throws(() => encodeFrame({ opcode: 1, payload: Buffer.alloc(200), lengthBits: 7 }), RangeError);
});

test('mask: true draws a fresh key per frame', () => {
  const a = encodeFrame({ opcode: 1, payload: 'x', mask: true });
  const b = encodeFrame({ opcode: 1, payload: 'x', mask: true });
  assert.equal(a[1], 0x81);
  assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6));
  const keys = new Set(Array.from({ length: 3000 }, () => randomMaskKey().toString('hex')));
  assert.ok(keys.size > 2990, 'keys repeat');
});

test('fragmentMessage splits evenly or by sizes and puts control frames between fragments', () => {
  const frames = fragmentMessage({ opcode: 1, payload: 'abcdefg', fragments: 3, interleave: { 0: [{ opcode: 9, payload: 'p' }], 1: [{ opcode: 10 }] } });
  const parsed = parseAll(Buffer.concat(frames), 'client');
  assert.deepEqual(parsed.violations, []);
  assert.deepEqual(
    parsed.frames.map((f) => [f.opcode, f.fin, f.payload.toString()]),
    [[1, false, 'abc'], [9, true, 'p'], [0, false, 'de'], [10, true, ''], [0, true, 'fg']],
  );
  const sized = fragmentMessage({ opcode: 2, payload: Buffer.alloc(10), fragments: [1, 0, 9], mask: true, rsv1: true });
  const p2 = parseAll(Buffer.concat(sized), 'server');
  assert.deepEqual(p2.frames.map((f) => [f.opcode, f.fin, f.rsv1, f.masked, f.payloadLength]), [[2, false, true, true, 1], [0, false, false, true, 0], [0, true, false, true, 9]]);
  assert.throws(() => fragmentMessage({ opcode: 1, payload: 'abc', fragments: [1, 1] }), RangeError);
});

test('closePayload', () => {
  assert.equal(closePayload().length, 0);
  assert.equal(closePayload(1000, 'bye').toString('hex'), '03e8627965');
});

test('any frame the encoder builds parses back to the same fields and payload, however it is chunked', () => {
  fc.assert(
    fc.property(
      fc.record({
        fin: fc.boolean(),
        rsv1: fc.boolean(),
        rsv2: fc.boolean(),
        rsv3: fc.boolean(),
        opcode: fc.integer({ min: 0, max: 15 }),
        mask: fc.oneof(fc.constant(false), fc.uint8Array({ minLength: 4, maxLength: 4 })),
        payload: fc.uint8Array({ maxLength: 300 }),
      }),
      fc.integer({ min: 1, max: 40 }),
      (spec, chunk) => {
        const payload = Buffer.from(spec.payload);
        const mask = spec.mask === false ? false : Buffer.from(spec.mask);
        const bytes = encodeFrame({ ...spec, mask, payload });
        const { frames } = parseAll(bytes, mask ? 'server' : 'client', chunk);
        assert.equal(frames.length, 1);
        const f = frames[0];
        assert.deepEqual([f.fin, f.rsv1, f.rsv2, f.rsv3, f.opcode, f.masked], [spec.fin, spec.rsv1, spec.rsv2, spec.rsv3, spec.opcode, mask !== false]);
        assert.deepEqual(f.payload, payload);
        assert.equal(f.span.end, bytes.length);
        assert.equal(f.payloadSpan.start, bytes.length - payload.length);
      },
    ),
    { numRuns: 300 },
  );
});

test('maskInPlace matches the byte-wise definition at every alignment and phase', () => {
  const key = Buffer.from('a1b2c3d4', 'hex');
  const backing = Buffer.alloc(200);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 37) & 0xff;
  for (let start = 0; start < 8; start++) {
    for (const len of [0, 1, 31, 32, 33, 64, 100, 150]) {
      for (let phase = 0; phase < 4; phase++) {
        const buf = Buffer.from(backing);
        maskInPlace(buf, start, start + len, key, phase);
        for (let j = 0; j < len; j++) assert.equal(buf[start + j], backing[start + j] ^ key[(phase + j) & 3]);
        assert.equal(buf[start + len] ?? 0, backing[start + len] ?? 0);
      }
    }
  }
});
