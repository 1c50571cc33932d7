// The UI's model of what the host told it: connections, where their chunks
// sit (both directions in arrival order), their dissected messages, HTTP
// results and WebSocket logs. A big capture's bytes stay with the host: the
// store holds those it was sent or asked for (capture.bytes) in a cache with
// a memory budget, and asks for the rest as views draw them. Views read it and
// redraw on 'change'.
import type { Base64, ChunkView, ConnectionInfo, Direction, DissectedMessage, HttpRequestSpec, HttpResponseView, TimingBreakdown } from '../../server-core/protocol/playground.js';
import { ByteCache, type StreamBytes } from './byte-cache.js';
import { fromBase64 } from './bytes-util.js';
import { ChunkIndex, chunksBelow, withoutDropped } from './chunk-index.js';

export interface HttpExchange {
  reqId: string;
  spec?: HttpRequestSpec;
  response?: HttpResponseView;
  timing?: TimingBreakdown;
  error?: string;
  tSent: number;
}

export interface WsLogEntry {
  dir: Direction;
  opcode: number;
  data: Uint8Array;
  t: number;
}

/** Asks the host for bytes [start, end) of one direction of a connection. */
export type RequestBytes = (connectionId: string, dir: Direction, start: number, end: number) => void;

export class ConnCapture {
  /** Where each chunk sits (direction, time, stream offset, hex rows). */
  index = new ChunkIndex();
  /** The bytes the UI holds of each direction (all of them for small or pinned captures, a cache otherwise). */
  readonly bytes: Record<Direction, StreamBytes>;
  streamLen: Record<Direction, number> = { c2s: 0, s2c: 0 };
  messages: DissectedMessage[] = [];
  private readonly messageIndex = new Map<number, number>();
  byDir: Record<Direction, DissectedMessage[]> = { c2s: [], s2c: [] };
  private byDirDirty = false;
  http: HttpExchange[] = [];
  ws: WsLogEntry[] = [];
  /** Bumped on every change a view may show (chunks, messages, bytes arriving, results). */
  version = 0;
  /** Bumped only when messages change (the dissection tree rebuilds on it). */
  messagesVersion = 0;
  /** Bumped when the chunk index changes (chunks added, or dropped ones compacted away). */
  chunksVersion = 0;

  constructor(
    public info: ConnectionInfo,
    cache: ByteCache = new ByteCache(),
    private readonly request?: RequestBytes,
  ) {
    this.bytes = { c2s: cache.stream(), s2c: cache.stream() };
  }

  get rowCount(): number {
    return this.index.rowCount;
  }

  get chunkCount(): number {
    return this.index.count;
  }

  /**
   * Adds a chunk: its bytes, or only its length when the host did not send
   * them (they are asked for when shown). Bytes already indexed (a repeat)
   * are skipped. Pinned bytes have no host to ask again and are never evicted.
   */
  addChunk(dir: Direction, t: number, bytes: Uint8Array | undefined, offset?: number, length?: number, pinned = false): void {
    let len = bytes ? bytes.length : (length ?? 0);
    let start = offset ?? this.streamLen[dir];
    const have = this.index.streamEnd(dir);
    if (!(len > 0) || start + len <= have) return;
    if (start < have) {
      bytes = bytes?.subarray(have - start);
      len -= have - start;
      start = have;
    }
    this.index.add(dir, t, start, len);
    if (bytes) this.bytes[dir].write(start, bytes, pinned);
    this.streamLen[dir] = start + len;
    this.version++;
    this.chunksVersion++;
  }

  /**
   * The host's capture dropped every byte of `dir` below `offset` (its ring
   * was full): their messages go, their bytes are freed, and once most of the
   * index is gone it is compacted, so a long live connection stays bounded
   * like the host's capture.
   */
  dropBefore(dir: Direction, offset: number): void {
    const s = this.bytes[dir];
    if (offset <= s.goneBelow) return;
    s.dropBelow(offset);
    const kept = this.messages.filter((m) => m.dir !== dir || m.range.end > offset || m.kind === 'dropped');
    if (kept.length !== this.messages.length) {
      this.messages = [];
      this.messageIndex.clear();
      this.upsertMessages(kept);
    }
    const gone = chunksBelow(this.index, 'c2s', this.bytes.c2s.goneBelow) + chunksBelow(this.index, 's2c', this.bytes.s2c.goneBelow);
    if (gone > 1024 && gone * 2 > this.index.count) {
      this.index = withoutDropped(this.index, { c2s: this.bytes.c2s.goneBelow, s2c: this.bytes.s2c.goneBelow });
      this.chunksVersion++;
    }
    this.version++;
  }

  upsertMessages(messages: DissectedMessage[]): void {
    for (const m of messages) {
      const at = this.messageIndex.get(m.id);
      if (at === undefined) {
        this.messageIndex.set(m.id, this.messages.length);
        this.messages.push(m);
      } else this.messages[at] = m;
    }
    this.byDirDirty = true;
    this.version++;
    this.messagesVersion++;
  }

  /** The index in `messages` of the message with this id, or -1. */
  indexOfMessage(id: number): number {
    return this.messageIndex.get(id) ?? -1;
  }

  messagesOf(dir: Direction): DissectedMessage[] {
    if (this.byDirDirty) {
      this.byDir = { c2s: [], s2c: [] };
      for (const m of this.messages) this.byDir[m.dir].push(m);
      this.byDir.c2s.sort((a, b) => a.range.start - b.range.start);
      this.byDir.s2c.sort((a, b) => a.range.start - b.range.start);
      this.byDirDirty = false;
    }
    return this.byDir[dir];
  }

  /** Index of the chunk holding the hex row `row` (-1 past the end). */
  chunkOfRow(row: number): number {
    return this.index.chunkOfRow(row);
  }

  /** The global hex row showing byte `offset` of direction `dir`, or -1. */
  rowOf(dir: Direction, offset: number): number {
    return this.index.rowOf(dir, offset);
  }

  /**
   * Makes sure bytes [start, end) of a direction will be held: asks the host
   * for the pages that are missing. True when they are all held now.
   */
  want(dir: Direction, start: number, end: number): boolean {
    const s = this.bytes[dir];
    end = Math.min(end, this.streamLen[dir]);
    if (start >= end) return true;
    s.touch(start, end);
    if (!this.request) return s.missing(start, end, this.streamLen[dir]).length === 0;
    const now = performance.now();
    const ask = s.missing(start, end, this.streamLen[dir], now);
    for (const r of ask) this.request(this.info.connectionId, dir, r.start, r.end);
    return ask.length === 0 && s.missing(start, end, this.streamLen[dir]).length === 0;
  }

  /** The host's answer to a request for bytes (see StreamBytes.answer). */
  answer(dir: Direction, start: number, end: number, offset: number, bytes: Uint8Array): void {
    this.bytes[dir].answer(start, end, offset, bytes);
    this.version++;
  }

  /**
   * Bytes [start, end) of one direction as far as they are held without a gap
   * (shorter than asked while the rest is on its way from the host; the
   * capture's version changes when it arrives).
   */
  slice(dir: Direction, start: number, end: number): Uint8Array {
    end = Math.min(end, this.streamLen[dir]);
    if (end <= start) return new Uint8Array(0);
    this.want(dir, start, end);
    const out = new Uint8Array(end - start);
    const got = this.bytes[dir].read(start, out);
    return got === out.length ? out : out.subarray(0, got);
  }

  /** Frees the bytes held (the capture left the UI). */
  release(): void {
    this.bytes.c2s.release();
    this.bytes.s2c.release();
  }
}

type Listener = (connectionId: string | null) => void;

export interface StoreOptions {
  /** Asks the host for bytes the UI does not hold (absent: no host, every byte is pinned). */
  requestBytes?: RequestBytes;
  /** The bytes held across all connections. Default: ByteCache's default budget. */
  cache?: ByteCache;
}

export class Store {
  readonly connections = new Map<string, ConnCapture>();
  /** Connection ids in open order. */
  order: string[] = [];
  readonly cache: ByteCache;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly options: StoreOptions = {}) {
    this.cache = options.cache ?? new ByteCache();
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(connectionId: string | null): void {
    for (const fn of this.listeners) fn(connectionId);
  }

  private create(info: ConnectionInfo): ConnCapture {
    return new ConnCapture(info, this.cache, this.options.requestBytes);
  }

  open(info: ConnectionInfo): ConnCapture {
    let c = this.connections.get(info.connectionId);
    if (c) {
      c.info = { ...c.info, ...info };
    } else {
      c = this.create(info);
      this.connections.set(info.connectionId, c);
      this.order.push(info.connectionId);
    }
    this.changed(info.connectionId);
    return c;
  }

  get(id: string): ConnCapture | undefined {
    return this.connections.get(id);
  }

  /** Returns the capture, creating a placeholder when a chunk arrives before its open event. */
  ensure(id: string): ConnCapture {
    return (
      this.connections.get(id) ??
      this.open({ connectionId: id, side: 'client', protocol: 'raw', label: id, remote: '', t: 0, wallTime: Date.now() })
    );
  }

  addChunks(id: string, chunks: ChunkView[]): void {
    const c = this.ensure(id);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes === undefined ? undefined : fromBase64(ch.bytes), ch.offset, ch.length);
    this.changed(id);
  }

  snapshot(id: string, chunks: ChunkView[], messages: DissectedMessage[]): void {
    const old = this.ensure(id);
    const c = this.create(old.info);
    c.http = old.http;
    c.ws = old.ws;
    old.release();
    this.connections.set(id, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes === undefined ? undefined : fromBase64(ch.bytes), ch.offset, ch.length);
    c.upsertMessages(messages);
    this.changed(id);
  }

  /** The host's answer to a byte request; ignored when the connection is gone. */
  receiveBytes(id: string, dir: Direction, start: number, end: number, offset: number, bytes: Base64): void {
    const c = this.connections.get(id);
    if (!c) return;
    c.answer(dir, start, end, offset, fromBase64(bytes));
    this.changed(id);
  }

  /** The host's capture dropped the oldest bytes of a connection. */
  dropped(id: string, dir: Direction, before: number): void {
    const c = this.connections.get(id);
    if (!c) return;
    c.dropBefore(dir, before);
    this.changed(id);
  }

  /** The host reconnected: requests it had not answered are lost, so they may be asked again at once. */
  forgetRequests(): void {
    for (const c of this.connections.values()) {
      c.bytes.c2s.forgetAsked();
      c.bytes.s2c.forgetAsked();
    }
  }

  /** Loads a capture whose bytes are already decoded and have no host behind them (fixtures, benchmarks). */
  load(info: ConnectionInfo, chunks: { dir: Direction; t: number; bytes: Uint8Array }[], messages: DissectedMessage[]): ConnCapture {
    const c = new ConnCapture(info, this.cache);
    const old = this.connections.get(info.connectionId);
    if (old) old.release();
    else this.order.push(info.connectionId);
    this.connections.set(info.connectionId, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes, undefined, undefined, true);
    c.upsertMessages(messages);
    this.changed(info.connectionId);
    return c;
  }

  clear(): void {
    for (const c of this.connections.values()) c.release();
    this.connections.clear();
    this.order = [];
    this.changed(null);
  }
}
