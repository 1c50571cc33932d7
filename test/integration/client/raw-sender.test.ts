import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import { parseEscapedBytes, parseHexBytes, sendRaw } from '../../../server-core/client/raw-sender.js';
import { SendError } from '../../../server-core/client/transport.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureChunk, CaptureEvents } from '../../../server-core/capture/types.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { closeServer, freePort, listen, makeCertificate, portOf } from './helpers.js';

let wireplay: WireplayServer;
let wireplayPort = 0;
before(async () => {
  wireplay = createWireplayServer();
  wireplayPort = (await wireplay.listen()).port;
});
after(() => wireplay.close());

test("a malformed request gets our server's 400, and the connection closes", async () => {
  const capture = new Emitter<CaptureEvents>();
  const chunks: CaptureChunk[] = [];
  capture.on('chunk', (c) => chunks.push(c));
  const bytes = parseEscapedBytes('GET / HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n');
  const r = await sendRaw(bytes, { host: '127.0.0.1', port: wireplayPort, capture, idleTimeoutMs: 0 });
  assert.match(r.received.toString('latin1'), /^HTTP\/1\.1 400 /);
  assert.equal(r.end, 'peer-closed');
  assert.equal(r.bytesSent, bytes.length);
  assert.deepEqual(Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes)), bytes);
  assert.deepEqual(Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes)), r.received);
});

test('a pipelined burst gets every response, in order', async () => {
  const one = 'GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n';
  const last = 'GET /status/202 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  const r = await sendRaw(Buffer.from(one + one + last), { host: '127.0.0.1', port: wireplayPort, idleTimeoutMs: 0 });
  const statuses = [...r.received.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['201', '201', '202']);
});

test("node's http server answers malformed bytes from hex with 400", async (t) => {
  const server = await listen(createHttpServer((_req, res) => res.end('ok')));
  t.after(() => closeServer(server));
  // "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
  const bytes = parseHexBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n').toString('hex').replace(/(..)/g, '$1 '));
  const r = await sendRaw(bytes, { host: '127.0.0.1', port: portOf(server), idleTimeoutMs: 0 });
  assert.match(r.received.toString('latin1'), /^HTTP\/1\.1 400 /);
});

function recordingServer() {
  const arrivals: Buffer[] = [];
  let ended = false;
  const sockets = new Set<Socket>();
  const server = createNetServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (c) => arrivals.push(c));
    socket.on('end', () => {
      ended = true;
      // Answer only once our peer has half-closed: proves we kept reading.
      socket.end(`got ${Buffer.concat(arrivals).length} bytes then FIN`);
    });
    socket.on('error', () => {});
  });
  return {
    server,
    arrivals,
    get ended() {
      return ended;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

test('drip-feed: pieces of N bytes every M ms; half-close keeps reading', async (t) => {
  const rec = recordingServer();
  await listen(rec.server);
  t.after(() => rec.close());
  const capture = new Emitter<CaptureEvents>();
  const c2s: CaptureChunk[] = [];
  capture.on('chunk', (c) => c.dir === 'c2s' && c2s.push(c));
  const bytes = Buffer.from('GET /slow HTTP/1.1\r\n');
  const r = await sendRaw(bytes, { host: '127.0.0.1', port: portOf(rec.server), drip: { size: 5, intervalMs: 15 }, halfClose: true, capture, idleTimeoutMs: 0 });
  assert.deepEqual(c2s.map((c) => c.bytes.length), [5, 5, 5, 5]);
  assert.ok(c2s.every((c, i) => i === 0 || c.t > c2s[i - 1].t));
  assert.deepEqual(Buffer.concat(rec.arrivals), bytes);
  assert.ok(rec.arrivals.length >= 2, 'the server saw the bytes arrive in several reads');
  assert.equal(r.received.toString(), 'got 20 bytes then FIN');
  assert.equal(r.peerEnded, true);
  assert.equal(r.end, 'peer-closed');
});

test('drip-feed with explicit pieces; without half-close the idle timeout ends collection', async (t) => {
  const rec = recordingServer();
  await listen(rec.server);
  t.after(() => rec.close());
  const pieces = [Buffer.from('a'), Buffer.from('bcd'), Buffer.from('ef')];
  const r = await sendRaw(Buffer.concat(pieces), { host: '127.0.0.1', port: portOf(rec.server), drip: { pieces, intervalMs: 5 }, idleTimeoutMs: 100 });
  assert.equal(r.end, 'idle-timeout');
  assert.equal(r.receivedBytes, 0);
  assert.equal(rec.ended, false);
  assert.deepEqual(Buffer.concat(rec.arrivals).toString(), 'abcdef');
});

test('the response is bounded by maxReceiveBytes, the rest counted', async (t) => {
  const server = createNetServer((s) => {
    s.on('error', () => {});
    s.resume();
    s.end(Buffer.alloc(100_000, 0x41));
  });
  await listen(server);
  t.after(() => closeServer(server));
  const r = await sendRaw(Buffer.from('x'), { host: '127.0.0.1', port: portOf(server), maxReceiveBytes: 1000, idleTimeoutMs: 0 });
  assert.equal(r.received.length, 1000);
  assert.equal(r.receivedBytes, 100_000);
  assert.equal(r.truncated, true);
});

test('raw over TLS, and the errors that mean no exchange happened', async (t) => {
  const { key, cert } = makeCertificate();
  const server = createTlsServer({ key, cert }, (s) => {
    s.on('error', () => {});
    s.once('data', (d) => s.end(Buffer.concat([Buffer.from('echo:'), d])));
  });
  await listen(server);
  t.after(() => closeServer(server));
  const r = await sendRaw(Buffer.from('\x00hi'), { host: 'localhost', port: portOf(server), tls: true, insecure: true, idleTimeoutMs: 0 });
  assert.equal(r.received.toString('latin1'), 'echo:\x00hi');
  assert.ok(r.timings.tls > 0);
  await assert.rejects(sendRaw(Buffer.from('x'), { host: 'localhost', port: portOf(server), tls: true }), (e: unknown) => e instanceof SendError && e.code === 'TLS_FAILED');
  const port = await freePort();
  await assert.rejects(sendRaw(Buffer.from('x'), { host: '127.0.0.1', port }), (e: unknown) => e instanceof SendError && e.code === 'CONNECTION_REFUSED');
});
