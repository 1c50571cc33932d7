// One proxy ↔ target connection (a capture leg of role 'proxy-upstream'): it
// connects (plain TCP, or TLS with SNI and the certificate checked unless the
// user said insecure), keeps what is written before the connection is up,
// captures every byte it writes and reads, and reads the target's responses
// with a MessageStream, attributing them to the requests it carried, in order.
// What to do with them (where the bytes go, what a failure means for the
// client) is its owner's business: the leg only reports.
//
// A plain TCP leg reads with net's `onread` (the socket reads into memory the
// leg hands it and calls back, without the Readable stream's buffering and
// events, and without a fresh 64 KiB allocation per read): each read lands in
// a part of a slab no earlier read used, so the bytes handed on stay as they
// are for as long as anyone keeps them (the capture queue, a socket that could
// not write them at once). A TLS leg reads with 'data' as before.
//
// A full slab is filled again only once nobody can read its bytes any more
// (issue #17: a new slab per two reads was 1 MiB of new external memory per
// 1 MiB response, and V8 answered it with mark-compacts that doubled the
// proxy's CPU per request): once the client side holds none of what it was
// handed (nothing queued for the client, nothing in its socket's buffer or a
// capture batch), this leg's parser holds no head in progress, and the
// capture queue has delivered every event queued until then to listeners that
// all copy what they keep (CaptureQueue.whenDelivered). A slab some listener
// may keep is never reused; nor is any after the leg failed. Free slabs wait in
// a small pool shared by the process's legs.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { CaptureQueue, type CaptureSink } from './capture-queue.js';
import type { HeadDecision, HttpParseError, HttpParserLimits, MessageHead, ResponseHead } from '../http/parser-types.js';
import type { Exchange } from './exchange.js';
import { LegTap } from './leg-tap.js';
import { MessageStream, type MessageStreamOwner } from './message-stream.js';
import { SocketWriter } from './socket-writer.js';
import type { ProxyTarget } from './target.js';

export type LegFailure =
  | { kind: 'connect'; message: string }
  | { kind: 'timeout'; connected: boolean }
  | { kind: 'closed'; message: string }
  | { kind: 'invalid'; error: HttpParseError; unread: Buffer[] };

export interface UpstreamLegOwner {
  /** The first bytes of a response for `ex` (its head, with what preceded it). */
  responseHead(leg: UpstreamLeg, ex: Exchange, head: ResponseHead, bytes: Buffer[]): void;
  responseBytes(ex: Exchange, bytes: Buffer): void;
  /** A response for `ex` ended; `interim` for a 1xx other than 101 (the final one is still to come). */
  responseEnd(leg: UpstreamLeg, ex: Exchange, interim: boolean): void;
  /** The target switched protocols after `ex`'s response: from now on its bytes come through tunnelBytes. */
  upgraded(leg: UpstreamLeg, ex: Exchange, head: ResponseHead, rest: Buffer): void;
  tunnelBytes(ex: Exchange, bytes: Buffer): void;
  /** Bytes the target sent with no request waiting for them (captured, not forwarded). */
  unsolicited(leg: UpstreamLeg, bytes: Buffer[]): void;
  failed(leg: UpstreamLeg, failure: LegFailure): void;
  /** The target ended its side (FIN) after its last complete response, or in a tunnel. */
  ended(leg: UpstreamLeg): void;
  closed(leg: UpstreamLeg): void;
  drained(leg: UpstreamLeg): void;
  /** A chunk from the target is being read (true), or was (false): what it causes to be written goes out together. */
  batchWrites(on: boolean): void;
  /** Whether bytes this leg handed on may still be read (queued for the client, or in its socket's buffer). */
  holdsReadBytes(): boolean;
}

/** Bytes kept while connecting, or buffered by the socket, before the writer is asked to wait. */
const QUEUED_LIMIT = 1024 * 1024;
/** The most one read takes (Node's own read size) and the slab reads are carved from (a new one when less than a read is left). */
const READ_SIZE = 64 * 1024;
// Two reads' worth: memory each open target connection holds (128 KiB), against a new slab every read or two on a big response.
const SLAB_SIZE = 2 * READ_SIZE;
/** Full slabs a leg keeps track of until their bytes are released (older ones are left to the GC): at most 512 KiB kept by an idle leg whose last reads the client had not taken yet. */
const RETIRED_LIMIT = 4;
/** Free slabs kept for any leg (8 MiB: what ten connections reading 1 MiB responses at once go through between two turns of the event loop). */
const FREE_LIMIT = 64;
const freeSlabs: Buffer[] = [];

/** A full slab whose bytes may still be read; `since`: the capture queue's sequence number before its first read. */
interface RetiredSlab {
  buf: Buffer;
  since: number;
}

export interface UpstreamLegOptions {
  insecure: boolean;
  timeoutMs: number;
  parserLimits: Partial<HttpParserLimits>;
}

export class UpstreamLeg implements MessageStreamOwner {
  readonly tap: LegTap;
  readonly socket: Socket;
  connected = false;
  /** Requests sent on this leg whose response has not ended, oldest first. */
  readonly awaiting: Exchange[] = [];
  /** No new request goes on this leg (the target said close, it failed, or it is tunnelling). */
  retired = false;
  tunnel: Exchange | null = null;
  /** Monotonic time of the chunk being read (for first-byte timings). */
  chunkTime = 0;
  private readonly stream: MessageStream;
  /** Writes to the target once connected: the pieces of one read from the client go out in one write. */
  private readonly out: SocketWriter;
  private queued: Buffer[] | null = [];
  /** Where plain TCP reads go (readBuffer()). */
  private slab: Buffer | null = null;
  private slabUsed = 0;
  /** The capture queue's sequence number before the current slab's first read. */
  private slabSince = 0;
  /** Full slabs whose bytes the client side or the parser may still hold (released by releaseSlabs()). */
  private retiredSlabs: RetiredSlab[] = [];
  /** Where the capture goes when it is a CaptureQueue (slabs are reused only then). */
  private readonly captureQueue: CaptureQueue | null;
  /**
   * The connect or response timeout: one timer for the leg's life, re-armed with refresh() (no timer
   * made and dropped per request). `timerArmed` says whether its firing means anything.
   */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerArmed = false;
  private timerMs = 0;
  private timing: Exchange | null = null;
  private failedAlready = false;
  private closeReason: string | undefined;

  constructor(
    id: string,
    readonly target: ProxyTarget,
    capture: CaptureSink,
    downstreamId: string,
    private readonly options: UpstreamLegOptions,
    private readonly owner: UpstreamLegOwner,
  ) {
    this.tap = new LegTap(capture, id, 'client', 'proxy-upstream', downstreamId);
    this.captureQueue = capture instanceof CaptureQueue ? capture : null;
    this.stream = new MessageStream('response', this, options.parserLimits);
    if (target.tls) {
      const s: TLSSocket = tlsConnect({
        host: target.host,
        port: target.port,
        servername: target.servername,
        rejectUnauthorized: !options.insecure,
        ALPNProtocols: ['http/1.1'],
      });
      s.once('secureConnect', () => this.socketConnected());
      this.socket = s;
      s.on('data', (chunk: Buffer) => this.socketData(chunk));
    } else {
      this.socket = netConnect({
        host: target.host,
        port: target.port,
        onread: { buffer: () => this.readBuffer(), callback: (n: number, buf: Uint8Array) => this.slabRead(n, buf) },
      });
      this.socket.once('connect', () => this.socketConnected());
    }
    this.out = new SocketWriter(this.socket);
    this.socket.setNoDelay(true);
    this.socket.on('end', () => this.socketEnded());
    this.socket.on('error', (err: Error) => this.socketError(err));
    this.socket.on('close', () => this.socketClosed());
    this.socket.on('drain', () => this.owner.drained(this));
    if (options.timeoutMs > 0) this.armTimer(options.timeoutMs);
  }

  get id(): string {
    return this.tap.id;
  }

  /** Bytes given to write() so far: the c2s offset the next one will have on this leg. */
  written = 0;
  private queuedBytes = 0;

  get failed(): boolean {
    return this.failedAlready;
  }

  /** Writes request bytes (queued until connected); false when the caller should wait for drained(). */
  write(bytes: Buffer): boolean {
    this.written += bytes.length;
    if (this.queued !== null) {
      this.queued.push(bytes);
      this.queuedBytes += bytes.length;
      return this.queuedBytes < QUEUED_LIMIT;
    }
    if (this.socket.destroyed || this.failedAlready) return true;
    this.tap.chunk('c2s', bytes);
    this.out.write(bytes);
    // Full past QUEUED_LIMIT, not at the socket's 16 KiB: one read in flight at a time would set the pace.
    return this.out.length < QUEUED_LIMIT;
  }

  /** Until uncork(), writes go out (and into the capture) together. */
  cork(): void {
    this.tap.batch();
    this.out.beginBatch();
  }

  uncork(): void {
    this.tap.flush();
    this.out.endBatch();
  }

  /** The whole request of `ex` (or its head, for Expect: 100-continue) is written: its response time starts. */
  requestSent(ex: Exchange): void {
    if (this.awaiting[0] === ex) this.armResponseTimer(ex);
  }

  end(): void {
    if (this.queued !== null) this.queued.push(Buffer.alloc(0));
    else this.out.end();
  }

  destroy(reason: string): void {
    this.retired = true;
    this.closeReason ??= reason;
    this.clearTimer();
    this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  // ------------------------------------------------------------ socket events

  private socketConnected(): void {
    this.connected = true;
    this.clearTimer();
    this.tap.open(this.socket, this.target.tls);
    const queued = this.queued ?? [];
    const wasFull = this.queuedBytes >= QUEUED_LIMIT;
    this.queued = null;
    this.queuedBytes = 0;
    const now = performance.now();
    // The leg is in the capture now: the requests it carries name it (ProxyExchange.upstreamId).
    for (const ex of this.awaiting) {
      ex.record.timings.forwarded ??= now;
      ex.record.upstreamId ??= this.id;
    }
    this.socket.cork();
    for (const b of queued) {
      if (b.length === 0) this.socket.end();
      else {
        this.tap.chunk('c2s', b);
        this.socket.write(b);
      }
    }
    this.socket.uncork();
    const ok = this.socket.writableLength < QUEUED_LIMIT;
    if (this.awaiting[0]?.requestSentToLeg) this.armResponseTimer(this.awaiting[0]);
    // The owner waits for drained() when the queue was full; a socket that took everything sends no 'drain'.
    if (wasFull && ok) this.owner.drained(this);
  }

  /** The memory the next read goes into: the unused rest of the slab, or a free or new slab (a full one lives while its bytes are kept). */
  private readBuffer(): Buffer {
    if (this.slab === null || SLAB_SIZE - this.slabUsed < READ_SIZE) {
      const q = this.captureQueue;
      if (this.slab !== null && q !== null && !this.failedAlready) {
        this.retiredSlabs.push({ buf: this.slab, since: this.slabSince });
        if (this.retiredSlabs.length > RETIRED_LIMIT) this.retiredSlabs.shift();
        this.releaseSlabs(q);
      }
      this.slab = freeSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.slabUsed = 0;
      this.slabSince = q === null ? 0 : q.seq;
    }
    return this.slab.subarray(this.slabUsed, this.slabUsed + READ_SIZE);
  }

  /**
   * When nothing on this connection holds bytes it read (the client side, the parser's head in progress),
   * the full slabs go to the free pool once the capture has delivered what it was given of them, unless
   * a listener that may keep bytes heard any of it.
   */
  private releaseSlabs(q: CaptureQueue): void {
    if (this.retiredSlabs.length === 0 || this.stream.holdsBytes || this.tap.holdsBytes || this.owner.holdsReadBytes()) return;
    const slabs = this.retiredSlabs;
    this.retiredSlabs = [];
    q.whenDelivered(slabs[0].since, (kept) => {
      if (kept) return;
      for (const s of slabs) if (freeSlabs.length < FREE_LIMIT) freeSlabs.push(s.buf);
    });
  }

  /** A read of `n` bytes into `buf` (the last readBuffer()): those bytes are never read into again. */
  private slabRead(n: number, buf: Uint8Array): boolean {
    this.slabUsed += n;
    this.socketData(Buffer.from(buf.buffer, buf.byteOffset, n));
    return true; // pausing is pause()'s
  }

  private socketData(chunk: Buffer): void {
    this.chunkTime = performance.now();
    this.tap.chunk('s2c', chunk, this.chunkTime);
    this.owner.batchWrites(true);
    this.stream.push(chunk);
    this.owner.batchWrites(false);
  }

  private socketEnded(): void {
    if (this.tunnel) {
      this.owner.ended(this);
      return;
    }
    this.stream.finish();
    if (this.failedAlready) return;
    if (this.awaiting.length > 0) this.fail({ kind: 'closed', message: 'closed the connection before answering' });
    else {
      this.retired = true;
      this.owner.ended(this);
    }
  }

  private socketError(err: Error): void {
    this.closeReason ??= describeSocketError(err);
    if (!this.connected) this.fail({ kind: 'connect', message: describeSocketError(err) });
    else this.fail({ kind: 'closed', message: `failed: ${describeSocketError(err)}` });
  }

  private socketClosed(): void {
    this.retired = true;
    this.clearTimer();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.tap.close(this.closeReason);
    this.owner.closed(this);
  }

  private timeout(): void {
    if (!this.timerArmed) return;
    this.timerArmed = false;
    this.fail({ kind: 'timeout', connected: this.connected });
    this.destroy('timeout');
  }

  private fail(failure: LegFailure): void {
    if (this.failedAlready) return;
    this.failedAlready = true;
    this.retired = true;
    this.clearTimer();
    this.owner.failed(this, failure);
  }

  private armResponseTimer(ex: Exchange): void {
    if (this.options.timeoutMs <= 0 || !this.connected || ex.upstreamAnswered) return;
    this.armTimer(this.options.timeoutMs);
    this.timing = ex;
  }

  /** The timeout fires `ms` from now (timeoutMs can change live: a different value makes a new timer). */
  private armTimer(ms: number): void {
    this.timerArmed = true;
    const t = this.timer;
    if (t !== undefined && this.timerMs === ms) t.refresh();
    else {
      if (t !== undefined) clearTimeout(t);
      this.timer = setTimeout(() => this.timeout(), ms);
      this.timerMs = ms;
    }
  }

  /** Disarmed, not cleared: the next request re-arms the same timer. socketClosed() clears it. */
  private clearTimer(): void {
    this.timerArmed = false;
    this.timing = null;
  }

  // ------------------------------------------------------------ responses

  onHead(head: MessageHead, bytes: Buffer[]): HeadDecision {
    const res = head as ResponseHead;
    const ex = this.awaiting[0];
    if (ex === undefined) {
      this.retired = true;
      this.stream.stop();
      this.owner.unsolicited(this, bytes);
      return undefined;
    }
    if (this.timing === ex) this.clearTimer();
    if (!ex.upstreamAnswered) {
      ex.upstreamAnswered = true;
      ex.record.timings.upstreamFirstByte = this.chunkTime;
    }
    ex.lastResponseHead = res;
    this.owner.responseHead(this, ex, res, bytes);
    const code = res.statusCode;
    if (code === 101 && ex.upgradeOffered) return 'upgrade';
    if (ex.record.method === 'CONNECT' && code >= 200 && code < 300) return 'upgrade';
    if (ex.record.method === 'HEAD') return 'no-body';
    return undefined;
  }

  onBody(bytes: Buffer): void {
    const ex = this.awaiting[0];
    if (ex) this.owner.responseBytes(ex, bytes);
  }

  onEnd(): void {
    const ex = this.awaiting[0];
    if (ex === undefined) return;
    const interim = (ex.lastResponseHead?.statusCode ?? 200) < 200;
    if (!interim) this.awaiting.shift();
    this.owner.responseEnd(this, ex, interim);
    const next = this.awaiting[0];
    if (!interim && next?.requestSentToLeg) this.armResponseTimer(next);
  }

  onUpgrade(rest: Buffer): void {
    const ex = this.awaiting.shift();
    if (ex === undefined) return;
    this.tunnel = ex;
    this.retired = true;
    this.owner.upgraded(this, ex, ex.lastResponseHead!, rest);
  }

  onRaw(bytes: Buffer): void {
    if (this.tunnel) this.owner.tunnelBytes(this.tunnel, bytes);
  }

  onError(error: HttpParseError, unread: Buffer[]): void {
    this.fail({ kind: 'invalid', error, unread });
  }

  /** After an invalid response with passMalformed: the rest of the target's stream goes to `ex` raw. */
  tunnelRaw(ex: Exchange): void {
    this.tunnel = ex;
    this.stream.toRaw();
  }

  /** Response-stream offset of the next byte (for exchange records and switch events). */
  get responseOffset(): number {
    return this.stream.delivered;
  }
}

/** A socket error as a person reads it: the message, with the code when the message lacks it. */
export function describeSocketError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const msg = err.message || String(err);
  return code && !msg.includes(code) ? `${msg} (${code})` : msg;
}
