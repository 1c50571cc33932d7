import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionRow, TrafficRow } from '../../../../server-core/protocol/sidebar.js';
import { connectionItems, shortPeer, trafficItem, trafficItems } from '../../../../extension/views/traffic-items.js';
import { accessibleName } from '../../../../extension/views/tree-model.js';

const T0 = new Date(2024, 0, 2, 14, 3, 7).getTime();

function conn(id: string, port: number, openedAt: number, closedAt?: number): ConnectionRow {
  return { id, protocol: 'http', peer: `127.0.0.1:${port}`, openedAt, ...(closedAt !== undefined ? { closedAt } : {}), bytesIn: 78, bytesOut: 2048 };
}

function exchange(connectionId: string, index: number, target = '/echo', status: number | 'waiting' = 200): TrafficRow {
  const answered = status !== 'waiting';
  return { id: `${connectionId}#${index}`, connectionId, kind: 'http', method: 'GET', target, ...(answered ? { status } : {}), startedAt: T0, durationMs: 3.14, done: answered };
}

test('13 closed connections and none open: the badge count is 0 and the 13 are under "Closed", which says 13', () => {
  const rows = Array.from({ length: 13 }, (_, i) => conn(`srv-${i + 1}`, 50000 + i, T0 + i, T0 + 100 + i));
  const { items, open, closed } = connectionItems(rows, []);
  assert.equal(open, 0);
  assert.equal(closed, 13);
  assert.deepEqual(items.map((i) => i.id), ['conn.closed']);
  assert.equal(items[0].description, '13');
  assert.equal(items[0].collapsible, 'collapsed');
  assert.equal(items[0].children?.length, 13);
  // The most recently closed first.
  assert.equal(items[0].children?.[0].label, ':50012');
});

test('open connections come first, newest on top, each holding its exchanges; a closed one says how long it lasted', () => {
  const rows = [conn('a', 1, T0), conn('b', 2, T0 + 1000), conn('c', 3, T0 - 5000, T0 - 3750)];
  const { items, open, closed } = connectionItems(rows, [exchange('a', 1), exchange('a', 2, '/status/404', 404), exchange('c', 1)]);
  assert.deepEqual([open, closed], [2, 1]);
  assert.deepEqual(items.map((i) => i.label), [':2', ':1', 'Closed']);
  const a = items[1];
  assert.equal(a.description, 'HTTP · since 14:03:07 · in 78 B · out 2.0 KiB');
  assert.equal(a.collapsible, 'collapsed');
  assert.deepEqual(a.children?.map((c) => c.label), ['GET /status/404', 'GET /echo'], 'newest exchange first');
  assert.equal(a.children?.[0].id, 'conn:a:a#2', 'ids unique within the tree (the same exchange is also a Recent Traffic row)');
  assert.equal(items[0].collapsible, undefined, 'no exchanges: nothing to expand');
  assert.equal(a.contextValue, 'wireplay.connection');
  assert.deepEqual(a.ref, { connectionId: 'a' });
  assert.equal(accessibleName(a), ':1, HTTP · since 14:03:07 · in 78 B · out 2.0 KiB. Open connection from 127.0.0.1:1, 2 exchanges');
  assert.match(items[2].children![0].description!, /^HTTP · lasted 1\.25 s · /);
});

test('a traffic row: method and target, then status, time and the time of day; it opens in the inspector', () => {
  const item = trafficItem(exchange('srv-1', 3));
  assert.equal(item.label, 'GET /echo');
  assert.equal(item.description, '200 · 3.1 ms · 14:03:07');
  assert.deepEqual(item.command, { id: 'wireplay.openTrafficItem', title: 'Open in Inspector' });
  assert.deepEqual(item.ref, { trafficId: 'srv-1#3', connectionId: 'srv-1', http: true });
  assert.equal(item.contextValue, 'wireplay.traffic.http');
  // What the eye reads, then what the icon says.
  assert.equal(accessibleName(item), 'GET /echo, 200 · 3.1 ms · 14:03:07. success');
  // Colour is not the only signal: the status number is in the text, the icon differs too.
  assert.equal(trafficItem(exchange('s', 1, '/x', 503)).icon?.id, 'error');
  assert.equal(trafficItem(exchange('s', 1, '/x', 404)).icon?.id, 'warning');
  assert.equal(trafficItem(exchange('s', 1, '/x', 'waiting')).description, 'waiting · 3.1 ms · 14:03:07');
});

test('a WebSocket session counts its frames and says whether it is live; the route kind is carried for issue 18', () => {
  const ws: TrafficRow = { id: 'srv-2#1', connectionId: 'srv-2', kind: 'ws', method: 'WS', target: '/ws/echo', status: 101, messages: 4, startedAt: T0, done: false, routeKind: 'code' };
  const item = trafficItem(ws);
  assert.equal(item.description, '101 · 4 frames · live · 14:03:07');
  assert.equal(item.contextValue, 'wireplay.traffic.ws');
  assert.equal(item.routeKind, 'code');
  assert.match(item.tooltip!, /answered by a code route/);
  assert.equal(trafficItem({ ...ws, done: true, messages: 1 }).description, '101 · 1 frame · ended · 14:03:07');
});

test('recent traffic: newest first, capped, the rest counted in a row that offers the export', () => {
  const rows = Array.from({ length: 7 }, (_, i) => exchange('c', i + 1, `/n/${i + 1}`));
  const items = trafficItems(rows, 5);
  assert.deepEqual(items.map((i) => i.label), ['GET /n/7', 'GET /n/6', 'GET /n/5', 'GET /n/4', 'GET /n/3', '2 older exchanges not listed']);
  assert.equal(items[5].command?.id, 'wireplay.exportCapture');
  assert.equal(trafficItems([]).length, 0);
});

test('loopback peers are shortened to their port; others stay whole', () => {
  assert.equal(shortPeer('127.0.0.1:5000'), ':5000');
  assert.equal(shortPeer('::ffff:127.0.0.1:5000'), ':5000');
  assert.equal(shortPeer('10.0.0.2:5000'), '10.0.0.2:5000');
});

test('a proxied exchange is marked, offers its own commands, and holds its two legs with the target’s time and the proxy’s', () => {
  const row: TrafficRow = {
    id: 'proxy1-1#1',
    connectionId: 'proxy1-1',
    kind: 'http',
    method: 'GET',
    target: '/api',
    status: 200,
    startedAt: 0,
    durationMs: 4,
    done: true,
    proxy: { origin: 'http://127.0.0.1:3000', upstreamId: 'proxy1-up-1', outcome: 'complete', upstreamMs: 3.1, proxyMs: 0.2 },
  };
  const item = trafficItem(row);
  assert.equal(item.contextValue, 'wireplay.traffic.proxied');
  assert.match(item.description ?? '', /^200 · proxied · 4\.0 ms · /);
  assert.match(accessibleName(item), /through the proxy to http:\/\/127\.0\.0\.1:3000/);
  assert.equal(item.collapsible, 'collapsed');
  const [down, up] = item.children ?? [];
  assert.equal(down.label, 'client ↔ proxy');
  assert.equal(down.ref?.connectionId, 'proxy1-1');
  assert.equal(up.label, 'proxy ↔ 127.0.0.1:3000');
  assert.equal(up.ref?.connectionId, 'proxy1-up-1');
  assert.match(up.description ?? '', /target 3\.1 ms · proxy 200 µs/);

  // Answered by the proxy itself: the second leg says it never went.
  const refused = trafficItem({ ...row, status: 502, proxy: { origin: 'http://127.0.0.1:3000', answer: 'upstream-unreachable', outcome: 'complete', error: 'cannot reach' } });
  assert.match(refused.children?.[1].description ?? '', /not forwarded: the proxy answered \(upstream-unreachable\)/);
  assert.equal(refused.children?.[1].ref, undefined, 'no leg to open');

  // Connections: the proxy ↔ target leg sits under the client leg it served.
  const conns: ConnectionRow[] = [
    { id: 'proxy1-1', protocol: 'http', peer: '127.0.0.1:5000', openedAt: 1, bytesIn: 10, bytesOut: 20, role: 'proxy-downstream' },
    { id: 'proxy1-up-1', protocol: 'http', peer: '127.0.0.1:3000', openedAt: 2, bytesIn: 10, bytesOut: 20, role: 'proxy-upstream', linkedConnectionId: 'proxy1-1' },
  ];
  const { items } = connectionItems(conns, [row]);
  assert.equal(items.length, 1);
  assert.match(items[0].description ?? '', /proxied/);
  const leg = items[0].children?.find((c) => c.ref?.connectionId === 'proxy1-up-1');
  assert.ok(leg);
  assert.match(leg.description ?? '', /proxy ↔ target · .* · sent 10 B · got 20 B/);
});
