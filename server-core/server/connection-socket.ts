// The socket side of a server connection: the listeners, shared by every
// connection (one function per event, not one closure per connection, so idle
// keep-alive connections stay small; the connection is found through a symbol
// on the socket; the upgrade hand-off removes all but 'close'), and the
// capture's open and close events of an accepted socket.
import type { Socket } from 'node:net';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import type { Emitter } from '../util/emitter.js';

/** The events a server connection handles. */
export interface SocketEventsOwner {
  handleData(chunk: Buffer): void;
  handleEnd(): void;
  handleError(err: Error): void;
  handleClose(): void;
  handleDrain(): void;
}

const kOwner = Symbol('wireplay.connection');
type OwnedSocket = Socket & { [kOwner]: SocketEventsOwner };

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[kOwner].handleData(chunk);
}
function onEnd(this: OwnedSocket): void {
  this[kOwner].handleEnd();
}
function onError(this: OwnedSocket, err: Error): void {
  this[kOwner].handleError(err);
}
function onClose(this: OwnedSocket): void {
  this[kOwner].handleClose();
}
function onDrain(this: OwnedSocket): void {
  this[kOwner].handleDrain();
}

export function listenToSocket(socket: Socket, owner: SocketEventsOwner): void {
  (socket as OwnedSocket)[kOwner] = owner;
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);
  socket.on('drain', onDrain);
}

/** Before a hand-off: the new owner reads, writes and reports errors; the connection still hears 'close'. */
export function stopListeningForHttp(socket: Socket): void {
  socket.removeListener('data', onData);
  socket.removeListener('end', onEnd);
  socket.removeListener('drain', onDrain);
  socket.removeListener('error', onError);
}

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
