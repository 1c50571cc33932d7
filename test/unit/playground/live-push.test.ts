// What the capture does, told to the UI (server-core/playground/live-push.ts):
// opens and closes of every connection at once; bytes and messages only of the
// connections the UI follows, batched into one push per flush interval (fake
// timers: the batching is the subject), with the flushers run after them.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { LivePush } from '../../../server-core/playground/live-push.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';

function open(store: CaptureStore, connectionId: string, side: 'client' | 'server' = 'client'): void {
  store.open({ connectionId, side, protocol: 'raw', tls: false, local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 8080 }, t: 1, wallTime: 2 });
}

function harness(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const store = new CaptureStore();
  const seen: ToWebview[] = [];
  const push = new LivePush(store, (m) => seen.push(m), 16);
  t.after(() => {
    push.dispose();
    store.dispose();
  });
  return { store, seen, push, types: () => seen.map((m) => m.type) };
}

test('every connection is announced; only a followed one has its bytes pushed, batched per flush interval', (t) => {
  const h = harness(t);
  open(h.store, 'quiet');
  open(h.store, 'loud');
  h.push.follow('loud');
  h.push.label('loud', 'GET http://127.0.0.1:8080/');
  h.store.chunk('quiet', 'c2s', 2, Buffer.from('ignored'));
  h.store.chunk('loud', 'c2s', 2, Buffer.from('GET / HTTP/1.1\r\n'));
  h.store.chunk('loud', 'c2s', 3, Buffer.from('\r\n'));
  assert.deepEqual(h.types(), ['connection.opened', 'connection.opened'], 'nothing pushed before the interval');
  t.mock.timers.tick(16);
  const pushes = h.seen.filter((m): m is Extract<ToWebview, { type: 'capture.chunks' }> => m.type === 'capture.chunks');
  assert.deepEqual(pushes.map((m) => [m.connectionId, m.chunks.length]), [['loud', 2]], 'one push, both chunks, only the followed connection');
  assert.equal(Buffer.from(pushes[0].chunks[0].bytes!, 'base64').toString(), 'GET / HTTP/1.1\r\n');
  const loud = h.store.getConnection('loud')!;
  assert.equal(h.push.info(loud).label, 'GET http://127.0.0.1:8080/');
  assert.equal(h.push.info(h.store.getConnection('quiet')!).label, '127.0.0.1:8080');
});

test('a close flushes what the connection had first; flushers run after the pushes; clear forgets the followed', (t) => {
  const h = harness(t);
  const order: string[] = [];
  h.push.onFlush(() => order.push('flusher'));
  open(h.store, 'c1');
  h.push.follow('c1');
  h.store.chunk('c1', 's2c', 2, Buffer.from('HTTP/1.1 200 OK\r\n\r\n'));
  h.seen.length = 0;
  h.store.close({ connectionId: 'c1', t: 3 });
  assert.deepEqual(h.types(), ['capture.chunks', 'capture.messages', 'connection.closed'], 'the bytes and messages first, then the close');
  assert.deepEqual(order, ['flusher']);
  h.seen.length = 0;
  open(h.store, 'c2');
  h.push.follow('c2');
  h.push.clear();
  h.store.chunk('c2', 'c2s', 4, Buffer.from('x'));
  h.push.flush();
  assert.deepEqual(h.types(), ['connection.opened'], 'after clear, c2 is no longer followed');
});

test('the recording proxy’s two legs are named as such, the target’s leg with the client leg it serves', (t) => {
  const h = harness(t);
  const base = { protocol: 'http' as const, tls: false, local: { address: '127.0.0.1', port: 1 }, t: 1, wallTime: 2 };
  h.store.open({ ...base, connectionId: 'proxy1-1', side: 'server', remote: { address: '127.0.0.1', port: 50000 }, role: 'proxy-downstream' });
  h.store.open({ ...base, connectionId: 'proxy1-up-1', side: 'client', remote: { address: '127.0.0.1', port: 3000 }, role: 'proxy-upstream', linkedConnectionId: 'proxy1-1' });
  assert.equal(h.push.info(h.store.getConnection('proxy1-1')!).label, 'proxied: client 127.0.0.1:50000 → proxy (proxy1-1)');
  assert.equal(h.push.info(h.store.getConnection('proxy1-up-1')!).label, 'proxied: proxy → 127.0.0.1:3000 (proxy1-up-1, for proxy1-1)');
  // The UI is told which leg each is (the network list labels them), and which client leg the target's leg serves.
  assert.equal(h.push.info(h.store.getConnection('proxy1-1')!).role, 'proxy-downstream');
  assert.deepEqual(
    (({ role, linkedConnectionId }) => ({ role, linkedConnectionId }))(h.push.info(h.store.getConnection('proxy1-up-1')!)),
    { role: 'proxy-upstream', linkedConnectionId: 'proxy1-1' },
  );
});
