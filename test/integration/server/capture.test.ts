// The capture hook: every chunk both ways with the exact bytes, open/close
// events, monotonic timestamps, and the switch event on a WebSocket upgrade.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { CaptureChunk, ConnectionClosed, ConnectionOpened, ProtocolSwitched } from '../../../server-core/index.js';
import { collect, open, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';

test('the capture hook sees the exact bytes both ways, in order, with open and close', async (t) => {
  const { server, port } = await startServer(t, {
    handler: async (req, res) => {
      const body = await req.body();
      res.setHeader('X-Len', body.length);
      res.write('streamed ');
      res.end(body);
    },
  });
  const opened: ConnectionOpened[] = [];
  const chunks: CaptureChunk[] = [];
  const closed: ConnectionClosed[] = [];
  server.capture.on('open', (e) => opened.push(e));
  server.capture.on('chunk', (e) => chunks.push({ ...e, bytes: Buffer.from(e.bytes) }));
  const closedP = new Promise<void>((resolve) =>
    server.capture.on('close', (e) => {
      closed.push(e);
      resolve();
    }),
  );

  const socket = await open(port);
  t.after(() => socket.destroy());
  const localPort = socket.localPort;
  const parts = ['POST /x HTTP/1.1\r\nHost: x\r\nContent-Le', 'ngth: 5\r\nConnection: close\r\n\r\nhel', 'lo'];
  const received: Buffer[] = [];
  const done = collect(socket, received);
  // One part per read: each is written once the server has captured the one before.
  for (const p of parts) {
    const seen = chunks.filter((c) => c.dir === 'c2s').length;
    socket.write(p);
    await waitFor(() => chunks.filter((c) => c.dir === 'c2s').length > seen, 'the server to read the part');
  }
  assert.equal(await done, true);
  await closedP;

  assert.equal(opened.length, 1);
  const id = opened[0].connectionId;
  assert.equal(opened[0].side, 'server');
  assert.equal(opened[0].protocol, 'http');
  assert.equal(opened[0].remote.port, localPort);
  const c2s = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
  const s2c = Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes));
  assert.equal(c2s.toString('latin1'), parts.join(''));
  assert.deepEqual(s2c, Buffer.concat(received));
  assert.ok(chunks.every((c) => c.connectionId === id));
  for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i].t >= chunks[i - 1].t, 'monotonic timestamps');
  assert.ok(chunks[0].t >= opened[0].t);
  assert.equal(closed[0].connectionId, id);
  assert.ok(closed[0].t >= chunks[chunks.length - 1].t);
  const [snapshot] = [server.connections()];
  assert.equal(snapshot.length, 0);
});

test('capture costs nothing when nobody listens: no events, counters still kept', async (t) => {
  const { server, port } = await startServer(t, { handler: (_q, r) => r.end('ok') });
  const sub = server.capture.on('chunk', () => {});
  sub.dispose();
  assert.equal(server.capture.hasListeners('chunk'), false);
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await collect(socket, [], (data) => data.toString('latin1').endsWith('ok'));
  assert.ok(server.connections()[0].bytesOut > 0);
});

test('an upgrade to WebSocket emits switch with the stream offsets, and frames keep being captured', async (t) => {
  const { server, port } = await startServer(t, {
    handler: (_q, r) => r.end('plain'),
    webSocketRoutes: [
      {
        path: '/ws/echo',
        route: {
          handler: {
            onMessage(peer, m) {
              peer.send(m.data, { binary: m.binary });
            },
          },
        },
      },
    ],
    webSocket: { perMessageDeflate: false },
  });
  const chunks: CaptureChunk[] = [];
  const switches: ProtocolSwitched[] = [];
  server.capture.on('chunk', (e) => chunks.push({ ...e, bytes: Buffer.from(e.bytes) }));
  server.capture.on('switch', (e) => switches.push(e));

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false });
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send('hello wire');
  const echo = await new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
  assert.equal(echo.toString(), 'hello wire');

  assert.equal(switches.length, 1);
  const sw = switches[0];
  assert.equal(sw.protocol, 'ws');
  const c2s = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
  const s2c = Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes));
  // c2s: the handshake request ends exactly at the switch offset.
  assert.ok(c2s.subarray(0, sw.c2sOffset).toString('latin1').endsWith('\r\n\r\n'));
  assert.ok(c2s.length > sw.c2sOffset, 'the client frame is captured after the switch');
  // s2c: the 101 response ends exactly at the switch offset, then the echo frame.
  const head = s2c.subarray(0, sw.s2cOffset).toString('latin1');
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.ok(head.endsWith('\r\n\r\n'));
  const frame = s2c.subarray(sw.s2cOffset);
  assert.equal(frame[0], 0x81); // FIN + text
  assert.equal(frame.subarray(2, 2 + 10).toString(), 'hello wire');
  const conn = server.connections().find((c) => c.protocol === 'ws');
  assert.ok(conn);
  assert.equal(conn.state, 'upgraded');
});

test('an upgrade request on a path without a WebSocket route is answered as plain HTTP', async (t) => {
  const { port } = await startServer(t, { handler: (req, r) => r.end(`plain ${req.path}`) });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const received: Buffer[] = [];
  const done = collect(socket, received, (data) => data.toString('latin1').endsWith('plain /nows'));
  socket.write(
    'GET /nows HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  await done;
  assert.match(Buffer.concat(received).toString('latin1'), /^HTTP\/1\.1 200 OK[\s\S]*plain \/nows$/);
});

test('graceful close closes upgraded WebSocket connections too', async (t) => {
  const { server, port } = await startServer(t, {
    handler: (_q, r) => r.end('plain'),
    webSocketRoutes: [{ path: '/ws', route: { handler: {} } }],
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const closedCode = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await server.close();
  assert.equal(await closedCode, 1001);
  assert.equal(server.connections().length, 0);
});

test('a refused WebSocket handshake is plain HTTP (426), captured, and the connection ends', async (t) => {
  const { server, port } = await startServer(t, {});
  const s2c: Buffer[] = [];
  server.capture.on('chunk', (c) => c.dir === 's2c' && s2c.push(Buffer.from(c.bytes)));
  const switches: unknown[] = [];
  server.capture.on('switch', (e) => switches.push(e));
  const socket = await open(port);
  t.after(() => socket.destroy());
  const received: Buffer[] = [];
  const done = collect(socket, received);
  socket.write(
    'GET /ws/echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  assert.equal(await done, true);
  const text = Buffer.concat(received).toString('latin1');
  assert.match(text, /^HTTP\/1\.1 426 /);
  assert.match(text, /Sec-WebSocket-Version: 13/i);
  assert.deepEqual(Buffer.concat(s2c).toString('latin1'), text);
  assert.equal(switches.length, 0);
});

test('an upgrade pipelined behind a slow request waits for its response, then speaks WebSocket', async (t) => {
  let upgradeArrived!: () => void;
  const upgradeRead = new Promise<void>((resolve) => (upgradeArrived = resolve));
  const { port, server } = await startServer(t, {
    handler: async (_q, r) => {
      // Answers once the upgrade request behind it has been read: the upgrade must wait for it.
      await upgradeRead;
      r.end('slow first');
    },
    webSocketRoutes: [{ path: '/ws', route: { handler: { onMessage: (peer, m) => peer.send(`echo ${m.text}`) } } }],
    webSocket: { perMessageDeflate: false },
  });
  server.capture.on('chunk', (c) => {
    if (c.dir === 'c2s' && c.bytes.includes('Upgrade: websocket')) upgradeArrived();
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  socket.on('data', (c) => chunks.push(c));
  socket.write(
    'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  );
  const text = () => Buffer.concat(chunks).toString('latin1');
  await waitFor(() => text().includes('101 Switching Protocols'), 'the 101 response');
  assert.ok(text().indexOf('slow first') < text().indexOf('101 Switching Protocols'), 'the earlier response comes first');
  // A masked text frame "hi".
  const mask = Buffer.from([1, 2, 3, 4]);
  const payload = Buffer.from('hi');
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  await waitFor(() => text().includes('echo hi'), 'the echoed frame');
});

test('WebSocket frames are unmasked in place only in chunks the capture was not given: captured bytes stay as sent, echoes stay right', async (t) => {
  const { server, port } = await startServer(t);
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false });
  t.after(() => client.terminate());
  await new Promise((resolve, reject) => (client.once('open', resolve), client.once('error', reject)));
  const echo = (data: Buffer) =>
    new Promise<Buffer>((resolve) => {
      client.once('message', (d) => resolve(d as Buffer));
      client.send(data);
    });
  // Not captured: the server may unmask in the read chunk itself; the echo must still be exact.
  const first = Buffer.from('the first message, not captured');
  assert.deepEqual(await echo(first), first);
  // Captured: the chunk handed to the capture must keep the masked bytes the client sent.
  const kept: { chunk: Buffer; copy: Buffer }[] = [];
  server.capture.on('chunk', (e) => {
    if (e.dir === 'c2s') kept.push({ chunk: e.bytes, copy: Buffer.from(e.bytes) });
  });
  for (const size of [5, 200, 70_000]) {
    const payload = Buffer.alloc(size, 0x61 + (size % 20));
    assert.deepEqual(await echo(payload), payload, `echo of ${size} bytes`);
  }
  assert.ok(kept.length >= 3);
  for (const k of kept) assert.deepEqual(k.chunk, k.copy, 'a captured chunk was modified after it was captured');
  // The capture's bytes are the masked frames: unmasking them gives the payloads back.
  const wire = Buffer.concat(kept.map((k) => k.copy));
  const key = wire.subarray(2, 6);
  assert.equal(wire[0], 0x82);
  assert.equal(wire[1] & 0x80, 0x80, 'masked');
  assert.equal(wire[1] & 0x7f, 5);
  for (let i = 0; i < 5; i++) assert.equal(wire[6 + i] ^ key[i % 4], 0x61 + 5);
});

test('the open event and snapshots carry the true local endpoint, for one-address and wildcard listeners, IPv4 and IPv6', async (t) => {
  const { connect } = await import('node:net');
  const { boundLocal } = await import('../../../server-core/server/listener.js');
  // The listener's shortcut (no getsockname per connection) only where its address says it.
  assert.equal(boundLocal('0.0.0.0', 1), undefined);
  assert.equal(boundLocal('::', 1), undefined);
  assert.equal(boundLocal('fe80::1', 1), undefined);
  assert.deepEqual(boundLocal('::1', 8), { address: '::1', port: 8 });
  const cases: { host: string; via: string }[] = [
    { host: '127.0.0.1', via: '127.0.0.1' },
    { host: '0.0.0.0', via: '127.0.0.1' },
    { host: '::1', via: '::1' },
    { host: '::', via: '127.0.0.1' },
    { host: '::', via: '::1' },
  ];
  for (const { host, via } of cases) {
    let server;
    try {
      ({ server } = await startServer(t, { host, log: () => {} }));
    } catch (err) {
      if (via === '::1' && /EADDRNOTAVAIL|EAFNOSUPPORT/.test(String(err))) continue; // no IPv6 here
      throw err;
    }
    const port = server.address!.port;
    const opened: ConnectionOpened[] = [];
    server.capture.on('open', (e) => opened.push(e));
    const socket = connect({ host: via, port });
    t.after(() => socket.destroy());
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    await waitFor(() => opened.length === 1, `the open event (${host} via ${via})`);
    // The server's local end is the client's remote end (a dual-stack :: listener sees IPv4 peers mapped).
    const mapped = (a: string | undefined) => (host === '::' && via === '127.0.0.1' ? `::ffff:${a}` : a);
    const truth = { address: mapped(socket.remoteAddress), port: socket.remotePort };
    assert.deepEqual({ ...opened[0].local }, truth, `${host} via ${via}: open event`);
    assert.deepEqual({ ...opened[0].remote }, { address: mapped(socket.localAddress), port: socket.localPort }, `${host} via ${via}: remote`);
    assert.deepEqual({ ...server.connections()[0].local }, truth, `${host} via ${via}: snapshot`);
    socket.destroy();
  }
});

test('with a capture store (its listener copies), frames may be unmasked in place: the store keeps the masked bytes as sent', async (t) => {
  const { CaptureStore } = await import('../../../server-core/capture/capture-store.js');
  const { server, port } = await startServer(t);
  // Small blocks: reads over 1 KiB (a frame of a few KiB read whole, unmasked in place) take the arena's large-chunk path.
  const store = new CaptureStore({ maxBytes: 64 * 1024 * 1024, blockBytes: 4096, dissect: false });
  t.after(() => store.dispose());
  store.attach(server.capture);
  assert.equal(server.capture.hasKeepingListeners('chunk'), false, 'the store declares that it copies');
  const client = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false });
  t.after(() => client.terminate());
  await new Promise((resolve, reject) => (client.once('open', resolve), client.once('error', reject)));
  const sizes = [5, 200, 2000, 3000, 70_000, 1024 * 1024];
  const payloads = sizes.map((size) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff)));
  for (const p of payloads) {
    const echoed = await new Promise<Buffer>((resolve) => {
      client.once('message', (d) => resolve(d as Buffer));
      client.send(p);
    });
    assert.ok(echoed.equals(p), `echo of ${p.length} bytes`);
  }
  // The store's client bytes, after the handshake: the masked frames the client sent.
  const [conn] = store.listConnections();
  const c2s = Buffer.concat(store.connection(conn.id)!.entries.flatMap((e) => (e.kind === 'data' && e.dir === 'c2s' ? [e.bytes] : [])));
  let at = c2s.indexOf('\r\n\r\n') + 4;
  for (const p of payloads) {
    assert.equal(c2s[at], 0x82, 'a binary frame');
    assert.equal(c2s[at + 1] & 0x80, 0x80, 'masked');
    let len = c2s[at + 1] & 0x7f;
    let head = 2;
    if (len === 126) (len = c2s.readUInt16BE(at + 2)), (head = 4);
    else if (len === 127) (len = Number(c2s.readBigUInt64BE(at + 2))), (head = 10);
    assert.equal(len, p.length);
    const key = c2s.subarray(at + head, at + head + 4);
    const body = c2s.subarray(at + head + 4, at + head + 4 + len);
    assert.ok(
      body.every((b, i) => (b ^ key[i & 3]) === p[i]),
      `the captured frame of ${p.length} bytes unmasks to the payload`,
    );
    at += head + 4 + len;
  }
});
