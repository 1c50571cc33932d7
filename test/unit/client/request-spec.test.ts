import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRequestSpec,
  prepareRequest,
  RequestSpecError,
  withoutAutoHeader,
  WIREPLAY_USER_AGENT,
} from '../../../server-core/client/request-spec.js';

test('a GET becomes exactly these bytes, auto headers marked', () => {
  const p = prepareRequest(createRequestSpec({ url: 'http://example.test:8080/a/b?x=1&y=%20', headers: [{ name: 'X-Test', value: ' yes ' }] }));
  assert.equal(
    p.bytes.toString(),
    'GET /a/b?x=1&y=%20 HTTP/1.1\r\n' +
      'Host: example.test:8080\r\n' +
      `User-Agent: ${WIREPLAY_USER_AGENT}\r\n` +
      'Accept: */*\r\n' +
      'X-Test: yes\r\n' +
      'Connection: close\r\n' +
      '\r\n',
  );
  assert.deepEqual(
    p.headers.map((h) => [h.name, h.auto, h.autoName]),
    [
      ['Host', true, 'host'],
      ['User-Agent', true, 'userAgent'],
      ['Accept', true, 'accept'],
      ['X-Test', false, undefined],
      ['Connection', true, 'connection'],
    ],
  );
  assert.equal(p.host, 'example.test');
  assert.equal(p.port, 8080);
  assert.equal(p.tls, false);
  assert.equal(p.target, '/a/b?x=1&y=%20');
});

test('default ports are left out of Host; https is TLS; IPv6 brackets kept in Host only', () => {
  let p = prepareRequest(createRequestSpec({ url: 'https://example.test:443/' }));
  assert.equal(p.headers[0].value, 'example.test');
  assert.equal(p.port, 443);
  assert.equal(p.tls, true);
  p = prepareRequest(createRequestSpec({ url: 'http://[::1]:81' }));
  assert.equal(p.headers[0].value, '[::1]:81');
  assert.equal(p.host, '::1');
  assert.equal(p.target, '/');
  p = prepareRequest(createRequestSpec({ url: 'localhost:9/x' }));
  assert.equal(p.url.protocol, 'http:');
});

test('a body gets Content-Length at the end; a user header replaces the auto one', () => {
  const spec = createRequestSpec({
    method: 'POST',
    url: 'http://h/p',
    headers: [{ name: 'user-agent', value: 'me' }, { name: 'Content-Type', value: 'text/plain' }, { name: 'X-Off', value: 'no', enabled: false }],
    body: { kind: 'text', text: 'héllo' },
    options: { keepAlive: true },
  });
  const p = prepareRequest(spec);
  assert.equal(
    p.bytes.toString('utf8'),
    'POST /p HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nuser-agent: me\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhéllo',
  );
  assert.equal(p.bodyLength, 6);
});

test('every auto header can be switched off', () => {
  let spec = createRequestSpec({ method: 'PUT', url: 'http://h/' });
  assert.match(prepareRequest(spec).head.toString(), /Content-Length: 0\r\n/);
  for (const name of ['host', 'userAgent', 'accept', 'connection', 'contentLength'] as const) spec = withoutAutoHeader(spec, name);
  assert.equal(prepareRequest(spec).bytes.toString(), 'PUT / HTTP/1.1\r\n\r\n');
});

test('base64 and file bodies', (t) => {
  const bin = Buffer.from([0, 1, 2, 255]);
  let p = prepareRequest(createRequestSpec({ method: 'POST', url: 'http://h/', body: { kind: 'base64', data: bin.toString('base64') } }));
  assert.deepEqual(p.bytes.subarray(p.head.length), bin);
  assert.match(p.head.toString(), /Content-Length: 4\r\n\r\n$/);
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'b.bin'), Buffer.alloc(1000, 7));
  p = prepareRequest(createRequestSpec({ method: 'POST', url: 'http://h/', body: { kind: 'file', path: join(dir, 'b.bin') } }));
  assert.equal(p.body.kind, 'file');
  assert.equal(p.bodyLength, 1000);
  assert.equal(p.bytes.length, p.head.length);
  assert.match(p.head.toString(), /Content-Length: 1000\r\n/);
  assert.throws(() => prepareRequest(createRequestSpec({ method: 'POST', url: 'http://h/', body: { kind: 'file', path: join(dir, 'none') } })), { code: 'BODY_FILE' });
});

test('invalid specs are refused with a code', () => {
  const bad = (init: Parameters<typeof createRequestSpec>[0], code: string) =>
    assert.throws(() => prepareRequest(createRequestSpec(init)), (err: unknown) => err instanceof RequestSpecError && err.code === code);
  bad({ url: 'http://' }, 'INVALID_URL');
  bad({ url: 'ftp://h/' }, 'UNSUPPORTED_SCHEME');
  bad({ method: 'GE T', url: 'http://h/' }, 'INVALID_METHOD');
  bad({ url: 'http://h/', headers: [{ name: 'Bad Name', value: 'x' }] }, 'INVALID_HEADER');
  bad({ url: 'http://h/', headers: [{ name: 'X', value: 'a\r\nInjected: 1' }] }, 'INVALID_HEADER');
});
