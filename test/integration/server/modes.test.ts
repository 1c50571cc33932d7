// Concurrency modes: the behavioural spec (two /delay/500 requests on
// two connections run one after the other in sequential mode and together in
// concurrent mode, seen in the scheduler's events rather than timed), the
// visible queue, and switching at run time. Timings never decide a test:
// bench/ measures them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueEvent, WireplayServer } from '../../../server-core/index.js';
import { exchange, firstResponse, open, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';

/**
 * Two /delay/ms requests on two connections, with the scheduler's events in
 * the order they came: whether the second started before the first finished
 * tells concurrent from sequential without timing anything.
 */
async function twoDelays(server: WireplayServer, port: number, ms: number): Promise<string[]> {
  const events: string[] = [];
  const sub = server.events.on('queue', (e) => {
    if (e.type !== 'queued') events.push(e.type);
  });
  try {
    const results = await Promise.all([
      exchange(port, `GET /delay/${ms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      exchange(port, `GET /delay/${ms} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    ]);
    for (const r of results) assert.equal(firstResponse(r.data).status, 200);
  } finally {
    sub.dispose();
  }
  return events;
}

test('sequential: two /delay/500 on two connections run one after the other', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  assert.equal(server.mode, 'sequential');
  assert.deepEqual(await twoDelays(server, port, 500), ['started', 'finished', 'started', 'finished']);
});

test('concurrent: two /delay/500 on two connections run together', async (t) => {
  const { port, server } = await startServer(t, { mode: 'concurrent' });
  assert.equal(server.mode, 'concurrent');
  assert.deepEqual(await twoDelays(server, port, 500), ['started', 'started', 'finished', 'finished']);
});

test('sequential: the queue is visible with queued / started / finished events in FIFO order', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  const events: QueueEvent[] = [];
  const sub = server.events.on('queue', (e) => events.push(e));
  t.after(() => sub.dispose());
  const a = exchange(port, 'GET /delay/200 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  // Let the first one start before the others arrive.
  await waitFor(() => events.some((e) => e.type === 'started'), 'the first request to start');
  const b = exchange(port, 'GET /delay/10?b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => events.some((e) => e.type === 'queued'), 'the second request to be queued');
  const c = exchange(port, 'GET /delay/10?c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => events.filter((e) => e.type === 'queued').length >= 2, 'the third request to be queued');
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
  const both = twoDelays(server, port, 400);
  await waitFor(() => server.queue().length >= 1, 'the second request to be queued');
  server.setMode('concurrent');
  assert.equal(server.queue().length, 0);
  // After the switch both ran together: the waiting one started before the first finished.
  assert.deepEqual(await both, ['started', 'started', 'finished', 'finished']);
  assert.deepEqual(modes, ['concurrent']);
  assert.throws(() => server.setMode('parallel' as never), RangeError);
});

test('sequential: a queued request whose client leaves is dropped from the queue', async (t) => {
  const { port, server } = await startServer(t, { mode: 'sequential' });
  const first = exchange(port, 'GET /delay/300 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => server.connections().length >= 1, 'the first connection');
  const gone = await open(port);
  t.after(() => gone.destroy());
  gone.write('GET /delay/10 HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor(() => server.queue().length >= 1, 'the second request to be queued');
  gone.destroy(); // the client leaves while its request waits
  await waitFor(() => server.queue().length === 0, 'the abandoned request to leave the queue', 1000);
  assert.equal(server.queue().length, 0);
  assert.equal(firstResponse((await first).data).status, 200);
});
