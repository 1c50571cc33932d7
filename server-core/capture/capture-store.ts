// The capture store: records every chunk of every connection it is attached to
// (the server's capture emitter, the sender's, …), in arrival order, under one
// memory cap shared by all connections and held as a ring. When the oldest bytes
// go, the connection keeps a 'dropped' entry at that spot with the count, so a
// reader always sees that something is missing and how much. Stream offsets are
// absolute per direction, so the byte ranges of dissected messages stay valid.
// HTTP messages get their field trees on demand, from the bytes kept here
// (lazy-fields.ts); before bytes leave, the messages that need them keep their
// head aside or build their tree.
//
// Dissection itself is deferred while nobody listens to 'message' events: what
// the dissectors would be fed (chunks, switches, closes) waits in one backlog in
// arrival order, and is fed to them, in that order, as soon as anything reads a
// result (messages, stats, totals, a 'message' or 'close' listener), and up to
// what leaves before bytes leave the ring. The answers are the same as a live
// dissection's — same messages, trees, times, drop markers, ids in arrival order
// — only computed later, or never for a capture nobody looks at (the extension's
// window store, the proxy's). Only the ids can differ from a live store's: an
// "n bytes dropped" message takes its id when the eviction happens, which is
// before the messages of the bytes that arrived meanwhile are dissected.
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { DisposableStore } from '../util/disposable.js';
import type {
  CaptureEvents,
  ConnectionClosed,
  ConnectionOpened,
  Direction,
  ProtocolSwitched,
  RequestPipeline,
} from './types.js';
import type { DissectedMessage } from './dissection-types.js';
import { ConnectionDissector, type DissectorOptions } from './dissector.js';
import { formatCount } from './format.js';
import { FieldTreeCache, pinFields } from './lazy-fields.js';

/** Bytes of bookkeeping charged to the cap for every stored chunk, so many tiny chunks cannot outgrow it. */
export const CHUNK_OVERHEAD_BYTES = 64;

/**
 * What the store keeps of an emitted chunk. Emitters hand their bytes over (CaptureChunk.bytes: never
 * modified after the emit), so a buffer that spans its whole ArrayBuffer — a socket read, a file read, a
 * response's own bytes — is kept as it is. A view into a larger buffer (Node's 8 KiB pool behind small
 * Buffer.from() and Buffer.concat() results, a slice of a bigger read) is copied, so a small chunk never
 * keeps a large unrelated buffer alive and the cap stays close to what is really held. Copying every chunk
 * was most of the capture's cost for large bodies (1 MiB files, WebSocket messages), and its garbage.
 */
export function keptBytes(bytes: Buffer): Buffer {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length ? bytes : Buffer.from(bytes);
}

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
  /** Dissect (default true): deferred while nobody listens to 'message' events, see the header. */
  dissect?: boolean;
  /**
   * Told when a dissector fails on a connection (that connection is no longer dissected; bytes are still
   * recorded) — when the dissection runs, which is deferred until something reads it (see the header).
   */
  onDissectorError?: (err: unknown, connectionId: string) => void;
  /** Passed to each connection's dissector. */
  dissector?: Omit<DissectorOptions, 'onMessage' | 'nextMessageId'>;
}

export const DEFAULT_CAPTURE_MAX_BYTES = 64 * 1024 * 1024;
/** The default eviction margin's ceiling (CaptureStoreOptions.evictMarginBytes). */
export const EVICT_MARGIN_MAX = 1024 * 1024;
/** Chunks one eviction drops at most once the store is back under its cap (see evict). */
const EVICT_BATCH_CHUNKS = 256;
/** Operations an eviction feeds on at most so that an HTTP message it cuts into ends first (see evict). */
const EVICT_FEED_AHEAD = 4096;
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

interface Conn {
  data: Omit<CapturedConnection, 'entries'>;
  /** Retained chunks from index `head` on (a deque: the ring drops from the front). */
  chunks: CapturedData[];
  head: number;
  /** Drop markers, at most one per direction: drops are always of the oldest bytes, so they stand before every chunk. */
  markers: CapturedDrop[];
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
  /** Dropped-marker per direction (always at the front: the ring drops oldest first). */
  drop: { c2s?: CapturedDrop; s2c?: CapturedDrop };
  dropMessage: { c2s?: DissectedMessage; s2c?: DissectedMessage };
  /** Operations of this connection still waiting in the dissection backlog. */
  pending: number;
  /** During an eviction, per direction, the offset below which bytes are being dropped (else -1). */
  leavingBelow: { c2s: number; s2c: number };
}

/** The bytes of one connection's direction that one eviction drops: [start, end). */
interface DropRun {
  conn: Conn;
  dir: Direction;
  start: number;
  end: number;
  tFirst: number;
  tLast: number;
}

interface RingItem {
  conn: Conn;
  entry: CapturedData;
  /** Waiting in the dissection backlog. */
  queued: boolean;
}

/**
 * One operation waiting for its connection's dissector: a chunk (its ring item, no new object per chunk),
 * or a switch or the close (`step`).
 */
interface PendingOp {
  conn: Conn;
  entry?: CapturedData;
  step?: (d: ConnectionDissector) => void;
  /** The close: the dissector is let go after its step. */
  last?: boolean;
}

/** An emitter that runs `beforeMessageListener` when a 'message' listener is added (it must see what comes next only). */
class StoreEmitter extends Emitter<CaptureStoreEvents> {
  constructor(private readonly beforeMessageListener: () => void) {
    super();
  }

  override on<K extends keyof CaptureStoreEvents>(event: K, listener: (payload: CaptureStoreEvents[K]) => void): Disposable {
    if (event === 'message') this.beforeMessageListener();
    return super.on(event, listener);
  }
}

/** What stands in the slots before the ring's and a connection's head: the evicted chunk is not kept alive. */
const CHUNK_GONE: CapturedData = Object.freeze({ kind: 'data', dir: 'c2s', t: 0, offset: 0, bytes: Buffer.alloc(0) }) as CapturedData;
const RING_GONE: RingItem = Object.freeze({ conn: undefined as unknown as Conn, entry: CHUNK_GONE, queued: false }) as RingItem;

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

export class CaptureStore implements Disposable {
  /** Adding a 'message' listener first dissects the backlog (without the listener: it hears what comes after). */
  readonly events: Emitter<CaptureStoreEvents> = new StoreEmitter(() => this.drain());
  private maxBytesValue: number;
  readonly maxMessages: number;
  readonly maxConnections: number;
  private readonly conns = new Map<string, Conn>();
  /** Open connections not tied to a peer, by their client and server ports (tiePeers). */
  private readonly untied = new Map<string, Conn[]>();
  private readonly ring: RingItem[] = [];
  private ringHead = 0;
  private bytes = 0;
  private messageCount = 0;
  /** Message ids in arrival order across connections, for maxMessages eviction. */
  private readonly messageOrder: { conn: Conn; message: DissectedMessage }[] = [];
  /** Messages already removed with their dropped bytes (still listed in messageOrder). */
  private gone = new WeakSet<DissectedMessage>();
  private messageOrderHead = 0;
  private nextMessageId = 1;
  private readonly subscriptions = new DisposableStore();
  private sourceCount = 0;
  /** Field trees built on demand, the last few (a view reads the same messages again and again). */
  private readonly trees = new FieldTreeCache();
  /** Dissection not done yet, in arrival order across connections, from `backlogHead` on. */
  private backlog: PendingOp[] = [];
  private backlogHead = 0;

  private readonly dissectorError?: (err: unknown, connectionId: string) => void;

  constructor(private readonly options: CaptureStoreOptions = {}) {
    this.dissectorError = options.onDissectorError;
    this.maxBytesValue = options.maxBytes ?? DEFAULT_CAPTURE_MAX_BYTES;
    this.maxMessages = options.maxMessages ?? DEFAULT_CAPTURE_MAX_MESSAGES;
    this.maxConnections = options.maxConnections ?? DEFAULT_CAPTURE_MAX_CONNECTIONS;
    if (!(this.maxBytesValue > 0)) throw new RangeError('maxBytes must be positive');
  }

  get maxBytes(): number {
    return this.maxBytesValue;
  }

  /** What one eviction drops below the cap at most (CaptureStoreOptions.evictMarginBytes). */
  get evictMarginBytes(): number {
    const m = this.options.evictMarginBytes;
    return m !== undefined ? Math.min(Math.max(0, m), this.maxBytesValue) : Math.min(Math.floor(this.maxBytesValue / 64), EVICT_MARGIN_MAX);
  }

  /** A new byte cap, applied at once: a smaller one drops the oldest bytes now, visibly, as the ring always does. */
  setMaxBytes(maxBytes: number): void {
    if (!(maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    this.maxBytesValue = maxBytes;
    this.evict();
  }

  /** Records everything the source emits from now on. Dispose to stop. */
  attach(source: Emitter<CaptureEvents>): Disposable {
    const idMap = new Map<string, string>();
    const sourceNo = ++this.sourceCount;
    const local = new DisposableStore();
    const mapped = (id: string): string | undefined => idMap.get(id);
    local.add(
      source.on('open', (ev) => {
        let id = ev.connectionId;
        if (this.conns.has(id)) id = `${ev.connectionId}#${sourceNo}`;
        for (let n = 2; this.conns.has(id); n++) id = `${ev.connectionId}#${sourceNo}.${n}`;
        idMap.set(ev.connectionId, id);
        this.open({ ...ev, connectionId: id });
      }),
    );
    local.add(
      source.on('chunk', (ev) => {
        const id = mapped(ev.connectionId);
        if (id !== undefined) this.chunk(id, ev.dir, ev.t, ev.bytes);
      }),
    );
    local.add(
      source.on('switch', (ev) => {
        const id = mapped(ev.connectionId);
        if (id !== undefined) this.switchProtocol({ ...ev, connectionId: id });
      }),
    );
    local.add(
      source.on('pipeline', (ev) => {
        const id = mapped(ev.connectionId);
        if (id !== undefined) this.pipeline({ ...ev, connectionId: id });
      }),
    );
    local.add(
      source.on('close', (ev) => {
        const id = mapped(ev.connectionId);
        if (id === undefined) return;
        idMap.delete(ev.connectionId);
        this.close({ ...ev, connectionId: id });
      }),
    );
    this.subscriptions.add(local);
    return local;
  }

  // --- recording (also usable directly, without an emitter) ---

  open(ev: ConnectionOpened): void {
    if (this.conns.has(ev.connectionId)) return;
    const conn: Conn = {
      data: { id: ev.connectionId, info: { ...ev }, switches: [] },
      chunks: [],
      head: 0,
      markers: [],
      removed: false,
      stats: { c2sBytes: 0, s2cBytes: 0, c2sChunks: 0, s2cChunks: 0, droppedBytes: 0, messages: 0, droppedMessages: 0 },
      next: { c2s: 0, s2c: 0 },
      messages: [],
      drop: {},
      dropMessage: {},
      pending: 0,
      leavingBelow: { c2s: -1, s2c: -1 },
      dissects: this.options.dissect !== false,
    };
    if (ev.peerConnectionId !== undefined) conn.data.peerConnectionId = ev.peerConnectionId;
    this.conns.set(ev.connectionId, conn);
    this.events.emit('open', this.summary(conn));
    this.tiePeers(conn);
  }

  chunk(connectionId: string, dir: Direction, t: number, bytes: Buffer): void {
    const conn = this.conns.get(connectionId);
    if (!conn || bytes.length === 0) return;
    const entry: CapturedData = { kind: 'data', dir, t, offset: conn.next[dir], bytes: keptBytes(bytes) };
    conn.next[dir] += bytes.length;
    if (dir === 'c2s') {
      conn.stats.c2sBytes += bytes.length;
      conn.stats.c2sChunks++;
    } else {
      conn.stats.s2cBytes += bytes.length;
      conn.stats.s2cChunks++;
    }
    conn.chunks.push(entry);
    const item: RingItem = { conn, entry, queued: false };
    this.ring.push(item);
    this.bytes += bytes.length + CHUNK_OVERHEAD_BYTES;
    this.events.emit('chunk', { connectionId, entry });
    if (conn.dissects) {
      item.queued = true;
      this.later(item);
    }
    // (evict() dissects the backlog first, so an oversized chunk is still dissected once.)
    this.evict();
  }

  switchProtocol(ev: ProtocolSwitched): void {
    const conn = this.conns.get(ev.connectionId);
    if (!conn) return;
    conn.data.switches.push({ ...ev });
    if (conn.dissects) this.later({ conn, step: (d) => d.switchProtocol(ev) });
    this.events.emit('switch', { connectionId: ev.connectionId, event: ev });
  }

  /**
   * Keeps a request's pipeline record with its connection. At most maxMessages per
   * connection are kept (the oldest go): a record is a few hundred bytes.
   */
  pipeline(ev: RequestPipeline): void {
    const conn = this.conns.get(ev.connectionId);
    if (!conn) return;
    const list = (conn.data.pipelines ??= []);
    list.push(ev);
    if (list.length > this.maxMessages) list.shift();
    this.events.emit('pipeline', ev);
  }

  /** The pipeline records of a server connection, in the order their responses ended. */
  pipelines(connectionId: string): RequestPipeline[] {
    return [...(this.conns.get(connectionId)?.data.pipelines ?? [])];
  }

  close(ev: ConnectionClosed): void {
    const conn = this.conns.get(ev.connectionId);
    if (!conn || conn.data.closed) return;
    conn.data.closed = { ...ev };
    if (conn.data.peerConnectionId === undefined) this.untie(conn);
    if (conn.dissects) this.later({ conn, step: (d) => d.end(ev.t), last: true });
    // Its listeners read the connection's message counts.
    if (this.events.hasListeners('close')) this.drain(conn);
    this.events.emit('close', this.summary(conn));
    this.trimConnections();
  }

  // --- queries ---

  /** Connections in order of opening, with their stats. */
  listConnections(): ConnectionSummary[] {
    this.drain();
    return [...this.conns.values()].map((c) => this.summary(c));
  }

  getConnection(id: string): ConnectionSummary | undefined {
    const c = this.conns.get(id);
    if (c) this.drain(c);
    return c && this.summary(c);
  }

  /** The entries (chunks and drop markers) of a connection, in arrival order. */
  chunks(connectionId: string): CaptureEntry[] {
    const c = this.conns.get(connectionId);
    return c ? entriesOf(c) : [];
  }

  /** Dissected messages of a connection in arrival order, drop markers included. */
  messages(connectionId: string): DissectedMessage[] {
    const c = this.conns.get(connectionId);
    if (c) this.drain(c);
    return [...(c?.messages ?? [])];
  }

  /** A snapshot of one connection for the exports (entries share their buffers; do not mutate them). */
  connection(id: string): CapturedConnection | undefined {
    const c = this.conns.get(id);
    return c && snapshot(c);
  }

  /** Snapshots of all connections, or of those listed. */
  snapshot(ids?: readonly string[]): CapturedConnection[] {
    const list = ids ? ids.map((id) => this.conns.get(id)).filter((c): c is Conn => !!c) : [...this.conns.values()];
    return list.map(snapshot);
  }

  /** The retained bytes of [start, end) of one direction, or undefined when any of them was dropped. */
  readRange(connectionId: string, dir: Direction, start: number, end: number): Buffer | undefined {
    const c = this.conns.get(connectionId);
    return c ? readStreamRange(entriesOf(c), dir, start, end) : undefined;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get totalMessages(): number {
    this.drain();
    return this.messageCount;
  }

  /** Forgets everything; connections still open keep being recorded from their next chunk on (offsets continue). */
  clear(): void {
    this.drain();
    for (const conn of this.conns.values()) {
      if (conn.data.closed) {
        this.conns.delete(conn.data.id);
        continue;
      }
      // Keep the open connection but drop what it had, visibly.
      for (const dir of ['c2s', 's2c'] as const) {
        this.dissect(conn, (d) => d.pin(dir, conn.next[dir]));
        const kept = conn.chunks.slice(conn.head).filter((e) => e.dir === dir);
        const first = kept[0];
        if (first) {
          const length = conn.next[dir] - first.offset;
          const last = kept[kept.length - 1];
          if (length > 0) this.recordDrop(conn, dir, first.offset, length, last.t, last.t, false);
        }
      }
      conn.chunks = [];
      conn.head = 0;
      delete conn.data.pipelines;
      conn.messages = conn.messages.filter((m) => m.kind === 'dropped');
    }
    this.ring.length = 0;
    this.ringHead = 0;
    this.bytes = 0;
    this.trees.clear();
    this.messageOrder.length = 0;
    this.messageOrderHead = 0;
    this.messageCount = 0;
    for (const conn of this.conns.values()) {
      this.messageCount += conn.messages.length;
      conn.stats.messages = conn.messages.length;
    }
    this.events.emit('clear', undefined);
  }

  dispose(): void {
    this.subscriptions.dispose();
    for (const conn of this.conns.values()) {
      conn.dissector = undefined;
      conn.dissects = false;
    }
    this.backlog = [];
    this.backlogHead = 0;
    this.events.clear();
  }

  // --- internals ---

  /** Dissection of `op`: now when someone listens to messages (after what waits before it), else queued. */
  private later(op: PendingOp): void {
    op.conn.pending++;
    this.backlog.push(op);
    if (this.events.hasListeners('message')) this.drain();
  }

  /**
   * Feeds the backlog to the dissectors in arrival order: all of it, or until `until` has nothing waiting
   * (what waits before its operations goes first, so ids and every other answer stay those of a live
   * dissection). Re-entrant: a 'message' listener may read the store.
   */
  private drain(until?: Conn | RingItem): void {
    while (this.backlogHead < this.backlog.length && (until === undefined || ('queued' in until ? until.queued : until.pending > 0))) this.drainOne();
  }

  /** Feeds the backlog's next operation to its dissector. */
  private drainOne(): void {
    const q = this.backlog;
    if (this.backlogHead >= q.length) return;
    const op = q[this.backlogHead];
    q[this.backlogHead++] = RING_GONE;
    const conn = op.conn;
    conn.pending--;
    if (op.entry !== undefined) {
      const e = op.entry;
      (op as RingItem).queued = false;
      this.dissect(conn, (d) => d.push(e.dir, e.bytes, e.t));
    } else {
      this.dissect(conn, op.step!);
      if (op.last) {
        conn.dissector = undefined;
        conn.dissects = false;
      }
    }
    if (this.backlog !== q) return; // disposed meanwhile
    if (this.backlogHead === q.length) {
      q.length = 0;
      this.backlogHead = 0;
    } else if (this.backlogHead > 1024 && this.backlogHead * 2 > q.length) {
      q.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
  }

  /** Runs a dissector step; a dissector that throws (a bug) stops dissecting its connection, never the capture. */
  private dissect(conn: Conn, step: (d: ConnectionDissector) => void): void {
    if (!conn.dissects) return;
    try {
      step((conn.dissector ??= this.newDissector(conn)));
    } catch (err) {
      conn.dissector = undefined;
      conn.dissects = false;
      this.dissectorError?.(err, conn.data.id);
    }
  }

  private newDissector(conn: Conn): ConnectionDissector {
    const info = conn.data.info;
    return new ConnectionDissector(info.connectionId, info.protocol, {
      ...this.options.dissector,
      nextMessageId: () => this.nextMessageId++,
      onMessage: (m) => this.addMessage(conn, m),
      onUpdate: (m) => this.updateMessage(conn, m),
      leavingBelow: (dir) => conn.leavingBelow[dir],
      deferred: { parts: (dir, start, end) => connRangeParts(conn, dir, start, end), cache: this.trees },
    });
  }

  private summary(c: Conn): ConnectionSummary {
    const s: ConnectionSummary = { id: c.data.id, info: c.data.info, protocol: c.data.info.protocol, stats: { ...c.stats } };
    if (c.data.closed) s.closed = c.data.closed;
    if (c.data.peerConnectionId !== undefined) s.peerConnectionId = c.data.peerConnectionId;
    const last = c.data.switches[c.data.switches.length - 1];
    if (last) s.protocol = last.protocol;
    return s;
  }

  /** An open message (an event stream) grew or ended: announced again, unless it already left the store. */
  private updateMessage(conn: Conn, m: DissectedMessage): void {
    if (conn.removed || this.gone.has(m)) return;
    this.events.emit('message', m);
  }

  private addMessage(conn: Conn, m: DissectedMessage): void {
    conn.messages.push(m);
    conn.stats.messages++;
    this.messageCount++;
    this.messageOrder.push({ conn, message: m });
    this.events.emit('message', m);
    if (this.messageCount > this.maxMessages) this.evictMessages();
    else if (this.messageOrder.length - this.messageOrderHead > 2 * this.messageCount + 4096) {
      // Messages that left with their bytes (or their connection) are still listed: forget them.
      this.messageOrder.splice(0, this.messageOrder.length, ...this.messageOrder.slice(this.messageOrderHead).filter((e) => !e.conn.removed && !this.gone.has(e.message)));
      this.messageOrderHead = 0;
    }
  }

  /**
   * Forgets the oldest messages, in a batch (a sixteenth of the cap at least) so that the work stays
   * constant per message. A connection's messages are in arrival order with its drop markers first,
   * so its oldest ones are one contiguous run.
   */
  private evictMessages(): void {
    const target = this.maxMessages - Math.max(1, Math.floor(this.maxMessages / 16));
    const perConn = new Map<Conn, number>();
    let toRemove = this.messageCount - Math.max(0, target);
    while (toRemove > 0 && this.messageOrderHead < this.messageOrder.length) {
      const { conn: c, message } = this.messageOrder[this.messageOrderHead++];
      if (c.removed || this.gone.has(message)) continue;
      perConn.set(c, (perConn.get(c) ?? 0) + 1);
      toRemove--;
    }
    for (const [c, n] of perConn) {
      let first = 0;
      while (first < c.messages.length && c.messages[first].kind === 'dropped') first++;
      c.messages.splice(first, n);
      c.stats.messages -= n;
      c.stats.droppedMessages += n;
      this.messageCount -= n;
    }
    this.compactMessageOrder();
  }

  private compactMessageOrder(): void {
    if (this.messageOrderHead > 4096 && this.messageOrderHead * 2 > this.messageOrder.length) {
      this.messageOrder.splice(0, this.messageOrderHead);
      this.messageOrderHead = 0;
    }
  }

  /**
   * Over the cap, drops the oldest bytes, across connections, down to the low-water mark (the cap minus
   * evictMarginBytes), so that the drop's fixed work — pinning the messages that keep their trees, the drop
   * marker and its message, the 'dropped' event — is done once per connection and direction for a batch of
   * chunks, not once per chunk (with 64 KiB reads through the proxy it was once per read: BENCHMARKS.md).
   */
  private evict(): void {
    if (this.bytes <= this.maxBytes) return;
    const target = this.maxBytes - this.evictMarginBytes;
    // First what goes: the ring's oldest items, the last one maybe only its head (`trim` bytes). Below the
    // cap, a batch stops at EVICT_BATCH_CHUNKS chunks (tiny chunks: the dissection each batch needs first
    // stays short).
    let bytes = this.bytes;
    let end = this.ringHead;
    let trim = 0;
    while ((bytes > this.maxBytes || (bytes > target && end - this.ringHead < EVICT_BATCH_CHUNKS)) && end < this.ring.length) {
      const { conn, entry } = this.ring[end];
      if (conn.removed) {
        end++;
        continue;
      }
      const over = bytes - target;
      const cost = entry.bytes.length + CHUNK_OVERHEAD_BYTES;
      if (over < cost && over < entry.bytes.length) {
        trim = over;
        bytes -= over;
        break;
      }
      bytes -= cost;
      end++;
    }
    // Per connection and direction, the bytes that go are one run from its oldest kept byte.
    const runs = new Map<string, DropRun>();
    const runOf = (conn: Conn, entry: CapturedData): DropRun => {
      const key = `${conn.data.id}\u0000${entry.dir}`;
      let run = runs.get(key);
      if (!run) runs.set(key, (run = { conn, dir: entry.dir, start: entry.offset, end: entry.offset, tFirst: entry.t, tLast: entry.t }));
      return run;
    };
    for (let i = this.ringHead; i < end; i++) {
      const { conn, entry } = this.ring[i];
      if (conn.removed) continue;
      const run = runOf(conn, entry);
      run.end = entry.offset + entry.bytes.length;
      run.tLast = entry.t;
    }
    const trimmed = trim > 0 ? this.ring[end] : undefined;
    if (trimmed) {
      const run = runOf(trimmed.conn, trimmed.entry);
      run.end = trimmed.entry.offset + trim;
      run.tLast = trimmed.entry.t;
    }
    // What leaves is dissected first, with everything that arrived before it (not what came after: a store
    // nobody reads dissects only what it drops, when it drops it, and never all it holds at once).
    // Messages that end in what leaves are removed as soon as they are made (recordDrop): with nobody
    // listening, they are made as stand-ins only (kind, range, times), which keeps ids and counts exact.
    const unheard = !this.events.hasListeners('message');
    if (unheard) for (const run of runs.values()) run.conn.leavingBelow[run.dir] = run.end;
    for (let i = trimmed ? end : end - 1; i >= this.ringHead; i--) {
      if (this.ring[i].queued) {
        this.drain(this.ring[i]);
        break;
      }
    }
    if (unheard) for (const run of runs.values()) run.conn.leavingBelow[run.dir] = -1;
    // An HTTP message that the dropped bytes cut into, still in progress in the dissection, is fed on to its
    // end first (within EVICT_FEED_AHEAD operations): ended, it keeps its head aside and its tree stays on
    // demand, as with a live dissection, instead of building its tree now.
    for (const run of runs.values()) {
      for (let n = 0; n < EVICT_FEED_AHEAD && run.conn.pending > 0; n++) {
        const start = run.conn.dissector?.httpMessageInProgress(run.dir);
        if (start === undefined || start >= run.end) break;
        this.drainOne();
      }
    }
    // The messages that need the bytes are made safe while the bytes are still here.
    for (const run of runs.values()) this.pinBefore(run.conn, run.dir, run.end);
    for (; this.ringHead < end; this.ringHead++) {
      const { conn, entry } = this.ring[this.ringHead];
      // The slots before the heads are let go at once (compacted later): an evicted chunk that stayed
      // referenced there kept its buffer alive past the cap, up to 1,024 chunks per connection and as many
      // in the ring (with 64 KiB reads, a proxy with 64 MiB of capture held 300 MB of buffers).
      this.ring[this.ringHead] = RING_GONE;
      if (conn.removed) continue;
      this.bytes -= entry.bytes.length + CHUNK_OVERHEAD_BYTES;
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
      this.bytes -= trim;
    }
    for (const run of runs.values()) this.recordDrop(run.conn, run.dir, run.start, run.end - run.start, run.tFirst, run.tLast, true);
    if (this.ringHead > 1024 && this.ringHead * 2 > this.ring.length) {
      this.ring.splice(0, this.ringHead);
      this.ringHead = 0;
    }
  }

  /**
   * The bytes of `dir` below `before` are about to go: the deferred field trees that need them are made
   * safe first — a message that will still be listed (partly dropped) keeps a copy of its head and body
   * preview, or has its tree built (a chunked body), and the one being dissected builds its tree live from
   * here on. A message whose bytes all go leaves with them (recordDrop), so its tree is never needed.
   */
  private pinBefore(conn: Conn, dir: Direction, before: number): void {
    this.dissect(conn, (d) => d.pin(dir, before));
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
  private recordDrop(conn: Conn, dir: Direction, offset: number, length: number, tFirst: number, t: number, emit: boolean): void {
    conn.stats.droppedBytes += length;
    let marker = conn.drop[dir];
    if (marker && marker.offset + marker.length === offset) {
      marker.length += length;
      marker.t = t;
    } else {
      marker = { kind: 'dropped', dir, t, offset, length };
      conn.drop[dir] = marker;
      conn.markers.push(marker);
    }
    // The messages whose bytes are all gone go too; one 'dropped' message stands at their place.
    const end = marker.offset + marker.length;
    let dm = conn.dropMessage[dir];
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
    for (let k = removedAt.length - 1; k >= 0; k--) this.gone.add(conn.messages.splice(removedAt[k], 1)[0]);
    if (removedAt.length) {
      conn.stats.messages -= removedAt.length;
      this.messageCount -= removedAt.length;
    }
    if (!dm || dm.range.end !== offset) {
      dm = {
        id: this.nextMessageId++,
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
      conn.dropMessage[dir] = dm;
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
    if (emit) this.events.emit('dropped', { connectionId: conn.data.id, entry: marker });
  }

  /**
   * Ties a new connection to the other end of the same loopback exchange, when both are in this capture:
   * the earliest open connection of the other side, not yet tied, with the same two ports. Looked up in an
   * index by port pair (scanning every connection at each open was most of the store's cost per
   * connection once it held thousands).
   */
  private tiePeers(conn: Conn): void {
    const a = conn.data.info;
    const key = portPairKey(a);
    const candidates = this.untied.get(key);
    if (LOOPBACK.has(a.remote.address) || LOOPBACK.has(a.local.address)) {
      const other = candidates?.find((o) => o.data.info.side !== a.side && o.data.peerConnectionId === undefined && !o.data.closed);
      if (other) {
        this.untie(other);
        const b = other.data.info;
        const client = a.side === 'client' ? a : b;
        const server = a.side === 'client' ? b : a;
        conn.data.peerConnectionId = other.data.id;
        other.data.peerConnectionId = conn.data.id;
        this.events.emit('peer', { clientId: client.connectionId, serverId: server.connectionId });
        return;
      }
    }
    if (conn.data.peerConnectionId !== undefined) return;
    if (candidates) candidates.push(conn);
    else this.untied.set(key, [conn]);
  }

  /** The connection can no longer be tied (tied, or closed): out of the index. */
  private untie(conn: Conn): void {
    const key = portPairKey(conn.data.info);
    const list = this.untied.get(key);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.untied.delete(key);
  }

  private trimConnections(): void {
    if (this.conns.size <= this.maxConnections) return;
    for (const conn of this.conns.values()) {
      if (this.conns.size <= this.maxConnections) break;
      if (!conn.data.closed) continue;
      // Its dissection is finished first (its messages are counted out below; ids stay as live).
      this.drain(conn);
      this.conns.delete(conn.data.id);
      for (let i = conn.head; i < conn.chunks.length; i++) this.bytes -= conn.chunks[i].bytes.length + CHUNK_OVERHEAD_BYTES;
      this.messageCount -= conn.messages.length;
      // Its ring items are skipped from now on.
      conn.removed = true;
      this.events.emit('removed', { connectionId: conn.data.id });
    }
  }
}

/** The ports of a connection's client and server ends, whichever end it is. */
function portPairKey(info: ConnectionOpened): string {
  return info.side === 'client' ? `${info.local.port}:${info.remote.port}` : `${info.remote.port}:${info.local.port}`;
}

function entriesOf(c: Conn): CaptureEntry[] {
  return [...c.markers, ...c.chunks.slice(c.head)];
}

function snapshot(c: Conn): CapturedConnection {
  const out: CapturedConnection = {
    id: c.data.id,
    info: c.data.info,
    switches: [...c.data.switches],
    entries: entriesOf(c).map((e) => ({ ...e })),
  };
  if (c.data.closed) out.closed = c.data.closed;
  if (c.data.peerConnectionId !== undefined) out.peerConnectionId = c.data.peerConnectionId;
  if (c.data.pipelines) out.pipelines = [...c.data.pipelines];
  return out;
}

/**
 * The kept bytes [start, end) of one direction of a connection, as views into its chunks (undefined when
 * some are gone): a binary search for the first chunk of `dir` that reaches `start` (each direction's
 * offsets grow in arrival order), so the entry list is not copied.
 */
function connRangeParts(c: Conn, dir: Direction, start: number, end: number): Buffer[] | undefined {
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
  return entryParts(chunks, lo, dir, start, end);
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
