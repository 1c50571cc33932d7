// The capture store: records every chunk of every connection it is attached to
// (the server's capture emitter, the sender's, …), in arrival order, under one
// memory cap shared by all connections and held as a ring. When the oldest bytes
// go, the connection keeps a 'dropped' entry at that spot with the count, so a
// reader always sees that something is missing and how much (store-eviction.ts).
// The bytes are copied into blocks the store reuses (chunk-arena.ts), so the
// sockets' buffers die young; readers get copies (store-read.ts).
// Stream offsets are absolute per direction, so the byte ranges of dissected
// messages stay valid (store-read.ts). HTTP messages get their field trees on
// demand, from the bytes kept here (lazy-fields.ts); before bytes leave, the
// messages that need them keep their head aside or build their tree.
//
// Dissection is deferred while nobody listens to 'message' events, and done, with
// the same answers, as soon as anything reads a result (dissection-backlog.ts).
// Connections that are the two ends of one loopback exchange are tied as peers
// (peer-index.ts). The public shapes and defaults are in capture-store-types.ts,
// re-exported here; the state the parts share is in store-internals.ts.
import { Emitter, type ListenerOptions } from '../util/emitter.js';
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
import { ConnectionDissector } from './dissector.js';
import { FieldTreeCache } from './lazy-fields.js';
import {
  DEFAULT_CAPTURE_MAX_BYTES,
  DEFAULT_CAPTURE_MAX_CONNECTIONS,
  DEFAULT_CAPTURE_MAX_MESSAGES,
  type CaptureEntry,
  type CapturedConnection,
  type CaptureStoreEvents,
  type CaptureStoreOptions,
  type ConnectionSummary,
} from './capture-store-types.js';
import { storedCost, type Conn, type RingItem, type StoreState, type StoredData } from './store-internals.js';
import { ChunkArena } from './chunk-arena.js';
import { DissectionBacklog } from './dissection-backlog.js';
import { dropEverything, evict, evictMarginBytes, evictMessages, trimConnections } from './store-eviction.js';
import { PeerIndex } from './peer-index.js';
import { connRangeParts, entriesOf, readConnRange, retainedConnRange, snapshot, summaryOf } from './store-read.js';
import { attachSource } from './capture-sources.js';

export {
  CHUNK_OVERHEAD_BYTES,
  DEFAULT_CAPTURE_MAX_BYTES,
  DEFAULT_CAPTURE_MAX_CONNECTIONS,
  DEFAULT_CAPTURE_MAX_MESSAGES,
  EVICT_MARGIN_MAX,
  type CaptureEntry,
  type CapturedConnection,
  type CapturedData,
  type CapturedDrop,
  type CaptureStoreEvents,
  type CaptureStoreOptions,
  type ConnectionStats,
  type ConnectionSummary,
} from './capture-store-types.js';
export { readStreamRange } from './store-read.js';

/** An emitter that runs `beforeMessageListener` when a 'message' listener is added (it must see what comes next only). */
class StoreEmitter extends Emitter<CaptureStoreEvents> {
  constructor(private readonly beforeMessageListener: () => void) {
    super();
  }

  override on<K extends keyof CaptureStoreEvents>(event: K, listener: (payload: CaptureStoreEvents[K]) => void, options?: ListenerOptions): Disposable {
    if (event === 'message') this.beforeMessageListener();
    return super.on(event, listener, options);
  }
}

export class CaptureStore implements Disposable {
  /** Adding a 'message' listener first dissects the backlog (without the listener: it hears what comes after). */
  readonly events: Emitter<CaptureStoreEvents> = new StoreEmitter(() => this.backlog.drain());
  readonly maxMessages: number;
  readonly maxConnections: number;
  private readonly conns = new Map<string, Conn>();
  /** Open connections not tied to a peer yet (peer-index.ts). */
  private readonly peers = new PeerIndex((ev) => this.events.emit('peer', ev));
  private readonly subscriptions = new DisposableStore();
  private sourceCount = 0;
  /** Field trees built on demand, the last few (a view reads the same messages again and again). */
  private readonly trees = new FieldTreeCache();
  /** Dissection not done yet, in arrival order across connections (dissection-backlog.ts). */
  private readonly backlog = new DissectionBacklog({
    listening: () => this.events.hasListeners('message'),
    dissect: (conn, step) => this.dissect(conn, step),
  });
  /** The ring, the message order and their counts, shared with eviction (store-internals.ts). */
  private readonly state: StoreState;

  private readonly dissectorError?: (err: unknown, connectionId: string) => void;

  constructor(private readonly options: CaptureStoreOptions = {}) {
    this.dissectorError = options.onDissectorError;
    this.maxMessages = options.maxMessages ?? DEFAULT_CAPTURE_MAX_MESSAGES;
    this.maxConnections = options.maxConnections ?? DEFAULT_CAPTURE_MAX_CONNECTIONS;
    this.state = {
      events: this.events,
      maxBytes: options.maxBytes ?? DEFAULT_CAPTURE_MAX_BYTES,
      get evictMarginOption() {
        return options.evictMarginBytes;
      },
      maxMessages: this.maxMessages,
      maxConnections: this.maxConnections,
      conns: this.conns,
      ring: [],
      arena: new ChunkArena(options.maxBytes ?? DEFAULT_CAPTURE_MAX_BYTES, options.blockBytes),
      ringHead: 0,
      bytes: 0,
      messageCount: 0,
      messageOrder: [],
      messageOrderHead: 0,
      gone: new WeakSet<DissectedMessage>(),
      nextMessageId: 1,
      backlog: this.backlog,
      dissect: (conn, step) => this.dissect(conn, step),
    };
    if (!(this.state.maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    if (options.blockBytes !== undefined && !(options.blockBytes >= 64)) throw new RangeError('blockBytes must be at least 64');
  }

  get maxBytes(): number {
    return this.state.maxBytes;
  }

  /** What one eviction drops below the cap at most (CaptureStoreOptions.evictMarginBytes). */
  get evictMarginBytes(): number {
    return evictMarginBytes(this.state);
  }

  /** A new byte cap, applied at once: a smaller one drops the oldest bytes now, visibly, as the ring always does. */
  setMaxBytes(maxBytes: number): void {
    if (!(maxBytes > 0)) throw new RangeError('maxBytes must be positive');
    this.state.maxBytes = maxBytes;
    evict(this.state);
    this.state.arena.resize(maxBytes);
  }

  /** Records everything the source emits from now on. Dispose to stop. */
  attach(source: Emitter<CaptureEvents>): Disposable {
    const local = attachSource(source, ++this.sourceCount, this, (id) => this.conns.has(id));
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
      removed: false,
      stats: { c2sBytes: 0, s2cBytes: 0, c2sChunks: 0, s2cChunks: 0, droppedBytes: 0, messages: 0, droppedMessages: 0 },
      next: { c2s: 0, s2c: 0 },
      messages: [],
      pending: 0,
      dissects: this.options.dissect !== false,
    };
    if (ev.peerConnectionId !== undefined) conn.data.peerConnectionId = ev.peerConnectionId;
    this.conns.set(ev.connectionId, conn);
    if (this.events.hasListeners('open')) this.events.emit('open', summaryOf(conn));
    this.peers.tie(conn);
  }

  /** chunk() may keep the buffer it is handed: its own 'chunk' listeners are (the store copies; chunk-arena.ts). */
  keepsHandedBytes(): boolean {
    return this.events.hasKeepingListeners('chunk');
  }

  chunk(connectionId: string, dir: Direction, t: number, bytes: Buffer): void {
    const conn = this.conns.get(connectionId);
    if (!conn || bytes.length === 0) return;
    // A copy in the store's blocks (chunk-arena.ts): the socket's buffer dies young.
    const arena = this.state.arena;
    const kept = arena.place(bytes);
    const entry: StoredData = { kind: 'data', dir, t, offset: conn.next[dir], bytes: kept, block: arena.placedBlock };
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
    this.state.ring.push(item);
    this.state.bytes += storedCost(entry);
    // Listeners get the bytes as handed over (never modified), not a view of a block that is reused.
    if (this.events.hasListeners('chunk')) this.events.emit('chunk', { connectionId, entry: { kind: 'data', dir, t, offset: entry.offset, bytes } });
    if (conn.dissects) {
      item.queued = true;
      this.backlog.later(item);
    }
    // (evict() dissects the backlog first, so an oversized chunk is still dissected once.)
    evict(this.state);
  }

  switchProtocol(ev: ProtocolSwitched): void {
    const conn = this.conns.get(ev.connectionId);
    if (!conn) return;
    conn.data.switches.push({ ...ev });
    if (conn.dissects) this.backlog.later({ conn, step: (d) => d.switchProtocol(ev) });
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
    if (conn.data.peerConnectionId === undefined) this.peers.untie(conn);
    if (conn.dissects) this.backlog.later({ conn, step: (d) => d.end(ev.t), last: true });
    // Its listeners read the connection's message counts.
    if (this.events.hasListeners('close')) this.backlog.drain(conn);
    if (this.events.hasListeners('close')) this.events.emit('close', summaryOf(conn));
    trimConnections(this.state);
  }

  // --- queries ---

  /** Connections in order of opening, with their stats. */
  listConnections(): ConnectionSummary[] {
    this.backlog.drain();
    return [...this.conns.values()].map((c) => summaryOf(c));
  }

  getConnection(id: string): ConnectionSummary | undefined {
    const c = this.conns.get(id);
    if (c) this.backlog.drain(c);
    return c && summaryOf(c);
  }

  /** The entries (chunks and drop markers) of a connection, in arrival order: copies, the reader's to keep. */
  chunks(connectionId: string): CaptureEntry[] {
    const c = this.conns.get(connectionId);
    return c ? entriesOf(c) : [];
  }

  /** Dissected messages of a connection in arrival order, drop markers included. */
  messages(connectionId: string): DissectedMessage[] {
    const c = this.conns.get(connectionId);
    if (c) this.backlog.drain(c);
    return [...(c?.messages ?? [])];
  }

  /** A snapshot of one connection for the exports (copies of the kept bytes). */
  connection(id: string): CapturedConnection | undefined {
    const c = this.conns.get(id);
    return c && snapshot(c);
  }

  /** Snapshots of all connections, or of those listed. */
  snapshot(ids?: readonly string[]): CapturedConnection[] {
    const list = ids ? ids.map((id) => this.conns.get(id)).filter((c): c is Conn => !!c) : [...this.conns.values()];
    return list.map(snapshot);
  }

  /** A copy of the retained bytes of [start, end) of one direction, or undefined when any of them was dropped. */
  readRange(connectionId: string, dir: Direction, start: number, end: number): Buffer | undefined {
    const c = this.conns.get(connectionId);
    return c ? readConnRange(c, dir, start, end) : undefined;
  }

  /**
   * A copy of what is kept of [start, end) of one direction, from its first kept byte on up to the first
   * gap (`offset`: where the bytes start, `end` when none are kept): what a hex view draws. Copies only
   * the range, where chunks() copies the whole connection.
   */
  retainedRange(connectionId: string, dir: Direction, start: number, end: number): { offset: number; bytes: Buffer } {
    const c = this.conns.get(connectionId);
    return c ? retainedConnRange(c, dir, start, end) : { offset: end, bytes: Buffer.alloc(0) };
  }

  get totalBytes(): number {
    return this.state.bytes;
  }

  get totalMessages(): number {
    this.backlog.drain();
    return this.state.messageCount;
  }

  /** Forgets everything; connections still open keep being recorded from their next chunk on (offsets continue). */
  clear(): void {
    this.backlog.drain();
    dropEverything(this.state);
    this.trees.clear();
    this.events.emit('clear', undefined);
  }

  dispose(): void {
    this.subscriptions.dispose();
    for (const conn of this.conns.values()) {
      conn.dissector = undefined;
      conn.dissects = false;
    }
    this.backlog.dispose();
    this.events.clear();
  }

  // --- internals ---

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
      nextMessageId: () => this.state.nextMessageId++,
      onMessage: (m) => this.addMessage(conn, m),
      onUpdate: (m) => this.updateMessage(conn, m),
      leavingBelow: (dir) => conn.leavingBelow?.[dir] ?? -1,
      deferred: { parts: (dir, start, end) => connRangeParts(conn, dir, start, end), cache: this.trees },
    });
  }

  /** An open message (an event stream) grew or ended: announced again, unless it already left the store. */
  private updateMessage(conn: Conn, m: DissectedMessage): void {
    if (conn.removed || this.state.gone.has(m)) return;
    this.events.emit('message', m);
  }

  private addMessage(conn: Conn, m: DissectedMessage): void {
    conn.messages.push(m);
    conn.stats.messages++;
    this.state.messageCount++;
    this.state.messageOrder.push({ conn, message: m });
    this.events.emit('message', m);
    if (this.state.messageCount > this.maxMessages) evictMessages(this.state);
    else if (this.state.messageOrder.length - this.state.messageOrderHead > 2 * this.state.messageCount + 4096) {
      // Messages that left with their bytes (or their connection) are still listed: forget them.
      this.state.messageOrder.splice(0, this.state.messageOrder.length, ...this.state.messageOrder.slice(this.state.messageOrderHead).filter((e) => !e.conn.removed && !this.state.gone.has(e.message)));
      this.state.messageOrderHead = 0;
    }
  }
}
