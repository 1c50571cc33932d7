// WebSocket through the proxy: the upgrade is forwarded as written, the 101
// turns both connections into a tunnel, both legs get a capture 'switch' at the
// right offsets (with the negotiated permessage-deflate), and every frame is
// dissected on both legs. A refused upgrade resumes HTTP over the bytes the
// client sent after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import {
  allClosed,
  assertAppMatches,
  assertLegsMirror,
  bytesOf,
  countResponses,
  downstreams,
  finished,
  rawClient,
  scriptedServer,
  startFixture,
  startProxy,
  until,
  upstreamsOf,
} from './helpers.js';

test('ws client ↔ ws server with permessage-deflate: frames tunnelled, switch on both legs, frames dissected on both', async (t) => {
  const f = await startFixture(t);
  const ws = new WebSocket(`ws://127.0.0.1:${f.port}/ws`, { perMessageDeflate: true });
  t.after(() => ws.terminate());
  await once(ws, 'open');
  assert.match(ws.extensions, /permessage-deflate/);
  const got: string[] = [];
  ws.on('message', (d, binary) => got.push(binary ? `bin:${(d as Buffer).toString('hex')}` : d.toString()));
  ws.send('hello '.repeat(50));
  ws.send(Buffer.from([0, 1, 2, 255]));
  ws.send('last');
  await new Promise<void>((resolve) => {
    const check = () => (got.length === 3 ? resolve() : ws.once('message', check));
    check();
  });
  assert.deepEqual(got, ['hello '.repeat(50), 'bin:000102ff', 'last']);
  ws.close(1000, 'bye');
  const [code] = (await once(ws, 'close')) as [number];
  assert.equal(code, 1000);
  await until(f.store, () => allClosed(f.store), 'both legs to close');
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);

  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  for (const leg of [d, u]) {
    const conn = f.store.connection(leg.id)!;
    assert.equal(conn.switches.length, 1, `${leg.id} has one switch`);
    const sw = conn.switches[0];
    assert.equal(sw.protocol, 'ws');
    assert.match(sw.extensions ?? '', /permessage-deflate/);
    // The offsets are the ends of the upgrade request and of the 101 on this leg.
    const c2s = bytesOf(f.store, leg.id, 'c2s').toString('latin1');
    const s2c = bytesOf(f.store, leg.id, 's2c').toString('latin1');
    assert.equal(sw.c2sOffset, c2s.indexOf('\r\n\r\n') + 4);
    assert.ok(s2c.startsWith('HTTP/1.1 101 Switching Protocols\r\n'));
    assert.equal(sw.s2cOffset, s2c.indexOf('\r\n\r\n') + 4);
    const frames = f.store.messages(leg.id).filter((m) => m.kind === 'ws-frame');
    // 3 messages each way plus the close frames.
    assert.equal(frames.filter((m) => m.dir === 'c2s').length, 4, `${leg.id} client frames`);
    assert.equal(frames.filter((m) => m.dir === 's2c').length, 4, `${leg.id} server frames`);
    assert.ok(frames.every((m) => !m.error), `${leg.id} frames dissect without error`);
    assert.ok(frames.some((m) => m.summary.includes('hello hello')), `${leg.id}: the compressed text is shown inflated`);
  }
  const [e] = finished(f.proxy);
  assert.equal(e.status, 101);
  assert.equal(e.upgraded, 'websocket');
  assert.equal(e.outcome, 'complete');
});

test('a refused upgrade is plain HTTP: the request pipelined after it is forwarded once the refusal is in', async (t) => {
  const seen: string[] = [];
  const target = await scriptedServer(t, (s) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const head = buf.slice(0, i);
        buf = buf.slice(i + 4);
        seen.push(head.split('\r\n')[0]);
        if (head.startsWith('GET /ws')) s.write('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 4\r\n\r\nnope');
        else s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', () => s.end());
      }
    });
  });
  const p = await startProxy(t, { target: target.origin });
  const c = await rawClient(t, p.port);
  const upgrade = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
  const next = 'GET /after HTTP/1.1\r\nHost: a\r\n\r\n';
  c.socket.write(upgrade + next);
  await c.closed;
  assert.equal(countResponses(c.received()), 2);
  assert.deepEqual(seen, ['GET /ws HTTP/1.1', 'GET /after HTTP/1.1']);
  await until(p.store, () => allClosed(p.store), 'the connections to close');
  assertLegsMirror(p.store);
  for (const conn of p.store.snapshot()) assert.equal(conn.switches.length, 0, 'no protocol switch');
  assert.deepEqual(finished(p.proxy).map((e) => [e.target, e.status, e.upgraded]), [['/ws', 426, undefined], ['/after', 200, undefined]]);
});
