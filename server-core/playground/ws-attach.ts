// The host side's way into the playground's WebSocket sessions: a session
// opened by the host (a WEBSOCKET block sent from a .http file) rather than by
// the composer, then shown and driven in the composer like any other. The
// handle lets the opener send and listen; the user keeps the session.
import type { Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import type { WsSession } from '../client/ws-session.js';

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

/** What the playground knows of one session it opened for a host-side opener. */
export interface AttachedSessionParts {
  sessionId: string;
  connectionId: string;
  session: WsSession;
  /** Open, and not closing from either side: it may still send. */
  isOpen(): boolean;
  /** Shows a sent message in the UI (the composer's log). */
  logSent(opcode: number, data: Buffer): void;
  /** Shows the close frame we send and the closing state in the UI. */
  logClose(code: number, reason: string): void;
}

/** The handle over an open session. Subscribe before frames are read (the same turn as the open). */
export function attachedHandle(parts: AttachedSessionParts): AttachedWebSocket {
  const session = parts.session;
  let closeEvent: WsCloseInfo | undefined;
  const closes = new Emitter<{ close: WsCloseInfo }>();
  session.on('close', (e) => {
    closeEvent = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    closes.emit('close', closeEvent);
    closes.clear();
  });
  return {
    sessionId: parts.sessionId,
    connectionId: parts.connectionId,
    protocol: session.protocol,
    extensions: session.extensions,
    get isClosed() {
      return closeEvent !== undefined || session.state === 'closed';
    },
    get closeEvent() {
      return closeEvent;
    },
    async send(data, binary) {
      if (!parts.isOpen()) throw new Error('the WebSocket session is not open');
      parts.logSent(binary ? 2 : 1, data);
      // Resolves once written, or once the socket drained when the write went over the high-water mark.
      await session.send(binary ? { kind: 'binary', data } : { kind: 'text', text: data.toString('utf8') });
    },
    onMessage: (listener) => session.on('message', (m) => listener({ binary: m.binary, data: m.data })),
    onClose: (listener) => (closeEvent ? (listener(closeEvent), { dispose() {} }) : closes.on('close', listener)),
    close(code = 1000, reason = '') {
      if (!parts.isOpen()) return;
      parts.logClose(code, reason);
      session.close(code, reason);
    },
  };
}
