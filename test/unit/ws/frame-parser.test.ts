import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameParser } from '../../../server-core/ws/frame-parser.js';
import { encodeFrame } from '../../../server-core/ws/frame-encoder.js';
import type { FrameHeader, WebSocketError, WebSocketFrame } from '../../../server-core/ws/types.js';

function collect(role: 'server' | 'client', enforce = true, opts: { maxPayload?: number; perMessageDeflate?: boolean } = {}) {
  const frames: WebSocketFrame[] = [];
  const headers: FrameHeader[] = [];
  const errors: WebSocketError[] = [];
  const violations: WebSocketError[] = [];
  const parser = new FrameParser(
    { onFrameHeader: (h) => headers.push({ ...h }), onFrame: (f) => frames.push(f), onError: (e) => errors.push(e), onViolation: (v) => violations.push(v) },
    { role, enforce, ...opts },
  );
  return { parser, frames, headers, errors, violations };
}

test('records the offset of every header field, the masking key and the payload', () => {
  const key = Buffer.from('01020304', 'hex');
  const stream = Buffer.concat([encodeFrame({ opcode: 1, payload: 'hi', mask: key }), encodeFrame({ opcode: 2, payload: Buffer.alloc(70000, 7), mask: key })]);
  const { parser, frames } = collect('server');
  parser.push(stream.subarray(0, 5));
  parser.push(stream.subarray(5));
  assert.equal(frames.length, 2);
  const [a, b] = frames;
  assert.deepEqual([a.span, a.byte0Span, a.byte1Span, a.extendedLengthSpan, a.maskKeySpan, a.payloadSpan], [
    { start: 0, end: 8 }, { start: 0, end: 1 }, { start: 1, end: 2 }, null, { start: 2, end: 6 }, { start: 6, end: 8 },
  ]);
  assert.equal(a.lengthBits, 7);
  assert.deepEqual([b.span, b.byte0Span, b.byte1Span, b.extendedLengthSpan, b.maskKeySpan, b.payloadSpan, b.lengthBits], [
    { start: 8, end: 8 + 14 + 70000 }, { start: 8, end: 9 }, { start: 9, end: 10 }, { start: 10, end: 18 }, { start: 18, end: 22 }, { start: 22, end: 22 + 70000 }, 64,
  ]);
  assert.ok(b.payload.every((x) => x === 7));
  assert.equal(parser.bytesReceived, stream.length);
});

test('onFrameHeader comes before the payload has arrived', () => {
  const { parser, headers, frames } = collect('client');
  const f = encodeFrame({ opcode: 2, payload: Buffer.alloc(1000) });
  parser.push(f.subarray(0, 10));
  assert.equal(headers.length, 1);
  assert.equal(headers[0].payloadLength, 1000);
  assert.equal(frames.length, 0);
  parser.push(f.subarray(10));
  assert.equal(frames.length, 1);
});

test('lenient mode (a dissector on a capture) reads unmasked client frames and reports violations without stopping', () => {
  const { parser, frames, errors, violations } = collect('server', false);
  parser.push(Buffer.concat([
    encodeFrame({ opcode: 1, payload: 'unmasked' }),
    encodeFrame({ opcode: 5, payload: 'reserved', mask: true }),
    encodeFrame({ opcode: 1, payload: Buffer.from([0xff]), mask: true }),
    encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xed]), mask: true }),
    encodeFrame({ opcode: 1, payload: 'last', mask: true }),
  ]));
  assert.deepEqual(errors, []);
  assert.deepEqual(frames.map((f) => f.opcode), [1, 5, 1, 8, 1]);
  assert.deepEqual(violations.map((v) => v.code), ['WS_RESERVED_OPCODE', 'WS_INVALID_UTF8', 'WS_INVALID_CLOSE_CODE']);
});

test('strict mode stops at the first error and ignores everything after', () => {
  const { parser, frames, errors } = collect('server');
  parser.push(encodeFrame({ opcode: 1, payload: 'ok', mask: true }));
  parser.push(encodeFrame({ opcode: 1, payload: 'no mask' }));
  parser.push(encodeFrame({ opcode: 1, payload: 'later', mask: true }));
  assert.equal(frames.length, 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'WS_UNMASKED_FRAME');
  assert.equal(errors[0].closeCode, 1002);
  assert.equal(parser.failed, true);
});

test('maxPayload: a frame over it fails with 1009 as soon as the length is read', () => {
  const { parser, errors } = collect('client', true, { maxPayload: 100 });
  parser.push(Buffer.from([0x82, 0x7e, 0x00, 0x65]));
  assert.equal(errors[0]?.code, 'WS_MESSAGE_TOO_BIG');
  assert.equal(errors[0]?.closeCode, 1009);
  const ok = collect('client', true, { maxPayload: 100 });
  ok.parser.push(encodeFrame({ opcode: 2, payload: Buffer.alloc(100) }));
  assert.equal(ok.frames.length, 1);
});

test('RSV1 is accepted on a data frame once permessage-deflate is negotiated', () => {
  const { parser, frames, errors } = collect('client', true, { perMessageDeflate: true });
  parser.push(encodeFrame({ opcode: 2, rsv1: true, payload: Buffer.from([0]) }));
  assert.deepEqual(errors, []);
  assert.equal(frames[0].rsv1, true);
});

test('random bytes never throw out of the parser, in either mode and role', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 50 }), (bytes, enforce, server, chunk) => {
      const { parser } = collect(server ? 'server' : 'client', enforce, { maxPayload: 1 << 20 });
      const b = Buffer.from(bytes);
      for (let i = 0; i < b.length; i += chunk) parser.push(b.subarray(i, i + chunk));
    }),
    { numRuns: 500 },
  );
});

test('a masked payload is unmasked into a copy unless the parser owns its input', () => {
  const frame = encodeFrame({ opcode: 2, payload: Buffer.alloc(100, 0x55), mask: Buffer.from('0f0f0f0f', 'hex') });
  for (const ownsInput of [false, true]) {
    const input = Buffer.from(frame);
    const frames: WebSocketFrame[] = [];
    const p = new FrameParser({ onFrame: (f) => frames.push(f), onError: (e) => assert.fail(e) }, { role: 'server', ownsInput });
    p.push(input);
    assert.ok(frames[0].payload.every((b) => b === 0x55));
    assert.equal(input.equals(frame), !ownsInput);
  }
});

test('owning its input: a chunk pushed as shared is never modified; empty frames at a chunk end; payloads exact however the bytes are cut', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ size: fc.integer({ min: 0, max: 300 }), fill: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 1, max: 400 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
      (messages, cut, sharedFlags) => {
        const wire = Buffer.concat(messages.map((m) => encodeFrame({ opcode: 2, payload: Buffer.alloc(m.size, m.fill), mask: Buffer.from('a1b2c3d4', 'hex') })));
        const frames: WebSocketFrame[] = [];
        const p = new FrameParser({ onFrame: (f) => frames.push({ ...f, payload: Buffer.from(f.payload) }), onError: (e) => assert.fail(e) }, { role: 'server', ownsInput: true });
        const shared: { chunk: Buffer; copy: Buffer }[] = [];
        for (let i = 0, n = 0; i < wire.length; i += cut, n++) {
          const chunk = Buffer.from(wire.subarray(i, i + cut));
          const isShared = sharedFlags[n % sharedFlags.length];
          if (isShared) shared.push({ chunk, copy: Buffer.from(chunk) });
          p.push(chunk, isShared);
        }
        assert.deepEqual(
          frames.map((f) => f.payload),
          messages.map((m) => Buffer.alloc(m.size, m.fill)),
        );
        for (const s of shared) assert.deepEqual(s.chunk, s.copy, 'a shared chunk was unmasked in place');
      },
    ),
    { numRuns: 300 },
  );
});

/** Parses `wire` cut into the given reads (fresh buffers, as a socket gives them) and returns the payloads, copied. */
function parseInReads(wire: Buffer, cuts: number[], ownsInput: boolean, sharedEvery = 0): Buffer[] {
  const payloads: Buffer[] = [];
  const p = new FrameParser({ onFrame: (f) => payloads.push(Buffer.from(f.payload)), onError: (e) => assert.fail(e) }, { role: 'server', ownsInput });
  const bounds = [0, ...cuts, wire.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    // Each read at a different byteOffset in its own ArrayBuffer, so the word loops meet every alignment.
    const room = Buffer.alloc(bounds[i + 1] - bounds[i] + (i % 8));
    const chunk = room.subarray(i % 8);
    wire.copy(chunk, 0, bounds[i], bounds[i + 1]);
    p.push(chunk, sharedEvery > 0 && i % sharedEvery === 0);
  }
  return payloads;
}

function maskedWire(payload: Buffer, key = Buffer.from('9a3c5e71', 'hex')): Buffer {
  return encodeFrame({ opcode: 2, payload, mask: key });
}

test('a masked frame cut into 2 reads at every split point, and into 3 reads at every pair of split points, gives its exact payload', () => {
  for (const size of [0, 1, 31, 33, 125, 126, 300]) {
    const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff));
    const wire = maskedWire(payload);
    for (const ownsInput of [false, true]) {
      for (let a = 1; a < wire.length; a++) assert.deepEqual(parseInReads(wire, [a], ownsInput), [payload], `size ${size}, split at ${a}, ownsInput ${ownsInput}`);
    }
  }
  for (const size of [40, 140]) {
    const payload = Buffer.from(Array.from({ length: size }, (_, i) => (i * 13 + 5) & 0xff));
    const wire = maskedWire(payload);
    for (const ownsInput of [false, true]) {
      for (let a = 1; a < wire.length; a++) {
        for (let b = a + 1; b < wire.length; b++) {
          assert.deepEqual(parseInReads(wire, [a, b], ownsInput, ownsInput ? 2 : 0), [payload], `size ${size}, splits at ${a} and ${b}, ownsInput ${ownsInput}`);
        }
      }
    }
  }
});

test('a 64 KiB masked frame that spans two or three reads (as a socket reads it) is unmasked exactly wherever it is cut', () => {
  const size = 65536;
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + (i >>> 8)) & 0xff;
  const wire = maskedWire(payload, Buffer.from('f00dbeef', 'hex'));
  // Near both ends of the frame, around Node's 64 KiB read, and spread through the middle.
  const points = new Set<number>();
  for (let a = 1; a < 40; a++) points.add(a).add(wire.length - a);
  for (let a = 65_500; a < 65_549; a++) points.add(a);
  for (let a = 1; a < wire.length; a += 4099) points.add(a);
  for (const ownsInput of [false, true]) {
    for (const a of points) assert.ok(parseInReads(wire, [a], ownsInput)[0].equals(payload), `split at ${a}, ownsInput ${ownsInput}`);
    for (const a of [1, 7, 14, 15, 1000, 32_768]) {
      for (const b of [a + 1, a + 9, 65_536, wire.length - 1]) {
        if (b <= a || b >= wire.length) continue;
        assert.ok(parseInReads(wire, [a, b], ownsInput)[0].equals(payload), `splits at ${a} and ${b}, ownsInput ${ownsInput}`);
      }
    }
  }
});

test('a masked frame over the preallocation size (collected in pieces) is unmasked exactly across many reads', () => {
  const size = 4 * 1024 * 1024 + 12_345;
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) payload[i] = (i ^ (i >>> 11)) & 0xff;
  const wire = maskedWire(payload);
  const cuts: number[] = [];
  for (let at = 65_536, step = 1; at < wire.length; at += 65_536 + (step++ % 9)) cuts.push(at);
  for (const ownsInput of [false, true]) assert.ok(parseInReads(wire, cuts, ownsInput)[0].equals(payload));
});

test('text checking (its validator made at the first text bytes): a sequence cut by the last fragment fails 1007, after empty first fragments and after earlier messages', () => {
  const key = Buffer.from('01020304', 'hex');
  const text = (opcode: number, fin: boolean, payload: Buffer) => encodeFrame({ opcode, fin, payload, mask: key });
  const cases: { wire: Buffer; ok: number; fails: boolean }[] = [
    // empty first fragment, then half of "€" (E2 82 AC), then an empty final fragment
    { wire: Buffer.concat([text(1, false, Buffer.alloc(0)), text(0, false, Buffer.from([0xe2, 0x82])), text(0, true, Buffer.alloc(0))]), ok: 2, fails: true },
    // a whole valid message, a binary one, then a text message ending inside "€"
    { wire: Buffer.concat([text(1, true, Buffer.from('héllo')), text(2, true, Buffer.from([0xe2])), text(1, true, Buffer.from([0x61, 0xe2, 0x82]))]), ok: 2, fails: true },
    // an empty text message, then "€" across three fragments: valid
    { wire: Buffer.concat([text(1, true, Buffer.alloc(0)), text(1, false, Buffer.from([0xe2])), text(0, false, Buffer.from([0x82])), text(0, true, Buffer.from([0xac]))]), ok: 4, fails: false },
  ];
  for (const c of cases) {
    const { parser, frames, errors } = collect('server');
    parser.push(c.wire);
    assert.equal(errors.length, c.fails ? 1 : 0);
    if (c.fails) assert.equal(errors[0].closeCode, 1007);
    assert.equal(frames.length, c.ok);
  }
});
