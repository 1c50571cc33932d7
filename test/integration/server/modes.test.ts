// Concurrency modes: the behavioural spec (two /delay/500 requests on
// two connections take ≥ 1 s together in sequential mode and well under in
// concurrent mode), the visible queue, and switching at run time.
// Margins are wide: the machine is shared; only the ordering is strict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueEvent } from '../../../server-core/index.js';
import { exchange, firstResponse, startServer } from './helpers.js';

async function twoDelays(port: number, ms: number): Promise<number> {
  const started = performance.now();
  const results = await Promise.all([
    exchange(port, `GET /delay/${ms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 10_000),
    exchange(port, `GET /delay/${ms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 10_000),
  ]);
  for (const r of results) assert.equal(firstResponse(r.data).status, 200);
  return performance.now() - started;
}

test('sequential: two /delay/500 on two connections take ≥ 1 s together', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  assert.equal(server.mode, 'sequential');
  const elapsed = await twoDelays(port, 500);
  assert.ok(elapsed >= 990, `sequential took ${elapsed.toFixed(0)} ms`);
});

test('concurrent: two /delay/500 on two connections take well under 1 s', async (t) => {
  const { port, server } = await startServer(t, { mode: 'concurrent' });
  assert.equal(server.mode, 'concurrent');
  const elapsed = await twoDelays(port, 500);
  assert.ok(elapsed < 950, `concurrent took ${elapsed.toFixed(0)} ms`);
});

test('sequential: the queue is visible with queued / started / finished events in FIFO order', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  const events: QueueEvent[] = [];
  const sub = server.events.on('queue', (e) => events.push(e));
  t.after(() => sub.dispose());
  const a = exchange(port, 'GET /delay/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000);
  // Let the first one start before the others arrive.
  while (!events.some((e) => e.type === 'started')) await new Promise((r) => setTimeout(r, 5));
  const b = exchange(port, 'GET /delay/10?b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000);
  while (!events.some((e) => e.type === 'queued')) await new Promise((r) => setTimeout(r, 5));
  const c = exchange(port, 'GET /delay/10?c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000);
  while (events.filter((e) => e.type === 'queued').length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(
    server.queue().map((q) => q.target),
    ['/delay/10?b', '/delay/10?c'],
  );
  await Promise.all([a, b, c]);
  const order = events.map((e) => `${e.type} ${e.target}`);
  assert.deepEqual(order, [
    'started /delay/200',
    'queued /delay/10?b',
    'queued /delay/10?c',
    'finished /delay/200',
    'started /delay/10?b',
    'finished /delay/10?b',
    'started /delay/10?c',
    'finished /delay/10?c',
  ]);
  const queuedC = events.find((e) => e.type === 'queued' && e.target === '/delay/10?c')!;
  assert.equal(queuedC.position, 1);
  const finishedB = events.find((e) => e.type === 'finished' && e.target === '/delay/10?b')!;
  assert.ok(finishedB.startedAt! >= finishedB.queuedAt && finishedB.finishedAt! >= finishedB.startedAt!);
  assert.ok(finishedB.connectionId.length > 0 && finishedB.index === 1);
});

test('switching modes at run time: sequential → concurrent starts the waiting requests at once', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  const modes: string[] = [];
  server.events.on('mode', (m) => modes.push(m));
  const started = performance.now();
  const both = twoDelays(port, 400);
  while (server.queue().length < 1) await new Promise((r) => setTimeout(r, 5));
  server.setMode('concurrent');
  assert.equal(server.queue().length, 0);
  await both;
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 790, `after the switch both ran together: ${elapsed.toFixed(0)} ms`);
  assert.deepEqual(modes, ['concurrent']);
  assert.throws(() => server.setMode('parallel' as never), RangeError);
});

test('sequential: a queued request whose client leaves is dropped from the queue', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  const first = exchange(port, 'GET /delay/300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000);
  while (server.connections().length < 1) await new Promise((r) => setTimeout(r, 5));
  const gone = exchange(port, 'GET /delay/10 HTTP/1.1\r\nHost: x\r\n\r\n', 50); // gives up after 50 ms of silence
  while (server.queue().length < 1) await new Promise((r) => setTimeout(r, 5));
  await gone;
  for (let i = 0; i < 100 && server.queue().length > 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(server.queue().length, 0);
  assert.equal(firstResponse((await first).data).status, 200);
});
