// The controller's record of the server's recent requests
// (server-core/playground/queue-jobs.ts): scheduler events folded into one job
// each, bounded by a limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueJobs } from '../../../server-core/playground/queue-jobs.js';
import type { QueueEvent } from '../../../server-core/server/scheduler.js';

function ev(type: QueueEvent['type'], connectionId: string, index: number, over: Partial<QueueEvent> = {}): QueueEvent {
  return { type, connectionId, index, method: 'GET', target: '/delay/300', queuedAt: 10, position: 0, queueLength: 0, mode: 'sequential', ...over };
}

test('queued, started and finished fold into one job', () => {
  const q = new QueueJobs();
  q.apply(ev('queued', 'srv-2', 1, { position: 2, queueLength: 3 }));
  q.apply(ev('started', 'srv-2', 1, { startedAt: 40 }));
  const done = q.apply(ev('finished', 'srv-2', 1, { startedAt: 40, finishedAt: 90 }));
  assert.deepEqual(done, { connectionId: 'srv-2', index: 1, method: 'GET', target: '/delay/300', queuedAt: 10, startedAt: 40, finishedAt: 90, waitedBehind: 2, mode: 'sequential' });
  assert.equal(q.size, 1);
});

test('a request that started at once has no waitedBehind; one dropped while waiting is finished and aborted', () => {
  const q = new QueueJobs();
  q.apply(ev('started', 'srv-1', 1, { startedAt: 10, mode: 'concurrent' }));
  q.apply(ev('queued', 'srv-3', 1, { position: 0 }));
  q.apply(ev('finished', 'srv-3', 1, { finishedAt: 25, aborted: true }));
  const [a, b] = q.list();
  assert.equal(a.waitedBehind, undefined);
  assert.equal(a.mode, 'concurrent');
  assert.deepEqual([b.startedAt, b.finishedAt, b.aborted, b.waitedBehind], [undefined, 25, true, 0]);
});

test('past the limit the oldest jobs are forgotten; list() returns copies', () => {
  const q = new QueueJobs(3);
  for (let i = 1; i <= 5; i++) q.apply(ev('started', `srv-${i}`, 1, { startedAt: i }));
  // A late event for a forgotten job brings it back as the newest (its times are in the event).
  assert.deepEqual(q.list().map((j) => j.connectionId), ['srv-3', 'srv-4', 'srv-5']);
  const copy = q.list()[0];
  copy.target = 'changed';
  assert.equal(q.list()[0].target, '/delay/300');
  q.apply(ev('finished', 'srv-1', 1, { startedAt: 1, finishedAt: 7 }));
  assert.deepEqual(q.list().map((j) => j.connectionId), ['srv-4', 'srv-5', 'srv-1']);
  assert.equal(q.list()[2].finishedAt, 7);
  q.clear();
  assert.equal(q.size, 0);
});

test('the limit must be a positive integer', () => {
  assert.throws(() => new QueueJobs(0), /positive integer/);
  assert.throws(() => new QueueJobs(1.5), /positive integer/);
});
