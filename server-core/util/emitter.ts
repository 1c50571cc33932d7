import type { Disposable } from './disposable.js';

type Listener<T> = (payload: T) => void;

/**
 * A typed event source whose on() returns a Disposable. `hasListeners` lets hot
 * paths skip building payloads nobody reads. A listener that throws is reported
 * to `onListenerError` and never breaks the emitter or the other listeners.
 */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown) => void = (err) => queueMicrotask(() => { throw err; })) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposable {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const entry = listener as Listener<never>;
    set.add(entry);
    return {
      dispose: () => {
        set.delete(entry);
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
  }
}
