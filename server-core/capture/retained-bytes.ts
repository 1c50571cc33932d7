// The bytes of one direction since the end of the last complete HTTP message,
// up to a limit: what an error report shows of a head that did not parse, and
// what is fed again when the connection switches protocol mid-chunk (an
// upgrade's first frames, a forced switch). Kept as the pushed chunks (copied,
// the caller's buffers are not held), restarted without copying at the end of
// each message.

/** Bytes of the message in progress retained for error reports and forced switches. */
export const RETAIN_LIMIT = 64 * 1024;

export class RetainedBytes {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private startOffset: number) {}

  /** Absolute offset of the first retained byte. */
  get start(): number {
    return this.startOffset;
  }

  add(chunk: Buffer): void {
    if (this.bytes >= RETAIN_LIMIT) return;
    const part = Buffer.from(chunk.subarray(0, RETAIN_LIMIT - this.bytes));
    this.parts.push(part);
    this.bytes += part.length;
  }

  /**
   * A message ended at `at`: the window restarts there, without copying what it keeps. `current` is the
   * chunk being parsed (it holds `at`): when the window was full before `at`, the rest of it is taken.
   */
  restartAt(at: number, current: { start: number; bytes: Buffer } | undefined): void {
    let start = this.startOffset;
    const parts: Buffer[] = [];
    for (const part of this.parts) {
      const end = start + part.length;
      if (end > at) parts.push(start >= at ? part : part.subarray(at - start));
      start = end;
    }
    const covered = start; // end of what was retained
    this.parts = parts;
    this.bytes = parts.reduce((n, b) => n + b.length, 0);
    this.startOffset = at;
    const cur = current;
    if (covered < at && cur && at >= cur.start && at < cur.start + cur.bytes.length) {
      this.add(cur.bytes.subarray(at - cur.start));
    } else if (covered >= at && cur && covered < cur.start + cur.bytes.length && covered >= cur.start) {
      this.add(cur.bytes.subarray(covered - cur.start));
    }
  }

  /** The retained bytes from `from` on (`from` ≤ `pos`, the offset of the next byte to arrive). */
  from(from: number, pos: number): Buffer | undefined {
    if (from < this.startOffset || from > pos) return undefined;
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    return all.subarray(from - this.startOffset);
  }
}
