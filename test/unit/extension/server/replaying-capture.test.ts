import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../../server-core/capture/capture-store.js';
import type { CaptureEvents } from '../../../../server-core/capture/types.js';
import { Emitter } from '../../../../server-core/util/emitter.js';
import { ReplayingCapture } from '../../../../extension/server/replaying-capture.js';

const open = (id: string) => ({
  connectionId: id, side: 'server' as const, protocol: 'http' as const, tls: false,
  local: { address: '127.0.0.1', port: 80 }, remote: { address: '127.0.0.1', port: 5000 }, t: 1, wallTime: 1000,
});

test('a store attached late receives the past, in order, then the live events', () => {
  const live = new Emitter<CaptureEvents>();
  const early = new CaptureStore({ dissect: false });
  early.attach(live);
  live.emit('open', open('a'));
  live.emit('chunk', { connectionId: 'a', dir: 'c2s', t: 2, bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') });
  live.emit('chunk', { connectionId: 'a', dir: 's2c', t: 3, bytes: Buffer.from('HTTP/1.1 204 No Content\r\n\r\n') });
  live.emit('close', { connectionId: 'a', t: 4 });
  live.emit('open', open('b'));

  const replaying = new ReplayingCapture(live, () => early.snapshot());
  const late = new CaptureStore({ dissect: false });
  late.attach(replaying);
  live.emit('chunk', { connectionId: 'b', dir: 'c2s', t: 5, bytes: Buffer.from('GET /x HTTP/1.1\r\n') });

  const a = late.connection('a');
  assert.ok(a, 'the past connection is there');
  assert.equal(a.closed?.t, 4);
  assert.deepEqual(a.entries.map((e) => (e.kind === 'data' ? `${e.dir}:${e.bytes.length}` : e.kind)), ['c2s:27', 's2c:27']);
  const b = late.connection('b');
  assert.ok(b && !b.closed);
  assert.equal(b.entries.length, 1, 'a live chunk of a connection opened before the attach');
  replaying.dispose();
  live.emit('open', open('c'));
  assert.equal(late.connection('c'), undefined, 'nothing after dispose');
});

test('pipeline records (issue 18) are replayed to a late store and relayed live', () => {
  const live = new Emitter<CaptureEvents>();
  const early = new CaptureStore({ dissect: false });
  early.attach(live);
  const rec = (id: string, index: number) => ({ connectionId: id, index, t: 5, method: 'GET', target: `/${index}`, status: 200, stages: { accepted: 0, firstByte: 1 }, route: null });
  live.emit('open', open('a'));
  live.emit('pipeline', rec('a', 1));
  const replaying = new ReplayingCapture(live, () => early.snapshot());
  const late = new CaptureStore({ dissect: false });
  late.attach(replaying);
  live.emit('pipeline', rec('a', 2));
  assert.deepEqual(late.pipelines('a').map((p) => p.target), ['/1', '/2']);
  replaying.dispose();
});
