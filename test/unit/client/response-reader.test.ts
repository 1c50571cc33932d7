// The response reader without a socket: bytes pushed in any split, the
// response it builds, and how it settles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ResponseReader, decodeContent } from '../../../server-core/client/response-reader.js';
import { SendError } from '../../../server-core/client/transport.js';

const reader = (o: Partial<ConstructorParameters<typeof ResponseReader>[0]> = {}) => new ResponseReader({ isHead: false, previewBytes: 1024, ...o });

test('a chunked response with a 100 Continue before it, fed byte by byte', async () => {
  const bytes = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n', 'latin1');
  const r = reader();
  for (const b of bytes) r.push(Buffer.from([b]));
  await r.done;
  const res = r.result();
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.informational.map((i) => i.statusCode), [100]);
  assert.equal(res.rawHead.toString('latin1'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
  assert.equal(res.body.toString(), 'abc');
  assert.deepEqual(res.trailers, [{ name: 'X-Sum', value: '1' }]);
  assert.equal(res.keepAlive, true);
});

test('the preview is bounded; the whole length is counted; a complete gzip body is decoded', async () => {
  const big = reader({ previewBytes: 4 });
  big.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789'));
  await big.done;
  const r1 = big.result();
  assert.deepEqual([r1.body.toString(), r1.bodyBytes, r1.bodyTruncated], ['0123', 10, true]);

  const gz = gzipSync('hello');
  const small = reader();
  small.push(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz]));
  await small.done;
  assert.equal(small.result().decodedBody?.toString(), 'hello');
  assert.equal(decodeContent(Buffer.from('x'), 'compress'), undefined);
});

test('a body delimited by the close ends when the peer closes; a cut one fails CONNECTION_CLOSED', async () => {
  const eof = reader();
  eof.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\nuntil close'));
  eof.peerClosed('h');
  await eof.done;
  assert.equal(eof.result().body.toString(), 'until close');
  assert.equal(eof.result().keepAlive, false);

  const cut = reader();
  cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
  cut.peerClosed('h');
  await assert.rejects(cut.done, (e: SendError) => e.code === 'CONNECTION_CLOSED');

  const none = reader();
  none.peerClosed('example.test');
  await assert.rejects(none.done, /example\.test closed the connection without a response/);
});

test('invalid bytes fail INVALID_RESPONSE with the offset; a redirect head is not the answer', async () => {
  const bad = reader();
  bad.push(Buffer.from('HTTX/1.1 200 OK\r\n\r\n'));
  await assert.rejects(bad.done, (e: SendError) => e.code === 'INVALID_RESPONSE' && /at byte 3/.test(e.message));

  const seen: string[] = [];
  const redirect = reader({ isRedirect: () => true, onBody: (c) => seen.push(c.toString()) });
  redirect.push(Buffer.from('HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nno'));
  await redirect.done;
  assert.deepEqual(seen, []);
  assert.equal(redirect.result().body.toString(), 'no');
});
