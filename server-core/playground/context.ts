// What the playground's parts (HTTP sends, WebSocket sessions, raw sessions,
// the queue relay) share of the controller: the way to the UI, the batch of
// live pushes, and a capture tap per operation. Each part gets this and
// nothing else of the controller, so it can be read, and tested, on its own.
import type { CaptureStore } from '../capture/capture-store.js';
import type { CaptureEvents } from '../capture/types.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import type { ToWebview } from '../protocol/playground.js';

export interface PlaygroundContext {
  readonly store: CaptureStore;
  /** A message to the UI; nothing once the controller is disposed. */
  post(message: ToWebview): void;
  /** Pushes the batched chunks, messages and jobs now, so they reach the UI before what is posted next. */
  flush(): void;
  /**
   * A capture emitter for one operation (a send, a session): every connection
   * it opens is recorded with the playground's own traffic and pushed live to
   * the UI; `onOpen` runs first, before the UI hears of the connection.
   */
  tap(onOpen: (connectionId: string) => void): CaptureTap;
  /** The connection's name in the UI's picker (`GET http://…`, a ws:// URL, `host:port (raw)`). */
  label(connectionId: string, label: string): void;
  log?(message: string): void;
}

export interface CaptureTap extends Disposable {
  /** Give it to the sender or session as its `capture`. */
  readonly emitter: Emitter<CaptureEvents>;
}

/** A tap forwarding into `into` (the controller's client-side capture), calling `onOpen` with each connection first. */
export function forwardCapture(into: Emitter<CaptureEvents>, onOpen: (connectionId: string) => void): CaptureTap {
  const emitter = new Emitter<CaptureEvents>();
  const d = new DisposableStore();
  d.add(emitter.on('open', (e) => onOpen(e.connectionId)));
  d.add(emitter.on('open', (e) => into.emit('open', e)));
  d.add(emitter.on('chunk', (e) => into.emit('chunk', e)));
  d.add(emitter.on('switch', (e) => into.emit('switch', e)));
  d.add(emitter.on('close', (e) => into.emit('close', e)));
  return { emitter, dispose: () => d.dispose() };
}
