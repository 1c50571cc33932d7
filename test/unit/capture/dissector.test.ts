import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dissectEntries } from '../../../server-core/capture/dissector.js';
import type { Direction, WireProtocol } from '../../../server-core/capture/types.js';
import { run, field, r, MASKED_HELLO, UPGRADE_REQ, UPGRADE_RES } from './dissect-helpers.js';

test('after a 101 both directions are WebSocket frames: every header field, key and payload at its offset', () => {
  const big = Buffer.alloc(256, 0x61);
  const frame16 = Buffer.concat([Buffer.from([0x82, 0x7e, 0x01, 0x00]), big]);
  const close = Buffer.from([0x88, 0x05, 0x03, 0xe8, 0x62, 0x79, 0x65]);
  const msgs = run('http', [
    { dir: 'c2s', bytes: Buffer.concat([UPGRADE_REQ, MASKED_HELLO]) },
    { dir: 's2c', bytes: Buffer.concat([UPGRADE_RES, frame16, close]) },
  ]);
  assert.deepEqual(msgs.map((m) => m.kind), ['http-request', 'http-response', 'ws-frame', 'ws-frame', 'ws-frame']);
  const hello = msgs.find((m) => m.kind === 'ws-frame' && m.dir === 'c2s')!;
  const o = UPGRADE_REQ.length;
  assert.deepEqual(hello.range, r(o, o + 11));
  assert.equal(hello.summary, 'Text (FIN) 5 B "Hello"');
  const h = field(hello.fields, 'Frame header').children!;
  assert.deepEqual(
    h.map((f) => [f.name, f.value, f.range.start - o, f.range.end - o, f.bitMask]),
    [
      ['FIN', '1', 0, 1, 0x80],
      ['RSV1', '0', 0, 1, 0x40],
      ['RSV2', '0', 0, 1, 0x20],
      ['RSV3', '0', 0, 1, 0x10],
      ['Opcode', '0x1 (text)', 0, 1, 0x0f],
      ['MASK', '1', 1, 2, 0x80],
      ['Payload length', '5', 1, 2, 0x7f],
      ['Masking key', '37 fa 21 3d', 2, 6, undefined],
    ],
  );
  assert.match(field(h, 'Payload length').explain!, /7-bit/);
  const payload = field(hello.fields, 'Payload');
  assert.deepEqual(payload.range, r(o + 6, o + 11));
  assert.equal(field(hello.fields, 'Payload', 'Unmasked payload').value, '"Hello"');

  const [b16, cl] = msgs.filter((m) => m.kind === 'ws-frame' && m.dir === 's2c');
  const s = UPGRADE_RES.length;
  assert.deepEqual(b16.range, r(s, s + 4 + 256));
  assert.equal(field(b16.fields, 'Frame header', 'Payload length').value, '126');
  assert.match(field(b16.fields, 'Frame header', 'Payload length').explain!, /16-bit/);
  assert.deepEqual(field(b16.fields, 'Frame header', 'Extended payload length').range, r(s + 2, s + 4));
  assert.equal(field(b16.fields, 'Frame header', 'Extended payload length').value, '256');
  assert.equal(b16.ws?.opcode, 2);
  const c = s + 260;
  assert.deepEqual(cl.range, r(c, c + 7));
  assert.equal(cl.summary, 'Close (FIN) 5 B 1000 "bye"');
  assert.deepEqual(field(cl.fields, 'Payload', 'Close code').range, r(c + 2, c + 4));
  assert.deepEqual(field(cl.fields, 'Payload', 'Close reason').range, r(c + 4, c + 7));
  assert.equal(cl.sequence, 1);
});

test('raw connections: HTTP when it looks like HTTP, raw messages otherwise', () => {
  const tls = run('raw', [{ dir: 'c2s', bytes: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]) }]);
  assert.deepEqual(tls.map((m) => [m.kind, m.range.start, m.range.end]), [['raw', 0, 5]]);
  const http = run('raw', [{ dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n') }]);
  assert.equal(http[0].kind, 'http-request');
  const shout = run('raw', [{ dir: 'c2s', bytes: Buffer.from('HELLO there\r\n') }]);
  assert.deepEqual(shout.map((m) => m.kind), ['raw']);
});

test('a refused upgrade keeps the connection in HTTP', () => {
  const msgs = run('http', [
    { dir: 'c2s', bytes: UPGRADE_REQ },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n') },
    { dir: 'c2s', bytes: Buffer.from('GET /next HTTP/1.1\r\nHost: a\r\n\r\n') },
  ]);
  assert.deepEqual(msgs.map((m) => m.summary), ['GET /chat HTTP/1.1', '400 Bad Request', 'GET /next HTTP/1.1']);
});

test('a switch event forces the protocol at its offsets when the bytes did not show it', () => {
  const req = Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
  const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const msgs = dissectEntries(
    'c',
    'http',
    [
      { kind: 'data', dir: 'c2s', t: 1, bytes: Buffer.concat([req, MASKED_HELLO]) },
      { kind: 'data', dir: 's2c', t: 2, bytes: Buffer.concat([res, Buffer.from([0x81, 0x00])]) },
    ],
    [{ connectionId: 'c', t: 2, protocol: 'ws', c2sOffset: req.length, s2cOffset: res.length }],
    {},
  );
  assert.deepEqual(msgs.map((m) => [m.kind, m.range.start]), [
    ['http-request', 0],
    ['ws-frame', req.length],
    ['http-response', 0],
    ['ws-frame', res.length],
  ]);
});

test('random bytes never throw out of the dissector, in any protocol', async () => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(
      fc.constantFrom<WireProtocol>('http', 'ws', 'raw'),
      fc.array(fc.tuple(fc.constantFrom<Direction>('c2s', 's2c'), fc.uint8Array({ maxLength: 64 })), { maxLength: 12 }),
      (protocol, chunks) => {
        const msgs = run(protocol, chunks.map(([dir, b]) => ({ dir, bytes: Buffer.from(b) })));
        for (const m of msgs) assert.ok(m.range.end >= m.range.start);
      },
    ),
    { numRuns: 300 },
  );
});
