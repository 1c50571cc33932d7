// Failures on either side: the target refuses, resets mid-body, answers too
// slowly, sends garbage; the client resets mid-upload; either side closes in
// the middle of a WebSocket message. The client gets a readable 502/504 when
// nothing of the response went out yet, a cut response otherwise, and the
// capture keeps every byte the client sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import {
  allClosed,
  bytesOf,
  closedPort,
  curl,
  downstreams,
  finished,
  rawClient,
  scriptedServer,
  startFixture,
  startProxy,
  until,
  upstreamsOf,
} from './helpers.js';

test('target refuses: 502 naming the target and the error; the request stays in the capture', async (t) => {
  const port = await closedPort();
  const p = await startProxy(t, { target: `http://127.0.0.1:${port}` });
  // What the proxy reports while the exchange runs, as the extension's rows read it.
  const reported: (string | undefined)[] = [];
  p.proxy.events.on('exchangeStart', (x) => reported.push(x.upstreamId));
  p.proxy.events.on('exchangeEnd', (x) => reported.push(x.upstreamId));
  const r = await curl(['-i', '--data-binary', 'payload', `${p.url}/x`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(r.stdout, /X-Wireplay-Proxy: upstream-unreachable\r\n/);
  assert.match(r.stdout, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
  await until(p.store, () => allClosed(p.store) && finished(p.proxy).length === 1, 'the exchange to end', 10_000, p.proxy);
  const d = downstreams(p.store)[0];
  assert.match(bytesOf(p.store, d.id, 'c2s').toString('latin1'), /^POST \/x HTTP\/1\.1\r\n[\s\S]*\r\n\r\npayload$/);
  assert.equal(upstreamsOf(p.store, d.id).length, 0, 'no target leg was ever connected');
  const [e] = finished(p.proxy);
  assert.equal(e.source, 'proxy');
  assert.equal(e.answer, 'upstream-unreachable');
  assert.equal(e.status, 502);
  // Not forwarded (proxy/types.ts): no target leg named, no upstream byte range, at any point.
  assert.equal(e.upstreamId, undefined);
  assert.equal(e.request.upstream, undefined);
  assert.deepEqual(reported, [undefined, undefined]);
});

test('target resets mid-body: the client sees the response cut, the exchange says so', async (t) => {
  const f = await startFixture(t);
  const outcome = await new Promise<string>((resolve) => {
    httpRequest(`${f.url}/reset-mid-body`, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length));
      res.on('aborted', () => resolve(`aborted after ${n}`));
      res.on('error', () => resolve(`error after ${n}`));
      res.on('end', () => resolve(`end after ${n}`));
    })
      .on('error', (err) => resolve(`request error ${err.message}`))
      .end();
  });
  assert.match(outcome, /^(aborted|error) after 100$/);
  await until(f.store, () => allClosed(f.store) && finished(f.proxy).length === 1, 'the exchange to end', 10_000, f.proxy);
  const [e] = finished(f.proxy);
  assert.equal(e.status, 200);
  assert.equal(e.source, 'upstream');
  assert.equal(e.outcome, 'cut');
  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  assert.ok(bytesOf(f.store, d.id, 's2c').equals(bytesOf(f.store, u.id, 's2c')), 'the client got every byte the target sent');
});

test('slow target: 504 after the timeout, the target connection is closed', async (t) => {
  const f = await startFixture(t, { timeoutMs: 150 });
  const r = await curl(['-i', `${f.url}/slow`]);
  assert.match(r.stdout, /^HTTP\/1\.1 504 Gateway Timeout\r\n/);
  assert.match(r.stdout, /did not start answering within 150 ms/);
  await until(f.store, () => allClosed(f.store), 'both legs to close');
  const [e] = finished(f.proxy);
  assert.equal(e.answer, 'upstream-timeout');
  const u = f.store.listConnections().find((c) => c.info.role === 'proxy-upstream')!;
  assert.equal(u.closed?.reason, 'timeout');
  assert.equal(e.upstreamId, u.info.connectionId, 'a forwarded request names the leg that carried it');
  assert.ok(e.request.upstream, 'and its bytes on that leg');
  await f.app.connection(u.info.local.port)!.closed;
});

test('target sends a malformed response: 502 saying so', async (t) => {
  const target = await scriptedServer(t, (s) => s.once('data', () => s.end('HTTP/1.1 2OO OK\r\n\r\n')));
  const p = await startProxy(t, { target: target.origin });
  const r = await curl(['-i', `${p.url}/`]);
  assert.match(r.stdout, /^HTTP\/1\.1 502 Bad Gateway\r\n[\s\S]*sent a malformed response: invalid status code \(INVALID_STATUS/);
  await until(p.store, () => allClosed(p.store), 'both legs to close');
  assert.equal(finished(p.proxy)[0].answer, 'invalid-response');
});

test('client resets mid-upload: the target connection is reset too, every byte the client sent is captured', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  const head = 'POST /echo HTTP/1.1\r\nHost: app\r\nContent-Length: 100000\r\n\r\n';
  const part = Buffer.alloc(3000, 0x61);
  c.socket.write(head);
  c.socket.write(part);
  const appConn = await (async () => {
    await until(f.store, () => {
      const u = f.store.listConnections().find((x) => x.info.role === 'proxy-upstream');
      return u !== undefined && f.app.connection(u.info.local.port) !== undefined && Buffer.concat(f.app.connection(u.info.local.port)!.received).length === head.length + part.length;
    }, 'the app to receive the head and the first part');
    const u = f.store.listConnections().find((x) => x.info.role === 'proxy-upstream')!;
    return f.app.connection(u.info.local.port)!;
  })();
  c.socket.resetAndDestroy();
  await appConn.closed;
  await until(f.store, () => allClosed(f.store) && finished(f.proxy).length === 1, 'everything to close', 10_000, f.proxy);
  const d = downstreams(f.store)[0];
  assert.ok(bytesOf(f.store, d.id, 'c2s').equals(Buffer.concat([Buffer.from(head), part])));
  assert.equal(d.closed?.reason, 'reset');
  const [e] = finished(f.proxy);
  assert.equal(e.outcome, 'aborted');
  assert.match(e.error ?? '', /reset/);
});

test('client closes in the middle of a WebSocket message: the target sees the same partial frame, then the end', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  c.socket.write('GET /ws HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  await c.waitFor((b) => b.includes('\r\n\r\n'), 'the 101');
  // A masked text frame announcing 100 bytes, of which 10 are sent, then FIN.
  const partial = Buffer.concat([Buffer.from([0x81, 0x80 | 100, 1, 2, 3, 4]), Buffer.alloc(10, 0x41)]);
  c.socket.end(partial);
  await until(f.store, () => allClosed(f.store), 'both legs to close');
  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  assert.ok(bytesOf(f.store, d.id, 'c2s').equals(bytesOf(f.store, u.id, 'c2s')));
  assert.ok(bytesOf(f.store, u.id, 'c2s').subarray(-partial.length).equals(partial));
  for (const leg of [d, u]) {
    const frames = f.store.messages(leg.id).filter((m) => m.dir === 'c2s' && m.protocol === 'ws');
    assert.equal(frames.length, 1, `${leg.id} shows the cut frame`);
  }
});

test('target closes in the middle of a WebSocket message: the client gets the partial frame, then the end', async (t) => {
  const partial = Buffer.concat([Buffer.from([0x81, 50]), Buffer.alloc(20, 0x42)]);
  const target = await scriptedServer(t, (s) =>
    s.once('data', () => {
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
      s.end(partial);
    }),
  );
  const p = await startProxy(t, { target: target.origin });
  const c = await rawClient(t, p.port);
  c.socket.write('GET /ws HTTP/1.1\r\nHost: app\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  await c.closed;
  assert.ok(c.received().subarray(-partial.length).equals(partial));
  await until(p.store, () => allClosed(p.store), 'both legs to close');
  const d = downstreams(p.store)[0];
  const u = upstreamsOf(p.store, d.id)[0];
  assert.ok(bytesOf(p.store, d.id, 's2c').equals(bytesOf(p.store, u.id, 's2c')));
  assert.ok(bytesOf(p.store, d.id, 's2c').equals(c.received()));
  const [e] = finished(p.proxy);
  assert.equal(e.upgraded, 'websocket');
});
