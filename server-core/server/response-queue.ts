// The responses of one server connection in request order (HTTP/1.1
// pipelining): each request becomes an exchange queued here and a job for the
// scheduler; only the first exchange's response writes to the socket, the
// ones behind it keep their bytes until it is done. A handler that throws is
// answered by an error response in its place. The queue tells its connection
// when the front moved and when a response closes the connection; what
// happens then (end, upgrade, idle) is the connection's business.
import type { Endpoint } from '../capture/types.js';
import type { ConnectionContext } from './connection-types.js';
import { CONTINUE, ConnResponse, newExchange, writeErrorResponse, type Exchange } from './exchange.js';
import { HIGH_WATER, type OutputBatcher } from './output-batcher.js';
import { BodyError, type HttpRequest } from './request.js';
import type { HttpResponseWriter, ResponseSink } from './response-writer.js';
import type { StageRecorder } from './request-stages.js';
import type { StageNotingHandler } from '../http/handler-types.js';
import { Job } from './scheduler.js';

/** What the queue needs from its connection. */
export interface QueueOwner {
  readonly id: string;
  /** Requests read so far (a refused head is numbered after them). */
  readonly requests: number;
  readonly remote: Endpoint;
  readonly output: OutputBatcher;
  /** The socket closed: writes are dropped. */
  readonly isClosed: boolean;
  /** Every response closes the connection from now on (graceful shutdown, or the peer ended). */
  readonly closesAfterEveryResponse: boolean;
  /** A response that closes the connection was retired (the exchanges behind it were aborted). */
  endAfterResponse(clean: boolean): void;
  /** The queue retired the finished responses at its front. */
  afterAdvance(): void;
}

export class ResponseQueue implements ResponseSink {
  private readonly exchanges: Exchange[] = [];

  constructor(
    private readonly owner: QueueOwner,
    private readonly ctx: ConnectionContext,
  ) {}

  get length(): number {
    return this.exchanges.length;
  }

  get first(): Exchange | undefined {
    return this.exchanges[0];
  }

  find(req: HttpRequest): Exchange | undefined {
    return this.exchanges.find((e) => e.req === req);
  }

  allFinished(): boolean {
    for (const ex of this.exchanges) if (!ex.res.finished) return false;
    return true;
  }

  /**
   * Queues a request and submits its handler to the scheduler — or holds it while the output is
   * over its high-water mark (a pipelining peer that does not read must not get every answer
   * built): startHeld() submits it when there is room again.
   */
  dispatch(req: HttpRequest): void {
    // The log's duration starts at the end of the head: the record's headParsed, when there is one.
    const rec = req.stages;
    const ex = newExchange(this, req, rec ? rec.headParsed : this.ctx.wantsRequestLog() ? performance.now() : 0);
    this.exchanges.push(ex);
    const job = new Job(this.owner.id, req.index, req.head.method, req.head.target, () => this.runHandler(ex));
    ex.job = job;
    if (this.hasRoom()) this.ctx.scheduler.submit(job);
  }

  /**
   * Whether the output can take more: the bytes not yet taken by the kernel (the open batch, the
   * socket's buffer) and those held by responses waiting for their turn, under HIGH_WATER.
   */
  hasRoom(): boolean {
    let queued = this.owner.output.queued;
    if (queued >= HIGH_WATER) return false;
    const exs = this.exchanges;
    for (let i = 1; i < exs.length; i++) queued += exs[i].res.pendingBytes;
    return queued < HIGH_WATER;
  }

  /** Whether a request waits for room before its handler starts. */
  hasHeld(): boolean {
    return this.exchanges.some(isHeld);
  }

  /** Starts the held handlers, in request order, while there is room. */
  startHeld(): void {
    // A handler that answers at once retires its exchange (the array shifts): look again each time.
    for (let ex = this.exchanges.find(isHeld); ex && this.hasRoom(); ex = this.exchanges.find(isHeld)) {
      this.ctx.scheduler.submit(ex.job!);
    }
  }

  /** Queues an error response of the connection's own (no request to answer: bad bytes, a timeout); `refused` is its head's record. */
  pushError(status: number, message: string, refused?: { rec: StageRecorder; method: string; target: string }): void {
    const ex = newExchange(this, null, performance.now());
    if (refused) {
      ex.rec = refused.rec;
      ex.refusedHead = { method: refused.method, target: refused.target };
    }
    this.exchanges.push(ex);
    writeErrorResponse(ex.res, status, message);
  }

  /**
   * The request failed underneath its handler: answer `status` in its place, or mark the exchange
   * broken when the head is out. `clientAborted`: the client went away (already reported).
   * False when the request's response already went out.
   */
  failRequest(req: HttpRequest, status: number, message: string, clientAborted = false): boolean {
    const ex = this.find(req);
    if (!ex) return false;
    if (clientAborted) ex.clientAborted = true;
    if (!ex.res.headOnWire && !ex.res.finished) {
      if (ex.job) this.ctx.scheduler.finish(ex.job, true);
      ex.job = null;
      this.replaceWithError(ex, status, message);
    } else {
      // The handler is already answering; the response cannot be trusted to end cleanly.
      ex.broken = true;
    }
    return true;
  }

  private runHandler(ex: Exchange): void {
    const { req, res } = ex;
    if (!req || res.finished) {
      if (ex.job) this.ctx.scheduler.finish(ex.job, true);
      return;
    }
    const rec = ex.rec;
    const handler = this.ctx.getHandler();
    if (rec) {
      const job = ex.job;
      const viaQueue = job !== null && job.viaQueue;
      // The router notes when the route's own handler starts (or that none does): no reading for it here.
      const noted = (handler as Partial<StageNotingHandler>).notesHandlerStart === true;
      if (viaQueue || !noted) {
        const t = performance.now();
        if (viaQueue) {
          rec.queued = job.queuedAt;
          rec.dequeued = t;
        }
        if (!noted) rec.handlerStart = t;
      }
    }
    let result: void | Promise<void>;
    try {
      result = handler(req, res);
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
    if (this.owner.isClosed || res.isDetached || ex.replaced) return;
    const bodyErr = err instanceof BodyError ? err : undefined;
    const status = bodyErr ? bodyErr.status : 500;
    // A client abort was reported once, by the connection; the handler only heard of it.
    if (bodyErr?.code !== 'CLIENT_ABORTED') {
      this.ctx.onError({
        connectionId: this.owner.id,
        kind: 'handler',
        message: `handler for ${ex.req?.method} ${ex.req?.target} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        status,
        error: err,
      });
    }
    if (res.finished) return;
    this.abandon(ex, status, bodyErr ? bodyErr.message : 'the handler failed');
  }

  /**
   * The handler's response cannot be completed: before its head is out, an error response takes
   * its place; after, it is cut where it stands (a chunked body without its last chunk) and the
   * connection ends after it, so the client sees the truncation.
   */
  private abandon(ex: Exchange, status: number, message: string): void {
    const res = ex.res;
    if (!res.headOnWire) {
      this.replaceWithError(ex, status, message);
      return;
    }
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

  // ---- ResponseSink

  writeResponseBytes(res: HttpResponseWriter, data: Buffer): boolean {
    const r = res as ConnResponse;
    if (this.owner.isClosed) return true;
    if (this.exchanges[0] !== r.exchange || r.exchange.res !== r) {
      (r.pending ??= []).push(data);
      r.pendingBytes += data.length;
      return r.pendingBytes < HIGH_WATER;
    }
    r.exchange.rec?.responseBytes(r.ending);
    return this.owner.output.out(data);
  }

  waitForDrain(res: HttpResponseWriter): Promise<void> {
    if (this.owner.isClosed) return Promise.resolve();
    return this.owner.output.waitForDrain(this.exchanges[0] === (res as ConnResponse).exchange);
  }

  buffersReleased(res: HttpResponseWriter): boolean {
    const r = res as ConnResponse;
    if (this.owner.isClosed || r.pending) return false;
    return this.owner.output.buffersReleased;
  }

  mustClose(res: HttpResponseWriter): boolean {
    const ex = (res as ConnResponse).exchange;
    if (!res.context.keepAlive || this.owner.closesAfterEveryResponse) return true;
    const req = ex.req;
    // Expect: 100-continue answered with a final status before any body: the client
    // may or may not send the body, so the stream cannot be trusted afterwards.
    if (req && req.head.expectContinue && !ex.continueSent && !req.bodyComplete) return true;
    return false;
  }

  responseFinished(res: HttpResponseWriter): void {
    const r = res as ConnResponse;
    const ex = r.exchange;
    // One reading: the finish, and (at the front, where its bytes went straight out) its last byte handed over.
    const t = ex.t0 !== 0 || ex.rec ? performance.now() : 0;
    if (ex.t0 !== 0) r.finishedAt = t;
    if (this.exchanges[0] === ex && ex.res === r) this.advance(t);
  }

  /** The handler gave its response up (ServerResponse.destroy, the router after a late throw); the error was reported by whoever caught it. */
  responseAbandoned(res: HttpResponseWriter): void {
    const ex = (res as ConnResponse).exchange;
    if (this.owner.isClosed || ex.res !== res || res.finished) return;
    this.abandon(ex, 500, 'the handler failed');
  }

  /** The handler started reading the body: time for `100 Continue` when the request expects it. */
  bodyWanted(req: HttpRequest): void {
    const ex = this.find(req);
    if (!ex || ex.continueSent || req.bodyComplete) return;
    if (req.head.expectContinue && req.head.versionMinor >= 1 && !ex.res.headersSent) {
      ex.continueSent = true;
      this.writeResponseBytes(ex.res, CONTINUE);
    }
  }

  /**
   * The first response finished: retire it (and every finished one behind it) and let the next one write.
   * `frontDoneAt`: the clock reading of the front response's finish, which handed over its last byte.
   */
  advance(frontDoneAt = 0): void {
    const exs = this.exchanges;
    let doneAt = frontDoneAt;
    while (exs.length > 0 && exs[0].res.finished) {
      const ex = exs.shift()!;
      const rec = ex.rec;
      if (rec) rec.responseDone(doneAt > 0 ? doneAt : undefined);
      doneAt = 0;
      // Logged before its job is finished: finishing may run the next queued request at once
      // (sequential mode), and its entry must come after this one.
      if ((ex.req || rec) && !ex.res.isDetached && !ex.clientAborted && this.ctx.wantsRequestLog()) this.log(ex);
      // A response its handler ended after the request was aborted (an event stream whose client
      // left, or endEventStreams below) is reported as aborted: it ended because the connection did.
      if (ex.job) this.ctx.scheduler.finish(ex.job, ex.req?.isAborted === true);
      if (ex.res.closeAfter || ex.res.incomplete || ex.broken) {
        const clean = exs.length === 0 && ex.req !== null && ex.req.bodyComplete && !ex.broken && !ex.res.incomplete;
        // Built only when an exchange is left to abort (usually none: this one was just retired).
        let closing: Error | undefined;
        this.abortAll(() => (closing ??= new Error('connection closing')), false);
        this.owner.endAfterResponse(clean);
        return;
      }
      const next = exs[0];
      if (next && next.res.pending) {
        const pending = next.res.pending;
        next.res.pending = null;
        next.res.pendingBytes = 0;
        next.rec?.responseBytes();
        for (const b of pending) this.owner.output.out(b);
      }
    }
    this.owner.afterAdvance();
  }

  /** The request log entry of a retired exchange (a request, or a refused head with its record). */
  private log(ex: Exchange): void {
    const req = ex.req;
    const rec = ex.rec;
    this.ctx.onRequestLog({
      connectionId: this.owner.id,
      index: req ? req.index : this.owner.requests + 1,
      method: req ? req.method : (ex.refusedHead?.method ?? ''),
      target: req ? req.target : (ex.refusedHead?.target ?? ''),
      status: ex.res.statusCode,
      bytes: ex.res.bytesWritten,
      durationMs: ex.res.finishedAt - ex.t0,
      remote: this.owner.remote,
      stages: rec ? rec.stages() : {},
      route: rec ? rec.routeDecision() : null,
    });
  }

  /**
   * The server is closing: an event stream (a response under way with Content-Type
   * text/event-stream) never ends on its own, so its request is aborted — the route sees its
   * stream closed ('remote') and ends the response (sse/sse-route.ts) — instead of the graceful
   * close waiting its whole closeTimeout for it. Other responses in progress are left to finish.
   */
  endEventStreams(why: () => Error): void {
    for (const ex of this.exchanges) {
      if (ex.res.finished || !ex.res.headersSent || !ex.req) continue;
      const type = ex.res.getHeader('content-type');
      if (typeof type === 'string' && /^\s*text\/event-stream\s*(;|$)/i.test(type)) ex.req.abort(why());
    }
  }

  /** The peer ended: abort the requests in progress; those still waiting (the sequential queue, held for room) never run. */
  peerEnded(why: () => Error): void {
    let dropped = false;
    for (const ex of this.exchanges) {
      if (ex.res.finished) continue;
      ex.req?.abort(why());
      if (ex.job && (ex.job.state === 'queued' || isHeld(ex))) {
        this.ctx.scheduler.finish(ex.job, true);
        ex.job = null;
        ex.res.detach();
        dropped = true;
      }
    }
    if (dropped && this.exchanges[0]?.res.finished) this.advance();
  }

  /** Retires every exchange: requests aborted (`onlyUnfinished`: those not answered yet), responses inert, jobs released. */
  abortAll(reason: Error | (() => Error), onlyUnfinished: boolean): void {
    for (const ex of this.exchanges.splice(0)) {
      if (!onlyUnfinished || !ex.res.finished) ex.req?.abort(typeof reason === 'function' ? reason() : reason);
      ex.res.detach();
      if (ex.job) this.ctx.scheduler.finish(ex.job, true);
    }
  }
}

/** A request whose handler was held back (no room in the output) and has not started. */
function isHeld(ex: Exchange): boolean {
  return ex.job !== null && ex.job.state === 'new' && !ex.res.finished;
}
