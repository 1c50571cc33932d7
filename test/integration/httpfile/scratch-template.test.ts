// The examples of a new scratch file work against the built-in server, as written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { HttpFileSession } from '../../../server-core/httpfile/run-http-file.js';
import { scratchTemplate } from '../../../server-core/httpfile/scratch-template.js';
import { createWebSocketScriptRunner } from '../../../server-core/httpfile/ws-script.js';

let server: WireplayServer;
let port: number;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0, demo: { streamIntervalMs: 5 } });
  ({ port } = await server.listen());
});

after(async () => {
  await server.close();
});

test('every example of a scratch file sends and gets the answer it describes', async () => {
  const session = new HttpFileSession(scratchTemplate({ host: '127.0.0.1', port }), { baseDir: '.', environment: {}, runWebSocket: createWebSocketScriptRunner(), timeoutMs: 10_000 });
  const [get, post, stream, chat, raw] = await session.runAll();
  for (const o of [get, post, stream, chat, raw]) assert.notEqual(o.kind, 'failed', o.kind === 'failed' ? o.message : '');
  assert.ok(get.kind === 'http' && get.result.response.statusCode === 200);
  assert.ok(post.kind === 'http' && post.result.response.statusCode === 200);
  const echoed = JSON.parse(post.kind === 'http' ? post.result.response.body.toString() : '{}') as { body: { text: string } };
  assert.equal(JSON.parse(echoed.body.text).echoedPath, '/echo');
  assert.ok(stream.kind === 'http');
  assert.equal(stream.result.response.headers.find((h) => h.name.toLowerCase() === 'transfer-encoding')?.value, 'chunked');
  assert.ok(chat.kind === 'websocket');
  const lines = chat.result.transcript.map((e) => `${e.dir} ${e.data.toString()}`);
  assert.match(lines[0], /^received \{"type":"join"/);
  assert.deepEqual(lines.slice(1), ['sent {"text": "hello from a scratch file"}', 'received {"text": "hello from a scratch file"}']);
  assert.equal(chat.result.close?.code, 1000);
  assert.ok(raw.kind === 'raw');
  assert.match(raw.result.received.toString('latin1'), /^HTTP\/1\.1 400 /);
});
