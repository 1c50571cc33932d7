// Emitter's listener declarations (ListenerOptions.copies): the server reuses a buffer it emitted only
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
