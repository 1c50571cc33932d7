// The opening handshake over a real socket: refusals are plain HTTP and end the
// connection; frames that arrive in the same packet as the handshake are read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { encodeFrame } from '../../../server-core/ws/frame-encoder.js';
import { FrameParser } from '../../../server-core/ws/frame-parser.js';
import type { WebSocketFrame } from '../../../server-core/ws/types.js';
import { startWsTestServer, type WsTestServer } from '../../support/ws-test-server.js';

let server: WsTestServer;
before(async () => {
  server = await startWsTestServer({ '/echo': { handler: { onMessage: (p, m) => p.send(m.data, { binary: m.binary }) } } });
});
after(() => server.close());

/** Sends bytes, reads until the server ends the connection (or `until` says enough). */
async function exchange(bytes: Buffer, until?: (got: Buffer) => boolean): Promise<{ data: Buffer; ended: boolean }> {
  const sock = connect(server.port, '127.0.0.1');
  await once(sock, 'connect');
  const chunks: Buffer[] = [];
  let ended = false;
  const done = new Promise<void>((resolve) => {
    sock.on('data', (c) => {
      chunks.push(c);
      if (until?.(Buffer.concat(chunks))) resolve();
    });
    sock.on('end', () => {
      ended = true;
      resolve();
    });
    sock.on('error', () => resolve());
  });
  sock.write(bytes);
  await done;
  sock.destroy();
  return { data: Buffer.concat(chunks), ended };
}

const handshake = (lines: string[]) => Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
const base = ['Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13'];

for (const [name, lines, status] of [
  ['POST', ['POST /echo HTTP/1.1', ...base, 'Content-Length: 0'], 405],
  ['a bad key', ['GET /echo HTTP/1.1', ...base.map((l) => (l.startsWith('Sec-WebSocket-Key') ? 'Sec-WebSocket-Key: short' : l))], 400],
  ['version 7', ['GET /echo HTTP/1.1', ...base.map((l) => (l.startsWith('Sec-WebSocket-Version') ? 'Sec-WebSocket-Version: 7' : l))], 426],
] as const) {
  test(`${name} is refused with ${status} and the connection ends`, async () => {
    const { data, ended } = await exchange(handshake([...lines]));
    const text = data.toString('latin1');
    assert.match(text, new RegExp(`^HTTP/1.1 ${status} `));
    assert.ok(ended, 'the server did not end the connection');
    if (status === 426) assert.match(text, /\r\nSec-WebSocket-Version: 13\r\n/i);
    if (status === 405) assert.match(text, /\r\nAllow: GET\r\n/i);
  });
}

test('without Connection: upgrade a WebSocket handshake is refused by the WebSocket layer with 400, not by the router', async () => {
  // The server hands every head with an Upgrade field on a WebSocket path to the handshake,
  // which answers the missing `Connection: upgrade` precisely (RFC 6455 §4.2.1), then ends.
  const { data, ended } = await exchange(handshake(['GET /echo HTTP/1.1', ...base.filter((l) => !l.startsWith('Connection'))]));
  const text = data.toString('latin1');
  assert.match(text, /^HTTP\/1.1 400 /);
  assert.match(text, /\r\nConnection: close\r\n/i);
  assert.match(text, /upgrade/i, 'the body says what was wrong');
  assert.doesNotMatch(text, /Sec-WebSocket-Accept/i);
  assert.ok(ended, 'the server did not end the connection');
});

test('Connection: keep-alive without upgrade is refused with 400 too', async () => {
  const lines = ['GET /echo HTTP/1.1', ...base.map((l) => (l.startsWith('Connection') ? 'Connection: keep-alive' : l))];
  const { data, ended } = await exchange(handshake(lines));
  assert.match(data.toString('latin1'), /^HTTP\/1.1 400 /);
  assert.ok(ended);
});

test('frames in the same packet as the handshake are read after the 101', async () => {
  const frames = Buffer.concat([encodeFrame({ opcode: 1, payload: 'early bird', mask: true }), encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]), mask: true })]);
  const { data } = await exchange(Buffer.concat([handshake(['GET /echo HTTP/1.1', ...base]), frames]));
  const end = data.indexOf('\r\n\r\n');
  assert.match(data.subarray(0, end).toString('latin1'), /^HTTP\/1.1 101 Switching Protocols\r\n[\s\S]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  const got: WebSocketFrame[] = [];
  const p = new FrameParser({ onFrame: (f) => got.push(f), onError: (e) => assert.fail(e) }, { role: 'client' });
  p.push(data.subarray(end + 4));
  assert.deepEqual(got.map((f) => [f.opcode, f.payload.toString('latin1')]), [[1, 'early bird'], [8, '\x03\xe8']]);
});
