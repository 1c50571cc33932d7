// One accepted socket speaking HTTP/1.1: feeds the parser, builds requests,
// runs handlers through the scheduler, writes responses in request order, and
// enforces the per-connection limits and timeouts.
//
// Write batching: the bytes written while one read is being handled (and until
// the setImmediate after it, so async handlers that finish within microtasks
// join in) go out in one socket write. A pipelined batch of requests is
// answered with one write, which is where most of the gain over node:http is.
import type { Socket } from 'node:net';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import type { Handler } from '../http/handler-types.js';
import {
  HttpParseError,
  type ChunkHeader,
  type HeaderField,
  type HeadDecision,
  type HttpParserHandlers,
  type HttpParserLimits,
  type MessageHead,
  type Span,
} from '../http/parser-types.js';
import type { Emitter } from '../util/emitter.js';
import type { ServerLimits } from './limits.js';
import { HttpRequest, BodyError, type RequestOwner } from './request.js';
import { HttpResponse, type ResponseSink, serializeResponse } from './response-writer.js';
import { reasonPhrase } from './status-codes.js';
import { Job, type Scheduler } from './scheduler.js';

/** What the connection needs from a parser: HttpMessageParser in request mode. */
export interface RequestParser {
  push(chunk: Buffer): void;
}
export type RequestParserFactory = (handlers: HttpParserHandlers, limits: HttpParserLimits) => RequestParser;

/** A WebSocket (or other) upgrade offered by the server: decided on the head, carried out on the socket. */
export interface UpgradeHook {
  /** Whether this request's path has an upgrade endpoint; the returned token is handed back to `accept`. */
  match(req: HttpRequest): unknown | undefined;
  /**
   * Takes the socket over. Returns the negotiated extensions (for the capture's
   * switch event) and a close function for graceful shutdown, or null when the
   * handshake was refused (the hook wrote the refusal and ends the socket).
   */
  accept(req: HttpRequest, socket: Socket, rest: Buffer, token: unknown, connectionId: string): UpgradeResult | null;
}
export interface UpgradeResult {
  extensions?: string;
  /** Bytes the hook wrote before the new protocol starts (the 101 response), for the switch offset. */
  handshakeBytes?: number;
  close?(): void;
}

export interface RequestLogEntry {
  connectionId: string;
  index: number;
  method: string;
  target: string;
  status: number;
  /** Response bytes as written (head and framed body). */
  bytes: number;
  /** From the end of the request head to the end of the response, ms. */
  durationMs: number;
  remote: Endpoint;
}

export interface ConnectionErrorEntry {
  connectionId: string;
  /** 'handler' for a handler that threw; 'parse' for bytes refused; 'socket' for a socket error. */
  kind: 'handler' | 'parse' | 'socket' | 'timeout';
  message: string;
  status?: number;
  code?: string;
  error?: unknown;
}

export type ConnectionState = 'idle' | 'reading' | 'handling' | 'closing' | 'upgraded' | 'closed';

export interface ConnectionSnapshot {
  id: string;
  remote: Endpoint;
  local: Endpoint;
  protocol: 'http' | 'ws';
  /** Wall clock (Date.now()) when accepted. */
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  state: ConnectionState;
}

/** Everything a connection shares with its server. */
export interface ConnectionContext {
  readonly limits: ServerLimits;
  readonly parserLimits: HttpParserLimits;
  readonly createParser: RequestParserFactory;
  readonly scheduler: Scheduler;
  readonly capture: Emitter<CaptureEvents>;
  getHandler(): Handler;
  readonly upgrade: UpgradeHook | undefined;
  /** Only called when someone listens (check `wantsRequestLog`). */
  onRequestLog(entry: RequestLogEntry): void;
  readonly wantsRequestLog: () => boolean;
  onError(entry: ConnectionErrorEntry): void;
  onClosed(conn: HttpConnection): void;
  onUpgraded?(conn: HttpConnection): void;
}

class ConnResponse extends HttpResponse {
  /** Bytes written while an earlier response still had the socket. */
  pending: Buffer[] | null = null;
  pendingBytes = 0;
  constructor(
    sink: ResponseSink,
    ctx: ConstructorParameters<typeof HttpResponse>[1],
    readonly exchange: Exchange,
  ) {
    super(sink, ctx);
  }
}

interface Exchange {
  req: HttpRequest | null;
  res: ConnResponse;
  job: Job | null;
  /** performance.now() at the end of the head. */
  t0: number;
  continueSent: boolean;
  /** The handler failed after the head went out: the connection must end after what was written. */
  broken: boolean;
  /** The connection put an error response in the handler's place. */
  replaced?: boolean;
}

const HIGH_WATER = 64 * 1024;
const BODY_PAUSE_BYTES = 1024 * 1024;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');
const CONCAT_LIMIT = 256 * 1024;

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
  this[kConnection].resolveDrainWaiters();
}
function destroySocket(socket: Socket): void {
  socket.destroy();
}
function flushConnection(c: HttpConnection): void {
  c.flush();
}

export class HttpConnection implements ResponseSink, RequestOwner, HttpParserHandlers {
  readonly openedAt = Date.now();
  readonly openedAtMono = performance.now();
  readonly remote: Endpoint;
  private localValue: Endpoint | undefined;
  bytesIn = 0;
  bytesOut = 0;
  requests = 0;
  protocol: 'http' | 'ws' = 'http';

  /** Released (null) once the connection has switched protocols: nothing is parsed as HTTP again. */
  private parser: RequestParser | null;
  private readonly exchanges: Exchange[] = [];
  /** Parsing stopped: after an error, a request asking to close, or an upgrade. */
  private parsing = true;
  private closed = false;
  /** Graceful shutdown asked: close once idle. */
  private draining = false;
  private clientEnded = false;
  private ending = false;
  private upgradeResult: UpgradeResult | null = null;

  // Batching
  private batching = false;
  private flushScheduled = false;
  private outBufs: Buffer[] | null = null;
  private outBytes = 0;
  private drainWaiters: (() => void)[] | null = null;

  // Parse state
  private current: HttpRequest | null = null;
  private currentUpgrade: { req: HttpRequest; token: unknown } | null = null;
  private chunkStart = 0;
  private chunkEnd = 0;
  private held: { start: number; buf: Buffer }[] = [];
  private consumedUpTo = 0;

  // Timeouts (performance.now() based, checked by the listener's sweep)
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

  get state(): ConnectionState {
    if (this.closed) return 'closed';
    if (this.protocol === 'ws') return 'upgraded';
    if (this.ending || this.draining) return 'closing';
    if (this.exchanges.length > 0) return 'handling';
    if (this.phase === 'body' || this.isMidHead()) return 'reading';
    return 'idle';
  }

  private isMidHead(): boolean {
    return this.phase === 'head' && this.held.length > 0;
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
    if (this.closed) return;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 'c2s', t: performance.now(), bytes: chunk });
    this.chunkStart = this.bytesIn;
    this.bytesIn += chunk.length;
    this.chunkEnd = this.bytesIn;
    const parser = this.parser;
    if (!this.parsing || parser === null) return;
    if (this.phase === 'idle') this.enterPhase('head');
    this.held.push({ start: this.chunkStart, buf: chunk });
    this.batching = true;
    parser.push(chunk);
    this.pruneHeld();
    if (this.closed) return;
    if (this.flushScheduled) return;
    if (this.allFinished()) this.flush();
    else {
      this.flushScheduled = true;
      setImmediate(flushConnection, this);
    }
  }

  private allFinished(): boolean {
    for (const ex of this.exchanges) if (!ex.res.finished) return false;
    return true;
  }

  private pruneHeld(): void {
    const held = this.held;
    let drop = 0;
    while (drop < held.length && held[drop].start + held[drop].buf.length <= this.consumedUpTo) drop++;
    if (drop === held.length) held.length = 0;
    else if (drop > 0) held.splice(0, drop);
  }

  private slice(span: Span): Buffer {
    const parts: Buffer[] = [];
    for (const { start, buf } of this.held) {
      const end = start + buf.length;
      if (end <= span.start || start >= span.end) continue;
      parts.push(buf.subarray(Math.max(0, span.start - start), Math.min(buf.length, span.end - start)));
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private enterPhase(phase: Phase): void {
    this.phase = phase;
    this.phaseStart = performance.now();
  }

  // ---- HttpParserHandlers

  onBody(data: Buffer, span: Span): void {
    if (span.end > this.consumedUpTo) this.consumedUpTo = span.end;
    const req = this.current;
    if (!req) return;
    req.pushBody(data);
    if (req.bufferedBytes > BODY_PAUSE_BYTES && !this.pausedForBody) {
      this.pausedForBody = true;
      this.updatePause();
    }
  }

  onChunkHeader(chunk: ChunkHeader): void {
    if (chunk.span.end > this.consumedUpTo) this.consumedUpTo = chunk.span.end;
  }

  onTrailers(_trailers: HeaderField[], span: Span): void {
    if (span.end > this.consumedUpTo) this.consumedUpTo = span.end;
  }

  onError(err: HttpParseError): void {
    this.onParseError(err);
  }

  onHead(head: MessageHead): HeadDecision {
    // The parser goes on through the rest of the chunk; what follows a request that
    // asked to close, an error or an upgrade is never handled.
    if (head.kind !== 'request' || !this.parsing) return;
    if (head.headSpan.end > this.consumedUpTo) this.consumedUpTo = head.headSpan.end;
    const index = ++this.requests;
    const req = new HttpRequest(this.id, index, head, this.slice(head.headSpan), this.remote, this, this.ctx.limits.maxBodyBytes);
    this.current = req;
    this.enterPhaseKeepStart('body');
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
        this.currentUpgrade = { req, token };
        return 'upgrade';
      }
    }
    this.dispatch(req);
    return;
  }

  /** Head done, body next: the request timeout keeps counting from the first byte of the head. */
  private enterPhaseKeepStart(phase: Phase): void {
    this.phase = phase;
  }

  onMessageComplete(span: Span): void {
    if (span.end > this.consumedUpTo) this.consumedUpTo = span.end;
    if (!this.parsing) return;
    const req = this.current;
    this.current = null;
    if (req) {
      req.endBody();
      if (this.currentUpgrade?.req === req) return;
      if (!req.head.keepAlive) this.parsing = false; // nothing after a closing request is read
    }
    if (span.end < this.chunkEnd && this.parsing && !this.onlyLineBreaksAfter(span.end)) this.enterPhase('head');
    else this.becomeIdleIfDone();
  }

  /** Some clients send a stray CRLF after a body; that does not start a request (RFC 9112 §2.2). */
  private onlyLineBreaksAfter(offset: number): boolean {
    const last = this.held[this.held.length - 1];
    if (!last) return false;
    for (let i = offset - last.start; i < last.buf.length; i++) {
      const b = last.buf[i];
      if (b !== 13 && b !== 10) return false;
    }
    return true;
  }

  private becomeIdleIfDone(): void {
    this.phase = 'idle';
    if (this.exchanges.length === 0) this.idleSince = performance.now();
  }

  // -------------------------------------------------------------------------
  // Dispatch

  private dispatch(req: HttpRequest): void {
    const head = req.head;
    const t0 = this.ctx.wantsRequestLog() ? performance.now() : 0;
    const ex: Exchange = { req, res: null!, job: null, t0, continueSent: false, broken: false };
    ex.res = new ConnResponse(this, { head: head.method === 'HEAD', http10: head.versionMinor === 0 && head.versionMajor === 1, keepAlive: head.keepAlive }, ex);
    this.exchanges.push(ex);
    if (this.exchanges.length >= this.ctx.limits.maxPipelinedRequests && !this.pausedForPipeline) {
      this.pausedForPipeline = true;
      this.updatePause();
    }
    const job = new Job(this.id, req.index, head.method, head.target, () => this.runHandler(ex));
    ex.job = job;
    this.ctx.scheduler.submit(job);
  }

  private runHandler(ex: Exchange): void {
    const { req, res } = ex;
    if (!req || res.finished) {
      if (ex.job) this.ctx.scheduler.finish(ex.job, true);
      return;
    }
    let result: void | Promise<void>;
    try {
      result = this.ctx.getHandler()(req, res);
    } catch (err) {
      this.handlerFailed(ex, err);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(undefined, (err: unknown) => this.handlerFailed(ex, err));
    }
  }

  private handlerFailed(ex: Exchange, err: unknown): void {
    const res = ex.res;
    // Closed, or the connection already answered for it (a refused body: the handler's body() rejected).
    if (this.closed || res.isDetached || ex.replaced) return;
    const bodyErr = err instanceof BodyError ? err : undefined;
    const status = bodyErr ? bodyErr.status : 500;
    this.ctx.onError({
      connectionId: this.id,
      kind: 'handler',
      message: `handler for ${ex.req?.method} ${ex.req?.target} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      status,
      error: err,
    });
    if (res.finished) return;
    if (!res.headOnWire) {
      this.replaceWithError(ex, status, bodyErr ? bodyErr.message : 'the handler failed');
      return;
    }
    // The head is out: the response cannot be completed honestly; end the connection after it.
    ex.broken = true;
    res.detach();
    this.responseFinished(res);
  }

  /** Puts an error response in the exchange's place; the handler's response becomes inert. */
  private replaceWithError(ex: Exchange, status: number, message: string): void {
    ex.res.detach();
    ex.replaced = true;
    const res = new ConnResponse(this, { head: ex.res.context.head, http10: false, keepAlive: false }, ex);
    ex.res = res;
    writeErrorResponse(res, status, message);
  }

  // -------------------------------------------------------------------------
  // ResponseSink

  writeResponseBytes(res: HttpResponse, data: Buffer): boolean {
    const r = res as ConnResponse;
    if (this.closed) return true;
    if (this.exchanges[0] !== r.exchange || r.exchange.res !== r) {
      (r.pending ??= []).push(data);
      r.pendingBytes += data.length;
      return r.pendingBytes < HIGH_WATER;
    }
    return this.out(data);
  }

  waitForDrain(res: HttpResponse): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      (this.drainWaiters ??= []).push(resolve);
      if (this.exchanges[0] === (res as ConnResponse).exchange && !this.socket.writableNeedDrain && !this.batching) this.resolveDrainWaiters();
    });
  }

  mustClose(res: HttpResponse): boolean {
    const ex = (res as ConnResponse).exchange;
    if (!res.context.keepAlive || this.draining || this.clientEnded) return true;
    const req = ex.req;
    // Expect: 100-continue answered with a final status before any body: the client
    // may or may not send the body, so the stream cannot be trusted afterwards.
    if (req && req.head.expectContinue && !ex.continueSent && !req.bodyComplete) return true;
    return false;
  }

  responseFinished(res: HttpResponse): void {
    const r = res as ConnResponse;
    if (r.exchange.t0 !== 0) r.finishedAt = performance.now();
    if (this.exchanges[0] === r.exchange && r.exchange.res === r) this.advance();
  }

  // RequestOwner
  bodyWanted(req: HttpRequest): void {
    const ex = this.exchanges.find((e) => e.req === req);
    if (!ex || ex.continueSent || req.bodyComplete) return;
    if (req.head.expectContinue && req.head.versionMinor >= 1 && !ex.res.headersSent) {
      ex.continueSent = true;
      this.writeResponseBytes(ex.res, CONTINUE);
    }
  }

  bodyConsumed(req: HttpRequest): void {
    if (this.pausedForBody && req.bufferedBytes < BODY_PAUSE_BYTES / 2) {
      this.pausedForBody = false;
      this.updatePause();
    }
  }

  // -------------------------------------------------------------------------
  // Writing

  private out(data: Buffer): boolean {
    if (this.batching) {
      (this.outBufs ??= []).push(data);
      this.outBytes += data.length;
      return this.outBytes < HIGH_WATER;
    }
    return this.socketWrite(data);
  }

  private socketWrite(data: Buffer): boolean {
    this.bytesOut += data.length;
    const capture = this.ctx.capture;
    if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 's2c', t: performance.now(), bytes: data });
    this.socket.write(data);
    // Our own high-water mark rather than the socket's 16 KiB: a 64 KiB file chunk
    // that the kernel took at once does not cost the handler a drain round trip.
    // When this says false the socket has flagged needDrain, so 'drain' will come.
    return this.socket.writableLength < HIGH_WATER;
  }

  flush(): void {
    this.flushScheduled = false;
    this.batching = false;
    const bufs = this.outBufs;
    if (bufs !== null && !this.closed) {
      this.outBufs = null;
      const total = this.outBytes;
      this.outBytes = 0;
      if (bufs.length === 1) this.socketWrite(bufs[0]);
      else if (total <= CONCAT_LIMIT) this.socketWrite(Buffer.concat(bufs, total));
      else {
        this.socket.cork();
        for (const b of bufs) this.socketWrite(b);
        this.socket.uncork();
      }
    }
    if (this.drainWaiters !== null && !this.socket.writableNeedDrain) this.resolveDrainWaiters();
    if (this.pendingEnd) this.finishEnd();
  }

  resolveDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    for (const w of waiters) w();
  }

  /** The first response finished: retire it (and every finished one behind it) and let the next one write. */
  private advance(): void {
    const exs = this.exchanges;
    while (exs.length > 0 && exs[0].res.finished) {
      const ex = exs.shift()!;
      if (ex.job) this.ctx.scheduler.finish(ex.job);
      if (ex.req && !ex.res.isDetached && this.ctx.wantsRequestLog()) {
        this.ctx.onRequestLog({
          connectionId: this.id,
          index: ex.req.index,
          method: ex.req.method,
          target: ex.req.target,
          status: ex.res.statusCode,
          bytes: ex.res.bytesWritten,
          durationMs: ex.res.finishedAt - ex.t0,
          remote: this.remote,
        });
      }
      if (ex.res.closeAfter || ex.res.incomplete || ex.broken) {
        this.parsing = false;
        const clean = exs.length === 0 && ex.req !== null && ex.req.bodyComplete && !ex.broken && !ex.res.incomplete;
        for (const rest of exs.splice(0)) {
          rest.req?.abort(new Error('connection closing'));
          rest.res.detach();
          if (rest.job) this.ctx.scheduler.finish(rest.job, true);
        }
        this.endSocket(clean);
        return;
      }
      const next = exs[0];
      if (next && next.res.pending) {
        const pending = next.res.pending;
        next.res.pending = null;
        next.res.pendingBytes = 0;
        for (const b of pending) this.out(b);
      }
    }
    if (exs.length === 0) {
      if (this.pendingUpgradeRest) {
        const rest = this.pendingUpgradeRest;
        this.pendingUpgradeRest = null;
        this.completeUpgrade(rest);
        return;
      }
      if (this.phase === 'idle') this.idleSince = performance.now();
      if (this.clientEnded || (this.draining && this.phase === 'idle') || (!this.parsing && this.phase === 'idle')) {
        this.endSocket();
        return;
      }
    }
    if (this.pausedForPipeline && exs.length < this.ctx.limits.maxPipelinedRequests) {
      this.pausedForPipeline = false;
      this.updatePause();
    }
    if (this.drainWaiters !== null && !this.batching && !this.socket.writableNeedDrain) this.resolveDrainWaiters();
  }

  private updatePause(): void {
    if (this.closed || this.protocol === 'ws' || this.pendingUpgradeRest !== null) return;
    if (this.pausedForBody || this.pausedForPipeline) this.socket.pause();
    else this.socket.resume();
  }

  // -------------------------------------------------------------------------
  // Errors, timeouts, closing

  private onParseError(err: HttpParseError): void {
    if (!this.parsing) return;
    this.ctx.onError({ connectionId: this.id, kind: 'parse', message: err.message, status: err.status, code: err.code, error: err });
    this.failWith(err.status, `${err.code}: ${err.message}`, err);
  }

  /**
   * The client's bytes cannot be used any further: answer `status` after the
   * responses already due, with Connection: close, then close.
   */
  private failWith(status: number, message: string, cause: Error): void {
    this.parsing = false;
    const req = this.current;
    this.current = null;
    if (req) {
      req.fail(new BodyError(cause instanceof HttpParseError ? cause.code : 'REQUEST_FAILED', message, status));
      const ex = this.exchanges.find((e) => e.req === req);
      if (ex) {
        if (!ex.res.headOnWire && !ex.res.finished) {
          if (ex.job) this.ctx.scheduler.finish(ex.job, true);
          ex.job = null;
          this.replaceWithError(ex, status, message);
        } else {
          // The handler is already answering; the response cannot be trusted to end cleanly.
          ex.broken = true;
        }
        return;
      }
    }
    const ex: Exchange = { req: null, res: null!, job: null, t0: performance.now(), continueSent: false, broken: false };
    ex.res = new ConnResponse(this, { head: false, http10: false, keepAlive: false }, ex);
    this.exchanges.push(ex);
    writeErrorResponse(ex.res, status, message);
  }

  /** Called by the listener's sweep. */
  checkTimeouts(now: number): void {
    if (this.closed || this.protocol === 'ws' || this.ending) return;
    if (this.pausedForBody || this.pausedForPipeline) return;
    const l = this.ctx.limits;
    if (this.parsing && (this.phase === 'head' || this.phase === 'body')) {
      const elapsed = now - this.phaseStart;
      if (this.phase === 'head' && elapsed > l.headersTimeout) {
        this.timeout('headers timeout', l.headersTimeout);
      } else if (elapsed > l.requestTimeout) {
        this.timeout('request timeout', l.requestTimeout);
      }
      return;
    }
    if (this.phase === 'idle' && this.exchanges.length === 0 && now - this.idleSince > l.keepAliveTimeout) {
      this.closeReason = 'keep-alive timeout';
      this.endSocket();
    }
  }

  private timeout(what: string, ms: number): void {
    this.ctx.onError({ connectionId: this.id, kind: 'timeout', message: `${what} (${ms} ms)`, status: 408 });
    this.closeReason = what;
    this.failWith(408, `${what}: the request did not arrive within ${ms} ms`, new Error(what));
  }

  /** Graceful close: stop reading new requests once the ones in progress are answered. */
  shutdown(): void {
    if (this.closed) return;
    if (this.protocol === 'ws') {
      this.upgradeResult?.close?.();
      return;
    }
    this.draining = true;
    if (this.exchanges.length === 0 && (this.phase === 'idle' || !this.isMidHead())) this.endSocket();
  }

  destroy(reason = 'destroyed'): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private closeReason: string | undefined;
  private pendingEnd = false;
  private endClean = false;

  /**
   * Ends our side after the queued bytes. `clean`: the last request was read
   * whole and answered, nothing unread can follow (a `Connection: close`
   * exchange), so the socket is destroyed as soon as our FIN is out, as
   * node:http does. Otherwise (an error response with input possibly still
   * arriving) the socket lingers until the peer closes, so the peer is not
   * reset before it read the response; a peer that never closes is destroyed
   * after 2 s.
   */
  private endSocket(clean = false): void {
    if (this.ending || this.closed) return;
    this.parsing = false;
    this.endClean = clean;
    if (this.batching) {
      this.pendingEnd = true;
      return;
    }
    this.finishEnd();
  }

  private finishEnd(): void {
    this.pendingEnd = false;
    if (this.ending || this.closed) return;
    this.ending = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.endClean) {
      const socket = this.socket;
      socket.end(() => socket.destroy());
      return;
    }
    this.socket.end();
    // A peer that never closes its side does not keep the socket (no timer needed when it already has).
    if (!this.clientEnded) {
      this.lingerTimer = setTimeout(destroySocket, 2000, this.socket);
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
    this.clientEnded = true;
    if (this.isUpgrading()) return;
    // Errors are built only when there is something to abort (a stack trace per connection is not free).
    let reason: Error | undefined;
    const why = () => (reason ??= new Error('the client closed its side of the connection'));
    if (this.current) this.current.abort(why());
    let dropped = false;
    for (const ex of this.exchanges) {
      if (ex.res.finished) continue;
      ex.req?.abort(why());
      // Still waiting in the sequential queue: it never runs.
      if (ex.job && ex.job.state === 'queued') {
        this.ctx.scheduler.finish(ex.job, true);
        ex.job = null;
        ex.res.detach();
        dropped = true;
      }
    }
    if (dropped && this.exchanges[0]?.res.finished) this.advance();
    if (this.exchanges.length === 0) {
      this.endSocket();
      return;
    }
    this.lingerTimer = setTimeout(() => this.destroy('client closed'), this.ctx.limits.closeTimeout);
    this.lingerTimer.unref();
  }

  private isUpgrading(): boolean {
    return this.currentUpgrade !== null || this.pendingUpgradeRest !== null;
  }

  handleError(err: Error): void {
    this.closeReason = (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'reset' : err.message;
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') {
      this.ctx.onError({ connectionId: this.id, kind: 'socket', message: err.message, error: err });
    }
  }

  handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    let reason: Error | undefined;
    const why = () => (reason ??= new Error(this.closeReason ?? 'connection closed'));
    if (this.current) this.current.abort(why());
    for (const ex of this.exchanges.splice(0)) {
      if (!ex.res.finished) ex.req?.abort(why());
      ex.res.detach();
      if (ex.job) this.ctx.scheduler.finish(ex.job, true);
    }
    this.resolveDrainWaiters();
    const capture = this.ctx.capture;
    if (capture.hasListeners('close')) {
      const e: CaptureEvents['close'] = { connectionId: this.id, t: performance.now() };
      if (this.closeReason) e.reason = this.closeReason;
      capture.emit('close', e);
    }
    this.ctx.onClosed(this);
  }

  // -------------------------------------------------------------------------
  // Upgrade

  private pendingUpgradeRest: Buffer | null = null;

  /**
   * After an upgrade the new owner writes to the socket directly; these
   * wrappers count and capture its bytes (the 101 included) without copying.
   */
  private tapWrites(socket: Socket): void {
    const write = socket.write as unknown as WriteFn;
    const end = socket.end as unknown as EndFn;
    const seen = (chunk: unknown, encoding: unknown) => {
      const buf = asBuffer(chunk, encoding);
      if (!buf || buf.length === 0) return;
      this.bytesOut += buf.length;
      const capture = this.ctx.capture;
      if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 's2c', t: performance.now(), bytes: buf });
    };
    (socket as unknown as { write: WriteFn }).write = function (this: Socket, chunk, encoding, cb) {
      seen(chunk, encoding);
      return write.call(this, chunk, encoding, cb);
    };
    (socket as unknown as { end: EndFn }).end = function (this: Socket, chunk, encoding, cb) {
      if (chunk !== undefined && typeof chunk !== 'function') seen(chunk, encoding);
      return end.call(this, chunk, encoding, cb);
    };
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
    this.currentUpgrade = null;
    this.held = [];
    this.consumedUpTo = 0;
  }

  onUpgrade(rest: Buffer): void {
    this.parsing = false;
    if (!this.currentUpgrade) {
      this.endSocket();
      return;
    }
    // Responses still owed to earlier pipelined requests go first; nothing is read meanwhile.
    if (this.exchanges.length > 0) {
      this.pendingUpgradeRest = Buffer.from(rest);
      this.socket.pause();
      return;
    }
    this.completeUpgrade(rest);
  }

  private completeUpgrade(rest: Buffer): void {
    const up = this.currentUpgrade!;
    this.currentUpgrade = null;
    const hook = this.ctx.upgrade!;
    // Flush anything batched, then hand the socket over.
    if (this.batching) this.flush();
    const socket = this.socket;
    socket.removeListener('data', socketOnData);
    socket.removeListener('end', socketOnEnd);
    socket.removeListener('drain', socketOnDrain);
    socket.removeListener('error', socketOnError);
    socket.on('error', () => {}); // the new owner reports its own errors
    const c2sOffset = this.bytesIn - rest.length;
    this.tapWrites(socket);
    // Keep counting and capturing after the switch (the new owner reads the same chunks).
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      const capture = this.ctx.capture;
      if (capture.hasListeners('chunk')) capture.emit('chunk', { connectionId: this.id, dir: 'c2s', t: performance.now(), bytes: chunk });
    });
    // Reading may have been paused (pipeline depth, a pending upgrade): the new owner reads now.
    if (socket.isPaused()) socket.resume();
    let result: UpgradeResult | null = null;
    try {
      result = hook.accept(up.req, socket, rest, up.token, this.id);
    } catch (err) {
      this.ctx.onError({ connectionId: this.id, kind: 'handler', message: `upgrade failed: ${String(err)}`, error: err });
      socket.destroy();
      return;
    }
    if (!result) return; // refused: the hook answered and ends the socket
    this.upgradeResult = result;
    this.protocol = 'ws';
    this.releaseHttpState();
    // The hook wrote its 101 synchronously; frames start on a later tick.
    const s2cOffset = this.bytesOut;
    const capture = this.ctx.capture;
    if (capture.hasListeners('switch')) {
      const e: CaptureEvents['switch'] = {
        connectionId: this.id,
        t: performance.now(),
        protocol: 'ws',
        c2sOffset,
        s2cOffset,
      };
      if (result.extensions) e.extensions = result.extensions;
      capture.emit('switch', e);
    }
    this.ctx.onUpgraded?.(this);
  }
}

/** Whether a head carries an Upgrade header field (whatever Connection says). */
function hasUpgradeField(head: MessageHead): boolean {
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i].name;
    if (name.length === 7 && name.toLowerCase() === 'upgrade') return true;
  }
  return false;
}

type WriteFn = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;
type EndFn = (chunk?: unknown, encoding?: unknown, cb?: unknown) => Socket;

function asBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return undefined;
}

/** A short plain-text error response that closes the connection. */
function writeErrorResponse(res: HttpResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Connection', 'close');
  res.end(`${status} ${reasonPhrase(status)}: ${message}\n`);
}

/** A complete response for a socket refused before any HTTP was read (max connections). */
export function refusalResponse(status: number, message: string): Buffer {
  return serializeResponse({
    statusCode: status,
    headers: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Connection', 'close'],
    ],
    body: `${status} ${reasonPhrase(status)}: ${message}\n`,
  });
}
