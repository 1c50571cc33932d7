// The proxy's capture events are handed on after the bytes went on: nothing is
// delivered while the proxy forwards (the same turn), everything is delivered in
// order on the next turn or at flush(), exchange callbacks in their place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { CaptureQueue } from '../../../server-core/proxy/capture-queue.js';

const chunk = (id: string, text: string): CaptureEvents['chunk'] => ({ connectionId: id, dir: 's2c', t: 0, bytes: Buffer.from(text) });

test('events wait for the next turn, then arrive in order with the deferred callbacks', async () => {
  const target = new Emitter<CaptureEvents>();
  const seen: string[] = [];
  target.on('chunk', (e) => seen.push(`${e.connectionId}:${e.bytes.toString()}`));
  target.on('close', (e) => seen.push(`${e.connectionId}:close`));
  const q = new CaptureQueue(target);
  assert.equal(q.hasListeners('chunk'), true);
  assert.equal(q.hasListeners('open'), false);
  q.emit('chunk', chunk('up', 'HTTP/1.1 200 OK'));
  q.emit('chunk', chunk('down', 'HTTP/1.1 200 OK'));
  q.defer(() => seen.push('exchangeEnd'));
  q.emit('close', { connectionId: 'down', t: 1 });
  assert.deepEqual(seen, [], 'nothing during the turn that forwards');
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(seen, ['up:HTTP/1.1 200 OK', 'down:HTTP/1.1 200 OK', 'exchangeEnd', 'down:close']);
});

test('flush() delivers at once, events caused by a listener included, and cancels the scheduled turn', async () => {
  const target = new Emitter<CaptureEvents>();
  const seen: string[] = [];
  const q = new CaptureQueue(target);
  target.on('chunk', (e) => {
    seen.push(e.bytes.toString());
    if (e.bytes.toString() === 'a') q.emit('chunk', chunk('c', 'b'));
  });
  q.emit('chunk', chunk('c', 'a'));
  q.flush();
  assert.deepEqual(seen, ['a', 'b']);
  await new Promise<void>((r) => setImmediate(r));
  assert.deepEqual(seen, ['a', 'b'], 'delivered once');
});

test('many events and callbacks interleaved keep their order and payloads (each event gets its own payload)', () => {
  const target = new Emitter<CaptureEvents>();
  const seen: string[] = [];
  target.on('chunk', (e) => seen.push(`${e.connectionId}:${e.bytes.toString()}`));
  target.on('close', (e) => seen.push(`${e.connectionId}:close:${e.reason ?? ''}`));
  const q = new CaptureQueue(target);
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    q.emit('chunk', chunk(`c${i % 3}`, `#${i}`));
    expected.push(`c${i % 3}:#${i}`);
    if (i % 7 === 0) {
      q.defer(() => seen.push(`cb${i}`));
      expected.push(`cb${i}`);
    }
    if (i % 11 === 0) {
      q.emit('close', { connectionId: `c${i % 3}`, t: i, reason: `r${i}` });
      expected.push(`c${i % 3}:close:r${i}`);
    }
  }
  q.flush();
  assert.deepEqual(seen, expected);
});
