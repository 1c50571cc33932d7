// The ordered client writer: request order whoever answers first, marks,
// backpressure, and the rule effects (latency, throttle, drop) on fake timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUEUE_HIGH_WATER, ResponseQueue, type ResponseQueueHooks } from '../../../server-core/proxy/response-queue.js';

function harness(writeResult: () => boolean = () => true) {
  const out: string[] = [];
  const events: string[] = [];
  const hooks: ResponseQueueHooks<string> = {
    write: (b) => {
      out.push(b.toString());
      return writeResult();
    },
    pauseSource: () => events.push('pause'),
    resumeSource: () => events.push('resume'),
    started: (o) => events.push(`started ${o}`),
    finished: (o) => events.push(`finished ${o}`),
    dropped: (o) => events.push(`dropped ${o}`),
  };
  return { q: new ResponseQueue<string>(hooks), out, events };
}

test('responses go out in request order; a later one waits whole until its turn', () => {
  const { q, out, events } = harness();
  const a = q.add('a', {});
  const b = q.add('b', {});
  q.write(b, Buffer.from('B1'));
  q.end(b);
  assert.deepEqual(out, []);
  q.write(a, Buffer.from('A1'));
  assert.deepEqual(out, ['A1']);
  q.mark(a, () => events.push('mark a'));
  q.end(a);
  assert.deepEqual(out, ['A1', 'B1']);
  assert.deepEqual(events, ['started a', 'mark a', 'finished a', 'started b', 'finished b']);
  assert.equal(q.size, 0);
});

test('a full client socket pauses the source until drained', () => {
  let ok = false;
  const { q, out, events } = harness(() => ok);
  const a = q.add('a', {});
  q.write(a, Buffer.from('x'));
  assert.deepEqual(events, ['started a', 'pause']);
  q.write(a, Buffer.from('y'));
  assert.deepEqual(out, ['x'], 'nothing more while blocked');
  ok = true;
  q.drained();
  assert.deepEqual(out, ['x', 'y']);
  assert.deepEqual(events.slice(-1), ['resume']);
  const b = q.add('b', {});
  q.write(b, Buffer.alloc(QUEUE_HIGH_WATER + 1));
  assert.equal(events.at(-1), 'pause', 'bytes held for a later slot count too');
});

test('latency holds the first byte until its timer fires', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { q, out } = harness();
  const a = q.add('a', { latencyMs: 100 });
  q.write(a, Buffer.from('late'));
  t.mock.timers.tick(99);
  assert.deepEqual(out, []);
  t.mock.timers.tick(1);
  assert.deepEqual(out, ['late']);
  q.write(a, Buffer.from('more'));
  assert.deepEqual(out, ['late', 'more'], 'only the first byte is held');
});

test('throttle: rate / 20 bytes per 50 ms tick, fractions carried', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { q, out } = harness();
  const a = q.add('a', { bytesPerSecond: 30 });
  q.write(a, Buffer.from('abcdef'));
  const sent = () => out.join('');
  assert.equal(sent(), 'a', 'a first tick’s worth (at least one byte) at once');
  // 1.5 bytes per tick: 1, then 2 (the half carried), then 1, then 2.
  for (const expected of ['ab', 'abcd', 'abcde', 'abcdef']) {
    t.mock.timers.tick(50);
    assert.equal(sent(), expected);
  }
});

test('drop: exactly dropAfterBytes bytes, then nothing', () => {
  const { q, out, events } = harness();
  const a = q.add('a', { dropAfterBytes: 5 });
  q.write(a, Buffer.from('abc'));
  q.write(a, Buffer.from('defgh'));
  assert.equal(out.join(''), 'abcde');
  assert.deepEqual(events, ['started a', 'dropped a']);
  q.write(a, Buffer.from('ij'));
  assert.equal(out.join(''), 'abcde');
});
