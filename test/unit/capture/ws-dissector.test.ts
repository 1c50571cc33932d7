import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { ConnectionDissector, type DetailedMessage } from '../../../server-core/capture/dissector.js';
import { run, shape, field, r, MASKED_HELLO, UPGRADE_REQ, UPGRADE_RES, type Feed } from './dissect-helpers.js';

test('a 64-bit length frame is dissected while its payload streams, keeping only a preview', () => {
  const len = 70_000;
  const frame = Buffer.concat([Buffer.from([0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70]), Buffer.alloc(len, 7)]);
  const msgs = run('ws', [{ dir: 's2c', bytes: frame }], 4096);
  assert.equal(msgs.length, 1);
  const m = msgs[0];
  assert.deepEqual(m.range, r(0, 10 + len));
  assert.equal(field(m.fields, 'Frame header', 'Extended payload length').value, String(len));
  assert.deepEqual(field(m.fields, 'Frame header', 'Extended payload length').range, r(2, 10));
  assert.match(field(m.fields, 'Frame header', 'Payload length').explain!, /64-bit/);
  assert.equal(m.ws?.payload, undefined);
});

test('permessage-deflate messages are inflated, with the shared window across messages (RFC 7692 §7.2.3)', () => {
  // "Hello" compressed (§7.2.3.1) and, with context takeover, "Hello" again (§7.2.3.2).
  const first = Buffer.from([0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
  const second = Buffer.from([0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00]);
  const msgs = run('ws', [{ dir: 's2c', bytes: Buffer.concat([first, second]) }], 'whole', 'permessage-deflate');
  assert.equal(msgs.length, 2);
  for (const m of msgs) {
    assert.equal(field(m.fields, 'Frame header', 'RSV1').value, '1');
    assert.equal(m.error, undefined);
    assert.equal(field(m.fields, 'Payload', 'Inflated message').value, '"Hello"');
    assert.match(m.summary, /^Text \(FIN, compressed\) \d B → 5 B "Hello"$/);
  }
});

test('a fragmented compressed message is inflated at its final frame', () => {
  const text = 'fragmented and compressed '.repeat(20);
  const deflated = deflateRawSync(Buffer.from(text), { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  const body = deflated.subarray(0, deflated.length - 4);
  const half = Math.floor(body.length / 2);
  const f1 = Buffer.concat([Buffer.from([0x41, half]), body.subarray(0, half)]);
  const f2 = Buffer.concat([Buffer.from([0x80, body.length - half]), body.subarray(half)]);
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector('c', 'ws', { onMessage: (m) => out.push(m), keepPayload: true });
  d.switchProtocol({ connectionId: 'c', t: 0, protocol: 'ws', c2sOffset: 0, s2cOffset: 0, extensions: 'permessage-deflate; server_no_context_takeover' });
  d.push('s2c', Buffer.concat([f1, f2]), 1);
  assert.equal(out.length, 2);
  assert.equal(out[0].summary.startsWith('Text (not FIN, compressed)'), true);
  assert.equal(out[1].ws?.messageData?.toString(), text);
});

test('malformed frames are marked on the field that breaks the rule', () => {
  // Unmasked client frame with a reserved opcode 0x3 and RSV2.
  const [m] = run('ws', [{ dir: 'c2s', bytes: Buffer.from([0xa3, 0x00]) }]);
  assert.equal(m.error?.offset, 0);
  assert.equal(field(m.fields, 'Frame header', 'Opcode').error, 'Reserved opcode 0x3');
  assert.equal(field(m.fields, 'Frame header', 'RSV2').value, '1');
  assert.ok(field(m.fields, 'Frame header', 'MASK').error);
  // A 64-bit length with its top bit set cannot be decoded: dissection stops, the rest is raw.
  const bad = Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1, 0xde, 0xad]);
  const msgs = run('ws', [{ dir: 's2c', bytes: bad }]);
  assert.equal(msgs[0].error?.code, 'WS_INVALID_LENGTH');
  assert.equal(msgs[0].error?.offset, 2);
  assert.deepEqual(msgs[1].range, r(10, 12));
  assert.equal(msgs[1].kind, 'raw');
  // A frame cut by the end of the stream.
  const cut = run('ws', [{ dir: 's2c', bytes: Buffer.from([0x81, 0x05, 0x48, 0x65]) }]);
  assert.equal(cut[0].error?.code, 'UNEXPECTED_EOF');
  assert.equal(cut[0].error?.offset, 4);
});

test('text messages are checked for UTF-8 as they stream, across fragments', () => {
  const euro = Buffer.from('€'); // e2 82 ac
  const ok = run('ws', [{ dir: 's2c', bytes: Buffer.from([0x01, 0x02, euro[0], euro[1], 0x80, 0x01, euro[2]]) }]);
  assert.deepEqual(ok.map((m) => m.error), [undefined, undefined]);
  const bad = run('ws', [{ dir: 's2c', bytes: Buffer.from([0x81, 0x02, 0xc3, 0x28]) }], 'bytes');
  assert.equal(bad[0].error?.code, 'WS_INVALID_UTF8');
  assert.equal(field(bad[0].fields, 'Payload').error, 'Text message is not valid UTF-8');
});

test('WebSocket dissection is the same however the bytes are split', () => {
  const frames = Buffer.concat([
    MASKED_HELLO,
    Buffer.from([0x89, 0x80, 1, 2, 3, 4]),
    Buffer.concat([Buffer.from([0x82, 0xfe, 0x01, 0x00, 9, 8, 7, 6]), Buffer.alloc(256, 0x55)]),
  ]);
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: Buffer.concat([UPGRADE_REQ, frames]) },
    { dir: 's2c', bytes: Buffer.concat([UPGRADE_RES, Buffer.from([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])]) },
  ];
  const whole = run('http', feeds).map(shape);
  assert.equal(whole.length, 6);
  for (const n of ['bytes', 5, 17] as const) assert.deepEqual(run('http', feeds, n).map(shape), whole);
});
