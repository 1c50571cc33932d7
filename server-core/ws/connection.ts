// One WebSocket connection after the handshake, for either role: reads frames
// through the FrameParser, assembles and inflates messages, answers pings, and
// runs the closing handshake both ways with a timeout. The socket is owned here
// from the 101 on. What it writes, and the output's backpressure, live in
// ws/connection-output.ts (the class this one extends); its public shapes
// (events, close event, counters) in ws/connection-types.ts.
import type { Duplex } from 'node:stream';
import { createSocketListeners, type SocketEventsOwner } from '../util/socket-listeners.js';
import { FrameParser, DEFAULT_MAX_FRAGMENTS, type FrameParserHandlers } from './frame-parser.js';
import { closePayload } from './frame-encoder.js';
import { isValidCloseCode } from './close-codes.js';
import { isValidUtf8 } from './utf8.js';
import { WebSocketError, type WebSocketCallbackName, type WebSocketFrame, type WebSocketMessage, type WebSocketPeer } from './types.js';
import { ConnectionOutput } from './connection-output.js';
import type { CloseEvent, ConnectionInit } from './connection-types.js';

export type { CloseEvent, ConnectionInit, SentFrame, WebSocketConnectionEvents, WebSocketStats } from './connection-types.js';

const listeners = createSocketListeners('ws-connection');

export class WebSocketConnection extends ConnectionOutput implements WebSocketPeer, SocketEventsOwner {
  private readonly parser: FrameParser;

  // Incoming message assembly.
  /** The frames of a fragmented (or compressed) message; null between messages. */
  private fragments: Buffer[] | null = null;
  private fragmentBytes = 0;
  private messageOpcode = 0;
  private messageCompressed = false;
  /** Reading waits for start()'s deferred step; bytes read meanwhile. */
  private holding = true;
  private early: Buffer[] | null = null;

  constructor(socket: Duplex, init: ConnectionInit) {
    super(socket, init);
    const o = init.options;
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
      this.fragments = null;
      this.fragmentBytes = 0;
    }
    if (frame.payload.length > 0) {
      (this.fragments ??= []).push(frame.payload);
      this.fragmentBytes += frame.payload.length;
    }
    if (!frame.fin) return;
    const parts = this.fragments ?? [];
    const data = parts.length === 1 ? parts[0] : Buffer.concat(parts, this.fragmentBytes);
    this.fragments = null;
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
  protected resumeInbound(): void {
    const waiting = this.inbound;
    while (waiting !== null && waiting === this.inbound && waiting.length > 0 && !this.holdingInput) waiting.shift()!();
    if (this.holdingInput || this.inbound !== waiting) return;
    this.inbound = null;
    if (this.state !== 'closed' && !this.socket.destroyed) this.socket.resume();
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
  protected fail(err: WebSocketError | Error, cause?: Error): void {
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
    this.outbound = null;
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
    this.outbound = null;
    this.queuedBytes = 0;
    this.inbound = null;
    this.fragments = null;
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
