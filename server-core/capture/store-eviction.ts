// The capture store's eviction: what leaves when the caps are reached. Bytes go oldest first across
// connections, as a ring under one memory cap; the connection keeps a 'dropped' entry at that spot with
// the count (and a "n bytes dropped" message), so a reader always sees that something is missing and how
// much. Before bytes leave, what they feed is dissected (dissection-backlog.ts) and the messages that
// need them keep their head aside or build their tree (lazy-fields.ts). Messages over maxMessages go
// oldest first, in batches; closed connections over maxConnections go with their bytes; clear() drops
// everything. Each chunk that leaves lowers its block's count (chunk-arena.ts).
import type { Direction } from './types.js';
import { EVICT_MARGIN_MAX } from './capture-store-types.js';
import { formatCount } from './format.js';
import { pinFields } from './lazy-fields.js';
import { CHUNK_GONE, RING_GONE, storedCost, type Conn, type StoreState, type StoredData } from './store-internals.js';

/** Chunks one eviction drops at most once the store is back under its cap (see evict). */
const EVICT_BATCH_CHUNKS = 256;
/** Operations an eviction feeds on at most so that an HTTP message it cuts into ends first (see evict). */
const EVICT_FEED_AHEAD = 4096;

/** The bytes of one connection's direction that one eviction drops: [start, end). */
interface DropRun {
  conn: Conn;
  dir: Direction;
  start: number;
  end: number;
  tFirst: number;
  tLast: number;
}

/** What one eviction drops below the cap at most (CaptureStoreOptions.evictMarginBytes). */
export function evictMarginBytes(s: StoreState): number {
  const m = s.evictMarginOption;
  return m !== undefined ? Math.min(Math.max(0, m), s.maxBytes) : Math.min(Math.floor(s.maxBytes / 64), EVICT_MARGIN_MAX);
}

/**
 * Forgets the oldest messages, in a batch (a sixteenth of the cap at least) so that the work stays
 * constant per message. A connection's messages are in arrival order with its drop markers first,
 * so its oldest ones are one contiguous run.
 */
export function evictMessages(s: StoreState): void {
  const target = s.maxMessages - Math.max(1, Math.floor(s.maxMessages / 16));
  const perConn = new Map<Conn, number>();
  let toRemove = s.messageCount - Math.max(0, target);
  while (toRemove > 0 && s.messageOrderHead < s.messageOrder.length) {
    const { conn: c, message } = s.messageOrder[s.messageOrderHead++];
    if (c.removed || s.gone.has(message)) continue;
    perConn.set(c, (perConn.get(c) ?? 0) + 1);
    toRemove--;
  }
  for (const [c, n] of perConn) {
    let first = 0;
    while (first < c.messages.length && c.messages[first].kind === 'dropped') first++;
    c.messages.splice(first, n);
    c.stats.messages -= n;
    c.stats.droppedMessages += n;
    s.messageCount -= n;
  }
  compactMessageOrder(s);
}

function compactMessageOrder(s: StoreState): void {
  if (s.messageOrderHead > 4096 && s.messageOrderHead * 2 > s.messageOrder.length) {
    s.messageOrder.splice(0, s.messageOrderHead);
    s.messageOrderHead = 0;
  }
}

/**
 * Over the cap, drops the oldest bytes, across connections, down to the low-water mark (the cap minus
 * evictMarginBytes), so that the drop's fixed work — pinning the messages that keep their trees, the drop
 * marker and its message, the 'dropped' event — is done once per connection and direction for a batch of
 * chunks, not once per chunk (with 64 KiB reads through the proxy it was once per read: BENCHMARKS.md).
 */
export function evict(s: StoreState): void {
  if (s.bytes <= s.maxBytes) return;
  const target = s.maxBytes - evictMarginBytes(s);
  // First what goes: the ring's oldest items, the last one maybe only its head (`trim` bytes). Below the
  // cap, a batch stops at EVICT_BATCH_CHUNKS chunks (tiny chunks: the dissection each batch needs first
  // stays short).
  let bytes = s.bytes;
  let end = s.ringHead;
  let trim = 0;
  // Without dissection waiting there is nothing to keep short: the batch goes down to the margin.
  const batch = s.backlog.waiting > 0 ? EVICT_BATCH_CHUNKS : Infinity;
  while ((bytes > s.maxBytes || (bytes > target && end - s.ringHead < batch)) && end < s.ring.length) {
    const { conn, entry } = s.ring[end];
    if (conn.removed) {
      end++;
      continue;
    }
    const over = bytes - target;
    const cost = storedCost(entry);
    if (over < cost && over < entry.bytes.length) {
      trim = over;
      bytes -= over;
      break;
    }
    bytes -= cost;
    end++;
  }
  // Per connection and direction, the bytes that go are one run from its oldest kept byte; `runs` in the
  // order they are met (the drops' message ids follow it). Found by the connection object, not by a key
  // string made per evicted chunk.
  const runs: DropRun[] = [];
  const runsOf = new Map<Conn, { c2s?: DropRun; s2c?: DropRun }>();
  const runOf = (conn: Conn, entry: StoredData): DropRun => {
    let pair = runsOf.get(conn);
    if (!pair) runsOf.set(conn, (pair = {}));
    let run = pair[entry.dir];
    if (!run) runs.push((pair[entry.dir] = run = { conn, dir: entry.dir, start: entry.offset, end: entry.offset, tFirst: entry.t, tLast: entry.t }));
    return run;
  };
  for (let i = s.ringHead; i < end; i++) {
    const { conn, entry } = s.ring[i];
    if (conn.removed) continue;
    const run = runOf(conn, entry);
    run.end = entry.offset + entry.bytes.length;
    run.tLast = entry.t;
  }
  const trimmed = trim > 0 ? s.ring[end] : undefined;
  if (trimmed) {
    const run = runOf(trimmed.conn, trimmed.entry);
    run.end = trimmed.entry.offset + trim;
    run.tLast = trimmed.entry.t;
  }
  // What leaves is dissected first, with everything that arrived before it (not what came after: a store
  // nobody reads dissects only what it drops, when it drops it, and never all it holds at once).
  // Messages that end in what leaves are removed as soon as they are made (recordDrop): with nobody
  // listening, they are made as stand-ins only (kind, range, times), which keeps ids and counts exact.
  const unheard = !s.events.hasListeners('message');
  if (unheard) for (const run of runs) (run.conn.leavingBelow ??= { c2s: -1, s2c: -1 })[run.dir] = run.end;
  for (let i = trimmed ? end : end - 1; i >= s.ringHead; i--) {
    if (s.ring[i].queued) {
      s.backlog.drain(s.ring[i]);
      break;
    }
  }
  if (unheard) for (const run of runs) run.conn.leavingBelow![run.dir] = -1;
  // An HTTP message that the dropped bytes cut into, still in progress in the dissection, is fed on to its
  // end first (within EVICT_FEED_AHEAD operations): ended, it keeps its head aside and its tree stays on
  // demand, as with a live dissection, instead of building its tree now.
  for (const run of runs) {
    for (let n = 0; n < EVICT_FEED_AHEAD && run.conn.pending > 0; n++) {
      const start = run.conn.dissector?.httpMessageInProgress(run.dir);
      if (start === undefined || start >= run.end) break;
      s.backlog.drainOne();
    }
  }
  // The messages that need the bytes are made safe while the bytes are still here.
  for (const run of runs) pinBefore(s, run.conn, run.dir, run.end);
  for (; s.ringHead < end; s.ringHead++) {
    const { conn, entry } = s.ring[s.ringHead];
    // The slots before the heads are let go at once (compacted later): an evicted chunk that stayed
    // referenced there kept its buffer alive past the cap, up to 1,024 chunks per connection and as many
    // in the ring (with 64 KiB reads, a proxy with 64 MiB of capture held 300 MB of buffers).
    s.ring[s.ringHead] = RING_GONE;
    if (conn.removed) continue;
    s.bytes -= storedCost(entry);
    // Its block is reused once all its chunks are gone: the dissectors copied their views of it (pinBefore).
    if (entry.block !== undefined) s.arena.release(entry.block);
    // The ring's oldest item is its connection's oldest chunk.
    if (conn.chunks[conn.head] === entry) conn.chunks[conn.head++] = CHUNK_GONE;
    else conn.chunks.splice(conn.chunks.indexOf(entry, conn.head), 1);
    if (conn.head > 1024 && conn.head * 2 > conn.chunks.length) {
      conn.chunks.splice(0, conn.head);
      conn.head = 0;
    }
  }
  if (trimmed) {
    // Only the head of this chunk goes: its tail stays, as a view, not a copy — only the ring's front
    // chunk is ever trimmed, so at most one chunk's dropped head stays in memory past the cap (copying
    // the tail of every 64 KiB or 1 MiB chunk each time the cap was reached was a third of the store's
    // CPU time with large bodies).
    trimmed.entry.bytes = trimmed.entry.bytes.subarray(trim);
    trimmed.entry.offset += trim;
    s.bytes -= trim;
  }
  for (const run of runs) recordDrop(s, run.conn, run.dir, run.start, run.end - run.start, run.tFirst, run.tLast, true);
  if (s.ringHead > 1024 && s.ringHead * 2 > s.ring.length) {
    s.ring.splice(0, s.ringHead);
    s.ringHead = 0;
  }
}

/**
 * The bytes of `dir` below `before` are about to go: the deferred field trees that need them are made
 * safe first — a message that will still be listed (partly dropped) keeps a copy of its head and body
 * preview, or has its tree built (a chunked body), and the one being dissected builds its tree live from
 * here on. A message whose bytes all go leaves with them (recordDrop), so its tree is never needed.
 */
function pinBefore(s: StoreState, conn: Conn, dir: Direction, before: number): void {
  s.dissect(conn, (d) => d.pin(dir, before));
  let seen = 0;
  for (const m of conn.messages) {
    if (m.dir !== dir || m.kind === 'dropped') {
      if (++seen > 256) break;
      continue;
    }
    if (m.range.start >= before) break;
    if (m.range.end > before) pinFields(m);
  }
}

/** `tFirst`, `t`: the times of the first and last dropped chunk. */
export function recordDrop(s: StoreState, conn: Conn, dir: Direction, offset: number, length: number, tFirst: number, t: number, emit: boolean): void {
  conn.stats.droppedBytes += length;
  const drop = (conn.drop ??= {});
  let marker = drop[dir];
  if (marker && marker.offset + marker.length === offset) {
    marker.length += length;
    marker.t = t;
  } else {
    marker = { kind: 'dropped', dir, t, offset, length };
    drop[dir] = marker;
    (conn.markers ??= []).push(marker);
  }
  // The messages whose bytes are all gone go too; one 'dropped' message stands at their place.
  const end = marker.offset + marker.length;
  const dropMessage = (conn.dropMessage ??= {});
  let dm = dropMessage[dir];
  // Messages are in arrival order, so those of `dir` that ended before `end` sit at the front.
  const removedAt: number[] = [];
  for (let i = 0; i < conn.messages.length; i++) {
    const m = conn.messages[i];
    if (m.kind === 'dropped' || m.dir !== dir) {
      if (i - (removedAt[removedAt.length - 1] ?? 0) > 256) break;
      continue;
    }
    if (m.range.end > end) break;
    removedAt.push(i);
  }
  for (let k = removedAt.length - 1; k >= 0; k--) s.gone.add(conn.messages.splice(removedAt[k], 1)[0]);
  if (removedAt.length) {
    conn.stats.messages -= removedAt.length;
    s.messageCount -= removedAt.length;
  }
  if (!dm || dm.range.end !== offset) {
    dm = {
      id: s.nextMessageId++,
      connectionId: conn.data.id,
      kind: 'dropped',
      protocol: conn.data.info.protocol,
      dir,
      range: { start: marker.offset, end },
      tStart: tFirst,
      tEnd: t,
      summary: '',
      fields: [],
    };
    dropMessage[dir] = dm;
    const firstKept = conn.messages.findIndex((m) => m.kind !== 'dropped');
    const at = removedAt.length ? Math.min(removedAt[0], firstKept < 0 ? conn.messages.length : firstKept) : firstKept < 0 ? conn.messages.length : firstKept;
    conn.messages.splice(at, 0, dm);
  }
  dm.range.end = end;
  dm.tEnd = t;
  const n = marker.length;
  dm.summary = `${formatCount(n)} bytes dropped`;
  dm.fields = [
    {
      name: 'Dropped',
      value: `${formatCount(n)} bytes`,
      explain: `The capture's memory cap was reached; these ${dir} bytes are no longer kept`,
      range: { start: marker.offset, end },
    },
  ];
  if (emit) s.events.emit('dropped', { connectionId: conn.data.id, entry: marker });
}

/** Over maxConnections, forgets the oldest closed connections (a batch: see below), with what they still hold. */
export function trimConnections(s: StoreState): void {
  if (s.conns.size <= s.maxConnections) return;
  // Down to a sixteenth below the bound at once (exactly to it below 16): the Map's deleted entries stay
  // as holes at its front until V8 rehashes it, and this walk from the front passes over every one, so
  // forgetting one connection per close cost a walk over thousands of holes each time (14 µs per new
  // connection at the default 10,000; util/drop-oldest.ts has the same reason for the sidebar's lists).
  const target = s.maxConnections - (s.maxConnections >> 4);
  for (const conn of s.conns.values()) {
    if (s.conns.size <= target) break;
    if (!conn.data.closed) continue;
    // Its dissection is finished first (its messages are counted out below; ids stay as live).
    s.backlog.drain(conn);
    s.conns.delete(conn.data.id);
    // Its bytes are let go now: their cost and their blocks' counts (its dissection is over: nothing holds a view).
    for (let i = conn.head; i < conn.chunks.length; i++) {
      const e = conn.chunks[i];
      s.bytes -= storedCost(e);
      if (e.block !== undefined) s.arena.release(e.block);
      // Its ring item (skipped from now on) no longer holds the bytes: a large chunk's own buffer is freed now.
      e.bytes = CHUNK_GONE.bytes;
      e.block = undefined;
    }
    // A message someone still holds finds its bytes gone, not changed (its tree is built from these chunks).
    conn.chunks = [];
    conn.head = 0;
    s.messageCount -= conn.messages.length;
    // Its ring items are skipped from now on.
    conn.removed = true;
    s.events.emit('removed', { connectionId: conn.data.id });
  }
}

/**
 * clear(): every byte and message goes (the backlog was dissected first). Closed connections are forgotten;
 * open ones stay, with a drop marker for what they had, and keep being recorded (offsets continue).
 */
export function dropEverything(s: StoreState): void {
  for (const conn of s.conns.values()) {
    if (conn.data.closed) {
      s.conns.delete(conn.data.id);
      // Its bytes' blocks are reused: a message someone still holds finds them gone, not changed.
      conn.chunks = [];
      conn.head = 0;
      continue;
    }
    // Keep the open connection but drop what it had, visibly.
    for (const dir of ['c2s', 's2c'] as const) {
      s.dissect(conn, (d) => d.pin(dir, conn.next[dir]));
      const kept = conn.chunks.slice(conn.head).filter((e) => e.dir === dir);
      const first = kept[0];
      if (first) {
        const length = conn.next[dir] - first.offset;
        const last = kept[kept.length - 1];
        if (length > 0) recordDrop(s, conn, dir, first.offset, length, last.t, last.t, false);
      }
    }
    conn.chunks = [];
    conn.head = 0;
    delete conn.data.pipelines;
    conn.messages = conn.messages.filter((m) => m.kind === 'dropped');
  }
  const ring = s.ring;
  for (let i = s.ringHead; i < ring.length; i++) {
    const { conn, entry } = ring[i];
    if (!conn.removed && entry.block !== undefined) s.arena.release(entry.block);
  }
  ring.length = 0;
  s.ringHead = 0;
  s.bytes = 0;
  s.arena.reset();
  s.messageOrder.length = 0;
  s.messageOrderHead = 0;
  s.messageCount = 0;
  for (const conn of s.conns.values()) {
    s.messageCount += conn.messages.length;
    conn.stats.messages = conn.messages.length;
  }
}
