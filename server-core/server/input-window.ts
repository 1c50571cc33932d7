// The input window of a server connection: the socket chunks the parser has
// not finished with, kept by their absolute stream offset so a request's head
// can be cut out of them as it arrived (HttpRequest.rawHead) without copying
// every chunk. A chunk is dropped once the parser has consumed past its end.
import type { Span } from '../http/parser-types.js';

interface HeldChunk {
  /** Absolute offset of buf[0] in the connection's input. */
  start: number;
  buf: Buffer;
}

export class InputWindow {
  private held: HeldChunk[] = [];
  /** Absolute offset up to which the parser has consumed the input (heads, bodies, chunk lines). */
  private consumedUpTo = 0;

  /** Whether nothing is held: no partial head is waiting for more bytes. */
  get isEmpty(): boolean {
    return this.held.length === 0;
  }

  /** A chunk about to be parsed; `start` is its absolute offset. */
  push(start: number, buf: Buffer): void {
    this.held.push({ start, buf });
  }

  /** The parser consumed the input up to `end` (absolute). */
  consumed(end: number): void {
    if (end > this.consumedUpTo) this.consumedUpTo = end;
  }

  /** Drops the chunks that lie wholly before the consumed offset. */
  prune(): void {
    const held = this.held;
    let drop = 0;
    while (drop < held.length && held[drop].start + held[drop].buf.length <= this.consumedUpTo) drop++;
    if (drop === held.length) held.length = 0;
    else if (drop > 0) held.splice(0, drop);
  }

  /**
   * Where the bytes of `span` are, without making a view of them: the one chunk that holds them
   * and their offsets in it, or (across chunks) a copy and its length. HttpRequest makes the
   * view only when its rawHead is read.
   */
  locate(span: Span): { buf: Buffer; start: number; end: number } {
    const held = this.held;
    for (let i = 0; i < held.length; i++) {
      const h = held[i];
      if (h.start <= span.start && span.end <= h.start + h.buf.length) return { buf: h.buf, start: span.start - h.start, end: span.end - h.start };
    }
    const copy = this.slice(span);
    return { buf: copy, start: 0, end: copy.length };
  }

  /** The bytes of `span`, a view when they lie in one chunk. */
  slice(span: Span): Buffer {
    const parts: Buffer[] = [];
    for (const { start, buf } of this.held) {
      const end = start + buf.length;
      if (end <= span.start || start >= span.end) continue;
      parts.push(buf.subarray(Math.max(0, span.start - start), Math.min(buf.length, span.end - start)));
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** Whether the last chunk holds only CR and LF from `offset` on (a stray CRLF after a body, RFC 9112 §2.2). */
  onlyLineBreaksAfter(offset: number): boolean {
    const last = this.held[this.held.length - 1];
    if (!last) return false;
    for (let i = offset - last.start; i < last.buf.length; i++) {
      const b = last.buf[i];
      if (b !== 13 && b !== 10) return false;
    }
    return true;
  }

  /** Where the parser has consumed the input up to (absolute): the start of the message in progress. */
  get consumedOffset(): number {
    return this.consumedUpTo;
  }

  /** The line starting at `offset` (latin1, without its LF), when its end is held within `max` bytes. */
  lineAt(offset: number, max = 8192): string | undefined {
    const bytes = this.slice({ start: offset, end: offset + max });
    const lf = bytes.indexOf(0x0a);
    return lf < 0 ? undefined : bytes.toString('latin1', 0, lf);
  }

  /** Forgets everything (the connection switched protocols: nothing is parsed as HTTP again). */
  release(): void {
    this.held = [];
    this.consumedUpTo = 0;
  }
}
