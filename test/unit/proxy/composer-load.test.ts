// Edit and Resend's payload: to an http:// target the exact bytes in the raw
// form; to an https:// one the HTTP form, checked against the composer's own
// translation to say whether it rebuilds the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareRequest } from '../../../server-core/client/request-spec.js';
import { toRequestSpec } from '../../../server-core/playground/http-request.js';
import { composerLoadFromBytes } from '../../../server-core/proxy/composer-load.js';
import { ReplayError } from '../../../server-core/proxy/replay.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const POST = b('POST /echo HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello');

test('an http:// target: the raw form with the exact bytes, host and port from the origin', () => {
  const load = composerLoadFromBytes(POST, 'http://127.0.0.1:3000', 'POST /echo');
  assert.equal(load.mode, 'raw');
  assert.deepEqual(load.raw, { host: '127.0.0.1', port: 3000, data: POST.toString('base64') });
  assert.equal(load.http, undefined);
  assert.match(load.note, /^POST \/echo: its exact 97 bytes, to http:\/\/127\.0\.0\.1:3000 over raw TCP/);
  assert.equal(composerLoadFromBytes(POST, 'http://localhost', 'x').raw?.port, 80);
});

test('an https:// target: the HTTP form, every header in order, the automatic ones off; it rebuilds the same bytes', () => {
  const load = composerLoadFromBytes(POST, 'https://example.test:8443', 'POST /echo');
  assert.equal(load.mode, 'http');
  assert.equal(load.raw, undefined);
  const http = load.http!;
  assert.equal(http.url, 'https://example.test:8443/echo');
  assert.deepEqual(http.headers.filter((h) => !h.auto).map((h) => [h.name, h.value]), [['Host', 'x'], ['User-Agent', 'u'], ['Content-Type', 'text/plain'], ['Content-Length', '5']]);
  assert.deepEqual(http.body, { kind: 'text', text: 'hello', form: [] });
  assert.deepEqual(prepareRequest(toRequestSpec(http)).bytes, POST);
  assert.match(load.note, /sent unedited, it writes the same bytes/);
});

test('an https:// target with bytes the HTTP form cannot rebuild: the note says where they differ; a binary body goes as a file', () => {
  const odd = b('GET /x HTTP/1.1\r\nHost:x\r\n\r\n');
  const load = composerLoadFromBytes(odd, 'https://example.test', 'GET /x');
  assert.match(load.note, /not byte for byte the captured request: it differs from byte \d+/);
  const bin = Buffer.concat([b('POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n'), Buffer.from([0xff, 0x00])]);
  const body = composerLoadFromBytes(bin, 'https://example.test', 'POST /b').http!.body;
  assert.equal(body.kind, 'file');
  assert.equal(body.fileBase64, Buffer.from([0xff, 0x00]).toString('base64'));
  assert.throws(() => composerLoadFromBytes(b('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n'), 'https://example.test', 'CONNECT'), ReplayError);
});
