// Log lines written in batches, off the hot path. A request finishing only pushes its
// entry (no formatting, no system call); the entries of a short window are formatted
// and written together in one write(). On Linux a write to a pipe or a file on stderr is
// synchronous, so one write per request would cost every request a system call.
//
// Memory stays bounded when the output does not keep up (a pipe nobody reads, a slow
// terminal): while the stream says it is full (write() returned false) entries queue up
// to `maxPending`; past that they are counted, not kept, and the next write says how
// many were dropped. Nothing is lost silently.
import type { Writable } from 'node:stream';
import { LineBytes } from './line-bytes.js';

export interface LineBatcherOptions<T> {
  /** Formats one entry as a line, without its line end (unless writeLine is given). */
  format?(entry: T): string;
  /**
   * Writes one entry's line, without its line end, straight as bytes (line-bytes.ts): no
   * string is built for it, and the batch is written as those bytes. Used instead of format.
   */
  writeLine?(entry: T, out: LineBytes): void;
  /** The line saying `count` entries were dropped, without its line end. */
  formatDropped?(count: number): string;
  /** How long entries wait for others to share their write, ms (default 25). */
  windowMs?: number;
  /** A batch this long is written at once, without waiting for its window (default 512). */
  maxBatch?: number;
  /** Entries kept while the stream is full; more are dropped and counted (default 10,000). */
  maxPending?: number;
}

const NEWLINE = 0x0a;

export class LineBatcher<T> {
  private pending: T[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The stream's buffer is full: wait for 'drain'. */
  private blocked = false;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;

  constructor(
    private readonly out: Writable,
    private readonly options: LineBatcherOptions<T>,
  ) {
    this.windowMs = options.windowMs ?? 25;
    this.maxBatch = options.maxBatch ?? 512;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** Lines waiting for their write. */
  get size(): number {
    return this.pending.length;
  }

  push(entry: T): void {
    if (this.pending.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.push(entry);
    if (this.blocked) return;
    if (this.pending.length >= this.maxBatch) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.windowMs);
      // The log alone never keeps the process alive; whoever exits calls flush() first.
      this.timer.unref?.();
    }
  }

  /** Writes what is waiting now (unless the stream is full: then on its 'drain'). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.blocked || (this.pending.length === 0 && this.dropped === 0)) return;
    const entries = this.pending;
    this.pending = [];
    let notice: string | undefined;
    if (this.dropped > 0) {
      notice = this.options.formatDropped?.(this.dropped) ?? `${this.dropped} log line(s) dropped: the log output was not keeping up`;
      this.dropped = 0;
    }
    const writeLine = this.options.writeLine;
    let data: string | Buffer;
    if (writeLine) {
      // About a request line's length each; the buffer grows if they are longer.
      const out = new LineBytes(entries.length * 96 + (notice ? notice.length * 3 + 1 : 0));
      if (notice !== undefined) {
        out.text(notice);
        out.byte(NEWLINE);
      }
      for (const e of entries) {
        writeLine(e, out);
        out.byte(NEWLINE);
      }
      data = out.bytes();
    } else {
      let text = notice !== undefined ? `${notice}\n` : '';
      for (const e of entries) text += `${this.options.format!(e)}\n`;
      data = text;
    }
    if (!this.out.write(data)) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        this.flush();
      });
    }
  }
}
