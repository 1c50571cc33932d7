// The capture store's internal state, shared by its parts (capture-store.ts records and answers,
// store-eviction.ts drops the oldest, dissection-backlog.ts feeds the dissectors, store-read.ts reads
// kept bytes) and never handed outside the store: one connection's record (Conn), the ring of chunks in
// arrival order under the shared cap, and the message order that maxMessages evicts from.
import type { Emitter } from '../util/emitter.js';
import type { DissectedMessage } from './dissection-types.js';
import type { ConnectionDissector } from './dissector.js';
import { CHUNK_OVERHEAD_BYTES, type CapturedConnection, type CapturedData, type CapturedDrop, type CaptureStoreEvents, type ConnectionStats } from './capture-store-types.js';
import type { DissectionBacklog } from './dissection-backlog.js';
import type { ArenaBlock, ChunkArena } from './chunk-arena.js';

/**
 * A chunk as the store keeps it: its bytes are a view into one of the store's blocks (chunk-arena.ts),
 * never handed outside the store (store-read.ts copies them for readers).
 */
export interface StoredData extends CapturedData {
  /** The block its bytes are in (a regular block, or a large block holding only this chunk). */
  block: ArenaBlock | undefined;
}

/** What a stored chunk counts against the cap: its bytes and CHUNK_OVERHEAD_BYTES. */
export function storedCost(e: StoredData): number {
  return e.bytes.length + CHUNK_OVERHEAD_BYTES;
}

export interface Conn {
  data: Omit<CapturedConnection, 'entries'>;
  /** Retained chunks from index `head` on (a deque: the ring drops from the front). */
  chunks: StoredData[];
  head: number;
  /**
   * Drop markers, at most one per direction: drops are always of the oldest bytes, so they stand before every
   * chunk. This and the other per-connection records below marked "made at the first drop" are absent until
   * then: most connections never lose a byte, and an idle one costs only what it holds (issue 13).
   */
  markers?: CapturedDrop[];
  /** Closed and forgotten (maxConnections): its ring items no longer count. */
  removed: boolean;
  stats: ConnectionStats;
  /** Next absolute offset per direction. */
  next: { c2s: number; s2c: number };
  messages: DissectedMessage[];
  /** Made at its first operation (a connection nobody reads never gets one: its memory stays small). */
  dissector?: ConnectionDissector;
  /** Still dissected: false without dissection, after the close, or after its dissector failed. */
  dissects: boolean;
  /** Dropped-marker per direction (always at the front: the ring drops oldest first). Made at the first drop. */
  drop?: { c2s?: CapturedDrop; s2c?: CapturedDrop };
  /** The 'dropped' message per direction. Made at the first drop. */
  dropMessage?: { c2s?: DissectedMessage; s2c?: DissectedMessage };
  /** Operations of this connection still waiting in the dissection backlog. */
  pending: number;
  /** During an eviction, per direction, the offset below which bytes are being dropped (else -1; absent: -1 both). */
  leavingBelow?: { c2s: number; s2c: number };
}

export interface RingItem {
  conn: Conn;
  entry: StoredData;
  /** Waiting in the dissection backlog. */
  queued: boolean;
}

/**
 * One operation waiting for its connection's dissector: a chunk (its ring item, no new object per chunk),
 * or a switch or the close (`step`).
 */
export interface PendingOp {
  conn: Conn;
  entry?: StoredData;
  step?: (d: ConnectionDissector) => void;
  /** The close: the dissector is let go after its step. */
  last?: boolean;
}

/** What stands in the slots before the ring's and a connection's head: the evicted chunk is not kept alive. */
export const CHUNK_GONE: StoredData = Object.freeze({ kind: 'data', dir: 'c2s', t: 0, offset: 0, bytes: Buffer.alloc(0), block: undefined }) as StoredData;
export const RING_GONE: RingItem = Object.freeze({ conn: undefined as unknown as Conn, entry: CHUNK_GONE, queued: false }) as RingItem;

/** A message in the store's arrival order across connections (StoreState.messageOrder). */
export interface OrderedMessage {
  conn: Conn;
  message: DissectedMessage;
}

/**
 * What the store's parts share: the ring and its byte count, the message order and count, the limits and
 * the dissection's entry points. The store holds the only one; its parts take it as an argument.
 */
export interface StoreState {
  readonly events: Emitter<CaptureStoreEvents>;
  /** CaptureStoreOptions.maxBytes, or the last setMaxBytes. */
  maxBytes: number;
  /** CaptureStoreOptions.evictMarginBytes as given (see evictMarginBytes in store-eviction.ts). */
  readonly evictMarginOption: number | undefined;
  readonly maxMessages: number;
  readonly maxConnections: number;
  /** Every connection kept, by id, in order of opening. */
  readonly conns: Map<string, Conn>;
  readonly ring: RingItem[];
  /** The blocks the stored chunks' bytes are copied into (chunk-arena.ts). */
  readonly arena: ChunkArena;
  ringHead: number;
  bytes: number;
  messageCount: number;
  /** Message ids in arrival order across connections, for maxMessages eviction. */
  readonly messageOrder: OrderedMessage[];
  messageOrderHead: number;
  /** Messages already removed with their dropped bytes (still listed in messageOrder). */
  readonly gone: WeakSet<DissectedMessage>;
  nextMessageId: number;
  readonly backlog: DissectionBacklog;
  /** Runs a dissector step on the connection's dissector (CaptureStore: a failing dissector stops its connection only). */
  dissect(conn: Conn, step: (d: ConnectionDissector) => void): void;
}
