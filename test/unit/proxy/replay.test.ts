// Replaying a captured request: exact bytes, a spec that rebuilds them, a curl
// command, a .http block checked against the real .http parser and resolver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareRequest } from '../../../server-core/client/request-spec.js';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { parseCurl } from '../../../server-core/export/curl.js';
import { httpBlockFromBytes } from '../../../server-core/proxy/http-block.js';
import { capturedRequestBytes, curlFromBytes, ReplayError, requestSpecFromBytes } from '../../../server-core/proxy/replay.js';
import type { CaptureEntry } from '../../../server-core/capture/capture-store.js';

const ORIGIN = 'http://127.0.0.1:3000';
const b = (s: string) => Buffer.from(s, 'latin1');

const CURL_GET = 'GET /a?b=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n';
const NODE_GET = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n';
const POST_JSON = 'POST /echo HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}';
const CHUNKED = 'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';

test('capturedRequestBytes: the range from the capture, without the empty lines before it', () => {
  const entries: CaptureEntry[] = [
    { kind: 'data', dir: 'c2s', t: 0, offset: 0, bytes: b('GET /x HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /y') },
    { kind: 'data', dir: 's2c', t: 0, offset: 0, bytes: b('HTTP/1.1 200 OK\r\n') },
    { kind: 'data', dir: 'c2s', t: 0, offset: 36, bytes: b(' HTTP/1.1\r\nHost: a\r\n\r\n') },
  ];
  assert.equal(capturedRequestBytes(entries, { start: 28, end: 58 }).toString('latin1'), 'GET /y HTTP/1.1\r\nHost: a\r\n\r\n');
  const dropped: CaptureEntry[] = [{ kind: 'dropped', dir: 'c2s', t: 0, offset: 0, length: 10 }, { kind: 'data', dir: 'c2s', t: 0, offset: 10, bytes: b('x') }];
  assert.throws(() => capturedRequestBytes(dropped, { start: 0, end: 11 }), (e: Error) => e instanceof ReplayError && e.code === 'MISSING_BYTES');
});

test('requestSpecFromBytes: every header as captured, none added; the spec rebuilds the exact bytes', () => {
  for (const text of [CURL_GET, NODE_GET, POST_JSON, CHUNKED]) {
    const r = requestSpecFromBytes(b(text), ORIGIN);
    assert.equal(r.exact, true, `${text}: ${r.differences.join('; ')}`);
    assert.equal(prepareRequest(r.spec).bytes.toString('latin1'), text);
  }
  const spaced = requestSpecFromBytes(b('GET / HTTP/1.1\r\nHost:x\r\n\r\n'), ORIGIN);
  assert.equal(spaced.exact, false);
  assert.match(spaced.differences[0], /differs from byte 21/);
  assert.equal(requestSpecFromBytes(b('GET / HTTP/1.0\r\n\r\n'), ORIGIN).exact, false, 'HTTP/1.0 is rebuilt as 1.1, and says so');
  assert.throws(() => requestSpecFromBytes(b('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n'), ORIGIN), /asterisk-form/);
  assert.throws(() => requestSpecFromBytes(b('GET / HTTP/1.1\r\nBad Name: x\r\n\r\n'), ORIGIN), /malformed/);
});

test('curlFromBytes: parses back to the same request; curl’s own headers suppressed', () => {
  const node = curlFromBytes(b(NODE_GET), ORIGIN);
  assert.ok(node.exact);
  assert.match(node.command, /-H User-Agent: \\\n {2}-H Accept:$/);
  for (const text of [CURL_GET, POST_JSON]) {
    const c = curlFromBytes(b(text), ORIGIN, { multiline: false });
    assert.ok(c.exact, c.differences.join('; '));
    const back = parseCurl(c.command);
    assert.equal(prepareRequest({ ...back, options: { ...back.options, keepAlive: true } }).bytes.toString('latin1'), text);
  }
  const chunked = curlFromBytes(b(CHUNKED), ORIGIN);
  assert.equal(chunked.exact, false);
  assert.deepEqual(chunked.differences, ['curl writes the chunked body in chunks of its own sizes']);
  assert.match(chunked.command, /--data-raw abc$/);
});

test('httpBlockFromBytes: a readable request block when it sends the same bytes, a RAW block otherwise', async () => {
  const get = await httpBlockFromBytes(b(CURL_GET), ORIGIN);
  assert.equal(get.form, 'http');
  assert.equal(get.text, '### GET /a?b=1\n# @keep-alive\nGET http://127.0.0.1:3000/a?b=1 HTTP/1.1\nHost: 127.0.0.1:8080\nUser-Agent: curl/8.0\nAccept: */*\n\n');
  const post = await httpBlockFromBytes(b(POST_JSON), ORIGIN, 'saved');
  assert.equal(post.form, 'http');
  assert.match(post.text, /^### saved\n[\s\S]*\n\n\{"a":1\}\n\n$/);

  // node:http sends no User-Agent: a request block would add Wireplay's.
  const node = await httpBlockFromBytes(b(NODE_GET), ORIGIN);
  assert.equal(node.form, 'raw');
  assert.match(node.reason, /User-Agent: wireplay/);
  assert.match(node.text, /^### GET \/\n# Exact bytes as captured: .*\nRAW tcp:\/\/127\.0\.0\.1:3000\nGET \/ HTTP\/1\.1\\r\\n\nHost: x\\r\\n\n/);

  const chunked = await httpBlockFromBytes(b(CHUNKED), 'https://example.test');
  assert.equal(chunked.form, 'raw');
  assert.match(chunked.text, /RAW tls:\/\/example\.test:443\n/);

  const vars = await httpBlockFromBytes(b('POST /v HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n{{name}}'), ORIGIN);
  assert.equal(vars.form, 'raw');
  assert.match(vars.text, /# @encoding hex\n/, '{{name}} in an escaped RAW payload would be substituted: hex instead');

  // Appended after other blocks, each block still parses as one.
  const file = parseHttpFile('@name = x\n\n' + get.text + node.text + vars.text);
  assert.deepEqual(file.blocks.map((x) => x.kind), ['http', 'raw', 'raw']);
});
