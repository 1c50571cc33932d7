// The tally of "Compare the three" counts a way's wire from its capture: every
// byte both ways, the HTTP requests, and the header bytes the dissector finds
// (HTTP heads, the WebSocket handshake, WebSocket frame headers), exactly; and
// it passes every capture event on to the outer emitter. The plain-words line
// says what the numbers say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import { WireTally } from '../../../server-core/playground/compare-tally.js';
import { summarize } from '../../../server-core/playground/compare-chat.js';

const ep = { address: '127.0.0.1', port: 1 };
function open(tally: WireTally, id: string): void {
  tally.emitter.emit('open', { connectionId: id, side: 'client', protocol: 'http', tls: false, local: ep, remote: ep, t: 0, wallTime: 0 });
}
function chunk(tally: WireTally, id: string, dir: 'c2s' | 's2c', bytes: Buffer): void {
  tally.emitter.emit('chunk', { connectionId: id, dir, t: 1, bytes });
}

test('HTTP: bytes both ways, one request per request head, the heads as header bytes, split anywhere', () => {
  const outer = new Emitter<CaptureEvents>();
  let forwarded = 0;
  outer.on('chunk', (c) => (forwarded += c.bytes.length));
  const tally = new WireTally(outer);
  const reqHead = 'POST /sse/chat HTTP/1.1\r\nHost: 127.0.0.1:1\r\nContent-Length: 5\r\n\r\n';
  const resHead = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n';
  const get = 'GET /poll/chat?after=0 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n';
  const res2 = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  const c2s = Buffer.from(reqHead + 'hello' + get);
  const s2c = Buffer.from(resHead + 'ok' + res2 + '2\r\nhi\r\n0\r\n\r\n');
  open(tally, 'a');
  // Split mid-head on purpose: the count does not depend on how the bytes arrived.
  chunk(tally, 'a', 'c2s', c2s.subarray(0, 7));
  chunk(tally, 'a', 'c2s', c2s.subarray(7));
  chunk(tally, 'a', 's2c', s2c.subarray(0, 20));
  chunk(tally, 'a', 's2c', s2c.subarray(20));
  const t = tally.totals();
  assert.deepEqual(t, {
    connections: 1,
    connectionIds: ['a'],
    requests: 2,
    bytesC2s: c2s.length,
    bytesS2c: s2c.length,
    headerBytes: reqHead.length + resHead.length + get.length + res2.length,
  });
  assert.equal(forwarded, c2s.length + s2c.length, 'every chunk went on to the outer capture');
  tally.dispose();
});

test('WebSocket: the handshake heads and each frame header are header bytes', () => {
  const tally = new WireTally();
  const req = 'GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  const res = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
  // A masked text frame "hi" (2 + 4 header bytes) and the server's unmasked "hi" (2 header bytes).
  const masked = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 'h'.charCodeAt(0) ^ 1, 'i'.charCodeAt(0) ^ 2]);
  const plain = Buffer.from([0x81, 0x02, 0x68, 0x69]);
  open(tally, 'w');
  chunk(tally, 'w', 'c2s', Buffer.from(req));
  chunk(tally, 'w', 's2c', Buffer.from(res));
  chunk(tally, 'w', 'c2s', masked);
  chunk(tally, 'w', 's2c', plain);
  const t = tally.totals();
  assert.equal(t.requests, 1);
  assert.equal(t.bytesC2s, req.length + masked.length);
  assert.equal(t.bytesS2c, res.length + plain.length);
  assert.equal(t.headerBytes, req.length + res.length + 6 + 2);
  tally.dispose();
});

test('the line in plain words', () => {
  const base = { messages: [], connectionIds: [], bytesC2s: 3000, bytesS2c: 2072, headerBytes: 4198 };
  assert.equal(summarize({ ...base, way: 'polling', messagesSent: 5, messagesDelivered: 5, requests: 12, connections: 2 }), 'polling: 12 requests on 2 connections for 5 messages, 4.1 KiB of headers, 5.0 KiB in all');
  assert.equal(summarize({ ...base, way: 'websocket', messagesSent: 5, messagesDelivered: 5, requests: 1, connections: 1, headerBytes: 300 }), 'WebSocket: 1 request on 1 connection for 5 messages, 300 B of headers, 5.0 KiB in all');
  assert.equal(
    summarize({ ...base, way: 'sse', messagesSent: 3, messagesDelivered: 2, requests: 4, connections: 2, error: 'message 3 did not arrive within 5000 ms' }),
    'SSE + POST: 4 requests on 2 connections for 2 of 3 messages, 4.1 KiB of headers, 5.0 KiB in all — stopped: message 3 did not arrive within 5000 ms',
  );
});
