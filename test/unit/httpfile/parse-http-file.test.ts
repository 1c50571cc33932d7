import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blockAtLine, parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import type { HttpRequestBlock, RawBlock, WebSocketBlock } from '../../../server-core/httpfile/types.js';

const corpus = (name: string) => readFileSync(join(import.meta.dirname, '../../corpus/httpfile/parser', name), 'utf8');

test('REST Client dialect: variables, names, comments, query continuation, multipart with a file', () => {
  const file = parseHttpFile(corpus('rest-client.http'));
  assert.deepEqual(file.diagnostics, []);
  assert.deepEqual(file.fileVariables.map((v) => [v.name, v.value]), [
    ['host', 'localhost:8080'],
    ['contentType', 'application/json'],
    ['baseUrl', 'http://{{host}}'],
  ]);
  assert.equal(file.blocks.length, 4);
  const [login, search, bare, multipart] = file.blocks as HttpRequestBlock[];
  assert.equal(login.name, 'login');
  assert.equal(login.method, 'POST');
  assert.equal(login.url, '{{baseUrl}}/echo');
  assert.equal(login.httpVersion, 'HTTP/1.1');
  assert.deepEqual(login.headers.map((h) => [h.name, h.value]), [['Content-Type', '{{contentType}}']]);
  assert.deepEqual(login.body, [{ kind: 'text', text: '{\n  "user": "ada",\n  "token": "t-123"\n}', line: 10 }]);
  assert.equal(login.requestLine, 6);
  assert.equal(search.url, '{{baseUrl}}/echo?q=wire&page=2');
  assert.equal(search.headers[0].value, 'Bearer {{login.response.body.$.token}}');
  assert.equal(bare.method, 'GET');
  assert.equal(bare.url, '{{baseUrl}}/headers');
  assert.equal(multipart.body.length, 3);
  assert.equal(multipart.body[1].kind, 'file');
  assert.deepEqual(multipart.body[1], { kind: 'file', path: './a.txt', processVariables: false, line: 36 });
});

test('httpYac dialect: // comments and names, WS keyword, <@ bodies', () => {
  const file = parseHttpFile(corpus('httpyac.http'));
  assert.deepEqual(file.diagnostics, []);
  const [first, ws, put] = file.blocks;
  assert.equal(first.name, 'first');
  const wsBlock = ws as WebSocketBlock;
  assert.equal(wsBlock.kind, 'websocket');
  assert.equal(wsBlock.keyword, 'WS');
  assert.equal(wsBlock.url, 'ws://localhost:8080/ws/echo');
  assert.deepEqual(
    wsBlock.steps.map((s) => (s.kind === 'send' ? s.parts[0] : s.kind)),
    [
      { kind: 'text', text: 'hello from httpyac', line: 11 },
      { kind: 'text', text: 'second message', line: 13 },
    ],
  );
  assert.deepEqual((put as HttpRequestBlock).body, [{ kind: 'file', path: './body.json', processVariables: true, line: 18 }]);
});

test('JetBrains dialect: ### names, handler scripts kept as typed parts (never body), WEBSOCKET with wait-for-server, >> output', () => {
  const file = parseHttpFile(corpus('jetbrains.http'));
  assert.deepEqual(file.diagnostics, []);
  const [get, chat, save] = file.blocks;
  assert.equal(get.name, 'Get with a named separator');
  assert.deepEqual((get as HttpRequestBlock).body, []);
  assert.deepEqual(get.scripts, [
    {
      kind: 'jetbrains-response-handler',
      phase: 'after',
      source: { kind: 'inline', code: '    client.global.set("id", response.body.id);', line: 5 },
      range: { startLine: 4, endLine: 6 },
    },
  ]);
  const ws = chat as WebSocketBlock;
  assert.equal(ws.keyword, 'WEBSOCKET');
  assert.deepEqual(ws.headers.map((h) => h.name), ['Sec-WebSocket-Protocol']);
  assert.deepEqual(
    ws.steps.map((s) => (s.kind === 'send' ? (s.parts[0] as { text: string }).text : s.kind)),
    ['{"say": "hi"}', 'wait-for-server', '{"say": "bye"}', 'wait-for-server'],
  );
  assert.deepEqual((save as HttpRequestBlock).responseOutput, { path: './out.bin', overwrite: true, line: 21 });
});

test('Wireplay RAW blocks keep escapes for the sender and take metadata; a bad request line is a diagnostic', () => {
  const file = parseHttpFile(corpus('wireplay.http'));
  const [bad, hex, purge] = file.blocks as [RawBlock, RawBlock, HttpRequestBlock];
  assert.equal(bad.kind, 'raw');
  assert.equal(bad.name, 'bad');
  assert.equal(bad.url, 'tcp://127.0.0.1:8080');
  assert.equal(bad.payload, 'GET / HTTP/1.1\\nHost: x\\n\\n');
  assert.equal(bad.encoding, 'text');
  assert.equal(hex.encoding, 'hex');
  assert.equal(hex.metadata.drip, '4 50');
  assert.equal(hex.payload.replace(/\s/g, '').length, 27 * 2);
  assert.equal(purge.method, 'PURGE');
  assert.equal(file.blocks.length, 3);
  assert.equal(file.diagnostics.length, 1);
  assert.equal(file.diagnostics[0].line, 16);
  assert.match(file.diagnostics[0].message, /Expected a request line/);
});

test('errors are diagnostics at their line and column, never exceptions', () => {
  const file = parseHttpFile('GET http://x/\nnot a header\n\nbody\n###\nWEBSOCKET\n###\nRAW http://nope\nabc');
  assert.deepEqual(
    file.diagnostics.map((d) => [d.line, d.column, d.severity]),
    [
      [1, 0, 'error'],
      [5, 0, 'error'],
      [7, 3, 'error'],
    ],
  );
});

test('CRLF files parse like LF files', () => {
  const lf = corpus('rest-client.http');
  const crlf = parseHttpFile(lf.replace(/\n/g, '\r\n'));
  assert.deepEqual(crlf, parseHttpFile(lf));
});

test('blockAtLine finds the request around the cursor', () => {
  const file = parseHttpFile(corpus('rest-client.http'));
  assert.equal(blockAtLine(file, 8)?.name, 'login');
  assert.equal(blockAtLine(file, 21)?.name, 'search');
  assert.equal(blockAtLine(file, 0), undefined);
});
