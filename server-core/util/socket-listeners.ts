// Socket listeners shared by every connection object: one module-level
// function per event, not one closure per connection, so thousands of idle
// connections stay small. The owner is found through a symbol on the socket.
// Used by the HTTP connection (server/connection.ts) and the WebSocket
// connection (ws/connection.ts).
import type { Duplex } from 'node:stream';

/** The events a connection object handles for its socket. */
export interface SocketEventsOwner {
  handleData(chunk: Buffer): void;
  handleEnd(): void;
  handleError(err: Error): void;
  handleClose(): void;
  handleDrain(): void;
}

export interface SocketListeners {
  /** `owner` hears the socket's data, end, error, close and drain. */
  listen(socket: Duplex, owner: SocketEventsOwner): void;
  /** The owner stops hearing data, end and drain (and errors unless `keepErrors`); it still hears 'close'. */
  stop(socket: Duplex, keepErrors: boolean): void;
  /** `owner` hears what the previous owner still heard (an upgraded connection's record takes its place). */
  setOwner(socket: Duplex, owner: SocketEventsOwner): void;
}

/**
 * One set of listeners for one kind of owner, created once at module level.
 * Each kind has its own symbol, so an HTTP connection and the WebSocket
 * connection that takes its socket over each keep hearing their own events.
 */
export function createSocketListeners(kind: string): SocketListeners {
  const kOwner = Symbol(`wireplay.${kind}`);
  type OwnedSocket = Duplex & { [kOwner]?: SocketEventsOwner };
  function onData(this: OwnedSocket, chunk: Buffer): void {
    this[kOwner]?.handleData(chunk);
  }
  function onEnd(this: OwnedSocket): void {
    this[kOwner]?.handleEnd();
  }
  function onError(this: OwnedSocket, err: Error): void {
    this[kOwner]?.handleError(err);
  }
  function onClose(this: OwnedSocket): void {
    this[kOwner]?.handleClose();
  }
  function onDrain(this: OwnedSocket): void {
    this[kOwner]?.handleDrain();
  }
  return {
    listen(socket, owner) {
      (socket as OwnedSocket)[kOwner] = owner;
      socket.on('data', onData);
      socket.on('end', onEnd);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.on('drain', onDrain);
    },
    stop(socket, keepErrors) {
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('drain', onDrain);
      if (!keepErrors) socket.removeListener('error', onError);
    },
    setOwner(socket, owner) {
      (socket as OwnedSocket)[kOwner] = owner;
    },
  };
}
