// Listening, connection tracking and graceful close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWireplayServer } from '../../../server-core/index.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import { parserLimitsOf, resolveLimits } from '../../../server-core/server/limits.js';
import { HttpListener } from '../../../server-core/server/listener.js';
import { Scheduler } from '../../../server-core/server/scheduler.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import { collect, exchange, firstResponse, open, readResponses, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';
import WebSocket from 'ws';
import { handleUpgrade } from '../../../server-core/ws/upgrade.js';
import type { WebSocketPeer } from '../../../server-core/ws/types.js';
import type { ConnectionSnapshot } from '../../../server-core/server/connection.js';

test('listens on 127.0.0.1 by default; port 0 picks a free port; url matches', async (t) => {
  const { server, port, url } = await startServer(t, { handler: (_q, r) => r.end('hi') });
  assert.ok(port > 0);
  assert.equal(url, `http://127.0.0.1:${port}`);
  assert.equal(server.url, url);
  const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(r.data).text, 'hi');
});

test('another host is an explicit option and logs a warning', async (t) => {
  const lines: string[] = [];
  const server = createWireplayServer({ host: '::1', handler: (_q, r) => r.end('v6'), log: (level, m) => lines.push(`${level} ${m}`) });
  t.after(() => server.close());
  let addr;
  try {
    addr = await server.listen();
  } catch (err) {
    t.skip(`no IPv6 loopback here: ${(err as Error).message}`);
    return;
  }
  assert.equal(addr.url, `http://[::1]:${addr.port}`);
  assert.ok(lines.some((l) => l.startsWith('warn') && l.includes('::1')));
});

test('connections() tracks sockets with counters and state', async (t) => {
  const { server, port } = await startServer(t, { handler: (_q, r) => r.end('abc') });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await readResponses(socket, 1);
  const [c] = server.connections();
  assert.equal(c.protocol, 'http');
  assert.equal(c.requests, 1);
  assert.equal(c.bytesIn, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'.length);
  assert.ok(c.bytesOut > 3);
  assert.equal(c.state, 'idle');
  assert.equal(c.remote.address, '127.0.0.1');
  socket.destroy();
  const closed = await new Promise<string>((resolve) => server.events.on('connectionClosed', (s) => resolve(s.id)));
  assert.equal(closed, c.id);
  assert.equal(server.connections().length, 0);
});

test('graceful close: the in-flight response finishes, idle keep-alive sockets close, no new connections', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let started!: () => void;
  const handlerStarted = new Promise<void>((r) => (started = r));
  const server = createWireplayServer({
    handler: async (req, res) => {
      if (req.path === '/slow') {
        started();
        await gate;
      }
      res.end(`done ${req.path}`);
    },
  });
  const { port } = await server.listen();
  const idle = await open(port);
  const busy = await open(port);
  t.after(() => {
    idle.destroy();
    busy.destroy();
  });
  idle.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
  await readResponses(idle, 1);
  const idleChunks: Buffer[] = [];
  const idleClosed = collect(idle, idleChunks);
  busy.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  const busyResponse = readResponses(busy, 1);
  await handlerStarted;

  const closing = server.close();
  assert.equal(await idleClosed, true, 'the idle keep-alive socket is closed at once');
  // New connections are refused while closing.
  const refused = await new Promise<boolean>((resolve) => {
    import('node:net').then(({ connect }) => {
      const s = connect({ host: '127.0.0.1', port });
      s.on('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.on('error', () => resolve(true));
    });
  });
  assert.equal(refused, true);
  release();
  const { responses, closed } = await busyResponse;
  assert.equal(responses[0].text, 'done /slow');
  assert.equal(responses[0].header('connection'), 'close');
  await closing;
  assert.equal(server.connections().length, 0);
  void closed;
});

test('graceful close destroys what is left after closeTimeout', async (t) => {
  const server = createWireplayServer({ limits: { closeTimeout: 200 }, handler: () => {} });
  const { port } = await server.listen();
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET /never HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor(() => server.connections()[0]?.state === 'handling', 'the request to reach its handler');
  // Time is the subject: the close timer runs on mock timers, the sockets on real I/O.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const closedByServer = once(socket, 'close');
  const closing = server.close();
  t.mock.timers.tick(199);
  await new Promise((r) => setImmediate(r));
  assert.equal(server.connections().length, 1, 'still open before closeTimeout');
  t.mock.timers.tick(1);
  await closing;
  await closedByServer;
  assert.equal(server.connections().length, 0);
});

test('no leaked sockets after many short connections', async (t) => {
  const { server, port } = await startServer(t, { handler: (_q, r) => r.end('x') });
  await Promise.all(
    Array.from({ length: 40 }, () => exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')),
  );
  await waitFor(() => server.connections().length === 0, 'every connection to close', 1000);
  assert.equal(server.connections().length, 0);
});

test('resolveLimits refuses a non-positive limit', () => {
  assert.throws(() => createWireplayServer({ limits: { maxBodyBytes: 0 } }), RangeError);
  assert.throws(() => createWireplayServer({ limits: { headersTimeout: -1 } }), RangeError);
});

test('reloadRoutes() reloads the routes file now and resolves with its errors; a broken file keeps the routes serving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-reload-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'wireplay.routes.json');
  writeFileSync(file, '{ "routes": [ { "path": "/hello", "body": "v1" } ] }');
  const { server, port } = await startServer(t, { routesFile: file });
  const get = async () => firstResponse((await exchange(port, 'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).data).text;
  assert.equal(await get(), 'v1');

  writeFileSync(file, '{ "routes": [ { "path": "/hello", "body": "v2" } ] }');
  assert.deepEqual(await server.reloadRoutes(), []);
  assert.equal(await get(), 'v2');

  const reported: string[] = [];
  const d = server.events.on('error', (e) => reported.push(`${e.kind} ${e.message}`));
  t.after(() => d.dispose());
  writeFileSync(file, '{ "routes": [ { "path": "/hello", "body": "v3" }, ] }');
  const errors = await server.reloadRoutes();
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'JSON_SYNTAX');
  assert.equal(errors[0].line, 1);
  assert.ok(reported.some((r) => r.startsWith('routes ') && r.includes('wireplay.routes.json:1:')), reported.join('\n'));
  assert.equal(await get(), 'v2', 'the previous routes keep serving');
});

test('reloadRoutes() without a routes file resolves with no errors', async (t) => {
  const { server } = await startServer(t, {});
  assert.deepEqual(await server.reloadRoutes(), []);
  const custom = createWireplayServer({ handler: (_q, r) => r.end() });
  assert.deepEqual(await custom.reloadRoutes(), []);
});

test('after an upgrade the connection lets go of the HTTP parser (its decoder and last head)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const limits = resolveLimits({});
  const parsers: WeakRef<object>[] = [];
  const capture = new Emitter<CaptureEvents>();
  const switched: CaptureEvents['switch'][] = [];
  capture.on('switch', (e) => switched.push(e));
  const listener = new HttpListener({
    limits,
    context: {
      limits,
      parserLimits: parserLimitsOf(limits),
      createParser: (handlers, parserLimits) => {
        const p = new HttpMessageParser('request', handlers, parserLimits);
        parsers.push(new WeakRef(p));
        return p;
      },
      scheduler: new Scheduler('concurrent'),
      capture,
      getHandler: () => (_q, r) => r.end(),
      upgrade: {
        match: () => true,
        accept: (_req, socket) => {
          socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
          return { close: () => socket.end() };
        },
      },
      wantsRequestLog: () => false,
      onRequestLog: () => {},
      onError: () => {},
    },
  });
  const { port } = await listener.listen('127.0.0.1', 0);
  t.after(() => listener.close());
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET /x HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n');
  await once(socket, 'data');
  const [conn] = listener.connections;
  assert.equal(conn.snapshot().state, 'upgraded');
  assert.equal(switched.length, 1, 'the capture still sees the switch');
  for (let i = 0; i < 10 && parsers[0].deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(parsers.length, 1);
  assert.equal(parsers[0].deref(), undefined, 'the upgraded connection still holds its HTTP parser');
  // Counting and capturing go on after the switch.
  const before = conn.snapshot().bytesIn;
  socket.write('after');
  await waitFor(() => conn.snapshot().bytesIn !== before, 'the server to count the bytes after the switch');
  assert.equal(conn.snapshot().bytesIn, before + 5);
});

test('an upgraded WebSocket connection: counted both ways, listed as upgraded, closed with 1001 on a graceful shutdown', async (t) => {
  const server = createWireplayServer();
  t.after(() => server.close());
  const { port } = await server.listen();
  const perDir = { c2s: 0, s2c: 0 };
  server.capture.on('chunk', (c) => (perDir[c.dir] += c.bytes.length));
  const closed: ConnectionSnapshot[] = [];
  server.events.on('connectionClosed', (s) => closed.push(s));
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false });
  t.after(() => client.terminate());
  await once(client, 'open');
  client.send('hello');
  const [echo] = await once(client, 'message');
  assert.equal(String(echo), 'hello');
  const raw = (client as unknown as { _socket: import('node:net').Socket })._socket;
  const [snap] = server.connections();
  assert.equal(snap.protocol, 'ws');
  assert.equal(snap.state, 'upgraded');
  // Every byte the client wrote (the upgrade request and its frame) and read (the 101 and the echo).
  assert.equal(snap.bytesIn, raw.bytesWritten);
  assert.equal(snap.bytesOut, raw.bytesRead);
  assert.deepEqual(perDir, { c2s: raw.bytesWritten, s2c: raw.bytesRead }, 'the capture saw the same bytes');
  // The idle connection is closed by the server's shutdown with a going-away close frame.
  const closing = once(client, 'close');
  const serverClosed = server.close();
  const [code, reason] = await closing;
  assert.equal(code, 1001);
  assert.equal(String(reason), 'server shutting down');
  await serverClosed;
  assert.equal(closed.length, 1);
  assert.equal(closed[0].state, 'closed');
  assert.equal(closed[0].protocol, 'ws');
  assert.equal(closed[0].bytesOut, raw.bytesRead, 'the close frame was counted');
});

test('after a WebSocket upgrade nothing keeps the HTTP connection: a small record takes its place in the listener', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const limits = resolveLimits({});
  const route = { handler: { onMessage: (peer: WebSocketPeer, m: { data: Buffer }) => peer.send(m.data) } };
  const opened: WeakRef<object>[] = [];
  const listener = new HttpListener({
    limits,
    onOpened: (c) => opened.push(new WeakRef(c)),
    context: {
      limits,
      parserLimits: parserLimitsOf(limits),
      createParser: (handlers, parserLimits) => new HttpMessageParser('request', handlers, parserLimits),
      scheduler: new Scheduler('concurrent'),
      capture: new Emitter<CaptureEvents>(),
      getHandler: () => (_q, r) => r.end(),
      upgrade: {
        reportsBytes: true,
        match: () => true,
        accept: (req, socket, rest, _token, _id, tap) => {
          const conn = handleUpgrade(req, socket, rest, route, {}, tap);
          return conn && { owner: conn };
        },
      },
      wantsRequestLog: () => false,
      onRequestLog: () => {},
      onError: () => {},
    },
  });
  const { port } = await listener.listen('127.0.0.1', 0);
  t.after(() => listener.close());
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  t.after(() => client.terminate());
  await once(client, 'open');
  client.send('x');
  await once(client, 'message');
  assert.equal(opened.length, 1);
  for (let i = 0; i < 10 && opened[0].deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  assert.equal(opened[0].deref(), undefined, 'the upgraded connection still holds its HttpConnection');
  const [upgraded] = listener.connections;
  assert.equal(upgraded.snapshot().state, 'upgraded');
  // The record still closes the WebSocket connection on a graceful close.
  const closing = once(client, 'close');
  await listener.close();
  assert.equal((await closing)[0], 1001);
});
