// The read buffers of static-files.ts, used again once the socket has let go of them.
//
// Why: a 1 MiB file is read in 512 KiB buffers. Allocated fresh per read they are
// external memory to V8, and a large write often outlives a scavenge in libuv's
// hands, so the buffers die old: serving 1 MiB files at ~500 MB/s ran about three
// mark-compacts a second, each started by the allocation limit that external memory
// counts towards, with the heap in use at 8 MB (garbage collection was 13.9% of the
// CPU profile, node:http's 1.2%).
//
// The rule that keeps the bytes on the wire right: a buffer given to res.write() is
// not filled again until the response says `buffersReleased` — every buffer it wrote
// has been handed to the kernel and no capture kept a reference to it (a capture
// whose listeners all copy during the call, such as the capture store, keeps none:
// util/emitter.ts ListenerOptions.copies). A written
// buffer is "lent" with that check; take() hands out a free buffer, or a lent one
// whose check now passes, or a new one. A response without the check (a stand-in)
// never gets its buffers back. The pool holds at most MAX_BUFFERS and empties itself
// after IDLE_MS without use, so an idle server (the extension host) keeps nothing.
const MAX_BUFFERS = 16;
const IDLE_MS = 10_000;

/** Counted for tests and benches (test/integration/static/static-capture.test.ts). Only ever increase. */
export const readBufferStats = { allocated: 0, reused: 0 };

interface Lent {
  readonly buf: Buffer;
  readonly released: () => boolean;
}

export class ReadBufferPool {
  private free: Buffer[] = [];
  private lent: Lent[] = [];
  private used = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** @param size every pooled buffer has exactly this length */
  constructor(readonly size: number) {}

  /** A buffer of `size` bytes whose contents nobody needs. */
  take(): Buffer {
    this.used = true;
    const free = this.free.pop();
    if (free !== undefined) {
      readBufferStats.reused++;
      return free;
    }
    const lent = this.lent;
    for (let i = 0; i < lent.length; i++) {
      if (lent[i].released()) {
        const buf = lent[i].buf;
        lent.splice(i, 1);
        readBufferStats.reused++;
        return buf;
      }
    }
    readBufferStats.allocated++;
    return Buffer.allocUnsafeSlow(this.size);
  }

  /**
   * Gives a buffer back: `released` null when it was never written, else the check that says
   * its writes are done. A buffer of another size is left to the garbage collector.
   */
  give(buf: Buffer, released: (() => boolean) | null): void {
    if (buf.length !== this.size) return;
    if (released === null || released()) {
      if (this.free.length + this.lent.length < MAX_BUFFERS) this.free.push(buf);
    } else {
      // Full: the oldest lent buffer (the one most likely stuck behind a slow or recording peer) goes.
      if (this.free.length + this.lent.length >= MAX_BUFFERS) {
        if (this.lent.length === 0) return;
        this.lent.shift();
      }
      this.lent.push({ buf, released });
    }
    this.armIdleTimer();
  }

  /** Buffers held now (free and lent). */
  get held(): number {
    return this.free.length + this.lent.length;
  }

  private armIdleTimer(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.used) {
        this.used = false;
        this.armIdleTimer();
      } else {
        this.free = [];
        this.lent = [];
      }
    }, IDLE_MS);
    this.timer.unref?.();
  }
}
