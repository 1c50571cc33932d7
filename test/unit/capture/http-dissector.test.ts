import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionDissector, type DetailedMessage } from '../../../server-core/capture/dissector.js';
import { run, shape, field, r, REQUEST, type Feed } from './dissect-helpers.js';

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

test('after a message larger than the retained window, the next one still shows its bytes', () => {
  const body = Buffer.alloc(100 * 1024, 0x62);
  const bytes = Buffer.concat([Buffer.from(`POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n`), body, Buffer.from('BAD\r\n\r\n')]);
  for (const split of ['whole', 4096] as const) {
    const msgs = run('http', [{ dir: 'c2s', bytes }], split);
    assert.equal(msgs[0].summary, 'POST /big HTTP/1.1 (102 400 B body)');
    const bad = msgs[1];
    assert.equal(bad.range.start, bytes.length - 7);
    assert.ok(bad.error);
    assert.equal(bad.fields[0].value, 'BAD\\r\\n');
  }
});

test('a message starts at the time of its first byte and ends at the time of its last', () => {
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector('c', 'http', { onMessage: (m) => out.push(m) });
  d.push('c2s', REQUEST.subarray(0, 10), 1);
  d.push('c2s', REQUEST.subarray(10, 60), 2);
  d.push('c2s', Buffer.concat([REQUEST.subarray(60), Buffer.from('GET /b HTT')]), 3);
  d.push('c2s', Buffer.from('P/1.1\r\nHost: a\r\n\r\n'), 4);
  assert.deepEqual(out.map((m) => [m.tStart, m.tEnd]), [[1, 3], [3, 4]]);
});
