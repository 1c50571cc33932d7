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
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** The listeners declared to copy (ListenerOptions.copies), by event. */
  private readonly copying = new Map<keyof Events, Map<Listener<never>, true | (() => boolean)>>();

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>, options?: ListenerOptions): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as Listener<never>;
    set.add(entry);
    const copies = options?.copies;
    let copying: Map<Listener<never>, true | (() => boolean)> | undefined;
    if (copies !== undefined && copies !== false) {
      copying = this.copying.get(event);
      if (!copying) this.copying.set(event, (copying = new Map()));
      copying.set(entry, copies);
    } else this.copying.get(event)?.delete(entry); // the same function again, now without the declaration
    return {
      dispose: () => {
        set.delete(entry);
        copying?.delete(entry);
      },
    };
  }

  /** Some listener of `event` may keep the payload's buffers past the call (none declared it copies; ListenerOptions). */
  hasKeepingListeners<K extends keyof Events>(event: K): boolean {
    const set = this.listeners.get(event);
    if (set === undefined || set.size === 0) return false;
    const copying = this.copying.get(event);
    if (copying === undefined || copying.size < set.size) return true;
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
    const set = this.listeners.get(event);
    return set !== undefined && set.size > 0;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
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
