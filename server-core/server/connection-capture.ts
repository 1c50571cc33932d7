// The capture's open and close events of an accepted socket (the socket's
// listeners are util/socket-listeners.ts, shared with the WebSocket connection).
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import type { Emitter } from '../util/emitter.js';

/** The capture's open event for an accepted socket (only built when someone listens). */
export function captureOpened(capture: Emitter<CaptureEvents>, conn: { id: string; local: Endpoint; remote: Endpoint; openedAt: number; openedAtMono: number }): void {
  if (!capture.hasListeners('open')) return;
  capture.emit('open', {
    connectionId: conn.id,
    side: 'server',
    protocol: 'http',
    tls: false,
    local: conn.local,
    remote: conn.remote,
    t: conn.openedAtMono,
    wallTime: conn.openedAt,
  });
}

/** The capture's close event, with the reason when there is one. */
export function captureClosed(capture: Emitter<CaptureEvents>, connectionId: string, reason: string | undefined): void {
  if (!capture.hasListeners('close')) return;
  const e: CaptureEvents['close'] = { connectionId, t: performance.now() };
  if (reason) e.reason = reason;
  capture.emit('close', e);
}
