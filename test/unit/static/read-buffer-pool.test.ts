// ReadBufferPool: what comes back into use, and when.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadBufferPool } from '../../../server-core/static/read-buffer-pool.js';

test('a buffer never written is handed out again at once', () => {
  const pool = new ReadBufferPool(1024);
  const a = pool.take();
  assert.equal(a.length, 1024);
  pool.give(a, null);
  assert.equal(pool.take(), a);
});

test('a written buffer comes back only once its response says the writes are done', () => {
  const pool = new ReadBufferPool(1024);
  const a = pool.take();
  let done = false;
  pool.give(a, () => done);
  const b = pool.take();
  assert.notEqual(b, a, 'still in the socket: a new buffer');
  done = true;
  assert.equal(pool.take(), a);
});

test('buffers of another size are not kept, and the pool is bounded', () => {
  const pool = new ReadBufferPool(1024);
  pool.give(Buffer.allocUnsafeSlow(10), null);
  assert.equal(pool.held, 0);
  const never = (): boolean => false;
  for (let i = 0; i < 100; i++) pool.give(Buffer.allocUnsafeSlow(1024), never);
  assert.ok(pool.held <= 16, `${pool.held} held`);
});

test('an idle pool lets its buffers go', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const pool = new ReadBufferPool(1024);
  pool.give(pool.take(), null);
  assert.equal(pool.held, 1);
  t.mock.timers.tick(10_000); // used since the timer started: kept one more period
  assert.equal(pool.held, 1);
  t.mock.timers.tick(10_000);
  assert.equal(pool.held, 0);
});
