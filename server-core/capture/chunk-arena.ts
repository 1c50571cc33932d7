// Where the capture store keeps the bytes of what it records: copied into a few
// large blocks of its own, appended to like a log, and reused once every chunk
// in a block has left the store. The socket's read buffers then die young (the
// copy is made while they are still in the young generation), and the store's
// memory is a fixed set of recycled blocks, not a stream of old-generation
// buffers that only full mark-compacts free (with 64 KiB proxy reads kept until
// eviction, GC was ~10 % of a capture-on proxy profile; copying them took a
// third off the CPU per 1 MiB request in A/B runs: BENCHMARKS.md, "Capture
// into reused blocks").
//
// Blocks are shared by all connections in arrival order, which is also the
// order the ring evicts in, so the oldest block empties first; a chunk that
// leaves out of order (a forgotten connection, clear()) only lowers its
// block's count. A block is reused only when its count is zero, that is when
// no stored chunk is in it any more. Nothing outside the store ever sees a
// view of a block (store-read.ts hands out copies); the dissectors, which
// keep views of what they are fed, copy them before their bytes leave
// (RetainedBytes.detach, called by the store's pin before each drop).
//
// The proxy records each read twice (one leg reads it, the other writes it): the
// second time, the same bytes share the first copy while its block is unchanged
// and the bytes compare equal (a comparison costs less than a copy and keeps
// half the memory).
//
// A chunk larger than a quarter of a block (a 512 KiB file read, a 1 MiB
// WebSocket frame) is copied too, into a large block of its own: its size
// rounded up to a sixteenth of a block, taken from a few emptied large blocks
// of that size when there is one (the same sizes recur: file reads, echoed
// frames), kept for reuse when it empties. Keeping the handed buffer instead
// kept the socket's or file reader's buffer alive until eviction: external
// memory that only full mark-compacts free, and a static read buffer that
// could never be filled again (static/read-buffer-pool.ts).

/** Largest block (with the default 64 MiB cap: 64 blocks at most, plus the two being filled and emptied). */
export const ARENA_BLOCK_MAX = 1024 * 1024;
/** Smallest block (small caps, in tests and for tiny stores). */
export const ARENA_BLOCK_MIN = 4 * 1024;
/** Emptied blocks kept for reuse beyond those in use (more are let go: a cap that shrank). */
const FREE_BLOCKS_KEPT = 2;
/** Emptied large blocks kept for reuse, at most this many, of at most LARGE_FREE_BLOCKS block sizes in all. */
const LARGE_FREE_KEPT = 4;
const LARGE_FREE_BLOCKS = 4;

/** One block: its memory, how far it is filled, how many stored chunks are still in it. */
export interface ArenaBlock {
  readonly buf: Buffer;
  used: number;
  live: number;
  /** Counts the block's reuses: a copy made in an earlier use is no longer there. */
  generation: number;
  /** A block holding one large chunk (sized to it), not one of the arena's regular blocks. */
  readonly large: boolean;
}

/** Chunks from this size on may share one copy when the same bytes are recorded twice (see place). */
const SHARE_MIN_BYTES = 4096;

/** The last copy made of (part of) a source ArrayBuffer. */
interface LastCopy {
  byteOffset: number;
  length: number;
  view: Buffer;
  block: ArenaBlock;
  generation: number;
}

/** Buffers that are arena blocks (RetainedBytes asks: a view of one must be copied before it is reused). */
const blockBuffers = new WeakSet<ArrayBufferLike>();

/** True when `bytes` is a view into a capture store's block, reusable once its chunk has left the store. */
export function isArenaBytes(bytes: Buffer): boolean {
  return blockBuffers.has(bytes.buffer);
}

/** The block size for a cap: a sixteenth of it, a power of two between ARENA_BLOCK_MIN and ARENA_BLOCK_MAX. */
export function arenaBlockSize(maxBytes: number): number {
  let size = ARENA_BLOCK_MIN;
  while (size < ARENA_BLOCK_MAX && size * 2 <= maxBytes / 16) size *= 2;
  return size;
}

/** Counted for tests and benches (test/unit/capture/chunk-arena.test.ts). Only ever increase. */
export const arenaStats = { blocksAllocated: 0, blocksReused: 0, sharedCopies: 0, largeAllocated: 0, largeReused: 0 };

export class ChunkArena {
  private current: ArenaBlock | undefined;
  private readonly free: ArenaBlock[] = [];
  /** Emptied large blocks, for chunks of the same rounded size. */
  private largeFree: ArenaBlock[] = [];
  private size: number;
  /**
   * The last copy of each source buffer: the proxy records each read twice, once per leg (read from one
   * socket, written to the other), and the same bytes are then copied once.
   */
  private readonly lastCopy = new WeakMap<ArrayBufferLike, LastCopy>();
  /** The block the last place() copied into (undefined: a large chunk kept on its own). */
  placedBlock: ArenaBlock | undefined;

  /** `fixedSize`: CaptureStoreOptions.blockBytes (else the size follows the cap). */
  constructor(
    maxBytes: number,
    private readonly fixedSize?: number,
  ) {
    this.size = fixedSize ?? arenaBlockSize(maxBytes);
  }

  /** The cap changed: blocks made from now on have the new size (emptied blocks of the old size are let go). */
  resize(maxBytes: number): void {
    const size = this.fixedSize ?? arenaBlockSize(maxBytes);
    if (size === this.size) return;
    this.size = size;
    this.free.length = 0;
    this.largeFree = [];
  }

  /**
   * The bytes to keep for `bytes`: a copy in the current block (a new or reused one when it does not fit),
   * or, for a large chunk, in a large block of its own. placedBlock tells where it went (no object per chunk).
   */
  place(bytes: Buffer): Buffer {
    const n = bytes.length;
    const share = n >= SHARE_MIN_BYTES;
    if (share) {
      // The same bytes again: the copy is shared while its block has not been reused since (a block's bytes are
      // only ever written past `used`, which restarts with a new generation) and the bytes are still equal: a
      // source buffer may be filled again after the emit (static/read-buffer-pool.ts, when every listener copies).
      const prev = this.lastCopy.get(bytes.buffer);
      if (prev !== undefined && prev.byteOffset === bytes.byteOffset && prev.length === n && prev.generation === prev.block.generation && prev.view.equals(bytes)) {
        prev.block.live++;
        this.placedBlock = prev.block;
        arenaStats.sharedCopies++;
        return prev.view;
      }
    }
    let block: ArenaBlock;
    if (n * 4 > this.size) block = this.takeLarge(n);
    else {
      const cur = this.current;
      if (cur === undefined || cur.used + n > cur.buf.length) {
        // The rest of a full block stays unused (less than a quarter of it, a sixteenth with 64 KiB reads).
        if (cur !== undefined) this.close(cur);
        block = this.current = this.take();
      } else block = cur;
    }
    const at = block.used;
    bytes.copy(block.buf, at);
    block.used = at + n;
    block.live++;
    this.placedBlock = block;
    const view = block.buf.subarray(at, at + n);
    if (share) this.lastCopy.set(bytes.buffer, { byteOffset: bytes.byteOffset, length: n, view, block, generation: block.generation });
    return view;
  }

  /** A chunk of `block` left the store: an emptied block that is not being filled is kept for reuse. */
  release(block: ArenaBlock): void {
    if (--block.live === 0 && block !== this.current) this.recycle(block);
  }

  /** Everything left the store (clear): the block being filled starts over when nothing is in it. */
  reset(): void {
    const b = this.current;
    if (b !== undefined && b.live === 0) {
      b.used = 0;
      b.generation++;
    }
  }

  /** The block being filled is left for a new one: reused at once when nothing is in it any more. */
  private close(block: ArenaBlock): void {
    this.current = undefined;
    if (block.live === 0) this.recycle(block);
  }

  private recycle(block: ArenaBlock): void {
    block.generation++;
    if (block.large) {
      // Kept while few and small enough in all (a cap that shrank lets them go: resize empties the list).
      const free = this.largeFree;
      let bytes = block.buf.length;
      for (const b of free) bytes += b.buf.length;
      if (free.length < LARGE_FREE_KEPT && bytes <= LARGE_FREE_BLOCKS * this.size) {
        block.used = 0;
        free.push(block);
      }
      return;
    }
    if (this.free.length < FREE_BLOCKS_KEPT && block.buf.length === this.size) {
      block.used = 0;
      this.free.push(block);
    }
  }

  private take(): ArenaBlock {
    const reused = this.free.pop();
    if (reused !== undefined) {
      arenaStats.blocksReused++;
      return reused;
    }
    arenaStats.blocksAllocated++;
    // allocUnsafeSlow: a block of its own (never Node's pool); every byte of it is written before it is read.
    const buf = Buffer.allocUnsafeSlow(this.size);
    blockBuffers.add(buf.buffer);
    return { buf, used: 0, live: 0, generation: 0, large: false };
  }

  /** An empty large block for `n` bytes: an emptied one of the same rounded size, or a new one. */
  private takeLarge(n: number): ArenaBlock {
    const grain = this.size / 16;
    const size = Math.ceil(n / grain) * grain;
    const free = this.largeFree;
    for (let i = free.length - 1; i >= 0; i--) {
      if (free[i].buf.length === size) {
        const b = free[i];
        free.splice(i, 1);
        arenaStats.largeReused++;
        return b;
      }
    }
    arenaStats.largeAllocated++;
    const buf = Buffer.allocUnsafeSlow(size);
    blockBuffers.add(buf.buffer);
    return { buf, used: 0, live: 0, generation: 0, large: true };
  }
}
