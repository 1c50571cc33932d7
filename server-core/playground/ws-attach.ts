// The host side's way into the playground's WebSocket sessions: a session
// opened by the host (a WEBSOCKET block sent from a .http file) rather than by
// the composer, then shown and driven in the composer like any other. The
// handle lets the opener send and listen; the user keeps the session.
import type { Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import type { WebSocketConnection } from '../ws/connection.js';

export interface AttachWebSocketOptions {
  /** ws:// or wss:// (http:// and https:// are taken as ws:// and wss://). */
  url: string;
  /** Subprotocols to offer, in order of preference. */
  protocols?: string[];
  /** Handshake headers, already resolved (no Sec-WebSocket-Protocol: that is `protocols`). */
  headers?: { name: string; value: string }[];
  /** wss:// without certificate verification. */
  insecure?: boolean;
  /** Connect + handshake limit. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Where the session comes from, shown in the composer (e.g. `requests.http:12`). */
  source?: string;
  /** Aborts the connection attempt (not the session once it is open). */
  signal?: AbortSignal;
}

export interface WsCloseInfo {
  code: number;
  reason: string;
  wasClean: boolean;
}

/** An open session of the playground, as its opener sees it. */
export interface AttachedWebSocket {
  readonly sessionId: string;
  readonly connectionId: string;
  /** The subprotocol the server chose ('' for none). */
  readonly protocol: string;
  readonly extensions: string;
  readonly isClosed: boolean;
  /** How it closed, once it has. */
  readonly closeEvent: WsCloseInfo | undefined;
  /** Sends one message, shown in the composer's log like one typed there; rejects when the session is closed. */
  send(data: Buffer, binary: boolean): Promise<void>;
  /** Every complete message from the server. */
  onMessage(listener: (message: { binary: boolean; data: Buffer }) => void): Disposable;
  onClose(listener: (close: WsCloseInfo) => void): Disposable;
  /** Starts the closing handshake (the composer's "Send close"). */
  close(code?: number, reason?: string): void;
}

/** What the controller knows of one session it opened for a host-side opener. */
export interface AttachedSessionParts {
  sessionId: string;
  connectionId: string;
  connection: WebSocketConnection;
  /** Shows a sent message in the UI (the controller's ws.message). */
  logSent(opcode: number, data: Buffer): void;
  /** Shows the close frame we send and the closing state in the UI. */
  logClose(code: number, reason: string): void;
}

/** The handle over an open session. Subscribe before frames are read (the same turn as the open). */
export function attachedHandle(parts: AttachedSessionParts): AttachedWebSocket {
  const conn = parts.connection;
  let closeEvent: WsCloseInfo | undefined;
  const closes = new Emitter<{ close: WsCloseInfo }>();
  conn.on('close', (e) => {
    closeEvent = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    closes.emit('close', closeEvent);
    closes.clear();
  });
  return {
    sessionId: parts.sessionId,
    connectionId: parts.connectionId,
    protocol: conn.protocol,
    extensions: conn.extensions,
    get isClosed() {
      return closeEvent !== undefined || conn.readyState === 'closed';
    },
    get closeEvent() {
      return closeEvent;
    },
    async send(data, binary) {
      if (conn.readyState !== 'open') throw new Error('the WebSocket session is not open');
      parts.logSent(binary ? 2 : 1, data);
      const flushed = binary ? conn.send(data, { binary: true }) : conn.send(data.toString('utf8'));
      if (flushed || conn.readyState !== 'open') return;
      // Over the high-water mark: wait until the socket drains (or the connection closes).
      await new Promise<void>((resolve) => {
        const done = () => {
          drained.dispose();
          closed.dispose();
          resolve();
        };
        const drained = conn.on('drain', done);
        const closed = conn.on('close', done);
      });
    },
    onMessage: (listener) => conn.on('message', (m) => listener({ binary: m.binary, data: m.data })),
    onClose: (listener) => (closeEvent ? (listener(closeEvent), { dispose() {} }) : closes.on('close', listener)),
    close(code = 1000, reason = '') {
      if (conn.readyState !== 'open') return;
      parts.logClose(code, reason);
      conn.close(code, reason);
    },
  };
}
