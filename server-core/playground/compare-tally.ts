// What one way of "Compare the three" put on the wire, counted from its own
// capture: a capture emitter that keeps every open, chunk and protocol switch
// of the way's connections (passing each on to an outer emitter, so the
// playground's capture shows them too), then reads the totals back with the
// capture's dissector. Nothing here is estimated: the bytes are the socket's,
// and the framing is what the dissector finds in them (HTTP heads, the
// WebSocket handshake, WebSocket frame headers).
import { dissectEntries } from '../capture/dissector.js';
import type { CaptureEvents, Direction, ProtocolSwitched, WireProtocol } from '../capture/types.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';

interface TalliedConnection {
  id: string;
  protocol: WireProtocol;
  chunks: { kind: 'data'; dir: Direction; t: number; bytes: Buffer }[];
  switches: ProtocolSwitched[];
  bytes: Record<Direction, number>;
}

export interface WireTotals {
  connections: number;
  connectionIds: string[];
  /** HTTP requests in the client's bytes (a WebSocket handshake is one). */
  requests: number;
  bytesC2s: number;
  bytesS2c: number;
  /** HTTP heads plus WebSocket frame headers. */
  headerBytes: number;
}

export class WireTally implements Disposable {
  /** Give this to the senders and sessions as their `capture`. */
  readonly emitter = new Emitter<CaptureEvents>();
  private readonly conns = new Map<string, TalliedConnection>();
  private readonly subs = new DisposableStore();

  constructor(outer?: Emitter<CaptureEvents>) {
    this.subs.add(
      this.emitter.on('open', (e) => {
        this.conns.set(e.connectionId, { id: e.connectionId, protocol: e.protocol, chunks: [], switches: [], bytes: { c2s: 0, s2c: 0 } });
        outer?.emit('open', e);
      }),
    );
    this.subs.add(
      this.emitter.on('chunk', (e) => {
        const c = this.conns.get(e.connectionId);
        if (c) {
          // The emitter's contract: bytes are never modified after the emit, so they are kept as they are.
          c.chunks.push({ kind: 'data', dir: e.dir, t: e.t, bytes: e.bytes });
          c.bytes[e.dir] += e.bytes.length;
        }
        outer?.emit('chunk', e);
      }),
    );
    this.subs.add(
      this.emitter.on('switch', (e) => {
        this.conns.get(e.connectionId)?.switches.push(e);
        outer?.emit('switch', e);
      }),
    );
    this.subs.add(this.emitter.on('close', (e) => outer?.emit('close', e)));
    this.subs.add(this.emitter.on('pipeline', (e) => outer?.emit('pipeline', e)));
  }

  /** The counts so far (call it once the way's connections are done). */
  totals(): WireTotals {
    const t: WireTotals = { connections: this.conns.size, connectionIds: [...this.conns.keys()], requests: 0, bytesC2s: 0, bytesS2c: 0, headerBytes: 0 };
    for (const c of this.conns.values()) {
      t.bytesC2s += c.bytes.c2s;
      t.bytesS2c += c.bytes.s2c;
      for (const m of dissectEntries(c.id, c.protocol, c.chunks, c.switches, {})) {
        if (m.http) {
          t.headerBytes += m.http.headSize;
          if (m.http.kind === 'request') t.requests++;
        } else if (m.ws) {
          t.headerBytes += m.ws.headerLength;
        }
      }
    }
    return t;
  }

  dispose(): void {
    this.subs.dispose();
    this.conns.clear();
  }
}
