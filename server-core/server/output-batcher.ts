// The output side of a server connection: write batching and backpressure.
//
// Batching: the bytes written while one read is being handled (and until the
// setImmediate after it, so async handlers that finish within microtasks join
// in) go out in one socket write. A pipelined batch of requests is answered
// with one write, which is where most of the gain over node:http is.
//
// Backpressure: HIGH_WATER is our own mark rather than the socket's 16 KiB (a
// 64 KiB file chunk the kernel took at once does not cost the handler a drain
// round trip); responses that cannot write wait in `waitForDrain`. The same mark
// decides when the connection stops reading and starts no more handlers
// (response-queue.ts, connection.ts): a peer that never reads costs at most
// about this much, plus one response, not every response it asked for.
import type { Socket } from 'node:net';

/** write() says false past this many queued bytes (batched, or in the socket's buffer). */
export const HIGH_WATER = 64 * 1024;
/** A batch up to this size is concatenated into one buffer; a larger one is written corked, buffer by buffer. */
const CONCAT_LIMIT = 256 * 1024;

/** What the batcher needs from its connection. */
export interface BatchOwner {
  readonly socket: Socket;
  /** Bytes about to be handed to the socket (counting, capture). */
  countWritten(data: Buffer): void;
  /** Someone (a capture) keeps the buffers passed to countWritten: they must never be reused. Unknown (absent) counts as kept. */
  readonly keepsWrittenBuffers?: boolean;
}

export class OutputBatcher {
  /** A read is being handled: writes are collected until flush(). */
  batching = false;
  /** A flush is due on the next setImmediate. */
  flushScheduled = false;
  private bufs: Buffer[] | null = null;
  private bytes = 0;
  private drainWaiters: (() => void)[] | null = null;

  constructor(private readonly owner: BatchOwner) {}

  /** Bytes not yet taken by the kernel: the open batch and the socket's own buffer. */
  get queued(): number {
    return this.bytes + this.owner.socket.writableLength;
  }

  /**
   * Every buffer queued so far has been handed to the kernel and nobody kept it, so its memory
   * may be written again (static-files.ts reuses its read buffers on this). socket.writableLength
   * counts a buffer until its write completes, including one libuv still holds; a destroyed
   * socket answers false, as its last writes may never complete.
   */
  get buffersReleased(): boolean {
    const socket = this.owner.socket;
    return !this.batching && this.bufs === null && socket.writableLength === 0 && !socket.destroyed && this.owner.keepsWrittenBuffers === false;
  }

  /** Starts collecting writes (a read arrived). */
  begin(): void {
    this.batching = true;
  }

  /** Queues bytes; false when over HIGH_WATER. */
  out(data: Buffer): boolean {
    if (this.batching) {
      (this.bufs ??= []).push(data);
      this.bytes += data.length;
      return this.bytes < HIGH_WATER;
    }
    return this.write(data);
  }

  private write(data: Buffer): boolean {
    const socket = this.owner.socket;
    this.owner.countWritten(data);
    socket.write(data);
    // When this says false the socket has flagged needDrain, so 'drain' will come.
    return socket.writableLength < HIGH_WATER;
  }

  /** Ends the batch: writes what was collected (unless `discard`), then settles drain waiters if the socket can take more. */
  flush(discard = false): void {
    this.flushScheduled = false;
    this.batching = false;
    const bufs = this.bufs;
    if (bufs !== null && !discard) {
      this.bufs = null;
      const total = this.bytes;
      this.bytes = 0;
      if (bufs.length === 1) this.write(bufs[0]);
      else if (total <= CONCAT_LIMIT) this.write(Buffer.concat(bufs, total));
      else {
        const socket = this.owner.socket;
        socket.cork();
        for (const b of bufs) this.write(b);
        socket.uncork();
      }
    }
    this.settleDrainWaiters();
  }

  /** Resolves when the socket can take more (now, if `writableNow`). */
  waitForDrain(writableNow: boolean): Promise<void> {
    return new Promise((resolve) => {
      (this.drainWaiters ??= []).push(resolve);
      if (writableNow && !this.batching && !this.owner.socket.writableNeedDrain) this.resolveDrainWaiters();
    });
  }

  /** Resolves the waiters when no batch is open and the socket needs no drain. */
  settleDrainWaiters(): void {
    if (this.drainWaiters !== null && !this.batching && !this.owner.socket.writableNeedDrain) this.resolveDrainWaiters();
  }

  /** The socket drained (or closed): every waiter may write again. */
  resolveDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    for (const w of waiters) w();
  }
}
