// A server connection after its upgrade: the small record that takes the
// HttpConnection's place in the listener's set once the socket belongs to the
// new protocol's owner. It keeps only what the listener, the capture and a
// graceful shutdown still need — id, endpoints, the byte counters, the
// owner's shutdown — so an idle WebSocket connection does not keep the HTTP
// side (reader, response queue, output batcher, their arrays) alive.
//
// It is also the connection's WireTap: the new owner (ws/connection.ts)
// reports every chunk it reads and every buffer it writes here, which counts
// them and hands them to the capture, without wrapping the socket's methods
// or adding a 'data' listener per connection.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Endpoint } from '../capture/types.js';
import type { WireTap } from '../util/wire-tap.js';
import { captureClosed } from './connection-capture.js';
import type { ConnectionContext, ConnectionSnapshot, ListedConnection } from './connection-types.js';

/** The new protocol's owner, told to close when the server shuts down gracefully. */
export interface UpgradeOwner {
  shutdown(): void;
}

/** What the record takes over from the HttpConnection it replaces. */
export interface UpgradedFrom {
  readonly id: string;
  readonly socket: Socket;
  readonly remote: Endpoint;
  readonly openedAt: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly requests: number;
}

export class UpgradedConnection implements ListedConnection, WireTap {
  readonly id: string;
  readonly socket: Socket;
  readonly remote: Endpoint;
  readonly openedAt: number;
  readonly requests: number;
  bytesIn: number;
  bytesOut: number;
  /** Set once the hook accepted (null while it runs, and for a hook without a shutdown). */
  owner: UpgradeOwner | null = null;
  private closed = false;
  private closeReason: string | undefined = undefined;

  constructor(
    from: UpgradedFrom,
    private readonly ctx: ConnectionContext,
  ) {
    this.id = from.id;
    this.socket = from.socket;
    this.remote = from.remote;
    this.openedAt = from.openedAt;
    this.requests = from.requests;
    this.bytesIn = from.bytesIn;
    this.bytesOut = from.bytesOut;
  }

  get local(): Endpoint {
    // Read on demand (snapshots only): one object less per connection.
    return this.ctx.boundLocal ?? { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 };
  }

  snapshot(): ConnectionSnapshot {
    return {
      id: this.id,
      remote: this.remote,
      local: this.local,
      protocol: 'ws',
      openedAt: this.openedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      requests: this.requests,
      state: this.closed ? 'closed' : 'upgraded',
    };
  }

  // ---- WireTap

  read(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    const capture = this.ctx.capture;
    if (!capture.hasListeners('chunk')) return false;
    capture.emit('chunk', { connectionId: this.id, dir: 'c2s', t: performance.now(), bytes: chunk });
    // Shared only when a listener may keep it; listeners that copied it during the call leave it to be unmasked in place.
    return capture.hasKeepingListeners('chunk');
  }

  wrote(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.bytesOut += bytes.length;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 's2c', t: performance.now(), bytes });
  }

  // ---- ListedConnection

  /** The new protocol keeps its own time (the WebSocket close and ping timers). */
  checkTimeouts(): void {}

  shutdown(): void {
    if (!this.closed) this.owner?.shutdown();
  }

  destroy(reason = 'destroyed'): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  // ---- the socket's events (only 'close' is still heard: util/socket-listeners.ts)

  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    captureClosed(this.ctx.capture, this.id, this.closeReason);
    this.ctx.onClosed(this);
  }
  handleData(): void {}
  handleEnd(): void {}
  handleDrain(): void {}
  handleError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.closeReason = code === 'ECONNRESET' ? 'reset' : err.message;
  }
}
