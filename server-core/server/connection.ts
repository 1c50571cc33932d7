// One accepted socket speaking HTTP/1.1: feeds the parser, builds requests,
// runs handlers through the scheduler, writes responses in request order, and
// enforces the per-connection limits and timeouts. Its parts live beside it:
//   input-window.ts        the chunks the parser is not done with (raw heads)
//   output-batcher.ts      write batching, backpressure, drain waiters
//   response-queue.ts      responses in request order, handlers run
//   exchange.ts            one request/response pair, error responses
//   upgrade-handoff.ts     giving the socket to the WebSocket endpoint
//   connection-lifecycle.ts  the one lifecycle state and its transitions
//   connection-types.ts    the context it is built with, what it reports
import type { Socket } from 'node:net';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import {
  HttpParseError,
  type ChunkHeader,
  type HeaderField,
  type HeadDecision,
  type HttpParserHandlers,
  type MessageHead,
  type Span,
} from '../http/parser-types.js';
import type { ConnectionContext, ConnectionSnapshot, ConnectionState, RequestParser } from './connection-types.js';
import { isDraining, isEnding, isReading, draining, stoppedReading, transition, type Lifecycle } from './connection-lifecycle.js';
import { InputWindow } from './input-window.js';
import { OutputBatcher, type BatchOwner } from './output-batcher.js';
import { HttpRequest, BodyError, type RequestOwner } from './request.js';
import { ResponseQueue, type QueueOwner } from './response-queue.js';
import { handOver, hasUpgradeField, type PendingUpgrade, type UpgradeResult } from './upgrade-handoff.js';

export type * from './connection-types.js';
export type { UpgradeHook, UpgradeResult } from './upgrade-handoff.js';
export { refusalResponse } from './exchange.js';

const BODY_PAUSE_BYTES = 1024 * 1024;
/** A peer that never closes its side after our FIN is destroyed after this long. */
const LINGER_MS = 2000;

/** Where the input is, for the timeouts: in a head, in a body, or between requests. */
type Phase = 'head' | 'body' | 'idle';

// Socket listeners shared by every connection (one function each, not one
// closure per connection: idle keep-alive connections stay small).
const kConnection = Symbol('wireplay.connection');
type OwnedSocket = Socket & { [kConnection]: HttpConnection };
function socketOnData(this: OwnedSocket, chunk: Buffer): void {
  this[kConnection].handleData(chunk);
}
function socketOnEnd(this: OwnedSocket): void {
  this[kConnection].handleEnd();
}
function socketOnError(this: OwnedSocket, err: Error): void {
  this[kConnection].handleError(err);
}
function socketOnClose(this: OwnedSocket): void {
  this[kConnection].handleClose();
}
function socketOnDrain(this: OwnedSocket): void {
  this[kConnection].output.resolveDrainWaiters();
}
function destroySocket(socket: Socket): void {
  socket.destroy();
}
function flushConnection(c: HttpConnection): void {
  c.flush();
}

export class HttpConnection implements RequestOwner, QueueOwner, BatchOwner, HttpParserHandlers {
  readonly openedAt = Date.now();
  readonly openedAtMono = performance.now();
  readonly remote: Endpoint;
  bytesIn = 0;
  bytesOut = 0;
  requests = 0;
  protocol: 'http' | 'ws' = 'http';
  readonly output: OutputBatcher;

  private life: Lifecycle = 'reading';
  /** The peer sent its FIN (a fact about the peer; our lifecycle goes on). */
  private peerEnded = false;
  /** When closing: the last exchange was whole and answered, so the socket goes as soon as our FIN is out. */
  private endClean = false;
  private closeReason: string | undefined;
  private localValue: Endpoint | undefined;
  /** Released (null) once the connection has switched protocols: nothing is parsed as HTTP again. */
  private parser: RequestParser | null;
  private readonly input = new InputWindow();
  /** Responses in request order; the first one owns the socket. */
  private readonly queue: ResponseQueue;
  /** The request whose body is being read. */
  private current: HttpRequest | null = null;
  private pendingUpgrade: PendingUpgrade | null = null;
  /** What followed an accepted upgrade request, kept while earlier responses are still owed. */
  private pendingUpgradeRest: Buffer | null = null;
  private upgradeResult: UpgradeResult | null = null;
  // Timeouts (performance.now() based, checked by the listener's sweep) and flow control.
  private phase: Phase = 'head';
  private phaseStart: number;
  private idleSince = 0;
  private pausedForBody = false;
  private pausedForPipeline = false;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    this.phaseStart = this.openedAtMono;
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.output = new OutputBatcher(this);
    this.queue = new ResponseQueue(this, ctx);
    // The connection is its own parser handler object.
    this.parser = ctx.createParser(this, ctx.parserLimits);
    (socket as OwnedSocket)[kConnection] = this;
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('error', socketOnError);
    socket.on('close', socketOnClose);
    socket.on('drain', socketOnDrain);
    if (ctx.capture.hasListeners('open')) {
      ctx.capture.emit('open', {
        connectionId: id,
        side: 'server',
        protocol: 'http',
        tls: false,
        local: this.local,
        remote: this.remote,
        t: this.openedAtMono,
        wallTime: this.openedAt,
      });
    }
  }

  /** Read on first use (one getsockname less per connection nobody inspects). */
  get local(): Endpoint {
    return (this.localValue ??= { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 });
  }

  /** The lifecycle state (connection-lifecycle.ts). */
  get lifecycle(): Lifecycle {
    return this.life;
  }

  get state(): ConnectionState {
    const life = this.life;
    if (life === 'closed') return 'closed';
    if (this.protocol === 'ws') return 'upgraded';
    if (isEnding(life) || isDraining(life)) return 'closing';
    if (this.queue.length > 0) return 'handling';
    if (this.phase === 'body' || this.isMidHead()) return 'reading';
    return 'idle';
  }

  private moveTo(next: Lifecycle): void {
    if (next !== this.life) this.life = transition(this.life, next);
  }

  private isMidHead(): boolean {
    return this.phase === 'head' && !this.input.isEmpty;
  }

  snapshot(): ConnectionSnapshot {
    return {
      id: this.id,
      remote: this.remote,
      local: this.local,
      protocol: this.protocol,
      openedAt: this.openedAt,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      requests: this.requests,
      state: this.state,
    };
  }

  // -------------------------------------------------------------------------
  // Reading

  handleData(chunk: Buffer): void {
    if (this.life === 'closed') return;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 'c2s', t: performance.now(), bytes: chunk });
    const start = this.bytesIn;
    this.bytesIn += chunk.length;
    const parser = this.parser;
    if (!isReading(this.life) || parser === null) return;
    if (this.phase === 'idle') this.enterPhase('head');
    this.input.push(start, chunk);
    const output = this.output;
    output.begin();
    parser.push(chunk);
    this.input.prune();
    if (this.isClosed || output.flushScheduled) return;
    if (this.queue.allFinished()) this.flush();
    else {
      output.flushScheduled = true;
      setImmediate(flushConnection, this);
    }
  }

  private enterPhase(phase: Phase): void {
    this.phase = phase;
    this.phaseStart = performance.now();
  }

  // ---- HttpParserHandlers

  onBody(data: Buffer, span: Span): void {
    this.input.consumed(span.end);
    const req = this.current;
    if (!req) return;
    req.pushBody(data);
    if (req.bufferedBytes > BODY_PAUSE_BYTES && !this.pausedForBody) {
      this.pausedForBody = true;
      this.updatePause();
    }
  }

  onChunkHeader(chunk: ChunkHeader): void {
    this.input.consumed(chunk.span.end);
  }

  onTrailers(_trailers: HeaderField[], span: Span): void {
    this.input.consumed(span.end);
  }

  onError(err: HttpParseError): void {
    if (!isReading(this.life)) return;
    this.ctx.onError({ connectionId: this.id, kind: 'parse', message: err.message, status: err.status, code: err.code, error: err });
    this.failWith(err.status, `${err.code}: ${err.message}`, err);
  }

  onHead(head: MessageHead): HeadDecision {
    // The parser goes on through the rest of the chunk; what follows a request that
    // asked to close, an error or an upgrade is never handled.
    if (head.kind !== 'request' || !isReading(this.life)) return;
    this.input.consumed(head.headSpan.end);
    const index = ++this.requests;
    const req = new HttpRequest(this.id, index, head, this.input.slice(head.headSpan), this.remote, this, this.ctx.limits.maxBodyBytes);
    this.current = req;
    // Head done, body next: the request timeout keeps counting from the first byte of the head.
    this.phase = 'body';
    const hook = this.ctx.upgrade;
    // The hook is asked about every head with an Upgrade field, not only those whose
    // Connection lists upgrade (head.upgrade): a WebSocket endpoint answers a handshake
    // missing `Connection: upgrade` with its own precise refusal (400), not the router's 426.
    if (hook && (head.upgrade || hasUpgradeField(head))) {
      let token: unknown;
      try {
        token = hook.match(req);
      } catch (err) {
        this.ctx.onError({ connectionId: this.id, kind: 'handler', message: `upgrade match failed: ${String(err)}`, error: err });
      }
      if (token !== undefined) {
        this.pendingUpgrade = { req, token };
        return 'upgrade';
      }
    }
    this.dispatch(req);
    return;
  }

  onMessageComplete(span: Span): void {
    this.input.consumed(span.end);
    if (!isReading(this.life)) return;
    const req = this.current;
    this.current = null;
    if (req) {
      req.endBody();
      if (this.pendingUpgrade?.req === req) return;
      if (!req.head.keepAlive) this.moveTo(stoppedReading(this.life)); // nothing after a closing request is read
    }
    // Some clients send a stray CRLF after a body; that does not start a request (RFC 9112 §2.2).
    if (span.end < this.bytesIn && isReading(this.life) && !this.input.onlyLineBreaksAfter(span.end)) this.enterPhase('head');
    else {
      this.phase = 'idle';
      if (this.queue.length === 0) this.idleSince = performance.now();
    }
  }

  onUpgrade(rest: Buffer): void {
    if (!this.pendingUpgrade) {
      this.endSocket();
      return;
    }
    this.moveTo('upgrading');
    // Responses still owed to earlier pipelined requests go first; nothing is read meanwhile.
    if (this.queue.length > 0) {
      this.pendingUpgradeRest = Buffer.from(rest);
      this.socket.pause();
      return;
    }
    this.completeUpgrade(rest);
  }

  private dispatch(req: HttpRequest): void {
    this.queue.dispatch(req);
    if (this.queue.length >= this.ctx.limits.maxPipelinedRequests && !this.pausedForPipeline) {
      this.pausedForPipeline = true;
      this.updatePause();
    }
  }

  // -------------------------------------------------------------------------
  // RequestOwner, QueueOwner, BatchOwner

  bodyWanted(req: HttpRequest): void {
    this.queue.bodyWanted(req);
  }

  bodyConsumed(req: HttpRequest): void {
    if (this.pausedForBody && req.bufferedBytes < BODY_PAUSE_BYTES / 2) {
      this.pausedForBody = false;
      this.updatePause();
    }
  }

  get isClosed(): boolean {
    return this.life === 'closed';
  }

  get closesAfterEveryResponse(): boolean {
    return isDraining(this.life) || this.peerEnded;
  }

  endAfterResponse(clean: boolean): void {
    this.endSocket(clean);
  }

  afterAdvance(): void {
    if (this.queue.length === 0) {
      if (this.pendingUpgradeRest) {
        const rest = this.pendingUpgradeRest;
        this.pendingUpgradeRest = null;
        this.completeUpgrade(rest);
        return;
      }
      if (this.phase === 'idle') this.idleSince = performance.now();
      if (this.peerEnded || (this.life !== 'reading' && this.phase === 'idle')) {
        this.endSocket();
        return;
      }
    }
    if (this.pausedForPipeline && this.queue.length < this.ctx.limits.maxPipelinedRequests) {
      this.pausedForPipeline = false;
      this.updatePause();
    }
    this.output.settleDrainWaiters();
  }

  countWritten(data: Buffer): void {
    this.bytesOut += data.length;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 's2c', t: performance.now(), bytes: data });
  }

  flush(): void {
    this.output.flush(this.life === 'closed');
    if (this.life === 'closing') this.finishEnd();
  }

  private updatePause(): void {
    const life = this.life;
    if (life === 'closed' || life === 'upgrading' || life === 'upgraded') return;
    if (this.pausedForBody || this.pausedForPipeline) this.socket.pause();
    else this.socket.resume();
  }

  // -------------------------------------------------------------------------
  // Errors, timeouts, closing

  /**
   * The client's bytes cannot be used any further: answer `status` after the
   * responses already due, with Connection: close, then close.
   */
  private failWith(status: number, message: string, cause: Error): void {
    this.moveTo(stoppedReading(this.life));
    const req = this.current;
    this.current = null;
    if (req) {
      req.fail(new BodyError(cause instanceof HttpParseError ? cause.code : 'REQUEST_FAILED', message, status));
      if (this.queue.failRequest(req, status, message)) return;
    }
    this.queue.pushError(status, message);
  }

  /** Called by the listener's sweep. */
  checkTimeouts(now: number): void {
    const life = this.life;
    if (life === 'closed' || life === 'upgraded' || life === 'ended' || life === 'closing') return;
    if (this.pausedForBody || this.pausedForPipeline) return;
    const l = this.ctx.limits;
    if (isReading(life) && (this.phase === 'head' || this.phase === 'body')) {
      const elapsed = now - this.phaseStart;
      if (this.phase === 'head' && elapsed > l.headersTimeout) {
        this.timeout('headers timeout', l.headersTimeout);
      } else if (elapsed > l.requestTimeout) {
        this.timeout('request timeout', l.requestTimeout);
      }
      return;
    }
    if (this.phase === 'idle' && this.queue.length === 0 && now - this.idleSince > l.keepAliveTimeout) {
      this.closeReason = 'keep-alive timeout';
      this.endSocket();
    }
  }

  private timeout(what: string, ms: number): void {
    this.ctx.onError({ connectionId: this.id, kind: 'timeout', message: `${what} (${ms} ms)`, status: 408 });
    this.closeReason = what;
    this.failWith(408, `${what}: the request did not arrive within ${ms} ms`, new Error(what));
  }

  /**
   * Graceful close: stop reading new requests once the ones in progress are
   * answered. An upgrade waiting for earlier responses goes ahead (the new
   * protocol's owner is closed by the server's own shutdown).
   */
  shutdown(): void {
    const life = this.life;
    if (life === 'closed' || life === 'upgrading') return;
    if (life === 'upgraded') {
      this.upgradeResult?.close?.();
      return;
    }
    this.moveTo(draining(life));
    if (this.queue.length === 0 && (this.phase === 'idle' || !this.isMidHead())) this.endSocket();
  }

  destroy(reason = 'destroyed'): void {
    if (this.life === 'closed') return;
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  /**
   * Ends our side after the queued bytes. `clean`: the last request was read
   * whole and answered, nothing unread can follow (a `Connection: close`
   * exchange), so the socket is destroyed as soon as our FIN is out, as
   * node:http does. Otherwise (an error response with input possibly still
   * arriving) the socket lingers until the peer closes, so the peer is not
   * reset before it read the response; a peer that never closes is destroyed
   * after LINGER_MS.
   */
  private endSocket(clean = false): void {
    const life = this.life;
    if (isEnding(life) || life === 'upgraded') return;
    this.moveTo('closing');
    this.endClean = clean;
    if (!this.output.batching) this.finishEnd();
  }

  private finishEnd(): void {
    if (this.life !== 'closing') return;
    this.moveTo('ended');
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    const socket = this.socket;
    if (this.endClean) {
      socket.end(() => socket.destroy());
      return;
    }
    socket.end();
    // A peer that never closes its side does not keep the socket (no timer needed when it already has).
    if (!this.peerEnded) {
      this.lingerTimer = setTimeout(destroySocket, LINGER_MS, socket);
      this.lingerTimer.unref();
    }
  }

  /**
   * The client closed its side. As in node:http, the requests in progress are
   * aborted (their signal fires); responses the handlers still finish are
   * written (so `printf … | nc` gets its answer), then our side ends. A handler
   * that never answers does not keep the socket beyond closeTimeout.
   */
  handleEnd(): void {
    this.peerEnded = true;
    if (this.life === 'upgrading') return;
    // Errors are built only when there is something to abort (a stack trace per connection is not free).
    let reason: Error | undefined;
    const why = () => (reason ??= new Error('the client closed its side of the connection'));
    if (this.current) this.current.abort(why());
    this.queue.peerEnded(why);
    if (this.queue.length === 0) {
      this.endSocket();
      return;
    }
    this.lingerTimer = setTimeout(() => this.destroy('client closed'), this.ctx.limits.closeTimeout);
    this.lingerTimer.unref();
  }

  handleError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.closeReason = code === 'ECONNRESET' ? 'reset' : err.message;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') {
      this.ctx.onError({ connectionId: this.id, kind: 'socket', message: err.message, error: err });
    }
  }

  handleClose(): void {
    if (this.life === 'closed') return;
    this.moveTo('closed');
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    let reason: Error | undefined;
    const why = () => (reason ??= new Error(this.closeReason ?? 'connection closed'));
    if (this.current) this.current.abort(why());
    this.queue.abortAll(why, true);
    this.output.resolveDrainWaiters();
    const capture = this.ctx.capture;
    if (capture.hasListeners('close')) {
      const e: CaptureEvents['close'] = { connectionId: this.id, t: performance.now() };
      if (this.closeReason) e.reason = this.closeReason;
      capture.emit('close', e);
    }
    this.ctx.onClosed(this);
  }

  // -------------------------------------------------------------------------
  // Upgrade (the switch itself is upgrade-handoff.ts)

  private completeUpgrade(rest: Buffer): void {
    const up = this.pendingUpgrade!;
    this.pendingUpgrade = null;
    // Flush anything batched, then hand the socket over without the HTTP listeners.
    if (this.output.batching) this.flush();
    const socket = this.socket;
    socket.removeListener('data', socketOnData);
    socket.removeListener('end', socketOnEnd);
    socket.removeListener('drain', socketOnDrain);
    socket.removeListener('error', socketOnError);
    const result = handOver(this, this.ctx.upgrade!, up, rest, this.ctx.capture, (e) => this.ctx.onError(e));
    if (!result) {
      // Refused (the hook answered and ends the socket) or failed (destroyed): the socket is on its way out.
      if (this.life === 'upgrading') this.moveTo('ended');
      return;
    }
    this.upgradeResult = result;
    this.protocol = 'ws';
    this.moveTo('upgraded');
    this.releaseHttpState();
    this.ctx.onUpgraded?.(this);
  }

  /**
   * After a successful upgrade nothing is read as HTTP again: drop the parser (its state,
   * buffers and chunked decoder), any reference to the upgraded request and the held input
   * chunks, so an idle WebSocket connection keeps only what the capture needs (id,
   * counters, the write taps).
   */
  private releaseHttpState(): void {
    this.parser = null;
    this.current = null;
    this.pendingUpgrade = null;
    this.input.release();
  }
}
