// The playground controller against a real Wireplay server on 127.0.0.1:
// HTTP through the sender, a WebSocket session, raw bytes, each captured and
// dissected, and the UI told about it in the protocol's messages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { createBuiltinWebSocketRoutes } from '../../../server-core/ws/builtin-routes.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';
import { logMessages } from './message-log.js';

let server: WireplayServer;
let base: string;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0, webSocketRoutes: createBuiltinWebSocketRoutes() });
  base = (await server.listen()).url;
});
after(() => server.close());

function harness(t: { after(fn: () => void): void }) {
  const controller = new PlaygroundController({ serverUrl: () => base, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const { seen, next } = logMessages(controller, t);
  return { controller, seen, next };
}

const spec = (over: object = {}) => ({ method: 'GET', url: `${base}/echo`, headers: [], body: { kind: 'none' }, ...over });

test('ready answers init with the server URL', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'ready', version: 1 });
  const init = await h.next('init');
  assert.equal(init.serverUrl, base);
  assert.deepEqual(init.connections, []);
});

test('preview shows the exact bytes and the auto headers, which can be switched off', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'http.preview', reqId: 'p1', spec: spec({ method: 'POST', body: { kind: 'json', text: '{"a":1}' } }) });
  const p = await h.next('http.preview', (m) => m.reqId === 'p1');
  const text = Buffer.from(p.bytes, 'base64').toString();
  assert.match(text, /^POST \/echo HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
  assert.match(text, /Content-Type: application\/json\r\n/);
  assert.match(text, /Content-Length: 7\r\n\r\n\{"a":1\}$/);
  assert.deepEqual(p.autoHeaders.map((a) => a.name), ['Host', 'User-Agent', 'Accept', 'Content-Type', 'Connection', 'Content-Length']);
  await h.controller.receive({ type: 'http.preview', reqId: 'p2', spec: spec({ headers: [{ name: 'User-Agent', value: '', enabled: false, auto: true }] }) });
  const p2 = await h.next('http.preview', (m) => m.reqId === 'p2');
  assert.doesNotMatch(Buffer.from(p2.bytes, 'base64').toString(), /User-Agent/);
  await h.controller.receive({ type: 'http.preview', reqId: 'p3', spec: spec({ url: 'ftp://x' }) });
  assert.match((await h.next('http.preview', (m) => m.reqId === 'p3')).error ?? '', /http and https/);
});

test('send: started, captured both ways, dissected, answered, in history', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'http.send', reqId: 'r1', spec: spec({ method: 'POST', body: { kind: 'text', text: 'hello' } }) });
  const started = await h.next('http.started');
  const res = await h.next('http.response', (m) => m.reqId === 'r1');
  assert.equal(res.connectionId, started.connectionId);
  assert.equal(res.response.statusCode, 200);
  assert.ok(res.timing.total! > 0);
  const echoed = JSON.parse(Buffer.from(res.response.body, 'base64').toString());
  assert.ok(JSON.stringify(echoed).includes('hello'));
  const opened = await h.next('connection.opened', (m) => m.info.connectionId === res.connectionId);
  assert.equal(opened.info.label, `POST ${base}/echo`);
  const chunks = h.seen.filter((m): m is Extract<ToWebview, { type: 'capture.chunks' }> => m.type === 'capture.chunks' && m.connectionId === res.connectionId).flatMap((m) => m.chunks);
  const sent = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => Buffer.from(c.bytes!, 'base64'))).toString();
  assert.match(sent, /^POST \/echo HTTP\/1\.1\r\n[\s\S]*\r\n\r\nhello$/);
  const msgs = await h.next('capture.messages', (m) => m.connectionId === res.connectionId && m.messages.some((x) => x.kind === 'http-response'));
  assert.ok(msgs.messages.every((m) => Array.isArray(m.fields) && !('http' in m) && !('ws' in m)));
  const hist = await h.next('history', (m) => m.entries.some((e) => e.id === 'r1' && e.status === 200));
  assert.equal(hist.entries.length, 1);
  // A later capture.load gives the same bytes as a snapshot.
  await h.controller.receive({ type: 'capture.load', connectionId: res.connectionId });
  const snap = await h.next('capture.snapshot');
  assert.equal(Buffer.concat(snap.chunks.filter((c) => c.dir === 'c2s').map((c) => Buffer.from(c.bytes!, 'base64'))).toString(), sent);
  assert.ok(snap.messages.some((m) => m.kind === 'http-request'));
});

test('cancel aborts a request in flight', async (t) => {
  const h = harness(t);
  void h.controller.receive({ type: 'http.send', reqId: 'slow', spec: spec({ url: `${base}/delay/5000` }) });
  await h.next('http.started');
  await h.controller.receive({ type: 'http.cancel', reqId: 'slow' });
  const err = await h.next('http.error', (m) => m.reqId === 'slow');
  assert.equal(err.code, 'ABORTED');
});

test('a WebSocket session: connect, text, ping, frames from the composer, close; all captured as frames', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'ws.connect', sessionId: 'w1', url: `${base.replace('http', 'ws')}/ws/echo`, protocols: [], headers: [{ name: 'X-Test', value: '1', enabled: true }], autoPong: true });
  const open = await h.next('ws.state', (m) => m.state === 'open');
  const id = open.connectionId!;
  await h.controller.receive({ type: 'ws.send', sessionId: 'w1', kind: 'text', data: Buffer.from('hi there').toString('base64') });
  const echo = await h.next('ws.message', (m) => m.dir === 's2c' && m.opcode === 1);
  assert.equal(Buffer.from(echo.data, 'base64').toString(), 'hi there');
  await h.controller.receive({ type: 'ws.send', sessionId: 'w1', kind: 'ping', data: Buffer.from('p').toString('base64') });
  await h.next('ws.message', (m) => m.dir === 's2c' && m.opcode === 10);
  await h.controller.receive({
    type: 'ws.frame',
    sessionId: 'w1',
    frame: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: 1, mask: true, payload: Buffer.from('abcdef').toString('base64'), fragments: 3 },
  });
  const frag = await h.next('ws.message', (m) => m.dir === 's2c' && Buffer.from(m.data, 'base64').toString() === 'abcdef');
  assert.equal(frag.opcode, 1);
  await h.controller.receive({ type: 'ws.close', sessionId: 'w1', code: 1000, reason: 'done' });
  const closed = await h.next('ws.state', (m) => m.state === 'closed');
  assert.equal(closed.code, 1000);
  await h.next('connection.closed', (m) => m.connectionId === id);
  const frames = h.seen
    .filter((m): m is Extract<ToWebview, { type: 'capture.messages' }> => m.type === 'capture.messages' && m.connectionId === id)
    .flatMap((m) => m.messages)
    .filter((m) => m.kind === 'ws-frame');
  // text, ping, 3 fragments, close from the client; their echoes, pong and close from the server.
  assert.ok(frames.filter((f) => f.dir === 'c2s').length >= 6, `client frames: ${frames.filter((f) => f.dir === 'c2s').length}`);
  assert.ok(frames.some((f) => f.dir === 's2c'));
  const upgrade = h.seen.find((m) => m.type === 'capture.messages' && m.connectionId === id && m.messages.some((x) => x.kind === 'http-request'));
  assert.ok(upgrade, 'the handshake is dissected as HTTP');
});

test('a WebSocket session is shown connecting, then with its connection, then open; its bytes are captured once', async (t) => {
  const controller = new PlaygroundController({ serverUrl: () => base, serverCapture: server.capture, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const h = { controller, ...logMessages(controller, t) };
  await h.controller.receive({ type: 'ws.connect', sessionId: 'w3', url: `${base.replace('http', 'ws')}/ws/echo`, protocols: [], headers: [], autoPong: true });
  const open = await h.next('ws.state', (m) => m.sessionId === 'w3' && m.state === 'open');
  const states = h.seen.filter((m): m is Extract<ToWebview, { type: 'ws.state' }> => m.type === 'ws.state' && m.sessionId === 'w3');
  assert.deepEqual(states.map((m) => [m.state, m.connectionId]), [['connecting', undefined], ['connecting', open.connectionId], ['open', open.connectionId]]);
  const announced = h.seen.findIndex((m) => m.type === 'connection.opened' && m.info.connectionId === open.connectionId);
  assert.ok(h.seen.indexOf(states[1]) < announced, 'the composer hears of its connection before the capture announces it');
  await h.controller.receive({ type: 'ws.send', sessionId: 'w3', kind: 'text', data: Buffer.from('once').toString('base64') });
  await h.next('ws.message', (m) => m.sessionId === 'w3' && m.dir === 's2c');
  await h.controller.receive({ type: 'ws.close', sessionId: 'w3', code: 1000, reason: '' });
  await h.next('connection.closed', (m) => m.connectionId === open.connectionId);
  // The client's capture of what it wrote is exactly what the server's capture read: one tap, no doubled bytes.
  const client = h.controller.store.getConnection(open.connectionId!)!;
  const serverSide = h.controller.store.getConnection(client.peerConnectionId ?? '');
  assert.ok(serverSide, 'the server side of the session is tied to it');
  await h.until(() => h.controller.store.getConnection(serverSide.id)?.closed !== undefined, 'the server side closed');
  assert.equal(client.stats.c2sBytes, h.controller.store.getConnection(serverSide.id)!.stats.c2sBytes);
  const sent = Buffer.concat(h.controller.store.chunks(client.id).flatMap((c) => (c.kind === 'data' && c.dir === 'c2s' ? [c.bytes] : []))).toString('latin1');
  assert.equal(sent.match(/GET \/ws\/echo HTTP\/1\.1/g)?.length, 1, 'the handshake once');
});

test('a refused WebSocket handshake reports the error', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'ws.connect', sessionId: 'w2', url: `${base.replace('http', 'ws')}/no-such-socket`, protocols: [], headers: [], autoPong: true });
  const st = await h.next('ws.state', (m) => m.state === 'closed');
  assert.ok(st.error);
});

test('raw: exact bytes out, drip-fed, half-closed; the malformed request gets a 400', async (t) => {
  const h = harness(t);
  const port = Number(new URL(base).port);
  const bytes = Buffer.from('GET / HTTP/1.1\r\nHost : x\r\n\r\n');
  await h.controller.receive({ type: 'raw.send', sessionId: 'r1', host: '127.0.0.1', port, data: bytes.toString('base64'), drip: { chunkSize: 8, intervalMs: 5 }, halfClose: true });
  const state = await h.next('raw.state', (m) => m.state === 'open');
  await h.next('raw.state', (m) => m.state === 'half-closed');
  await h.next('connection.closed', (m) => m.connectionId === state.connectionId);
  const chunks = h.seen.filter((m): m is Extract<ToWebview, { type: 'capture.chunks' }> => m.type === 'capture.chunks' && m.connectionId === state.connectionId).flatMap((m) => m.chunks);
  const out = chunks.filter((c) => c.dir === 'c2s');
  assert.ok(out.length >= 2, 'drip-feed wrote several pieces');
  assert.deepEqual(Buffer.concat(out.map((c) => Buffer.from(c.bytes!, 'base64'))), bytes);
  const back = Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => Buffer.from(c.bytes!, 'base64'))).toString();
  assert.match(back, /^HTTP\/1\.1 400 /);
});

test('raw: a refused connection is reported, and bad input is answered with a notice', async (t) => {
  const h = harness(t);
  const closedPort = await new Promise<number>((resolve) => {
    const s: Server = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await h.controller.receive({ type: 'raw.send', sessionId: 'r2', host: '127.0.0.1', port: closedPort, data: '', halfClose: false });
  const st = await h.next('raw.state', (m) => m.state === 'closed');
  assert.ok(st.error);
  await h.controller.receive({ type: 'raw.send', sessionId: 'r3', host: '127.0.0.1', port: 0, data: '', halfClose: false });
  assert.match((await h.next('notice')).message, /port/);
});

test('nothing is posted after dispose', async () => {
  const controller = new PlaygroundController({ serverUrl: () => base });
  const seen: ToWebview[] = [];
  controller.onMessage((m) => seen.push(m));
  controller.dispose();
  await controller.receive({ type: 'ready', version: 1 });
  controller.serverChanged();
  assert.deepEqual(seen, []);
});

test('server-side connections are announced, and streamed only once the UI loads one', async (t) => {
  const controller = new PlaygroundController({ serverUrl: () => base, serverCapture: server.capture, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const seen: ToWebview[] = [];
  let serverSideClosed!: () => void;
  const closed = new Promise<void>((resolve) => (serverSideClosed = resolve));
  controller.onMessage((m) => {
    seen.push(m);
    if (m.type === 'connection.closed' && seen.some((o) => o.type === 'connection.opened' && o.info.side === 'server' && o.info.connectionId === m.connectionId)) serverSideClosed();
  });
  const port = Number(new URL(base).port);
  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write('GET /status/204 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out));
    s.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 204 /);
  const opened = () => seen.find((m): m is Extract<ToWebview, { type: 'connection.opened' }> => m.type === 'connection.opened' && m.info.side === 'server');
  await closed;
  const info = opened()!.info;
  assert.equal(info.side, 'server');
  assert.ok(!seen.some((m) => m.type === 'capture.chunks' && m.connectionId === info.connectionId), 'not streamed before it is loaded');
  await controller.receive({ type: 'capture.load', connectionId: info.connectionId });
  const snap = seen.find((m): m is Extract<ToWebview, { type: 'capture.snapshot' }> => m.type === 'capture.snapshot')!;
  assert.match(Buffer.concat(snap.chunks.filter((c) => c.dir === 'c2s').map((c) => Buffer.from(c.bytes!, 'base64'))).toString(), /^GET \/status\/204/);
});
