// The server's queue relayed to the UI (server-core/playground/queue-relay.ts):
// jobs go out with the live batch, after the connections' bytes; the mode is
// told once per change, with the jobs before it first; the UI's switch goes to
// the source, and a source that refuses is answered with a notice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { LivePush } from '../../../server-core/playground/live-push.js';
import type { ServerQueueSource } from '../../../server-core/playground/queue-jobs.js';
import { QueueRelay } from '../../../server-core/playground/queue-relay.js';
import type { ServerMode, ToWebview } from '../../../server-core/protocol/playground.js';
import type { QueueEvent } from '../../../server-core/server/scheduler.js';
import { Emitter } from '../../../server-core/util/emitter.js';

function source(setMode?: (m: ServerMode) => void) {
  const ev = new Emitter<{ queue: QueueEvent; mode: ServerMode }>();
  let mode: ServerMode = 'concurrent';
  const s: ServerQueueSource = {
    onQueue: (l) => ev.on('queue', l),
    onMode: (l) => ev.on('mode', l),
    mode: () => mode,
    ...(setMode ? { setMode } : {}),
  };
  return {
    s,
    queued: (connectionId: string) => ev.emit('queue', { type: 'queued', connectionId, index: 1, method: 'GET', target: '/', queuedAt: 1, position: 0, queueLength: 1, mode }),
    switchTo: (m: ServerMode) => {
      mode = m;
      ev.emit('mode', m);
    },
  };
}

function harness(t: { after(fn: () => void): void }, src?: ServerQueueSource) {
  const store = new CaptureStore();
  const seen: ToWebview[] = [];
  const post = (m: ToWebview) => seen.push(m);
  const push = new LivePush(store, post, 60_000);
  const relay = new QueueRelay(src, post, push);
  t.after(() => {
    relay.dispose();
    push.dispose();
    store.dispose();
  });
  return { seen, push, relay, types: () => seen.map((m) => m.type) };
}

test('jobs are pushed at the next flush; a mode change is told once, after the jobs before it', (t) => {
  const q = source(() => {});
  const h = harness(t, q.s);
  assert.deepEqual(h.relay.snapshot()?.mode, 'concurrent');
  q.queued('srv-1');
  assert.deepEqual(h.types(), [], 'batched');
  q.switchTo('sequential');
  q.switchTo('sequential');
  assert.deepEqual(h.types(), ['queue.jobs', 'server.mode']);
  const mode = h.seen[1] as Extract<ToWebview, { type: 'server.mode' }>;
  assert.deepEqual([mode.mode, mode.canSetMode], ['sequential', true]);
  h.relay.clear();
  assert.deepEqual(h.relay.snapshot()?.jobs, []);
});

test('setMode reaches the source; without one, or when it throws, the UI gets a notice', async (t) => {
  const asked: ServerMode[] = [];
  const q = source((m) => {
    asked.push(m);
    if (m === 'concurrent') throw new Error('busy');
    q.switchTo(m);
  });
  const h = harness(t, q.s);
  await h.relay.setMode('sequential');
  await h.relay.setMode('concurrent');
  assert.deepEqual(asked, ['sequential', 'concurrent']);
  const notices = h.seen.filter((m): m is Extract<ToWebview, { type: 'notice' }> => m.type === 'notice');
  assert.match(notices[0]?.message ?? '', /Could not switch the server to concurrent: busy/);

  const none = harness(t, source().s);
  await none.relay.setMode('sequential');
  assert.match((none.seen[0] as Extract<ToWebview, { type: 'notice' }>).message, /cannot be switched from here/);
  assert.equal(harness(t).relay.snapshot(), undefined, 'no source: no queue to show');
});
