// One WebSocket connection after the handshake, for either role: reads frames
// through the FrameParser, assembles and inflates messages, answers pings,
// runs the closing handshake both ways with a timeout, and writes frames with
// backpressure. The socket is owned here from the 101 on.
import type { Duplex } from 'node:stream';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { createSocketListeners, type SocketEventsOwner } from '../util/socket-listeners.js';
import type { WireTap } from '../util/wire-tap.js';
import { FrameParser, DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_FRAGMENTS, type FrameParserHandlers } from './frame-parser.js';
import { headerSize, writeHeader, randomMaskKey, closePayload } from './frame-encoder.js';
import { maskCopy } from './mask.js';
import { isValidCloseCode } from './close-codes.js';
import { DeflateCodec, type DeflateParams } from './permessage-deflate.js';
import { isValidUtf8 } from './utf8.js';
import {
  WebSocketError,
  type WebSocketCallbackName,
  type WebSocketConnectionOptions,
  type WebSocketFrame,
  type WebSocketHandler,
  type WebSocketMessage,
  type WebSocketPeer,
} from './types.js';

export interface CloseEvent {
  code: number;
  reason: string;
  /** A close frame was both sent and received before the TCP connection ended. */
  wasClean: boolean;
  /** Why the connection failed, when it did. */
  error?: Error;
}

/** The bytes of one frame exactly as written to the socket. */
export interface SentFrame {
  opcode: number;
  fin: boolean;
  rsv1: boolean;
  payloadLength: number;
  /** Header and (masked) payload; absent for huge frames unless someone listens. */
  bytes: Buffer;
  /** Written with sendRaw (pre-encoded, possibly invalid). */
  raw: boolean;
}

export interface WebSocketConnectionEvents {
  open: void;
  message: WebSocketMessage;
  /** Every frame received, with the offsets of its fields (counted from the first byte after the handshake). */
  frame: WebSocketFrame;
  /** Every frame written. */
  frameSent: SentFrame;
  ping: Buffer;
  pong: Buffer;
  /** A protocol error or a socket error; a close follows. */
  error: Error;
  drain: void;
  close: CloseEvent;
}

export interface WebSocketStats {
  messagesReceived: number;
  messagesSent: number;
  framesReceived: number;
  framesSent: number;
  /** Bytes read from the socket after the handshake. */
  bytesReceived: number;
  /** Bytes written to the socket after the handshake. */
  bytesSent: number;
}

export interface ConnectionInit {
  role: 'server' | 'client';
  id: string;
  protocol: string;
  extensions: string;
  deflate: DeflateParams | null;
  options: WebSocketConnectionOptions;
  handler?: WebSocketHandler;
  /** Hears every chunk read and every buffer written (the server's byte counters and capture). */
  tap?: WireTap;
}

const EMPTY = Buffer.alloc(0);
const DEFAULT_HIGH_WATER_MARK = 64 * 1024;
const DEFAULT_CLOSE_TIMEOUT = 5000;
const DEFAULT_PING_TIMEOUT = 10_000;
/** Unmasked payloads at least this big are written after their header (writev) instead of copied into one buffer. */
const COPY_LIMIT = 16 * 1024;

type State = 'connecting' | 'open' | 'closing' | 'closed';

const listeners = createSocketListeners('ws-connection');

export class WebSocketConnection implements WebSocketPeer, SocketEventsOwner {
  /** Created on first use: most connections (route handlers) never subscribe. */
  private emitter: Emitter<WebSocketConnectionEvents> | null = null;
  readonly id: string;
  readonly protocol: string;
  readonly extensions: string;
  readonly role: 'server' | 'client';
  readonly stats: WebSocketStats = { messagesReceived: 0, messagesSent: 0, framesReceived: 0, framesSent: 0, bytesReceived: 0, bytesSent: 0 };
  /** Answer pings automatically; may be switched at any time. */
  autoPong: boolean;

  private state: State = 'connecting';
  private readonly parser: FrameParser;
  private readonly codec: DeflateCodec | null;
  private readonly handler: WebSocketHandler | undefined;
  private readonly maxPayload: number;
  private readonly highWaterMark: number;
  private readonly closeTimeout: number;
  private readonly pingTimeout: number;
  private readonly mask: boolean;
  private readonly onCallbackError: WebSocketConnectionOptions['onCallbackError'];
  private readonly tap: WireTap | null;

  // Incoming message assembly.
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private messageOpcode = 0;
  private messageCompressed = false;
  /**
   * Frames held back, handled in order afterwards: they arrived while a message was inflating,
   * or (server) while the output was over its high-water mark. Reading is paused meanwhile.
   */
  private inbound: (() => void)[] | null = null;
  private inflating = false;
  /**
   * Server: bufferedAmount reached the high-water mark. The peer is not reading what it asked
   * for (an echo it never reads): no frame is handled and nothing is read until the socket
   * drains, so its answers cannot pile up without bound. A client keeps reading: it shows what
   * the server sends.
   */
  private outputFull = false;

  // Outgoing order: operations behind a message being compressed.
  private outbound: ((done: () => void) => void)[] = [];
  private outboundBusy = false;
  private queuedBytes = 0;

  private closeSent = false;
  /** The close frame is on the socket: nothing is written after it. */
  private closeWritten = false;
  private closeReceived = false;
  private closeCode = 1006;
  private closeReason = '';
  private failure: Error | undefined;
  private closeTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pingIntervalTimer: NodeJS.Timeout | null = null;
  private needDrain = false;
  /** Reading waits for start()'s deferred step; bytes read meanwhile. */
  private holding = true;
  private early: Buffer[] | null = null;

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
    this.parser = new FrameParser(
      new ParserSink(this),
      {
        role: init.role,
        perMessageDeflate: init.deflate !== null,
        maxPayload: this.maxPayload,
        maxFragments: o.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
        // Unmask in place only the chunks nobody else keeps: with a tap (the server's upgraded
        // connection) a chunk the capture was not given; without one, never (someone else may
        // read the same chunks).
        ownsInput: init.tap !== undefined,
      },
    );
    // Module-level listeners reach the connection through a symbol on the socket: no closures per connection.
    listeners.listen(socket, this);
    if (o.pingInterval && o.pingInterval > 0) {
      this.pingIntervalTimer = setInterval(() => this.ping(), o.pingInterval);
      this.pingIntervalTimer.unref?.();
    }
  }

  /**
   * Opens the connection now (readyState 'open', send() works), then, on the
   * next tick (or immediate), calls onOpen and reads the bytes that came with
   * the handshake and any read since — so the owner can subscribe first.
   */
  start(head: Buffer, onOpen?: () => void, when: 'nextTick' | 'immediate' = 'nextTick'): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.holding = true;
    const go = () => {
      this.holding = false;
      if (this.state === 'closed') return;
      onOpen?.();
      this.emit('open', undefined);
      // The tap heard these already (`head` was read with the handshake, by the HTTP side).
      // Both count as shared: `head` is a view of the HTTP side's input, and whether the capture
      // kept an early chunk was not recorded.
      if (head.length > 0) this.receive(head, true);
      const early = this.early;
      this.early = null;
      if (early) for (const c of early) this.receive(c, true);
    };
    if (when === 'immediate') setImmediate(go);
    else process.nextTick(go);
  }

  /** True while a message is being inflated or an outgoing one compressed. */
  get busy(): boolean {
    return this.inflating || this.outboundBusy;
  }

  get readyState(): State {
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

  private has(event: keyof WebSocketConnectionEvents): boolean {
    return this.emitter !== null && this.emitter.hasListeners(event);
  }

  private emit<K extends keyof WebSocketConnectionEvents>(event: K, payload: WebSocketConnectionEvents[K]): void {
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

  /** Starts the closing handshake (or completes it). */
  close(code?: number, reason = ''): void {
    if (code !== undefined && code !== 1000 && !isValidCloseCode(code)) throw new RangeError(`invalid close code ${code}`);
    const reasonBytes = Buffer.byteLength(reason);
    if (reasonBytes > 123) throw new RangeError('a close reason is at most 123 bytes');
    if (this.state === 'closed') return;
    if (this.state === 'connecting') {
      this.destroy();
      return;
    }
    if (this.closeSent) return;
    this.state = 'closing';
    this.sendClose(code, reason);
    if (this.closeReceived) this.finishTcp();
  }

  /** The server is shutting down gracefully: close with 1001 (going away). */
  shutdown(): void {
    this.close(1001, 'server shutting down');
  }

  /** Ends at once, without a closing handshake. */
  terminate(): void {
    this.destroy();
  }

  private sendClose(code: number | undefined, reason: string): void {
    this.closeSent = true;
    const write = () => {
      this.writeFrame(8, closePayload(code, reason), true, false);
    };
    if (this.outboundBusy) this.enqueue((done) => (write(), done()));
    else write();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer || this.closeTimeout <= 0) return;
    this.closeTimer = setTimeout(() => {
      this.closeTimer = null;
      this.destroy();
    }, this.closeTimeout);
  }

  private control(opcode: number, payload: Buffer): void {
    if (this.outboundBusy) this.enqueue((done) => (this.closeSentBefore(opcode) || this.writeFrame(opcode, payload, true, false), done()));
    else this.writeFrame(opcode, payload, true, false);
  }

  private closeSentBefore(opcode: number): boolean {
    return this.closeWritten && opcode !== 8;
  }

  private enqueue(op: (done: () => void) => void): void {
    this.outbound.push(op);
    if (!this.outboundBusy) this.pump();
  }

  private pump(): void {
    while (this.outbound.length > 0) {
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

  private writeFrame(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean): void {
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

  private maybeDrain(): void {
    if (this.needDrain && this.bufferedAmount < this.highWaterMark) {
      this.needDrain = false;
      this.emit('drain', undefined);
    } else if (this.bufferedAmount >= this.highWaterMark) this.needDrain = true;
    if (this.outputFull && this.bufferedAmount < this.highWaterMark && this.state !== 'closed') {
      this.outputFull = false;
      this.resumeInbound();
    }
  }

  // -------------------------------------------------------------- receiving

  /** @internal Socket data (a module-level listener calls it). */
  handleData(chunk: Buffer): void {
    const kept = this.tap !== null && this.tap.read(chunk);
    if (this.holding) {
      (this.early ??= []).push(chunk);
      return;
    }
    this.receive(chunk, kept);
  }

  /** `shared`: someone else has the chunk (the capture); the parser does not unmask it in place. */
  private receive(chunk: Buffer, shared: boolean): void {
    this.stats.bytesReceived += chunk.length;
    this.parser.push(chunk, shared);
  }

  /** @internal */
  onFrame(frame: WebSocketFrame): void {
    if (this.inbound) {
      this.inbound.push(() => this.handleFrame(frame));
      return;
    }
    this.handleFrame(frame);
  }

  private handleFrame(frame: WebSocketFrame): void {
    if (this.closeReceived || this.state === 'closed') return;
    this.stats.framesReceived++;
    if (this.has('frame')) this.emit('frame', frame);
    const op = frame.opcode;
    if (op >= 8) return this.onControl(frame);
    if (op !== 0) {
      // A single-frame message: the common case, no copy.
      if (frame.fin && !frame.rsv1) return this.deliver(op === 2, frame.payload);
      this.messageOpcode = op;
      this.messageCompressed = frame.rsv1;
      this.fragments = [];
      this.fragmentBytes = 0;
    }
    if (frame.payload.length > 0) {
      this.fragments.push(frame.payload);
      this.fragmentBytes += frame.payload.length;
    }
    if (!frame.fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments, this.fragmentBytes);
    this.fragments = [];
    this.fragmentBytes = 0;
    const binary = this.messageOpcode === 2;
    if (!this.messageCompressed || !this.codec) return this.deliver(binary, data);
    // Inflate; later frames wait in order, and reading pauses meanwhile.
    this.inbound ??= [];
    this.inflating = true;
    this.socket.pause();
    this.codec.decompress(data, (err, out) => {
      this.inflating = false;
      if (err) return this.fail(err);
      if (!binary && !isValidUtf8(out!)) return this.fail(new WebSocketError('WS_INVALID_UTF8', 'invalid UTF-8 in a compressed text message', 1007));
      this.deliver(binary, out!);
      this.resumeInbound();
    });
  }

  /** Whether frames are held back now (an inflation, or a full output). */
  private get holdingInput(): boolean {
    return this.inflating || this.outputFull;
  }

  /** Handles the frames held back while nothing holds them any more; reads again once none is left. */
  private resumeInbound(): void {
    const waiting = this.inbound;
    while (waiting !== null && waiting === this.inbound && waiting.length > 0 && !this.holdingInput) waiting.shift()!();
    if (this.holdingInput || this.inbound !== waiting) return;
    this.inbound = null;
    if (this.state !== 'closed' && !this.socket.destroyed) this.socket.resume();
  }

  /** Server: the output went over the high-water mark; frames wait and reading stops until it drains. */
  private checkOutputFull(): void {
    if (this.role !== 'server' || this.outputFull || this.bufferedAmount < this.highWaterMark) return;
    this.outputFull = true;
    this.inbound ??= [];
    this.socket.pause();
  }

  private deliver(binary: boolean, data: Buffer): void {
    if (this.closeReceived || this.state === 'closed' || this.failure) return;
    this.stats.messagesReceived++;
    const message: WebSocketMessage = binary ? { binary, data } : { binary, data, text: data.toString('utf8') };
    const h = this.handler;
    if (h?.onMessage) {
      try {
        h.onMessage(this, message);
      } catch (err) {
        this.callbackFailed('onMessage', err);
      }
    }
    this.emit('message', message);
  }

  /**
   * @internal A route callback that runs while the connection is open (onMessage, and onOpen,
   * which upgrade.ts calls) threw: the server hears of it, then the connection fails with 1011
   * (the route's onError gets the error itself).
   */
  callbackFailed(callback: 'onOpen' | 'onMessage', err: unknown): void {
    const error = asError(err);
    this.reportCallbackError(callback, error);
    this.fail(new WebSocketError('WS_HANDLER_ERROR', `${callback} threw`, 1011), error);
  }

  /** Tells the owner (the server's log) that a callback threw; never throws itself. */
  private reportCallbackError(callback: WebSocketCallbackName, error: Error): void {
    try {
      if (this.onCallbackError) this.onCallbackError(error, callback, this);
      else process.emitWarning(error, { code: 'WIREPLAY_WS_CALLBACK', detail: `WebSocket ${callback} threw` });
    } catch {
      /* the reporter failed too: nothing more to tell */
    }
  }

  private onControl(frame: WebSocketFrame): void {
    if (frame.opcode === 9) {
      this.emit('ping', frame.payload);
      if (this.autoPong && this.state === 'open' && !this.closeSent) this.control(10, frame.payload);
      return;
    }
    if (frame.opcode === 10) {
      if (this.pingTimer) {
        clearTimeout(this.pingTimer);
        this.pingTimer = null;
      }
      this.emit('pong', frame.payload);
      return;
    }
    // Close.
    this.closeReceived = true;
    this.parser.stop();
    const p = frame.payload;
    this.closeCode = p.length >= 2 ? p.readUInt16BE(0) : 1005;
    this.closeReason = p.length > 2 ? p.toString('utf8', 2) : '';
    if (!this.closeSent) {
      this.state = 'closing';
      // Echo the peer's code (an empty close for an empty one).
      this.sendClose(p.length >= 2 ? this.closeCode : undefined, '');
    }
    this.finishTcp();
  }

  /** Both close frames are out: the server ends TCP first; the client waits for it (bounded by the close timer). */
  private finishTcp(): void {
    if (this.role === 'server') {
      const end = () => this.socket.end();
      if (this.outboundBusy) this.enqueue((done) => (end(), done()));
      else end();
    }
    this.armCloseTimer();
  }

  /** @internal */
  onProtocolError(err: WebSocketError): void {
    if (this.inbound) {
      this.inbound.push(() => this.fail(err));
      return;
    }
    this.fail(err);
  }

  /**
   * _Fail the WebSocket Connection_: send a close with the error's code, stop reading, end.
   * `cause`: what the route's onError hears of instead (the error its own callback threw).
   */
  private fail(err: WebSocketError | Error, cause?: Error): void {
    if (this.state === 'closed' || this.failure) return;
    this.failure = err;
    this.parser.stop();
    this.inbound = null;
    this.reportError(cause ?? err);
    const code = err instanceof WebSocketError ? err.closeCode : 1011;
    if (!this.closeSent && this.state !== 'connecting') {
      this.state = 'closing';
      this.closeCode = code;
      this.closeReason = err.message.length <= 123 ? err.message : '';
      this.closeSent = true;
      this.writeFrame(8, closePayload(code, Buffer.byteLength(this.closeReason) <= 123 ? this.closeReason : ''), true, false);
    }
    this.outbound = [];
    this.socket.end();
    // Reading may have been paused for an inflation: let the peer's end arrive.
    this.socket.resume();
    this.armCloseTimer();
  }

  private reportError(err: Error): void {
    const h = this.handler;
    if (h?.onError) {
      try {
        h.onError(this, err);
      } catch (e) {
        this.reportCallbackError('onError', asError(e));
      }
    }
    this.emit('error', err);
  }

  // ------------------------------------------------------------- teardown

  /** @internal */
  handleEnd(): void {
    // The peer ended TCP. Without its close frame the connection closed abnormally (1006).
    if (!this.socket.writableEnded) this.socket.end();
    this.armCloseTimer();
  }

  /** @internal */
  handleError(err: Error): void {
    if (this.state === 'closed') return;
    if (!this.failure) {
      this.failure = err;
      this.reportError(err);
    }
    this.socket.destroy();
  };

  /** @internal */
  handleClose(): void {
    this.finalize();
  }

  private destroy(): void {
    this.socket.destroy();
    this.finalize();
  }

  private finalize(): void {
    if (this.state === 'closed') return;
    const wasClean = this.closeSent && this.closeReceived;
    this.state = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.pingTimer) clearTimeout(this.pingTimer);
    if (this.pingIntervalTimer) clearInterval(this.pingIntervalTimer);
    this.closeTimer = this.pingTimer = this.pingIntervalTimer = null;
    this.parser.stop();
    this.codec?.close();
    this.outbound = [];
    this.queuedBytes = 0;
    this.inbound = null;
    this.fragments = [];
    listeners.stop(this.socket, true);
    // A close frame we sent ourselves while failing reports our code; otherwise the peer's, or 1006.
    const code = this.closeReceived || this.failure instanceof WebSocketError ? this.closeCode : 1006;
    const reason = this.closeReceived || this.failure instanceof WebSocketError ? this.closeReason : '';
    const h = this.handler;
    if (h?.onClose) {
      try {
        h.onClose(this, code, reason);
      } catch (err) {
        this.reportCallbackError('onClose', asError(err));
      }
    }
    const ev: CloseEvent = { code, reason, wasClean };
    if (this.failure) ev.error = this.failure;
    this.emit('close', ev);
    this.emitter?.clear();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** What a wrong argument was, for an error message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
}

// Socket listeners shared by every connection.

/** The frame parser's handlers, as prototype methods (no closures per connection). */
class ParserSink implements FrameParserHandlers {
  constructor(private readonly conn: WebSocketConnection) {}
  onFrame(frame: WebSocketFrame): void {
    this.conn.onFrame(frame);
  }
  onError(error: WebSocketError): void {
    this.conn.onProtocolError(error);
  }
}
