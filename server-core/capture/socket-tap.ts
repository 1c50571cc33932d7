// The one socket tap: how a connection whose bytes are written by someone else
// still reaches the capture, byte for byte.
//
// API (small on purpose; the server's upgrade hand-off, the client transports
// and the playground use the same three pieces):
//
//   observeWrites(socket, seen)
//     Wraps socket.write and socket.end so every byte handed to them is passed
//     to `seen` (strings encoded as the writer asked, no copy of Buffers), then
//     written as before. For sockets whose owner writes directly (a WebSocket
//     connection after an upgrade, the WebSocket client's handshake).
//
//   new ClientCapture(capture, connectionId)
//     One client-side connection as the capture sees it: `open(socket, …)`
//     emits the open event with the socket's endpoints, `chunk(dir, bytes)`
//     reports bytes (bytes written before the open are held and follow it, as
//     a handshake written before the socket connects), `switchProtocol(…)`
//     marks an upgrade, `close(reason?)` ends it (only once, only if opened).
//     TcpConnection calls these itself around its own reads and writes.
//
//   tapClientSocket(socket, tap, { protocol, tls, reason? })
//     For a client socket written by someone else: opens `tap` on 'connect'
//     ('secureConnect' under TLS), reports every write c2s and every read s2c,
//     and closes `tap` on 'close' (with `reason()` if given). Written bytes
//     are copied (the writer may reuse its buffer); read ones are not (Node
//     never reuses a chunk it handed out). ws-session.ts uses it around the
//     WebSocket client's socket.
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Emitter } from '../util/emitter.js';
import type { CaptureEvents, Direction, Endpoint, WireProtocol } from './types.js';

type WriteFn = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
type EndFn = (chunk?: unknown, encoding?: unknown, cb?: unknown) => unknown;

/** The bytes of a write() argument: Buffers as they are, strings in the writer's encoding, other views without a copy. */
export function writtenBytes(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/** Reports every non-empty write (and end(chunk)) on `socket` to `seen` before it goes out. */
export function observeWrites(socket: Socket | Duplex, seen: (bytes: Buffer) => void): void {
  const write = socket.write as unknown as WriteFn;
  const end = socket.end as unknown as EndFn;
  const report = (chunk: unknown, encoding: unknown) => {
    const bytes = writtenBytes(chunk, encoding);
    if (bytes && bytes.length > 0) seen(bytes);
  };
  (socket as unknown as { write: WriteFn }).write = function (this: Socket, chunk, encoding, cb) {
    report(chunk, encoding);
    return write.call(this, chunk, encoding, cb);
  };
  (socket as unknown as { end: EndFn }).end = function (this: Socket, chunk, encoding, cb) {
    if (chunk !== undefined && typeof chunk !== 'function') report(chunk, encoding);
    return end.call(this, chunk, encoding, cb);
  };
}

/** One client-side connection in the capture (side 'client': c2s is what we write, s2c what we read). */
export class ClientCapture {
  private openedValue = false;
  private closedValue = false;
  private held: Buffer[] = [];

  constructor(
    private readonly capture: Emitter<CaptureEvents> | undefined,
    readonly connectionId: string,
  ) {}

  get opened(): boolean {
    return this.openedValue;
  }

  /**
   * Emits the open event with the socket's endpoints (or the ones given), then the bytes written
   * before it. `previousConnectionId`: the connection this one reconnects (ConnectionOpened).
   */
  open(socket: Socket, protocol: WireProtocol, tls: boolean, endpoints?: { local: Endpoint; remote: Endpoint }, previousConnectionId?: string): void {
    if (this.openedValue) return;
    this.openedValue = true;
    this.capture?.emit('open', {
      connectionId: this.connectionId,
      side: 'client',
      protocol,
      tls,
      local: endpoints?.local ?? { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
      remote: endpoints?.remote ?? { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
      t: performance.now(),
      wallTime: Date.now(),
      ...(previousConnectionId !== undefined ? { previousConnectionId } : {}),
    });
    const held = this.held;
    this.held = [];
    for (const bytes of held) this.chunk('c2s', bytes);
  }

  /** Reports bytes; before the open they are held (and only c2s bytes can come that early). */
  chunk(dir: Direction, bytes: Buffer): void {
    if (!this.openedValue) {
      if (this.capture) this.held.push(bytes);
      return;
    }
    const capture = this.capture;
    if (capture?.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.connectionId, dir, t: performance.now(), bytes });
  }

  /** The connection switched protocols (an HTTP upgrade) at these byte offsets. */
  switchProtocol(protocol: WireProtocol, c2sOffset: number, s2cOffset: number, extensions?: string): void {
    this.capture?.emit('switch', {
      connectionId: this.connectionId,
      t: performance.now(),
      protocol,
      c2sOffset,
      s2cOffset,
      ...(extensions ? { extensions } : {}),
    });
  }

  /** Emits the close event once, when the connection had opened. */
  close(reason?: string): void {
    if (!this.openedValue || this.closedValue) return;
    this.closedValue = true;
    this.capture?.emit('close', { connectionId: this.connectionId, t: performance.now(), ...(reason !== undefined ? { reason } : {}) });
  }
}

export interface ClientSocketTapOptions {
  /** What the capture labels the connection as at open ('http' for a WebSocket handshake). */
  protocol: WireProtocol;
  tls: boolean;
  /** Read when the socket closes: why, for the close event. */
  reason?: () => string | undefined;
}

/** Opens `tap` when `socket` connects, reports its writes and reads, closes `tap` when it closes. */
export function tapClientSocket(socket: Socket, tap: ClientCapture, options: ClientSocketTapOptions): void {
  socket.once(options.tls ? 'secureConnect' : 'connect', () => tap.open(socket, options.protocol, options.tls));
  // A copy: the writer may reuse its buffer once write() returns (raw bytes from the composer).
  observeWrites(socket, (bytes) => tap.chunk('c2s', Buffer.from(bytes)));
  socket.on('data', (bytes: Buffer) => tap.chunk('s2c', bytes));
  socket.once('close', () => tap.close(options.reason?.()));
}
