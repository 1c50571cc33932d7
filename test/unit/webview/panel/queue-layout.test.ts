// The server queue view's layout (webview/panel/queue-layout.ts): lanes per
// connection, waiting and handling segments to scale, breaks for silences, the
// axis, the queue depth and the sequential hand-offs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueJob } from '../../../../server-core/protocol/playground.js';
import { assignLanes, formatOffset, handoffs, layoutQueue, niceStep, queueDepth } from '../../../../webview/panel/queue-layout.js';

function job(connectionId: string, index: number, times: { q: number; s?: number; f?: number; behind?: number }, over: Partial<QueueJob> = {}): QueueJob {
  const j: QueueJob = { connectionId, index, method: 'GET', target: `/delay/300?${connectionId}`, queuedAt: times.q, mode: 'sequential', ...over };
  if (times.s !== undefined) j.startedAt = times.s;
  if (times.f !== undefined) j.finishedAt = times.f;
  if (times.behind !== undefined) j.waitedBehind = times.behind;
  return j;
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-6, `${what}: ${a} ≠ ${b}`);

test('sequential: the second connection waits, then is handled after the first; the first hands off to it', () => {
  // Given in reverse order: the layout sorts by queue time.
  const jobs = [job('srv-2', 1, { q: 1005, s: 1300, f: 1600, behind: 0 }), job('srv-1', 1, { q: 1000, s: 1000, f: 1300 })];
  const L = layoutQueue(jobs, { width: 600, now: 5000 });
  assert.deepEqual(L.lanes.map((l) => l.connectionId), ['srv-1', 'srv-2']);
  assert.equal(L.t0, 1000);
  close(L.scale, 1, 'scale: 600 ms across 600 px');
  close(L.contentWidth, 600, 'content width');
  const [a, b] = L.bars;
  assert.equal(a.job.connectionId, 'srv-1');
  assert.equal(a.waited, false);
  assert.ok(Number.isNaN(a.waitX0), 'the first one did not wait');
  close(a.handleX0, 0, 'first handled from the start');
  close(a.handleX1, 300, 'first handled 300 ms');
  assert.equal(b.waited, true);
  close(b.waitX0, 5, 'second queued 5 ms later');
  close(b.waitX1, 300, 'second waits until the first finishes');
  close(b.waitMs, 295, 'wait');
  close(b.handleX0, 300, 'second handled from 300');
  assert.ok(b.handleX0 >= a.handleX1, 'handling segments do not overlap');
  assert.equal(L.maxHandling, 1);
  assert.equal(L.maxWaiting, 1);
  close(L.longestWaitMs, 295, 'longest wait');
  assert.deepEqual(L.handoffs, [{ from: 0, to: 1 }]);
  assert.equal(L.breaks.length, 0);
  // Ticks every 100 ms (84 px at 1 px/ms rounds up to 100), labelled from t0.
  assert.deepEqual(L.ticks.map((t) => t.label), ['0', '100 ms', '200 ms', '300 ms', '400 ms', '500 ms', '600 ms']);
  assert.deepEqual(L.ticks.map((t) => t.x), [0, 100, 200, 300, 400, 500, 600]);
  // Depth: one handled; one handled and one waiting; one handled.
  assert.deepEqual(
    L.depth.map((d) => [d.x0, d.x1, d.handling, d.waiting]),
    [
      [0, 5, 1, 0],
      [5, 300, 1, 1],
      [300, 600, 1, 0],
    ],
  );
});

test('concurrent: both are handled at once, nothing waits, no hand-off', () => {
  const jobs = [job('srv-1', 1, { q: 0, s: 0, f: 300 }, { mode: 'concurrent' }), job('srv-2', 1, { q: 10, s: 10, f: 310 }, { mode: 'concurrent' })];
  const L = layoutQueue(jobs, { width: 620, now: 400 });
  const [a, b] = L.bars;
  assert.ok(!a.waited && !b.waited);
  assert.ok(b.handleX0 < a.handleX1, 'handling segments overlap');
  assert.equal(L.maxHandling, 2);
  assert.equal(L.maxWaiting, 0);
  assert.deepEqual(L.handoffs, []);
});

test('requests on one connection share its lane, in order', () => {
  const jobs = [job('srv-1', 1, { q: 0, s: 0, f: 10 }), job('srv-2', 1, { q: 5, s: 10, f: 20, behind: 0 }), job('srv-1', 2, { q: 12, s: 20, f: 30, behind: 0 })];
  const L = layoutQueue(jobs, { width: 300, now: 100 });
  assert.equal(L.lanes.length, 2);
  assert.deepEqual(L.lanes[0].bars.map((i) => L.bars[i].job.index), [1, 2]);
  assert.equal(L.laneOf.get('srv-2'), 1);
  assert.deepEqual(L.handoffs, [
    { from: 0, to: 1 },
    { from: 1, to: 2 },
  ]);
});

test('a long silence becomes a labelled break; time inside it maps to the break', () => {
  const jobs = [job('srv-1', 1, { q: 0, s: 0, f: 100 }), job('srv-2', 1, { q: 60_000, s: 60_000, f: 60_100 })];
  const L = layoutQueue(jobs, { width: 632, now: 70_000, breakPx: 32 });
  assert.equal(L.breaks.length, 1);
  close(L.breaks[0].ms, 59_900, 'the silence');
  close(L.scale, 3, 'the 200 ms of activity share 600 px');
  close(L.breaks[0].x0, 300, 'break starts where the first burst ends');
  close(L.breaks[0].x1, 332, 'break is breakPx wide');
  close(L.bars[1].handleX0, 332, 'second burst starts after the break');
  close(L.xOf(30_000), 316, 'a time in the silence sits mid-break');
  const after = L.ticks.find((t) => t.afterBreak)!;
  assert.equal(after.x, 332);
  assert.equal(after.label, '60.00 s');
  assert.ok(
    L.ticks.filter((t) => !t.afterBreak && t.x > 332).every((t) => t.x - 332 >= 84 * 0.75),
    'regular ticks keep clear of the after-break label',
  );
});

test('silences shorter than breakMs, or too short to be worth a break at this scale, stay to scale', () => {
  const short = layoutQueue([job('a', 1, { q: 0, s: 0, f: 100 }), job('b', 1, { q: 900, s: 900, f: 1000 })], { width: 1000, now: 2000 });
  assert.equal(short.breaks.length, 0);
  close(short.scale, 1, 'one scale for the whole second');
  close(short.bars[1].handleX0, 900, 'the silence is drawn as it was');
  // 1.5 s of silence after 100 s of work: at 0.006 px/ms it is 9 px, narrower than a break.
  const long = layoutQueue([job('a', 1, { q: 0, s: 0, f: 100_000 }), job('b', 1, { q: 101_500, s: 101_500, f: 101_600 })], { width: 600, now: 200_000 });
  assert.equal(long.breaks.length, 0);
});

test('breaks are capped to what fits; the longest silences get them', () => {
  // Ten bursts of 1 s, a minute apart: nine candidate silences, room for three 32 px breaks in 30% of 320 px.
  const bursts = Array.from({ length: 10 }, (_, i) => job(`c${i}`, 1, { q: i * 61_000, s: i * 61_000, f: i * 61_000 + 1000 }));
  const L = layoutQueue(bursts, { width: 320, now: 1e6, breakPx: 32 });
  assert.equal(L.breaks.length, 3);
  assert.ok(L.contentWidth <= 320 + 1e-6, `fits the width: ${L.contentWidth}`);
  // Silences of 10 s, one of 60 s: only the long one is worth a break at this scale, and it gets it.
  const jobs = Array.from({ length: 40 }, (_, i) => {
    const t = i * 10_000 + (i >= 7 ? 50_000 : 0);
    return job(`d${i}`, 1, { q: t, s: t, f: t + 50 });
  });
  const M = layoutQueue(jobs, { width: 320, now: 1e6, breakPx: 32 });
  assert.equal(M.breaks.length, 1);
  close(M.breaks[0].ms, 59_950, 'the silence before d7');
  assert.ok(M.breaks.every((b) => b.ms * M.scale > 32), 'a break stands for more than its own width');
});

test('unfinished jobs reach now: a waiting one is all wait, a running one handles until now', () => {
  const jobs = [job('srv-1', 1, { q: 0, s: 0 }), job('srv-2', 1, { q: 20, behind: 0 })];
  const L = layoutQueue(jobs, { width: 400, now: 200 });
  const [running, waiting] = L.bars;
  assert.ok(running.open && waiting.open);
  close(running.handleX1, L.xOf(200), 'running until now');
  assert.ok(Number.isNaN(waiting.handleX0), 'not started');
  close(waiting.waitX1, L.xOf(200), 'waiting until now');
  close(waiting.waitMs, 180, 'wait so far');
  assert.deepEqual(L.handoffs, []);
});

test('a request whose connection closed while it waited shows only its wait', () => {
  const L = layoutQueue([job('srv-1', 1, { q: 0, s: 0, f: 100 }), job('srv-2', 1, { q: 10, f: 40, behind: 0 }, { aborted: true })], { width: 200, now: 500 });
  const gone = L.bars[1];
  assert.equal(gone.open, false);
  close(gone.waitMs, 30, 'waited until its connection closed');
  assert.ok(Number.isNaN(gone.handleX0));
  assert.deepEqual(
    L.depth.map((d) => d.waiting),
    [0, 1, 0],
  );
});

test('a lone short request is not stretched past maxScale; no jobs, empty layout', () => {
  const L = layoutQueue([job('a', 1, { q: 0, s: 0, f: 5 })], { width: 1000, now: 10, maxScale: 4 });
  close(L.scale, 4, 'capped');
  close(L.contentWidth, 20, '5 ms at 4 px/ms');
  close(layoutQueue([job('a', 1, { q: 0, s: 0, f: 5 })], { width: 1000, now: 10 }).scale, 20, 'the default cap');
  const E = layoutQueue([], { width: 500, now: 0 });
  assert.equal(E.bars.length, 0);
  assert.equal(E.lanes.length, 0);
  assert.deepEqual(E.ticks, []);
});

test('nice steps and tick labels', () => {
  assert.deepEqual([0.3, 1, 1.2, 3, 7, 84, 101, 2500].map(niceStep), [0.5, 1, 2, 5, 10, 100, 200, 5000]);
  assert.equal(formatOffset(0, 100), '0');
  assert.equal(formatOffset(250, 50), '250 ms');
  assert.equal(formatOffset(0.5, 0.1), '0.5 ms');
  assert.equal(formatOffset(1500, 500), '1.5 s');
  assert.equal(formatOffset(12_000, 2000), '12 s');
  assert.equal(formatOffset(60_000, 50), '60.00 s');
});

test('the steps on their own: lanes by first appearance, depth on any axis, hand-offs only within 25 ms in sequential mode', () => {
  const jobs = [
    job('srv-b', 1, { q: 0, s: 0, f: 100 }),
    job('srv-a', 1, { q: 10, s: 100, f: 200, behind: 0 }),
    job('srv-b', 2, { q: 20, s: 240, f: 300, behind: 0 }),
  ];
  const { bars, lanes, laneOf } = assignLanes(jobs);
  assert.deepEqual(lanes.map((l) => [l.connectionId, l.bars]), [['srv-b', [0, 2]], ['srv-a', [1]]]);
  assert.equal(laneOf.get('srv-a'), 1);
  // An identity axis: x = t.
  const d = queueDepth(bars, 1000, (t) => t);
  assert.equal(d.maxHandling, 1);
  assert.equal(d.maxWaiting, 2, 'srv-a and srv-b#2 wait together from 20 to 100');
  assert.deepEqual(d.depth[0], { x0: 0, x1: 10, waiting: 0, handling: 1 });
  // srv-a starts the instant srv-b#1 ends: a hand-off; srv-b#2 starts 40 ms after srv-a ended: none.
  assert.deepEqual(handoffs(bars), [{ from: 0, to: 1 }]);
  const concurrent = assignLanes(jobs.map((j) => ({ ...j, mode: 'concurrent' as const }))).bars;
  assert.deepEqual(handoffs(concurrent), []);
});
