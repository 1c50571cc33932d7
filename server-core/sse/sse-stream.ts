// The server side of an event stream: SseStream writes spec-exact events and
// comments (encoder.ts) onto a minimal writable, passes its backpressure
// through, and surfaces the end of the stream once, whichever side ended it.
//
// It knows nothing of sockets or HTTP: anything with write/drain/end fits
// (response-adapter.ts puts it on the server's ServerResponse; tests use a
// fake). Backpressure is the writable's: send() returns what write() returned
// (false: the buffer is over its high-water mark, await drain() before sending
// more). drain() also settles when the stream closes, so a producer waiting on
// it never hangs after the client left.
//
// Sending after the stream closed throws SseStreamError('SSE_STREAM_CLOSED'):
// the route keeps a timer or a subscription it should have stopped in onClose,
// and a silent no-op would hide that.
import type { Disposable } from '../util/disposable.js';
import { encodeComment, encodeEvent, type SseEventInit } from './encoder.js';

/** What SseStream needs from its transport. The server's ServerResponse has this shape. */
export interface SseWritable {
  /** Queues bytes; false when the transport's buffer is over its high-water mark. */
  write(chunk: Buffer): boolean;
  /** Resolves when writing may go on. */
  drain(): Promise<void>;
  /** Ends the body (for a chunked response, the last chunk). */
  end(): void;
}

/** 'local': close() was called. 'remote': the transport closed underneath (the client went away). */
export type SseCloseReason = 'local' | 'remote';

export interface SseStreamOptions {
  /** Aborted when the transport closes underneath the stream (for the server: the request's signal). */
  closed?: AbortSignal;
}

export class SseStreamError extends Error {
  override readonly name = 'SseStreamError';
  constructor(
    readonly code: 'SSE_STREAM_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

type CloseListener = (reason: SseCloseReason) => void;

export class SseStream {
  private reason: SseCloseReason | undefined = undefined;
  private readonly listeners = new Set<CloseListener>();
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = (): void => this.closed('remote');
  private closeWaiters: (() => void)[] = [];
  private events = 0;
  private bytes = 0;
  private full = false;

  constructor(
    private readonly out: SseWritable,
    options: SseStreamOptions = {},
  ) {
    this.signal = options.closed;
    if (this.signal?.aborted) this.reason = 'remote';
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Writes one event. Returns false when the transport's buffer is over its high-water mark: await
   * drain() before the next send. Throws SseEncodeError for an event that cannot be written exactly
   * (nothing is written then), SseStreamError after the stream closed.
   */
  send(evt: SseEventInit): boolean {
    this.assertOpen('send');
    const ok = this.write(encodeEvent(evt));
    this.events++;
    return ok;
  }

  /** Writes a comment (`:text`), e.g. a heartbeat. Same return value and errors as send(). */
  comment(text = ''): boolean {
    this.assertOpen('comment');
    return this.write(encodeComment(text));
  }

  /** Resolves when the transport can take more, or at once when nothing is pending or the stream closed. */
  drain(): Promise<void> {
    if (this.reason !== undefined || !this.full) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        this.closeWaiters = this.closeWaiters.filter((w) => w !== done);
        this.full = false;
        resolve();
      };
      this.closeWaiters.push(done);
      this.out.drain().then(done, done);
    });
  }

  /** Ends the stream (and the response). Closing twice, or after the client left, does nothing. */
  close(): void {
    if (this.reason !== undefined) return;
    this.out.end();
    this.closed('local');
  }

  get isClosed(): boolean {
    return this.reason !== undefined;
  }

  /** Why the stream closed, once it has. */
  get closeReason(): SseCloseReason | undefined {
    return this.reason;
  }

  /** True after a write returned false, until drain() settles. */
  get needsDrain(): boolean {
    return this.full && this.reason === undefined;
  }

  get eventsSent(): number {
    return this.events;
  }

  /** Bytes of events and comments written (the body, before any transfer coding). */
  get bytesSent(): number {
    return this.bytes;
  }

  /**
   * Called once when the stream closes, with the reason. A listener added after the close is called
   * in a microtask. A listener that throws does not keep the others from running; its error is
   * rethrown asynchronously.
   */
  onClose(listener: CloseListener): Disposable {
    if (this.reason !== undefined) {
      const reason = this.reason;
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) listener(reason);
      });
      return { dispose: () => void (cancelled = true) };
    }
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private write(text: string): boolean {
    const chunk = Buffer.from(text, 'utf8');
    this.bytes += chunk.length;
    const ok = this.out.write(chunk);
    if (!ok) this.full = true;
    return ok;
  }

  private assertOpen(what: string): void {
    if (this.reason === undefined) return;
    const why = this.reason === 'remote' ? 'the client disconnected' : 'close() was called';
    throw new SseStreamError('SSE_STREAM_CLOSED', `${what}() after the event stream closed (${why}); stop sending in onClose`);
  }

  private closed(reason: SseCloseReason): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const w of [...this.closeWaiters]) w();
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) {
      try {
        l(reason);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
