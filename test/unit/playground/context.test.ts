// A capture tap for one operation (server-core/playground/context.ts): it
// forwards every event into the playground's capture, and reports each
// connection's open first, so the UI can be told of it (label, session state)
// before the capture announces it. Disposed, it forwards nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardCapture } from '../../../server-core/playground/context.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { Emitter } from '../../../server-core/util/emitter.js';

test('opens are reported before they are forwarded; every event is forwarded until disposed', () => {
  const into = new Emitter<CaptureEvents>();
  const order: string[] = [];
  for (const k of ['open', 'chunk', 'switch', 'close'] as const) into.on(k, () => order.push(`into ${k}`));
  const tap = forwardCapture(into, (id) => order.push(`onOpen ${id}`));
  const endpoint = { address: '127.0.0.1', port: 1 };
  tap.emitter.emit('open', { connectionId: 'c1', side: 'client', protocol: 'http', tls: false, local: endpoint, remote: endpoint, t: 1, wallTime: 1 });
  tap.emitter.emit('chunk', { connectionId: 'c1', dir: 'c2s', t: 2, bytes: Buffer.from('x') });
  tap.emitter.emit('switch', { connectionId: 'c1', t: 3, protocol: 'ws', c2sOffset: 1, s2cOffset: 1 });
  tap.emitter.emit('close', { connectionId: 'c1', t: 4 });
  tap.dispose();
  tap.emitter.emit('chunk', { connectionId: 'c1', dir: 'c2s', t: 5, bytes: Buffer.from('late') });
  assert.deepEqual(order, ['onOpen c1', 'into open', 'into chunk', 'into switch', 'into close']);
});
