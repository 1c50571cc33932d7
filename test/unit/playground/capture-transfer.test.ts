// What a snapshot or push carries, and the byte ranges the UI asks for,
// answered from a capture's entries (with the ring's dropped front).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CaptureEntry } from '../../../server-core/capture/capture-store.js';
import { retainedRange, snapshotChunks } from '../../../server-core/playground/capture-transfer.js';

/** A two-way stream cut into chunks, the oldest `dropped` bytes of s2c gone. */
function entries(sizes: number[], dropped = 0): { entries: CaptureEntry[]; s2c: Buffer } {
  const out: CaptureEntry[] = [];
  const next = { c2s: 0, s2c: 0 };
  const parts: Buffer[] = [];
  sizes.forEach((n, i) => {
    const dir = i % 3 === 1 ? 'c2s' : 's2c';
    const bytes = Buffer.from(Array.from({ length: n }, (_, k) => (next[dir] + k) * 7 + (dir === 'c2s' ? 1 : 0)));
    if (dir === 's2c') parts.push(bytes);
    out.push({ kind: 'data', dir, t: i, offset: next[dir], bytes });
    next[dir] += n;
  });
  const s2c = Buffer.concat(parts);
  if (!dropped) return { entries: out, s2c };
  // As the ring does: whole chunks go, then the head of the next is trimmed; a marker stands first.
  let left = dropped;
  const kept: CaptureEntry[] = [{ kind: 'dropped', dir: 's2c', t: 0, offset: 0, length: dropped }];
  for (const e of out) {
    if (e.kind === 'data' && e.dir === 's2c' && left > 0) {
      const cut = Math.min(left, e.bytes.length);
      left -= cut;
      if (cut === e.bytes.length) continue;
      kept.push({ ...e, offset: e.offset + cut, bytes: e.bytes.subarray(cut) });
    } else kept.push(e);
  }
  return { entries: kept, s2c };
}

test('a range is answered with exactly the retained bytes, starting late where the ring dropped the front', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }), fc.nat(), fc.nat(), fc.nat(), (sizes, d, a, b) => {
      const all = entries(sizes);
      const total = all.s2c.length;
      const dropped = total ? d % total : 0;
      const { entries: list, s2c } = entries(sizes, dropped);
      const start = total ? a % (total + 1) : 0;
      const end = Math.min(total + 5, start + (b % 80));
      const r = retainedRange(list, 's2c', start, end);
      if (start >= end || Math.max(start, dropped) >= Math.min(end, total)) {
        assert.equal(r.bytes.length, 0);
        return;
      }
      assert.equal(r.offset, Math.max(start, dropped));
      assert.deepEqual(r.bytes, s2c.subarray(r.offset, Math.min(end, total)));
    }),
    { numRuns: 300 },
  );
});

test('a range nobody holds any more answers offset = end and no bytes', () => {
  const { entries: list } = entries([10, 10, 10], 20);
  assert.deepEqual(retainedRange(list, 's2c', 0, 15), { offset: 15, bytes: Buffer.alloc(0) });
  assert.deepEqual(retainedRange([], 'c2s', 0, 100), { offset: 100, bytes: Buffer.alloc(0) });
});

test('a snapshot lists every chunk; bytes go along only until the budget is spent, oldest first', () => {
  // Chunks 0, 2, 3 are s2c; dropping 150 bytes takes chunk 0 whole and the head of chunk 2.
  const { entries: list } = entries([100, 100, 100, 100, 100], 150);
  const views = snapshotChunks(list, 220);
  assert.equal(views.length, 4, 'the dropped marker and the wholly dropped chunk are not listed');
  assert.deepEqual(views.map((v) => [v.dir, v.offset, v.length]), [['c2s', 0, 100], ['s2c', 150, 50], ['s2c', 200, 100], ['c2s', 100, 100]]);
  assert.deepEqual(views.map((v) => v.bytes !== undefined), [true, true, false, false], 'once one does not fit, no later one is sent either');
  assert.deepEqual(Buffer.from(views[1].bytes!, 'base64'), (list[2] as { bytes: Buffer }).bytes);
  assert.ok(snapshotChunks(list).every((v) => v.bytes !== undefined), 'a small capture goes whole');
});
