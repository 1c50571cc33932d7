// The network list's rows from what the store knows: one row per HTTP
// exchange or per session, the two ends of one connection as one row (also
// when the server's end was seen first), a failed send as a row, the filter,
// and rows that keep their place as they change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionInfo, ConnectionTraffic, ExchangeSummary } from '../../../../server-core/protocol/playground.js';
import { LEG_LABEL, NetworkModel, type NetConnection, type NetHttpResult, type NetworkSource } from '../../../../webview/panel/network/network-model.js';

class FakeSource implements NetworkSource {
  conns = new Map<string, NetConnection>();
  ex = new Map<string, ExchangeSummary[]>();
  tr = new Map<string, ConnectionTraffic>();
  connection(id: string) {
    return this.conns.get(id);
  }
  exchanges(id: string) {
    return this.ex.get(id);
  }
  traffic(id: string) {
    return this.tr.get(id);
  }
  open(id: string, info: Partial<ConnectionInfo> = {}, http: NetHttpResult[] = []): NetConnection {
    const c = { info: { connectionId: id, side: 'client' as const, protocol: 'http' as const, label: id, remote: '127.0.0.1:8080', t: 100, wallTime: 1_000_000, ...info }, http };
    this.conns.set(id, c);
    return c;
  }
  exchange(id: string, sequence: number, x: Partial<ExchangeSummary> = {}): void {
    const list = this.ex.get(id) ?? [];
    list[sequence] = { connectionId: id, sequence, requestBytes: 20, responseBytes: 0, tStart: 100 + sequence * 10, tEnd: 101 + sequence * 10, ...x };
    this.ex.set(id, list);
  }
}

function rows(m: NetworkModel): string[] {
  return Array.from({ length: m.length }, (_, i) => {
    const r = m.row(i)!;
    return `${r.key} ${r.method} ${r.path} ${r.statusText}${r.client && r.server ? ' [both]' : ''}`;
  });
}

test('one row per HTTP exchange, with method, path, status, size, time and the wall-clock start', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('s1', { side: 'server', remote: '127.0.0.1:5000' });
  s.exchange('s1', 0, { method: 'GET', target: '/a', status: 200, reason: 'OK', responseBytes: 120, tStart: 110, tEnd: 135 });
  s.exchange('s1', 1, { method: 'POST', target: '/b?x=1' });
  m.touch('s1');
  assert.equal(m.commit(), true);
  assert.deepEqual(rows(m), ['s1#0 GET /a 200 OK', 's1#1 POST /b?x=1 pending']);
  const r = m.row(0)!;
  assert.deepEqual([r.type, r.host, r.size, r.time, r.startedAt, r.server, r.client], ['http', 'from 127.0.0.1:5000', 120, 25, 1_000_010, 's1', undefined]);
  assert.equal(m.commit(), false, 'nothing changed since');
});

test('the client and the server end of one connection are one row with both ids, whichever was seen first', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('srv', { side: 'server' });
  s.exchange('srv', 0, { method: 'GET', target: '/echo', status: 200, reason: 'OK' });
  m.touch('srv');
  m.commit();
  assert.deepEqual(rows(m), ['srv#0 GET /echo 200 OK']);
  // The playground's end appears, and the capture ties the two (both are announced again).
  s.open('cli', { peerConnectionId: 'srv' }, [{ spec: { method: 'GET', url: 'http://127.0.0.1:8080/echo', headers: [], body: { kind: 'none' } } }]);
  s.open('srv', { side: 'server', peerConnectionId: 'cli' });
  m.touch('cli');
  m.touch('srv');
  m.commit();
  assert.deepEqual(rows(m), ['cli#0 GET /echo 200 OK [both]']);
  assert.equal(m.total, 1);
  assert.deepEqual([m.rowOfConnection('srv')?.key, m.rowOfConnection('cli')?.key], ['cli#0', 'cli#0'], 'either end finds the row');
});

test('a WebSocket session and a raw connection are one row each; a failed send is a row marked failed', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('ws1', { protocol: 'ws', label: 'ws://127.0.0.1:8080/ws/echo' });
  s.exchange('ws1', 0, { method: 'GET', target: '/ws/echo', status: 101, reason: 'Switching Protocols' });
  s.tr.set('ws1', { connectionId: 'ws1', c2s: 300, s2c: 200, tLast: 180 });
  s.open('raw1', { protocol: 'raw', closed: { t: 150 } });
  s.tr.set('raw1', { connectionId: 'raw1', c2s: 18, s2c: 0, tLast: 120 });
  const failure = { kind: 'refused' as const, title: 'Could not connect to 127.0.0.1:1: connection refused', detail: '' };
  s.open('attempt:r1', { remote: '127.0.0.1:1', closed: { t: 101 } }, [{ spec: { method: 'GET', url: 'http://127.0.0.1:1/', headers: [], body: { kind: 'none' } }, error: failure.title, failure }]);
  for (const id of ['ws1', 'raw1', 'attempt:r1']) m.touch(id);
  m.commit();
  assert.deepEqual(rows(m), ['ws1 WS /ws/echo 101 open', 'raw1 TCP 127.0.0.1:8080 closed', 'attempt:r1#0 GET / failed: refused']);
  const [ws, raw, failed] = [0, 1, 2].map((i) => m.row(i)!);
  assert.deepEqual([ws.type, ws.size, ws.time, ws.live], ['ws', 500, 80, true]);
  assert.deepEqual([raw.type, raw.size, raw.time, raw.live], ['raw', 18, 50, false]);
  assert.deepEqual([failed.failed, failed.failure?.kind, failed.live], [true, 'refused', false]);
});

test('the filter: text over method, path, host and status; types; errors only', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('a');
  s.exchange('a', 0, { method: 'GET', target: '/users', status: 200, reason: 'OK' });
  s.exchange('a', 1, { method: 'DELETE', target: '/users/7', status: 404, reason: 'Not Found' });
  s.open('b', { protocol: 'ws' });
  s.exchange('b', 0, { method: 'GET', target: '/ws/chat', status: 101 });
  s.open('c', { protocol: 'raw' });
  for (const id of ['a', 'b', 'c']) m.touch(id);
  m.commit();
  const keys = () => Array.from({ length: m.length }, (_, i) => m.row(i)!.key);
  m.setFilter({ text: 'users', types: [], errors: false });
  m.commit();
  assert.deepEqual(keys(), ['a#0', 'a#1']);
  m.setFilter({ text: 'NOT FOUND', types: [], errors: false });
  m.commit();
  assert.deepEqual(keys(), ['a#1'], 'case-insensitive, on the status words');
  m.setFilter({ text: '', types: ['ws', 'raw'], errors: false });
  m.commit();
  assert.deepEqual(keys(), ['b', 'c']);
  m.setFilter({ text: '', types: [], errors: true });
  m.commit();
  assert.deepEqual(keys(), ['a#1']);
  assert.deepEqual([m.length, m.total, m.indexOfKey('a#1'), m.indexOfKey('a#0')], [1, 4, 0, -1]);
});

test('rows keep their place as they change; a new exchange on an old connection goes last; a forgotten connection leaves', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('a');
  s.exchange('a', 0, { method: 'GET', target: '/1' });
  s.open('b');
  s.exchange('b', 0, { method: 'GET', target: '/2' });
  m.touch('a');
  m.touch('b');
  m.commit();
  s.exchange('a', 0, { method: 'GET', target: '/1', status: 200, reason: 'OK' });
  s.exchange('a', 1, { method: 'GET', target: '/3' });
  m.touch('a');
  m.commit();
  assert.deepEqual(rows(m), ['a#0 GET /1 200 OK', 'b#0 GET /2 pending', 'a#1 GET /3 pending']);
  s.conns.delete('a');
  m.touch('a');
  m.commit();
  assert.deepEqual(rows(m), ['b#0 GET /2 pending']);
  assert.equal(m.byKey('a#0'), undefined);
});

test('100,000 rows: built, filtered and looked up', () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  for (let i = 0; i < 100_000; i++) {
    const id = `c${i}`;
    s.open(id);
    s.exchange(id, 0, { method: i % 3 ? 'GET' : 'POST', target: `/item/${i}`, status: i % 10 ? 200 : 500, reason: 'x' });
    m.touch(id);
  }
  m.commit();
  assert.equal(m.length, 100_000);
  m.setFilter({ text: 'post', types: ['http'], errors: true });
  m.commit();
  // POST every third, errors every tenth: one in thirty.
  assert.equal(m.length, Math.ceil(100_000 / 30));
  assert.equal(m.row(1)!.key, 'c30#0');
  assert.equal(m.indexOfKey('c99990#0'), m.length - 1);
});

test("a proxy's two legs are labelled (client → proxy, proxy → upstream), searchable; other rows carry no leg", () => {
  const s = new FakeSource();
  const m = new NetworkModel(s);
  s.open('proxy1-1', { side: 'server', remote: '127.0.0.1:50000', role: 'proxy-downstream' });
  s.exchange('proxy1-1', 0, { method: 'GET', target: 'http://127.0.0.1:3000/a', status: 200, reason: 'OK' });
  s.open('proxy1-up-1', { remote: '127.0.0.1:3000', role: 'proxy-upstream', linkedConnectionId: 'proxy1-1' });
  s.exchange('proxy1-up-1', 0, { method: 'GET', target: '/a', status: 200, reason: 'OK' });
  s.open('proxy1-2', { side: 'server', protocol: 'ws', remote: '127.0.0.1:50001', role: 'proxy-downstream' });
  s.open('plain', {});
  s.exchange('plain', 0, { method: 'GET', target: '/b', status: 200 });
  for (const id of ['proxy1-1', 'proxy1-up-1', 'proxy1-2', 'plain']) m.touch(id);
  m.commit();
  const legs = Array.from({ length: m.length }, (_, i) => [m.row(i)!.key, m.row(i)!.leg]);
  assert.deepEqual(legs, [['proxy1-1#0', 'client'], ['proxy1-up-1#0', 'upstream'], ['proxy1-2', 'client'], ['plain#0', undefined]]);
  assert.deepEqual(LEG_LABEL, { client: 'client → proxy', upstream: 'proxy → upstream' });
  m.setFilter({ text: 'proxy → upstream', types: [], errors: false });
  m.commit();
  assert.deepEqual(Array.from({ length: m.length }, (_, i) => m.row(i)!.key), ['proxy1-up-1#0']);
});
