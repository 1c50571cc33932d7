// Writes to one socket of a proxied connection, one system call per read
// where it can be. The proxy hands bytes on in pieces (a response head, then
// the body that came in the same read: views of one buffer, end to end);
// while a batch is open (one read being handled), pieces that continue each
// other are joined into one view and written once, at the end of the batch.
// Pieces that do not (a proxy-written answer next to forwarded bytes) are
// written corked, so they still leave together. Outside a batch a write goes
// straight to the socket.
//
// Joining views is byte-exact whatever the buffers are: a view over memory
// that continues the previous piece holds exactly the two pieces' bytes.
// Replaces cork()/uncork() per read (which buffers each write in the stream
// and flushes it through writev, even when there is only one piece, or two
// from the same read).
import type { Socket } from 'node:net';

export class SocketWriter {
  /** The pieces of this batch so far, joined (written at the end of the batch). */
  private pending: Buffer | null = null;
  private depth = 0;
  private corked = false;

  constructor(private readonly socket: Socket) {}

  /** Bytes the socket holds plus those waiting for the end of the batch. */
  get length(): number {
    return this.socket.writableLength + (this.pending === null ? 0 : this.pending.length);
  }

  /** Until the matching endBatch(), writes are joined. Batches nest. */
  beginBatch(): void {
    this.depth++;
  }

  endBatch(): void {
    if (this.depth > 0 && --this.depth === 0) this.flush();
  }

  write(bytes: Buffer): void {
    if (this.depth === 0) {
      this.socket.write(bytes);
      return;
    }
    const p = this.pending;
    if (p === null) {
      this.pending = bytes;
      return;
    }
    if (p.buffer === bytes.buffer && p.byteOffset + p.length === bytes.byteOffset) {
      this.pending = Buffer.from(p.buffer, p.byteOffset, p.length + bytes.length);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    this.socket.write(p);
    this.pending = bytes;
  }

  /** Writes what the batch holds now (before an end(), or when the batch closes). */
  flush(): void {
    const p = this.pending;
    if (p !== null) {
      this.pending = null;
      // Destroyed during the batch: what it held is dropped, as a corked socket's buffer would be.
      if (!this.socket.destroyed) this.socket.write(p);
    }
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  /** Ends the socket after everything written so far. */
  end(): void {
    this.flush();
    this.socket.end();
  }
}
