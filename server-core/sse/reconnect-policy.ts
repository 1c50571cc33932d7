// When a client of an event stream reconnects, and with which Last-Event-ID:
// the EventSource processing model (WHATWG HTML §9.2.3) as a pure object that
// owns no socket. The caller (the sender, the playground's SSE tab, the CLI)
// connects, reports what happened — the response head, the parser's events
// and retry fields, the drop — and gets back a decision: reconnect after
// `delay` ms with these headers, or stop and why.
//
// The rules it follows:
//   - a response that is not 200, or whose Content-Type is not
//     text/event-stream, fails the connection: no reconnect (servers answer 204
//     to say "stop");
//   - when the body ends, or the connection breaks (before or after the
//     response), the client waits the reconnection time and connects again;
//   - the reconnection time starts at an implementation-defined value ("a few
//     seconds", says the spec). Wireplay uses 3000 ms, as Chromium and WebKit
//     do (Firefox uses 5000); a valid `retry` field replaces it for the rest of
//     the session, across connections;
//   - the request carries `Last-Event-ID` with the last event ID string when it
//     is not empty; that string is updated at every dispatch — also by a block
//     without data, and set to '' by an `id:` line with an empty value;
//   - closing (the user's disconnect) stops everything, a wait included.
//
// EventSource waits exactly the reconnection time every time; the spec allows
// more after failed attempts. `backoff` (off by default) multiplies the delay
// for consecutive attempts that never got a response, and `maxAttempts` (no
// limit by default, like EventSource) gives up after that many.
import { isEventStreamContentType, mimeEssence } from './media-type.js';

export const DEFAULT_RECONNECTION_TIME = 3000;

export interface ReconnectPolicyOptions {
  /** The reconnection time before any `retry` field, in ms. Default 3000. */
  reconnectionTime?: number;
  /** The last event ID to start with (e.g. typed by the user); sent on the first connection too. Default ''. */
  lastEventId?: string;
  /** Reconnect after a drop. Default true. */
  autoReconnect?: boolean;
  /** Consecutive attempts without a response after which to stop. Default Infinity. */
  maxAttempts?: number;
  /** Delay × factor^(n−1) after n consecutive failed attempts, at most maxDelay. Default: none. */
  backoff?: { factor: number; maxDelay: number };
  /** Clock for `at` in decisions. Default Date.now. */
  now?: () => number;
}

export type ReconnectState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

export type ResponseVerdict =
  | { ok: true }
  | { ok: false; code: 'SSE_BAD_STATUS' | 'SSE_BAD_CONTENT_TYPE'; message: string };

/** How a connection ended: the body ended normally, or the connection broke (or never came up). */
export type DropCause = 'end-of-body' | 'network-error';

export interface ConnectAttempt {
  /** 1-based number of this connection in the session. */
  connection: number;
  /** The connection before it, for "reconnect of #n" links; undefined for the first. */
  previous: number | undefined;
  /** The request headers EventSource adds: Accept, Cache-Control, and Last-Event-ID when known. */
  headers: Record<string, string>;
  lastEventId: string;
}

export type ReconnectDecision =
  | {
      action: 'reconnect';
      /** Milliseconds to wait before connecting again. */
      delay: number;
      /** now() + delay. */
      at: number;
      /** The number the next connection will have. */
      connection: number;
      /** Consecutive attempts without a response so far (0 after a stream that opened). */
      failures: number;
      lastEventId: string;
    }
  | {
      action: 'stop';
      reason: StopReason;
      message: string;
    };

/** closed: by the user; failed: the response was refused; the others: by the options. */
export type StopReason = 'closed' | 'failed' | 'auto-reconnect-off' | 'max-attempts';

export class ReconnectPolicy {
  private current: ReconnectState = 'idle';
  private lastId: string;
  private retryMs: number;
  private count = 0;
  private failures = 0;
  private stopMessage = 'the stream was closed';
  private stopReason: StopReason = 'closed';
  private readonly autoReconnect: boolean;
  private readonly maxAttempts: number;
  private readonly backoff: { factor: number; maxDelay: number } | undefined;
  private readonly now: () => number;
  private cancelWait: (() => void) | undefined = undefined;

  constructor(options: ReconnectPolicyOptions = {}) {
    this.retryMs = options.reconnectionTime ?? DEFAULT_RECONNECTION_TIME;
    if (!Number.isSafeInteger(this.retryMs) || this.retryMs < 0) throw new RangeError('reconnectionTime must be a non-negative integer of ms');
    this.lastId = options.lastEventId ?? '';
    this.autoReconnect = options.autoReconnect ?? true;
    this.maxAttempts = options.maxAttempts ?? Infinity;
    this.backoff = options.backoff;
    this.now = options.now ?? Date.now;
  }

  get state(): ReconnectState {
    return this.current;
  }

  /** The last event ID string: sent as Last-Event-ID on the next connection when not empty. */
  get lastEventId(): string {
    return this.lastId;
  }

  /** The reconnection time in ms (the default, or the last valid `retry`). */
  get reconnectionTime(): number {
    return this.retryMs;
  }

  /** Number of the current (or last) connection; 0 before the first. */
  get connection(): number {
    return this.count;
  }

  /** Headers for the next request: Accept and Cache-Control as EventSource sends them, and Last-Event-ID when known. */
  requestHeaders(): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
    if (this.lastId !== '') headers['Last-Event-ID'] = this.lastId;
    return headers;
  }

  /** A connection is being opened (the first, or after a wait). Throws once the policy is closed. */
  connecting(): ConnectAttempt {
    if (this.current === 'closed') throw new Error(`cannot connect: ${this.stopMessage}`);
    if (this.current === 'connecting' || this.current === 'open') throw new Error('cannot connect: a connection is already in progress');
    this.cancelWait?.();
    const previous = this.count === 0 ? undefined : this.count;
    this.count++;
    this.current = 'connecting';
    return { connection: this.count, previous, headers: this.requestHeaders(), lastEventId: this.lastId };
  }

  /** The response head arrived. A refusal closes the policy (EventSource "fails the connection"). */
  responded(res: { status: number; contentType: string | undefined }): ResponseVerdict {
    if (this.current !== 'connecting') throw new Error(`responded() while ${this.current}`);
    if (res.status !== 200) {
      return this.refuse('SSE_BAD_STATUS', `the response status is ${res.status}, not 200: EventSource does not reconnect`);
    }
    if (!isEventStreamContentType(res.contentType)) {
      const got = mimeEssence(res.contentType) || 'missing';
      return this.refuse('SSE_BAD_CONTENT_TYPE', `the Content-Type is ${got}, not text/event-stream: EventSource does not reconnect`);
    }
    this.current = 'open';
    this.failures = 0;
    return { ok: true };
  }

  /** A block was dispatched (an event, or a blank line without data): its lastEventId is the stream's now. */
  dispatched(block: { lastEventId: string }): void {
    this.lastId = block.lastEventId;
  }

  /** A valid `retry` field arrived. */
  retry(ms: number): void {
    if (Number.isSafeInteger(ms) && ms >= 0) this.retryMs = ms;
  }

  /** The connection ended. Says whether and when to connect again. */
  dropped(cause: DropCause): ReconnectDecision {
    if (this.current === 'closed') return { action: 'stop', reason: this.stopReason, message: this.stopMessage };
    if (this.current !== 'connecting' && this.current !== 'open') throw new Error(`dropped() while ${this.current}`);
    if (this.current === 'connecting') this.failures++;
    if (!this.autoReconnect) {
      this.close(cause === 'end-of-body' ? 'the server ended the stream; auto-reconnect is off' : 'the connection broke; auto-reconnect is off', 'auto-reconnect-off');
      return { action: 'stop', reason: this.stopReason, message: this.stopMessage };
    }
    if (this.failures >= this.maxAttempts) {
      this.close(`gave up after ${this.failures} attempts without a response`, 'max-attempts');
      return { action: 'stop', reason: this.stopReason, message: this.stopMessage };
    }
    let delay = this.retryMs;
    if (this.backoff && this.failures > 0) {
      delay = Math.min(this.backoff.maxDelay, Math.round(delay * this.backoff.factor ** (this.failures - 1)));
    }
    this.current = 'waiting';
    return { action: 'reconnect', delay, at: this.now() + delay, connection: this.count + 1, failures: this.failures, lastEventId: this.lastId };
  }

  /**
   * Waits out a reconnect decision with setTimeout. Resolves true when it is time to connect, false
   * when the policy was closed (or `signal` aborted) meanwhile.
   */
  wait(decision: ReconnectDecision, signal?: AbortSignal): Promise<boolean> {
    if (decision.action !== 'reconnect' || this.current !== 'waiting' || signal?.aborted) return Promise.resolve(false);
    this.cancelWait?.();
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.cancelWait === cancel) this.cancelWait = undefined;
        resolve(ok);
      };
      const cancel = (): void => finish(false);
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(this.current === 'waiting'), decision.delay);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.cancelWait = cancel;
    });
  }

  /** Stops for good (the user's disconnect): no reconnect, a pending wait resolves false. */
  close(message = 'the stream was closed', reason: StopReason = 'closed'): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.stopMessage = message;
    this.stopReason = reason;
    this.cancelWait?.();
  }

  private refuse(code: 'SSE_BAD_STATUS' | 'SSE_BAD_CONTENT_TYPE', message: string): ResponseVerdict {
    this.close(message, 'failed');
    return { ok: false, code, message };
  }
}
