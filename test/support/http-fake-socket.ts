// A socket stand-in for driving an HttpConnection without the network: the
// test pushes bytes with `receive()` and a FIN with `peerEnd()`; every byte
// the connection writes is kept in order (`text()`), and `ended`/`destroyed`
// say how the connection let go of it. `destroy()` emits 'close' on the next
// tick, as a real socket does.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class FakeHttpSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 50000;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 8080;
  readonly written: Buffer[] = [];
  /** How many write() calls (a batch of pipelined responses is one). */
  writes = 0;
  writableLength = 0;
  writableNeedDrain = false;
  ended = false;
  destroyed = false;
  paused = false;
  private closing = false;
  private closeEmitted = false;

  write(chunk: Buffer | string, encoding?: unknown, cb?: unknown): boolean {
    this.writes++;
    this.written.push(Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    if (typeof encoding === 'function') (encoding as () => void)();
    else if (typeof cb === 'function') (cb as () => void)();
    return true;
  }

  end(chunk?: unknown, encoding?: unknown, cb?: unknown): this {
    if (typeof chunk === 'function') cb = chunk;
    else if (chunk !== undefined) this.write(chunk as Buffer, encoding);
    this.ended = true;
    if (typeof cb === 'function') queueMicrotask(cb as () => void);
    return this;
  }

  destroy(): this {
    if (this.closing) return this;
    this.closing = true;
    this.destroyed = true;
    process.nextTick(() => {
      this.closeEmitted = true;
      this.emit('close', false);
    });
    return this;
  }

  cork(): void {}
  uncork(): void {}
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }

  /** Bytes from the peer. */
  receive(text: string | Buffer): void {
    this.emit('data', Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'));
  }

  /** The peer's FIN. */
  peerEnd(): void {
    this.emit('end');
  }

  /** Everything written, as latin1 text. */
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }

  /** Resolves when 'close' has been emitted. */
  closed(): Promise<void> {
    return this.closeEmitted ? Promise.resolve() : new Promise((resolve) => this.once('close', () => resolve()));
  }

  asSocket(): Socket {
    return this as unknown as Socket;
  }
}
