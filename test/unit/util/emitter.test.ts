// The Emitter every event of server-core goes through: who hears an emit that changes the listeners,
// a throwing listener, hasListeners as listeners come and go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../server-core/util/emitter.js';

test('an emit reaches the listeners as they were when it began; later emits see the changes', () => {
  const e = new Emitter<{ x: number }>();
  const heard: string[] = [];
  let late: { dispose(): void } | undefined;
  const b = (n: number) => heard.push(`b${n}`);
  const bd = e.on('x', (n) => {
    heard.push(`a${n}`);
    if (n === 1) {
      late = e.on('x', (m) => heard.push(`late${m}`));
      bDisposable.dispose();
    }
  });
  const bDisposable = e.on('x', b);
  e.emit('x', 1);
  assert.deepEqual(heard, ['a1', 'b1'], 'b was removed during the emit: still heard this once; late not yet');
  e.emit('x', 2);
  assert.deepEqual(heard, ['a1', 'b1', 'a2', 'late2']);
  bd.dispose();
  late!.dispose();
  assert.equal(e.hasListeners('x'), false);
  e.emit('x', 3);
  assert.equal(heard.length, 4);
});

test('the same listener twice is one listener; disposing twice is harmless; once() hears one emit', () => {
  const e = new Emitter<{ x: number }>();
  let n = 0;
  const f = () => n++;
  const d1 = e.on('x', f);
  const d2 = e.on('x', f);
  e.emit('x', 0);
  assert.equal(n, 1);
  d1.dispose();
  d1.dispose();
  assert.equal(e.hasListeners('x'), false);
  d2.dispose();
  e.emit('x', 0);
  assert.equal(n, 1);
  let onceHeard = 0;
  e.once('x', () => onceHeard++);
  assert.equal(e.hasListeners('x'), true);
  e.emit('x', 0);
  e.emit('x', 0);
  assert.equal(onceHeard, 1);
  assert.equal(e.hasListeners('x'), false);
});

test('a listener that throws is reported and the others still hear the event', () => {
  const errors: unknown[] = [];
  const e = new Emitter<{ x: number }>((err) => errors.push(err));
  const heard: number[] = [];
  e.on('x', () => {
    throw new Error('boom');
  });
  e.on('x', (n) => heard.push(n));
  e.emit('x', 7);
  assert.deepEqual(heard, [7]);
  assert.equal((errors[0] as Error).message, 'boom');
  e.clear();
  assert.equal(e.hasListeners('x'), false);
});
