// The capture of one leg of a proxied connection: the open / chunk / switch /
// close events the capture store records, and the stream offsets of each
// direction (so exchange records and 'switch' events can name byte positions).
// Counting happens whether anyone listens or not; payloads are only built when
// someone does.
import type { Socket } from 'node:net';
import type { CaptureEvents, ConnectionRole, ConnectionSide, Direction, WireProtocol } from '../capture/types.js';
import type { CaptureSink } from './capture-queue.js';

export class LegTap {
  /** Bytes seen so far in each direction: the offset of the next one. */
  c2s = 0;
  s2c = 0;
  private opened = false;
  private closed = false;
  private batching = false;
  /** While batching: the pieces so far, joined (one view), and their direction. No object per piece. */
  private pendingBytes: Buffer | null = null;
  private pendingDir: Direction = 'c2s';

  constructor(
    private readonly capture: CaptureSink,
    readonly id: string,
    private readonly side: ConnectionSide,
    private readonly role: ConnectionRole,
    private readonly linkedConnectionId?: string,
  ) {}

  open(socket: Socket, tls: boolean): void {
    this.opened = true;
    if (!this.capture.hasListeners('open')) return;
    const e: CaptureEvents['open'] = {
      connectionId: this.id,
      side: this.side,
      protocol: 'http',
      tls,
      local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      remote: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      t: performance.now(),
      wallTime: Date.now(),
      role: this.role,
    };
    if (this.linkedConnectionId !== undefined) e.linkedConnectionId = this.linkedConnectionId;
    this.capture.emit('open', e);
  }

  /**
   * Bytes read from or written to this leg's socket. `t`: when they were read, if the caller has
   * already taken the time (a read's handler does); else now.
   */
  chunk(dir: Direction, bytes: Buffer, t?: number): void {
    if (dir === 'c2s') this.c2s += bytes.length;
    else this.s2c += bytes.length;
    if (!this.opened || !this.capture.hasListeners('chunk')) return;
    if (this.batching) {
      const p = this.pendingBytes;
      // Pieces written one after the other from one read chunk (a head, then its body) are one view.
      if (p !== null && this.pendingDir === dir && p.buffer === bytes.buffer && p.byteOffset + p.length === bytes.byteOffset) {
        this.pendingBytes = Buffer.from(p.buffer, p.byteOffset, p.length + bytes.length);
        return;
      }
      this.flushKeepBatch();
      this.pendingBytes = bytes;
      this.pendingDir = dir;
      return;
    }
    this.capture.emit('chunk', { connectionId: this.id, dir, t: t ?? performance.now(), bytes });
  }

  /** Bytes handed to chunk() that are not in the capture's queue yet (a batch in progress). */
  get holdsBytes(): boolean {
    return this.pendingBytes !== null;
  }

  /** Until flush(), contiguous pieces of one buffer are recorded as one chunk (the proxy writes a message in parts). */
  batch(): void {
    this.batching = true;
  }

  flush(): void {
    this.batching = false;
    this.flushKeepBatch();
  }

  /** Emits what is pending (so events stay in byte order), batching or not. */
  private flushKeepBatch(): void {
    const bytes = this.pendingBytes;
    if (bytes === null) return;
    this.pendingBytes = null;
    this.capture.emit('chunk', { connectionId: this.id, dir: this.pendingDir, t: performance.now(), bytes });
  }

  switchProtocol(protocol: WireProtocol, c2sOffset: number, s2cOffset: number, extensions: string | undefined): void {
    this.flushKeepBatch();
    if (!this.opened || !this.capture.hasListeners('switch')) return;
    const e: CaptureEvents['switch'] = { connectionId: this.id, t: performance.now(), protocol, c2sOffset, s2cOffset };
    if (extensions) e.extensions = extensions;
    this.capture.emit('switch', e);
  }

  close(reason?: string): void {
    this.flush();
    if (!this.opened || this.closed) return;
    this.closed = true;
    if (!this.capture.hasListeners('close')) return;
    const e: CaptureEvents['close'] = { connectionId: this.id, t: performance.now() };
    if (reason) e.reason = reason;
    this.capture.emit('close', e);
  }
}
