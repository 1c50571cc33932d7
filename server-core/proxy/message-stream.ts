// One direction of a proxied connection, read with Wireplay's HTTP parser only
// to find where messages begin and end: the bytes themselves are handed on as
// they arrived (views of the pushed chunks, never re-serialised), each piece
// attributed to the message it belongs to.
//
// Every byte pushed is handed to the owner exactly once, in order: a head's bytes
// (with whatever preceded it since the previous message: empty lines between
// pipelined requests) at onHead, once the head is complete and the owner can
// decide where the message goes; body bytes (framing included) as they arrive;
// after an upgrade or an error, everything that follows as raw bytes. Only a head
// in progress is held, so memory is bounded by the parser's head limits.
//
// After a refused upgrade the held bytes are parsed again as HTTP (restart()),
// with offsets that keep counting from where they were.
import { HttpMessageParser } from '../http/message-parser.js';
import type { HeadDecision, HttpParseError, HttpParserHandlers, HttpParserLimits, MessageHead, Span } from '../http/parser-types.js';

export interface MessageStreamOwner {
  /** A complete head: `bytes` run from the end of the previous message through the end of this head. */
  onHead(head: MessageHead, bytes: Buffer[]): HeadDecision;
  /** Bytes of the current message after its head (body and framing), as they arrive. */
  onBody(bytes: Buffer): void;
  /** The current message is complete. */
  onEnd(): void;
  /** The parser refused the stream: `unread` is every byte not yet handed on (the bad message so far and what followed it). */
  onError(err: HttpParseError, unread: Buffer[]): void;
  /** After an 'upgrade' decision: the bytes that followed the message in the same chunk; later ones come through onRaw. */
  onUpgrade(rest: Buffer): void;
  /** Bytes pushed once the stream is raw (after an upgrade, or raw() after an error). */
  onRaw(bytes: Buffer): void;
}

const M_PARSE = 0;
const M_RAW = 1;
const M_DEAD = 2;
const EMPTY = Buffer.alloc(0);

export class MessageStream implements HttpParserHandlers {
  private parser: HttpMessageParser;
  private mode = M_PARSE;
  /** Stream offset where the current parser started (its spans count from there). */
  private base = 0;

  /** The stream offset of the current parser's offset 0 (add it to the spans of a head). */
  get parserBase(): number {
    return this.base;
  }
  /** Bytes pushed so far. */
  offset = 0;
  /** Bytes handed to the owner so far. */
  delivered = 0;
  /** [delivered, start of the chunk being pushed): the beginning of a head still in progress. */
  private held: Buffer[] = [];
  private inMessageBody = false;
  private cur: Buffer = EMPTY;
  private curBase = 0;

  /** Whether the stream keeps pushed bytes past push() (a head in progress). */
  get holdsBytes(): boolean {
    return this.held.length > 0;
  }

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly owner: MessageStreamOwner,
    private readonly limits?: Partial<HttpParserLimits>,
  ) {
    this.parser = new HttpMessageParser(kind, this, limits);
  }

  get raw(): boolean {
    return this.mode === M_RAW;
  }

  push(chunk: Buffer): void {
    const len = chunk.length;
    if (this.mode !== M_PARSE) {
      this.offset += len;
      if (this.mode === M_RAW) {
        this.delivered = this.offset;
        this.owner.onRaw(chunk);
      }
      return;
    }
    this.cur = chunk;
    this.curBase = this.offset;
    this.offset += len;
    this.parser.push(chunk);
    const end = this.offset;
    // The owner may have changed the mode while the chunk was parsed.
    const mode = this.mode as number;
    if (this.delivered < end) {
      if (mode === M_RAW) {
        // The owner made the stream raw while this chunk was being parsed.
        const rest = this.take(end);
        for (const b of rest) this.owner.onRaw(b);
      } else if (mode === M_PARSE) {
        if (this.inMessageBody) {
          const body = this.slice(this.delivered, end);
          this.delivered = end;
          this.owner.onBody(body);
        } else this.held.push(this.slice(Math.max(this.delivered, this.curBase), end));
      }
    }
    this.cur = EMPTY;
  }

  /** The end of the stream: completes a body read until close, or reports a message cut short. */
  finish(): void {
    if (this.mode !== M_PARSE) return;
    this.cur = EMPTY;
    this.curBase = this.offset;
    this.parser.finish();
  }

  /** From now on every byte goes to onRaw, unparsed (a tunnel, or forwarding after an error). */
  toRaw(): void {
    this.mode = M_RAW;
  }

  /** Stops: later bytes are counted and dropped. */
  stop(): void {
    this.mode = M_DEAD;
    this.held = [];
  }

  /**
   * A refused upgrade: `pending` are the bytes handed on since (through onUpgrade / onRaw) and
   * not used; they are parsed again as HTTP, at the offsets they had.
   */
  restart(pending: readonly Buffer[]): void {
    let n = 0;
    for (const b of pending) n += b.length;
    this.offset -= n;
    this.delivered = this.offset;
    this.base = this.offset;
    this.held = [];
    this.inMessageBody = false;
    this.mode = M_PARSE;
    this.parser = new HttpMessageParser(this.kind, this, this.limits);
    for (const b of pending) this.push(b);
  }

  // ------------------------------------------------------------ parser events

  onHead(head: MessageHead): HeadDecision {
    if (this.mode !== M_PARSE) return undefined;
    const bytes = this.take(this.base + head.headSpan.end);
    this.inMessageBody = true;
    return this.owner.onHead(head, bytes);
  }

  onMessageComplete(span: Span): void {
    if (this.mode !== M_PARSE) return;
    const end = this.base + span.end;
    if (this.delivered < end) {
      const body = this.slice(this.delivered, end);
      this.delivered = end;
      this.owner.onBody(body);
    }
    this.inMessageBody = false;
    this.owner.onEnd();
  }

  onUpgrade(rest: Buffer): void {
    if (this.mode !== M_PARSE) return;
    this.mode = M_RAW;
    this.delivered = this.offset;
    this.owner.onUpgrade(rest);
  }

  onError(err: HttpParseError): void {
    if (this.mode !== M_PARSE) return;
    const unread = this.take(this.offset);
    this.mode = M_DEAD;
    this.owner.onError(err, unread);
  }

  // ------------------------------------------------------------ internals

  /** The held bytes and the current chunk's up to `end`, handed on: delivered becomes `end`. */
  private take(end: number): Buffer[] {
    const out = this.held;
    this.held = [];
    const from = Math.max(this.delivered, this.curBase);
    if (end > from) out.push(this.slice(from, end));
    this.delivered = end;
    return out;
  }

  private slice(start: number, end: number): Buffer {
    const cur = this.cur;
    const s = start - this.curBase;
    const e = end - this.curBase;
    return s === 0 && e === cur.length ? cur : cur.subarray(s, e);
  }
}
