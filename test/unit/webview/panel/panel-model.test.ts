// The webview's pure parts: byte helpers, the capture model behind the
// virtualised views, field lookup for hover, and the timeline layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, fromEscapedText, fromHex, toBase64, toEscapedText } from '../../../../webview/panel/bytes-util.js';
import { fieldAt, messageAt } from '../../../../webview/panel/bytes-view.js';
import { httpChunkedExchange, malformedRaw, wsSession } from '../../../../webview/panel/fixtures.js';
import { bodyKind } from '../../../../webview/panel/parsed-view.js';
import { ConnCapture } from '../../../../webview/panel/conn-capture.js';
import { layoutTimeline } from '../../../../webview/panel/timeline.js';

test('base64 round-trips every length and matches Buffer', () => {
  for (let n = 0; n < 70; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 255);
    const b64 = toBase64(bytes);
    assert.equal(b64, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(fromBase64(b64), bytes);
  }
  assert.throws(() => fromBase64('ab$c'), /invalid base64/);
});

test('text with escapes and hex become exact bytes', () => {
  assert.deepEqual([...fromEscapedText('GET / HTTP/1.1\\r\\n\\x00\\t\\\\é')], [...Buffer.from('GET / HTTP/1.1\r\n\x00\t\\é')]);
  assert.throws(() => fromEscapedText('\\q'), /unknown escape \\q at 0/);
  assert.throws(() => fromEscapedText('ab\\xZ1'), /bad \\x escape at 2/);
  assert.deepEqual([...fromHex('48 65:6c,0x6c 6f')], [...Buffer.from('Hello')]);
  assert.throws(() => fromHex('abc'), /even number/);
  assert.equal(toEscapedText(Buffer.from('a\r\nb\x01'), false), 'a\\r\\nb\\x01');
  assert.deepEqual(fromEscapedText(toEscapedText(Buffer.from('x\r\n\\\x7f'), false)), Uint8Array.from(Buffer.from('x\r\n\\\x7f')));
});

test('the capture model maps rows, offsets and slices across chunks', () => {
  const f = httpChunkedExchange();
  const c = new ConnCapture(f.info);
  for (const ch of f.chunks) c.addChunk(ch.dir, ch.t, ch.bytes);
  c.upsertMessages(f.messages);
  assert.equal(c.chunkCount, 4);
  const rows = f.chunks.reduce((s, ch) => s + Math.ceil(ch.bytes.length / 16), 0);
  assert.equal(c.rowCount, rows);
  // The last byte of the response is on the last row; its first byte on the first s2c row.
  assert.equal(c.rowOf('s2c', c.streamLen.s2c - 1), rows - 1);
  assert.equal(c.rowOf('s2c', 0), Math.ceil(f.chunks[0].bytes.length / 16));
  assert.equal(c.rowOf('c2s', 10_000), -1);
  assert.equal(c.chunkOfRow(rows - 1), 3);
  const res = f.messages[1];
  assert.equal(Buffer.from(c.slice('s2c', res.range.start, res.range.end)).toString().slice(0, 15), 'HTTP/1.1 200 OK');
  assert.match(Buffer.from(c.slice('s2c', 0, c.streamLen.s2c)).toString(), /0\r\n\r\n$/);
});

test('hovering a byte finds its deepest field; fixtures ranges are exact', () => {
  const f = httpChunkedExchange();
  const s2c = Buffer.concat(f.chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes));
  const res = messageAt(f.messages.filter((m) => m.dir === 's2c'), 0)!;
  assert.equal(res.summary, '200 OK (chunked)');
  const sizeAt = s2c.indexOf('15\r\n');
  const hit = fieldAt(res, sizeAt)!;
  assert.equal(hit.field.name, 'Size');
  assert.equal(s2c.subarray(hit.field.range.start, hit.field.range.end).toString(), '15');
  const dataAt = s2c.indexOf('{"id"');
  assert.equal(fieldAt(res, dataAt)!.field.name, 'Chunk data');

  const ws = wsSession(6);
  const frame = ws.messages.find((m) => m.kind === 'ws-frame' && m.dir === 'c2s')!;
  const c2s = Buffer.concat(ws.chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
  const head = fieldAt(frame, frame.range.start)!;
  assert.equal(head.field.name, 'FIN');
  assert.equal(c2s[frame.range.start] & 0x8f, 0x81);
  const key = frame.fields.find((x) => x.name === 'Masking key')!;
  assert.equal(key.range.end - key.range.start, 4);
  const payload = frame.fields.find((x) => x.name === 'Payload (masked)')!;
  const unmasked = Buffer.from(c2s.subarray(payload.range.start, payload.range.end)).map((b, i) => b ^ c2s[key.range.start + (i & 3)]);
  assert.equal(unmasked.toString(), 'chat #0 from the client');
  assert.equal(messageAt(ws.messages.filter((m) => m.dir === 'c2s'), c2s.length), undefined);
});

test('timeline layout: HTTP takes turns, WebSocket messages cross, responses find their request', () => {
  const http = layoutTimeline(httpChunkedExchange().messages);
  assert.deepEqual(http.msgs.map((m) => m.dir), ['c2s', 's2c']);
  assert.deepEqual([...http.endRow], [0, 1]);
  assert.equal(http.answerOf[1], 0);

  const ws = layoutTimeline(wsSession(9).messages);
  // Ordered by first byte; some frames are still in flight when the next one starts: their arrows reach down.
  for (let i = 1; i < ws.msgs.length; i++) assert.ok(ws.msgs[i].tStart >= ws.msgs[i - 1].tStart);
  const crossing = [...ws.endRow].map((e, i) => e - i).filter((d) => d > 0).length;
  assert.ok(crossing >= 2, `expected crossing arrows, got ${crossing}`);
  const cross = [...ws.endRow].findIndex((e, i) => e > i);
  assert.notEqual(ws.msgs[cross].dir, ws.msgs[cross + 1].dir);
});

test('an error is kept at its byte and bodies are typed by content and sniffing', () => {
  const raw = malformedRaw();
  assert.equal(raw.messages[0].error?.offset, 20);
  assert.equal(bodyKind('application/json; charset=utf-8', Buffer.from('{}')), 'json');
  assert.equal(bodyKind('text/html', Buffer.from('<p>')), 'html');
  assert.equal(bodyKind('image/png', Buffer.from([0x89, 0x50])), 'image');
  assert.equal(bodyKind('', Buffer.from([0, 1, 2, 3])), 'binary');
  assert.equal(bodyKind('', Buffer.from('[1,2]')), 'json');
  assert.equal(bodyKind('application/octet-stream', new Uint8Array()), 'empty');
});
