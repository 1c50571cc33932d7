// The one frame-header decoder and its rules (ws/frame-header.ts), and a guard
// against drift: the frame parser and the capture's dissector report the same
// codes for the same broken headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFrameHeader, decodeFrameHeader, frameHeaderLength, isViolation, type FrameRuleState, type FrameViolation } from '../../../server-core/ws/frame-header.js';
import { FrameParser } from '../../../server-core/ws/frame-parser.js';
import { DEFAULT_WS_DISSECTOR_OPTIONS, WsDirectionDissector, type WsMessage } from '../../../server-core/capture/ws-dissector.js';
import type { WebSocketError } from '../../../server-core/ws/types.js';

const src = (bytes: number[]) => ({ byteAt: (i: number) => bytes[i] });

test('decodes the three length forms, the mask key and every span', () => {
  const h7 = decodeFrameHeader(src([0x81, 0x85, 1, 2, 3, 4]), 10);
  assert.ok(!isViolation(h7));
  assert.deepEqual([h7.fin, h7.opcode, h7.masked, h7.payloadLength, h7.lengthBits], [true, 1, true, 5, 7]);
  assert.deepEqual([...h7.maskKey!], [1, 2, 3, 4]);
  assert.deepEqual(h7.payloadSpan, { start: 16, end: 21 });
  const h16 = decodeFrameHeader(src([0x02, 0x7e, 0x01, 0x00]), 0);
  assert.ok(!isViolation(h16));
  assert.deepEqual([h16.fin, h16.payloadLength, h16.lengthBits, h16.extendedLengthSpan], [false, 256, 16, { start: 2, end: 4 }]);
  const h64 = decodeFrameHeader(src([0x82, 0x7f, 0, 0, 0, 1, 0, 0, 0, 0]), 0);
  assert.ok(!isViolation(h64));
  assert.equal(h64.payloadLength, 2 ** 32);
  assert.deepEqual([frameHeaderLength(0x05), frameHeaderLength(0xfe), frameHeaderLength(0x7f), frameHeaderLength(0xff)], [2, 8, 10, 14]);
});

test('an undecodable 64-bit length is a violation at the extended length', () => {
  const top = decodeFrameHeader(src([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1]), 4);
  assert.ok(isViolation(top));
  assert.deepEqual([top.code, top.closeCode, top.offset, top.field], ['WS_INVALID_LENGTH', 1002, 6, 'Extended payload length']);
  const huge = decodeFrameHeader(src([0x82, 0x7f, 0x00, 0x20, 0, 0, 0, 0, 0, 0]), 0);
  assert.ok(isViolation(huge));
  assert.equal(huge.code, 'WS_MESSAGE_TOO_BIG');
});

test('rules are reported in a fixed order, each on its field; report() can stop at the first', () => {
  const state: FrameRuleState = { perMessageDeflate: false, messageOpcode: 0, expectMasked: true };
  const all: FrameViolation[] = [];
  // FIN clear, RSV1–3 set, opcode 0xb (reserved control), unmasked, length 126.
  checkFrameHeader(0x7b, 0x7e, 0, state, (v) => (all.push(v), false));
  assert.deepEqual(
    all.map((v) => `${v.field} ${v.code} @${v.offset}`),
    [
      'RSV1 WS_UNEXPECTED_RSV @0',
      'RSV2 WS_UNEXPECTED_RSV @0',
      'RSV3 WS_UNEXPECTED_RSV @0',
      'Opcode WS_RESERVED_OPCODE @0',
      'FIN WS_FRAGMENTED_CONTROL_FRAME @0',
      'Payload length WS_CONTROL_FRAME_TOO_LONG @1',
      'MASK WS_UNMASKED_FRAME @1',
    ],
  );
  let calls = 0;
  assert.equal(checkFrameHeader(0x7b, 0x7e, 0, state, () => ++calls > 0), true);
  assert.equal(calls, 1);
  const inMessage: FrameViolation[] = [];
  checkFrameHeader(0x81, 0x80, 0, { perMessageDeflate: true, messageOpcode: 1, expectMasked: undefined }, (v) => (inMessage.push(v), false));
  assert.deepEqual(inMessage.map((v) => v.code), ['WS_EXPECTED_CONTINUATION']);
});

test('the frame parser and the dissector report the same codes for the same broken headers', () => {
  const cases: { name: string; bytes: number[]; dir: 'c2s' | 's2c' }[] = [
    { name: 'unmasked client frame', bytes: [0x81, 0x00], dir: 'c2s' },
    { name: 'masked server frame', bytes: [0x81, 0x80, 0, 0, 0, 0], dir: 's2c' },
    { name: 'RSV2', bytes: [0xa1, 0x80, 0, 0, 0, 0], dir: 'c2s' },
    { name: 'reserved opcode', bytes: [0x83, 0x80, 0, 0, 0, 0], dir: 'c2s' },
    { name: 'long ping', bytes: [0x89, 0xfe, 0, 126, 0, 0, 0, 0, ...new Array(126).fill(0)], dir: 'c2s' },
    { name: 'fragmented ping', bytes: [0x09, 0x80, 0, 0, 0, 0], dir: 'c2s' },
    { name: 'lone continuation', bytes: [0x80, 0x80, 0, 0, 0, 0], dir: 'c2s' },
    { name: 'close of 1 byte', bytes: [0x88, 0x81, 0, 0, 0, 0, 3], dir: 'c2s' },
  ];
  for (const c of cases) {
    const strict: WebSocketError[] = [];
    new FrameParser({ onFrame: () => {}, onError: (e) => strict.push(e) }, { role: c.dir === 'c2s' ? 'server' : 'client' }).push(Buffer.from(c.bytes));
    const out: WsMessage[] = [];
    new WsDirectionDissector(c.dir, 0, (m) => out.push(m), DEFAULT_WS_DISSECTOR_OPTIONS).push(Buffer.from(c.bytes), 0);
    assert.equal(out[0]?.error?.code, strict[0]?.code, c.name);
    assert.equal(out[0]?.error?.offset, strict[0]?.offset, c.name);
  }
});
