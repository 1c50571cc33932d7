// WebSocket blocks of .http files driven against Wireplay's own /ws/echo and /ws/ticker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { HttpFileSession } from '../../../server-core/httpfile/run-http-file.js';
import { createWebSocketScriptRunner } from '../../../server-core/httpfile/ws-script.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';

let server: WireplayServer;
let port: number;

before(async () => {
  server = createWireplayServer({
    host: '127.0.0.1',
    port: 0,
    builtinWebSocket: { tickerInterval: 20 },
    webSocketRoutes: [
      // Answers the first message, then closes with 1001: the script stops there.
      { path: '/ws/once', route: { handler: { onMessage: (peer, m) => (peer.send(m.data), peer.close(1001, 'bye')) } } },
      { path: '/ws/proto', route: { protocols: ['superchat'], handler: { onMessage: (peer, m) => peer.send(m.data) } } },
    ],
  });
  ({ port } = await server.listen());
});

after(async () => {
  await server.close();
});

function session(text: string, extra: { capture?: Emitter<CaptureEvents>; timeoutMs?: number } = {}) {
  return new HttpFileSession(text, { baseDir: '.', environment: { port: String(port) }, runWebSocket: createWebSocketScriptRunner(), timeoutMs: extra.timeoutMs ?? 10_000, ...(extra.capture ? { capture: extra.capture } : {}) });
}

function lines(outcome: Awaited<ReturnType<HttpFileSession['run']>>): string[] {
  assert.equal(outcome.kind, 'websocket', outcome.kind === 'failed' ? outcome.message : '');
  return outcome.kind === 'websocket' ? outcome.result.transcript.map((e) => `${e.dir} ${e.data.toString('utf8')}`) : [];
}

test('an echo script alternates sends and waits, then closes with 1000 after its final wait', async () => {
  const s = session(['WEBSOCKET ws://127.0.0.1:{{port}}/ws/echo', 'X-Test: yes', '', 'hello', '=== wait-for-server', 'world', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.deepEqual(lines(outcome), ['sent hello', 'received hello', 'sent world', 'received world']);
  assert.ok(outcome.kind === 'websocket');
  assert.equal(outcome.result.ended, 'script');
  assert.equal(outcome.result.close?.code, 1000);
  assert.equal(outcome.result.close?.wasClean, true);
});

test('the ticker speaks first: a script made only of waits collects that many server messages', async () => {
  const s = session(['WS ws://127.0.0.1:{{port}}/ws/ticker', '', '=== wait-for-server', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  const got = lines(outcome);
  assert.ok(got.length >= 2, JSON.stringify(got));
  assert.match(got[0], /^received \{"type":"tick","seq":1,/);
  assert.match(got[1], /^received \{"type":"tick","seq":2,/);
  assert.ok(outcome.kind === 'websocket' && outcome.result.close?.code === 1000);
});

test('without a final wait the script listens until its timeout, then closes with 1000', async () => {
  const s = session(['# @timeout 150', 'WEBSOCKET ws://127.0.0.1:{{port}}/ws/echo', '', 'ping me'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.deepEqual(lines(outcome), ['sent ping me', 'received ping me']);
  assert.ok(outcome.kind === 'websocket');
  assert.equal(outcome.result.ended, 'script');
  assert.equal(outcome.result.close?.code, 1000);
});

test('handshake headers and subprotocols go out, and every byte reaches the capture emitter', async () => {
  const capture = new Emitter<CaptureEvents>();
  const sent: Buffer[] = [];
  const events: string[] = [];
  capture.on('open', (e) => events.push(`open ${e.side}`));
  capture.on('switch', (e) => events.push(`switch ${e.protocol}`));
  capture.on('chunk', (e) => e.dir === 'c2s' && sent.push(e.bytes));
  const s = session(['WEBSOCKET ws://127.0.0.1:{{port}}/ws/echo', 'X-Test: yes', 'Sec-WebSocket-Protocol: chat, superchat', '', 'x', '=== wait-for-server'].join('\n'), { capture });
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.equal(outcome.kind, 'websocket', outcome.kind === 'failed' ? outcome.message : '');
  const handshake = Buffer.concat(sent).toString('latin1');
  assert.match(handshake, /^GET \/ws\/echo HTTP\/1\.1\r\n/);
  assert.match(handshake, /\r\nX-Test: yes\r\n/i);
  assert.match(handshake, /\r\nSec-WebSocket-Protocol: chat, superchat\r\n/i);
  assert.deepEqual(events.slice(0, 2), ['open client', 'switch ws']);
  assert.ok(outcome.kind === 'websocket' && outcome.result.connectionId);
});

test('a named WebSocket block can be referenced: its last received message is the response body', async () => {
  const s = session(
    ['# @name first', 'WEBSOCKET ws://127.0.0.1:{{port}}/ws/echo', '', '{"n": 7}', '=== wait-for-server', '###', 'WEBSOCKET ws://127.0.0.1:{{port}}/ws/echo', '', 'n={{first.response.body.$.n}}', '=== wait-for-server'].join('\n'),
  );
  const outcome = await s.run(s.parsed.blocks[1]);
  assert.deepEqual(lines(outcome), ['sent n=7', 'received n=7']);
});

test('a refused connection is a failed outcome with a message, not an exception', async () => {
  const probe = createWireplayServer({ port: 0 });
  const { port: closed } = await probe.listen();
  await probe.close();
  const s = new HttpFileSession(`WEBSOCKET ws://127.0.0.1:${closed}/ws/echo\n\nhi\n=== wait-for-server\n`, { baseDir: '.', environment: {}, runWebSocket: createWebSocketScriptRunner(), timeoutMs: 5000 });
  const [outcome] = await s.runAll();
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.message : '', /refused|ECONNREFUSED/i);
});

test('an abort ends a listening script at once', async () => {
  const abort = new AbortController();
  // Abort once the script is listening for sure: when the first tick has arrived.
  const runner = createWebSocketScriptRunner({ onEntry: (e) => e.dir === 'received' && abort.abort() });
  const s = new HttpFileSession(['WEBSOCKET ws://127.0.0.1:{{port}}/ws/ticker', ''].join('\n'), { baseDir: '.', environment: { port: String(port) }, runWebSocket: runner, timeoutMs: 60_000 });
  const outcome = await s.run(s.parsed.blocks[0], { signal: abort.signal });
  assert.ok(outcome.kind === 'websocket', outcome.kind === 'failed' ? outcome.message : '');
  assert.ok(outcome.result.transcript.some((e) => e.dir === 'received'), 'it was listening when aborted');
  assert.equal(outcome.result.ended, 'aborted');
});

test('the server closing mid-script ends it: the rest is not sent, the close code is the server\'s', async () => {
  const s = session(['WEBSOCKET ws://127.0.0.1:{{port}}/ws/once', '', 'one', '=== wait-for-server', 'two', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  const got = lines(outcome);
  assert.deepEqual(got.slice(0, 2), ['sent one', 'received one']);
  assert.ok(!got.includes('received two'), JSON.stringify(got));
  assert.ok(outcome.kind === 'websocket');
  assert.equal(outcome.result.ended, 'server-closed');
  assert.equal(outcome.result.close?.code, 1001);
});

test('the subprotocol the server picks is in the result', async () => {
  const s = session(['WEBSOCKET ws://127.0.0.1:{{port}}/ws/proto', 'Sec-WebSocket-Protocol: chat, superchat', '', 'x', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.ok(outcome.kind === 'websocket', outcome.kind === 'failed' ? outcome.message : '');
  assert.equal(outcome.result.protocol, 'superchat');
});
