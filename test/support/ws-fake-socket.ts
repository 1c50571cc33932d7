// A socket stand-in for driving a WebSocketConnection without the network:
// the test emits 'data' itself, and every byte the connection writes is
// parsed back into frames (in the peer's role) and logged.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { FrameParser } from '../../server-core/ws/frame-parser.js';
import type { WebSocketFrame } from '../../server-core/ws/types.js';

export class FakeSocket extends EventEmitter {
  destroyed = false;
  writableEnded = false;
  writableLength = 0;
  readonly written: Buffer[] = [];
  readonly frames: WebSocketFrame[] = [];
  ended = false;
  private readonly peer: FrameParser;

  /** role: the role of the connection under test; its output is parsed in the other role. */
  constructor(role: 'server' | 'client', onFrame?: (f: WebSocketFrame) => void, onEnd?: () => void) {
    super();
    this.peer = new FrameParser(
      {
        onFrame: (f) => {
          this.frames.push(f);
          onFrame?.(f);
        },
        onError: (e) => {
          throw e;
        },
      },
      { role: role === 'server' ? 'client' : 'server', enforce: false, perMessageDeflate: true },
    );
    this.onEnd = onEnd;
  }
  private readonly onEnd?: () => void;

  write(chunk: Buffer): boolean {
    if (this.writableEnded) return false;
    const copy = Buffer.from(chunk);
    this.written.push(copy);
    this.peer.push(copy);
    return true;
  }
  end(chunk?: Buffer): this {
    if (chunk) this.write(chunk);
    if (!this.writableEnded) {
      this.writableEnded = true;
      this.ended = true;
      this.onEnd?.();
    }
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit('close');
    }
    return this;
  }
  cork(): void {}
  uncork(): void {}
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  asDuplex(): Duplex {
    return this as unknown as Duplex;
  }
}
