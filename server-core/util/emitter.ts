import type { Disposable } from './disposable.js';

type Listener<T> = (payload: T) => void;

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

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    let slot = this.listeners.get(event);
    if (!slot) this.listeners.set(event, (slot = { set: new Set(), list: [] }));
    const entry = listener as Listener<never>;
    const s = slot;
    if (!s.set.has(entry)) {
      s.set.add(entry);
      s.list = [...s.set];
    }
    return {
      dispose: () => {
        if (s.set.delete(entry)) s.list = [...s.set];
      },
    };
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
  }
}
