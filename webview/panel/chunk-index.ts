// Where every captured chunk of one connection sits: its direction, arrival
// time, stream offset, length, and the hex row it starts on (16 bytes a row;
// each chunk starts a new row, so a row never mixes two arrivals). Kept in
// growable typed arrays rather than one object per chunk, so 100 000 frames
// cost a few megabytes and nothing for the garbage collector to trace, and
// both lookups the hex view needs (row → chunk, offset → row) are binary
// searches.
import type { Direction } from '../../server-core/protocol/playground.js';

export const BYTES_PER_ROW = 16;

const DIRS: readonly Direction[] = ['c2s', 's2c'];

const EMPTY_U8 = new Uint8Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2, 16));
  b.set(a);
  return b;
}

export class ChunkIndex {
  // Empty until the first chunk: a list of many connections (the network list) holds an index per connection.
  private dirs = EMPTY_U8;
  private times = EMPTY_F64;
  private starts = EMPTY_F64;
  private lengths = EMPTY_F64;
  /** rows[i]: first hex row of chunk i; rows[count]: the total. */
  private rows = new Float64Array(1);
  /** Chunk indexes of each direction, in stream order. */
  private byDir: [Int32Array, Int32Array] = [EMPTY_I32, EMPTY_I32];
  private byDirCount: [number, number] = [0, 0];
  private ends: [number, number] = [0, 0];
  count = 0;

  get rowCount(): number {
    return this.rows[this.count];
  }

  /** Appends a chunk; returns its index. Offsets of one direction must not go backwards. */
  add(dir: Direction, t: number, start: number, length: number): number {
    const d = dir === 'c2s' ? 0 : 1;
    if (!(length > 0)) throw new RangeError(`a chunk needs at least one byte, got ${length}`);
    if (start < this.ends[d]) throw new RangeError(`${dir} chunk at ${start} overlaps bytes already indexed (up to ${this.ends[d]})`);
    const i = this.count;
    this.dirs = grow(this.dirs, i + 1);
    this.times = grow(this.times, i + 1);
    this.starts = grow(this.starts, i + 1);
    this.lengths = grow(this.lengths, i + 1);
    this.rows = grow(this.rows, i + 2);
    this.dirs[i] = d;
    this.times[i] = t;
    this.starts[i] = start;
    this.lengths[i] = length;
    this.rows[i + 1] = this.rows[i] + Math.ceil(length / BYTES_PER_ROW);
    const n = this.byDirCount[d];
    this.byDir[d] = grow(this.byDir[d], n + 1);
    this.byDir[d][n] = i;
    this.byDirCount[d] = n + 1;
    this.ends[d] = start + length;
    this.count = i + 1;
    return i;
  }

  dir(i: number): Direction {
    return DIRS[this.dirs[i]];
  }

  time(i: number): number {
    return this.times[i];
  }

  /** Stream offset of the chunk's first byte. */
  start(i: number): number {
    return this.starts[i];
  }

  length(i: number): number {
    return this.lengths[i];
  }

  firstRow(i: number): number {
    return this.rows[i];
  }

  /** The offset just past the last indexed byte of a direction. */
  streamEnd(dir: Direction): number {
    return this.ends[dir === 'c2s' ? 0 : 1];
  }

  /** Chunks of a direction, in stream order. */
  chunksOf(dir: Direction): number {
    return this.byDirCount[dir === 'c2s' ? 0 : 1];
  }

  /** The index of the k-th chunk of a direction. */
  chunkOf(dir: Direction, k: number): number {
    return this.byDir[dir === 'c2s' ? 0 : 1][k];
  }

  /** Index of the chunk holding hex row `row`, or -1 past the end. */
  chunkOfRow(row: number): number {
    if (row < 0 || row >= this.rowCount) return -1;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the chunk holding byte `offset` of `dir`, or -1 when no indexed chunk holds it. */
  chunkAt(dir: Direction, offset: number): number {
    const d = dir === 'c2s' ? 0 : 1;
    const list = this.byDir[d];
    let lo = 0;
    let hi = this.byDirCount[d] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = list[mid];
      if (offset < this.starts[c]) hi = mid - 1;
      else if (offset >= this.starts[c] + this.lengths[c]) lo = mid + 1;
      else return c;
    }
    return -1;
  }

  /** The hex row showing byte `offset` of `dir`, or -1. */
  rowOf(dir: Direction, offset: number): number {
    const c = this.chunkAt(dir, offset);
    return c < 0 ? -1 : this.rows[c] + Math.floor((offset - this.starts[c]) / BYTES_PER_ROW);
  }

  /** Stream offset of the first byte shown on `row` (its direction is dir(chunkOfRow(row))), or -1. */
  offsetOfRow(row: number): number {
    const c = this.chunkOfRow(row);
    return c < 0 ? -1 : this.starts[c] + (row - this.rows[c]) * BYTES_PER_ROW;
  }
}

/**
 * The chunks of `index` that still hold a byte at or above goneBelow[dir]
 * (their direction's cut), in a new index: the host's ring dropped the rest.
 * A chunk cut in the middle keeps its place and length (its first bytes show as gone).
 */
export function withoutDropped(index: ChunkIndex, goneBelow: Record<Direction, number>): ChunkIndex {
  const out = new ChunkIndex();
  for (let i = 0; i < index.count; i++) {
    const dir = index.dir(i);
    if (index.start(i) + index.length(i) > goneBelow[dir]) out.add(dir, index.time(i), index.start(i), index.length(i));
  }
  return out;
}

/** How many chunks of `dir` lie wholly below `offset` (chunks of a direction are in stream order). */
export function chunksBelow(index: ChunkIndex, dir: Direction, offset: number): number {
  let lo = 0;
  let hi = index.chunksOf(dir);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = index.chunkOf(dir, mid);
    if (index.start(c) + index.length(c) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
