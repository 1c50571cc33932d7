import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrafficModel } from '../../../../extension/server/traffic-model.js';

const open = (id: string, port: number, t = 0) => ({
  connectionId: id,
  side: 'server' as const,
  protocol: 'http' as const,
  tls: false,
  local: { address: '127.0.0.1', port: 8080 },
  remote: { address: '127.0.0.1', port },
  t,
  wallTime: 1_000_000 + t,
});

test('tracks connections, bytes both ways and closes', () => {
  const m = new TrafficModel({ now: () => 2_000_000 });
  const changes: string[] = [];
  m.onChange((w) => changes.push(w));
  m.opened(open('c1', 50001));
  m.chunk({ connectionId: 'c1', dir: 'c2s', t: 1, bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
  m.chunk({ connectionId: 'c1', dir: 's2c', t: 2, bytes: Buffer.alloc(100) });
  assert.equal(m.open, 1);
  const [row] = m.connectionRows();
  assert.equal(row.peer, '127.0.0.1:50001');
  assert.equal(row.bytesIn, 18);
  assert.equal(row.bytesOut, 100);
  m.closed({ connectionId: 'c1', t: 250 });
  assert.equal(m.open, 0);
  assert.equal(m.connectionRows()[0].closedAt, 1_000_250);
  m.closed({ connectionId: 'c1', t: 300 });
  assert.equal(m.open, 0, 'a second close changes nothing');
  assert.ok(changes.includes('connections'));
});

test('one traffic row per exchange; a WebSocket upgrade turns its row into a session', () => {
  const m = new TrafficModel({ now: () => 5000 });
  m.opened(open('c1', 1));
  m.exchange({ connectionId: 'c1', index: 1, method: 'GET', target: '/echo', status: 200, durationMs: 3 });
  m.exchange({ connectionId: 'c1', index: 2, method: 'GET', target: '/ws/echo', status: 101, durationMs: 1 });
  m.switched({ connectionId: 'c1', t: 5, protocol: 'ws', c2sOffset: 0, s2cOffset: 0 });
  // a masked 2-byte text frame from the client, then an unmasked one from the server
  m.chunk({ connectionId: 'c1', dir: 'c2s', t: 6, bytes: Buffer.from([0x81, 0x82, 1, 2, 3, 4, 5, 6]) });
  m.chunk({ connectionId: 'c1', dir: 's2c', t: 7, bytes: Buffer.from([0x81, 0x02, 0x68, 0x69]) });
  const rows = m.trafficRows();
  assert.equal(rows.length, 2);
  assert.deepEqual(rows.map((r) => r.id), ['c1#1', 'c1#2']);
  assert.equal(rows[1].kind, 'ws');
  assert.equal(rows[1].method, 'WS');
  assert.equal(rows[1].messages, 2);
  assert.equal(rows[1].done, false);
  assert.equal(m.connectionRows()[0].protocol, 'ws');
  m.closed({ connectionId: 'c1', t: 10 });
  assert.equal(m.trafficById('c1#2')?.done, true);
});

test('a WebSocket session without a logged upgrade is named after its request line', () => {
  const m = new TrafficModel();
  m.opened(open('w', 1));
  m.chunk({ connectionId: 'w', dir: 'c2s', t: 1, bytes: Buffer.from('GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n') });
  m.switched({ connectionId: 'w', t: 2, protocol: 'ws', c2sOffset: 60, s2cOffset: 120 });
  const [row] = m.trafficRows();
  assert.equal(row.kind, 'ws');
  assert.equal(row.target, '/ws/echo');
  assert.equal(row.status, 101);
});

test('lists stay bounded; open connections are never dropped', () => {
  const m = new TrafficModel({ maxConnections: 3, maxTraffic: 5 });
  for (let i = 0; i < 10; i++) {
    m.opened(open(`c${i}`, i));
    m.exchange({ connectionId: `c${i}`, index: 1, method: 'GET', target: `/${i}`, status: 200, durationMs: 1 });
    if (i < 8) m.closed({ connectionId: `c${i}`, t: 1 });
  }
  const conns = m.connectionRows();
  assert.ok(conns.length <= 3);
  assert.ok(conns.some((c) => c.id === 'c8') && conns.some((c) => c.id === 'c9'));
  // The newest rows, in order; past the bound the oldest go in a batch (util/drop-oldest.ts), so 4 or 5 stay.
  const targets = m.trafficRows().map((r) => r.target);
  assert.ok(targets.length === 4 || targets.length === 5, targets.join(' '));
  assert.deepEqual(targets, ['/5', '/6', '/7', '/8', '/9'].slice(5 - targets.length));
  assert.deepEqual(m.totals(), { connections: 10, traffic: 10 });
});

test('clear keeps open connections; closeAll marks the rest closed', () => {
  const m = new TrafficModel();
  m.opened(open('a', 1));
  m.opened(open('b', 2));
  m.closed({ connectionId: 'a', t: 1 });
  m.exchange({ connectionId: 'b', index: 1, method: 'GET', target: '/', status: 200, durationMs: 1 });
  m.clear();
  assert.deepEqual(m.connectionRows().map((c) => c.id), ['b']);
  assert.equal(m.trafficRows().length, 0);
  m.closeAll();
  assert.equal(m.open, 0);
  assert.ok(m.connectionRows()[0].closedAt !== undefined);
});

test('the route that took an exchange is on its row; an upgrade logged after its switch only adds the route to the session', () => {
  const m = new TrafficModel({ now: () => 5000 });
  m.opened(open('c1', 1));
  m.exchange({ connectionId: 'c1', index: 1, method: 'GET', target: '/users/7', status: 200, durationMs: 3, route: { pattern: '/users/:id', kind: 'code' } });
  assert.deepEqual([m.trafficRows()[0].routeKind, m.trafficRows()[0].routePattern], ['code', '/users/:id']);
  // The server emits the capture's switch inside the handshake, and the upgrade's request event after it.
  m.chunk({ connectionId: 'c1', dir: 'c2s', t: 1, bytes: Buffer.from('GET /ws/echo HTTP/1.1\r\nUpgrade: websocket\r\n\r\n') });
  m.switched({ connectionId: 'c1', t: 2, protocol: 'ws', c2sOffset: 0, s2cOffset: 0 });
  m.exchange({ connectionId: 'c1', index: 2, method: 'GET', target: '/ws/echo', status: 101, durationMs: 1, route: { pattern: '/ws/echo', kind: 'websocket' } });
  const rows = m.trafficRows();
  assert.equal(rows.length, 2);
  assert.deepEqual([rows[1].kind, rows[1].method, rows[1].routeKind], ['ws', 'WS', 'websocket']);
});

test('proxied traffic: one row per exchange on the client leg, updated in place; the target leg’s upgrade adds no second session; stopping the server leaves the proxy’s legs open', () => {
  const m = new TrafficModel({ now: () => 5000 });
  m.opened({ ...open('p-1', 1), role: 'proxy-downstream' as const });
  m.opened({ ...open('p-up-1', 3000), side: 'client' as const, role: 'proxy-upstream' as const, linkedConnectionId: 'p-1' });
  const proxy = { origin: 'http://127.0.0.1:3000', upstreamId: 'p-up-1' };
  m.proxied({ id: 'p-1#1', connectionId: 'p-1', kind: 'http', method: 'GET', target: '/ws', startedAt: 1, done: false, proxy });
  m.proxied({ id: 'p-1#1', connectionId: 'p-1', kind: 'http', method: 'GET', target: '/ws', status: 101, startedAt: 1, done: false, proxy: { ...proxy, outcome: 'complete' } });
  assert.equal(m.trafficRows().length, 1);
  assert.equal(m.trafficRows()[0].status, 101);
  m.switched({ connectionId: 'p-1', protocol: 'ws', t: 2, c2sOffset: 0, s2cOffset: 0 } as never);
  m.switched({ connectionId: 'p-up-1', protocol: 'ws', t: 2, c2sOffset: 0, s2cOffset: 0 } as never);
  assert.deepEqual(m.trafficRows().map((r) => [r.id, r.kind, r.proxy?.outcome]), [['p-1#1', 'ws', 'complete']]);
  assert.equal(m.connectionRows().find((c) => c.id === 'p-up-1')?.protocol, 'ws');
  m.closeAll();
  assert.ok(m.connectionRows().every((c) => c.closedAt === undefined), 'the server stopping does not close the proxy’s legs');
  assert.equal(m.open, 2);
  m.closeAll((c) => c.role !== undefined);
  assert.equal(m.open, 0);
});

test('a WebSocket session counts its frames exactly across chunks: split headers, large payloads, handshake bytes after the switch', () => {
  const m = new TrafficModel();
  m.opened(open('w', 1));
  const request = Buffer.from('GET /ws/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n');
  const response = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  m.chunk({ connectionId: 'w', dir: 'c2s', t: 1, bytes: request });
  // The server reports the switch before its 101 reaches the capture: those bytes are not frames.
  m.switched({ connectionId: 'w', t: 2, protocol: 'ws', c2sOffset: request.length, s2cOffset: response.length });
  m.chunk({ connectionId: 'w', dir: 's2c', t: 3, bytes: response });
  const frame = (payload: Buffer, masked: boolean, fin = true) => {
    const len = payload.length;
    const head = len < 126 ? [len] : len < 65536 ? [126, len >> 8, len & 0xff] : [127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff];
    head[0] |= masked ? 0x80 : 0;
    return Buffer.concat([Buffer.from([fin ? 0x82 : 0x02, ...head]), masked ? Buffer.from([1, 2, 3, 4]) : Buffer.alloc(0), payload]);
  };
  // Payload bytes that look like frame headers (0x81 0x05 …) must not be counted.
  const big = Buffer.alloc(70_000, 0x81);
  const c2s = Buffer.concat([frame(big, true), frame(Buffer.from('hi'), true, false), frame(Buffer.alloc(200, 0x05), true)]);
  const s2c = Buffer.concat([frame(big, false), frame(Buffer.from('hi'), false), frame(Buffer.alloc(300, 0x7e), false)]);
  // Split at every header boundary and inside headers, and in large reads.
  for (const [dir, bytes] of [['c2s', c2s], ['s2c', s2c]] as const) {
    for (let at = 0; at < bytes.length; ) {
      const n = at < 20 ? 1 : at > bytes.length - 400 ? 3 : 65_536;
      m.chunk({ connectionId: 'w', dir, t: 4, bytes: bytes.subarray(at, at + n) });
      at += n;
    }
  }
  const row = m.trafficRows().find((r) => r.kind === 'ws')!;
  assert.equal(row.messages, 6, 'three frames each way');
});

test('requestTarget reads the request line from the bytes exactly as the regular expression it replaces', async () => {
  const fc = (await import('fast-check')).default;
  const { requestTarget } = await import('../../../../extension/server/traffic-model.js');
  const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r?\n/;
  const old = (b: Buffer) => REQUEST_LINE.exec(b.subarray(0, 2048).toString('latin1'))?.[1];
  const piece = fc.constantFrom('GET', 'POST', 'M', ' ', '/', '/ws/echo', '?a=b', ' HTTP/1.1', ' HTTP/1.0', ' HTTP/1.2', ' HTTP/2', '\r\n', '\n', '\r', '\t', '\u00a0', '\u00ff', 'x', 'get');
  const line = fc.array(piece, { maxLength: 8 }).map((ps) => Buffer.from(ps.join(''), 'latin1'));
  fc.assert(fc.property(fc.oneof(line, fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))), (b) => assert.equal(requestTarget(b), old(b))), { numRuns: 5000 });
  // The 2 KiB window: a line ending at byte 2048 is read, one byte later is not.
  for (const n of [2048 - 20, 2048 - 19, 2048 - 18]) {
    const b = Buffer.from(`GET /${'a'.repeat(n)} HTTP/1.1\r\n`, 'latin1');
    assert.equal(requestTarget(b), old(b), `target of ${n}`);
  }
  for (const text of ['GET /x HTTP/1.1\r\n', 'GET /a\u00a0b HTTP/1.1\r\n', 'GET /a\tb HTTP/1.1\r\n', 'GET /\u00ff HTTP/1.0\n', 'GET  /x HTTP/1.1\r\n', 'GET /x HTTP/1.1\r', 'get /x HTTP/1.1\r\n']) {
    const b = Buffer.from(text, 'latin1');
    assert.equal(requestTarget(b), old(b), JSON.stringify(text));
  }
  assert.equal(requestTarget(Buffer.from('GET /x HTTP/1.1\r\n')), '/x');
});

test('a row made before its exchange is reported (a session, a proxied row) is found again, not listed twice; plain exchanges add one row each', () => {
  const m = new TrafficModel({ now: () => 5000 });
  m.opened(open('c1', 1));
  m.proxied({ id: 'c1#1', connectionId: 'c1', kind: 'http', method: 'GET', target: '/a', startedAt: 1, done: false });
  m.exchange({ connectionId: 'c1', index: 1, method: 'GET', target: '/a', status: 200, durationMs: 1 });
  m.exchange({ connectionId: 'c1', index: 2, method: 'GET', target: '/b', status: 204, durationMs: 1 });
  m.switched({ connectionId: 'c1', t: 2, protocol: 'ws', c2sOffset: 0, s2cOffset: 0 });
  m.exchange({ connectionId: 'c1', index: 3, method: 'GET', target: '/ws', status: 101, durationMs: 1, route: { pattern: '/ws', kind: 'websocket' } });
  assert.deepEqual(
    m.trafficRows().map((r) => [r.id, r.kind, r.status, r.routePattern]),
    [
      ['c1#1', 'http', 200, undefined],
      ['c1#2', 'http', 204, undefined],
      ['c1#3', 'ws', 101, '/ws'],
    ],
  );
  assert.deepEqual(m.totals(), { connections: 1, traffic: 4 });
});
