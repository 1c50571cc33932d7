// Maps offsets in a de-chunked HTTP body back to the raw bytes of the
// connection. The event-stream parser counts offsets in the body it was fed;
// with Transfer-Encoding: chunked that body is interleaved with chunk-size
// lines and CRLFs on the wire, so an event, or even one line of it, may span
// several chunks. The dissector feeds this map with the raw span of every body
// slice, in order (exactly what HttpParserHandlers.onBody reports, and what
// HttpMessageDetail.bodyRanges accumulates), and asks it for the raw ranges of
// any body range: one range per piece of wire it crosses.
//
// A body that is not chunked maps as one piece (a plain shift). Pieces that
// touch on both sides are merged, so the map holds one entry per chunk at
// most; forgetBefore() drops the entries a long stream no longer needs.
import type { SseRange } from './types.js';

export class BodyOffsetMap {
  // Parallel arrays of pieces, from index `first`: body offset, raw offset, length.
  private bodyAt: number[] = [];
  private rawAt: number[] = [];
  private size: number[] = [];
  private first = 0;
  private end: number;

  /** `bodyStart`: the body offset of the first slice (the parser's `offset` option; usually 0). */
  constructor(bodyStart = 0) {
    this.end = bodyStart;
  }

  /** The next `raw.end − raw.start` body bytes lie at `raw`. */
  add(raw: SseRange): void {
    const n = raw.end - raw.start;
    if (n < 0) throw new RangeError(`bad range ${raw.start}..${raw.end}`);
    if (n === 0) return;
    const last = this.bodyAt.length - 1;
    if (last >= this.first && this.rawAt[last] + this.size[last] === raw.start) {
      this.size[last] += n;
    } else {
      if (last >= this.first && raw.start < this.rawAt[last] + this.size[last]) {
        throw new RangeError(`raw range ${raw.start}..${raw.end} goes backwards`);
      }
      this.bodyAt.push(this.end);
      this.rawAt.push(raw.start);
      this.size.push(n);
    }
    this.end += n;
  }

  /** Body offset just past the last mapped byte. */
  get length(): number {
    return this.end;
  }

  /** Pieces currently held (for tests and memory accounting). */
  get pieces(): number {
    return this.bodyAt.length - this.first;
  }

  /**
   * Raw position of body offset `at`: of the byte there, or, at the end of what is mapped, just past
   * the last byte. Throws RangeError outside the mapped part.
   */
  rawOffset(at: number): number {
    if (at === this.end && this.pieces > 0) {
      const last = this.bodyAt.length - 1;
      return this.rawAt[last] + this.size[last];
    }
    const i = this.find(at);
    return this.rawAt[i] + (at - this.bodyAt[i]);
  }

  /**
   * The raw ranges holding body[range.start, range.end), in order, one per piece of wire. An empty
   * range maps to an empty range at rawOffset(range.start). Throws RangeError outside the mapped part.
   */
  toRaw(range: SseRange): SseRange[] {
    if (range.end < range.start) throw new RangeError(`bad range ${range.start}..${range.end}`);
    if (range.end === range.start) {
      const at = this.rawOffset(range.start);
      return [{ start: at, end: at }];
    }
    if (range.end > this.end) throw new RangeError(`body offset ${range.end} is past the mapped ${this.end}`);
    const out: SseRange[] = [];
    let i = this.find(range.start);
    let at = range.start;
    while (at < range.end) {
      const pieceEnd = this.bodyAt[i] + this.size[i];
      const stop = Math.min(pieceEnd, range.end);
      const raw = this.rawAt[i] + (at - this.bodyAt[i]);
      out.push({ start: raw, end: raw + (stop - at) });
      at = stop;
      i++;
    }
    return out;
  }

  /** Drops the pieces that end at or before body offset `at` (nothing before it will be asked for). */
  forgetBefore(at: number): void {
    while (this.first < this.bodyAt.length && this.bodyAt[this.first] + this.size[this.first] <= at) this.first++;
    if (this.first > 1024 && this.first * 2 > this.bodyAt.length) {
      this.bodyAt = this.bodyAt.slice(this.first);
      this.rawAt = this.rawAt.slice(this.first);
      this.size = this.size.slice(this.first);
      this.first = 0;
    }
  }

  /** Index of the piece holding body offset `at`. */
  private find(at: number): number {
    let lo = this.first;
    let hi = this.bodyAt.length - 1;
    if (hi < lo || at < this.bodyAt[lo] || at >= this.end) {
      throw new RangeError(`body offset ${at} is outside the mapped part`);
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.bodyAt[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
