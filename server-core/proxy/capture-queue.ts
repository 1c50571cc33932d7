// The proxy's capture events, delivered after the bytes went on: each leg's
// open / chunk / switch / close is queued (in one queue for the whole proxy, so
// the order across legs is kept) and handed to the capture emitter on the next
// turn of the event loop, in one batch. Storing and dissecting a response then
// happens after it was written to the client, not between its read and its
// write: recording adds no latency to the exchange it records.
//
// The proxy's exchange events go through the same queue (defer), so whoever
// hears of an exchange finds its bytes in the capture; who reads the proxy's
// state directly (exchanges(), close) calls flush() first. Payloads are views of the socket's read
// chunks or of buffers the proxy wrote, which nobody modifies afterwards.
import type { CaptureEvents } from '../capture/types.js';
import type { Emitter } from '../util/emitter.js';

/** What a LegTap needs of the capture: an emitter, or this queue in front of one. */
export type CaptureSink = Pick<Emitter<CaptureEvents>, 'emit' | 'hasListeners'>;

export class CaptureQueue implements CaptureSink {
  /**
   * Flat: an event name and its payload, or a deferred callback and undefined, two slots per item
   * (no pair allocated per chunk: a 1 MiB response through the proxy queues about 36 chunk events).
   */
  private queue: unknown[] = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Items queued so far (emit and defer): the sequence number of the last one. */
  private queuedCount = 0;
  /** Items delivered so far. */
  private deliveredCount = 0;
  /** The sequence number of the last chunk event delivered while a listener that may keep its bytes was listening. */
  private keptSeq = 0;

  constructor(private readonly target: Emitter<CaptureEvents>) {}

  hasListeners(event: keyof CaptureEvents): boolean {
    return this.target.hasListeners(event);
  }

  /** The sequence number of the last item queued so far (a later one has a higher number). */
  get seq(): number {
    return this.queuedCount;
  }

  /**
   * Runs `fn` once every item queued so far is delivered, with `kept`: whether a chunk event numbered
   * above `since` was delivered to a listener that may keep its bytes (util/emitter.ts,
   * ListenerOptions.copies). When it is false, no listener holds the bytes of those events any more
   * (upstream-leg.ts reuses its read memory on that word).
   */
  whenDelivered(since: number, fn: (kept: boolean) => void): void {
    this.defer(() => fn(this.keptSeq > since));
  }

  emit<K extends keyof CaptureEvents>(event: K, payload: CaptureEvents[K]): void {
    this.queuedCount++;
    this.queue.push(event, payload);
    this.scheduled ??= setImmediate(this.flushNow);
  }

  /** Runs `fn` in order with the events queued before it (the proxy's exchange events: after their bytes). */
  defer(fn: () => void): void {
    this.queuedCount++;
    this.queue.push(fn, undefined);
    this.scheduled ??= setImmediate(this.flushNow);
  }

  /** Delivers everything queued, in order. */
  flush(): void {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    // A listener may cause more events: they are delivered in this flush, after these.
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (let i = 0; i < batch.length; i += 2) {
        const event = batch[i];
        const n = ++this.deliveredCount;
        if (typeof event === 'function') (event as () => void)();
        else {
          if (event === 'chunk' && this.target.hasKeepingListeners('chunk')) this.keptSeq = n;
          this.target.emit(event as keyof CaptureEvents, batch[i + 1] as never);
        }
      }
    }
  }

  private readonly flushNow = (): void => {
    this.scheduled = undefined;
    this.flush();
  };
}
