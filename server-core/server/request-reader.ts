// The reading side of a server connection: socket bytes in, requests out. It
// implements the parser's handlers, keeps the input window (to cut each raw
// head out) and the read phase (for the timeouts), feeds the body of the
// request being read, and asks the upgrade hook about heads that offer one.
// What to do with a request, an error or an upgrade is the connection's
// decision (ReaderOwner); the reader never writes.
import type { Endpoint } from '../capture/types.js';
import type { ChunkHeader, HeaderField, HeadDecision, HttpParseError, HttpParserHandlers, MessageHead, Span } from '../http/parser-types.js';
import type { ConnectionContext, RequestParser } from './connection-types.js';
import { InputWindow } from './input-window.js';
import type { ServerLimits } from './limits.js';
import { ReadPhase, type ReadTimeout } from './read-phase.js';
import { HttpRequest, type RequestOwner } from './request.js';
import { StageRecorder, type StageRefusal } from './request-stages.js';
import { hasUpgradeField, type PendingUpgrade } from './upgrade-handoff.js';

/** What the reader needs from its connection. */
export interface ReaderOwner {
  readonly id: string;
  readonly remote: Endpoint;
  /** Bytes received so far (the end of the chunk being parsed). */
  readonly bytesIn: number;
  /** Requests are being read (the lifecycle allows it). */
  readonly isReading: boolean;
  /** Requests read so far; the reader numbers the next one. */
  requests: number;
  /** A request head arrived (no upgrade): run it. */
  requestArrived(req: HttpRequest): void;
  /** A request asked to close: nothing after it is read. */
  inputStopped(): void;
  /** The bytes cannot be parsed: answer the error. */
  parseFailed(err: HttpParseError): void;
  /** An upgrade the hook accepted is ready; `rest` followed it in the input. */
  upgradeReady(rest: Buffer): void;
  /** The handler started reading the body (time for `100 Continue`). */
  bodyWanted(req: HttpRequest): void;
  /** pausedForBody changed: pause or resume the socket. */
  updatePause(): void;
  /** No response is owed. */
  readonly nothingOwed: boolean;
}

/** Reading pauses while a body holds more than this many bytes the handler has not taken. */
const BODY_PAUSE_BYTES = 1024 * 1024;

export class RequestReader implements HttpParserHandlers, RequestOwner {
  /** Released (null) once the connection has switched protocols: nothing is parsed as HTTP again. */
  private parser: RequestParser | null;
  private readonly input = new InputWindow();
  private readonly read: ReadPhase;
  /** The request whose body is being read. */
  current: HttpRequest | null = null;
  /** An upgrade the hook accepted on its head, until the connection carries it out. */
  pendingUpgrade: PendingUpgrade | null = null;
  /** Reading is paused: the current request's body is not being taken. */
  pausedForBody = false;
  /** Stages are recorded (the server's option). */
  private readonly recording: boolean;
  /** performance.now() of the first byte of the head being read; 0 before it arrives. */
  private headFirstByte = 0;
  /** performance.now() when the chunk being parsed arrived. */
  private chunkAt = 0;

  constructor(
    private readonly owner: ReaderOwner,
    private readonly ctx: ConnectionContext,
    private readonly openedAt: number,
  ) {
    this.read = new ReadPhase(openedAt);
    this.parser = ctx.createParser(this, ctx.parserLimits);
    this.recording = ctx.recordStages !== false;
  }

  /** Parses a chunk that starts at absolute offset `start`. */
  push(start: number, chunk: Buffer): void {
    const parser = this.parser;
    if (parser === null) return;
    // One clock reading per read, for everything that happens at its arrival: the start of a head's
    // timeouts, the keep-alive clock when it ends between requests (the parse takes microseconds,
    // the timeouts are seconds), and the first byte of every request it carries.
    const t = performance.now();
    this.chunkAt = t;
    if (this.read.phase === 'idle') this.read.head(t);
    if (this.recording && this.headFirstByte === 0 && this.read.phase === 'head') this.headFirstByte = t;
    this.input.push(start, chunk);
    parser.push(chunk);
    this.input.prune();
  }

  get phase(): ReadPhase['phase'] {
    return this.read.phase;
  }

  /** Part of a head has arrived and the rest has not. */
  get isMidHead(): boolean {
    return this.read.phase === 'head' && !this.input.isEmpty;
  }

  /** The last response owed went out. */
  answered(): void {
    this.read.answered();
  }

  expired(now: number, limits: ServerLimits, reading: boolean): ReadTimeout | undefined {
    return this.read.expired(now, limits, reading, this.owner.nothingOwed);
  }

  /** The request being read, which stops being current. */
  takeCurrent(): HttpRequest | null {
    const req = this.current;
    this.current = null;
    return req;
  }

  /**
   * The pipeline record of a head the connection refuses (no request was made of it),
   * with its method and target when its request line arrived whole. Undefined when
   * nobody listens for requests.
   */
  refusedHead(refusal: StageRefusal): { rec: StageRecorder; method: string; target: string } | undefined {
    if (!this.recording || !this.ctx.wantsRequestLog()) return undefined;
    const rec = new StageRecorder(this.openedAt, this.headFirstByte || performance.now(), this.owner.requests === 0);
    rec.refuse(refusal);
    const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d\.\d\r?$/.exec(this.input.lineAt(this.input.consumedOffset) ?? '');
    return { rec, method: line?.[1] ?? '', target: line?.[2] ?? '' };
  }

  /** After an upgrade: drop the parser (its state, buffers and chunked decoder), the upgraded request and the held input. */
  release(): void {
    this.parser = null;
    this.current = null;
    this.pendingUpgrade = null;
    this.input.release();
  }

  // ---- RequestOwner

  bodyWanted(req: HttpRequest): void {
    this.owner.bodyWanted(req);
  }

  bodyConsumed(req: HttpRequest): void {
    if (this.pausedForBody && req.bufferedBytes < BODY_PAUSE_BYTES / 2) {
      this.pausedForBody = false;
      this.owner.updatePause();
    }
  }

  // ---- HttpParserHandlers

  onBody(data: Buffer, span: Span): void {
    this.input.consumed(span.end);
    const req = this.current;
    if (!req) return;
    req.pushBody(data);
    if (req.bufferedBytes > BODY_PAUSE_BYTES && !this.pausedForBody) {
      this.pausedForBody = true;
      this.owner.updatePause();
    }
  }

  onChunkHeader(chunk: ChunkHeader): void {
    this.input.consumed(chunk.span.end);
  }

  onTrailers(_trailers: HeaderField[], span: Span): void {
    this.input.consumed(span.end);
  }

  onError(err: HttpParseError): void {
    if (this.owner.isReading) this.owner.parseFailed(err);
  }

  onHead(head: MessageHead): HeadDecision {
    const owner = this.owner;
    // The parser goes on through the rest of the chunk; what follows a request that
    // asked to close, an error or an upgrade is never handled.
    if (head.kind !== 'request' || !owner.isReading) return;
    this.input.consumed(head.headSpan.end);
    const index = ++owner.requests;
    const raw = this.input.locate(head.headSpan);
    const req = new HttpRequest(owner.id, index, head, raw.buf, owner.remote, this, this.ctx.limits.maxBodyBytes, raw.start, raw.end);
    if (this.recording) {
      const t = performance.now();
      if (this.ctx.wantsRequestLog()) {
        const rec = new StageRecorder(this.openedAt, this.headFirstByte || t, index === 1);
        rec.headParsed = t;
        // No body to wait for: complete with its head (its handler may answer before the parser says so).
        if (!head.chunked && !head.contentLength) rec.bodyParsed = t;
        req.stages = rec;
      }
      this.headFirstByte = 0;
    }
    this.current = req;
    this.read.body();
    const hook = this.ctx.upgrade;
    // The hook is asked about every head with an Upgrade field, not only those whose
    // Connection lists upgrade (head.upgrade): a WebSocket endpoint answers a handshake
    // missing `Connection: upgrade` with its own precise refusal (400), not the router's 426.
    if (hook && (head.upgrade || hasUpgradeField(head))) {
      let token: unknown;
      try {
        token = hook.match(req);
      } catch (err) {
        this.ctx.onError({ connectionId: owner.id, kind: 'handler', message: `upgrade match failed: ${String(err)}`, error: err });
      }
      if (token !== undefined) {
        this.pendingUpgrade = { req, token };
        return 'upgrade';
      }
    }
    owner.requestArrived(req);
    return;
  }

  onMessageComplete(span: Span): void {
    this.input.consumed(span.end);
    const owner = this.owner;
    if (!owner.isReading) return;
    const req = this.takeCurrent();
    if (req) {
      if (req.stages && !req.stages.bodyParsed) req.stages.bodyParsed = performance.now();
      req.endBody();
      if (this.pendingUpgrade?.req === req) return;
      if (!req.head.keepAlive) owner.inputStopped(); // nothing after a closing request is read
    }
    // Some clients send a stray CRLF after a body; that does not start a request (RFC 9112 §2.2).
    if (span.end < owner.bytesIn && owner.isReading && !this.input.onlyLineBreaksAfter(span.end)) {
      this.read.head(this.chunkAt);
      // The next request's first byte came with this chunk: its arrival is that byte's.
      if (this.recording) this.headFirstByte = this.chunkAt;
    } else this.read.idle(owner.nothingOwed, this.chunkAt);
  }

  onUpgrade(rest: Buffer): void {
    this.owner.upgradeReady(rest);
  }
}
