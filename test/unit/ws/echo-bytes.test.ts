// The echo path byte for byte, as `wireplay serve` runs it: a server connection
// with a wire tap that keeps nothing (so masked payloads are unmasked in place
// inside the read chunks, ws/frame-parser.ts ownsInput), masked frames of 16 B,
// 64 KiB (+ header: always across two 64 KiB socket reads) and a fragmented
// message, fed split at many points. Every message the handler gets must equal
// what the client sent, must still equal it once all later bytes are read (a
// message handed out is never modified afterwards, even though its bytes may be
// a view into a read chunk), and the echoed frames must carry the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketConnection } from '../../../server-core/ws/connection.js';
import { encodeFrame, fragmentMessage } from '../../../server-core/ws/frame-encoder.js';
import type { WebSocketHandler, WebSocketMessage } from '../../../server-core/ws/types.js';
import type { WireTap } from '../../../server-core/util/wire-tap.js';
import { FakeSocket } from '../../support/ws-fake-socket.js';

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed + (i >> 8)) & 0xff;
  return b;
}

const KEY = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const sent = [bytes(16, 1), bytes(64 * 1024, 2), bytes(64 * 1024 + 3, 3), bytes(200_000, 4), bytes(16, 5)];
// Wire bytes: single masked frames, except the 200,000-byte message in 5 fragments.
const wire = Buffer.concat([
  encodeFrame({ opcode: 2, payload: sent[0], mask: KEY }),
  encodeFrame({ opcode: 2, payload: sent[1], mask: KEY }),
  encodeFrame({ opcode: 2, payload: sent[2], mask: KEY }),
  ...fragmentMessage({ opcode: 2, payload: sent[3], fragments: 5, mask: KEY }),
  encodeFrame({ opcode: 2, payload: sent[4], mask: KEY }),
]);

/** Read sizes: like a socket (64 KiB), tiny, odd, and one read of everything. */
const splits: [string, number][] = [
  ['64 KiB reads', 64 * 1024],
  ['1-byte reads', 1],
  ['7-byte reads', 7],
  ['4,099-byte reads', 4099],
  ['one read', wire.length],
];

for (const [name, size] of splits) {
  test(`echo is byte-exact and a delivered message is never modified afterwards (${name})`, async () => {
    const sock = new FakeSocket('server');
    const tap: WireTap = { read: () => false, wrote: () => {} };
    const delivered: WebSocketMessage[] = [];
    const atDelivery: Buffer[] = [];
    const handler: WebSocketHandler = {
      onMessage(peer, message) {
        delivered.push(message);
        atDelivery.push(Buffer.from(message.data));
        peer.send(message.data, { binary: message.binary });
      },
    };
    const conn = new WebSocketConnection(sock.asDuplex(), { role: 'server', id: 'echo', protocol: '', extensions: '', deflate: null, handler, tap, options: {} });
    const errors: Error[] = [];
    conn.on('error', (e) => errors.push(e));
    conn.start(Buffer.alloc(0));
    await new Promise<void>((r) => process.nextTick(r));
    // Each read is a fresh buffer, as Node's are (the parser may unmask it in place).
    for (let i = 0; i < wire.length; i += size) sock.emit('data', Buffer.from(wire.subarray(i, i + size)));
    assert.deepEqual(errors, []);
    assert.equal(delivered.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      assert.ok(atDelivery[i].equals(sent[i]), `message ${i} as delivered`);
      assert.ok(delivered[i].data.equals(sent[i]), `message ${i} modified after it was delivered`);
    }
    const echoed = sock.frames.filter((f) => f.opcode === 2);
    assert.equal(echoed.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      assert.equal(echoed[i].maskKey, null, `echo ${i} is unmasked`);
      assert.ok(echoed[i].payload.equals(sent[i]), `echo ${i} bytes`);
    }
    conn.terminate();
  });
}
