// Incremental UTF-8 validation (RFC 3629): fed piece by piece, it reports the
// first invalid byte as soon as it arrives (a text message fails fast, in the
// middle of a fragment), and at the end whether a sequence was left open.
// Complete runs go through node's native isUtf8; only the few bytes around a
// piece boundary walk the byte state machine below.
import { isUtf8 } from 'node:buffer';

export class Utf8Validator {
  /** Continuation bytes still expected. */
  private need = 0;
  /** Allowed range for the next continuation byte (narrowed after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;

  /** True while no sequence is open. */
  get complete(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }

  /**
   * Validates buf[start, end). Returns -1 when fine so far, or the index (in
   * buf) of the first byte that cannot be part of valid UTF-8.
   */
  push(buf: Uint8Array, start = 0, end = buf.length): number {
    let i = start;
    // Finish an open sequence byte by byte.
    while (this.need > 0 && i < end) {
      const b = buf[i];
      if (b < this.lo || b > this.hi) return i;
      this.lo = 0x80;
      this.hi = 0xbf;
      this.need--;
      i++;
    }
    if (i >= end) return -1;
    // Find where the last complete sequence ends: scan back over at most 3 continuation bytes.
    let cut = end;
    let back = end - 1;
    while (back > i && back >= end - 3 && (buf[back] & 0xc0) === 0x80) back--;
    const lead = buf[back];
    const len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (back + len > end) cut = back;
    if (cut > i) {
      let ascii = true;
      // Short runs: a plain loop beats the native call's overhead.
      if (cut - i < 32) {
        for (let j = i; j < cut; j++) if (buf[j] >= 0x80) { ascii = false; break; }
      } else ascii = false;
      if (!ascii && !isUtf8(buf.subarray(i, cut))) return i + this.findInvalid(buf, i, cut);
    }
    // The open tail: walk it so an impossible prefix (E0 80, F5, C0) fails now.
    for (let j = cut; j < end; j++) {
      const r = this.step(buf[j]);
      if (!r) return j;
    }
    return -1;
  }

  /** Offset (relative to start) of the first invalid byte in a run known to be invalid. */
  private findInvalid(buf: Uint8Array, start: number, end: number): number {
    const v = new Utf8Validator();
    for (let j = start; j < end; j++) if (!v.step(buf[j])) return j - start;
    return end - start; // the run ended inside a sequence: the next byte is the problem
  }

  private step(b: number): boolean {
    if (this.need > 0) {
      if (b < this.lo || b > this.hi) return false;
      this.lo = 0x80;
      this.hi = 0xbf;
      this.need--;
      return true;
    }
    if (b < 0x80) return true;
    if (b < 0xc2) return false; // continuation without lead, or overlong C0/C1
    if (b < 0xe0) { this.need = 1; return true; }
    if (b < 0xf0) {
      this.need = 2;
      if (b === 0xe0) this.lo = 0xa0; // overlong
      else if (b === 0xed) this.hi = 0x9f; // surrogates
      return true;
    }
    if (b < 0xf5) {
      this.need = 3;
      if (b === 0xf0) this.lo = 0x90; // overlong
      else if (b === 0xf4) this.hi = 0x8f; // above U+10FFFF
      return true;
    }
    return false;
  }
}

export function isValidUtf8(buf: Uint8Array): boolean {
  return isUtf8(buf);
}
