// The tap a socket's owner reports its bytes to when someone else counts and
// captures them: every chunk read and every buffer written, in order, before
// it is handled or goes out. The server's upgraded connection implements it
// (server/upgraded-connection.ts) and the WebSocket connection calls it
// (ws/connection.ts), so the bytes after an upgrade reach the counters and the
// capture without wrapping the socket's write or adding listeners to it.
export interface WireTap {
  /**
   * A chunk read from the socket (not copied: Node never reuses a chunk it handed out).
   * Returns true when someone may keep it (a capture listener that did not declare it copies during the
   * call, util/emitter.ts ListenerOptions): the reader must not modify it then.
   */
  read(chunk: Buffer): boolean;
  /** A buffer about to be written to the socket (the writer must not reuse it). */
  wrote(bytes: Buffer): void;
}
