// The contract between WebSocket endpoints (routes) and server-core/ws.
// server-core/ws implements WebSocketPeer; routes implement WebSocketHandler.
import type { ServerRequest } from '../http/handler-types.js';
import type { InflationBudget } from './inflation-budget.js';

export interface WebSocketMessage {
  binary: boolean;
  data: Buffer;
  /** data decoded as UTF-8 when !binary. */
  text?: string;
}

export interface WebSocketPeer {
  readonly id: string;
  /** The selected subprotocol, '' when none. */
  readonly protocol: string;
  /** The negotiated Sec-WebSocket-Extensions value, '' when none. */
  readonly extensions: string;
  readonly readyState: 'connecting' | 'open' | 'closing' | 'closed';
  readonly bufferedAmount: number;
  /** Returns false when buffered data passed the high-water mark. */
  send(data: string | Buffer, options?: { binary?: boolean }): boolean;
  ping(data?: Buffer | string): void;
  close(code?: number, reason?: string): void;
}

export interface WebSocketHandler {
  onOpen?(peer: WebSocketPeer, req: ServerRequest): void;
  onMessage?(peer: WebSocketPeer, message: WebSocketMessage): void;
  onClose?(peer: WebSocketPeer, code: number, reason: string): void;
  onError?(peer: WebSocketPeer, error: Error): void;
}

export interface WebSocketRoute {
  readonly handler: WebSocketHandler;
  /** Subprotocols the endpoint speaks, in order of preference. */
  readonly protocols?: readonly string[];
  /** When set, an Origin outside this list is refused with 403. */
  readonly origins?: readonly string[];
  /** When set, a Host outside this list (compared in lower case) is refused with 403: DNS rebinding, a forged Origin. */
  readonly hosts?: readonly string[];
}

// ---------------------------------------------------------------------------
// Extensions below are owned by server-core/ws; everything above is unchanged.

/** permessage-deflate (RFC 7692) settings for one side. */
export interface PerMessageDeflateOptions {
  /** Ask for / accept server_no_context_takeover. Default false. */
  serverNoContextTakeover?: boolean;
  /** Ask for / accept client_no_context_takeover. Default false. */
  clientNoContextTakeover?: boolean;
  /** Largest server LZ77 window, 8–15. Default 15. */
  serverMaxWindowBits?: number;
  /** Largest client LZ77 window, 8–15 (the server only sends it when the client offered it). Default 15. */
  clientMaxWindowBits?: number;
  /** Messages shorter than this (bytes) are sent uncompressed. Default 1024. */
  threshold?: number;
  /** zlib compression level 0–9. Default 1 (fast; the demo routes speak mostly small text). */
  level?: number;
}

/** Options shared by the server side (handleUpgrade) and the client. */
export interface WebSocketConnectionOptions {
  /** Largest message (after inflation) and largest frame payload, bytes. Over it → close 1009. Default 64 MiB. */
  maxPayload?: number;
  /** Largest number of fragments in one message. Over it → close 1009. Default 100 000. */
  maxFragments?: number;
  /** Answer pings with pongs automatically. Default true (turn off to watch pings in the playground). */
  autoPong?: boolean;
  /** How long to wait for the peer's close frame, then for the TCP end, after we sent ours (ms). Default 5000. */
  closeTimeout?: number;
  /** Send a ping every this many ms (0 = never). Default 0. */
  pingInterval?: number;
  /** A ping not answered within this many ms closes the connection with 1011 (sent) / 1006. Default 10000. */
  pingTimeout?: number;
  /** send() returns false once bufferedAmount is at least this. Default 64 KiB. */
  highWaterMark?: number;
  /** Negotiate permessage-deflate: false to refuse/never offer. Default true (server) / true (client offers). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * What the inflations of every connection given this object may hold together
   * (inflation-budget.ts); over it an inflation fails with 1009. The server shares one
   * (`webSocket.maxInflatingBytes`, default 256 MiB). Without it only maxPayload bounds a message.
   */
  inflationBudget?: InflationBudget;
  /**
   * A route callback threw (onOpen, onMessage, onError, onClose), after the connection did what it
   * does about it: a throw in onOpen or onMessage fails the connection with 1011 (the route's
   * onError hears of it); onError and onClose run while it is closing already. The server logs
   * it here; without this option the throw becomes a process warning, never an uncaught exception.
   */
  onCallbackError?(error: Error, callback: WebSocketCallbackName, peer: WebSocketPeer): void;
}

/** The callbacks of a WebSocketHandler. */
export type WebSocketCallbackName = 'onOpen' | 'onMessage' | 'onError' | 'onClose';

export interface WebSocketServerOptions extends WebSocketConnectionOptions {
  /** An id for the connection (the server passes its connection id). Default: a counter. */
  id?: string;
  /** Extra headers for the 101 response. */
  headers?: Record<string, string>;
}

/** Byte range [start, end) counted from the first byte of the stream fed to the frame parser. */
export interface FrameSpan {
  start: number;
  end: number;
}

/** One frame header as it appeared on the wire, with the offsets of every field. */
export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** 4 bytes when masked. */
  maskKey: Buffer | null;
  payloadLength: number;
  /** Which length encoding was used: 7 (in the second byte), 16 or 64 bits. */
  lengthBits: 7 | 16 | 64;
  /** The whole frame, header and payload. */
  span: FrameSpan;
  /** First byte: FIN, RSV1–3, opcode. */
  byte0Span: FrameSpan;
  /** Second byte: MASK and the 7-bit length. */
  byte1Span: FrameSpan;
  /** The 16- or 64-bit extended length, null with a 7-bit length. */
  extendedLengthSpan: FrameSpan | null;
  maskKeySpan: FrameSpan | null;
  payloadSpan: FrameSpan;
}

export interface WebSocketFrame extends FrameHeader {
  /** The payload unmasked (still compressed when rsv1 marks a compressed message). */
  payload: Buffer;
}

/** Stable error codes of the frame parser and the connection, each with its close code. */
export type WebSocketErrorCode =
  | 'WS_UNMASKED_FRAME'
  | 'WS_MASKED_FRAME'
  | 'WS_UNEXPECTED_RSV'
  | 'WS_RESERVED_OPCODE'
  | 'WS_CONTROL_FRAME_TOO_LONG'
  | 'WS_FRAGMENTED_CONTROL_FRAME'
  | 'WS_UNEXPECTED_CONTINUATION'
  | 'WS_EXPECTED_CONTINUATION'
  | 'WS_INVALID_LENGTH'
  | 'WS_INVALID_UTF8'
  | 'WS_INVALID_CLOSE_CODE'
  | 'WS_INVALID_CLOSE_PAYLOAD'
  | 'WS_MESSAGE_TOO_BIG'
  | 'WS_TOO_MANY_FRAGMENTS'
  | 'WS_INFLATE_FAILED'
  | 'WS_INFLATE_BUDGET'
  | 'WS_HANDLER_ERROR'
  | 'WS_PING_TIMEOUT';

export class WebSocketError extends Error {
  override readonly name = 'WebSocketError';
  constructor(
    readonly code: WebSocketErrorCode,
    message: string,
    /** The close code this error is answered with (1002, 1007, 1009, 1011). */
    readonly closeCode: number,
    /** Absolute stream offset of the offending byte, -1 when not tied to one. */
    readonly offset: number = -1,
  ) {
    super(message);
  }
}
