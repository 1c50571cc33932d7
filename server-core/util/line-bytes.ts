// A batch of log lines written straight as bytes (LineBatcher's writeLine): a line's
// pieces — its strings as their UTF-8 bytes, its numbers as their decimal digits — go
// into one growing buffer, so formatting a line builds no string at all. `wireplay
// serve`'s text log wrote a request line as a template string (a string per number and
// per joined piece, then the flat line, then the batch's string): about 0.9 KiB of young
// generation per WebSocket upgrade in a burst of upgrades (BENCHMARKS.md, idle connection
// memory). The bytes are those of the line's string encoded as UTF-8.

export class LineBytes {
  private buf: Buffer;
  private len = 0;

  constructor(sizeHint = 4096) {
    this.buf = Buffer.allocUnsafe(Math.max(64, sizeHint));
  }

  /** The bytes written so far (a view: write it before anything else is added). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** `s` as its UTF-8 bytes (a lone surrogate as U+FFFD, as Buffer.from(s) writes it). */
  text(s: string): void {
    this.room(s.length * 3);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  /** One byte (an ASCII character's code). */
  byte(c: number): void {
    this.room(1);
    this.buf[this.len++] = c;
  }

  /** `String(n)`'s bytes: digits for a non-negative safe integer, the string otherwise. */
  number(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) return this.text(String(n));
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    this.room(digits);
    let at = this.len + digits;
    this.len = at;
    do {
      const d = n % 10;
      this.buf[--at] = 48 + d;
      n = (n - d) / 10;
    } while (n > 0);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
