// The sending half of a WebSocket connection (ws/connection.ts builds on it):
// the state both halves share, the events, and everything written to the
// socket — messages (compressed in order when permessage-deflate is on),
// pings and pongs, raw bytes from the frame composer, each frame's header and
// masking — with the output's backpressure: bufferedAmount against the
// high-water mark, 'drain', and on a server the pause of reading while the peer
// does not read its answers (the receiving half resumes it).
import type { Duplex } from 'node:stream';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import type { WireTap } from '../util/wire-tap.js';
import { DEFAULT_MAX_PAYLOAD } from './frame-parser.js';
import { headerSize, writeHeader, randomMaskKey } from './frame-encoder.js';
import { maskCopy } from './mask.js';
import { DeflateCodec, type DeflateParams } from './permessage-deflate.js';
import { WebSocketError, type WebSocketConnectionOptions, type WebSocketHandler } from './types.js';
import type { ConnectionInit, ConnectionState, WebSocketConnectionEvents, WebSocketStats } from './connection-types.js';

const EMPTY = Buffer.alloc(0);
const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
const DEFAULT_CLOSE_TIMEOUT = 5000;
const DEFAULT_PING_TIMEOUT = 10_000;
/** Unmasked payloads at least this big are written after their header (writev) instead of copied into one buffer. */
const COPY_LIMIT = 16 * 1024;

export abstract class ConnectionOutput {
  /** Created on first use: most connections (route handlers) never subscribe. */
  protected emitter: Emitter<WebSocketConnectionEvents> | null = null;
  readonly id: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly role: 'server' | 'client';
  readonly stats: WebSocketStats = { messagesReceived: 0, messagesSent: 0, framesReceived: 0, framesSent: 0, bytesReceived: 0, bytesSent: 0 };
  /** Answer pings automatically; may be switched at any time. */
  autoPong: boolean;

  protected state: ConnectionState = 'connecting';
  protected readonly codec: DeflateCodec | null;
  protected readonly handler: WebSocketHandler | undefined;
  protected readonly maxPayload: number;
  protected readonly highWaterMark: number;
  protected readonly closeTimeout: number;
  protected readonly pingTimeout: number;
  protected readonly mask: boolean;
  protected readonly onCallbackError: WebSocketConnectionOptions['onCallbackError'];
  protected readonly tap: WireTap | null;

  /**
   * Frames held back, handled in order afterwards: they arrived while a message was inflating,
   * or (server) while the output was over its high-water mark. Reading is paused meanwhile.
   */
  protected inbound: (() => void)[] | null = null;
  protected inflating = false;
  /**
   * Server: bufferedAmount reached the high-water mark. The peer is not reading what it asked
   * for (an echo it never reads): no frame is handled and nothing is read until the socket
   * drains, so its answers cannot pile up without bound. A client keeps reading: it shows what
   * the server sends.
   */
  protected outputFull = false;

  // Outgoing order: operations behind a message being compressed.
  /** Made at the first operation that has to wait: most connections never need it. */
  protected outbound: ((done: () => void) => void)[] | null = null;
  protected outboundBusy = false;
  protected queuedBytes = 0;

  protected closeSent = false;
  /** The close frame is on the socket: nothing is written after it. */
  protected closeWritten = false;
  protected closeReceived = false;
  protected closeCode = 1006;
  protected closeReason = '';
  protected failure: Error | undefined;
  protected closeTimer: NodeJS.Timeout | null = null;
  protected pingTimer: NodeJS.Timeout | null = null;
  protected pingIntervalTimer: NodeJS.Timeout | null = null;
  protected needDrain = false;

  constructor(
    readonly socket: Duplex,
    init: ConnectionInit,
  ) {
    const o = init.options;
    this.role = init.role;
    this.id = init.id;
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.handler = init.handler;
    this.mask = init.role === 'client';
    this.autoPong = o.autoPong ?? true;
    this.maxPayload = o.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.highWaterMark = o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.closeTimeout = o.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.pingTimeout = o.pingTimeout ?? DEFAULT_PING_TIMEOUT;
    this.onCallbackError = o.onCallbackError;
    this.tap = init.tap ?? null;
    this.codec = init.deflate ? new DeflateCodec(init.deflate, init.role === 'server', this.maxPayload, o.perMessageDeflate, o.inflationBudget) : null;
  }

  /** True while a message is being inflated or an outgoing one compressed. */
  get busy(): boolean {
    return this.inflating || this.outboundBusy;
  }

  get readyState(): ConnectionState {
    return this.state;
  }

  get bufferedAmount(): number {
    return this.queuedBytes + (this.socket.writableLength ?? 0);
  }

  /** The negotiated permessage-deflate parameters, null when not negotiated. */
  get deflateParams(): DeflateParams | null {
    return this.codec?.params ?? null;
  }

  get events(): Emitter<WebSocketConnectionEvents> {
    return (this.emitter ??= new Emitter<WebSocketConnectionEvents>());
  }

  protected has(event: keyof WebSocketConnectionEvents): boolean {
    return this.emitter !== null && this.emitter.hasListeners(event);
  }

  protected emit<K extends keyof WebSocketConnectionEvents>(event: K, payload: WebSocketConnectionEvents[K]): void {
    if (this.emitter !== null) this.emitter.emit(event, payload);
  }

  on<K extends keyof WebSocketConnectionEvents>(event: K, listener: (payload: WebSocketConnectionEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  // ---------------------------------------------------------------- sending

  send(data: string | Buffer, options?: { binary?: boolean }): boolean {
    let opcode: number;
    let payload: Buffer;
    if (typeof data === 'string') {
      payload = Buffer.from(data, 'utf8');
      opcode = options?.binary ? 2 : 1;
    } else if (Buffer.isBuffer(data)) {
      payload = data;
      opcode = options?.binary === false ? 1 : 2;
    } else if (ArrayBuffer.isView(data as unknown) || (data as unknown) instanceof ArrayBuffer) {
      const bytes = data as unknown as ArrayBufferView | ArrayBuffer;
      payload = ArrayBuffer.isView(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(bytes);
      opcode = options?.binary === false ? 1 : 2;
    } else {
      // A number, an object…: refused here, before any byte is written (JSON.stringify it first).
      throw new TypeError(`send() takes a string or bytes (Buffer, Uint8Array, ArrayBuffer), got ${describe(data)}`);
    }
    if (this.state !== 'open') return false;
    this.stats.messagesSent++;
    if (this.codec && payload.length >= this.codec.threshold) {
      const codec = this.codec;
      const size = payload.length;
      this.queuedBytes += size;
      this.enqueue((done) => {
        codec.compress(payload, (err, out) => {
          this.queuedBytes -= size;
          if (!err && out && !this.closeWritten) this.writeFrame(opcode, out, true, true);
          done();
        });
      });
    } else if (this.outboundBusy) {
      const size = payload.length;
      this.queuedBytes += size;
      this.enqueue((done) => {
        this.queuedBytes -= size;
        if (!this.closeWritten) this.writeFrame(opcode, payload, true, false);
        done();
      });
    } else this.writeFrame(opcode, payload, true, false);
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.needDrain = true;
    this.checkOutputFull();
    return false;
  }

  /** Sends a ping; with pingTimeout, a missing pong fails the connection with 1011. */
  ping(data: Buffer | string = EMPTY): void {
    if (this.state !== 'open') return;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (payload.length > 125) throw new RangeError('a ping payload is at most 125 bytes');
    this.control(9, payload);
    if (this.pingTimeout > 0 && !this.pingTimer) {
      this.pingTimer = setTimeout(() => {
        this.pingTimer = null;
        this.fail(new WebSocketError('WS_PING_TIMEOUT', `no pong within ${this.pingTimeout} ms`, 1011));
      }, this.pingTimeout);
    }
  }

  pong(data: Buffer | string = EMPTY): void {
    if (this.state !== 'open' && this.state !== 'closing') return;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (payload.length > 125) throw new RangeError('a pong payload is at most 125 bytes');
    this.control(10, payload);
  }

  /**
   * Writes pre-encoded bytes (from the frame composer) as they are, in order
   * with everything else sent. Nothing is checked: this is how the playground
   * sends broken frames on purpose.
   */
  sendRaw(bytes: Buffer): boolean {
    if (this.state === 'closed' || this.state === 'connecting') return false;
    const op = () => {
      if (this.has('frameSent')) {
        const b0 = bytes[0] ?? 0;
        this.emit('frameSent', { opcode: b0 & 15, fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, payloadLength: -1, bytes, raw: true });
      }
      this.stats.bytesSent += bytes.length;
      if (this.tap !== null) this.tap.wrote(bytes);
      this.socket.write(bytes);
    };
    if (this.outboundBusy) this.enqueue((done) => (op(), done()));
    else op();
    return this.bufferedAmount < this.highWaterMark;
  }

  protected control(opcode: number, payload: Buffer): void {
    if (this.outboundBusy) this.enqueue((done) => (this.closeSentBefore(opcode) || this.writeFrame(opcode, payload, true, false), done()));
    else this.writeFrame(opcode, payload, true, false);
  }

  protected closeSentBefore(opcode: number): boolean {
    return this.closeWritten && opcode !== 8;
  }

  protected enqueue(op: (done: () => void) => void): void {
    (this.outbound ??= []).push(op);
    if (!this.outboundBusy) this.pump();
  }

  protected pump(): void {
    while (this.outbound !== null && this.outbound.length > 0) {
      const op = this.outbound.shift()!;
      this.outboundBusy = true;
      let sync = true;
      let finished = false;
      op(() => {
        finished = true;
        if (!sync) {
          this.outboundBusy = false;
          this.pump();
          this.maybeDrain();
        }
      });
      sync = false;
      if (!finished) return; // resumes from the callback
      this.outboundBusy = false;
    }
    this.outboundBusy = false;
  }

  protected writeFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded || this.closeWritten) return;
    if (opcode === 8) this.closeWritten = true;
    const len = payload.length;
    const b0 = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
    const key = this.mask ? randomMaskKey() : null;
    const hs = headerSize(len, key !== null);
    this.stats.framesSent++;
    this.stats.bytesSent += hs + len;
    if (key || len < COPY_LIMIT) {
      const out = Buffer.allocUnsafe(hs + len);
      writeHeader(out, 0, b0, len, key);
      if (key) maskCopy(payload, 0, len, out, hs, key, 0);
      else payload.copy(out, hs);
      if (this.has('frameSent')) this.emit('frameSent', { opcode, fin, rsv1, payloadLength: len, bytes: out, raw: false });
      if (this.tap !== null) this.tap.wrote(out);
      if (!socket.write(out)) {
        this.needDrain = true;
        this.checkOutputFull();
      }
    } else {
      const header = Buffer.allocUnsafe(hs);
      writeHeader(header, 0, b0, len, null);
      if (this.has('frameSent')) {
        this.emit('frameSent', { opcode, fin, rsv1, payloadLength: len, bytes: Buffer.concat([header, payload]), raw: false });
      }
      if (this.tap !== null) {
        this.tap.wrote(header);
        this.tap.wrote(payload);
      }
      socket.cork();
      socket.write(header);
      if (!socket.write(payload)) this.needDrain = true;
      socket.uncork();
      if (this.needDrain) this.checkOutputFull();
    }
  }

  /** @internal */
  handleDrain(): void {
    this.maybeDrain();
  }

  protected maybeDrain(): void {
    if (this.needDrain && this.bufferedAmount < this.highWaterMark) {
      this.needDrain = false;
      this.emit('drain', undefined);
    } else if (this.bufferedAmount >= this.highWaterMark) this.needDrain = true;
    if (this.outputFull && this.bufferedAmount < this.highWaterMark && this.state !== 'closed') {
      this.outputFull = false;
      this.resumeInbound();
    }
  }

  /** Server: the output went over the high-water mark; frames wait and reading stops until it drains. */
  protected checkOutputFull(): void {
    if (this.role !== 'server' || this.outputFull || this.bufferedAmount < this.highWaterMark) return;
    this.outputFull = true;
    this.inbound ??= [];
    this.socket.pause();
  }

  /** Handles the frames held back while nothing holds them any more (the receiving half). */
  protected abstract resumeInbound(): void;

  /** _Fail the WebSocket Connection_ (the receiving half owns the closing handshake). */
  protected abstract fail(err: WebSocketError | Error, cause?: Error): void;
}

/** What a wrong argument was, for an error message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
