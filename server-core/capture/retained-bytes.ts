// The bytes of one direction since the end of the last complete HTTP message,
// up to a limit: what an error report shows of a head that did not parse, and
// what is fed again when the connection switches protocol mid-chunk (an
// upgrade's first frames, a forced switch). Restarted without copying at the
// end of each message.
//
// The pushed chunks are kept as views, not copies: a dissector's input is never
// modified after it is pushed (capture chunks, stored entries, a replay's stored
// parts). Copying the first 64 KiB of every message was a fixed cost per large
// message, twice per proxied exchange (BENCHMARKS.md, proxy). A view that would
// keep alive a buffer more than twice its size (a small slice of a large read,
// a piece of Node's 8 KiB pool) is copied, so the window never holds much more
// memory than RETAIN_LIMIT.
//
// A view into a capture store's block (chunk-arena.ts) is kept as a view too,
// but only while its bytes are in the store: the store pins the dissector
// before it drops bytes, and the pin calls detach(), which copies such views.
// Most messages end before their bytes leave, so most are never copied.
import { isArenaBytes } from './chunk-arena.js';

/** Bytes of the message in progress retained for error reports and forced switches. */
export const RETAIN_LIMIT = 64 * 1024;

/** Bytes copied into retained windows, counted (test/unit/capture/retained-bytes.test.ts). Only ever increases. */
export const retainedStats = { copiedBytes: 0 };

export class RetainedBytes {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private startOffset: number) {}

  /** Absolute offset of the first retained byte. */
  get start(): number {
    return this.startOffset;
  }

  /** Retains (the start of) `chunk`, which is not modified afterwards. */
  add(chunk: Buffer): void {
    const room = RETAIN_LIMIT - this.bytes;
    if (room <= 0 || chunk.length === 0) return;
    const view = chunk.length > room ? chunk.subarray(0, room) : chunk;
    let part = view;
    if (!isArenaBytes(view) && view.length * 2 < view.buffer.byteLength) {
      part = Buffer.from(view);
      retainedStats.copiedBytes += part.length;
    }
    this.parts.push(part);
    this.bytes += part.length;
  }

  /**
   * The store is about to drop bytes, and reuse their block once it is empty: views into its blocks are
   * copied (the window's bytes never change under it).
   */
  detach(): void {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      if (isArenaBytes(parts[i])) {
        parts[i] = Buffer.from(parts[i]);
        retainedStats.copiedBytes += parts[i].length;
      }
    }
  }

  /**
   * A message ended at `at`: the window restarts there, without copying what it keeps. `current` is the
   * chunk being parsed (it holds `at`): when the window was full before `at`, the rest of it is taken.
   */
  restartAt(at: number, current: { start: number; bytes: Buffer } | undefined): void {
    let start = this.startOffset;
    const parts: Buffer[] = [];
    for (const part of this.parts) {
      const end = start + part.length;
      if (end > at) parts.push(start >= at ? part : part.subarray(at - start));
      start = end;
    }
    const covered = start; // end of what was retained
    this.parts = parts;
    this.bytes = parts.reduce((n, b) => n + b.length, 0);
    this.startOffset = at;
    const cur = current;
    if (covered < at && cur && at >= cur.start && at < cur.start + cur.bytes.length) {
      this.add(cur.bytes.subarray(at - cur.start));
    } else if (covered >= at && cur && covered < cur.start + cur.bytes.length && covered >= cur.start) {
      this.add(cur.bytes.subarray(covered - cur.start));
    }
  }

  /** The retained bytes from `from` on (`from` ≤ `pos`, the offset of the next byte to arrive). */
  from(from: number, pos: number): Buffer | undefined {
    if (from < this.startOffset || from > pos) return undefined;
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    return all.subarray(from - this.startOffset);
  }
}
