// One accepted socket speaking HTTP/1.1: feeds the parser, builds requests,
// runs handlers through the scheduler, writes responses in request order, and
// enforces the per-connection limits and timeouts. Its parts live beside it:
//   request-reader.ts      the parser's handlers: bytes in, requests out
//   input-window.ts        the chunks the parser is not done with (raw heads)
//   connection-capture.ts  the capture's open and close events
//   output-batcher.ts      write batching, backpressure, drain waiters
//   read-phase.ts          head / body / idle and the timeouts
//   response-queue.ts      responses in request order, handlers run
//   exchange.ts            one request/response pair, error responses
//   upgrade-handoff.ts     giving the socket to the WebSocket endpoint
//   upgraded-connection.ts the small record that replaces this object after an upgrade
//   connection-lifecycle.ts  the one lifecycle state and its transitions
//   connection-types.ts    the context it is built with, what it reports
import type { Socket } from 'node:net';
import type { Endpoint } from '../capture/types.js';
import { HttpParseError } from '../http/parser-types.js';
import type { ConnectionContext, ConnectionSnapshot, ConnectionState } from './connection-types.js';
import { connectionState, isDraining, isEnding, isReading, draining, stoppedReading, transition, type Lifecycle } from './connection-lifecycle.js';
import { OutputBatcher, type BatchOwner } from './output-batcher.js';
import { BodyError, type HttpRequest } from './request.js';
import { captureClosed, captureOpened } from './connection-capture.js';
import { createSocketListeners, type SocketEventsOwner } from '../util/socket-listeners.js';
import { RequestReader, type ReaderOwner } from './request-reader.js';
import { ResponseQueue, type QueueOwner } from './response-queue.js';
import { handOver, upgradeLogEntry } from './upgrade-handoff.js';
import { UpgradedConnection } from './upgraded-connection.js';

export type * from './connection-types.js';
export type { UpgradeHook, UpgradeResult } from './upgrade-handoff.js';
export { refusalResponse } from './exchange.js';

const listeners = createSocketListeners('http-connection');

/** A peer that never closes its side after our FIN is destroyed after this long. */
const LINGER_MS = 2000;

function destroySocket(socket: Socket): void {
  socket.destroy();
}
function flushConnection(c: HttpConnection): void {
  c.flush();
}
/** 'headers timeout' → HEADERS_TIMEOUT; anything else the connection refuses on its own → REQUEST_FAILED. */
function timeoutCode(what: string): string {
  return what.endsWith('timeout') ? what.toUpperCase().replace(/[^A-Z]+/g, '_') : 'REQUEST_FAILED';
}

export class HttpConnection implements ReaderOwner, QueueOwner, BatchOwner, SocketEventsOwner {
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
  private readonly reader: RequestReader;
  /** Responses in request order; the first one owns the socket. */
  private readonly queue: ResponseQueue;
  /** What followed an accepted upgrade request, kept while earlier responses are still owed. */
  private pendingUpgradeRest: Buffer | null = null;
  /** Reading is paused: maxPipelinedRequests responses are owed. */
  private pausedForPipeline = false;
  /** Reading is paused: the output is over its high-water mark (a peer that does not read). */
  private pausedForOutput = false;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    readonly socket: Socket,
    private readonly ctx: ConnectionContext,
  ) {
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.output = new OutputBatcher(this);
    this.queue = new ResponseQueue(this, ctx);
    this.reader = new RequestReader(this, ctx, this.openedAtMono);
    listeners.listen(socket, this);
    captureOpened(ctx.capture, this);
  }

  /**
   * The listener's address when it is bound to one (ConnectionContext.boundLocal), else read on first
   * use (no getsockname per connection where the listener already knows the answer).
   */
  get local(): Endpoint {
    return (this.localValue ??= this.ctx.boundLocal ?? { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 });
  }

  /** The lifecycle state (connection-lifecycle.ts). */
  get lifecycle(): Lifecycle {
    return this.life;
  }

  get state(): ConnectionState {
    return connectionState(this.life, this.protocol, this.queue.length > 0, this.reader.phase === 'body' || this.reader.isMidHead);
  }

  private moveTo(next: Lifecycle): void {
    if (next !== this.life) this.life = transition(this.life, next);
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
    if (!isReading(this.life)) return;
    const output = this.output;
    output.begin();
    this.reader.push(start, chunk);
    if (this.isClosed || output.flushScheduled) return;
    if (this.queue.allFinished()) this.flush();
    else {
      output.flushScheduled = true;
      setImmediate(flushConnection, this);
    }
  }

  // ---- ReaderOwner

  get isReading(): boolean {
    return isReading(this.life);
  }

  get nothingOwed(): boolean {
    return this.queue.length === 0;
  }

  requestArrived(req: HttpRequest): void {
    this.queue.dispatch(req);
    if (this.queue.length >= this.ctx.limits.maxPipelinedRequests && !this.pausedForPipeline) {
      this.pausedForPipeline = true;
      this.updatePause();
    }
  }

  inputStopped(): void {
    this.moveTo(stoppedReading(this.life));
  }

  parseFailed(err: HttpParseError): void {
    this.ctx.onError({ connectionId: this.id, kind: 'parse', message: err.message, status: err.status, code: err.code, error: err });
    this.failWith(err.status, `${err.code}: ${err.message}`, err);
  }

  upgradeReady(rest: Buffer): void {
    if (!this.reader.pendingUpgrade) {
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

  bodyWanted(req: HttpRequest): void {
    this.queue.bodyWanted(req);
  }

  // -------------------------------------------------------------------------
  // QueueOwner, BatchOwner

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
      this.reader.answered();
      if (this.peerEnded || (this.life !== 'reading' && this.reader.phase === 'idle')) {
        this.endSocket();
        return;
      }
    }
    if (this.pausedForPipeline && this.queue.length < this.ctx.limits.maxPipelinedRequests) {
      this.pausedForPipeline = false;
      this.updatePause();
    }
    this.output.settleDrainWaiters();
    if (!this.output.batching) this.checkOutput();
  }

  /**
   * A capture was given this connection's written buffers (it may keep them): latched when
   * they are written, not asked later, so a capture that stops listening afterwards still
   * keeps those buffers from being refilled (static/read-buffer-pool.ts).
   */
  private gaveWrittenBuffers = false;

  get keepsWrittenBuffers(): boolean {
    return this.gaveWrittenBuffers || this.ctx.capture.hasKeepingListeners('chunk');
  }

  countWritten(data: Buffer): void {
    this.bytesOut += data.length;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) {
      // Listeners that copy during the call (util/emitter.ts, ListenerOptions.copies) leave the buffer free.
      if (capture.hasKeepingListeners('chunk')) this.gaveWrittenBuffers = true;
      capture.emit('chunk', { connectionId: this.id, dir: 's2c', t: performance.now(), bytes: data });
    }
  }

  flush(): void {
    this.output.flush(this.life === 'closed');
    if (this.life === 'closing') this.finishEnd();
    else this.checkOutput();
  }

  /**
   * After the output moved (a flush, a drain, a response retired): starts the handlers held for
   * room, and stops reading while the output is over its high-water mark (resumes below it).
   */
  private checkOutput(): void {
    const queue = this.queue;
    const output = this.output;
    // The handlers started here write in one batch, as those of a read do. A batch the kernel
    // takes whole leaves room again at once (no 'drain' follows such a write): go on until the
    // output is full or nothing is held.
    while (this.isOpenForOutput && !output.batching && queue.hasHeld() && queue.hasRoom()) {
      output.begin();
      queue.startHeld();
      output.flush(this.life === 'closed');
      if (this.life === 'closing') this.finishEnd(); // a started handler closed the connection
    }
    if (!this.isOpenForOutput) return;
    const full = !queue.hasRoom();
    if (full !== this.pausedForOutput) {
      this.pausedForOutput = full;
      this.updatePause();
    }
  }

  /** The connection still speaks HTTP on a live socket. */
  private get isOpenForOutput(): boolean {
    const life = this.life;
    return life !== 'closed' && life !== 'upgrading' && life !== 'upgraded';
  }

  /** Pauses or resumes reading after a change of pausedForPipeline, pausedForOutput or the reader's pausedForBody. */
  updatePause(): void {
    const life = this.life;
    if (life === 'closed' || life === 'upgrading' || life === 'upgraded') return;
    if (this.reader.pausedForBody || this.pausedForPipeline || this.pausedForOutput) this.socket.pause();
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
    const req = this.reader.takeCurrent();
    const code = cause instanceof HttpParseError || cause instanceof BodyError ? cause.code : timeoutCode(cause.message);
    const refusal = { stage: req ? 'body' : 'head', status, code, message } as const;
    if (req) {
      req.stages?.refuse(refusal);
      req.fail(new BodyError(code, message, status));
      if (this.queue.failRequest(req, status, message, code === 'CLIENT_ABORTED')) return;
      // Its response already went out (a route that answered without reading the body): one
      // response per request, so the connection ends without another.
      this.endSocket();
      return;
    }
    this.queue.pushError(status, message, this.reader.refusedHead(refusal));
  }

  /**
   * The client closed its side in the middle of `req`'s body: a client abort, not a server
   * error. One line is reported (no stack trace), the handler's body() rejects with a
   * BodyError (CLIENT_ABORTED), and the request is answered 400 in its place (as node:http
   * does) when its response has not started.
   */
  private clientAborted(req: HttpRequest): void {
    const err = new BodyError('CLIENT_ABORTED', 'the client closed its side in the middle of the request body', 400);
    this.ctx.onError({ connectionId: this.id, kind: 'abort', message: `${req.method} ${req.target}: ${err.message}`, status: 400, code: err.code });
    req.abort(err);
    this.failWith(400, err.message, err);
  }

  /** Called by the listener's sweep. */
  checkTimeouts(now: number): void {
    const life = this.life;
    if (life === 'closed' || life === 'upgraded' || life === 'ended' || life === 'closing') return;
    if (this.reader.pausedForBody || this.pausedForPipeline) return;
    // Not reading because the peer does not read: its input is not late (an idle keep-alive still is).
    if (this.pausedForOutput && this.reader.phase !== 'idle') return;
    const l = this.ctx.limits;
    const expired = this.reader.expired(now, l, isReading(life));
    if (expired === 'headers timeout') this.timeout(expired, l.headersTimeout);
    else if (expired === 'request timeout') this.timeout(expired, l.requestTimeout);
    else if (expired === 'keep-alive timeout') {
      this.closeReason = expired;
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
    if (life === 'upgraded') return; // the record in the listener's set closes the new protocol
    this.moveTo(draining(life));
    if (this.queue.length > 0) this.queue.endEventStreams(() => new Error('the server is closing'));
    if (this.queue.length === 0 && (this.reader.phase === 'idle' || !this.reader.isMidHead)) this.endSocket();
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
    const current = this.reader.current;
    if (current && isReading(this.life)) this.clientAborted(current);
    // Errors are built only when there is something to abort (a stack trace per connection is not free).
    let reason: Error | undefined;
    const why = () => (reason ??= new Error('the client closed its side of the connection'));
    this.reader.current?.abort(why());
    this.queue.peerEnded(why);
    if (this.queue.length === 0) {
      this.endSocket();
      return;
    }
    this.lingerTimer = setTimeout(() => this.destroy('client closed'), this.ctx.limits.closeTimeout);
    this.lingerTimer.unref();
  }

  handleDrain(): void {
    this.output.resolveDrainWaiters();
    this.checkOutput();
  }

  handleError(err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.closeReason = code === 'ECONNRESET' ? 'reset' : err.message;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') this.ctx.onError({ connectionId: this.id, kind: 'socket', message: err.message, error: err });
  }

  handleClose(): void {
    if (this.life === 'closed') return;
    this.moveTo('closed');
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    let reason: Error | undefined;
    const why = () => (reason ??= new Error(this.closeReason ?? 'connection closed'));
    // A request still being read fails with the reason. One read whole stays current when the
    // connection stopped reading right after it (a `Connection: close` request answered at once):
    // its exchange, when unfinished, is aborted through the queue below, and a retired one needs no
    // reason built (an Error per closed connection was 3% of the CPU with a new connection per request).
    const current = this.reader.current;
    if (current !== null && !current.bodyComplete) current.abort(why());
    this.queue.abortAll(why, true);
    this.output.resolveDrainWaiters();
    captureClosed(this.ctx.capture, this.id, this.closeReason);
    this.ctx.onClosed(this);
  }

  // -------------------------------------------------------------------------
  // Upgrade (the switch itself is upgrade-handoff.ts)

  private completeUpgrade(rest: Buffer): void {
    const up = this.reader.pendingUpgrade!;
    this.reader.pendingUpgrade = null;
    // Flush anything batched, then hand the socket over without the HTTP listeners (only 'close' stays).
    if (this.output.batching) this.flush();
    listeners.stop(this.socket, false);
    // The record counts and captures from here on; it replaces this object once the hook accepted.
    const record = new UpgradedConnection(this, this.ctx);
    const result = handOver(record, this.ctx.upgrade!, up, rest, this.ctx.capture, this.ctx);
    if (!result) {
      // Refused (the hook answered and ends the socket) or failed (destroyed): the socket is on its way out,
      // still this connection's (its counters include the refusal).
      this.bytesIn = record.bytesIn;
      this.bytesOut = record.bytesOut;
      if (this.life === 'upgrading') this.moveTo('ended');
      return;
    }
    if (up.req.stages && this.ctx.wantsRequestLog()) this.ctx.onRequestLog(upgradeLogEntry(this, up.req, result));
    this.protocol = 'ws';
    this.moveTo('upgraded');
    // Nothing is read as HTTP again: the record takes this object's place (the listener's set, the
    // socket's 'close'), so an idle WebSocket connection keeps none of the HTTP side.
    this.reader.release();
    listeners.setOwner(this.socket, record);
    this.ctx.onUpgraded(this, record);
  }
}
