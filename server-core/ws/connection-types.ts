// The public shapes of a WebSocket connection (ws/connection.ts): its events,
// the close it reports, the frames it wrote, its counters, and what its owner
// (ws/upgrade.ts on the server, ws/client.ts) gives it at construction.
import type { DeflateParams } from './permessage-deflate.js';
import type { WireTap } from '../util/wire-tap.js';
import type { WebSocketConnectionOptions, WebSocketFrame, WebSocketHandler, WebSocketMessage } from './types.js';

export interface CloseEvent {
  code: number;
  reason: string;
  /** A close frame was both sent and received before the TCP connection ended. */
  wasClean: boolean;
  /** Why the connection failed, when it did. */
  error?: Error;
}

/** The bytes of one frame exactly as written to the socket. */
export interface SentFrame {
  opcode: number;
  fin: boolean;
  rsv1: boolean;
  payloadLength: number;
  /** Header and (masked) payload; absent for huge frames unless someone listens. */
  bytes: Buffer;
  /** Written with sendRaw (pre-encoded, possibly invalid). */
  raw: boolean;
}

export interface WebSocketConnectionEvents {
  open: void;
  message: WebSocketMessage;
  /** Every frame received, with the offsets of its fields (counted from the first byte after the handshake). */
  frame: WebSocketFrame;
  /** Every frame written. */
  frameSent: SentFrame;
  ping: Buffer;
  pong: Buffer;
  /** A protocol error or a socket error; a close follows. */
  error: Error;
  drain: void;
  close: CloseEvent;
}

export interface WebSocketStats {
  messagesReceived: number;
  messagesSent: number;
  framesReceived: number;
  framesSent: number;
  /** Bytes read from the socket after the handshake. */
  bytesReceived: number;
  /** Bytes written to the socket after the handshake. */
  bytesSent: number;
}

export interface ConnectionInit {
  role: 'server' | 'client';
  id: string;
  protocol: string;
  extensions: string;
  deflate: DeflateParams | null;
  options: WebSocketConnectionOptions;
  handler?: WebSocketHandler;
  /** Hears every chunk read and every buffer written (the server's byte counters and capture). */
  tap?: WireTap;
}

export type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';
