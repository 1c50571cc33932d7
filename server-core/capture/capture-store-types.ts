// The capture store's public shapes: what it records (data chunks and drop markers), what it reports
// per connection (stats, summaries, the plain snapshots the exports read), its events, its options and
// their defaults. Apart from the store (capture-store.ts) so that readers of captures — the exports,
// the hex dump, the proxy's replay — depend on the data, not on the machinery that keeps it.
import type { ConnectionClosed, ConnectionOpened, Direction, ProtocolSwitched, RequestPipeline } from './types.js';
import type { DissectedMessage } from './dissection-types.js';
import type { DissectorOptions } from './dissector.js';

/** Bytes of bookkeeping charged to the cap for every stored chunk, so many tiny chunks cannot outgrow it. */
export const CHUNK_OVERHEAD_BYTES = 64;

export interface CaptureStoreOptions {
  /** Total bytes kept across all connections (payload plus CHUNK_OVERHEAD_BYTES per chunk). Default 64 MiB. */
  maxBytes?: number;
  /**
   * Dissected messages kept across all connections; the oldest go first. Default 20 000. HTTP messages
   * keep their head's details (a few hundred bytes) and build their field tree when it is read; other
   * messages keep their tree (one to two kilobytes). This bounds the dissection's memory apart from the bytes.
   */
  maxMessages?: number;
  /** Closed connections kept; the oldest closed go first once over. Default 10 000. */
  maxConnections?: number;
  /**
   * How far below maxBytes one eviction goes (the low-water mark is maxBytes minus this), so that the
   * eviction's fixed work is done once per batch of chunks. Default: maxBytes / 64 (1 MiB of a 64 MiB cap),
   * at most 1 MiB. 0 evicts exactly down to the cap.
   */
  evictMarginBytes?: number;
  /**
   * Size of the blocks the recorded bytes are copied into and that are reused (chunk-arena.ts). Default: a
   * sixteenth of maxBytes, a power of two from 4 KiB to 1 MiB. Chunks over a quarter of a block are kept apart.
   */
  blockBytes?: number;
  /** Dissect (default true): deferred while nobody listens to 'message' events, see dissection-backlog.ts. */
  dissect?: boolean;
  /**
   * Told when a dissector fails on a connection (that connection is no longer dissected; bytes are still
   * recorded) — when the dissection runs, which is deferred until something reads it (see dissection-backlog.ts).
   */
  onDissectorError?: (err: unknown, connectionId: string) => void;
  /** Passed to each connection's dissector. */
  dissector?: Omit<DissectorOptions, 'onMessage' | 'nextMessageId'>;
}

export const DEFAULT_CAPTURE_MAX_BYTES = 64 * 1024 * 1024;
/** The default eviction margin's ceiling (CaptureStoreOptions.evictMarginBytes). */
export const EVICT_MARGIN_MAX = 1024 * 1024;
export const DEFAULT_CAPTURE_MAX_MESSAGES = 20_000;
export const DEFAULT_CAPTURE_MAX_CONNECTIONS = 10_000;

export interface CapturedData {
  kind: 'data';
  dir: Direction;
  /** Monotonic ms. */
  t: number;
  /** Absolute offset of bytes[0] in the direction's stream. */
  offset: number;
  bytes: Buffer;
}

export interface CapturedDrop {
  kind: 'dropped';
  dir: Direction;
  /** Monotonic ms of the last dropped byte's chunk. */
  t: number;
  /** Absolute stream offset of the first dropped byte. */
  offset: number;
  /** How many bytes were dropped at this spot. */
  length: number;
}

export type CaptureEntry = CapturedData | CapturedDrop;

export interface ConnectionStats {
  c2sBytes: number;
  s2cBytes: number;
  c2sChunks: number;
  s2cChunks: number;
  droppedBytes: number;
  messages: number;
  /** Messages forgotten because of maxMessages (their bytes may still be kept). */
  droppedMessages: number;
}

/** One connection as the exports and the views read it. Plain data: exports accept it without a store. */
export interface CapturedConnection {
  /** The id in this capture (the emitter's id unless two sources used the same one). */
  id: string;
  info: ConnectionOpened;
  closed?: ConnectionClosed;
  switches: ProtocolSwitched[];
  /** In arrival order; dropped prefixes appear as 'dropped' entries. */
  entries: CaptureEntry[];
  /** The other end's connection in this capture, when both ends are ours. */
  peerConnectionId?: string;
  /** A server connection's requests as its pipeline saw them (stage times, route), in the order their responses ended. */
  pipelines?: RequestPipeline[];
}

export interface ConnectionSummary {
  id: string;
  info: ConnectionOpened;
  closed?: ConnectionClosed;
  protocol: ConnectionOpened['protocol'];
  peerConnectionId?: string;
  stats: ConnectionStats;
}

export interface CaptureStoreEvents {
  open: ConnectionSummary;
  close: ConnectionSummary;
  chunk: { connectionId: string; entry: CapturedData };
  switch: { connectionId: string; event: ProtocolSwitched };
  /** A message, new, or again when an open one (an event stream) grew or ended: same object, same id. */
  message: DissectedMessage;
  /** A server request's pipeline record (stage times and route) arrived. */
  pipeline: RequestPipeline;
  /** Bytes of a connection left the ring. */
  dropped: { connectionId: string; entry: CapturedDrop };
  /** Two connections were found to be the two ends of one exchange. */
  peer: { clientId: string; serverId: string };
  /** A connection record left the store (closed and over maxConnections). */
  removed: { connectionId: string };
  clear: void;
}
