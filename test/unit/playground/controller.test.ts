// The controller's dispatch (server-core/playground/controller.ts), without
// sockets: every validated message goes to its handler through one table; a
// type the table does not know fails loudly (assertNever) rather than being a
// silent no-op; invalid input is answered with a notice; a disposed controller
// does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import type { FromWebview, ToWebview } from '../../../server-core/protocol/playground.js';

function harness(t: { after(fn: () => void): void }) {
  const controller = new PlaygroundController({ serverUrl: () => 'http://127.0.0.1:9', history: [{ id: 'h1', wallTime: 1, spec: { method: 'GET', url: 'http://127.0.0.1:9/', headers: [], body: { kind: 'none' } } }] });
  const seen: ToWebview[] = [];
  controller.onMessage((m) => seen.push(m));
  t.after(() => controller.dispose());
  return { controller, seen, types: () => seen.map((m) => m.type) };
}

test('ready, history.clear, capture.load and server.setMode reach their handlers', async (t) => {
  const h = harness(t);
  await h.controller.handle({ type: 'ready', version: 1 });
  const init = h.seen[0] as Extract<ToWebview, { type: 'init' }>;
  assert.equal(init.type, 'init');
  assert.equal(init.serverUrl, 'http://127.0.0.1:9');
  assert.deepEqual(init.history.map((e) => e.id), ['h1']);
  assert.equal(init.queue, undefined, 'no server queue to show');
  await h.controller.handle({ type: 'history.clear' });
  assert.deepEqual(h.seen.at(-1), { type: 'history', entries: [] });
  await h.controller.handle({ type: 'capture.load', connectionId: 'gone' });
  assert.match((h.seen.at(-1) as Extract<ToWebview, { type: 'notice' }>).message, /No capture for gone/);
  await h.controller.handle({ type: 'server.setMode', mode: 'sequential' });
  assert.match((h.seen.at(-1) as Extract<ToWebview, { type: 'notice' }>).message, /cannot be switched from here/);
  await h.controller.handle({ type: 'ws.send', sessionId: 'none', kind: 'text', data: '' });
  assert.match((h.seen.at(-1) as Extract<ToWebview, { type: 'notice' }>).message, /not open; connect first/);
});

test('a message type the table does not know is an error, not a silent no-op', async (t) => {
  const h = harness(t);
  await assert.rejects(h.controller.handle({ type: 'http.sned', reqId: 'x' } as unknown as FromWebview), /unexpected message: .*http\.sned/);
});

test('invalid input is answered with a notice and handled no further', async (t) => {
  const h = harness(t);
  await h.controller.receive({ type: 'ready' });
  await h.controller.receive('not an object');
  assert.deepEqual(h.types(), ['notice', 'notice']);
  assert.match((h.seen[0] as Extract<ToWebview, { type: 'notice' }>).message, /^Rejected a malformed message/);
});

test('after dispose nothing is handled or posted', async (t) => {
  const h = harness(t);
  h.controller.dispose();
  await h.controller.handle({ type: 'ready', version: 1 });
  h.controller.serverChanged();
  await assert.rejects(h.controller.attachWebSocket({ url: 'ws://127.0.0.1:9/' }), /closed/);
  assert.deepEqual(h.seen, []);
});
