// The client against hand-written servers on raw sockets: what it sends, and
// each way a handshake can fail (every one reported with its code, none hangs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { acceptKey } from '../../../server-core/ws/handshake.js';
import { encodeFrame } from '../../../server-core/ws/frame-encoder.js';
import { connectWebSocket, WebSocketHandshakeError, type WebSocketClientOptions } from '../../../server-core/ws/client.js';
import type { WebSocketMessage } from '../../../server-core/ws/types.js';
import { waitFor } from '../../support/wait.js';

/** A server that reads the request head and answers with whatever `answer` returns. */
async function rawServer(t: { after(fn: () => unknown): void }, answer: (request: string, key: string, socket: Socket) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let head = '';
    socket.on('data', function onData(d) {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      requests.push(head);
      const key = /\r\nSec-WebSocket-Key: ([^\r]+)/i.exec(head)?.[1] ?? '';
      answer(head, key, socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/path?q=1`, requests };
}

const ok = (key: string, extra = '') => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n${extra}\r\n`;

async function failure(url: string, options: WebSocketClientOptions = {}): Promise<WebSocketHandshakeError> {
  const err = await connectWebSocket(url, options).then(
    (c) => {
      c.connection.terminate();
      return null;
    },
    (e: WebSocketHandshakeError) => e,
  );
  assert.ok(err instanceof WebSocketHandshakeError, 'the handshake succeeded');
  return err;
}

test('sends the handshake with the path, the offer, subprotocols and extra headers; reads frames that came with the 101', async (t) => {
  const { url, requests } = await rawServer(t, (_req, key, s) => s.write(Buffer.concat([Buffer.from(ok(key, 'Sec-WebSocket-Protocol: b\r\n'), 'latin1'), encodeFrame({ opcode: 1, payload: 'welcome' })])));
  const got: WebSocketMessage[] = [];
  const { connection, handshake } = await connectWebSocket(url, { protocols: ['a', 'b'], headers: { Origin: 'http://example.test', 'X-Token': 't' } });
  connection.on('message', (m) => got.push(m));
  assert.equal(connection.protocol, 'b');
  assert.equal(connection.readyState, 'open');
  const req = requests[0];
  assert.match(req, /^GET \/path\?q=1 HTTP\/1.1\r\n/);
  assert.match(req, /\r\nHost: 127\.0\.0\.1:\d+\r\n/);
  assert.match(req, /\r\nSec-WebSocket-Version: 13\r\n/);
  assert.match(req, /\r\nSec-WebSocket-Protocol: a, b\r\n/);
  assert.match(req, /\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/);
  assert.match(req, /\r\nOrigin: http:\/\/example\.test\r\n/);
  assert.match(req, /\r\nX-Token: t\r\n/);
  assert.equal(handshake.requestBytes.toString('latin1'), req);
  assert.match(handshake.responseBytes.toString('latin1'), /^HTTP\/1.1 101 /);
  await waitFor(() => got.length > 0, 'the welcome message');
  assert.deepEqual(got.map((m) => m.text), ['welcome']);
  connection.terminate();
});

test('a wrong Sec-WebSocket-Accept → WS_BAD_ACCEPT', async (t) => {
  const { url } = await rawServer(t, (_r, _k, s) => s.write(ok('not-the-key')));
  assert.equal((await failure(url)).code, 'WS_BAD_ACCEPT');
});

test('a subprotocol that was not offered → WS_BAD_PROTOCOL', async (t) => {
  const { url } = await rawServer(t, (_r, key, s) => s.write(ok(key, 'Sec-WebSocket-Protocol: other\r\n')));
  assert.equal((await failure(url, { protocols: ['mine'] })).code, 'WS_BAD_PROTOCOL');
});

test('an extension that was not offered → WS_BAD_EXTENSIONS', async (t) => {
  const { url } = await rawServer(t, (_r, key, s) => s.write(ok(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n')));
  assert.equal((await failure(url, { perMessageDeflate: false })).code, 'WS_BAD_EXTENSIONS');
});

test('a 101 without Upgrade: websocket → WS_BAD_RESPONSE', async (t) => {
  const { url } = await rawServer(t, (_r, key, s) => s.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`));
  assert.equal((await failure(url)).code, 'WS_BAD_RESPONSE');
});

test('a refusal with a chunked body, then the server closes: status, headers and body are reported', async (t) => {
  const { url } = await rawServer(t, (_r, _k, s) => s.end('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nX-Reason: origin\r\n\r\n5\r\nnope!\r\n0\r\n\r\n'));
  const err = await failure(url);
  assert.equal(err.code, 'WS_HANDSHAKE_REFUSED');
  assert.equal(err.status, 403);
  assert.equal(err.response?.body.toString(), 'nope!');
  assert.ok(err.response?.headers.some((h) => h.name === 'X-Reason' && h.value === 'origin'));
});

test('a refusal whose body runs until the connection closes', async (t) => {
  const { url } = await rawServer(t, (_r, _k, s) => s.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nno length here'));
  const err = await failure(url);
  assert.equal(err.status, 400);
  assert.equal(err.response?.body.toString(), 'no length here');
});

test('a server that never answers → WS_HANDSHAKE_TIMEOUT', async (t) => {
  const { url } = await rawServer(t, () => {});
  assert.equal((await failure(url, { handshakeTimeout: 100 })).code, 'WS_HANDSHAKE_TIMEOUT');
});

test('a server that closes without answering → WS_BAD_RESPONSE; nobody listening → WS_CONNECT_FAILED', async (t) => {
  const { url } = await rawServer(t, (_r, _k, s) => s.end());
  assert.equal((await failure(url)).code, 'WS_BAD_RESPONSE');
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  assert.equal((await failure(`ws://127.0.0.1:${port}/`)).code, 'WS_CONNECT_FAILED');
});

test('URLs: other schemes and fragments are refused before connecting', async () => {
  assert.equal((await failure('ftp://127.0.0.1/')).code, 'WS_BAD_URL');
  assert.equal((await failure('ws://127.0.0.1/#frag')).code, 'WS_BAD_URL');
  assert.equal((await failure('not a url')).code, 'WS_BAD_URL');
});
