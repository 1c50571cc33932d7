// Reading what the capture store keeps: a connection's entries (drop markers, then the kept chunks),
// its plain snapshot for the exports, and byte ranges of one direction's stream, found by offset (offsets
// are absolute per direction, so the byte ranges of dissected messages stay valid after the oldest bytes
// leave). The kept chunks are views into the store's blocks, which are reused once their chunks have left
// (chunk-arena.ts): everything read from outside the store is a copy, so no reader ever sees bytes change
// under it (reads are rare next to recording). Only the store's own dissection reads views
// (connRangeParts), and only while the bytes are kept.
import type { Direction } from './types.js';
import type { CaptureEntry, CapturedConnection, ConnectionSummary } from './capture-store-types.js';
import type { Conn } from './store-internals.js';

/**
 * A connection's entries in arrival order: its drop markers, then its kept chunks — new objects, the
 * chunks' bytes copied out of the store's blocks (the reader may keep them as long as it likes).
 */
export function entriesOf(c: Conn): CaptureEntry[] {
  const out: CaptureEntry[] = [];
  if (c.markers) for (const m of c.markers) out.push({ ...m });
  const chunks = c.chunks;
  for (let i = c.head; i < chunks.length; i++) {
    const e = chunks[i];
    out.push({ kind: 'data', dir: e.dir, t: e.t, offset: e.offset, bytes: Buffer.from(e.bytes) });
  }
  return out;
}

/** A copy of [start, end) of one direction of a connection, or undefined when some of it was dropped. */
export function readConnRange(c: Conn, dir: Direction, start: number, end: number): Buffer | undefined {
  const parts = connRangeParts(c, dir, start, end);
  return parts && Buffer.concat(parts);
}

/** A plain copy of one connection for the exports (its own copies of the bytes). */
export function snapshot(c: Conn): CapturedConnection {
  const out: CapturedConnection = {
    id: c.data.id,
    info: c.data.info,
    switches: [...c.data.switches],
    entries: entriesOf(c),
  };
  if (c.data.closed) out.closed = c.data.closed;
  if (c.data.peerConnectionId !== undefined) out.peerConnectionId = c.data.peerConnectionId;
  if (c.data.pipelines) out.pipelines = [...c.data.pipelines];
  return out;
}

/** A connection as listed: its id, info, current protocol, peer and a copy of its stats. */
export function summaryOf(c: Conn): ConnectionSummary {
  const s: ConnectionSummary = { id: c.data.id, info: c.data.info, protocol: c.data.info.protocol, stats: { ...c.stats } };
  if (c.data.closed) s.closed = c.data.closed;
  if (c.data.peerConnectionId !== undefined) s.peerConnectionId = c.data.peerConnectionId;
  const last = c.data.switches[c.data.switches.length - 1];
  if (last) s.protocol = last.protocol;
  return s;
}

/**
 * The kept bytes [start, end) of one direction of a connection, as views into its chunks (undefined when
 * some are gone): a binary search for the first chunk of `dir` that reaches `start` (each direction's
 * offsets grow in arrival order), so the entry list is not copied.
 */
export function connRangeParts(c: Conn, dir: Direction, start: number, end: number): Buffer[] | undefined {
  return entryParts(c.chunks, firstChunkReaching(c, dir, start), dir, start, end);
}

/** Index of the first kept chunk of `dir` that ends after `start` (or one the scan from there passes over). */
function firstChunkReaching(c: Conn, dir: Direction, start: number): number {
  const chunks = c.chunks;
  const sameDirFrom = (i: number, hi: number): number => {
    while (i < hi && chunks[i].dir !== dir) i++;
    return i;
  };
  let lo = c.head;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const j = sameDirFrom(mid, hi);
    if (j < hi && chunks[j].offset + chunks[j].bytes.length <= start) lo = j + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A copy of what is kept of [start, end) of one direction, from its first kept byte on, up to the first gap:
 * `offset` is where the bytes start (`end` with none). Only that range is copied (the hex view asks for the
 * range it draws; copying the whole connection for it, as chunks() does, would be megabytes per draw).
 */
export function retainedConnRange(c: Conn, dir: Direction, start: number, end: number): { offset: number; bytes: Buffer } {
  const chunks = c.chunks;
  const parts: Buffer[] = [];
  let offset = -1;
  let at = start;
  for (let i = firstChunkReaching(c, dir, start); i < chunks.length && at < end; i++) {
    const e = chunks[i];
    if (e.dir !== dir) continue;
    const eEnd = e.offset + e.bytes.length;
    if (eEnd <= at) continue;
    if (e.offset >= end) break;
    if (offset < 0) offset = at = Math.max(at, e.offset);
    else if (e.offset > at) break;
    const to = Math.min(end, eEnd);
    parts.push(e.bytes.subarray(at - e.offset, to - e.offset));
    at = to;
  }
  if (offset < 0) return { offset: end, bytes: Buffer.alloc(0) };
  return { offset, bytes: Buffer.concat(parts) };
}

/** Concatenates the retained bytes of [start, end) of one direction; undefined when some are missing. */
export function readStreamRange(entries: readonly CaptureEntry[], dir: Direction, start: number, end: number): Buffer | undefined {
  if (end <= start) return Buffer.alloc(0);
  const parts = entryParts(entries, 0, dir, start, end);
  return parts && (parts.length === 1 ? parts[0] : Buffer.concat(parts));
}

function entryParts(entries: readonly CaptureEntry[], from: number, dir: Direction, start: number, end: number): Buffer[] | undefined {
  const parts: Buffer[] = [];
  if (end <= start) return parts;
  let at = start;
  for (let i = from; i < entries.length; i++) {
    const e = entries[i];
    if (e.dir !== dir || e.kind !== 'data') continue;
    const eEnd = e.offset + e.bytes.length;
    if (eEnd <= at) continue;
    if (e.offset > at) return undefined;
    parts.push(e.bytes.subarray(at - e.offset, Math.min(end, eEnd) - e.offset));
    at = Math.min(end, eEnd);
    if (at >= end) break;
  }
  return at >= end ? parts : undefined;
}
