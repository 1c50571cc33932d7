import type { Disposable } from './disposable.js';

type Listener<T> = (payload: T) => void;

/** How a listener treats its payload. */
export interface ListenerOptions {
  /**
   * The listener reads the payload's buffers only during the call and keeps none of them (it copies what it
   * keeps): the emitter may then fill those buffers again once the call returns (static/read-buffer-pool.ts,
   * the WebSocket parser's unmasking in place). A function is asked each time (a listener that passes the
   * payload on copies only while whoever it passes it to does). Default: it may keep them.
   */
  readonly copies?: boolean | (() => boolean);
}

/**
 * A typed event source whose on() returns a Disposable. `hasListeners` lets hot
 * paths skip building payloads nobody reads. A listener that throws is reported
 * to `onListenerError` and never breaks the emitter or the other listeners.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  /**
   * Per event: the listeners, and `list`, a copy that on() and dispose() replace and nobody modifies, so
   * emit() walks the listeners as they were when it began without copying them each time (it copied the
   * set on every emit: an array per chunk, per request event, on the capture's hot path).
   */
  private readonly listeners = new Map<keyof Events, { set: Set<Listener<never>>; list: readonly Listener<never>[] }>();
  /** The listeners declared to copy (ListenerOptions.copies), by event. */
  private readonly copying = new Map<keyof Events, Map<Listener<never>, true | (() => boolean)>>();

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>, options?: ListenerOptions): Disposable {
    let slot = this.listeners.get(event);
    if (!slot) this.listeners.set(event, (slot = { set: new Set(), list: [] }));
    const entry = listener as Listener<never>;
    const s = slot;
    if (!s.set.has(entry)) {
      s.set.add(entry);
      s.list = [...s.set];
    }
    const copies = options?.copies;
    let copying: Map<Listener<never>, true | (() => boolean)> | undefined;
    if (copies !== undefined && copies !== false) {
      copying = this.copying.get(event);
      if (!copying) this.copying.set(event, (copying = new Map()));
      copying.set(entry, copies);
    } else this.copying.get(event)?.delete(entry); // the same function again, now without the declaration
    return {
      dispose: () => {
        if (s.set.delete(entry)) s.list = [...s.set];
        copying?.delete(entry);
      },
    };
  }

  /** Some listener of `event` may keep the payload's buffers past the call (none declared it copies; ListenerOptions). */
  hasKeepingListeners<K extends keyof Events>(event: K): boolean {
    const slot = this.listeners.get(event);
    if (slot === undefined || slot.list.length === 0) return false;
    const copying = this.copying.get(event);
    if (copying === undefined || copying.size < slot.list.length) return true;
    for (const c of copying.values()) if (c !== true && !c()) return true;
    return false;
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    const d = this.on(event, (payload) => {
      d.dispose();
      listener(payload);
    });
    return d;
  }

  hasListeners<K extends keyof Events>(event: K): boolean {
    const slot = this.listeners.get(event);
    return slot !== undefined && slot.list.length > 0;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const slot = this.listeners.get(event);
    if (slot === undefined) return;
    const list = slot.list;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as Listener<Events[K]>)(payload);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
    this.copying.clear();
  }
}
