// The network list's feed (server-core/playground/exchange-feed.ts): every
// connection's HTTP exchanges from the dissection (followed or not), and its
// byte counts, kept for init and pushed as one batch per flush (fake timers:
// the batching is the subject).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { ExchangeFeed } from '../../../server-core/playground/exchange-feed.js';
import { LivePush } from '../../../server-core/playground/live-push.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';

function harness(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const store = new CaptureStore();
  const seen: ToWebview[] = [];
  const push = new LivePush(store, (m) => seen.push(m), 16);
  const feed = new ExchangeFeed(store, (m) => seen.push(m), push);
  t.after(() => {
    feed.dispose();
    push.dispose();
    store.dispose();
  });
  const updates = () => seen.filter((m): m is Extract<ToWebview, { type: 'network.update' }> => m.type === 'network.update');
  return { store, feed, updates };
}

function open(store: CaptureStore, id: string): void {
  store.open({ connectionId: id, side: 'server', protocol: 'http', tls: false, local: { address: '127.0.0.1', port: 80 }, remote: { address: '127.0.0.1', port: 5000 }, t: 10, wallTime: 1000 });
}

test('an exchange of a connection nobody follows: method, target, status, sizes and times, in one push', (t) => {
  const h = harness(t);
  open(h.store, 'c1');
  const req = 'GET /items?x=1 HTTP/1.1\r\nHost: h\r\n\r\n';
  const res = 'HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
  h.store.chunk('c1', 'c2s', 11, Buffer.from(req));
  h.store.chunk('c1', 's2c', 15, Buffer.from(res));
  assert.equal(h.updates().length, 0, 'nothing before the flush interval');
  t.mock.timers.tick(16);
  const [u] = h.updates();
  assert.equal(h.updates().length, 1);
  assert.deepEqual(
    u.exchanges.map(({ connectionId, sequence, method, target, status, reason, requestBytes, responseBytes, contentType, tStart, tEnd }) => ({ connectionId, sequence, method, target, status, reason, requestBytes, responseBytes, contentType, tStart, tEnd })),
    [{ connectionId: 'c1', sequence: 0, method: 'GET', target: '/items?x=1', status: 201, reason: 'Created', requestBytes: req.length, responseBytes: res.length, contentType: 'text/plain', tStart: 11, tEnd: 15 }],
  );
  assert.deepEqual(u.traffic, [{ connectionId: 'c1', c2s: req.length, s2c: res.length, tLast: 15 }]);
  assert.deepEqual(h.feed.snapshot().exchanges.map((x) => x.status), [201], 'kept for the next init');
});

test('keep-alive: one summary per request, by sequence; clear forgets them', (t) => {
  const h = harness(t);
  open(h.store, 'c2');
  h.store.chunk('c2', 'c2s', 11, Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n'));
  h.store.chunk('c2', 's2c', 12, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
  t.mock.timers.tick(16);
  assert.deepEqual(h.feed.snapshot().exchanges.map((x) => [x.sequence, x.target, x.status]), [[0, '/a', 200], [1, '/b', 404]]);
  h.store.clear();
  assert.deepEqual(h.feed.snapshot(), { exchanges: [], traffic: [] });
});
