import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { WsSession } from '../../../server-core/client/ws-session.js';
import { SendError } from '../../../server-core/client/transport.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureChunk, CaptureEvents, ConnectionOpened, ProtocolSwitched } from '../../../server-core/capture/types.js';
import type { WebSocketMessage } from '../../../server-core/ws/types.js';
import { createWireplayServer } from '../../../server-core/server/wireplay-server.js';
import { createServer as createHttpsServer } from 'node:https';
import { freePort, makeCertificate } from './helpers.js';

function nextEvent<T>(session: WsSession, event: 'message' | 'ping' | 'pong' | 'close'): Promise<T> {
  return new Promise((resolve) => {
    const d = session.on(event, (p) => {
      d.dispose();
      resolve(p as T);
    });
  });
}

async function wsServer(t: import('node:test').TestContext) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (set) => (set.has('chat') ? 'chat' : false) });
  // ws reports a peer's protocol error as an 'error' on its socket before closing with 1002.
  wss.on('connection', (ws) => ws.on('error', () => {}));
  await once(wss, 'listening');
  t.after(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => r());
  }));
  const port = (wss.address() as { port: number }).port;
  return { wss, port };
}

test('against a ws server: handshake, text, binary, ping, auto-pong switch, close with a code', async (t) => {
  const { wss, port } = await wsServer(t);
  const serverSide = new Promise<{ ws: WsSocket; headers: Record<string, unknown> }>((resolve) =>
    wss.once('connection', (ws, req) => {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      resolve({ ws, headers: req.headers });
    }),
  );
  const capture = new Emitter<CaptureEvents>();
  const opened: ConnectionOpened[] = [];
  const switches: ProtocolSwitched[] = [];
  const chunks: CaptureChunk[] = [];
  capture.on('open', (e) => opened.push(e));
  capture.on('switch', (e) => switches.push(e));
  capture.on('chunk', (e) => chunks.push(e));
  const session = new WsSession({ url: `ws://127.0.0.1:${port}/path?q=1`, protocols: ['chat', 'other'], headers: { 'X-Hello': 'there' }, capture });
  t.after(() => session.dispose());
  await session.connect();
  const { ws, headers } = await serverSide;
  assert.equal(session.state, 'open');
  assert.equal(session.protocol, 'chat');
  assert.equal(headers['x-hello'], 'there');

  let m = nextEvent<WebSocketMessage>(session, 'message');
  await session.sendText('héllo');
  assert.equal((await m).text, 'héllo');
  m = nextEvent<WebSocketMessage>(session, 'message');
  await session.sendBinary(Buffer.from([0, 1, 2, 255]));
  const bin = await m;
  assert.equal(bin.binary, true);
  assert.deepEqual(bin.data, Buffer.from([0, 1, 2, 255]));

  const pong = nextEvent<Buffer>(session, 'pong');
  await session.ping('are you there');
  assert.equal((await pong).toString(), 'are you there');

  // Auto-pong off: the server's ping reaches us, and only our manual pong goes back.
  session.setAutoPong(false);
  const ping = nextEvent<Buffer>(session, 'ping');
  const serverPong = once(ws, 'pong');
  ws.ping('p1');
  assert.equal((await ping).toString(), 'p1');
  await session.send({ kind: 'pong', data: 'manual' });
  assert.equal(String((await serverPong)[0]), 'manual');

  // Capture: opened as http, switched to ws after the handshake bytes.
  assert.equal(opened[0].protocol, 'http');
  assert.equal(opened[0].side, 'client');
  assert.equal(switches[0].protocol, 'ws');
  assert.equal(switches[0].c2sOffset, session.handshake!.requestBytes.length);
  const c2s = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
  assert.ok(c2s.subarray(0, session.handshake!.requestBytes.length).equals(session.handshake!.requestBytes));
  assert.match(c2s.toString('latin1'), /^GET \/path\?q=1 HTTP\/1\.1\r\n/);

  const serverClose = once(ws, 'close');
  const closed = session.closed();
  session.close(4001, 'bye');
  const [code, reason] = await serverClose;
  assert.equal(code, 4001);
  assert.equal(String(reason), 'bye');
  const ev = await closed;
  assert.equal(ev.code, 4001);
  assert.equal(session.state, 'closed');
});

test('a composed invalid frame (reserved opcode) makes the ws server close with 1002', async (t) => {
  const { port } = await wsServer(t);
  const session = new WsSession({ url: `ws://127.0.0.1:${port}/`, perMessageDeflate: false });
  t.after(() => session.dispose());
  await session.connect();
  const closed = session.closed();
  await session.send({ kind: 'frame', frame: { opcode: 3, payload: 'x' } });
  assert.equal((await closed).code, 1002);
});

test('a refused handshake and a refused connection are SendErrors', async (t) => {
  const server = createWireplayServer();
  const { port } = await server.listen();
  t.after(() => server.close());
  const refused = new WsSession({ url: `ws://127.0.0.1:${port}/no-such-endpoint` });
  await assert.rejects(refused.connect(), (e: unknown) => e instanceof SendError && e.code === 'HANDSHAKE_FAILED' && /\b404\b/.test(e.message));
  const free = await freePort();
  await assert.rejects(new WsSession({ url: `ws://127.0.0.1:${free}/` }).connect(), (e: unknown) => e instanceof SendError && e.code === 'CONNECTION_REFUSED');
});

test("against our server's /ws/echo", async (t) => {
  const server = createWireplayServer();
  const { port } = await server.listen();
  t.after(() => server.close());
  const echo = new WsSession({ url: `ws://127.0.0.1:${port}/ws/echo` });
  t.after(() => echo.dispose());
  try {
    await echo.connect();
  } catch (err) {
    // The WebSocket routes land in the server separately; until then the endpoint is a 404.
    if (err instanceof SendError && err.code === 'HANDSHAKE_FAILED' && /\b404\b/.test(err.message)) return t.skip('the server has no /ws/echo route yet');
    throw err;
  }
  const m = nextEvent<WebSocketMessage>(echo, 'message');
  await echo.sendText('to our server');
  assert.equal((await m).text, 'to our server');
  const closed = echo.closed();
  echo.close();
  assert.equal((await closed).code, 1000);
});

test('against a Python websockets server', async (t) => {
  const script = [
    'import asyncio, websockets',
    'async def echo(ws, *args):',
    '    async for m in ws:',
    '        await ws.send(m)',
    'async def main():',
    "    async with websockets.serve(echo, '127.0.0.1', 0, subprotocols=['chat']) as server:",
    '        print(server.sockets[0].getsockname()[1], flush=True)',
    '        await asyncio.Future()',
    'asyncio.run(main())',
  ].join('\n');
  const py = spawn('/usr/bin/python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    py.kill();
  });
  const [line] = (await once(py.stdout!, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const session = new WsSession({ url: `ws://127.0.0.1:${port}/`, protocols: ['chat'] });
  t.after(() => session.dispose());
  await session.connect();
  assert.equal(session.protocol, 'chat');
  assert.match(session.extensions, /permessage-deflate/);
  const big = 'x'.repeat(200_000);
  for (const text of ['hi python', big]) {
    const m = nextEvent<WebSocketMessage>(session, 'message');
    await session.sendText(text);
    assert.equal((await m).text, text);
  }
  const m = nextEvent<WebSocketMessage>(session, 'message');
  await session.sendBinary(Buffer.from([9, 8, 7]));
  assert.deepEqual((await m).data, Buffer.from([9, 8, 7]));
  const pong = nextEvent<Buffer>(session, 'pong');
  await session.ping('py');
  assert.equal((await pong).toString(), 'py');
  const closed = session.closed();
  session.close(1000, 'done');
  const ev = await closed;
  assert.equal(ev.code, 1000);
  assert.equal(ev.wasClean, true);
});

test('wss:// against a ws server on TLS, with and without verification', async (t) => {
  const { key, cert } = makeCertificate();
  const https = createHttpsServer({ key, cert });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    https.close(() => r());
  }));
  const url = `wss://localhost:${(https.address() as { port: number }).port}/`;
  await assert.rejects(new WsSession({ url }).connect(), (e: unknown) => e instanceof SendError && e.code === 'TLS_FAILED');
  const capture = new Emitter<CaptureEvents>();
  const opened: ConnectionOpened[] = [];
  capture.on('open', (e) => opened.push(e));
  const session = new WsSession({ url, insecure: true, capture });
  t.after(() => session.dispose());
  await session.connect();
  assert.equal(opened[0].tls, true);
  const m = nextEvent<WebSocketMessage>(session, 'message');
  await session.sendText('secure');
  assert.equal((await m).text, 'secure');
});
