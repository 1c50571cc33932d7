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

test('whenDelivered: after everything queued before it, and "kept" only when a listener that may keep heard a chunk since', () => {
  const target = new Emitter<CaptureEvents>();
  const q = new CaptureQueue(target);
  const copying = target.on('chunk', () => {}, { copies: true });
  const answers: string[] = [];
  const since1 = q.seq;
  q.emit('chunk', chunk('up', 'a'));
  q.whenDelivered(since1, (kept) => answers.push(`1:${kept}`));
  q.flush();
  assert.deepEqual(answers, ['1:false'], 'only copying listeners heard it');

  const keeping = target.on('chunk', () => {});
  const since2 = q.seq;
  q.emit('chunk', chunk('up', 'b'));
  keeping.dispose();
  const since3 = q.seq;
  q.emit('chunk', chunk('up', 'c'));
  q.whenDelivered(since2, (kept) => answers.push(`2:${kept}`));
  q.whenDelivered(since3, (kept) => answers.push(`3:${kept}`));
  assert.equal(answers.length, 1, 'not before the events queued ahead of it are delivered');
  // The keeping listener is gone before the flush: the chunk 'b' is delivered to copying listeners only.
  q.flush();
  assert.deepEqual(answers, ['1:false', '2:false', '3:false']);

  const keeping2 = target.on('chunk', () => {});
  const since4 = q.seq;
  q.emit('chunk', chunk('up', 'd'));
  q.flush();
  keeping2.dispose();
  q.whenDelivered(since4, (kept) => answers.push(`4:${kept}`));
  const since5 = q.seq;
  q.whenDelivered(since5, (kept) => answers.push(`5:${kept}`));
  q.flush();
  assert.deepEqual(answers.slice(3), ['4:true', '5:false'], 'a keeping listener heard d: kept since before d, not since after it');
  copying.dispose();
});
