// Emitter: who hears an emit that changes the listeners, a throwing listener, and the listener
// declarations (ListenerOptions.copies): the server reuses a buffer it emitted only
// when no listener of the event may keep it (static read buffers, WebSocket frames unmasked in place).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../server-core/util/emitter.js';

type Events = { chunk: Buffer; other: number };

test('hasKeepingListeners: a listener without the declaration keeps; copies true or a function that says so does not', () => {
  const e = new Emitter<Events>();
  assert.equal(e.hasKeepingListeners('chunk'), false, 'no listener keeps nothing');
  const copying = e.on('chunk', () => {}, { copies: true });
  assert.equal(e.hasKeepingListeners('chunk'), false);
  let downstreamKeeps = false;
  const relay = e.on('chunk', () => {}, { copies: () => !downstreamKeeps });
  assert.equal(e.hasKeepingListeners('chunk'), false);
  downstreamKeeps = true;
  assert.equal(e.hasKeepingListeners('chunk'), true, 'asked again each time');
  downstreamKeeps = false;
  const keeping = e.on('chunk', () => {});
  assert.equal(e.hasKeepingListeners('chunk'), true, 'an undeclared listener keeps');
  const declaredFalse = e.on('chunk', () => {}, { copies: false });
  keeping.dispose();
  assert.equal(e.hasKeepingListeners('chunk'), true, 'copies: false keeps');
  declaredFalse.dispose();
  assert.equal(e.hasKeepingListeners('chunk'), false);
  assert.equal(e.hasKeepingListeners('other'), false, 'per event');
  e.on('other', () => {});
  assert.equal(e.hasKeepingListeners('other'), true);
  assert.equal(e.hasKeepingListeners('chunk'), false);
  copying.dispose();
  relay.dispose();
  assert.equal(e.hasListeners('chunk'), false);
  e.on('chunk', () => {}, { copies: true });
  e.clear();
  e.on('chunk', () => {});
  assert.equal(e.hasKeepingListeners('chunk'), true, 'clear() forgets the declarations too');
});

test('the same function added twice with and without the declaration counts once, as it is called once', () => {
  const e = new Emitter<Events>();
  const f = () => {};
  e.on('chunk', f, { copies: true });
  e.on('chunk', f, { copies: true });
  assert.equal(e.hasKeepingListeners('chunk'), false);
  e.on('chunk', f);
  assert.equal(e.hasKeepingListeners('chunk'), true, 'the last declaration counts');
});

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
