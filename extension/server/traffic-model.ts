// The sidebar's picture of the server's traffic: connections (open and recently
// closed) and one row per HTTP exchange or WebSocket session. Fed by the
// server's capture and exchange events; bounded (oldest rows dropped first) so
// a long session stays small. No vscode here (unit-tested with plain events).
import { Emitter, dropOldest, type CaptureChunk, type ConnectionClosed, type ConnectionOpened, type ProtocolSwitched, type Disposable, type ConnectionRow, type TrafficRow } from '../../server-core/index.js';
import type { ExchangeInfo } from './server-api.js';

export interface TrafficModelOptions {
  /** Most connection rows kept (open ones are never dropped); past it the oldest closed sixteenth goes at once. */
  maxConnections?: number;
  /** Most traffic rows kept; past it the oldest sixteenth goes at once (util/drop-oldest.ts). */
  maxTraffic?: number;
  now?: () => number;
  /** Where a failing change listener is reported (it never breaks the model). */
  onListenerError?: (err: unknown) => void;
}

interface ConnState {
  row: ConnectionRow;
  /** performance.now() timebase of the open, to turn capture times into wall times. */
  openedT: number;
  exchanges: number;
  /**
   * The indexes of this connection's rows that exchange() must find again rather than add (the WebSocket
   * session's, and rows proxied() made), so that a plain exchange's row is added without a lookup.
   */
  known?: Set<number>;
  wsRow?: TrafficRow;
  /** Where each direction's frames stand, from the switch on (countFrames). */
  frames?: { c2s: FrameCursor; s2c: FrameCursor };
  /** The target of the last request line seen at the start of a client chunk (names a WebSocket session). */
  lastTarget?: string;
}

/** How far into a chunk a request line is looked for. */
const REQUEST_LINE_MAX = 2048;
const HTTP_1 = Buffer.from(' HTTP/1.', 'latin1');

/**
 * The target of the request line a chunk starts with (`METHOD SP target SP HTTP/1.0|1 CRLF`, within its
 * first 2 KiB; a bare LF is taken too), else undefined. Read from the bytes: only the target becomes a
 * string (this runs for every request the server reads).
 */
export function requestTarget(bytes: Buffer): string | undefined {
  const end = Math.min(bytes.length, REQUEST_LINE_MAX);
  let i = 0;
  while (i < end && bytes[i] >= 0x41 && bytes[i] <= 0x5a) i++;
  if (i === 0 || i >= end || bytes[i] !== 0x20) return undefined;
  const start = ++i;
  // The target: no whitespace (as /\S/ reads latin1: SP, HTAB, LF, VT, FF, CR, NBSP), at least one byte.
  while (i < end && bytes[i] !== 0x20 && bytes[i] !== 0xa0 && !(bytes[i] >= 0x09 && bytes[i] <= 0x0d)) i++;
  if (i === start || i + HTTP_1.length + 2 > end) return undefined;
  const stop = i;
  for (let k = 0; k < HTTP_1.length; k++) if (bytes[i + k] !== HTTP_1[k]) return undefined;
  i += HTTP_1.length;
  if (bytes[i] !== 0x30 && bytes[i] !== 0x31) return undefined;
  i++;
  if (bytes[i] === 0x0d) i++;
  if (i >= end || bytes[i] !== 0x0a) return undefined;
  return bytes.toString('latin1', start, stop);
}

export class TrafficModel {
  private readonly conns = new Map<string, ConnState>();
  private readonly traffic = new Map<string, TrafficRow>();
  private readonly maxConnections: number;
  private readonly maxTraffic: number;
  private readonly now: () => number;
  private openCount = 0;
  private totalConnections = 0;
  private totalTraffic = 0;
  private readonly emitter: Emitter<{ change: 'connections' | 'traffic' }>;
  readonly onChange: (listener: (what: 'connections' | 'traffic') => void) => Disposable;

  constructor(options: TrafficModelOptions = {}) {
    this.maxConnections = options.maxConnections ?? 2000;
    this.maxTraffic = options.maxTraffic ?? 5000;
    this.now = options.now ?? Date.now;
    this.emitter = new Emitter(options.onListenerError ?? (() => undefined));
    this.onChange = (listener) => this.emitter.on('change', listener);
  }

  get open(): number {
    return this.openCount;
  }

  opened(e: ConnectionOpened): void {
    const row: ConnectionRow = {
      id: e.connectionId,
      protocol: e.protocol,
      peer: `${e.remote.address}:${e.remote.port}`,
      openedAt: e.wallTime,
      bytesIn: 0,
      bytesOut: 0,
      ...(e.role ? { role: e.role } : {}),
      ...(e.linkedConnectionId ? { linkedConnectionId: e.linkedConnectionId } : {}),
    };
    this.conns.set(e.connectionId, { row, openedT: e.t, exchanges: 0 });
    this.openCount++;
    this.totalConnections++;
    this.trimConnections();
    this.emitter.emit('change', 'connections');
  }

  chunk(e: CaptureChunk): void {
    const c = this.conns.get(e.connectionId);
    if (!c) return;
    if (e.dir === 'c2s') c.row.bytesIn += e.bytes.length;
    else c.row.bytesOut += e.bytes.length;
    if (c.wsRow && c.frames) c.wsRow.messages = (c.wsRow.messages ?? 0) + countFrames(c.frames[e.dir], e.bytes);
    else if (e.dir === 'c2s') {
      const target = requestTarget(e.bytes);
      if (target !== undefined) c.lastTarget = target;
    }
    this.emitter.emit('change', 'connections');
  }

  switched(e: ProtocolSwitched): void {
    const c = this.conns.get(e.connectionId);
    if (!c) return;
    c.row.protocol = e.protocol;
    // A proxy ↔ target leg's session is the client leg's row (the proxy reports it there), not a second one.
    if (e.protocol === 'ws' && c.row.role !== 'proxy-upstream') {
      // The upgrade request becomes the session's row: the last row when it is the logged 101 or
      // still in flight (the proxy's row of the upgrade), else a new one (Wireplay's server logs the
      // upgrade after the switch; exchange() then adds its route). A finished exchange before it on a
      // keep-alive connection stays as it was.
      const prev = this.traffic.get(`${e.connectionId}#${c.exchanges}`);
      const last = prev && (prev.status === 101 || prev.status === undefined) ? prev : undefined;
      const row: TrafficRow = last ?? {
        id: `${e.connectionId}#${++c.exchanges}`,
        connectionId: e.connectionId,
        kind: 'ws',
        method: 'WS',
        target: c.lastTarget ?? '',
        startedAt: this.now(),
        done: false,
      };
      row.kind = 'ws';
      row.method = 'WS';
      row.status = 101;
      row.messages = 0;
      row.done = false;
      c.wsRow = row;
      (c.known ??= new Set()).add(Number(row.id.slice(row.id.lastIndexOf('#') + 1)));
      // Frames start at the switch's offsets: bytes of the handshake that arrive after the event are skipped.
      c.frames = { c2s: { skip: Math.max(0, e.c2sOffset - c.row.bytesIn) }, s2c: { skip: Math.max(0, e.s2cOffset - c.row.bytesOut) } };
      if (!last) this.addTraffic(row);
    }
    this.emitter.emit('change', 'connections');
    this.emitter.emit('change', 'traffic');
  }

  closed(e: ConnectionClosed): void {
    const c = this.conns.get(e.connectionId);
    if (!c || c.row.closedAt !== undefined) return;
    c.row.closedAt = c.row.openedAt + Math.max(0, e.t - c.openedT);
    this.openCount--;
    if (c.wsRow) {
      c.wsRow.done = true;
      c.wsRow.durationMs = c.row.closedAt - c.wsRow.startedAt;
    }
    this.trimConnections();
    this.emitter.emit('change', 'connections');
    if (c.wsRow) this.emitter.emit('change', 'traffic');
  }

  exchange(e: ExchangeInfo): void {
    const c = this.conns.get(e.connectionId);
    if (c) c.exchanges = Math.max(c.exchanges, e.index);
    const id = `${e.connectionId}#${e.index}`;
    // A connection still listed knows which of its rows exist already: none, for a plain exchange.
    const fresh = c !== undefined && c.known?.has(e.index) !== true;
    const existing = fresh ? undefined : this.traffic.get(id);
    if (existing?.kind === 'ws') {
      // The upgrade's request event comes after the switch made its session row: it only adds the route.
      if (e.route) {
        existing.routeKind = e.route.kind;
        existing.routePattern = e.route.pattern;
        this.emitter.emit('change', 'traffic');
      }
      return;
    }
    const row: TrafficRow = {
      id,
      connectionId: e.connectionId,
      kind: 'http',
      method: e.method,
      target: e.target,
      status: e.status,
      startedAt: this.now() - e.durationMs,
      durationMs: e.durationMs,
      done: true,
    };
    if (e.route) {
      row.routeKind = e.route.kind;
      row.routePattern = e.route.pattern;
    }
    this.addTraffic(row, fresh);
    this.emitter.emit('change', 'traffic');
  }

  /**
   * A row of an exchange through the recording proxy (`connectionId#index` on its client leg),
   * added or updated in place. A row that became a WebSocket session (its 101 arrived first)
   * stays one: only the proxy's details and the status are taken.
   */
  proxied(row: TrafficRow): void {
    const c = this.conns.get(row.connectionId);
    const index = Number(row.id.slice(row.id.lastIndexOf('#') + 1));
    if (c && Number.isInteger(index)) {
      c.exchanges = Math.max(c.exchanges, index);
      (c.known ??= new Set()).add(index);
    }
    const existing = this.traffic.get(row.id);
    if (existing?.kind === 'ws') {
      existing.proxy = row.proxy;
      if (row.status !== undefined) existing.status = row.status;
    } else if (existing) Object.assign(existing, row);
    else this.addTraffic({ ...row });
    this.emitter.emit('change', 'traffic');
  }

  connectionRows(): ConnectionRow[] {
    return [...this.conns.values()].map((c) => c.row);
  }

  trafficRows(): TrafficRow[] {
    return [...this.traffic.values()];
  }

  totals(): { connections: number; traffic: number } {
    return { connections: this.totalConnections, traffic: this.totalTraffic };
  }

  trafficById(id: string): TrafficRow | undefined {
    return this.traffic.get(id);
  }

  clear(): void {
    for (const [id, c] of this.conns) if (c.row.closedAt !== undefined) this.conns.delete(id);
    this.traffic.clear();
    this.totalConnections = this.conns.size;
    this.totalTraffic = 0;
    this.emitter.emit('change', 'connections');
    this.emitter.emit('change', 'traffic');
  }

  /**
   * Marks every open connection closed (the server stopped: the proxy's legs, which have a `role`,
   * are not the server's and stay as they are), or those `which` selects.
   */
  closeAll(which: (row: ConnectionRow) => boolean = (row) => row.role === undefined): void {
    const t = this.now();
    for (const c of this.conns.values()) {
      if (c.row.closedAt === undefined && which(c.row)) {
        c.row.closedAt = t;
        if (c.wsRow) c.wsRow.done = true;
        this.openCount--;
      }
    }
    this.emitter.emit('change', 'connections');
    this.emitter.emit('change', 'traffic');
  }

  /** `fresh`: no row has this id (nothing to delete first: one hash lookup less). */
  private addTraffic(row: TrafficRow, fresh = false): void {
    if (!fresh) this.traffic.delete(row.id);
    this.traffic.set(row.id, row);
    this.totalTraffic++;
    dropOldest(this.traffic, this.maxTraffic);
  }

  private trimConnections(): void {
    dropOldest(this.conns, this.maxConnections, (c) => c.row.closedAt !== undefined);
  }
}

/** Where a direction's WebSocket frames stand between two chunks. */
interface FrameCursor {
  /** Bytes of the current frame (or of the handshake) still to come before the next frame's header. */
  skip: number;
  /** The first bytes of a frame header that a chunk ended in (at most 13). */
  head?: Buffer;
}

/**
 * The WebSocket frames whose header starts in this chunk, following the frames across chunks (a header
 * split between two chunks, a 64 KiB payload over several reads): exact for every byte of the direction,
 * and only the headers are read, never the payload bytes. (A per-chunk guess read payload bytes as headers:
 * a 64 KiB message counted hundreds of frames, and the loop over them was a visible share of the CPU.)
 */
export function countFrames(cur: FrameCursor, chunk: Buffer): number {
  let bytes = chunk;
  let i = 0;
  if (cur.skip > 0) {
    i = Math.min(cur.skip, bytes.length);
    cur.skip -= i;
  }
  if (cur.head && i < bytes.length) {
    bytes = Buffer.concat([cur.head, bytes.subarray(i)]);
    i = 0;
    cur.head = undefined;
  }
  let n = 0;
  while (i < bytes.length) {
    const avail = bytes.length - i;
    if (avail < 2) break;
    const b1 = bytes[i + 1];
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (avail < 4) break;
      len = bytes.readUInt16BE(i + 2);
      head = 4;
    } else if (len === 127) {
      if (avail < 10) break;
      len = Number(bytes.readBigUInt64BE(i + 2));
      head = 10;
    }
    if (b1 & 0x80) head += 4;
    n++;
    const total = head + len;
    if (total > avail) {
      cur.skip = total - avail;
      return n;
    }
    i += total;
  }
  if (i < bytes.length) cur.head = Buffer.from(bytes.subarray(i));
  return n;
}
