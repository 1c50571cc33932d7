// How captured bytes reach the playground UI. A snapshot or a live push always
// carries every chunk's place (direction, time, offset, length) but its bytes
// only up to a budget; the UI asks for the rest of what it shows with
// capture.bytes, answered from the capture's retained bytes. So opening a
// 100 MiB capture moves a chunk list, not 133 MiB of base64, and the UI holds
// only what it draws.
import type { CaptureEntry, CapturedData } from '../capture/capture-store.js';
import type { Direction } from '../capture/types.js';
import type { ChunkView } from '../protocol/playground.js';

/** Bytes sent along with a snapshot (the oldest first): a small capture arrives whole. */
export const SNAPSHOT_INLINE_BYTES = 256 * 1024;
/** Bytes sent along with one live push of one connection; a bulk transfer sends the rest on request. */
export const PUSH_INLINE_BYTES = 64 * 1024;

export function chunkView(e: CapturedData, withBytes: boolean): ChunkView {
  const v: ChunkView = { dir: e.dir, t: e.t, length: e.bytes.length, offset: e.offset };
  if (withBytes) v.bytes = e.bytes.toString('base64');
  return v;
}

/** The data chunks of a connection's entries, with bytes until `inlineBytes` is spent. */
export function snapshotChunks(entries: readonly CaptureEntry[], inlineBytes = SNAPSHOT_INLINE_BYTES): ChunkView[] {
  const out: ChunkView[] = [];
  let left = inlineBytes;
  for (const e of entries) {
    if (e.kind !== 'data') continue;
    const inline = e.bytes.length <= left;
    if (inline) left -= e.bytes.length;
    else left = 0;
    out.push(chunkView(e, inline));
  }
  return out;
}

/**
 * The retained bytes of [start, end) of one direction: they begin at `offset`
 * (later than start when the oldest bytes were dropped, `end` when none are
 * left) and stop early at the end of the stream or at a gap.
 */
export function retainedRange(entries: readonly CaptureEntry[], dir: Direction, start: number, end: number): { offset: number; bytes: Buffer } {
  const parts: Buffer[] = [];
  let offset = -1;
  let at = start;
  for (const e of entries) {
    if (e.kind !== 'data' || e.dir !== dir) continue;
    const eEnd = e.offset + e.bytes.length;
    if (eEnd <= at) continue;
    if (e.offset >= end) break;
    if (offset < 0) offset = at = Math.max(at, e.offset);
    else if (e.offset > at) break;
    const to = Math.min(end, eEnd);
    parts.push(e.bytes.subarray(at - e.offset, to - e.offset));
    at = to;
    if (at >= end) break;
  }
  if (offset < 0) return { offset: end, bytes: Buffer.alloc(0) };
  return { offset, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}
