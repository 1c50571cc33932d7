// The hex view's chunk index: row → chunk and offset → row lookups checked
// against a plain model (every row written out), for random chunk sequences
// with gaps; and the compaction that follows the host's dropped bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Direction } from '../../../../server-core/capture/types.js';
import { BYTES_PER_ROW, ChunkIndex, chunksBelow, withoutDropped } from '../../../../webview/panel/chunk-index.js';

interface Spec {
  dir: Direction;
  gap: number;
  length: number;
}

const chunkSpecs = fc.array(
  fc.record({ dir: fc.constantFrom<Direction>('c2s', 's2c'), gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), length: fc.integer({ min: 1, max: 70 }) }),
  { maxLength: 40 },
);

/** The index of specs, and the model: one entry per hex row. */
function build(specs: Spec[]) {
  const index = new ChunkIndex();
  const next = { c2s: 0, s2c: 0 };
  const rows: { chunk: number; dir: Direction; offset: number }[] = [];
  const chunks: { dir: Direction; start: number; length: number }[] = [];
  specs.forEach((s, i) => {
    const start = next[s.dir] + s.gap;
    assert.equal(index.add(s.dir, i, start, s.length), i);
    chunks.push({ dir: s.dir, start, length: s.length });
    for (let o = 0; o < s.length; o += BYTES_PER_ROW) rows.push({ chunk: i, dir: s.dir, offset: start + o });
    next[s.dir] = start + s.length;
  });
  return { index, rows, chunks, next };
}

test('rows map to their chunk and first offset; every captured byte maps to its row', () => {
  fc.assert(
    fc.property(chunkSpecs, (specs) => {
      const { index, rows, chunks, next } = build(specs);
      assert.equal(index.count, specs.length);
      assert.equal(index.rowCount, rows.length);
      rows.forEach((r, row) => {
        assert.equal(index.chunkOfRow(row), r.chunk);
        assert.equal(index.offsetOfRow(row), r.offset);
        assert.equal(index.dir(r.chunk), r.dir);
      });
      assert.equal(index.chunkOfRow(rows.length), -1);
      assert.equal(index.chunkOfRow(-1), -1);
      for (const dir of ['c2s', 's2c'] as const) {
        assert.equal(index.streamEnd(dir), next[dir]);
        const covered = new Map<number, number>();
        chunks.forEach((c, i) => {
          if (c.dir === dir) for (let o = c.start; o < c.start + c.length; o++) covered.set(o, i);
        });
        for (let o = 0; o <= next[dir] + 2; o++) {
          const chunk = covered.get(o);
          const row = index.rowOf(dir, o);
          if (chunk === undefined) {
            assert.equal(row, -1, `${dir} ${o} is in a gap`);
            continue;
          }
          assert.equal(index.chunkAt(dir, o), chunk);
          assert.equal(rows[row].chunk, chunk);
          assert.ok(rows[row].offset <= o && o < rows[row].offset + BYTES_PER_ROW, `${dir} ${o} is on row ${row}`);
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('a chunk that overlaps indexed bytes, or is empty, is refused', () => {
  const index = new ChunkIndex();
  index.add('c2s', 0, 0, 10);
  assert.throws(() => index.add('c2s', 1, 5, 10), /overlaps/);
  assert.throws(() => index.add('s2c', 1, 0, 0), /at least one byte/);
  index.add('s2c', 1, 0, 3);
  assert.equal(index.count, 2);
});

test('dropping the oldest bytes keeps exactly the chunks that still hold a byte, in order', () => {
  fc.assert(
    fc.property(chunkSpecs, fc.nat(), fc.nat(), (specs, a, b) => {
      const { index, chunks, next } = build(specs);
      const cut = { c2s: next.c2s ? a % (next.c2s + 1) : 0, s2c: next.s2c ? b % (next.s2c + 1) : 0 };
      const kept = chunks.filter((c) => c.start + c.length > cut[c.dir]);
      const out = withoutDropped(index, cut);
      assert.equal(out.count, kept.length);
      kept.forEach((c, i) => {
        assert.equal(out.dir(i), c.dir);
        assert.equal(out.start(i), c.start);
        assert.equal(out.length(i), c.length);
      });
      for (const dir of ['c2s', 's2c'] as const) {
        assert.equal(chunksBelow(index, dir, cut[dir]), chunks.filter((c) => c.dir === dir && c.start + c.length <= cut[dir]).length);
      }
    }),
    { numRuns: 150 },
  );
});

test('100 000 chunks cost a few megabytes of typed arrays and look up by binary search', () => {
  const index = new ChunkIndex();
  for (let i = 0; i < 100_000; i++) index.add(i % 3 === 2 ? 's2c' : 'c2s', i, Math.floor(i / 3) * 40 + (i % 3 === 2 ? 0 : (i % 3) * 20), 20);
  assert.equal(index.rowCount, 200_000);
  assert.equal(index.chunkOfRow(199_999), 99_999);
  assert.equal(index.rowOf('s2c', index.streamEnd('s2c') - 1), index.firstRow(99_998) + 1);
});
