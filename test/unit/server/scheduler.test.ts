import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Job, Scheduler, type QueueEvent } from '../../../server-core/server/scheduler.js';

function jobs(s: Scheduler, n: number, log: string[]): Job[] {
  return Array.from({ length: n }, (_, i) => new Job(`c${i}`, 1, 'GET', `/${i}`, () => log.push(`run ${i}`)));
}

test('concurrent: every job starts at once', () => {
  const s = new Scheduler('concurrent');
  const log: string[] = [];
  for (const j of jobs(s, 3, log)) s.submit(j);
  assert.deepEqual(log, ['run 0', 'run 1', 'run 2']);
  assert.equal(s.runningCount, 3);
});

test('sequential: one at a time, FIFO, with queued/started/finished events', () => {
  const s = new Scheduler('sequential');
  const log: string[] = [];
  const events: QueueEvent[] = [];
  for (const k of ['queued', 'started', 'finished'] as const) s.events.on(k, (e) => events.push(e));
  const js = jobs(s, 3, log);
  for (const j of js) s.submit(j);
  assert.deepEqual(log, ['run 0']);
  assert.deepEqual(s.snapshot().map((q) => q.target), ['/1', '/2']);
  s.finish(js[0]);
  assert.deepEqual(log, ['run 0', 'run 1']);
  s.finish(js[1]);
  s.finish(js[2]);
  assert.deepEqual(log, ['run 0', 'run 1', 'run 2']);
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.target} ${e.position}`),
    ['started /0 0', 'queued /1 0', 'queued /2 1', 'finished /0 0', 'started /1 0', 'finished /1 0', 'started /2 0', 'finished /2 0'],
  );
});

test('a queued job that is finished (aborted) leaves the queue without running', () => {
  const s = new Scheduler('sequential');
  const log: string[] = [];
  const js = jobs(s, 3, log);
  for (const j of js) s.submit(j);
  s.finish(js[1], true);
  s.finish(js[0]);
  assert.deepEqual(log, ['run 0', 'run 2']);
});

test('switching: concurrent → sequential waits for the running ones; sequential → concurrent drains the queue', () => {
  const s = new Scheduler('concurrent');
  const log: string[] = [];
  const js = jobs(s, 4, log);
  s.submit(js[0]);
  s.submit(js[1]);
  s.setMode('sequential');
  s.submit(js[2]);
  s.submit(js[3]);
  assert.deepEqual(log, ['run 0', 'run 1']);
  s.finish(js[0]);
  assert.deepEqual(log, ['run 0', 'run 1'], 'still one running');
  s.setMode('concurrent');
  assert.deepEqual(log, ['run 0', 'run 1', 'run 2', 'run 3']);
});

test('a long queue of synchronous jobs does not deepen the stack', () => {
  const s = new Scheduler('sequential');
  let ran = 0;
  const first = new Job('c', 0, 'GET', '/', () => {});
  s.submit(first);
  for (let i = 0; i < 50_000; i++) {
    const j: Job = new Job('c', i + 1, 'GET', '/', () => {
      ran++;
      s.finish(j);
    });
    s.submit(j);
  }
  s.finish(first);
  assert.equal(ran, 50_000);
});
