// Autobahn group 9 (large messages), generated here rather than stored: single
// frames of 64 KiB to 16 MiB, and a 4 MiB message fragmented into frames of
// 64 B to 4 MiB, text and binary, fed in 64 KiB chunks like a socket would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { WebSocketConnection } from '../../../server-core/ws/connection.js';
import { encodeFrame, fragmentMessage } from '../../../server-core/ws/frame-encoder.js';
import type { WebSocketMessage } from '../../../server-core/ws/types.js';
import { FakeSocket } from '../../support/ws-fake-socket.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function payload(size: number, text: boolean): Buffer {
  const b = Buffer.allocUnsafe(size);
  if (text) {
    const pattern = Buffer.from('Wireplay κόσμε 日本 — ');
    for (let i = 0; i < size; i += pattern.length) pattern.copy(b, i, 0, Math.min(pattern.length, size - i));
    // End on a character boundary: pad the cut tail with ASCII.
    let end = size;
    while (end > 0 && (b[end - 1] & 0xc0) === 0x80) end--;
    if (end > 0 && b[end - 1] >= 0xc0) end--;
    b.fill(0x2e, end);
  } else for (let i = 0; i < size; i++) b[i] = (i * 131 + (i >> 8)) & 0xff;
  return b;
}

async function deliver(frames: Buffer[]): Promise<WebSocketMessage[]> {
  const sock = new FakeSocket('server');
  const conn = new WebSocketConnection(sock.asDuplex(), { role: 'server', id: 'big', protocol: '', extensions: '', deflate: null, options: { maxPayload: 32 * 1024 * 1024 } });
  const got: WebSocketMessage[] = [];
  const errors: Error[] = [];
  conn.on('message', (m) => got.push(m));
  conn.on('error', (e) => errors.push(e));
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  // Feed in 64 KiB pieces regardless of frame boundaries.
  const CHUNK = 64 * 1024;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for (const f of frames) {
    pending.push(f);
    pendingLen += f.length;
    if (pendingLen >= CHUNK) {
      const all = Buffer.concat(pending, pendingLen);
      let i = 0;
      for (; i + CHUNK <= all.length; i += CHUNK) sock.emit('data', all.subarray(i, i + CHUNK));
      pending = i < all.length ? [all.subarray(i)] : [];
      pendingLen = all.length - i;
    }
  }
  if (pendingLen) sock.emit('data', Buffer.concat(pending, pendingLen));
  assert.deepEqual(errors, []);
  conn.terminate();
  return got;
}

for (const text of [true, false]) {
  for (const size of [64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024]) {
    test(`9.${text ? 1 : 2} ${text ? 'text' : 'binary'} message of ${size / 1024} KiB in one frame`, async () => {
      const p = payload(size, text);
      const got = await deliver([encodeFrame({ opcode: text ? 1 : 2, payload: p, mask: true })]);
      assert.equal(got.length, 1);
      assert.equal(got[0].binary, !text);
      assert.equal(sha(got[0].data), sha(p));
    });
  }
}

for (const text of [true, false]) {
  const size = 4 * 1024 * 1024;
  const p = payload(size, text);
  for (const frag of [64, 256, 1024, 4096, 16384, 65536, 262144, 1024 * 1024, 4 * 1024 * 1024]) {
    test(`9.${text ? 3 : 4} ${text ? 'text' : 'binary'} 4 MiB message in fragments of ${frag} B`, async () => {
      const frames = fragmentMessage({ opcode: text ? 1 : 2, payload: p, fragments: Array.from({ length: size / frag }, () => frag), mask: true });
      const got = await deliver(frames);
      assert.equal(got.length, 1);
      assert.equal(sha(got[0].data), sha(p));
      if (text) assert.equal(got[0].text?.length, p.toString('utf8').length);
    });
  }
}
