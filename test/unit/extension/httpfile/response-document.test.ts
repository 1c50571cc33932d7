import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpSendResult } from '../../../../server-core/client/http-sender.js';
import { parseHttpFile } from '../../../../server-core/httpfile/parse-http-file.js';
import type { BlockOutcome } from '../../../../server-core/httpfile/run-http-file.js';
import { languageFor, resolvedTitle, responseDocument } from '../../../../extension/httpfile/response-document.js';

const [api, login, ws] = parseHttpFile('# @name api\nGET http://{{host}}/echo\n###\n# @name login\nPOST http://{{host}}/login\n###\nWEBSOCKET ws://{{host}}/ws/echo\n').blocks;

/** The fields of a send result the response tab reads. */
function result(url: string, status: number, headers: [string, string][], body: string | Buffer, method = 'GET'): HttpSendResult {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    request: { method, url: new URL(url), head: Buffer.from(`${method} ${new URL(url).pathname} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n\r\n`), bodyLength: 0 },
    response: { statusCode: status, reason: status === 200 ? 'OK' : 'Found', httpVersion: '1.1', headers: headers.map(([name, value]) => ({ name, value })), body: bytes, bodyBytes: bytes.length, bodyTruncated: false },
    timings: { dns: 0, connect: 0.4, tls: 0, firstByte: 1.2, download: 0.1, total: 1.7 },
    connectionId: 'cli-7',
    reused: false,
    redirects: [],
  } as unknown as HttpSendResult;
}

const http = (block = api, r = result('http://127.0.0.1:8123/echo', 200, [['Content-Type', 'application/json; charset=utf-8']], '{\n  "a": [1, 2]\n}\n')): BlockOutcome => ({ kind: 'http', block, result: r });

test('a JSON response: jsonc, the resolved request line first, then the status, headers and timings as comments, then the body', () => {
  const doc = responseDocument([[http()]]);
  assert.equal(doc.languageId, 'jsonc');
  const lines = doc.text.split('\n');
  assert.equal(lines[0], '// api — GET http://127.0.0.1:8123/echo');
  assert.doesNotMatch(doc.text, /\{\{host\}\}/);
  assert.equal(lines[1], '// HTTP/1.1 200 OK');
  assert.equal(lines[2], '// Content-Type: application/json; charset=utf-8');
  assert.ok(lines.some((l) => /^\/\/ dns 0\.0 ms, connect 0\.4 ms/.test(l)), 'the timings');
  assert.ok(doc.text.endsWith('\n{\n  "a": [1, 2]\n}\n'), 'the body, untouched, after the head');
  assert.deepEqual(doc.targets, [{ line: 0, connectionId: 'cli-7', title: 'api — GET http://127.0.0.1:8123/echo' }]);
});

test('XML and HTML: their language, the head in a <!-- --> comment that cannot be closed early', () => {
  const xml = responseDocument([[http(api, result('http://h/x?a=--b', 200, [['Content-Type', 'application/xml']], '<a><b>1</b></a>'))]]);
  assert.equal(xml.languageId, 'xml');
  assert.ok(xml.text.startsWith('<!--\n  api — GET http://h/x?a=- -b\n'), xml.text);
  assert.equal(xml.text.match(/-->/g)?.length, 1, 'one comment, closed once');
  assert.ok(xml.text.endsWith('-->\n<a><b>1</b></a>\n'));
  const html = responseDocument([[http(api, result('http://h/', 200, [['content-type', 'text/html']], '<!doctype html><p>hi'))]]);
  assert.equal(html.languageId, 'html');
});

test('languages by Content-Type; unknown types and bytes that are not text are plain text', () => {
  assert.equal(languageFor('application/problem+json').languageId, 'jsonc');
  assert.equal(languageFor('application/vnd.api+json; charset=utf-8').languageId, 'jsonc');
  assert.equal(languageFor('image/svg+xml').languageId, 'xml');
  assert.equal(languageFor('application/xhtml+xml').languageId, 'html');
  assert.equal(languageFor('TEXT/CSS').languageId, 'css');
  assert.equal(languageFor('text/javascript').languageId, 'javascript');
  assert.equal(languageFor('text/plain').languageId, 'plaintext');
  assert.equal(languageFor(undefined).languageId, 'plaintext');
  const binary = responseDocument([[http(api, result('http://h/b', 200, [['Content-Type', 'application/json']], Buffer.from([0x7b, 0x00, 0xff])))]]);
  assert.equal(binary.languageId, 'plaintext', 'escaped bytes are not JSON');
});

test('named requests sent first are listed in the head; the tab shows the request that was asked for', () => {
  const first = http(login, result('http://127.0.0.1:8123/login', 200, [['Content-Type', 'text/plain']], 'token', 'POST'));
  const doc = responseDocument([[first, http()]]);
  assert.equal(doc.languageId, 'jsonc');
  assert.match(doc.text, /^\/\/ sent first: login — POST http:\/\/127\.0\.0\.1:8123\/login → 200 OK$/m);
});

test('several sends in one tab, a WebSocket or a failure: plain text, each section headed by its resolved request line', () => {
  const socket: BlockOutcome = { kind: 'websocket', block: ws, result: { url: 'ws://127.0.0.1:8123/ws/echo', protocol: '', extensions: '', transcript: [], connectionId: 'cli-9', close: { code: 1000, reason: '', wasClean: true }, ended: 'script' } };
  assert.equal(resolvedTitle(socket), 'WEBSOCKET ws://127.0.0.1:8123/ws/echo');
  const doc = responseDocument([[http()], [socket]]);
  assert.equal(doc.languageId, 'plaintext');
  const lines = doc.text.split('\n');
  assert.equal(lines[0], '### api — GET http://127.0.0.1:8123/echo');
  const second = doc.targets[1];
  assert.equal(lines[second.line], '### WEBSOCKET ws://127.0.0.1:8123/ws/echo');
  assert.equal(second.connectionId, 'cli-9');
  const failed = responseDocument([[{ kind: 'failed', block: api, message: 'line 2: {{host}} is not defined', diagnostics: [] }]]);
  assert.equal(failed.languageId, 'plaintext');
  assert.match(failed.text, /^### api — GET http:\/\/\{\{host\}\}\/echo\n/, 'never built: shown as written');
  assert.deepEqual(failed.targets, []);
});
