// dropOldest: a bounded insertion-ordered Map trimmed in batches, oldest first, never past what the caller
// allows to drop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dropOldest } from '../../../server-core/util/drop-oldest.js';

test('under the bound nothing is dropped; over it, the oldest sixteenth goes at once', () => {
  const m = new Map<number, number>();
  for (let i = 0; i < 32; i++) m.set(i, i);
  assert.equal(dropOldest(m, 32), 0);
  m.set(32, 32);
  assert.equal(dropOldest(m, 32), 3);
  assert.deepEqual([...m.keys()], Array.from({ length: 30 }, (_, i) => i + 3));
});

test('a small bound still drops at least one, down to max - 1', () => {
  const m = new Map([['a', 1], ['b', 2], ['c', 3]]);
  assert.equal(dropOldest(m, 2), 2);
  assert.deepEqual([...m.keys()], ['c']);
});

test('entries the caller keeps are skipped, the next oldest go', () => {
  const m = new Map<string, { open: boolean }>();
  for (let i = 0; i < 20; i++) m.set(`c${i}`, { open: i < 5 });
  dropOldest(m, 16, (v) => !v.open);
  assert.deepEqual([...m.keys()].slice(0, 6), ['c0', 'c1', 'c2', 'c3', 'c4', 'c10']);
  assert.equal(m.size, 15);
});

test('property: after every insertion the map holds at most max entries, the newest ones, in order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 400 }), (max, keys) => {
      const m = new Map<number, number>();
      const order: number[] = [];
      for (const k of keys) {
        m.delete(k);
        m.set(k, k);
        const i = order.indexOf(k);
        if (i >= 0) order.splice(i, 1);
        order.push(k);
        dropOldest(m, max);
        assert.ok(m.size <= max);
        // What is kept is a suffix of the insertion order, newest last.
        assert.deepEqual([...m.keys()], order.slice(order.length - m.size));
      }
    }),
  );
});
