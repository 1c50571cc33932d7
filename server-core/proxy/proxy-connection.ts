// One client connection through the proxy (capture leg 'proxy-downstream')
// and the target connection(s) that carry its requests (legs 'proxy-upstream').
//
// Mapping: one target connection at a time per client connection, so keep-alive,
// pipelining and Connection semantics reach the target as the client wrote them;
// when the target closes an idle connection, the next request opens a new leg.
// Requests are read with MessageStream to find where each one starts and ends;
// their bytes go to the target as they came (a head is held only until it is
// complete, to decide its route and, if asked, rewrite Host / X-Forwarded-*).
// Responses go back through a ResponseQueue, in request order, whoever wrote
// them. An upgrade holds the client's next bytes until the target answers:
// 101 turns both directions into a tunnel (capture 'switch' on both legs),
// anything else resumes HTTP over the held bytes. The target connections and
// what their answers and failures mean are target-side.ts's.
import type { Socket } from 'node:net';
import type { HeadDecision, HttpParseError, MessageHead, RequestHead } from '../http/parser-types.js';
import type { ProxyConnectionContext } from './connection-context.js';
import { Exchange } from './exchange.js';
import { rewriteRequestHead } from './head-rewrite.js';
import { LegTap } from './leg-tap.js';
import { localResponse, malformedRequestResponse, type LocalResponse } from './local-response.js';
import { MessageStream, type MessageStreamOwner } from './message-stream.js';
import { ResponseQueue } from './response-queue.js';
import { matchRule } from './rules.js';
import { SocketWriter } from './socket-writer.js';
import type { ProxyAnswer, ProxyConnectionStatus } from './types.js';
import { TargetSide, type ClientSide } from './target-side.js';

// Why the client socket is paused (bits).
const P_LEG = 1; // the target's socket is full
const P_HELD = 2; // too many bytes held behind an upgrade request
/** Bytes held behind an upgrade request before the client is paused. */
const HELD_LIMIT = 1024 * 1024;
/** After the proxy ends a client connection, how long it keeps reading (so its last response is not lost to a reset). */
const LINGER_MS = 2000;
/** Bytes the client socket may buffer before the target is paused. */
const CLIENT_HIGH_WATER = 512 * 1024;

export class ProxyConnection implements MessageStreamOwner, ClientSide {
  readonly tap: LegTap;
  readonly queue: ResponseQueue<Exchange>;
  /** Writes to the client: the pieces of one read from the target go out in one write. */
  private readonly out: SocketWriter;
  private readonly requests: MessageStream;
  private readonly target: TargetSide;
  /** Exchanges not ended yet, in request order. */
  private readonly open: Exchange[] = [];
  /** The request whose bytes are being read. */
  private reading: Exchange | null = null;
  /** An upgrade request waiting for the target's answer; client bytes after it are held. */
  private upgrading: Exchange | null = null;
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Client bytes go raw to this exchange's leg (after a 101, or a malformed request passed on). */
  tunnel: Exchange | null = null;
  private readingStopped = false;
  private clientEnded = false;
  private closeWhenIdle = false;
  private ending = false;
  gone = false;
  private pauses = 0;
  private chunkTime = 0;
  private nextRequestTime = 0;
  private closeReason: string | undefined;

  constructor(
    readonly socket: Socket,
    id: string,
    private readonly ctx: ProxyConnectionContext,
  ) {
    this.tap = new LegTap(ctx.capture, id, 'server', 'proxy-downstream');
    this.tap.open(socket, false);
    this.requests = new MessageStream('request', this, ctx.settings.parserLimits);
    this.target = new TargetSide(ctx, this);
    this.out = new SocketWriter(socket);
    this.queue = new ResponseQueue<Exchange>({
      write: (b) => {
        this.tap.chunk('s2c', b);
        this.out.write(b);
        // Blocked only past CLIENT_HIGH_WATER, not at the socket's 16 KiB: one 64 KiB read in flight at a time would set the pace.
        return this.out.length < CLIENT_HIGH_WATER;
      },
      pauseSource: () => this.target.pause(true),
      resumeSource: () => this.target.pause(false),
      started: (ex) => {
        ex.record.timings.toClientFirstByte = performance.now();
        ex.record.response.downstream = { start: this.tap.s2c, end: this.tap.s2c };
      },
      finished: (ex) => this.responseWritten(ex),
      dropped: (ex) => this.dropped(ex),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.clientData(chunk));
    socket.on('end', () => this.clientEnd());
    socket.on('error', (err: Error) => {
      this.closeReason ??= (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'reset' : err.message;
    });
    socket.on('close', () => this.clientClosed());
    socket.on('drain', () => this.queue.drained());
  }

  get holdsBytes(): boolean {
    return this.queue.queuedBytes > 0 || this.out.length > 0 || this.tap.holdsBytes;
  }

  get id(): string {
    return this.tap.id;
  }

  status(): ProxyConnectionStatus {
    return {
      id: this.tap.id,
      upstreamIds: [...this.target.legs].map((leg) => leg.id),
      inFlight: this.open.length,
      clientPaused: this.pauses !== 0,
      targetPaused: this.queue.sourcePaused,
      tunnel: this.tunnel !== null,
    };
  }

  /** Graceful close: ends now when idle, else once the exchanges in flight are answered. */
  shutdown(): void {
    if (this.tunnel || (this.open.length === 0 && this.reading === null && this.upgrading === null)) this.endClient();
    else this.closeWhenIdle = true;
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
    this.target.destroyAll(reason);
  }

  // ------------------------------------------------------------ client socket

  private clientData(chunk: Buffer): void {
    const t = performance.now();
    this.chunkTime = t;
    this.tap.chunk('c2s', chunk, t);
    if (this.reading === null && this.requests.delivered === this.requests.offset) this.nextRequestTime = t;
    const leg = this.target.current;
    leg?.cork();
    this.requests.push(chunk);
    leg?.uncork();
  }

  private clientEnd(): void {
    this.clientEnded = true;
    if (this.tunnel) {
      this.tunnel.leg?.end();
      return;
    }
    if (this.upgrading) return; // decided when the target answers
    this.requests.finish();
    // A half-close is honoured by answering what was asked, then closing both connections.
    if (this.open.length === 0) this.endClient();
    else this.closeWhenIdle = true;
  }

  private clientClosed(): void {
    this.gone = true;
    this.queue.stop();
    this.tap.close(this.closeReason);
    const why = this.closeReason === 'reset' ? 'the client reset the connection' : 'the client closed the connection';
    for (const ex of [...this.open]) this.endExchange(ex, ex.slot.started ? 'cut' : 'aborted', why);
    this.target.clientGone(this.closeReason === 'reset');
    this.ctx.closed(this);
  }

  private pauseClient(bit: number): void {
    this.pauses |= bit;
    this.socket.pause();
  }

  legDrained(): void {
    this.resumeClient(P_LEG);
  }

  /** A read from the target is being handled (true), or was (false): what it causes to be written to the client goes out together. */
  batchWrites(on: boolean): void {
    if (on) {
      this.out.beginBatch();
      this.tap.batch();
    } else {
      this.tap.flush();
      this.out.endBatch();
    }
  }

  /** Ends the client's side after everything written to it so far. */
  endSocket(): void {
    this.out.end();
  }

  private resumeClient(bit: number): void {
    this.pauses &= ~bit;
    if (this.pauses === 0 && !this.gone) this.socket.resume();
  }

  /** Ends the client connection after what is queued, and the target connections with it. */
  endClient(): void {
    if (this.ending) return;
    this.ending = true;
    this.stopReading();
    this.out.end();
    this.target.endAll();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  /** No more requests are read; bytes still arriving are captured and dropped. */
  stopReading(): void {
    if (this.readingStopped) return;
    this.readingStopped = true;
    this.reading = null;
    this.requests.stop();
    this.held = [];
    this.heldBytes = 0;
    this.upgrading = null;
    this.resumeClient(P_LEG | P_HELD);
  }

  // ------------------------------------------------------------ requests (MessageStreamOwner)

  onHead(message: MessageHead, bytes: Buffer[]): HeadDecision {
    const head = message as RequestHead;
    const { settings } = this.ctx;
    let length = 0;
    for (const b of bytes) length += b.length;
    const ex = this.newExchange(this.requests.delivered - length);
    const r = ex.record;
    r.method = head.method;
    r.target = head.target;
    r.request.downstream.end = this.requests.delivered;
    r.timings.requestHeadIn = performance.now();
    ex.headRequest = head.method === 'HEAD';
    ex.expectContinue = head.expectContinue;
    ex.requestKeepAlive = head.keepAlive;
    const hasBody = head.chunked || (head.contentLength ?? 0) > 0;
    const rule = matchRule(this.ctx.rules(), head.method, head.target);
    this.addExchange(ex, rule);
    this.reading = ex;
    this.ctx.exchangeStarted(ex);
    if (rule?.respond) {
      // Expect: 100-continue asks for an answer before the body: give the final one now.
      if (ex.expectContinue && hasBody) this.answerRule(ex);
      return undefined;
    }
    const leg = this.target.legForRequest();
    ex.leg = leg;
    // Named once the leg is in the capture: a leg still connecting names it when it connects (upstream-leg.ts).
    if (leg.connected) r.upstreamId = leg.id;
    let out = bytes;
    if (settings.rewriteHost || settings.xForwarded) {
      const whole = bytes.length === 1 ? bytes[0] : Buffer.concat(bytes, length);
      const rewritten = rewriteRequestHead(whole, head, r.request.downstream.start - this.requests.parserBase, {
        host: settings.rewriteHost ? settings.target.hostHeader : undefined,
        forwarded: settings.xForwarded ? { for: this.socket.remoteAddress ?? '', proto: 'http' } : undefined,
      });
      r.rewrites = rewritten.edits;
      out = [rewritten.bytes];
    }
    r.request.upstream = { start: leg.written, end: leg.written };
    leg.awaiting.push(ex);
    for (const b of out) this.forward(ex, b);
    if (leg.connected) r.timings.forwarded = performance.now();
    if (ex.expectContinue) this.requestSent(ex);
    ex.upgradeOffered = head.upgrade && !hasBody;
    if (ex.upgradeOffered) {
      this.upgrading = ex;
      return 'upgrade';
    }
    return undefined;
  }

  onBody(bytes: Buffer): void {
    const ex = this.reading;
    if (ex === null) return;
    ex.record.request.downstream.end = this.requests.delivered;
    if (ex.leg !== null && ex.record.source === undefined) this.forward(ex, bytes);
  }

  onEnd(): void {
    const ex = this.reading;
    if (ex === null) return;
    this.reading = null;
    this.nextRequestTime = this.chunkTime;
    ex.requestDone = true;
    ex.record.request.downstream.end = this.requests.delivered;
    ex.record.timings.requestEnd = performance.now();
    if (ex.leg !== null) this.requestSent(ex);
    else if (ex.record.source === undefined) this.answerRule(ex);
    if (!ex.requestKeepAlive) {
      ex.closeAfter = true;
      this.stopReading();
    }
  }

  onUpgrade(rest: Buffer): void {
    this.held = rest.length > 0 ? [rest] : [];
    this.heldBytes = rest.length;
  }

  onRaw(bytes: Buffer): void {
    const tunnel = this.tunnel;
    if (tunnel !== null) {
      tunnel.record.request.downstream.end = this.requests.delivered;
      this.forward(tunnel, bytes);
    } else if (this.upgrading !== null) {
      this.held.push(bytes);
      this.heldBytes += bytes.length;
      if (this.heldBytes > HELD_LIMIT) this.pauseClient(P_HELD);
    }
  }

  onError(err: HttpParseError, unread: Buffer[]): void {
    let length = 0;
    for (const b of unread) length += b.length;
    let ex = this.reading;
    if (ex === null) {
      ex = this.newExchange(this.requests.delivered - length);
      const line = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+)/.exec(Buffer.concat(unread).subarray(0, 1024).toString('latin1').replace(/^[\r\n]+/, ''));
      if (line) {
        ex.record.method = line[1];
        ex.record.target = line[2];
      }
      this.addExchange(ex, undefined);
      this.ctx.exchangeStarted(ex);
    }
    this.reading = null;
    const r = ex.record;
    r.request.downstream.end = this.requests.delivered;
    const at = this.requests.parserBase + err.offset;
    if (this.ctx.settings.passMalformed) {
      // Forwarded as it is: the rest of this connection is tunnelled raw, both ways.
      r.passedMalformed = `${err.code}: ${err.message} (at byte ${at})`;
      let leg = ex.leg;
      if (leg === null) {
        leg = this.target.legForRequest();
        ex.leg = leg;
        if (leg.connected) r.upstreamId = leg.id;
        r.request.upstream = { start: leg.written, end: leg.written };
        leg.awaiting.push(ex);
      }
      this.tunnel = ex;
      this.requests.toRaw();
      for (const b of unread) this.forward(ex, b);
      if (leg.connected) r.timings.forwarded ??= performance.now();
      this.requestSent(ex);
      return;
    }
    if (ex.leg !== null) {
      // Part of this request went to the target already: that connection cannot carry another one.
      const i = ex.leg.awaiting.indexOf(ex);
      if (i >= 0) ex.leg.awaiting.splice(i, 1);
      ex.leg.retired = true;
      ex.leg.end();
      ex.leg = null;
    }
    this.answer(ex, malformedRequestResponse(err, at), 'malformed-request');
  }

  // ------------------------------------------------------------ upgrades (ClientSide)

  upgradeRefused(ex: Exchange): void {
    if (this.upgrading !== ex) return;
    // HTTP goes on, from the bytes the client sent after its upgrade request.
    const held = this.held;
    this.upgrading = null;
    this.held = [];
    this.heldBytes = 0;
    this.resumeClient(P_HELD);
    if (this.readingStopped) return;
    this.requests.restart(held);
    if (this.clientEnded) this.clientEnd();
  }

  upgradeAccepted(ex: Exchange): void {
    this.tunnel = ex;
    this.upgrading = null;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const b of held) this.forward(ex, b);
    this.resumeClient(P_HELD);
    if (this.clientEnded) ex.leg?.end();
  }

  requestsRaw(): void {
    this.requests.toRaw();
  }

  // ------------------------------------------------------------ exchanges

  private newExchange(start: number): Exchange {
    const ex = new Exchange(this.ctx.nextExchangeId(), this.tap.id, start, this.nextRequestTime || this.chunkTime);
    this.open.push(ex);
    return ex;
  }

  private addExchange(ex: Exchange, rule: ReturnType<typeof matchRule>): void {
    ex.rule = rule;
    if (rule) ex.record.ruleId = rule.id;
    ex.slot = this.queue.add(ex, rule ?? {});
  }

  /** Request bytes to the target, with backpressure. */
  private forward(ex: Exchange, bytes: Buffer): void {
    const leg = ex.leg!;
    const ok = leg.write(bytes);
    if (ex.record.request.upstream) ex.record.request.upstream.end = leg.written;
    if (!ok) this.pauseClient(P_LEG);
  }

  private requestSent(ex: Exchange): void {
    if (ex.requestSentToLeg || ex.leg === null) return;
    ex.requestSentToLeg = true;
    ex.leg.requestSent(ex);
  }

  private answerRule(ex: Exchange): void {
    const rule = ex.rule!;
    const status = rule.respond!.status;
    const body = rule.respond!.body ?? `${status} from the Wireplay proxy rule ${rule.id}\n`;
    const close = !ex.requestDone || !ex.requestKeepAlive;
    this.answer(ex, localResponse(status, 'rule', body, { close, contentType: rule.respond!.contentType, headRequest: ex.headRequest }), 'rule');
    ex.record.error = undefined;
  }

  /** The proxy answers `ex` itself. */
  answer(ex: Exchange, res: LocalResponse, answer: ProxyAnswer): void {
    const r = ex.record;
    r.status = res.status;
    r.source = 'proxy';
    r.answer = answer;
    r.error = res.message;
    if (res.close) {
      ex.closeAfter = true;
      this.stopReading();
      this.abortAfter(ex, 'the proxy closed the connection after an earlier answer');
    }
    this.queue.write(ex.slot, res.bytes);
    this.queue.end(ex.slot);
  }

  /** Exchanges after `ex` will not be answered on this connection. */
  abortAfter(ex: Exchange, why: string): void {
    for (const later of this.queue.after(ex.slot)) {
      this.queue.remove(later.slot);
      this.endExchange(later, 'aborted', why);
    }
  }

  endExchange(ex: Exchange, outcome: 'complete' | 'cut' | 'aborted', error?: string): void {
    if (ex.done) return;
    const r = ex.record;
    if (r.response.downstream) r.response.downstream.end = this.tap.s2c;
    ex.finish(outcome, error);
    const i = this.open.indexOf(ex);
    if (i >= 0) this.open.splice(i, 1);
    this.ctx.exchangeEnded(ex);
  }

  private responseWritten(ex: Exchange): void {
    this.endExchange(ex, 'complete');
    if (ex.closeAfter || (this.closeWhenIdle && this.open.length === 0 && this.reading === null)) this.endClient();
  }

  private dropped(ex: Exchange): void {
    this.endExchange(ex, 'cut', `rule ${ex.rule?.id}: connection dropped after ${ex.rule?.dropAfterBytes} bytes of the response`);
    this.abortAfter(ex, 'a rule dropped the connection');
    this.endClient();
    this.target.destroyAll('dropped by a rule');
  }
}
