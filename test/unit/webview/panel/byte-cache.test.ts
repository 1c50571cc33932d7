// The UI's byte cache: pages by stream offset under a memory budget. Whatever
// is written, evicted, asked for and answered, a read returns only true bytes;
// the budget holds; least recently used pages go first; pinned pages stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ASK_AGAIN_MS, ByteCache } from '../../../../webview/panel/byte-cache.js';

const model = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 8)) & 255);

type Op =
  | { kind: 'write'; start: number; length: number }
  | { kind: 'read'; start: number; length: number }
  | { kind: 'fetch'; start: number; length: number };

test('reads return only true bytes, the budget holds, and asking then answering fills a range', () => {
  const N = 4096;
  const stream = model(N);
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), start: fc.nat(N - 1), length: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ kind: fc.constant('read' as const), start: fc.nat(N - 1), length: fc.integer({ min: 1, max: 300 }) }),
    fc.record({ kind: fc.constant('fetch' as const), start: fc.nat(N - 1), length: fc.integer({ min: 1, max: 300 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), (ops: Op[], pages) => {
      const cache = new ByteCache(pages * 256, 256);
      const s = cache.stream();
      let now = 0;
      for (const o of ops) {
        const end = Math.min(N, o.start + o.length);
        if (o.kind === 'write') s.write(o.start, stream.subarray(o.start, end));
        else if (o.kind === 'read') {
          const out = new Uint8Array(end - o.start);
          const got = s.read(o.start, out);
          assert.deepEqual(out.subarray(0, got), stream.subarray(o.start, o.start + got));
          for (let i = 0; i < got; i++) assert.equal(s.byteAt(o.start + i), stream[o.start + i]);
        } else {
          now += ASK_AGAIN_MS;
          // As ConnCapture.want does: what is about to be drawn is the most recently used.
          s.touch(o.start, end);
          const ask = s.missing(o.start, end, N, now);
          for (const r of ask) {
            assert.ok(r.start < r.end && r.end <= N);
            s.answer(r.start, r.end, r.start, stream.subarray(r.start, r.end));
          }
          // Everything asked for is held now, unless it did not fit in the budget.
          const touched = Math.floor((end - 1) / 256) - Math.floor(o.start / 256) + 1;
          if (touched <= pages) assert.deepEqual(s.missing(o.start, end, N), []);
        }
        assert.ok(cache.usedBytes <= cache.maxBytes, `${cache.usedBytes} ≤ ${cache.maxBytes}`);
      }
    }),
    { numRuns: 200 },
  );
});

test('the least recently used page goes first; pinned pages are never evicted nor counted', () => {
  const cache = new ByteCache(2 * 256, 256);
  const a = cache.stream();
  const b = cache.stream();
  const bytes = model(256);
  a.write(0, bytes);
  b.write(0, bytes);
  a.touch(0, 1);
  b.write(256, bytes);
  assert.equal(a.byteAt(0), bytes[0], 'touched, so kept');
  assert.equal(b.byteAt(0), -1, 'least recently used, so evicted');
  assert.equal(b.byteAt(256), bytes[0]);
  const pinned = cache.stream();
  pinned.write(0, model(2048), true);
  assert.equal(pinned.pageCount, 8);
  assert.equal(cache.usedBytes, 512);
  a.write(256, bytes);
  a.write(512, bytes);
  assert.equal(pinned.byteAt(2047), model(2048)[2047]);
  a.release();
  b.release();
  assert.equal(cache.usedBytes, 0);
});

test('missing ranges are whole pages, clipped to the stream, and not asked twice in a row', () => {
  const cache = new ByteCache(1 << 20, 100);
  const s = cache.stream();
  s.write(0, model(150));
  assert.deepEqual(s.missing(0, 1000, 420, 1), [{ start: 100, end: 420 }]);
  assert.deepEqual(s.missing(0, 1000, 420, 2), [], 'already asked');
  assert.deepEqual(s.missing(0, 1000, 420, 2 + ASK_AGAIN_MS), [{ start: 100, end: 420 }], 'asked again after a while');
  s.answer(100, 420, 100, model(420).subarray(100));
  assert.deepEqual(s.missing(0, 420, 420), []);
});

test('an answer that starts late marks the bytes before it gone; a short one is not asked again at once', () => {
  const cache = new ByteCache(1 << 20, 100);
  const s = cache.stream();
  assert.deepEqual(s.missing(0, 300, 300, 1), [{ start: 0, end: 300 }]);
  // The ring dropped [0, 150): the answer starts at 150.
  s.answer(0, 300, 150, model(300).subarray(150, 250));
  assert.equal(s.goneBelow, 150);
  assert.equal(s.byteAt(160), model(300)[160]);
  // [250, 300) came short: still marked as asked, so drawing every frame does not ask every frame.
  assert.deepEqual(s.missing(0, 300, 300, 2), []);
  assert.deepEqual(s.missing(0, 300, 300, 2 + ASK_AGAIN_MS), [{ start: 200, end: 300 }]);
  // Nothing left at all: offset = end.
  const t = cache.stream();
  t.answer(0, 100, 100, new Uint8Array(0));
  assert.equal(t.goneBelow, 100);
  assert.deepEqual(t.missing(0, 100, 100, 3), []);
  const u = cache.stream();
  u.write(0, model(250));
  u.dropBelow(180);
  assert.equal(u.goneBelow, 180);
  assert.equal(u.pageCount, 2, 'the page wholly below the cut is freed');
  assert.equal(u.byteAt(50), -1);
  assert.equal(u.byteAt(120), model(250)[120], 'a page the cut goes through keeps what it holds');
  assert.deepEqual(u.missing(0, 250, 250, 4), [], 'nothing below the cut is asked for');
});
