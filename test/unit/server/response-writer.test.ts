// The pure serialisation and the response object over a fake sink (no sockets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HttpResponseWriter,
  encodeChunk,
  httpDate,
  serializeResponse,
  serializeResponseHead,
  validateHeaderName,
  validateHeaderValue,
  type ResponseSink,
  type ResponseContext,
} from '../../../server-core/server/response-writer.js';

function fakeSink(close = false): ResponseSink & { out: Buffer[]; text(): string; finished: number } {
  const sink = {
    out: [] as Buffer[],
    finished: 0,
    text() {
      return Buffer.concat(this.out).toString('latin1');
    },
    writeResponseBytes(_res: HttpResponseWriter, data: Buffer) {
      sink.out.push(Buffer.from(data));
      return true;
    },
    waitForDrain: () => Promise.resolve(),
    mustClose: () => close,
    responseFinished() {
      sink.finished++;
    },
  };
  return sink;
}

const ctx = (over: Partial<ResponseContext> = {}): ResponseContext => ({ head: false, http10: false, keepAlive: true, ...over });
const withoutDate = (s: string) => s.replace(/Date: [^\r]+\r\n/, '');

test('serializeResponseHead: status line, headers in order, repeated fields, blank line', () => {
  assert.equal(
    serializeResponseHead(404, undefined, [
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', ['a=1', 'b=2']],
      ['Content-Length', 0],
    ]),
    'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 0\r\n\r\n',
  );
  assert.equal(serializeResponseHead(299, 'Custom', []), 'HTTP/1.1 299 Custom\r\n\r\n');
});

test('serializeResponse fills Content-Length; encodeChunk frames; empty chunk is empty', () => {
  assert.equal(serializeResponse({ statusCode: 200, body: 'hi' }).toString(), 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  assert.equal(serializeResponse({ statusCode: 204 }).toString(), 'HTTP/1.1 204 No Content\r\n\r\n');
  assert.equal(encodeChunk(Buffer.alloc(26, 0x61)).toString(), `1a\r\n${'a'.repeat(26)}\r\n`);
  assert.equal(encodeChunk(Buffer.alloc(0)).length, 0);
});

test('validation: names must be tokens; values refuse CR, LF, NUL and controls', () => {
  validateHeaderName('X-Good_1.~');
  for (const bad of ['', 'a b', 'a:b', 'x\r\ny', 'é']) assert.throws(() => validateHeaderName(bad), { code: 'INVALID_HEADER_NAME' });
  validateHeaderValue('x', 'tab\tand obs-text \xe9');
  validateHeaderValue('x', 42);
  for (const bad of ['a\rb', 'a\nb', 'a\0b', 'a\x7fb', '\u2028', ['ok', 'x\ny']]) {
    assert.throws(() => validateHeaderValue('x', bad), { code: 'INVALID_HEADER_VALUE' });
  }
});

test('end(data): one buffer with Content-Length and Date', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx());
  res.setHeader('Content-Type', 'text/plain');
  res.end('hello');
  assert.equal(sink.out.length, 1);
  assert.equal(withoutDate(sink.text()), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello');
  assert.match(sink.text(), /Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  assert.equal(sink.finished, 1);
  assert.equal(res.finished, true);
});

test('write() without a length: chunked, ended by the last chunk', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx());
  res.write('ab');
  res.write('');
  res.end('cde');
  assert.equal(withoutDate(sink.text()), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n');
});

test('writeHead then end(data) still gets a Content-Length; setHeader after writeHead throws', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx());
  res.writeHead(201, { 'X-A': '1' });
  assert.equal(res.headersSent, true);
  assert.throws(() => res.setHeader('X-B', '2'), { code: 'HEADERS_SENT' });
  res.end('xyz');
  assert.equal(withoutDate(sink.text()), 'HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nxyz');
});

test('a declared Content-Length is enforced', () => {
  const res = new HttpResponseWriter(fakeSink(), ctx());
  res.setHeader('Content-Length', 3);
  res.write('ab');
  assert.throws(() => res.write('cd'), { code: 'ERR_CONTENT_LENGTH_MISMATCH' });
  const short = new HttpResponseWriter(fakeSink(), ctx());
  short.setHeader('Content-Length', 10);
  short.end('abc');
  assert.equal(short.incomplete, true);
});

test('HEAD: headers as for GET, no body bytes, no last chunk', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx({ head: true }));
  res.end('hello');
  assert.equal(withoutDate(sink.text()), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
  const sink2 = fakeSink();
  const res2 = new HttpResponseWriter(sink2, ctx({ head: true }));
  res2.write('a');
  res2.end('b');
  assert.equal(withoutDate(sink2.text()), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
});

test('204 and 304 carry no framing headers and no body', () => {
  for (const status of [204, 304]) {
    const sink = fakeSink();
    const res = new HttpResponseWriter(sink, ctx());
    res.statusCode = status;
    res.end('ignored');
    assert.doesNotMatch(sink.text(), /Content-Length|Transfer-Encoding|ignored/);
  }
});

test('Connection: close when the connection says so; keep-alive echoed for HTTP/1.0; 1.0 streaming is close-delimited', () => {
  const a = fakeSink(true);
  const ra = new HttpResponseWriter(a, ctx());
  ra.end();
  assert.match(a.text(), /Connection: close\r\n/);
  assert.equal(ra.closeAfter, true);

  const b = fakeSink();
  new HttpResponseWriter(b, ctx({ http10: true })).end('x');
  assert.match(b.text(), /Connection: keep-alive\r\n/);

  const c = fakeSink();
  const rc = new HttpResponseWriter(c, ctx({ http10: true }));
  rc.write('x');
  rc.end();
  assert.match(c.text(), /Connection: close\r\n/);
  assert.doesNotMatch(c.text(), /Transfer-Encoding/);
  assert.ok(c.text().endsWith('\r\n\r\nx'));
});

test('a handler setting Connection: close makes the connection close', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx());
  res.setHeader('Connection', 'close');
  res.end();
  assert.equal(res.closeAfter, true);
});

test('httpDate is cached per second and correct', () => {
  const t = Date.UTC(2024, 0, 2, 3, 4, 5, 600);
  assert.equal(httpDate(t), 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal(httpDate(t + 300), 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal(httpDate(t + 400), 'Tue, 02 Jan 2024 03:04:06 GMT');
});

test('a detached response ignores the handler', () => {
  const sink = fakeSink();
  const res = new HttpResponseWriter(sink, ctx());
  res.detach();
  res.setHeader('X', '1');
  assert.equal(res.write('x'), true);
  res.end('y');
  assert.equal(sink.out.length, 0);
});

test('statusMessage is checked when set, like a header value; a valid one is written', () => {
  const res = new HttpResponseWriter(fakeSink(), ctx());
  for (const bad of ['x\r\nX-Injected: 1', 'a\nb', 'nul\0']) {
    assert.throws(() => (res.statusMessage = bad), { name: 'HeaderValidationError', code: 'INVALID_STATUS' }, JSON.stringify(bad));
  }
  assert.throws(() => (res.statusMessage = 42 as unknown as string), { code: 'INVALID_STATUS' });
  assert.equal(res.statusMessage, undefined, 'a refused value is not kept');
  const sink = fakeSink();
  const ok = new HttpResponseWriter(sink, ctx());
  ok.statusMessage = 'Quite Fine';
  ok.end('x');
  assert.match(sink.text(), /^HTTP\/1\.1 200 Quite Fine\r\n/);
});

test('destroy(): the sink is told once, the response turns inert and is never ended', () => {
  const abandoned: unknown[] = [];
  const sink = Object.assign(fakeSink(), { responseAbandoned: (_r: HttpResponseWriter, e: unknown) => abandoned.push(e) });
  const res = new HttpResponseWriter(sink, ctx());
  res.write('partial');
  const err = new Error('late');
  res.destroy(err);
  res.destroy(err);
  assert.deepEqual(abandoned, [err]);
  res.write('more');
  res.end('end');
  assert.equal(sink.finished, 0, 'responseFinished never comes: the sink cut it');
  assert.doesNotMatch(sink.text(), /0\r\n\r\n$/);
  assert.doesNotMatch(sink.text(), /more|end/);
});
