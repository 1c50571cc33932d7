// Interop with the `ws` package over loopback, both directions, with and
// without permessage-deflate: `ws` as client against our server, and as
// server against our client.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as https from 'node:https';
import WebSocket, { WebSocketServer } from 'ws';
import { createBuiltinWebSocketRoutes } from '../../../server-core/ws/builtin-routes.js';
import { connectWebSocket, WebSocketHandshakeError } from '../../../server-core/ws/client.js';
import type { WebSocketConnection, CloseEvent } from '../../../server-core/ws/connection.js';
import type { WebSocketMessage, WebSocketRoute } from '../../../server-core/ws/types.js';
import { startWsTestServer, type WsTestServer } from '../../support/ws-test-server.js';

function nextMessages(ws: WebSocket, n: number): Promise<{ data: Buffer; binary: boolean }[]> {
  return new Promise((resolve) => {
    const got: { data: Buffer; binary: boolean }[] = [];
    const on = (data: Buffer, binary: boolean) => {
      got.push({ data, binary });
      if (got.length === n) {
        ws.off('message', on);
        resolve(got);
      }
    };
    ws.on('message', on);
  });
}

function ourMessages(conn: WebSocketConnection, n: number): Promise<WebSocketMessage[]> {
  return new Promise((resolve) => {
    const got: WebSocketMessage[] = [];
    const d = conn.on('message', (m) => {
      got.push(m);
      if (got.length === n) {
        d.dispose();
        resolve(got);
      }
    });
  });
}

describe('ws client → Wireplay server', () => {
  let server: WsTestServer;
  const builtin = Object.fromEntries(createBuiltinWebSocketRoutes({ tickerInterval: 50 }).map((r) => [r.path, r.route]));
  const routes: Record<string, WebSocketRoute> = {
    ...builtin,
    '/proto': { handler: { onMessage: (p, m) => p.send(`${p.protocol}:${m.text}`) }, protocols: ['v2.wireplay', 'v1.wireplay'] },
    '/guarded': { handler: {}, origins: ['http://allowed.example'] },
    '/closer': { handler: { onMessage: (p, m) => p.close(4001, `closing on ${m.text}`) } },
  };
  before(async () => {
    server = await startWsTestServer(routes);
  });
  after(() => server.close());

  for (const perMessageDeflate of [false, true]) {
    test(`echo of text, binary, empty and 2 MiB messages (permessage-deflate ${perMessageDeflate ? 'on' : 'off'})`, async (t) => {
      const ws = new WebSocket(server.url('/ws/echo'), { perMessageDeflate });
      t.after(() => ws.terminate());
      await once(ws, 'open');
      assert.equal(ws.extensions, perMessageDeflate ? 'permessage-deflate' : '');
      const big = Buffer.alloc(2 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
      const pending = nextMessages(ws, 5);
      ws.send('hello κόσμε');
      ws.send(Buffer.from([0, 1, 2, 255]));
      ws.send('');
      ws.send(big);
      ws.send('x'.repeat(100_000));
      const got = await pending;
      assert.deepEqual(got.map((m) => m.binary), [false, true, false, true, false]);
      assert.equal(got[0].data.toString(), 'hello κόσμε');
      assert.deepEqual(got[1].data, Buffer.from([0, 1, 2, 255]));
      assert.equal(got[2].data.length, 0);
      assert.ok(got[3].data.equals(big));
      assert.equal(got[4].data.toString(), 'x'.repeat(100_000));
      ws.close(1000, 'done');
      const [code] = await once(ws, 'close');
      assert.equal(code, 1000);
    });
  }

  test('a fragmented message from ws is reassembled', async (t) => {
    const ws = new WebSocket(server.url('/ws/echo'), { perMessageDeflate: false });
    t.after(() => ws.terminate());
    await once(ws, 'open');
    const pending = nextMessages(ws, 1);
    ws.send('part one, ', { fin: false });
    ws.send('part two, ', { fin: false });
    ws.send('end', { fin: true });
    assert.equal((await pending)[0].data.toString(), 'part one, part two, end');
  });

  test('ws pings are answered with pongs; the server pings and ws answers', async (t) => {
    const ws = new WebSocket(server.url('/ws/echo'));
    t.after(() => ws.terminate());
    const conn = server.nextConnection();
    await once(ws, 'open');
    ws.ping('probe');
    const [pong] = await once(ws, 'pong');
    assert.equal(pong.toString(), 'probe');
    const c = await conn;
    const gotPong = new Promise<Buffer>((r) => c.on('pong', r));
    c.ping('from server');
    assert.equal((await gotPong).toString(), 'from server');
  });

  test('the server closes with a code and reason; ws sees them', async (t) => {
    const ws = new WebSocket(server.url('/closer'));
    t.after(() => ws.terminate());
    await once(ws, 'open');
    ws.send('now');
    const [code, reason] = await once(ws, 'close');
    assert.equal(code, 4001);
    assert.equal(reason.toString(), 'closing on now');
  });

  test('subprotocol: the endpoint\'s first preference that the client offered', async (t) => {
    const ws = new WebSocket(server.url('/proto'), ['v1.wireplay', 'v2.wireplay']);
    t.after(() => ws.terminate());
    await once(ws, 'open');
    assert.equal(ws.protocol, 'v2.wireplay');
    ws.send('hi');
    const [m] = await nextMessages(ws, 1);
    assert.equal(m.data.toString(), 'v2.wireplay:hi');
  });

  test('chat broadcasts to every connection, ticker speaks unasked', async (t) => {
    const a = new WebSocket(server.url('/ws/chat'));
    const b = new WebSocket(server.url('/ws/chat'));
    t.after(() => (a.terminate(), b.terminate()));
    await Promise.all([once(a, 'open'), once(b, 'open')]);
    const want = (ws: WebSocket) => new Promise<string>((r) => ws.on('message', (d) => d.toString() === 'to everyone' && r(d.toString())));
    const pa = want(a);
    const pb = want(b);
    a.send('to everyone');
    assert.deepEqual(await Promise.all([pa, pb]), ['to everyone', 'to everyone']);
    const ticker = new WebSocket(server.url('/ws/ticker'));
    t.after(() => ticker.terminate());
    const ticks = await nextMessages(ticker, 2);
    assert.deepEqual(ticks.map((m) => JSON.parse(m.data.toString()).seq), [1, 2]);
  });

  test('refusals reach ws as plain HTTP: 403 for a foreign Origin, 426 for version 8', async () => {
    const status = (ws: WebSocket) =>
      new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        });
        ws.on('error', () => {});
      });
    assert.equal(await status(new WebSocket(server.url('/guarded'), { origin: 'http://evil.example' })), 403);
    const ok = new WebSocket(server.url('/guarded'), { origin: 'http://allowed.example' });
    await once(ok, 'open');
    ok.terminate();
    assert.equal(await status(new WebSocket(server.url('/ws/echo'), { protocolVersion: 8 })), 426);
  });
});

describe('Wireplay client → ws server', () => {
  const servers: WebSocketServer[] = [];
  after(() => {
    for (const s of servers) s.close();
  });
  async function wsServer(options: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
    servers.push(wss);
    wss.on('connection', (s, req) => {
      if (req.url === '/close') s.on('message', () => s.close(4321, 'server says bye'));
      else s.on('message', (d, binary) => s.send(d, { binary }));
    });
    await once(wss, 'listening');
    return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  }

  const variants: [string, ConstructorParameters<typeof WebSocketServer>[0], object | boolean][] = [
    ['no compression', { perMessageDeflate: false }, true],
    ['permessage-deflate defaults', { perMessageDeflate: { threshold: 0 } }, true],
    ['no context takeover, 10-bit windows', { perMessageDeflate: { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 10 } }, { threshold: 0 }],
    ['client offers server_max_window_bits=9', { perMessageDeflate: { threshold: 0 } }, { serverMaxWindowBits: 9, clientMaxWindowBits: 11, threshold: 0 }],
  ];
  for (const [name, serverOptions, clientDeflate] of variants) {
    test(`echo through ws (${name})`, async () => {
      const base = await wsServer(serverOptions);
      const { connection, handshake } = await connectWebSocket(`${base}/echo`, { perMessageDeflate: clientDeflate as boolean });
      assert.equal(handshake.response.statusCode, 101);
      if (serverOptions?.perMessageDeflate) assert.ok(connection.deflateParams, 'deflate not negotiated');
      else assert.equal(connection.deflateParams, null);
      const big = Buffer.alloc(1024 * 1024, 'wireplay ');
      const pending = ourMessages(connection, 4);
      connection.send('hello');
      connection.send(Buffer.from([9, 8, 7]));
      connection.send(big);
      connection.send('');
      const got = await pending;
      assert.equal(got[0].text, 'hello');
      assert.deepEqual(got[1].data, Buffer.from([9, 8, 7]));
      assert.ok(got[2].data.equals(big));
      assert.equal(got[3].text, '');
      const closed = new Promise<CloseEvent>((r) => connection.on('close', r));
      connection.close(1000, 'bye');
      const ev = await closed;
      assert.deepEqual([ev.code, ev.wasClean], [1000, true]);
    });
  }

  test('the server closes first with a code and reason', async () => {
    const base = await wsServer({ perMessageDeflate: false });
    const { connection } = await connectWebSocket(`${base}/close`);
    const closed = new Promise<CloseEvent>((r) => connection.on('close', r));
    connection.send('go');
    const ev = await closed;
    assert.deepEqual([ev.code, ev.reason, ev.wasClean], [4321, 'server says bye', true]);
  });

  test('a refused handshake reports the status, headers and body', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_info, cb) => cb(false, 401, 'Go away', { 'X-Why': 'test' }) });
    servers.push(wss);
    await once(wss, 'listening');
    const err = await connectWebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`).then(
      () => null,
      (e: WebSocketHandshakeError) => e,
    );
    assert.ok(err instanceof WebSocketHandshakeError);
    assert.equal(err.code, 'WS_HANDSHAKE_REFUSED');
    assert.equal(err.status, 401);
    assert.ok(err.response?.headers.some((h) => h.name.toLowerCase() === 'x-why' && h.value === 'test'));
    assert.equal(err.response?.body.toString(), 'Go away');
  });

  test('wss:// over TLS with a self-signed certificate', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'wireplay-wss-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const httpsServer = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert });
    const wss = new WebSocketServer({ server: httpsServer });
    wss.on('connection', (s) => s.on('message', (d, binary) => s.send(d, { binary })));
    httpsServer.listen(0, '127.0.0.1');
    await once(httpsServer, 'listening');
    t.after(() => (wss.close(), httpsServer.close()));
    const url = `wss://127.0.0.1:${(httpsServer.address() as { port: number }).port}/`;
    const refused = await connectWebSocket(url).then(() => null, (e: WebSocketHandshakeError) => e);
    assert.equal(refused?.code, 'WS_CONNECT_FAILED', 'an untrusted certificate must fail');
    const { connection } = await connectWebSocket(url, { tls: { ca: cert } });
    const got = ourMessages(connection, 1);
    connection.send('over tls');
    assert.equal((await got)[0].text, 'over tls');
    const closed = new Promise<CloseEvent>((r) => connection.on('close', r));
    connection.close(1000);
    assert.equal((await closed).code, 1000);
  });
});
