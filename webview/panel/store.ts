// The UI's model of what the host told it: connections, their chunks (both
// directions in arrival order), their dissected messages, HTTP results and
// WebSocket logs. Views read it and redraw on 'change'.
import type { DissectedMessage } from '../../server-core/capture/dissection-types.js';
import type { Direction } from '../../server-core/capture/types.js';
import type { ChunkView, ConnectionInfo, HttpResponseView, HttpRequestSpec, TimingBreakdown } from '../protocol.js';
import { fromBase64 } from './bytes-util.js';

export interface StoredChunk {
  dir: Direction;
  t: number;
  bytes: Uint8Array;
  /** Offset of bytes[0] in its direction's stream. */
  streamStart: number;
}

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

export class ConnCapture {
  chunks: StoredChunk[] = [];
  /** Prefix sums of hex rows (16 bytes a row) per chunk, for the virtualised bytes view. */
  rowStarts: number[] = [0];
  streamLen: Record<Direction, number> = { c2s: 0, s2c: 0 };
  /** Chunk indexes per direction, in stream order. */
  chunksByDir: Record<Direction, number[]> = { c2s: [], s2c: [] };
  messages: DissectedMessage[] = [];
  private readonly messageIndex = new Map<number, number>();
  byDir: Record<Direction, DissectedMessage[]> = { c2s: [], s2c: [] };
  private byDirDirty = false;
  http: HttpExchange[] = [];
  ws: WsLogEntry[] = [];
  version = 0;

  constructor(public info: ConnectionInfo) {}

  get rowCount(): number {
    return this.rowStarts[this.rowStarts.length - 1];
  }

  addChunk(dir: Direction, t: number, bytes: Uint8Array, offset?: number): void {
    if (bytes.length === 0) return;
    const idx = this.chunks.length;
    const streamStart = offset ?? this.streamLen[dir];
    this.chunks.push({ dir, t, bytes, streamStart });
    this.streamLen[dir] = streamStart + bytes.length;
    this.chunksByDir[dir].push(idx);
    this.rowStarts.push(this.rowCount + Math.ceil(bytes.length / 16));
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

  /** Index of the chunk holding the hex row `row`. */
  chunkOfRow(row: number): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rowStarts[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The global hex row showing byte `offset` of direction `dir`, or -1. */
  rowOf(dir: Direction, offset: number): number {
    const list = this.chunksByDir[dir];
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[list[mid]];
      if (offset < c.streamStart) hi = mid - 1;
      else if (offset >= c.streamStart + c.bytes.length) lo = mid + 1;
      else return this.rowStarts[list[mid]] + Math.floor((offset - c.streamStart) / 16);
    }
    return -1;
  }

  /** Bytes [start, end) of one direction's stream (copied across chunks). */
  slice(dir: Direction, start: number, end: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, end - start));
    for (const idx of this.chunksByDir[dir]) {
      const c = this.chunks[idx];
      const cEnd = c.streamStart + c.bytes.length;
      if (cEnd <= start) continue;
      if (c.streamStart >= end) break;
      const from = Math.max(start, c.streamStart);
      const to = Math.min(end, cEnd);
      out.set(c.bytes.subarray(from - c.streamStart, to - c.streamStart), from - start);
    }
    return out;
  }
}

type Listener = (connectionId: string | null) => void;

export class Store {
  readonly connections = new Map<string, ConnCapture>();
  /** Connection ids in open order. */
  order: string[] = [];
  private readonly listeners = new Set<Listener>();

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(connectionId: string | null): void {
    for (const fn of this.listeners) fn(connectionId);
  }

  open(info: ConnectionInfo): ConnCapture {
    let c = this.connections.get(info.connectionId);
    if (c) {
      c.info = { ...c.info, ...info };
    } else {
      c = new ConnCapture(info);
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
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, fromBase64(ch.bytes), ch.offset);
    this.changed(id);
  }

  snapshot(id: string, chunks: ChunkView[], messages: DissectedMessage[]): void {
    const old = this.ensure(id);
    const c = new ConnCapture(old.info);
    c.http = old.http;
    c.ws = old.ws;
    this.connections.set(id, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, fromBase64(ch.bytes), ch.offset);
    c.upsertMessages(messages);
    this.changed(id);
  }

  /** Loads a capture whose bytes are already decoded (fixtures, benchmarks). */
  load(info: ConnectionInfo, chunks: { dir: Direction; t: number; bytes: Uint8Array }[], messages: DissectedMessage[]): ConnCapture {
    const c = new ConnCapture(info);
    if (!this.connections.has(info.connectionId)) this.order.push(info.connectionId);
    this.connections.set(info.connectionId, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes);
    c.upsertMessages(messages);
    this.changed(info.connectionId);
    return c;
  }

  clear(): void {
    this.connections.clear();
    this.order = [];
    this.changed(null);
  }
}
