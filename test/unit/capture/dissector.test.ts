import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { ConnectionDissector, dissectEntries, type DetailedMessage } from '../../../server-core/capture/dissector.js';
import type { DissectedField } from '../../../server-core/capture/dissection-types.js';
import type { Direction, WireProtocol } from '../../../server-core/capture/types.js';

type Feed = { dir: Direction; bytes: Buffer };

function run(protocol: WireProtocol, feeds: Feed[], split: 'whole' | 'bytes' | number = 'whole', extensions?: string): DetailedMessage[] {
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector('c1', protocol, { onMessage: (m) => out.push(m) });
  if (extensions !== undefined) d.switchProtocol({ connectionId: 'c1', t: 0, protocol: 'ws', c2sOffset: 0, s2cOffset: 0, extensions });
  let t = 0;
  for (const f of feeds) {
    if (split === 'whole') d.push(f.dir, f.bytes, ++t);
    else {
      const step = split === 'bytes' ? 1 : split;
      for (let i = 0; i < f.bytes.length; i += step) d.push(f.dir, f.bytes.subarray(i, i + step), ++t);
    }
  }
  d.end(++t);
  return out;
}

/** The message without times and ids (which depend on how the bytes were split). */
function shape(m: DetailedMessage): unknown {
  const { id: _id, tStart: _a, tEnd: _b, http: _h, ws: _w, ...rest } = m;
  return rest;
}

function field(fields: DissectedField[], ...path: string[]): DissectedField {
  let list = fields;
  let f: DissectedField | undefined;
  for (const name of path) {
    f = list.find((x) => x.name === name);
    assert.ok(f, `no field ${path.join(' > ')} (at ${name}; have ${list.map((x) => x.name).join(', ')})`);
    list = f.children ?? [];
  }
  return f!;
}

const r = (start: number, end: number) => ({ start, end });

const REQUEST = Buffer.from('POST /echo?x=1 HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\nhello');

test('an HTTP request: start line parts, each header, the empty line and the body, at their offsets', () => {
  const [m] = run('http', [{ dir: 'c2s', bytes: REQUEST }]);
  assert.equal(m.kind, 'http-request');
  assert.equal(m.summary, 'POST /echo?x=1 HTTP/1.1 (5 B body)');
  assert.deepEqual(m.range, r(0, REQUEST.length));
  assert.equal(m.sequence, 0);
  assert.deepEqual(field(m.fields, 'Request line').range, r(0, 23));
  assert.deepEqual(field(m.fields, 'Request line', 'Method').range, r(0, 4));
  assert.equal(field(m.fields, 'Request line', 'Method').value, 'POST');
  assert.deepEqual(field(m.fields, 'Request line', 'Target').range, r(5, 14));
  assert.deepEqual(field(m.fields, 'Request line', 'Version').range, r(15, 23));
  const host = field(m.fields, 'Host');
  assert.deepEqual(host.range, r(25, 43));
  assert.equal(host.value, 'example.test');
  assert.deepEqual(field(m.fields, 'Host', 'Name').range, r(25, 29));
  assert.deepEqual(field(m.fields, 'Host', 'Value').range, r(31, 43));
  assert.deepEqual(field(m.fields, 'Content-Length').range, r(45, 62));
  assert.deepEqual(field(m.fields, 'End of head').range, r(64, 66));
  const body = field(m.fields, 'Body');
  assert.deepEqual(body.range, r(66, 71));
  assert.equal(body.value, '5 B "hello"');
  assert.ok(body.explain && host.explain);
  assert.equal(REQUEST.subarray(66, 71).toString(), 'hello');
});

const CHUNKED = Buffer.from(
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;a=b\r\nhello\r\n' + 'B\r\n world!!!!!\r\n' + '0\r\nX-Sum: 9\r\n\r\n',
);

test('a chunked response: chunk-size lines, chunk data, last chunk and trailers at their offsets', () => {
  const msgs = run('http', [
    { dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n') },
    { dir: 's2c', bytes: CHUNKED },
  ]);
  const m = msgs[1];
  assert.equal(m.kind, 'http-response');
  assert.equal(m.sequence, 0);
  assert.equal(m.summary, '200 OK (16 B body)');
  assert.deepEqual(m.range, r(0, CHUNKED.length));
  const body = field(m.fields, 'Chunked body');
  const kids = body.children!;
  assert.deepEqual(
    kids.map((k) => [k.name, k.range.start, k.range.end]),
    [
      ['Chunk size', 47, 54],
      ['Chunk data', 54, 59],
      ['Chunk size', 61, 64],
      ['Chunk data', 64, 75],
      ['Last chunk', 77, 80],
      ['Trailers', 80, 92],
    ],
  );
  assert.deepEqual(field(kids, 'Chunk size', 'Size').range, r(47, 48));
  assert.equal(field(kids, 'Chunk size', 'Extensions').value, ';a=b');
  assert.deepEqual(field(kids, 'Chunk size', 'Extensions').range, r(48, 52));
  assert.deepEqual(field(kids, 'Trailers', 'X-Sum').range, r(80, 88));
  assert.deepEqual(m.http?.trailers, [{ name: 'X-Sum', value: '9' }]);
  assert.equal(m.http?.bodySize, 16);
});

test('splitting the bytes anywhere yields the same messages and offsets', () => {
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: REQUEST },
    { dir: 's2c', bytes: CHUNKED },
    { dir: 'c2s', bytes: Buffer.from('GET /two HTTP/1.1\r\nHost: a\r\n\r\n') },
  ];
  const whole = run('http', feeds).map(shape);
  assert.deepEqual(run('http', feeds, 'bytes').map(shape), whole);
  for (const n of [2, 3, 7, 13]) assert.deepEqual(run('http', feeds, n).map(shape), whole);
});

test('responses pair with their requests, interim 1xx included', () => {
  const msgs = run('http', [
    { dir: 'c2s', bytes: Buffer.from('GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n') },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n') },
  ]);
  assert.deepEqual(
    msgs.map((m) => [m.kind, m.summary, m.sequence]),
    [
      ['http-request', 'GET /a HTTP/1.1', 0],
      ['http-request', 'GET /b HTTP/1.1', 1],
      ['http-response', '100 Continue', 0],
      ['http-response', '200 OK', 0],
      ['http-response', '404 Not Found', 1],
    ],
  );
});

test('a response to HEAD has no body whatever it declares', () => {
  const msgs = run('http', [
    { dir: 'c2s', bytes: Buffer.from('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n') },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc') },
  ]);
  const res = msgs.filter((m) => m.kind === 'http-response');
  assert.equal(res.length, 2);
  assert.equal(res[0].http?.bodySize, 0);
  assert.equal(res[1].http?.bodySize, 3);
  assert.deepEqual(res[1].range, r(38, 79));
});

// RFC 6455 §5.7: a single-frame masked text message "Hello".
const MASKED_HELLO = Buffer.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
const UPGRADE_REQ = Buffer.from(
  'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
const UPGRADE_RES = Buffer.from(
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
);

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

test('malformed HTTP is dissected up to the error, marked at its byte', () => {
  const [m] = run('http', [{ dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\nHost : x\r\n\r\n') }]);
  assert.equal(m.error?.code, 'WHITESPACE_BEFORE_COLON');
  assert.equal(m.error?.offset, 20);
  const bad = m.fields.find((f) => f.error)!;
  assert.deepEqual(bad.range, r(16, 26));
  assert.equal(bad.value, 'Host : x\\r\\n');

  const [bareLf] = run('http', [{ dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\nA: b\r\n\r\n') }]);
  assert.equal(bareLf.error?.code, 'BARE_LF');
  assert.equal(bareLf.error?.offset, 23);

  const [chunk] = run('http', [{ dir: 's2c', bytes: Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n') }]);
  assert.equal(chunk.error?.code, 'INVALID_CHUNK_SIZE');
  assert.equal(chunk.error?.offset, 57);
  const line = field(chunk.fields, 'Chunked body').children!.find((f) => f.error)!;
  assert.deepEqual(line.range, r(57, 61));
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

test('the number of fields of one message is bounded', () => {
  let body = '';
  for (let i = 0; i < 2000; i++) body += '1\r\nx\r\n';
  const bytes = Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`);
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector('c', 'http', { onMessage: (m) => out.push(m), maxFieldsPerMessage: 100 });
  d.push('s2c', bytes, 1);
  const chunks = field(out[0].fields, 'Chunked body').children!;
  assert.ok(chunks.length < 110, `got ${chunks.length}`);
  const listed = chunks.filter((c) => c.name === 'Chunk size').length;
  assert.equal(Number(field(chunks, 'More chunks').value!.replace(/ /g, '')), 2000 - listed);
  assert.equal(out[0].http?.bodySize, 2000);
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
